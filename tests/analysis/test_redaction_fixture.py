"""The redactor on a fixture of our own (tests/analysis/redaction_cases.py): every kind of
personal data in many shapes and places, and near misses that must be left alone."""

from consult.analysis.redaction import find_personal_data, redact
from tests.analysis.redaction_cases import BLIND, NEAR_MISSES, SEEDED


def _missed(items: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The seeded items no finding covers whole."""
    missed = []
    for text, item in items:
        start = text.index(item)
        end = start + len(item)
        if not any(found.start <= start and found.end >= end for found in find_personal_data(text)):
            missed.append((text, item))
    return missed


def test_the_fixture_is_large_and_covers_every_kind() -> None:
    assert len(SEEDED) >= 200 and len(NEAR_MISSES) >= 50
    kinds = {finding.kind for text, _ in SEEDED for finding in find_personal_data(text)}
    assert kinds == {
        "email", "phone", "postcode", "ni_number", "nhs_number", "card_number", "street_address",
        "name", "date_of_birth", "sort_code", "account_number",
    }  # fmt: skip


def test_recall_on_seeded_personal_data_is_at_least_98_percent() -> None:
    missed = _missed(SEEDED)
    assert 1 - len(missed) / len(SEEDED) >= 0.98, missed
    assert len(BLIND) >= 30


def test_near_misses_are_left_alone() -> None:
    wrongly = {text: redact(text).text for text in NEAR_MISSES if find_personal_data(text)}
    assert wrongly == {}


def test_no_seeded_item_survives_redaction() -> None:
    for text, item in SEEDED:
        assert item not in redact(text).text, (text, item)

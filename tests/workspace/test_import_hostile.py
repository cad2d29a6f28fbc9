"""`import_responses` checks everything before it writes anything (issue 12): a name that cannot be
an address, a NUL byte or an over-long field is a clear error that imports nothing, and a question
is never added to a consultation people may be answering."""

import csv
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils import timezone

from consult.models import Consultation, Question, Response
from tests.factories import make_consultation

pytestmark = pytest.mark.django_db


def _csv(path, rows):
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(("id", "text"))
        writer.writerows(rows)
    return str(path)


@pytest.mark.parametrize(
    ("slug", "message"),
    [
        ("Housing survey 2025", "'housing-survey-2025'"),
        ("", "cannot be a consultation's address"),
        ("ünïcode", "cannot be a consultation's address"),
        ("a/b", "'ab'"),
        ("x" * 250, "at most 100"),
    ],
)
def test_a_name_that_cannot_be_an_address_is_refused_with_a_suggestion(tmp_path, slug, message) -> None:
    path = _csv(tmp_path / "in.csv", [("1", "An answer.")])
    with pytest.raises(CommandError, match=message):
        call_command("import_responses", path, "--consultation", slug, "--text-column", "text")
    assert not Consultation.objects.exists() and not Response.objects.exists()


@pytest.mark.parametrize(
    ("rows", "arguments", "message"),
    [
        ([("1", "Fine."), ("2", "Bad \x00 byte.")], [], "Row 3 holds a NUL character"),
        ([("1\x00", "Fine.")], ["--id-column", "id"], "Row 2 holds a NUL character"),
        ([("x" * 101, "Fine.")], ["--id-column", "id"], "Row 2's id has 101 characters; at most 100"),
        ([("1", "word " * 20_001)], [], "Row 2's text has 100,004 characters; at most 100,000"),
        ([("1", "Fine.")], ["--question", "Q" * 501], "The question has 501 characters; at most 500"),
    ],
)
def test_a_field_that_cannot_be_stored_whole_is_a_clear_error_and_imports_nothing(
    tmp_path, rows, arguments, message
) -> None:
    path = _csv(tmp_path / "in.csv", rows)
    with pytest.raises(CommandError, match=message):
        call_command("import_responses", path, "--consultation", "hostile", "--text-column", "text", *arguments)
    assert not Consultation.objects.exists() and not Response.objects.exists()


def test_a_new_question_is_never_added_to_a_consultation_people_are_answering(tmp_path, client: Client) -> None:
    consultation = make_consultation()
    slug = consultation.slug
    questions_before = list(consultation.questions.values_list("pk", flat=True))
    path = _csv(tmp_path / "in.csv", [("1", "An answer.")])

    with pytest.raises(CommandError, match=f"{slug} is open: a new question would change it"):
        call_command("import_responses", path, "--consultation", slug, "--text-column", "text")
    assert list(consultation.questions.values_list("pk", flat=True)) == questions_before
    assert not Response.objects.filter(consultation=consultation).exists()
    # Into a question it already has, answers can go: nobody's journey changes.
    existing = consultation.questions.filter(kind=Question.Kind.FREE_TEXT).first()
    call_command("import_responses", path, "--consultation", slug, "--text-column", "text", "--question", existing.text)
    assert Response.objects.filter(consultation=consultation).count() == 1
    assert client.get(consultation.get_absolute_url()).status_code == 200

    # Once it has closed, a new question may be added.
    Consultation.objects.filter(pk=consultation.pk).update(
        opens_at=timezone.now() - timedelta(days=10), closes_at=timezone.now() - timedelta(days=1)
    )
    call_command("import_responses", path, "--consultation", slug, "--text-column", "text", "--question", "New")
    assert consultation.questions.filter(text="New").exists()

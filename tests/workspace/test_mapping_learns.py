"""The mapping of every answer to the themes in force learns from officials: a framework's
examples, their answers to "Check these 20 answers", and it measures its own accuracy from the
answers drawn at random. Through the commands an operator runs, the workspace pages and the tasks,
on the real packaged embedding model; the mapping runs in-process (no broker) once its trigger
commits, as it does for an operator.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import numpy as np
import pytest
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import reverse

from consult import tasks
from consult.analysis import embedding
from consult.analysis.mapping import Classifier
from consult.models import (
    Answer,
    AnswerEmbedding,
    AuditEvent,
    Consultation,
    MappingCheck,
    ReviewTheme,
    ThemeMapping,
    ThemeSet,
)
from consult.queries.outcome import default_method_note
from consult.services import mapping
from tests import corpus
from tests.factories import make_official, make_response
from tests.fake_openai import FakeOpenAI, Recorded, Respond
from tests.services.test_analysis_with_a_model import model_settings

pytest_plugins = ["tests.fake_openai"]

# Transactional: the commands and pages queue the mapping on commit, and it runs there and then.
pytestmark = pytest.mark.django_db(transaction=True)

SLUG = "learning"
NON_ANSWERS = {"none-1": "Nothing", "none-2": "N/A"}
FRAMEWORK = [
    ("Talking to a person on the phone", "People want a human adviser on the phone line", "phone-0|phone-1"),
    ("Privacy of personal data", "Who sees personal data and how long it is kept", "privacy-0|privacy-1"),
    ("Quick answers at any time", "Fast replies to simple questions, day or night", "speed-0|speed-1"),
    # No examples, and a label that says little: officials' checks have to teach the mapping what it holds.
    ("Accessible to everyone", "Services that everyone can use", ""),
]
THEME_OF_SUBJECT = {
    "phone": "Talking to a person on the phone",
    "privacy": "Privacy of personal data",
    "speed": "Quick answers at any time",
    "welsh": "Accessible to everyone",
}


def write_csv(path: Path, header: tuple[str, ...], rows: list[tuple[str, ...]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def import_consultation(tmp_path: Path, per_subject: int = 20) -> Consultation:
    """Responses on four subjects, ids "<subject>-<n>", and two non-answers an official marked so."""
    rows = [(f"{subject}-{n}", text) for subject, n, text in _numbered(corpus.answers(per_subject=per_subject))]
    rows += list(NON_ANSWERS.items())
    path = write_csv(tmp_path / "responses.csv", ("id", "text"), rows)
    call_command(
        "import_responses",
        str(path),
        "--consultation",
        SLUG,
        "--text-column",
        "text",
        "--id-column",
        "id",
        "--question",
        "What do you think of the assistant?",
        stdout=io.StringIO(),
    )
    Answer.objects.filter(response__external_id__in=NON_ANSWERS).update(non_answer_override=True)
    return Consultation.objects.get(slug=SLUG)


def _numbered(answers: list[tuple[str, str]]) -> list[tuple[str, int, str]]:
    seen: dict[str, int] = {}
    numbered = []
    for subject, text in answers:
        numbered.append((subject, seen.get(subject, 0), text))
        seen[subject] = seen.get(subject, 0) + 1
    return numbered


def import_framework(tmp_path: Path) -> str:
    path = write_csv(tmp_path / "framework.csv", ("label", "description", "examples"), FRAMEWORK)
    out = io.StringIO()
    call_command("import_themes", SLUG, str(path), stdout=out)
    return out.getvalue()


def first_themes(theme_set: ThemeSet) -> dict[str, list[str]]:
    """Each answer's external id -> the labels of its active themes."""
    placed: dict[str, list[str]] = {}
    rows = ThemeMapping.objects.filter(theme__theme_set=theme_set, is_active=True).order_by("-similarity", "pk")
    for external_id, label in rows.values_list("answer__response__external_id", "theme__label"):
        placed.setdefault(external_id, []).append(label)
    return placed


def subject(external_id: str) -> str:
    return external_id.split("-")[0]


def test_import_themes_then_map_themes_maps_every_substantive_answer_and_the_export_still_works(
    tmp_path: Path,
) -> None:
    consultation = import_consultation(tmp_path)
    call_command("analyse", SLUG, "--wait", stdout=io.StringIO())
    assert "signed them off as the themes in force" in import_framework(tmp_path)

    out = io.StringIO()
    call_command("map_themes", SLUG, "--wait", stdout=out)

    theme_set = ThemeSet.objects.get(question__consultation=consultation)
    assert theme_set.mapping_status == ThemeSet.MappingStatus.DONE and theme_set.classifier
    placed = first_themes(theme_set)
    assert not set(NON_ANSWERS) & set(placed)  # non-answers are never mapped
    assert len(placed) == 80
    assert re.search(r"Question 1: 80 answers mapped, \d+% in Other \(\d+\)\.", out.getvalue())
    # Answers on the subjects the framework has examples of: never in another subject's theme, and
    # most in their own (the rest in Other, for officials' checks to teach it).
    with_examples = [e for e in placed if subject(e) in ("phone", "privacy", "speed")]
    right = sum(1 for e in with_examples if placed[e] == [THEME_OF_SUBJECT[subject(e)]])
    wrong = [e for e in with_examples if placed[e] != ["Other"] and THEME_OF_SUBJECT[subject(e)] not in placed[e]]
    assert not wrong and right / len(with_examples) >= 0.9, (right, len(with_examples), placed)
    mapped = AuditEvent.objects.filter(action="theme_set.mapped").latest("pk")
    assert mapped.after["answers"] == 80
    assert mapped.after["evidence"]["positives"] == 6 and mapped.after["evidence"]["label_only_themes"] == 1

    exported = io.StringIO()
    call_command("export_analysis", SLUG, "--format", "json", stdout=exported)
    data = json.loads(exported.getvalue())
    assert data["consultation"] == SLUG and len(data["questions"]) == 1


def test_map_themes_without_signed_off_themes_is_a_clear_error(tmp_path: Path) -> None:
    import_consultation(tmp_path, per_subject=2)
    with pytest.raises(Exception, match="has no signed-off themes"):
        call_command("map_themes", SLUG, "--wait", stdout=io.StringIO())


def _check_form(client: Client, url: str, theme_ids: dict[str, int]) -> tuple[dict[str, object], list[MappingCheck]]:
    """The truth for every open check, as an official would tick it."""
    checks = list(MappingCheck.objects.filter(decided_theme_ids__isnull=True).select_related("answer__response"))
    page = client.get(url).content.decode()
    ids = re.search(r'name="shown" value="([\d,]*)"', page).group(1)
    data: dict[str, object] = {"shown": ids}
    for check in checks:
        data[f"check_{check.pk}"] = [str(theme_ids[THEME_OF_SUBJECT[subject(check.answer.response.external_id)]])]
    return data, checks


def test_answering_the_checks_places_answers_is_audited_remaps_and_teaches_the_mapping(tmp_path: Path) -> None:
    consultation = import_consultation(tmp_path)
    import_framework(tmp_path)
    theme_set = ThemeSet.objects.get(question__consultation=consultation)
    examples = set(
        ThemeMapping.objects.filter(theme__theme_set=theme_set, source="official").values_list("answer_id", flat=True)
    )
    open_checks = MappingCheck.objects.filter(theme_set=theme_set, decided_theme_ids__isnull=True)
    assert open_checks.filter(reason="unsure").count() == 15 and open_checks.filter(reason="random").count() == 5
    assert not open_checks.filter(answer_id__in=examples).exists()
    welsh = set(Answer.objects.filter(response__external_id__startswith="welsh-").values_list("pk", flat=True))
    accessible = ReviewTheme.objects.get(theme_set=theme_set, label="Accessible to everyone")

    def welsh_in_accessible(excluding: set[int]) -> float:
        rows = ThemeMapping.objects.filter(theme=accessible, is_active=True, answer_id__in=welsh - excluding)
        return rows.count() / len(welsh - excluding)

    lead = make_official(consultation.department, role="lead")
    client = Client()
    client.force_login(lead)
    url = reverse("workspace_mapping_checks", kwargs={"slug": SLUG, "question_id": theme_set.question_id})
    theme_set_url = reverse("workspace_theme_set", kwargs={"slug": SLUG, "question_id": theme_set.question_id})
    assert "Check these 20 answers" in client.get(theme_set_url).content.decode()
    page = client.get(url).content.decode()
    assert "Check these 20 answers" in page and "Other / none of these" in page
    first_check = open_checks.select_related("answer").first()
    assert first_check.answer.text in page
    theme_ids = dict(theme_set.themes.values_list("label", "pk"))

    # Officials answer every batch the mapping asks for, until they have checked a handful of the
    # answers about Welsh; the rest of those answers are never checked.
    checked: set[int] = set()
    before = welsh_in_accessible(set())
    for _ in range(4):
        data, batch = _check_form(client, url, theme_ids)
        response = client.post(url, data)
        assert response.status_code == 302, response.content.decode()
        checked |= {check.answer_id for check in batch}
        if len(checked & welsh) >= 5:
            break

    decided = MappingCheck.objects.filter(theme_set=theme_set, decided_theme_ids__isnull=False)
    assert decided.count() == len(checked) and set(decided.values_list("checked_by", flat=True)) == {lead.pk}
    for check in decided:
        assert check.is_correct == (set(check.decided_theme_ids) == set(check.proposed_theme_ids))
        active = set(
            ThemeMapping.objects.filter(theme__theme_set=theme_set, answer=check.answer_id, is_active=True)
            .exclude(theme__is_other=True)
            .values_list("theme_id", flat=True)
        )
        assert active == set(check.decided_theme_ids)
    corrected = [check for check in decided if not check.is_correct]
    assert corrected, "the mapping was right about every checked answer: nothing to learn from"
    assert ThemeMapping.objects.filter(source="official", answer_id=corrected[0].answer_id, is_active=True).exists()
    audit = AuditEvent.objects.filter(action="mapping.check", actor=lead)
    assert audit.exists() and sum(event.after["checked"] for event in audit) == len(checked)
    theme_set.refresh_from_db()
    assert theme_set.mapping_status == ThemeSet.MappingStatus.DONE
    assert AuditEvent.objects.filter(action="theme_set.mapped").count() == audit.count() + 1
    assert MappingCheck.objects.filter(theme_set=theme_set, decided_theme_ids__isnull=True).count() == 20
    # Answers like the ones officials placed, that nobody checked, now go where officials put theirs.
    after = welsh_in_accessible(checked)
    assert after > before and after >= 0.9, (before, after)


def test_the_accuracy_measured_by_random_checks_is_shown_with_its_interval(tmp_path: Path) -> None:
    consultation = import_consultation(tmp_path, per_subject=8)
    import_framework(tmp_path)
    theme_set = ThemeSet.objects.get(question__consultation=consultation)
    lead = make_official(consultation.department, role="lead")
    client = Client()
    client.force_login(lead)
    theme_set_url = reverse("workspace_theme_set", kwargs={"slug": SLUG, "question_id": theme_set.question_id})
    assert "has not been measured yet" in client.get(theme_set_url).content.decode()
    assert "has not been measured yet" in default_method_note(consultation)

    url = reverse("workspace_mapping_checks", kwargs={"slug": SLUG, "question_id": theme_set.question_id})
    data, _ = _check_form(client, url, dict(theme_set.themes.values_list("label", "pk")))
    assert client.post(url, data).status_code == 302

    random_checks = [check for check in MappingCheck.objects.filter(reason="random") if check.is_correct is not None]
    agreed = sum(1 for check in random_checks if check.is_correct)
    assert len(random_checks) == 5
    sentence = re.compile(
        rf"The mapping agreed with officials on {agreed} of 5 answers checked at random: \d+% "
        r"\(95% interval \d+%\u2013\d+%\)\."
    )
    assert sentence.search(client.get(theme_set_url).content.decode())
    dashboard = client.get(reverse("workspace_analysis", kwargs={"slug": SLUG})).content.decode()
    assert sentence.search(dashboard)
    assert sentence.search(default_method_note(consultation))


def test_the_checks_form_is_validated_on_the_server(tmp_path: Path) -> None:
    consultation = import_consultation(tmp_path, per_subject=8)
    import_framework(tmp_path)
    theme_set = ThemeSet.objects.get(question__consultation=consultation)
    client = Client()
    client.force_login(make_official(consultation.department, role="lead"))
    url = reverse("workspace_mapping_checks", kwargs={"slug": SLUG, "question_id": theme_set.question_id})
    data, batch = _check_form(client, url, dict(theme_set.themes.values_list("label", "pk")))
    some_theme = next(iter(theme_set.themes.filter(is_other=False).values_list("pk", flat=True)))
    data[f"check_{batch[0].pk}"] = []
    data[f"check_{batch[1].pk}"] = [str(some_theme), "none"]

    refused = client.post(url, data)

    page = refused.content.decode()
    assert refused.status_code == 400 and "govuk-error-summary" in page
    assert f'href="#id_check_{batch[0].pk}_0"' in page
    assert "or “Other / none of these”, not both" in page
    assert not MappingCheck.objects.filter(decided_theme_ids__isnull=False).exists()
    assert not AuditEvent.objects.filter(action="mapping.check").exists()

    analyst = Client()
    analyst.force_login(make_official(consultation.department, role="analyst"))
    assert analyst.post(url, data).status_code == 403


def test_an_answer_arriving_after_the_mapping_is_mapped_on_arrival(tmp_path: Path) -> None:
    consultation = import_consultation(tmp_path, per_subject=10)
    import_framework(tmp_path)
    theme_set = ThemeSet.objects.get(question__consultation=consultation)
    question = theme_set.question
    late = make_response(consultation, {question: "Please let me speak to a real person on the phone line."})
    empty = make_response(consultation, {question: "Nothing to add"})
    Answer.objects.filter(response=empty).update(non_answer_override=True)

    tasks.process_response(late.pk)
    tasks.process_response(empty.pk)

    rows = ThemeMapping.objects.filter(answer__response=late, is_active=True)
    assert list(rows.values_list("theme__label", "source")) == [("Talking to a person on the phone", "ai")]
    assert rows.get().similarity is not None
    assert not ThemeMapping.objects.filter(answer__response=empty).exists()


def test_with_a_model_only_unsure_answers_are_sent_and_an_invented_quote_is_discarded(
    tmp_path: Path, fake_openai: FakeOpenAI
) -> None:
    consultation = import_consultation(tmp_path, per_subject=12)
    subject_of = {pk: subject(e) for pk, e in Answer.objects.values_list("pk", "response__external_id")}
    sent: list[dict[str, object]] = []
    invented: list[int] = []

    def decide(recorded: Recorded) -> dict[str, object]:
        """The truth for every answer, with a quote from it, except the first: a made-up quote."""
        payload = json.loads(re.search(r"<data>\s*(.*?)\s*</data>", recorded.user, re.S).group(1))[0]
        keys = {theme["label"]: theme["key"] for theme in payload["themes"]}
        decisions = []
        for answer in payload["answers"]:
            sent.append(answer)
            right = keys[THEME_OF_SUBJECT[subject_of[answer["id"]]]]
            if not invented:
                invented.append(answer["id"])
                wrong = [key for key in keys.values() if key != right]
                decisions.append({"id": answer["id"], "theme_keys": wrong, "evidence": "a quote nobody wrote"})
            else:
                decisions.append({"id": answer["id"], "theme_keys": [right], "evidence": answer["text"].split(".")[0]})
        return {"decisions": decisions}

    fake_openai.script(*[Respond(decide)] * 20)
    with override_settings(**model_settings(fake_openai)):
        import_framework(tmp_path)

    theme_set = ThemeSet.objects.get(question__consultation=consultation)
    assert theme_set.mapping_status == ThemeSet.MappingStatus.DONE
    # Only the answers the classifier was unsure of went to the model, as their redacted text.
    classifier = Classifier.from_dict(theme_set.classifier)
    answers = list(Answer.objects.filter(question=theme_set.question).substantive().order_by("pk"))
    stored = {row.answer_id: row for row in AnswerEmbedding.objects.filter(answer__in=answers)}
    vectors = np.vstack([embedding.from_bytes(stored[a.pk].vector, stored[a.pk].dimensions) for a in answers])
    _, uncertainty = classifier.decide(vectors)
    unsure = {a.pk for a, u in zip(answers, uncertainty, strict=True) if u > mapping.MODEL_UNCERTAINTY_THRESHOLD}
    examples = set(ThemeMapping.objects.filter(source="official").values_list("answer_id", flat=True))
    sent_ids = {answer["id"] for answer in sent}
    assert sent_ids and sent_ids == unsure - examples
    assert len(sent_ids) < len(answers)
    redacted = dict(Answer.objects.values_list("pk", "redacted_text"))
    assert all(answer["text"] == redacted[answer["id"]] for answer in sent)
    # Verified decisions replace the classifier's; the one whose quote was invented is discarded.
    for answer_id in sent_ids - set(invented):
        active = ThemeMapping.objects.filter(answer_id=answer_id, is_active=True).values_list("theme__label", flat=True)
        assert list(active) == [THEME_OF_SUBJECT[subject_of[answer_id]]]
    wrong = ThemeMapping.objects.filter(answer_id=invented[0], is_active=True).values_list("theme__label", flat=True)
    assert len(wrong) < 3
    used = AuditEvent.objects.get(action="theme_set.mapped").after["language_model"]
    assert (used["answers_sent"], used["answers_decided"]) == (len(sent_ids), len(sent_ids) - 1)
    assert used["calls"] == len(fake_openai.requests) and used["prompt_tokens"] == 100 * len(fake_openai.requests)

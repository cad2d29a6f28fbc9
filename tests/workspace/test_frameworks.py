"""Officials bring their own coding framework: `manage.py import_themes` and the workspace upload
page check it whole before writing anything, replace the question's themes (the old ones kept in
the audit record) and sign the framework off as the themes in force."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse

from consult.models import AuditEvent, Consultation, Question, ReviewTheme, ThemeMapping, ThemeSet
from consult.services.imports import import_responses
from tests.factories import make_consultation, make_official, make_response, make_run_with_themes

pytestmark = pytest.mark.django_db

ANSWERS = {
    "r1": "I want to talk to a real person on the phone.",
    "r2": "Please keep human advisers for people who need them.",
    "r3": "I worry about who will see my personal data.",
    "r4": "My private information must not be shared.",
    "r5": "The assistant should answer quickly at night.",
}
FRAMEWORK = (
    "label,description,examples\n"
    "Keep human advisers,People want to speak to a person,r1|r2\n"
    "Privacy of personal data,,r3\n"
    "Speed,Quick answers at any time,\n"
)


@pytest.fixture
def consultation() -> Consultation:
    rows = [{"id": external_id, "text": text} for external_id, text in ANSWERS.items()]
    import_responses(rows, slug="framework-test", text_column="text", id_column="id", question_text="Your views?")
    return Consultation.objects.get(slug="framework-test")


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "framework.csv"
    path.write_text(text, encoding="utf-8")
    return path


def import_themes(*args: str) -> str:
    out = io.StringIO()
    call_command("import_themes", *args, stdout=out)
    return out.getvalue()


def test_import_themes_signs_the_framework_off_with_its_examples_as_officials_rows(
    consultation: Consultation, tmp_path: Path
) -> None:
    printed = import_themes("framework-test", str(write(tmp_path, FRAMEWORK)))

    assert "Imported 3 themes" in printed and "signed them off as the themes in force" in printed
    theme_set = ThemeSet.objects.get(question__consultation=consultation)
    assert theme_set.status == ThemeSet.Status.SIGNED_OFF and theme_set.signed_off_by is None
    assert theme_set.mapping_status == ThemeSet.MappingStatus.QUEUED
    themes = list(theme_set.themes.order_by("position").values_list("label", "description", "source", "is_other"))
    assert themes == [
        ("Keep human advisers", "People want to speak to a person", "framework", False),
        ("Privacy of personal data", "", "framework", False),
        ("Speed", "Quick answers at any time", "framework", False),
        ("Other", "Answers that fit none of the other themes.", "ai", True),
    ]
    placed = ThemeMapping.objects.filter(theme__theme_set=theme_set).order_by("answer__response__external_id")
    assert list(placed.values_list("answer__response__external_id", "theme__label", "source", "is_active")) == [
        ("r1", "Keep human advisers", "official", True),
        ("r2", "Keep human advisers", "official", True),
        ("r3", "Privacy of personal data", "official", True),
    ]
    event = AuditEvent.objects.get(action="theme_set.import_framework")
    assert event.actor is None and event.before == {}
    assert [theme["label"] for theme in event.after["themes"]] == [label for label, *_ in themes]
    assert event.after["examples"] == {"Keep human advisers": ["r1", "r2"], "Privacy of personal data": ["r3"]}


@pytest.mark.parametrize(
    ("content", "messages"),
    [
        (
            "label,examples\nPhone,r1|nope-1\nData,nope-2|r3\n",
            ["These example ids match no answer to this question: nope-1, nope-2."],
        ),
        (
            "label,description\nPhone,\n,A theme with no name\nphone,Again\nData,\n",
            ["Every theme needs a label: row 3 has none.", "Each label must be used once: Phone, phone appear"],
        ),
        ("name,description\nPhone,\n", ["The file must have a column named label"]),
        ("label\nPhone\nOther\n", ["Leave out “Other”: it is added for you"]),
        ("label\n", ["The framework has no themes."]),
        ('label,description\n"unclosed,\n', ["not a well-formed CSV file"]),
    ],
)
def test_a_framework_with_problems_is_refused_with_all_of_them_and_nothing_is_written(
    consultation: Consultation, tmp_path: Path, content: str, messages: list[str]
) -> None:
    with pytest.raises(CommandError) as refused:
        import_themes("framework-test", str(write(tmp_path, content)))

    for message in messages:
        assert message in str(refused.value)
    assert not ThemeSet.objects.exists() and not ReviewTheme.objects.exists()
    assert not ThemeMapping.objects.exists() and not AuditEvent.objects.exists()


def test_a_framework_replaces_signed_off_themes_as_a_new_version_and_the_old_ones_stay_on_record(
    consultation: Consultation, tmp_path: Path
) -> None:
    import_themes("framework-test", str(write(tmp_path, FRAMEWORK)))
    first = ThemeSet.objects.get()

    import_themes("framework-test", str(write(tmp_path, "label,examples\nHuman contact,r1\nEverything else,\n")))

    theme_set = ThemeSet.objects.get()
    assert theme_set.pk == first.pk and theme_set.version == first.version + 1
    assert list(theme_set.themes.values_list("label", flat=True)) == ["Human contact", "Everything else", "Other"]
    assert ThemeMapping.objects.filter(theme__theme_set=theme_set).count() == 1
    replaced = AuditEvent.objects.filter(action="theme_set.import_framework").latest("pk")
    assert replaced.before["status"] == "signed_off"
    old = {theme["label"]: theme for theme in replaced.before["themes"]}
    assert set(old) == {"Keep human advisers", "Privacy of personal data", "Speed", "Other"}
    assert len(old["Keep human advisers"]["answers"]["official"]) == 2


def test_import_themes_picks_the_question_by_its_number_and_refuses_an_ambiguous_consultation(tmp_path: Path) -> None:
    consultation = make_consultation(phase="closed")  # free-text questions 2 and 5
    why = consultation.questions.get(position=2)
    framework = str(write(tmp_path, "label\nPeople\nData\n"))

    with pytest.raises(CommandError, match="has 2 free-text questions"):
        import_themes(consultation.slug, framework)
    with pytest.raises(CommandError, match="Question 1 is not a free-text question"):
        import_themes(consultation.slug, framework, "--question", "1")
    with pytest.raises(CommandError, match="has no question '9'"):
        import_themes(consultation.slug, framework, "--question", "9")

    assert "for question 5" in import_themes(consultation.slug, framework, "--question", "5")
    assert ThemeSet.objects.get().question == consultation.questions.get(position=5)
    # Its text, as import_responses --question gives it, names it too.
    import_themes(consultation.slug, framework, "--question", "Why do you say that?")
    assert ThemeSet.objects.filter(question=why).exists()


def test_an_unknown_consultation_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="There is no consultation 'nope'"):
        import_themes("nope", str(write(tmp_path, FRAMEWORK)))


# --- The workspace upload page -----------------------------------------------------------------


def upload(name: str, content: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content.encode(), content_type="text/csv")


def test_a_lead_uploads_a_framework_over_the_ai_themes_and_it_is_signed_off(client: Client) -> None:
    consultation = make_consultation(phase="closed")
    why = consultation.questions.get(position=2)
    answers = [make_response(consultation, {why: text}).answers.get() for text in ANSWERS.values()]
    for answer, external_id in zip(answers, ANSWERS, strict=True):
        answer.response.external_id = external_id
        answer.response.save(update_fields=["external_id"])
    make_run_with_themes(why, {"people person": answers[:2], "data": answers[2:4]})
    lead = make_official(consultation.department, role="lead")
    client.force_login(lead)
    client.post(reverse("workspace_theme_set_start", kwargs={"slug": consultation.slug, "question_id": why.pk}))
    url = reverse("workspace_theme_framework", kwargs={"slug": consultation.slug, "question_id": why.pk})
    page = client.get(url).content.decode()
    assert 'enctype="multipart/form-data"' in page and "govuk-file-upload" in page
    assert "They will be replaced" in page

    response = client.post(url, {"framework": upload("framework.csv", FRAMEWORK)})

    assert response.status_code == 302
    theme_set = ThemeSet.objects.get(question=why)
    assert (theme_set.status, theme_set.signed_off_by) == ("signed_off", lead)
    assert set(theme_set.themes.values_list("source", flat=True)) == {"framework", "ai"}  # Other is the system's
    event = AuditEvent.objects.get(action="theme_set.import_framework")
    assert event.actor == lead
    assert [theme["label"] for theme in event.before["themes"]] == ["people person", "data", "Other"]
    shown = client.get(reverse("workspace_theme_set", kwargs={"slug": consultation.slug, "question_id": why.pk}))
    assert "An imported coding framework" in shown.content.decode()


def test_the_upload_page_lists_every_problem_in_the_error_summary_and_writes_nothing(client: Client) -> None:
    consultation = make_consultation(phase="closed")
    why = consultation.questions.get(position=2)
    client.force_login(make_official(consultation.department, role="lead"))
    url = reverse("workspace_theme_framework", kwargs={"slug": consultation.slug, "question_id": why.pk})

    missing = client.post(url, {})
    assert missing.status_code == 400 and "Select a CSV file" in missing.content.decode()

    refused = client.post(url, {"framework": upload("f.csv", "label,examples\nPhone,x-1\nphone,\n")})
    page = refused.content.decode()
    assert refused.status_code == 400
    assert "govuk-error-summary" in page and 'href="#id_framework"' in page
    assert "These example ids match no answer to this question: x-1." in page
    assert "Each label must be used once" in page
    assert not ThemeSet.objects.exists() and not AuditEvent.objects.exists()


def test_only_a_lead_may_import_a_framework(client: Client) -> None:
    consultation = make_consultation(phase="closed")
    why = consultation.questions.get(position=2)
    client.force_login(make_official(consultation.department, role="analyst"))
    url = reverse("workspace_theme_framework", kwargs={"slug": consultation.slug, "question_id": why.pk})
    assert client.post(url, {"framework": upload("f.csv", FRAMEWORK)}).status_code == 403
    assert not ThemeSet.objects.exists()
    assert Question.objects.filter(pk=why.pk).exists()

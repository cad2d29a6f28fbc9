"""The public site in Welsh: every interface string has a Welsh translation, the Welsh pages (under
/cy/) carry no English interface text, a toggle links each page to itself in the other language,
consultations show their Welsh versions (marking English where one is missing), responses
remember their language and its emails follow it, and answers written in Welsh are marked so."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import translation

from consult import tasks
from consult.access import response_token
from consult.analysis.language import detect_language
from consult.models import Agreement, Answer, Consultation, Response
from consult.queries.workspace.exports import export_table
from tests import journey
from tests.factories import (
    add_welsh_versions,
    make_consultation,
    make_department,
    make_official,
    make_response,
    publish_outcome_with_themes,
)
from tests.welsh_support import cy, english_left_in, visible_text

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "cy" / "LC_MESSAGES" / "django.po"
# Where the strings marked for translation live (`make messages` scans the same).
SOURCES = ["config", "consult", "templates"]

# --- The catalogue --------------------------------------------------------------------------------


def test_every_interface_string_has_a_welsh_translation(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Extract the strings marked for translation afresh, merge them into a copy of the Welsh
    catalogue, and fail on any without a finished (non-empty, non-fuzzy) Welsh translation.

    makemessages writes into the `locale` folder of the tree it scans, so it scans a copy of the
    sources: the real catalogue is never touched."""
    if shutil.which("xgettext") is None:
        pytest.skip("GNU gettext is not installed")
    for source in SOURCES:
        shutil.copytree(
            Path(settings.BASE_DIR) / source, tmp_path / source, ignore=shutil.ignore_patterns("__pycache__")
        )
    copy = tmp_path / "locale" / "cy" / "LC_MESSAGES" / "django.po"
    copy.parent.mkdir(parents=True)
    shutil.copy(CATALOGUE, copy)
    monkeypatch.chdir(tmp_path)
    with override_settings(LOCALE_PATHS=[tmp_path / "locale"]):
        call_command("makemessages", locale=["cy"], no_obsolete=True, verbosity=0)
    untranslated = [
        entry.msgid
        for entry in polib.pofile(str(copy))
        if "fuzzy" in entry.flags
        or (entry.msgid_plural and not all(entry.msgstr_plural.values()))
        or (not entry.msgid_plural and not entry.msgstr)
    ]
    assert untranslated == [], "Strings without a Welsh translation (run `make messages`, then translate):\n" + (
        "\n".join(untranslated)
    )


def test_the_catalogue_uses_djangos_welsh_plural_forms() -> None:
    django_welsh = polib.pofile(str(Path(translation.__file__).parents[2] / "conf/locale/cy/LC_MESSAGES/django.po"))
    assert polib.pofile(str(CATALOGUE)).metadata["Plural-Forms"] == django_welsh.metadata["Plural-Forms"]


# --- Welsh pages --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_main_public_pages_in_welsh_have_no_english_interface_text(client: Client) -> None:
    consultation = add_welsh_versions(make_consultation())
    pages = {
        "list": client.get(cy("consultation_list")),
        "search": client.get(cy("consultation_list") + "?q=dim+byd"),
        "consultation": client.get(cy("consultation_detail", consultation.slug)),
    }
    token = journey.start(client, consultation)
    pages["about you"] = client.get(cy("about_you", token))
    pages["about you error"] = client.post(cy("about_you", token), {})
    questions = {q.position: q for q in consultation.questions.all()}
    pages["question"] = client.get(cy("answer_question", token, questions[1].pk))
    pages["question error"] = client.post(cy("answer_question", token, questions[2].pk), {"answer": ""})
    pages["check answers error"] = client.post(cy("check_answers", token))
    for name, page in pages.items():
        html = page.content.decode()
        assert page.status_code == 200, name
        assert '<html lang="cy"' in html, name
        assert english_left_in(html) == [], name
    assert "Mae problem" in pages["about you error"].content.decode()
    assert "Gwall:" in pages["question error"].content.decode()
    assert "Rhowch eich ateb" in pages["question error"].content.decode()
    assert "Dewiswch a ydych yn ymateb fel unigolyn neu ar ran sefydliad" in pages["about you error"].content.decode()
    # Times and dates in Welsh: "11:59yh, Dydd Llun 1 Chwefror 2027".
    assert re.search(r"\d(yb|yh), Dydd \w+ \d+ \w+ \d{4}", visible_text(pages["consultation"].content.decode()))


@pytest.mark.django_db
def test_english_pages_stay_english(client: Client) -> None:
    consultation = add_welsh_versions(make_consultation(title="Using AI to answer benefit enquiries"))
    html = client.get(consultation.get_absolute_url()).content.decode()
    assert '<html lang="en-GB"' in html
    assert "Respond to this consultation" in html
    assert '<h1 class="govuk-heading-xl">Using AI to answer benefit enquiries</h1>' in html
    assert "Defnyddio AI" not in html


@pytest.mark.django_db
def test_the_language_toggle_links_each_page_to_itself_in_the_other_language(client: Client) -> None:
    consultation = make_consultation()
    english = client.get(consultation.get_absolute_url()).content.decode()
    toggle = re.search(r'<nav class="consult-language-select.*?</nav>', english, re.S).group(0)
    assert f'href="/cy/consultations/{consultation.slug}/" hreflang="cy" lang="cy"' in toggle
    assert '<span aria-current="true" lang="en-GB">English</span>' in toggle

    welsh = client.get(cy("consultation_list") + "?phase=open&q=AI").content.decode()
    toggle = re.search(r'<nav class="consult-language-select.*?</nav>', welsh, re.S).group(0)
    assert 'href="/?phase=open&amp;q=AI" hreflang="en-GB" lang="en-GB"' in toggle
    assert '<span aria-current="true" lang="cy">Cymraeg</span>' in toggle
    assert "<form" not in toggle  # plain links: no JavaScript, no form needed


@pytest.mark.django_db
def test_the_workspace_stays_english_without_a_toggle(client: Client) -> None:
    """The account pages are in both languages: tests/accounts/test_welsh_accounts.py."""
    department = make_department()
    client.force_login(make_official(department))
    html = client.get(reverse("workspace_home")).content.decode()
    assert '<html lang="en-GB"' in html
    assert "consult-language-select" not in html
    assert client.get("/cy/workspace/").status_code == 404


@pytest.mark.django_db
def test_welsh_pages_show_a_consultations_welsh_version(client: Client) -> None:
    consultation = add_welsh_versions(make_consultation())
    html = client.get(cy("consultation_detail", consultation.slug)).content.decode()
    assert '<h1 class="govuk-heading-xl">Defnyddio AI i ateb ymholiadau am fudd-daliadau</h1>' in html
    assert "Rydym yn cynnig defnyddio cynorthwyydd AI" in html
    assert f'<span class="govuk-caption-l">Adran Brofi {consultation.department.pk}</span>' in html
    assert "Yr adnodd AI: <span>Cynorthwyydd ymholiadau budd-daliadau</span>" in html
    assert "Byrhau&#x27;r amser aros ar y llinell ffôn." in html
    assert "Sut rydych chi&#x27;n cysylltu â ni fel arfer?" in html
    assert 'lang="en"' not in html

    token = journey.start(client, consultation)
    channel = consultation.questions.get(position=3)
    question = client.get(cy("answer_question", token, channel.pk)).content.decode()
    assert "Dros y ffôn" in question and "By phone" not in question
    assert "Cwestiwn 3 o 5" in question


@pytest.mark.django_db
def test_english_shown_on_a_welsh_page_is_marked_as_english(client: Client) -> None:
    consultation = make_consultation(title="Using AI to answer benefit enquiries")  # no Welsh version
    html = client.get(cy("consultation_detail", consultation.slug)).content.decode()
    assert '<h1 class="govuk-heading-xl" lang="en">Using AI to answer benefit enquiries</h1>' in html
    assert '<div class="govuk-body consult-prose" lang="en">' in html
    assert f'<span class="govuk-caption-l" lang="en">{consultation.department.name}</span>' in html
    assert '<div class="govuk-body" lang="en"><p>Answers written questions about benefits.</p></div>' in html
    # The interface around it is still Welsh.
    assert "Beth rydym yn ei ofyn" in html


# --- Responses in Welsh ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_response_started_in_welsh_gets_its_emails_in_welsh(
    client: Client, django_capture_on_commit_callbacks: object
) -> None:
    consultation = add_welsh_versions(make_consultation())
    location = client.post(cy("start_response", consultation.slug), {"start_key": "welsh"})["Location"]
    assert location.startswith("/cy/respond/")
    token = journey.token_from(location)
    response = Response.objects.get(consultation=consultation)
    assert response.language == "cy"

    journey.answer_required(client, consultation, token, email="cymraeg@example.com", why="Mae angen person.")
    with django_capture_on_commit_callbacks(execute=True):
        journey.send(client, token)
    receipt = mail.outbox[-1]
    assert receipt.subject == f"Eich ymateb i Defnyddio AI i ateb ymholiadau am fudd-daliadau: {response.reference}"
    assert "Diolch am ymateb i" in receipt.body
    assert "/cy/respond/" in receipt.body
    assert "Thank you" not in receipt.body


@pytest.mark.django_db
def test_a_response_started_in_english_records_english(client: Client) -> None:
    consultation = make_consultation()
    journey.start(client, consultation)
    assert Response.objects.get(consultation=consultation).language == "en-gb"


@pytest.mark.django_db
def test_answers_written_in_welsh_are_marked_welsh_when_the_worker_redacts_them() -> None:
    consultation = make_consultation()
    questions = {q.position: q for q in consultation.questions.all()}
    welsh = make_response(
        consultation,
        {
            questions[1]: Agreement.DISAGREE,
            questions[2]: "Mae angen i bobl allu siarad â pherson go iawn, nid peiriant, am eu budd-daliadau.",
        },
    )
    english = make_response(
        consultation,
        {questions[1]: Agreement.AGREE, questions[2]: "People should be able to talk to a real person about it."},
    )
    tasks.process_response(welsh.pk)
    tasks.process_response(english.pk)
    assert Answer.objects.get(response=welsh, question=questions[2]).language == "cy"
    assert Answer.objects.get(response=english, question=questions[2]).language == "en"

    # A changed answer is redacted again, and its language follows it.
    changed = Client().post(
        reverse("answer_question", args=[response_token(english), questions[2].pk]),
        {"answer": "Rwy'n credu y dylai pobl gael siarad â rhywun go iawn bob amser."},
    )
    assert changed.status_code == 302
    tasks.process_response(english.pk)
    assert Answer.objects.get(response=english, question=questions[2]).language == "cy"

    official = Client()
    official.force_login(make_official(consultation.department, role="analyst"))
    page = official.get(reverse("workspace_response", args=[consultation.slug, welsh.reference])).content.decode()
    assert "Written in Welsh" in page
    assert '<p class="govuk-body consult-answer-text" lang="cy">Mae angen i bobl' in page

    table = export_table(Consultation.objects.get(pk=consultation.pk))
    assert table.header[-2:] == ["language", "answer_languages"]
    rows = {row[0]: row for row in table.rows}
    assert rows[welsh.reference][-1] == "cy"


def test_language_detection_tells_welsh_from_english_and_admits_when_it_cannot() -> None:
    assert detect_language("Rwy'n credu bod hwn yn syniad da iawn, ond mae angen gofal.") == "cy"
    assert detect_language("I think this is a good idea, but it needs care.") == "en"
    assert detect_language("   ") == ""


# --- Officials write the Welsh version ------------------------------------------------------------


@pytest.mark.django_db
def test_officials_write_the_welsh_version_in_the_workspace(client: Client) -> None:
    consultation = make_consultation(phase="upcoming")
    client.force_login(make_official(consultation.department, role="lead"))

    form = client.get(reverse("workspace_consultation_edit", args=[consultation.slug])).content.decode()
    assert "Welsh version (optional)" in form
    tool_page = client.get(reverse("workspace_ai_tool_edit", args=[consultation.slug])).content.decode()
    assert "What the tool does in Welsh (optional)" in tool_page
    fields = ["tool_name", "description", "purpose", "decision_role", "human_oversight", "how_to_challenge"]
    fields += ["data_used", "risks", "mitigations", "owner", "supplier"]
    tool = {name: getattr(consultation.ai_tool, name) for name in fields}
    saved = client.post(
        reverse("workspace_ai_tool_edit", args=[consultation.slug]),
        {**tool, "tool_name_cy": "Cynorthwyydd", "risks_cy": "Gallai roi gwybodaeth anghywir."},
    )
    assert saved.status_code == 302
    consultation.ai_tool.refresh_from_db()
    assert (consultation.ai_tool.tool_name_cy, consultation.ai_tool.risks_cy) == (
        "Cynorthwyydd",
        "Gallai roi gwybodaeth anghywir.",
    )

    channel = consultation.questions.get(position=3)
    edit = reverse("workspace_question_edit", args=[consultation.slug, channel.pk])
    question = {
        "text": channel.text,
        "hint": "",
        "kind": "single_choice",
        "options": "By phone\nOnline\nIn person",
        "max_length": "2500",
        "is_required": "yes",
        "explains": "none",
        "text_cy": "Sut rydych chi'n cysylltu â ni?",
    }
    too_few = client.post(edit, {**question, "options_cy": "Dros y ffôn\nAr-lein"})
    assert "Give one Welsh option for each option in English, in the same order" in too_few.content.decode()
    assert client.post(edit, {**question, "options_cy": "Dros y ffôn\nAr-lein\nWyneb yn wyneb"}).status_code == 302
    channel.refresh_from_db()
    assert channel.text_cy == "Sut rydych chi'n cysylltu â ni?"
    assert [o.label_cy for o in channel.options.all()] == ["Dros y ffôn", "Ar-lein", "Wyneb yn wyneb"]

    page = client.get(cy("consultation_detail", consultation.slug)).content.decode()
    assert "Yr adnodd AI: <span>Cynorthwyydd</span>" in page
    assert "Sut rydych chi&#x27;n cysylltu â ni?" in page


@pytest.mark.django_db
def test_the_published_outcome_in_welsh_marks_what_officials_wrote_as_english(client: Client) -> None:
    consultation = add_welsh_versions(make_consultation(phase="closed"))
    why = consultation.questions.get(position=2)
    response = make_response(consultation, {why: "It would be quicker."})
    publish_outcome_with_themes(consultation, {why: {"Quicker answers": [response.answers.get(question=why)]}})
    page = client.get(cy("consultation_outcome", consultation.slug))
    html = page.content.decode()
    assert page.status_code == 200
    assert english_left_in(html) == []
    assert '<h1 class="govuk-heading-xl">Yr hyn a glywsom a\'r hyn y byddwn yn ei wneud</h1>' in html
    assert '<th scope="row" class="govuk-table__header" lang="en">Quicker answers</th>' in html

"""The published outcome in Welsh: leads write Welsh versions of the outcome's summary, decision and
method, and of each reviewed theme's label, description and response; the Welsh outcome page, the
receipt and the outcome email show them, and fall back to the English, marked as English, where
there is none."""

from __future__ import annotations

import json
from html import escape

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import translation

from consult.access import response_token
from consult.models import AuditEvent, Outcome, Response, ReviewTheme
from tests.factories import add_welsh_versions
from tests.outcome_world import World, build_world, draft, outcome_url
from tests.welsh_support import cy

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> World:
    world = build_world()
    add_welsh_versions(world.consultation)  # the consultation's questions in Welsh too
    world.why.refresh_from_db()
    return world


WELSH = {
    "summary_cy": "Mae'r rhan fwyaf ohonoch eisiau atebion cyflymach.",
    "decision_cy": "Byddwn yn cynnal cynllun peilot am chwe mis.",
}


def _welsh_draft(world: World, version: int = 0, **changes: str) -> dict[str, object]:
    quicker = world.quicker.pk
    welsh = {
        **WELSH,
        f"theme_{quicker}_label_cy": "Atebion cyflymach",
        f"theme_{quicker}_description_cy": "Pobl sydd eisiau aros llai.",
        f"theme_{quicker}_government_response_cy": "Bydd y peilot yn mesur amseroedd aros.",
    }
    return draft(world, version, **{**welsh, **changes})


def _publish(client: Client, world: World, data: dict[str, object], capture: object) -> None:
    client.force_login(world.lead)
    assert client.post(outcome_url(world), data).status_code == 302
    assert client.post(outcome_url(world, "workspace_outcome_approve"), {"version": 1}).status_code == 302
    with capture(execute=True):
        assert client.post(outcome_url(world, "workspace_outcome_publish"), {"version": 1}).status_code == 302
    client.logout()


def test_the_welsh_outcome_page_shows_what_leads_wrote_in_welsh_and_marks_the_rest_english(
    client: Client, world: World, django_capture_on_commit_callbacks: object
) -> None:
    _publish(client, world, _welsh_draft(world), django_capture_on_commit_callbacks)

    html = client.get(cy("consultation_outcome", world.consultation.slug)).content.decode()
    assert f'<div class="govuk-body consult-prose"><p>{escape(WELSH["summary_cy"])}</p></div>' in html
    assert "Byddwn yn cynnal cynllun peilot am chwe mis." in html
    # No Welsh method note: the English, marked as English.
    assert '<div class="govuk-body consult-prose" lang="en"><p>We used the analysis described here.</p></div>' in html
    # The theme with a Welsh version, and one without.
    assert '<th scope="row" class="govuk-table__header">Atebion cyflymach</th>' in html
    assert '<p class="govuk-body">Pobl sydd eisiau aros llai.</p>' in html
    assert "Bydd y peilot yn mesur amseroedd aros." in html
    assert "The pilot will measure waiting times." not in html
    assert '<th scope="row" class="govuk-table__header" lang="en">Wrong answers</th>' in html
    assert (
        '<div class="consult-prose" lang="en"><p>Advisers will check every answer during the pilot.</p></div>' in html
    )
    # The "Other" theme the review adds is named in Welsh, like the interface.
    assert '<th scope="row" class="govuk-table__header">Arall</th>' in html
    assert ">Other<" not in html
    # The question in its Welsh version, which the consultation already had.
    assert f'<h3 class="govuk-heading-m">{escape(world.why.text_cy)}</h3>' in html

    with translation.override("en-gb"):
        english_url = reverse("consultation_outcome", args=[world.consultation.slug])
    english = client.get(english_url).content.decode()
    assert "Most of you want quicker answers" in english and "Atebion cyflymach" not in english
    assert "The pilot will measure waiting times." in english
    assert 'lang="en"' not in english


def test_the_welsh_method_note_starts_from_the_analysis_in_welsh(client: Client, world: World) -> None:
    client.force_login(world.lead)
    page = client.get(outcome_url(world)).content.decode()
    english_note = page.split('name="method_note"')[1].split("</textarea>")[0]
    welsh_note = page.split('name="method_note_cy"')[1].split("</textarea>")[0]
    assert "Officials read the candidate themes" in english_note
    assert "Darllenodd swyddogion y themâu posibl" in welsh_note
    assert "Officials read" not in welsh_note


def test_the_welsh_versions_are_saved_with_the_draft_audited_and_shown_back(client: Client, world: World) -> None:
    client.force_login(world.lead)
    assert client.post(outcome_url(world), _welsh_draft(world)).status_code == 302
    outcome = Outcome.objects.get(consultation=world.consultation)
    assert (outcome.summary_cy, outcome.decision_cy, outcome.method_note_cy) == (*WELSH.values(), "")
    world.quicker.refresh_from_db()
    assert world.quicker.label == "Quicker answers"  # the English label belongs to the review
    assert (world.quicker.label_cy, world.quicker.government_response_cy) == (
        "Atebion cyflymach",
        "Bydd y peilot yn mesur amseroedd aros.",
    )
    event = AuditEvent.objects.filter(action="outcome.save").latest("pk")
    assert event.after["summary_cy"] == WELSH["summary_cy"]
    assert event.after["themes"][str(world.quicker.pk)]["label_cy"] == "Atebion cyflymach"

    page = client.get(outcome_url(world)).content.decode()
    assert "Welsh version (optional)" in page
    assert "Mae&#x27;r rhan fwyaf ohonoch eisiau atebion cyflymach." in page
    assert 'value="Atebion cyflymach"' in page

    # Clearing a Welsh version is a change like any other.
    client.post(outcome_url(world), _welsh_draft(world, version=1, **{f"theme_{world.quicker.pk}_label_cy": ""}))
    assert ReviewTheme.objects.get(pk=world.quicker.pk).label_cy == ""


def test_a_welsh_label_that_is_too_long_is_refused_and_nothing_is_saved(client: Client, world: World) -> None:
    client.force_login(world.lead)
    refused = client.post(outcome_url(world), _welsh_draft(world, **{f"theme_{world.quicker.pk}_label_cy": "a" * 201}))
    html = refused.content.decode()
    assert refused.status_code == 200
    assert "govuk-error-summary" in html
    assert "must be 200 characters or fewer" in html
    assert not Outcome.objects.filter(consultation=world.consultation).exists()


def test_a_welsh_respondents_receipt_and_email_name_the_themes_in_welsh(
    client: Client, world: World, django_capture_on_commit_callbacks: object
) -> None:
    welsh_respondent = world.responses[0]
    Response.objects.filter(pk=welsh_respondent.pk).update(language="cy")
    _publish(client, world, _welsh_draft(world), django_capture_on_commit_callbacks)

    (email,) = [message for message in mail.outbox if message.to == [welsh_respondent.email]]
    assert "Atebion cyflymach" in email.body
    assert "Quicker answers" not in email.body
    (english_email,) = [message for message in mail.outbox if message.to == [world.responses[1].email]]
    assert "Quicker answers" in english_email.body

    with translation.override("cy"):
        receipt = reverse("response_detail", args=[response_token(welsh_respondent)])
    html = client.get(receipt).content.decode()
    assert "Atebion cyflymach" in html
    assert escape(world.why.text_cy) in html


def test_the_api_serves_the_outcomes_welsh_versions(
    client: Client, world: World, django_capture_on_commit_callbacks: object
) -> None:
    _publish(client, world, _welsh_draft(world), django_capture_on_commit_callbacks)
    body = client.get(f"/api/consultations/{world.consultation.slug}/outcome").json()
    assert body["welsh"] == {**{name[:-3]: text for name, text in WELSH.items()}, "method_note": None}
    why = next(question for question in body["questions"] if question["id"] == world.why.pk)
    assert why["welsh"] == {"text": world.why.text_cy}
    themes = {theme["label"]: theme for theme in why["themes"]}
    assert themes["Quicker answers"]["welsh"] == {
        "label": "Atebion cyflymach",
        "description": "Pobl sydd eisiau aros llai.",
        "government_response": "Bydd y peilot yn mesur amseroedd aros.",
    }
    assert themes["Wrong answers"]["welsh"] is None


def test_the_bulk_download_carries_the_welsh_versions_too(
    client: Client, world: World, django_capture_on_commit_callbacks: object
) -> None:
    _publish(client, world, _welsh_draft(world), django_capture_on_commit_callbacks)
    with translation.override("en-gb"):
        url = reverse("outcome_download_json", args=[world.consultation.slug])
    body = json.loads(b"".join(client.get(url).streaming_content))
    assert body["consultation"]["welsh"] == {
        "title": world.consultation.title_cy,
        "summary": world.consultation.summary_cy,
        "url": f"http://testserver/cy/consultations/{world.consultation.slug}/",
    }
    assert body["welsh"]["summary"] == WELSH["summary_cy"]
    why = next(question for question in body["questions"] if question["id"] == world.why.pk)
    assert why["welsh"]["text"] == world.why.text_cy
    themes = next(entry for entry in body["themes"] if entry["question_id"] == world.why.pk)["themes"]
    labels = {theme["label"]: theme["welsh"] for theme in themes}
    assert labels["Quicker answers"]["label"] == "Atebion cyflymach"
    assert labels["Wrong answers"] is None


NOTE_CY = "Mae'r cynllun peilot bellach yn para deuddeg mis."


def test_an_update_note_can_have_a_welsh_version(
    client: Client, world: World, django_capture_on_commit_callbacks: object
) -> None:
    _publish(client, world, _welsh_draft(world), django_capture_on_commit_callbacks)
    client.force_login(world.lead)
    client.post(outcome_url(world), _welsh_draft(world, version=1, decision="We will run a twelve-month pilot."))
    client.post(outcome_url(world, "workspace_outcome_approve"), {"version": 2})
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            outcome_url(world, "workspace_outcome_publish"),
            {
                "version": 2,
                "update_note": "The pilot is now twelve months long.",
                "update_note_cy": NOTE_CY,
            },
        )
    client.logout()
    html = client.get(cy("consultation_outcome", world.consultation.slug)).content.decode()
    assert f"<span>{escape(NOTE_CY)}</span>" in html
    body = client.get(f"/api/consultations/{world.consultation.slug}/outcome").json()
    assert body["updates"][0]["note"] == "The pilot is now twelve months long."
    assert body["updates"][0]["welsh"] == {"note": NOTE_CY}
    with translation.override("en-gb"):
        url = reverse("outcome_download_json", args=[world.consultation.slug])
    download = json.loads(b"".join(client.get(url).streaming_content))
    assert download["updates"] == body["updates"]

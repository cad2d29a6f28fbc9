"""The pages anyone can read."""

import pytest
from django.urls import reverse

from tests.factories import make_consultation

pytestmark = pytest.mark.django_db


def test_list_shows_published_consultations_and_hides_drafts(client):
    open_one = make_consultation(phase="open", title="Chatbot for tax questions")
    upcoming = make_consultation(phase="upcoming", title="Forecasting hospital demand")
    closed = make_consultation(phase="closed", title="Triage of housing repairs")
    draft = make_consultation(phase="draft", title="Secret draft proposal")
    page = client.get(reverse("consultation_list")).content.decode()
    for shown in (open_one, upcoming, closed):
        assert shown.title in page
    assert draft.title not in page
    assert "Opening soon" in page and "Open" in page and "Closed" in page


@pytest.mark.parametrize(
    ("phase", "shown", "hidden"),
    [
        ("open", "Chatbot for tax questions", "Triage of housing repairs"),
        ("closed", "Triage of housing repairs", "Chatbot for tax questions"),
        ("upcoming", "Forecasting hospital demand", "Chatbot for tax questions"),
    ],
)
def test_list_filters_by_phase(client, phase, shown, hidden):
    make_consultation(phase="open", title="Chatbot for tax questions")
    make_consultation(phase="upcoming", title="Forecasting hospital demand")
    make_consultation(phase="closed", title="Triage of housing repairs")
    page = client.get(reverse("consultation_list"), {"phase": phase}).content.decode()
    assert shown in page
    assert hidden not in page


def test_search_matches_every_word_across_title_summary_and_tool(client):
    make_consultation(title="Chatbot for tax questions", summary="Answers about self assessment.")
    make_consultation(title="Triage of housing repairs", summary="Sorting repair requests by urgency.")
    page = client.get(reverse("consultation_list"), {"q": "repair urgency"}).content.decode()
    assert "Triage of housing repairs" in page
    assert "Chatbot for tax questions" not in page
    empty = client.get(reverse("consultation_list"), {"q": "nothing-matches-this"}).content.decode()
    assert "There are no consultations that match your search" in empty


def test_list_is_paginated(client):
    for n in range(23):
        make_consultation(title=f"Consultation number {n:02d}", with_questions=False)
    first = client.get(reverse("consultation_list")).content.decode()
    second = client.get(reverse("consultation_list"), {"page": 2}).content.decode()
    assert "23 consultations" in first
    assert first.count("govuk-heading-s govuk-!-margin-bottom-1") == 20
    assert second.count("govuk-heading-s govuk-!-margin-bottom-1") == 3


def test_consultation_page_shows_the_ai_tool_record_as_html_and_the_questions(client):
    consultation = make_consultation()
    page = client.get(consultation.get_absolute_url()).content.decode()
    tool = consultation.ai_tool
    for heading, text in tool.sections():
        assert heading in page
        assert text in page
    assert tool.owner in page and tool.supplier in page
    for question in consultation.questions.all():
        assert question.text in page
    assert "Respond to this consultation" in page


def test_closed_and_upcoming_consultations_explain_why_you_cannot_respond(client):
    closed = client.get(make_consultation(phase="closed").get_absolute_url()).content.decode()
    assert "no longer taking responses" in closed
    assert "Respond to this consultation" not in closed
    upcoming = client.get(make_consultation(phase="upcoming").get_absolute_url()).content.decode()
    assert "This consultation opens at" in upcoming
    assert "Respond to this consultation" not in upcoming


def test_unknown_pages_get_the_service_404_page(client):
    page = client.get("/consultations/no-such-thing/")
    assert page.status_code == 404
    assert b"Page not found" in page.content
    assert b"govuk-template" in page.content


def test_pages_carry_a_content_security_policy_without_unsafe_inline(client):
    page = client.get(reverse("consultation_list"))
    policy = page["Content-Security-Policy"]
    assert "unsafe-inline" not in policy
    assert "script-src 'self' 'nonce-" in policy
    assert page["Referrer-Policy"] == "same-origin"


def test_govuk_frontend_assets_are_served_by_the_project(client):
    css = client.get("/static/govuk/govuk-frontend.min.css")
    assert css.status_code == 200
    font = client.get("/assets/fonts/bold-b542beb274-v2.woff2")
    assert font.status_code == 200


def test_search_finds_words_in_the_welsh_version_too(client):
    consultation = make_consultation(phase="open", title="Sorting repair requests")
    consultation.title_cy = "Trefnu ceisiadau atgyweirio tai"
    consultation.save(update_fields=["title_cy"])
    make_consultation(phase="open", title="Something else entirely")

    found = client.get("/cy/", {"q": "atgyweirio tai"})

    assert found.context["page"].paginator.count == 1
    assert found.context["page"].object_list[0] == consultation

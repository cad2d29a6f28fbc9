"""The published outcome shows the closed questions' results (agreement scales and choices): how
many people answered each, and how many chose each answer with its share, counted as the
workspace dashboard counts them and frozen at publication; in English and in Welsh. And where
nobody agreed to publication, the page says so rather than offering an empty file."""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import unescape

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from consult.models import Answer, Consultation, Option, Outcome, Response
from tests.factories import add_welsh_versions, make_consultation, make_official, make_response
from tests.factories import publish_outcome_with_themes as publish
from tests.welsh_support import cy, en

pytestmark = pytest.mark.django_db


@dataclass
class World:
    consultation: Consultation
    responses: list[Response]


def build(*, consent: bool = True) -> World:
    consultation = make_consultation(phase="closed")
    q = {question.position: question for question in consultation.questions.all()}
    responses = [
        make_response(consultation, {q[1]: 5, q[3]: ["Online"], q[4]: ["Privacy", "Wrong answers"]}),
        make_response(consultation, {q[1]: 4, q[3]: ["Online"], q[4]: ["Privacy"]}),
        make_response(consultation, {q[1]: 4, q[3]: ["By phone"]}),
        make_response(consultation, {q[1]: 1, q[2]: "Too risky."}),
    ]
    # None of these count: a withdrawn response, a draft, and an answer a moderator hid.
    make_response(consultation, {q[1]: 1, q[3]: ["In person"]}, status=Response.Status.WITHDRAWN)
    make_response(consultation, {q[1]: 1, q[3]: ["In person"]}, status=Response.Status.DRAFT)
    hidden = make_response(consultation, {q[1]: 2, q[3]: ["In person"], q[2]: "Spam"})
    Answer.objects.filter(response=hidden).update(visibility=Answer.Visibility.HIDDEN)
    Response.objects.filter(consultation=consultation).update(is_publication_consented=consent)
    return World(consultation, responses)


def _dashboard_results(client: Client, consultation: Consultation) -> dict[str, list[tuple[str, int]]]:
    """The closed questions' results as the workspace dashboard shows them to a lead."""
    cache.clear()  # the dashboard keeps its counts for a minute: a minute passes
    client.force_login(make_official(consultation.department, role="lead"))
    page = client.get(reverse("workspace_analysis", args=[consultation.slug]))
    client.logout()
    return {
        result.question.text: (result.answered, [(bar.label, bar.count) for bar in result.bars])
        for result in page.context["closed_results"]
    }


def _page(client: Client, url: str) -> str:
    return unescape(client.get(url).content.decode())


def _section(html: str, heading: str) -> str:
    start = html.index(heading)
    return html[start : html.index("</section>", start)]


def _rows(section: str) -> list[tuple[str, str, str]]:
    """Each row of a results table: the answer, the number of people and the share, as text."""
    rows = re.findall(
        r'<th scope="row" class="govuk-table__header"[^>]*>(.*?)</th>\s*<td[^>]*>(.*?)</td>\s*<td[^>]*>(.*?)<svg',
        section,
        flags=re.S,
    )
    return [(label.strip(), count.strip(), share.strip()) for label, count, share in rows]


def test_the_outcome_page_shows_each_closed_questions_counts_and_shares(client: Client):
    world = build()
    publish(world.consultation, {})
    html = _page(client, reverse("consultation_outcome", args=[world.consultation.slug]))

    agree = _section(html, "Do you agree that the assistant should answer benefit enquiries?")
    assert "4 people answered this question." in agree
    assert _rows(agree) == [
        ("Strongly agree", "1", "25%"),
        ("Agree", "2", "50%"),
        ("Neither agree nor disagree", "0", "0%"),
        ("Disagree", "0", "0%"),
        ("Strongly disagree", "1", "25%"),
    ]
    channel = _section(html, "How do you usually contact us?")
    assert "3 people answered this question." in channel
    assert _rows(channel) == [("By phone", "1", "33%"), ("Online", "2", "67%"), ("In person", "0", "0%")]
    worries = _section(html, "What worries you about the assistant?")
    assert "2 people answered this question." in worries
    assert "the shares add up to more than 100%" in worries
    assert _rows(worries) == [
        ("Wrong answers", "1", "50%"),
        ("Privacy", "2", "100%"),
        ("No way to reach a person", "0", "0%"),
    ]
    # In the order the questions were asked, among the free-text ones.
    positions = [html.index(text) for text in ("Do you agree that", "Why do you say that?", "How do you usually")]
    assert positions == sorted(positions)
    # The bars only draw what the table says, and are hidden from screen readers.
    assert all('aria-hidden="true"' in svg for svg in re.findall(r"<svg[^>]*>", agree))


def test_the_published_results_are_the_dashboards_frozen_at_publication(client: Client):
    world = build()
    publish(world.consultation, {})
    dashboard = _dashboard_results(client, world.consultation)
    body = client.get(f"/api/consultations/{world.consultation.slug}/outcome").json()
    published = {
        question["text"]: (question["answered"], [(choice["label"], choice["count"]) for choice in question["choices"]])
        for question in body["closed_questions"]
    }
    assert published == dashboard
    # A response sent after publication changes the dashboard, not the published record.
    q = {question.position: question for question in world.consultation.questions.all()}
    make_response(world.consultation, {q[1]: 3, q[3]: ["In person"]})
    assert _dashboard_results(client, world.consultation) != dashboard
    again = client.get(f"/api/consultations/{world.consultation.slug}/outcome").json()
    assert again["closed_questions"] == body["closed_questions"]
    html = _page(client, reverse("consultation_outcome", args=[world.consultation.slug]))
    assert _rows(_section(html, "How do you usually contact us?"))[2] == ("In person", "0", "0%")


def test_an_outcome_published_before_closed_results_were_frozen_shows_none(client: Client):
    world = build()
    outcome = publish(world.consultation, {})
    snapshot = outcome.published_snapshot
    del snapshot["closed_questions"]
    Outcome.objects.filter(pk=outcome.pk).update(published_snapshot=snapshot)
    html = _page(client, reverse("consultation_outcome", args=[world.consultation.slug]))
    assert "people answered this question" not in html
    assert "Why do you say that?" in html
    assert client.get(f"/api/consultations/{world.consultation.slug}/outcome").json()["closed_questions"] is None


def test_the_welsh_outcome_page_shows_the_results_in_welsh(client: Client):
    world = build()
    add_welsh_versions(world.consultation)
    Option.objects.filter(question__consultation=world.consultation, label="Privacy").update(label_cy="")
    publish(world.consultation, {})
    html = _page(client, cy("consultation_outcome", world.consultation.slug))
    agree = _section(html, "Ydych chi'n cytuno")
    assert "Atebodd 4 o bobl y cwestiwn hwn." in agree
    assert [label for label, _, _ in _rows(agree)][:2] == ["Cytuno'n gryf", "Cytuno"]
    channel = _section(html, "Sut rydych chi")
    assert [label for label, _, _ in _rows(channel)] == ["Dros y ffôn", "Ar-lein", "Wyneb yn wyneb"]
    # An option officials left without a Welsh label shows in English, marked as English.
    assert '<th scope="row" class="govuk-table__header" lang="en">Privacy</th>' in html
    english = _page(client, en("consultation_outcome", world.consultation.slug))
    assert "Strongly agree" in english and "Cytuno'n gryf" not in english


def test_the_page_offers_the_published_answers_only_when_someone_agreed(client: Client):
    world = build(consent=False)
    publish(world.consultation, {})
    slug = world.consultation.slug
    csv_url = reverse("outcome_responses_csv", args=[slug])
    html = _page(client, reverse("consultation_outcome", args=[slug]))
    assert f'href="{csv_url}"' not in html
    assert "Nobody who responded agreed that we could publish their answers" in html
    # The other downloads are still offered.
    assert f'href="{reverse("outcome_themes_csv", args=[slug])}"' in html

    Response.objects.filter(pk=world.responses[0].pk).update(is_publication_consented=True)
    html = _page(client, reverse("consultation_outcome", args=[slug]))
    assert f'href="{csv_url}"' in html
    assert "Nobody who responded agreed" not in html

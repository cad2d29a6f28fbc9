"""Atom feeds of new consultations and of published outcomes, and the iCalendar feed of closing
dates, each linked from the pages it describes."""

from __future__ import annotations

import re
from xml.etree import ElementTree

import icalendar
import pytest
from django.test import Client
from django.urls import reverse

from consult.models import Consultation
from tests.factories import make_consultation, make_response, publish_outcome_with_themes

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


def _atom_entries(client: Client, url_name: str) -> list[ElementTree.Element]:
    page = client.get(reverse(url_name))
    assert page.status_code == 200
    assert page["Content-Type"].startswith("application/atom+xml")
    feed = ElementTree.fromstring(page.content)  # noqa: S314 (our own feed, made by the test)
    assert feed.tag == f"{ATOM}feed"
    return feed.findall(f"{ATOM}entry")


def _published_outcome() -> Consultation:
    consultation = make_consultation(phase="closed", title="Triage of casework")
    q = {question.position: question for question in consultation.questions.all()}
    response = make_response(consultation, {q[1]: 4, q[2]: "It would be quicker."})
    publish_outcome_with_themes(consultation, {q[2]: {"Quicker answers": [response.answers.get(question=q[2])]}})
    return consultation


def test_new_consultations_feed_lists_published_consultations_only(client: Client):
    make_consultation(phase="draft", title="A secret draft")
    open_ = make_consultation(phase="open", title="Chatbot for tax questions")
    upcoming = make_consultation(phase="upcoming", title="Forecasting demand")
    entries = _atom_entries(client, "consultations_feed")
    assert [entry.findtext(f"{ATOM}title") for entry in entries] == [upcoming.title, open_.title]
    first = entries[0]
    assert first.find(f"{ATOM}link").get("href") == f"http://testserver{upcoming.get_absolute_url()}"
    assert first.findtext(f"{ATOM}id") == f"tag:127.0.0.1,2026:consultation/{upcoming.pk}"
    assert first.findtext(f"{ATOM}published").startswith(upcoming.opens_at.strftime("%Y-%m-%d"))
    assert upcoming.department.name in first.findtext(f"{ATOM}summary")


def test_entry_ids_survive_a_change_of_title_and_slug(client: Client):
    consultation = make_consultation(phase="open")
    before = _atom_entries(client, "consultations_feed")[0].findtext(f"{ATOM}id")
    Consultation.objects.filter(pk=consultation.pk).update(title="Renamed", slug="renamed")
    after = _atom_entries(client, "consultations_feed")[0]
    assert after.findtext(f"{ATOM}title") == "Renamed"
    assert after.findtext(f"{ATOM}id") == before


def test_outcomes_feed_lists_published_outcomes_only(client: Client):
    make_consultation(phase="closed", title="Closed without an outcome")
    consultation = _published_outcome()
    entries = _atom_entries(client, "outcomes_feed")
    assert [entry.findtext(f"{ATOM}title") for entry in entries] == ["Outcome: Triage of casework"]
    entry = entries[0]
    assert entry.find(f"{ATOM}link").get("href").endswith(reverse("consultation_outcome", args=[consultation.slug]))
    assert entry.findtext(f"{ATOM}summary") == "Most people want quicker answers."
    assert entry.findtext(f"{ATOM}id") == f"tag:127.0.0.1,2026:outcome/{consultation.outcome.pk}"


def test_calendar_has_one_event_per_published_consultation_at_its_closing_time(client: Client):
    make_consultation(phase="draft", title="A secret draft")
    open_ = make_consultation(phase="open", title="Chatbot for tax questions")
    closed = make_consultation(phase="closed", title="Triage of casework")
    page = client.get(reverse("closing_dates_calendar"))
    assert page["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = icalendar.Calendar.from_ical(page.content)
    assert str(calendar["VERSION"]) == "2.0"
    events = {str(event["UID"]): event for event in calendar.walk("VEVENT")}
    assert set(events) == {f"consultation-{c.pk}-closes@127.0.0.1" for c in (open_, closed)}
    event = events[f"consultation-{open_.pk}-closes@127.0.0.1"]
    assert event.decoded("DTSTART") == open_.closes_at.replace(microsecond=0)
    assert event.decoded("DTSTAMP") == open_.updated_at.replace(microsecond=0)
    assert str(event["URL"]) == f"http://testserver{open_.get_absolute_url()}"
    assert str(event["SUMMARY"]) == "Consultation closes: Chatbot for tax questions"
    # The same consultation keeps its UID in a later copy of the feed, so calendars update it.
    again = icalendar.Calendar.from_ical(client.get(reverse("closing_dates_calendar")).content)
    assert {str(e["UID"]) for e in again.walk("VEVENT")} == set(events)


def _alternates(html: str) -> dict[str, str]:
    links = re.findall(r'<link rel="alternate" type="([^"]+)" title="[^"]*" href="([^"]+)">', html)
    return {href: kind for kind, href in links}


def test_consultation_list_links_every_feed_in_its_head_and_on_the_page(client: Client):
    html = client.get(reverse("consultation_list")).content.decode()
    head = html.split("</head>")[0]
    assert _alternates(head) == {
        reverse("consultations_feed"): "application/atom+xml",
        reverse("outcomes_feed"): "application/atom+xml",
        reverse("closing_dates_calendar"): "text/calendar",
    }
    body = html.split("</head>")[1]
    for url_name in ("consultations_feed", "outcomes_feed", "closing_dates_calendar"):
        assert f'href="{reverse(url_name)}"' in body
    assert 'href="/api/docs"' in body


def test_outcome_page_links_the_outcomes_feed(client: Client):
    consultation = _published_outcome()
    html = client.get(reverse("consultation_outcome", args=[consultation.slug])).content.decode()
    head, body = html.split("</head>")
    assert _alternates(head) == {reverse("outcomes_feed"): "application/atom+xml"}
    assert f'href="{reverse("outcomes_feed")}"' in body

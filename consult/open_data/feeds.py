"""Feeds for people and programs that follow consultations without visiting: Atom feeds of new
consultations and of published outcomes, and an iCalendar feed of closing dates.

Each entry's id is built from the row's primary key, not its slug or address, so that a feed
reader or calendar recognises an entry after an official corrects a title or slug.
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit

import icalendar
from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _gettext
from django.utils.translation import gettext_lazy as _

from consult.dates import govuk_datetime
from consult.models import Consultation, Outcome
from consult.open_data.queries import (
    FEED_ITEMS,
    closing_dates,
    last_changed_at,
    published_consultations,
    published_outcomes,
)

CALENDAR_CONTENT_TYPE = "text/calendar; charset=utf-8"


def _site_host() -> str:
    """The site's own host name, from SITE_URL rather than the request, so ids never change with
    the address a feed happened to be fetched from."""
    return urlsplit(settings.SITE_URL).hostname or "localhost"


def _tag(kind: str, pk: int) -> str:
    """A tag URI (RFC 4151): a permanent, globally unique id that is not an address."""
    return f"tag:{_site_host()},2026:{kind}/{pk}"


class ConsultationsFeed(Feed):
    feed_type = Atom1Feed
    title = _("New consultations on proposed uses of AI")
    subtitle = _("Consultations as they are announced, with when each opens and closes.")

    def link(self) -> str:
        return reverse("consultation_list")

    def author_name(self) -> str:
        return settings.SITE_NAME

    def items(self) -> list[Consultation]:
        return list(published_consultations()[:FEED_ITEMS])

    def item_title(self, item: Consultation) -> str:
        return item.title

    def item_description(self, item: Consultation) -> str:
        return _gettext("%(department)s. Opens %(opens)s, closes %(closes)s. %(summary)s") % {
            "department": item.department.name,
            "opens": govuk_datetime(item.opens_at),
            "closes": govuk_datetime(item.closes_at),
            "summary": item.summary,
        }

    def item_guid(self, item: Consultation) -> str:
        return _tag("consultation", item.pk)

    item_guid_is_permalink = False

    def item_pubdate(self, item: Consultation) -> datetime:
        return item.opens_at

    def item_updateddate(self, item: Consultation) -> datetime:
        return item.updated_at

    def item_categories(self, item: Consultation) -> list[str]:
        return [item.department.name]


class OutcomesFeed(Feed):
    feed_type = Atom1Feed
    title = _("Published outcomes of consultations on AI")
    subtitle = _("What each consultation heard and what the government will do.")

    def link(self) -> str:
        return reverse("consultation_list")

    def author_name(self) -> str:
        return settings.SITE_NAME

    def items(self) -> list[Outcome]:
        return list(published_outcomes()[:FEED_ITEMS])

    def item_title(self, item: Outcome) -> str:
        return _gettext("Outcome: %(title)s") % {"title": item.consultation.title}

    def item_description(self, item: Outcome) -> str:
        return item.published_snapshot.get("summary", "")

    def item_link(self, item: Outcome) -> str:
        return reverse("consultation_outcome", args=[item.consultation.slug])

    def item_guid(self, item: Outcome) -> str:
        return _tag("outcome", item.pk)

    item_guid_is_permalink = False

    def item_pubdate(self, item: Outcome) -> datetime | None:
        return item.published_at

    def item_updateddate(self, item: Outcome) -> datetime:
        return last_changed_at(item)

    def item_categories(self, item: Outcome) -> list[str]:
        return [item.consultation.department.name]


consultations_feed = ConsultationsFeed()
outcomes_feed = OutcomesFeed()


def closing_dates_calendar(request: HttpRequest) -> HttpResponse:
    """One event per published consultation, at the moment it closes, for calendar programs."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//consult//Consultation closing dates//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", _gettext("Consultations closing"))
    for consultation in closing_dates():
        url = request.build_absolute_uri(consultation.get_absolute_url())
        event = icalendar.Event()
        event.add("uid", f"consultation-{consultation.pk}-closes@{_site_host()}")
        # The time the entry last changed, so a calendar can tell an edited entry from a new one.
        event.add("dtstamp", consultation.updated_at)
        event.add("last-modified", consultation.updated_at)
        event.add("dtstart", consultation.closes_at)
        event.add("dtend", consultation.closes_at)
        event.add("summary", _gettext("Consultation closes: %(title)s") % {"title": consultation.title})
        event.add("description", f"{consultation.department.name}. {consultation.summary}\n\n{url}")
        event.add("url", url)
        calendar.add_component(event)
    response = HttpResponse(calendar.to_ical(), content_type=CALENDAR_CONTENT_TYPE)
    response["Content-Disposition"] = 'inline; filename="consultations-closing.ics"'
    return response

"""Emails to people who follow a consultation, directly or through its department: when it opens,
seven days before it closes, and when its outcome is published.

Celery beat runs `send_due_notifications` every few minutes and `send_daily_digests` once a day.
Each (person, kind, consultation) gets one `Notification` row, created when the event is found;
the unique constraint makes finding it twice harmless. A row is claimed (`attempted_at`, committed)
before its email is handed to the backend, and a daily digest claims its (person, date) row the
same way, so a retried or duplicated task never sends an email twice: see
docs/decisions/0008-notifications.md for the crash between sending and committing.

Only events after the person followed count, and only events of the last `LOOKBACK`: following a
department never brings a flood of old news, and a consultation that opened months ago is not
"opening".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TypedDict

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from consult.models import (
    Consultation,
    Follow,
    Notification,
    NotificationDigest,
    NotificationKind,
    NotificationPreference,
    User,
)
from consult.services.following import unsubscribe_token

CLOSING_NOTICE = timedelta(days=7)
# Long enough for beat to catch up after a day's outage, short enough that nothing stale is news.
LOOKBACK = timedelta(days=2)

Frequency = NotificationPreference.Frequency


@dataclass(frozen=True)
class Event:
    consultation: Consultation
    kind: str
    at: datetime


# --- Finding events ---------------------------------------------------------------------------


def due_events(now: datetime) -> list[Event]:
    """Events of published consultations that happened in the last `LOOKBACK`."""
    since = now - LOOKBACK
    published = Consultation.objects.published().select_related("department")
    events = [
        Event(consultation, NotificationKind.OPENING, consultation.opens_at)
        for consultation in published.filter(opens_at__gt=since, opens_at__lte=now)
    ]
    # Seven days before closing, if it was open by then: a consultation open for less than a week
    # gets no reminder, its opening email already says when it closes.
    events += [
        Event(consultation, NotificationKind.CLOSING, consultation.closes_at - CLOSING_NOTICE)
        for consultation in published.filter(
            closes_at__gt=since + CLOSING_NOTICE,
            closes_at__lte=now + CLOSING_NOTICE,
            opens_at__lte=F("closes_at") - CLOSING_NOTICE,
        )
    ]
    events += [
        Event(consultation, NotificationKind.OUTCOME, consultation.outcome_published_at)
        for consultation in published.filter(outcome_published_at__gt=since, outcome_published_at__lte=now)
    ]
    return events


def _followers_before(event: Event) -> list[int]:
    """The people who followed the consultation, or its department, before the event."""
    consultation = event.consultation
    return list(
        Follow.objects.filter(
            Q(consultation=consultation) | Q(department_id=consultation.department_id),
            created_at__lt=event.at,
            user__is_active=True,
        )
        .values_list("user_id", flat=True)
        .distinct()
    )


def _preferences(user_ids: list[int]) -> dict[int, NotificationPreference]:
    saved = {p.user_id: p for p in NotificationPreference.objects.filter(user_id__in=user_ids)}
    return {user_id: saved.get(user_id) or NotificationPreference(user_id=user_id) for user_id in user_ids}


def record_notifications(now: datetime) -> int:
    """Write a `Notification` for every follower who wants each due event; those already written
    are skipped by the unique constraint. Returns how many rows the events call for."""
    rows = []
    for event in due_events(now):
        followers = _followers_before(event)
        for user_id, preference in _preferences(followers).items():
            if preference.wants(event.kind):
                rows.append(
                    Notification(user_id=user_id, consultation=event.consultation, kind=event.kind, event_at=event.at)
                )
    Notification.objects.bulk_create(rows, ignore_conflicts=True, batch_size=2000)
    return len(rows)


# --- Sending ----------------------------------------------------------------------------------


def _pending() -> QuerySet[Notification]:
    """Notifications not yet claimed, with whether the person still follows the consultation."""
    still_followed = Follow.objects.filter(user=OuterRef("user")).filter(
        Q(consultation=OuterRef("consultation")) | Q(department=OuterRef("consultation__department"))
    )
    return (
        Notification.objects.filter(attempted_at__isnull=True)
        .select_related("consultation", "consultation__department", "user")
        .annotate(is_followed=Exists(still_followed))
    )


def _is_still_wanted(notification: Notification, preference: NotificationPreference) -> bool:
    """Whether the person still wants it: they may have unfollowed or changed their preference
    since it was found, and the consultation may have been withdrawn from publication."""
    return (
        notification.is_followed  # type: ignore[attr-defined]
        and preference.wants(notification.kind)
        and notification.consultation.is_published
        and notification.user.is_active
    )


def send_due_notifications(now: datetime | None = None) -> int:
    """Find due events and send each one to everyone who wants it straight away. Returns how many
    emails were sent."""
    now = now or timezone.now()
    record_notifications(now)
    waiting = list(
        _pending()
        .exclude(user__notification_preference__frequency__in=[Frequency.DAILY, Frequency.NEVER])
        .values_list("pk", flat=True)
    )
    sent = 0
    for notification_id in waiting:
        with transaction.atomic():
            notification = (
                _pending().select_for_update(skip_locked=True, of=("self",)).filter(pk=notification_id).first()
            )
            if notification is None:
                continue  # claimed meanwhile by another worker
            preference = NotificationPreference.for_user(notification.user)
            if preference.frequency != Frequency.IMMEDIATELY:
                continue  # the person switched to the digest meanwhile: it goes there
            if not _is_still_wanted(notification, preference):
                notification.delete()
                continue
            notification.attempted_at = timezone.now()
            notification.save(update_fields=["attempted_at"])
        # The claim is committed: whatever happens from here, no other run sends this email.
        try:
            _send_one(notification)
        except Exception:
            # The backend refused it, so nothing went: release the claim for the task's retry.
            Notification.objects.filter(pk=notification.pk).update(attempted_at=None)
            raise
        Notification.objects.filter(pk=notification.pk).update(sent_at=timezone.now())
        sent += 1
    return sent


def send_daily_digests(now: datetime | None = None) -> int:
    """Send each person who chose the daily digest one email with everything found since their
    last one; a second run on the same day sends nothing more. Returns how many were sent."""
    now = now or timezone.now()
    record_notifications(now)
    today = timezone.localdate(now)
    user_ids = list(
        _pending()
        .filter(user__notification_preference__frequency=Frequency.DAILY)
        .values_list("user_id", flat=True)
        .distinct()
    )
    sent = 0
    for user_id in user_ids:
        digest = _claim_digest(user_id, today)
        if digest is None:
            continue
        try:
            _send_digest(digest)
        except Exception:
            with transaction.atomic():
                Notification.objects.filter(digest=digest).update(digest=None, attempted_at=None)
                digest.delete()
            raise
        moment = timezone.now()
        Notification.objects.filter(digest=digest).update(sent_at=moment)
        NotificationDigest.objects.filter(pk=digest.pk).update(sent_at=moment)
        sent += 1
    return sent


def _claim_digest(user_id: int, today: date) -> NotificationDigest | None:
    """Today's digest for the person with its notifications attached, committed; None if today's
    digest was already claimed (what is new waits for tomorrow's) or nothing is wanted."""
    with transaction.atomic():
        items = list(_pending().select_for_update(skip_locked=True, of=("self",)).filter(user_id=user_id))
        if not items:
            return None
        preference = NotificationPreference.for_user(items[0].user)
        if preference.frequency != Frequency.DAILY:
            return None
        wanted = [n for n in items if _is_still_wanted(n, preference)]
        Notification.objects.filter(pk__in=[n.pk for n in items if n not in wanted]).delete()
        if not wanted:
            return None
        digest, is_new = NotificationDigest.objects.get_or_create(user_id=user_id, date=today)
        if not is_new:
            return None
        Notification.objects.filter(pk__in=[n.pk for n in wanted]).update(digest=digest, attempted_at=timezone.now())
    return digest


# --- Emails -----------------------------------------------------------------------------------


def _links(user: User) -> dict[str, str]:
    return {
        "unsubscribe_url": settings.SITE_URL + reverse("notification_unsubscribe", args=[unsubscribe_token(user)]),
        "preferences_url": settings.SITE_URL + reverse("notification_preferences"),
        "following_url": settings.SITE_URL + reverse("following"),
    }


class EmailItem(TypedDict):
    kind: str
    consultation: Consultation
    title: str
    department: str
    consultation_url: str
    outcome_url: str


def _item(notification: Notification) -> EmailItem:
    consultation = notification.consultation
    return {
        "kind": notification.kind,
        "consultation": consultation,
        # In the language the email is written in (Welsh where the consultation has a version).
        "title": consultation.localised("title"),
        "department": consultation.department.localised("name"),
        "consultation_url": settings.SITE_URL + consultation.get_absolute_url(),
        "outcome_url": settings.SITE_URL + reverse("consultation_outcome", args=[consultation.slug]),
    }


def _deliver(user: User, template: str, context: Mapping[str, object]) -> None:
    """Send with the RFC 8058 headers, so that mail clients offer one-click unsubscribe."""
    links = _links(user)
    context = {**context, **links, "site_name": settings.SITE_NAME}
    subject = " ".join(render_to_string(f"emails/{template}_subject.txt", context).split())
    body = render_to_string(f"emails/{template}.txt", context)
    message = EmailMessage(
        subject,
        body,
        settings.DEFAULT_FROM_EMAIL,
        [user.email],
        headers={
            "List-Unsubscribe": f"<{links['unsubscribe_url']}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    message.send()


def _language_of(user: User) -> str:
    """The language of the person's emails and of the links in them (see `remember_language`)."""
    language = NotificationPreference.objects.filter(user=user).values_list("language", flat=True).first()
    return language or settings.LANGUAGE_CODE


# Emails go out from workers, where no request sets the language: each is written in the person's.
def _send_one(notification: Notification) -> None:
    with translation.override(_language_of(notification.user)):
        _deliver(notification.user, f"notify_{notification.kind}", _item(notification))


def _send_digest(digest: NotificationDigest) -> None:
    notifications = list(
        digest.notifications.select_related("consultation", "consultation__department").order_by("event_at")
    )
    with translation.override(_language_of(digest.user)):
        _deliver(digest.user, "notify_digest", {"items": [_item(n) for n in notifications], "date": digest.date})

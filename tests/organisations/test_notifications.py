"""Emails to followers, sent through the Celery beat task entry points: once each, only for events
after the person followed, as their preferences ask, with a one-click unsubscribe link."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from celery.exceptions import Retry
from django.conf import settings
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.module_loading import import_string

from consult import tasks
from consult.models import Consultation, Follow, Notification, NotificationPreference, User
from tests.factories import make_consultation, make_department, make_user

pytestmark = pytest.mark.django_db

HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


def _follow(user: User, *, consultation: Consultation | None = None, department: object = None, ago: timedelta) -> None:
    """A follow made `ago` before now (`created_at` is set by the database, so it is moved after)."""
    follow = Follow.objects.create(user=user, consultation=consultation, department=department)
    Follow.objects.filter(pk=follow.pk).update(created_at=timezone.now() - ago)


def _consultation(*, opens_at: datetime, closes_at: datetime, outcome_published_at: datetime | None = None, **kwargs):
    consultation = make_consultation(with_questions=False, **kwargs)
    Consultation.objects.filter(pk=consultation.pk).update(
        opens_at=opens_at, closes_at=closes_at, outcome_published_at=outcome_published_at
    )
    consultation.refresh_from_db()
    return consultation


def _just_opened(**kwargs) -> Consultation:
    now = timezone.now()
    return _consultation(opens_at=now - HOUR, closes_at=now + 30 * DAY, **kwargs)


def _closing_in_seven_days(**kwargs) -> Consultation:
    now = timezone.now()
    return _consultation(opens_at=now - 30 * DAY, closes_at=now + 7 * DAY - HOUR, **kwargs)


def _outcome_just_published(**kwargs) -> Consultation:
    now = timezone.now()
    return _consultation(opens_at=now - 120 * DAY, closes_at=now - 90 * DAY, outcome_published_at=now - HOUR, **kwargs)


def _prefer(user: User, *, frequency: str = "immediately", **kinds: bool) -> None:
    NotificationPreference.objects.create(user=user, frequency=frequency, **kinds)


# --- Each event, once ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "subject", "link_view"),
    [
        (_just_opened, "Now open: ", "consultation_detail"),
        (_closing_in_seven_days, "Closes in seven days: ", "consultation_detail"),
        (_outcome_just_published, "Government response published: ", "consultation_outcome"),
    ],
)
def test_each_event_is_emailed_once_to_a_follower_however_often_the_task_runs(make, subject, link_view):
    consultation = make(title="Chatbots for council tax")
    user = make_user("follower@example.com")
    _follow(user, consultation=consultation, ago=60 * DAY)

    assert tasks.send_due_notifications() == 1
    tasks.send_due_notifications()
    tasks.send_due_notifications.delay()

    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == ["follower@example.com"]
    assert email.subject == f"{subject}Chatbots for council tax"
    assert settings.SITE_URL + reverse(link_view, args=[consultation.slug]) in email.body
    assert Notification.objects.get().sent_at is not None


def test_following_the_department_is_enough_and_two_follows_still_make_one_email():
    department = make_department()
    consultation = _just_opened(department=department)
    by_department = make_user("department.follower@example.com")
    by_both = make_user("both@example.com")
    _follow(by_department, department=department, ago=10 * DAY)
    _follow(by_both, department=department, ago=10 * DAY)
    _follow(by_both, consultation=consultation, ago=10 * DAY)

    tasks.send_due_notifications()

    assert sorted(m.to[0] for m in mail.outbox) == ["both@example.com", "department.follower@example.com"]


def test_a_person_who_followed_after_the_event_gets_nothing_for_it():
    consultation = _just_opened()
    _follow(make_user(), consultation=consultation, ago=timedelta(minutes=5))  # it opened an hour ago
    department = make_department()
    published = _outcome_just_published(department=department)
    _follow(make_user(), department=published.department, ago=timedelta(minutes=5))

    assert tasks.send_due_notifications() == 0
    assert mail.outbox == []


def test_old_events_are_not_news_to_a_new_or_an_old_follower():
    now = timezone.now()
    opened_long_ago = _consultation(opens_at=now - 90 * DAY, closes_at=now + 30 * DAY)
    _follow(make_user(), consultation=opened_long_ago, ago=365 * DAY)
    _follow(make_user(), consultation=opened_long_ago, ago=timedelta(minutes=1))

    assert tasks.send_due_notifications() == 0
    assert mail.outbox == []


def test_drafts_and_consultations_open_for_under_a_week_send_no_reminder():
    now = timezone.now()
    draft = _just_opened()
    Consultation.objects.filter(pk=draft.pk).update(is_published=False)
    short = _consultation(opens_at=now - 2 * DAY, closes_at=now + 5 * DAY)
    user = make_user()
    _follow(user, consultation=draft, ago=10 * DAY)
    _follow(user, consultation=short, ago=10 * DAY)

    tasks.send_due_notifications()

    assert mail.outbox == []


def test_an_unfollowed_consultation_found_before_the_email_went_is_not_sent():
    consultation = _just_opened()
    user = make_user()
    _follow(user, consultation=consultation, ago=10 * DAY)
    _prefer(user, frequency="daily")
    tasks.send_due_notifications()  # found, waiting for the digest
    assert Notification.objects.filter(sent_at__isnull=True).count() == 1

    Follow.objects.filter(user=user).delete()
    assert tasks.send_daily_digests() == 0
    assert mail.outbox == []


# --- Preferences ---------------------------------------------------------------------------------


def test_a_person_gets_only_the_kinds_they_chose_and_nothing_when_they_chose_no_emails():
    opened = _just_opened()
    closing = _closing_in_seven_days()
    picky = make_user("picky@example.com")
    _prefer(picky, notify_opening=False, notify_closing=True, notify_outcome=True)
    silent = make_user("silent@example.com")
    _prefer(silent, frequency="never")
    for user in (picky, silent):
        for consultation in (opened, closing):
            _follow(user, consultation=consultation, ago=60 * DAY)

    tasks.send_due_notifications()

    assert [(m.to[0], m.subject.split(":")[0]) for m in mail.outbox] == [("picky@example.com", "Closes in seven days")]


def test_the_daily_digest_collects_everything_into_one_email_a_day():
    user = make_user("digest@example.com")
    _prefer(user, frequency="daily")
    opened = _just_opened(title="Triage of casework")
    published = _outcome_just_published(title="A chatbot for tax questions")
    for consultation in (opened, published):
        _follow(user, consultation=consultation, ago=200 * DAY)

    assert tasks.send_due_notifications() == 0  # digest people wait for the digest
    assert tasks.send_daily_digests() == 1

    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.subject == "2 updates on the consultations you follow"
    assert 'Now open: "Triage of casework"' in email.body
    assert 'Government response published: "A chatbot for tax questions"' in email.body
    assert email.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    # Something new the same day waits for tomorrow's digest; the task running again sends nothing.
    later = _closing_in_seven_days(title="Forecasting demand")
    _follow(user, consultation=later, ago=30 * DAY)
    assert tasks.send_daily_digests() == 0
    tasks.send_daily_digests.delay()
    assert len(mail.outbox) == 1
    assert Notification.objects.filter(consultation=later, sent_at__isnull=True, digest__isnull=True).exists()


# --- Never twice, never lost to a refused send ------------------------------------------------


class RefusingBackend(EmailBackend):
    """The email provider refuses every message."""

    def send_messages(self, messages: list[object]) -> int:
        raise OSError("Connection refused")


REFUSING = "tests.organisations.test_notifications.RefusingBackend"


def test_a_send_the_provider_refused_is_released_for_the_retry_which_sends_it_once():
    consultation = _just_opened()
    _follow(make_user("retry@example.com"), consultation=consultation, ago=10 * DAY)
    # In eager mode the task's automatic retry surfaces as Celery's Retry; a worker would wait.
    with override_settings(EMAIL_BACKEND=REFUSING), pytest.raises((OSError, Retry)):
        tasks.send_due_notifications.delay()
    assert mail.outbox == []
    assert Notification.objects.get().attempted_at is None

    tasks.send_due_notifications()
    tasks.send_due_notifications()
    assert [m.to for m in mail.outbox] == [["retry@example.com"]]


def test_a_refused_digest_is_released_for_the_retry():
    user = make_user("digest.retry@example.com")
    _prefer(user, frequency="daily")
    _follow(user, consultation=_just_opened(), ago=10 * DAY)
    with override_settings(EMAIL_BACKEND=REFUSING), pytest.raises((OSError, Retry)):
        tasks.send_daily_digests.delay()
    tasks.send_daily_digests()
    tasks.send_daily_digests()
    assert len(mail.outbox) == 1


def test_a_notification_claimed_by_a_worker_that_died_is_not_sent_again():
    consultation = _just_opened()
    user = make_user()
    _follow(user, consultation=consultation, ago=10 * DAY)
    # What a worker leaves when it dies between claiming and recording the send.
    Notification.objects.create(
        user=user,
        consultation=consultation,
        kind="opening",
        event_at=consultation.opens_at,
        attempted_at=timezone.now(),
    )

    assert tasks.send_due_notifications() == 0
    assert mail.outbox == []


# --- Unsubscribing ---------------------------------------------------------------------------------


def _unsubscribe_path(email: mail.EmailMessage) -> str:
    header = email.extra_headers["List-Unsubscribe"]
    assert header.startswith(f"<{settings.SITE_URL}/") and header.endswith(">")
    path = header[1:-1].removeprefix(settings.SITE_URL)
    assert settings.SITE_URL + path in email.body  # the same link is in the text, for people
    return path


def test_every_email_carries_the_one_click_unsubscribe_headers_and_link():
    _follow(make_user(), consultation=_just_opened(), ago=10 * DAY)
    tasks.send_due_notifications()

    email = mail.outbox[0]
    assert email.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert re.fullmatch(r"<https?://\S+/unsubscribe/\S+/>", email.extra_headers["List-Unsubscribe"])
    message = email.message()
    assert message["List-Unsubscribe"] == email.extra_headers["List-Unsubscribe"]
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_the_unsubscribe_link_asks_first_then_unsubscribes_without_signing_in():
    user = make_user()
    _follow(user, consultation=_just_opened(), ago=10 * DAY)
    tasks.send_due_notifications()
    path = _unsubscribe_path(mail.outbox[0])
    client = Client(enforce_csrf_checks=True)

    page = client.get(path)
    assert page.status_code == 200
    assert "Unsubscribe" in page.content.decode()
    assert NotificationPreference.for_user(user).frequency == "immediately"  # a GET changes nothing

    done = client.post(path)
    assert done.status_code == 200
    assert "You have unsubscribed" in done.content.decode()
    assert NotificationPreference.for_user(user).frequency == "never"
    assert Follow.objects.filter(user=user).exists()  # what they follow is kept

    _follow(user, consultation=_closing_in_seven_days(), ago=10 * DAY)
    tasks.send_due_notifications()
    assert len(mail.outbox) == 1


def test_a_mail_clients_one_click_post_unsubscribes():
    user = make_user()
    _follow(user, consultation=_just_opened(), ago=10 * DAY)
    tasks.send_due_notifications()
    path = _unsubscribe_path(mail.outbox[0])

    response = Client(enforce_csrf_checks=True).post(
        path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )

    assert response.status_code == 200
    assert NotificationPreference.for_user(user).frequency == "never"


def test_a_tampered_unsubscribe_link_is_refused():
    user = make_user()
    other = make_user()
    _follow(user, consultation=_just_opened(), ago=10 * DAY)
    tasks.send_due_notifications()
    path = _unsubscribe_path(mail.outbox[0])
    token = path.rstrip("/").rsplit("/", 1)[1]
    forged = token.replace(f"{user.pk}:", f"{other.pk}:", 1)
    assert forged != token

    for bad in (forged, token[:-2], "nonsense"):
        bad_path = reverse("notification_unsubscribe", args=[bad])
        assert Client().get(bad_path).status_code == 404
        assert Client().post(bad_path).status_code == 404
    assert not NotificationPreference.objects.exists()


# --- Celery beat -----------------------------------------------------------------------------------


def test_the_beat_schedule_names_the_notification_tasks_and_they_import_by_name():
    from config.celery import app

    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    for name in ("consult.tasks.send_due_notifications", "consult.tasks.send_daily_digests"):
        assert name in scheduled
        assert import_string(name).name == name
        assert name in app.tasks


# --- Language ---------------------------------------------------------------------------------


def test_a_person_who_followed_on_the_welsh_pages_gets_emails_in_welsh(client: Client):
    consultation = _consultation(opens_at=timezone.now() + HOUR, closes_at=timezone.now() + 30 * DAY)
    user = make_user("dilynwr@example.com")
    client.force_login(user)
    with translation.override("cy"):
        follow_url = reverse("follow_consultation", args=[consultation.slug])
    assert follow_url.startswith("/cy/")
    client.post(follow_url)
    Follow.objects.filter(user=user).update(created_at=timezone.now() - 2 * HOUR)  # followed before it opened
    Consultation.objects.filter(pk=consultation.pk).update(opens_at=timezone.now() - HOUR)

    assert tasks.send_due_notifications() == 1

    [email] = mail.outbox
    with translation.override("cy"):
        welsh_page = reverse("consultation_detail", args=[consultation.slug])
    assert welsh_page in email.body  # its links go to the Welsh pages
    assert not email.subject.startswith("Now open: ")  # and it is not the English text

"""The outcome is due 12 weeks after a consultation closes, counted on the UK's calendar: at the
same time of day as it closed, whether the clocks changed in between (spring or autumn) or not,
wherever it is shown (the consultation's page, the confirmation, the receipt, the workspace)."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from consult.dates import govuk_datetime
from consult.models import Consultation
from tests.factories import make_consultation, make_official
from tests.journey import answer_required, send, start
from tests.welsh_support import cy

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")


def _uk(*args: int) -> datetime:
    return datetime(*args, tzinfo=LONDON)


def _closing(closes_at: datetime) -> Consultation:
    consultation = make_consultation()
    Consultation.objects.filter(pk=consultation.pk).update(opens_at=closes_at - timedelta(weeks=8), closes_at=closes_at)
    consultation.refresh_from_db()
    return consultation


def _clock_at(monkeypatch: pytest.MonkeyPatch, moment: datetime) -> None:
    """The clock is the edge faked here: every page and service asks `timezone.now()`."""
    monkeypatch.setattr(timezone, "now", lambda: moment.astimezone(ZoneInfo("UTC")))


@pytest.mark.parametrize(
    ("closes_at", "due"),
    [
        # Closes in GMT, due in BST: 12 weeks of 24 hours would say 12:59am on Saturday 10 April.
        (_uk(2027, 1, 15, 23, 59), "11:59pm on Friday 9 April 2027"),
        # Closes in BST, due in GMT: 12 weeks of 24 hours would say 10:59pm on Thursday 9 December.
        (_uk(2027, 9, 16, 23, 59), "11:59pm on Thursday 9 December 2027"),
        # Closes and is due in BST: no clock change between.
        (_uk(2027, 5, 6, 17, 0), "5pm on Thursday 29 July 2027"),
        # Midday, the spring change between (2026's clocks go forward on 29 March).
        (_uk(2026, 2, 20, 12, 0), "midday on Friday 15 May 2026"),
    ],
)
def test_the_outcome_is_due_twelve_weeks_later_at_the_same_uk_time(closes_at: datetime, due: str) -> None:
    consultation = _closing(closes_at)
    assert govuk_datetime(consultation.outcome_due_at) == due
    local = consultation.outcome_due_at.astimezone(LONDON)
    assert (local.date() - closes_at.date()).days == 84
    assert (local.hour, local.minute) == (closes_at.hour, closes_at.minute)


def test_the_outcome_becomes_overdue_at_the_uk_time_it_was_due() -> None:
    consultation = _closing(_uk(2027, 1, 15, 23, 59))
    assert consultation.next_due_at(_uk(2027, 4, 9, 23, 58)) == ("Publish the outcome by", consultation.outcome_due_at)
    label, _ = consultation.next_due_at(_uk(2027, 4, 10, 0, 30))
    assert label == "The outcome is overdue: it was due"


def test_the_workspace_home_says_when_the_outcome_is_due(client, monkeypatch: pytest.MonkeyPatch) -> None:
    _clock_at(monkeypatch, _uk(2027, 2, 1, 9, 0))
    consultation = _closing(_uk(2027, 1, 15, 23, 59))
    client.force_login(make_official(consultation.department, role="analyst"))
    page = client.get(reverse("workspace_home")).content.decode()
    assert "Publish the outcome by 11:59pm on Friday 9 April 2027" in page
    assert "10 April" not in page


@pytest.mark.parametrize(
    ("now", "said"),
    [
        (_uk(2027, 2, 1, 9, 0), "the government aims to publish what it will do by Friday 9 April 2027."),
        (_uk(2027, 4, 10, 0, 30), "The government was due to publish what it will do by Friday 9 April 2027."),
    ],
)
def test_a_closed_consultations_page_says_by_when_the_outcome_is_due(
    client, monkeypatch: pytest.MonkeyPatch, now: datetime, said: str
) -> None:
    _clock_at(monkeypatch, now)
    consultation = _closing(_uk(2027, 1, 15, 23, 59))
    page = client.get(consultation.get_absolute_url()).content.decode()
    assert said in page


def test_the_confirmation_and_the_receipt_say_by_when_the_outcome_is_due(
    client, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks
) -> None:
    _clock_at(monkeypatch, _uk(2027, 1, 10, 12, 0))
    consultation = _closing(_uk(2027, 1, 15, 23, 59))
    token = start(client, consultation)
    answer_required(client, consultation, token, email="citizen@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        send(client, token)
    confirmation = client.get(reverse("confirmation", args=[token])).content.decode()
    assert "aims to publish what it heard and what it will do by Friday 9 April 2027." in confirmation
    [receipt] = mail.outbox
    assert "aims to publish what it heard and what it will do by Friday 9 April 2027." in receipt.body


def test_the_welsh_confirmation_gives_the_date_in_welsh(client, monkeypatch: pytest.MonkeyPatch) -> None:
    _clock_at(monkeypatch, _uk(2027, 1, 10, 12, 0))
    consultation = _closing(_uk(2027, 1, 15, 23, 59))
    token = start(client, consultation)
    answer_required(client, consultation, token)
    send(client, token)
    confirmation = client.get(cy("confirmation", token)).content.decode()
    assert "erbyn Dydd Gwener 9 Ebrill 2027." in confirmation

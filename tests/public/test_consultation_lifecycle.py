"""A consultation's phase follows from its times, with nobody pressing a button."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from consult.models import Consultation, Phase
from consult.services import intake
from tests.factories import make_consultation

pytestmark = pytest.mark.django_db


def test_phase_moves_from_upcoming_to_open_to_closed_as_time_passes():
    consultation = make_consultation(phase="upcoming")
    assert consultation.phase_at(consultation.opens_at - timedelta(seconds=1)) is Phase.UPCOMING
    assert consultation.phase_at(consultation.opens_at) is Phase.OPEN
    assert consultation.phase_at(consultation.closes_at - timedelta(seconds=1)) is Phase.OPEN
    assert consultation.phase_at(consultation.closes_at) is Phase.CLOSED


def test_publishing_the_outcome_is_the_last_phase():
    consultation = make_consultation(phase="outcome_published")
    assert consultation.phase is Phase.OUTCOME_PUBLISHED
    assert consultation.phase_at(consultation.outcome_published_at - timedelta(seconds=1)) is Phase.CLOSED


def test_an_unpublished_consultation_stays_a_draft_whatever_its_times():
    consultation = make_consultation(phase="draft")
    assert consultation.phase_at(consultation.opens_at + timedelta(days=1)) is Phase.DRAFT
    assert not Consultation.objects.published().filter(pk=consultation.pk).exists()


def test_querysets_agree_with_the_phase():
    upcoming = make_consultation(phase="upcoming")
    open_one = make_consultation(phase="open")
    closed = make_consultation(phase="closed")
    make_consultation(phase="draft")
    assert list(Consultation.objects.upcoming_at()) == [upcoming]
    assert list(Consultation.objects.taking_responses()) == [open_one]
    assert list(Consultation.objects.closed_at()) == [closed]
    later = timezone.now() + timedelta(days=3)
    assert set(Consultation.objects.taking_responses(later)) == {open_one, upcoming}


def test_taking_responses_is_one_rule_for_the_phase_the_lists_and_the_one_statement_intake():
    """The model's phase, the queryset and the SQL the one-statement intake runs say the same,
    at every moment of every kind of consultation: an outcome published while the times still
    say open included (the three once disagreed on it)."""
    consultations = [make_consultation(phase=phase) for phase in ("draft", "upcoming", "open", "closed")]
    early_outcome = make_consultation(phase="open")
    early_outcome.outcome_published_at = timezone.now() - timedelta(hours=1)
    early_outcome.save(update_fields=["outcome_published_at"])
    consultations += [early_outcome, make_consultation(phase="outcome_published")]
    now = timezone.now()
    moments = [now + timedelta(days=days) for days in (-60, -8, -1, 0, 1, 3, 8, 60)]
    for moment in moments:
        by_phase = {c.pk for c in consultations if c.phase_at(moment) is Phase.OPEN}
        by_queryset = set(Consultation.objects.taking_responses(moment).values_list("pk", flat=True))
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT c.id FROM {Consultation._meta.db_table} c WHERE {intake._open_consultation_condition('c')}",  # noqa: S608
                intake._open_params(intake._now_param(moment)),
            )
            by_statement = {row[0] for row in cursor.fetchall()}
        assert by_phase == by_queryset == by_statement, moment
    assert early_outcome.pk not in set(Consultation.objects.taking_responses().values_list("pk", flat=True))


def test_closing_must_come_after_opening():
    consultation = make_consultation()
    consultation.closes_at = consultation.opens_at
    with pytest.raises(ValidationError) as error:
        consultation.full_clean()
    assert "closing time must be after the opening time" in str(error.value)

"""A consultation's phase follows from its times, with nobody pressing a button."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from consult.models import Consultation, Phase
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
    assert list(Consultation.objects.open_at()) == [open_one]
    assert list(Consultation.objects.closed_at()) == [closed]
    later = timezone.now() + timedelta(days=3)
    assert set(Consultation.objects.open_at(later)) == {open_one, upcoming}


def test_closing_must_come_after_opening():
    consultation = make_consultation()
    consultation.closes_at = consultation.opens_at
    with pytest.raises(ValidationError) as error:
        consultation.full_clean()
    assert "closing time must be after the opening time" in str(error.value)

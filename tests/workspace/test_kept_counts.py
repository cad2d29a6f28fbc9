"""The analysis pages keep their counts: a minute after counting they are counted again, by the
worker where every process shares one cache (so no official waits for it), or else by the page.
A finished run or mapping has the worker count them before anyone asks."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from consult.models import Consultation, ReviewTheme, ThemeSet
from consult.services import mapping
from tests.factories import make_consultation, make_official, make_response

pytestmark = pytest.mark.django_db

# A Redis database of its own (one per test process), emptied around each test.
SHARED_COUNTS = {
    "REDIS_URL": settings.TEST_REDIS_CACHE_URL,
    "HAS_BROKER": True,
    "CACHES": {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": settings.TEST_REDIS_CACHE_URL}
    },
}


@pytest.fixture
def consultation(client: Client) -> Consultation:
    consultation = make_consultation(phase="closed")
    why = consultation.questions.get(position=2)
    make_response(consultation, {why: "People need a person."})
    client.force_login(make_official(consultation.department, role="analyst"))
    return consultation


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> list[timedelta]:
    """The clock, moved on by appending to the list."""
    real_now = timezone.now
    offsets: list[timedelta] = []
    monkeypatch.setattr(timezone, "now", lambda: real_now() + sum(offsets, timedelta()))
    return offsets


def _sent(client: Client, consultation: Consultation, page: str = "workspace_analysis") -> int:
    response = client.get(reverse(page, args=[consultation.slug]))
    assert response.status_code == 200
    return response.context["submitted_count"]


def _another_response(consultation: Consultation) -> None:
    make_response(consultation, {consultation.questions.get(position=2): "Another view."})


def test_without_a_shared_cache_the_page_counts_again_a_minute_after_counting(
    client: Client, consultation: Consultation, clock: list[timedelta]
) -> None:
    assert _sent(client, consultation) == 1
    _another_response(consultation)
    assert _sent(client, consultation) == 1  # kept
    clock.append(timedelta(seconds=61))
    assert _sent(client, consultation) == 2


def test_with_a_shared_cache_the_worker_counts_again_while_the_page_shows_the_kept_counts(
    client: Client, consultation: Consultation, clock: list[timedelta]
) -> None:
    with override_settings(**SHARED_COUNTS):
        cache.clear()
        try:
            assert _sent(client, consultation) == 1
            _another_response(consultation)
            clock.append(timedelta(seconds=61))
            # Stale: shown at once; the recount is a task (run in place here, as tests run tasks).
            assert _sent(client, consultation) == 1
            assert _sent(client, consultation) == 2
        finally:
            cache.clear()


def test_a_finished_mapping_has_the_worker_count_the_analysis_pages(
    client: Client, consultation: Consultation, django_capture_on_commit_callbacks: object
) -> None:
    why = consultation.questions.get(position=2)
    theme_set = ThemeSet.objects.create(
        question=why, status=ThemeSet.Status.SIGNED_OFF, mapping_status=ThemeSet.MappingStatus.QUEUED
    )
    ReviewTheme.objects.create(theme_set=theme_set, position=1, label="Human contact")
    ReviewTheme.objects.create(theme_set=theme_set, position=2, label="Other", is_other=True)
    with override_settings(**SHARED_COUNTS):
        cache.clear()
        try:
            with django_capture_on_commit_callbacks(execute=True):
                mapping.map_answers(theme_set.pk)
            theme_set.refresh_from_db()
            assert theme_set.mapping_status == ThemeSet.MappingStatus.DONE
            _another_response(consultation)
            # Counted when the mapping finished, before the new response arrived.
            assert _sent(client, consultation) == 1
        finally:
            cache.clear()

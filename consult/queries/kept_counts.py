"""Counts kept in the cache, so that no official waits for counting on every page.

Counting every answer of a consultation of 100,000 responses takes longer than a page should, so
the analysis pages keep their counts and say when they were counted. A minute after counting, the
next page asks for a recount and, where every process shares one cache (REDIS_URL) and a worker
runs tasks, still shows the kept counts while the worker recounts. The read never asks the worker
itself: it says a recount is due (`Recount`), and the view hands that to
`consult.services.recounts`, which also has the worker count after every run and every mapping. A
new run or a change to the reviewed themes changes the cache key (`counts_key`), so themes are
never shown out of date.

This is the one module of `consult.queries` that writes, and only to the cache.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypedDict

from django.conf import settings
from django.core.cache import cache
from django.db.models import QuerySet
from django.utils import timezone

from consult.models import AnalysisRun, Answer, Consultation, ThemeSet
from consult.queries.counting import latest_non_answer_decision

COUNTS_FRESH_SECONDS = 60
COUNTS_KEPT_SECONDS = 24 * 60 * 60


@dataclass(frozen=True)
class Recount:
    """Which page's counts the worker should count again: with no `page`, every analysis page of
    the consultation; `question_id` for one question in depth."""

    consultation_id: int
    page: str = ""
    question_id: int | None = None


class Kept(TypedDict):
    """What `counted` adds to a page's counts. A page's own type names its counts and these two
    keys (for instance `dashboard.KeptDashboardCounts`)."""

    counted_at: datetime
    recount: Recount | None


def counts_key(page: str, consultation: Consultation, *parts: object) -> str:
    """A cache key that changes whenever the themes in force may have changed: a new run
    succeeded, or a theme set was edited, signed off or mapped; or an official decided whether an
    answer says anything. Three small queries."""
    run_id = (
        AnalysisRun.objects.filter(consultation=consultation, status=AnalysisRun.Status.SUCCEEDED)
        .order_by("-finished_at", "-pk")
        .values_list("pk", flat=True)
        .first()
    )
    theme_sets = list(
        ThemeSet.objects.filter(question__consultation=consultation)
        .order_by("pk")
        .values_list("pk", "version", "status", "mapping_status", "updated_at")
    )
    decision = latest_non_answer_decision(consultation)
    state = hashlib.sha256(repr((run_id, theme_sets, decision, parts)).encode()).hexdigest()[:24]
    return f"consult:analysis:{page}:{consultation.pk}:{state}"


def counts_are_shared() -> bool:
    """Whether a worker's counts reach the web processes: one cache for all, and a worker."""
    return bool(settings.REDIS_URL) and settings.HAS_BROKER


def counted(
    key: str, count: Callable[[], Mapping[str, Any]], recount: Recount, *, fresh: bool = False
) -> dict[str, Any]:
    """The counts under `key`, with "counted_at" and "recount": the `Recount` the worker should do
    now, or None (the keys of `Kept`). The counts come back from the cache as they were kept, so
    the caller, who knows what `count` returns, names the whole: `cast(KeptDashboardCounts, ...)`.

    Counted here when none are kept (or `fresh` is asked for). Once older than
    COUNTS_FRESH_SECONDS the recount is due (once: the first page to see it claims it), and the
    kept counts are shown meanwhile; without a shared cache and a worker, this process recounts.
    """
    counts = None if fresh else cache.get(key)
    if counts is None:
        return {**_keep_counts(key, count), "recount": None}
    is_stale = timezone.now() - counts["counted_at"] > timedelta(seconds=COUNTS_FRESH_SECONDS)
    if is_stale and cache.add(f"{key}:recounting", True, COUNTS_FRESH_SECONDS):
        if not counts_are_shared():
            return {**_keep_counts(key, count), "recount": None}
        return {**counts, "recount": recount}
    return {**counts, "recount": None}


def _keep_counts(key: str, count: Callable[[], Mapping[str, Any]]) -> dict[str, Any]:
    counts = {**count(), "counted_at": timezone.now()}
    cache.set(key, counts, COUNTS_KEPT_SECONDS)
    return counts


def counted_matches(answers: QuerySet[Answer], key: str, cap: int) -> tuple[int, bool]:
    """How many answers match, up to `cap`, and whether there are more. An official pages through
    the same filters, so the count is kept for a minute like the dashboards' counts: a page then
    costs only its rows (a theme of 10,000 answers takes longer to count than to show)."""
    kept = cache.get(key)
    if kept is None:
        n = answers.order_by()[: cap + 1].count()
        kept = (min(n, cap), n > cap)
        cache.set(key, kept, COUNTS_FRESH_SECONDS)
    return kept

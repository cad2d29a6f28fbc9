"""Reads for the analysis dashboard and one free-text question in depth: responses over time,
respondent types, closed questions' results, and per free-text question the themes in force with
counts, shares, agreement, quotes and campaigns (`queries.workspace.free_text`).

Every function makes a fixed number of queries whatever the number of responses, questions,
options or themes: counts are GROUP BY queries in the database. Counting 100,000 responses still
takes longer than a page should, so the pages keep their counts for a minute (`counted`).
tests/test_workspace_query_counts.py guards the query counts. The drill-down and one response read
through `queries.workspace.responses`, the fairness check through `queries.workspace.fairness`, the topic map through
`queries.workspace.topic_map`.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count
from django.db.models.functions import TruncDate
from django.utils import timezone

from consult import tasks
from consult.models import (
    Agreement,
    AnalysisRun,
    Answer,
    Consultation,
    Option,
    Question,
    Response,
    ThemeSet,
)
from consult.queries.counting import Bar, bars, latest_non_answer_decision
from consult.queries.themes import consultation_themes
from consult.queries.workspace.analysis_export import arrivals_since
from consult.queries.workspace.free_text import CAMPAIGNS_SHOWN_IN_DEPTH, free_text_results
from consult.queries.workspace.review import accuracy_sentence, mapping_accuracy

# Counting every answer of a consultation of 100,000 responses takes longer than a page should,
# so the dashboards keep their counts and say when they were counted. A minute after counting, the
# next page asks for a recount and, where every process shares one cache (REDIS_URL) and a worker
# runs tasks, still shows the kept counts while the worker recounts: no official waits for the
# counting. The worker also counts after every run and every mapping. A new run or a change to the
# reviewed themes changes the cache key, so themes are never shown out of date.
COUNTS_FRESH_SECONDS = 60
COUNTS_KEPT_SECONDS = 24 * 60 * 60


# --- Responses over time and respondent types -------------------------------------------------


@dataclass(frozen=True)
class Day:
    day: date
    count: int
    scale: float  # of the busiest day

    @property
    def height(self) -> str:
        return f"{self.scale * 100:.2f}"

    @property
    def top(self) -> str:
        return f"{100 - self.scale * 100:.2f}"


# Gaps are filled with days of no responses only over a span a chart can show one column a day.
_LONGEST_DAILY_SPAN = 400


def responses_over_time(consultation: Consultation) -> list[Day]:
    """Submitted responses per day (in the site's time zone), days without any included."""
    rows = dict(
        consultation.responses.filter(status=Response.Status.SUBMITTED, submitted_at__isnull=False)
        .annotate(day=TruncDate("submitted_at"))
        .values("day")
        .annotate(n=Count("pk"))
        .values_list("day", "n")
    )
    if not rows:
        return []
    first, last = min(rows), max(rows)
    if (last - first).days <= _LONGEST_DAILY_SPAN:
        days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    else:
        days = sorted(rows)
    busiest = max(rows.values())
    return [Day(day, rows.get(day, 0), rows.get(day, 0) / busiest) for day in days]


# How organisations' responses divide by the organisation's standing; "" is a response that named
# an organisation without one registered (typed on the about-you page, or imported).
ORGANISATION_STANDINGS = [
    ("verified", "Verified organisation"),
    ("pending", "Registered, awaiting verification"),
    ("rejected", "Registered, not verified"),
    ("", "Not registered"),
]


def respondent_types(consultation: Consultation) -> tuple[int, list[Bar], list[Bar]]:
    """The number of submitted responses, how many came from individuals and organisations, and
    how the organisations' divide by verification (in the same one query)."""
    counts: dict[str, int] = defaultdict(int)
    standings: dict[str, int] = defaultdict(int)
    for respondent_type, standing, n in (
        consultation.responses.filter(status=Response.Status.SUBMITTED)
        .values("respondent_type", "organisation__status")
        .annotate(n=Count("pk"))
        .values_list("respondent_type", "organisation__status", "n")
    ):
        counts[respondent_type] += n
        if respondent_type == Response.RespondentType.ORGANISATION:
            standings[standing or ""] += n
    total = sum(counts.values())
    rows = [(label, counts.get(value, 0), value) for value, label in Response.RespondentType.choices]
    if counts.get(""):
        rows.append(("Not given", counts[""], ""))
    organisations = counts.get(Response.RespondentType.ORGANISATION, 0)
    standing_rows = [(label, standings.get(value, 0), "") for value, label in ORGANISATION_STANDINGS]
    return total, bars(rows, total), bars(standing_rows, organisations) if organisations else []


# --- Closed questions -------------------------------------------------------------------------


@dataclass(frozen=True)
class ClosedResult:
    """A closed question's results: how many answered it, and each option's or point's count."""

    question: Question
    answered: int
    bars: list[Bar]

    @property
    def is_multiple(self) -> bool:
        return self.question.kind == Question.Kind.MULTIPLE_CHOICE


def closed_results(consultation: Consultation, questions: list[Question]) -> list[ClosedResult]:
    """Results of every closed question in `questions`, in their order, in three queries."""
    closed = [q for q in questions if not q.is_free_text]
    choice = [q for q in closed if q.has_options]
    # Inner joins from the answers of these questions, so that the database reads only them.
    chosen = dict(
        Answer.options.through.objects.filter(
            answer__question__in=choice, answer__response__status=Response.Status.SUBMITTED
        )
        .values("option_id")
        .annotate(n=Count("pk"))
        .values_list("option_id", "n")
    )
    options: dict[int, list[tuple[str, int, str]]] = defaultdict(list)
    for option in Option.objects.filter(question__in=choice).order_by("question_id", "position"):
        options[option.question_id].append((option.label, chosen.get(option.pk, 0), f"option:{option.pk}"))
    # An answer to a closed question is kept only while something is chosen (an emptied answer is
    # deleted), so answers per question are the people who answered it: each share's base.
    points: dict[int, dict[int | None, int]] = defaultdict(dict)
    for question_id, point, n in (
        Answer.objects.filter(question__in=closed, response__status=Response.Status.SUBMITTED)
        .values("question_id", "agreement")
        .annotate(n=Count("pk"))
        .values_list("question_id", "agreement", "n")
    ):
        points[question_id][point] = n

    results = []
    for question in closed:
        counts = points[question.pk]
        if question.kind == Question.Kind.AGREEMENT:
            base = sum(n for point, n in counts.items() if point is not None)
            rows = [
                (label, counts.get(value, 0), f"agreement:{question.pk}:{value}") for value, label in Agreement.choices
            ]
        else:
            base = sum(counts.values())
            rows = options[question.pk]
        results.append(ClosedResult(question, base, bars(rows, base)))
    return results


# --- Free-text questions ----------------------------------------------------------------------


# --- Runs -------------------------------------------------------------------------------------


def latest_run(consultation: Consultation) -> AnalysisRun | None:
    """The consultation's most recent run, whatever its state: the one a progress bar follows."""
    return AnalysisRun.objects.filter(consultation=consultation).order_by("-created_at", "-pk").first()


def run_progress(run: AnalysisRun | None) -> dict[str, object]:
    """What the progress bar shows, as the JSON the page polls."""
    if run is None:
        return {
            "status": "none",
            "stage": "",
            "stage_label": "No analysis has run yet",
            "progress": 0,
            "finished": True,
        }
    return {
        "status": run.status,
        "stage": run.stage,
        "stage_label": run.get_stage_display(),
        "progress": run.progress,
        "finished": run.is_finished,
    }


def is_run_in_progress(run: AnalysisRun | None) -> bool:
    return run is not None and run.status in (AnalysisRun.Status.QUEUED, AnalysisRun.Status.RUNNING)


# --- Whole pages ------------------------------------------------------------------------------


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
    key: str, count: Callable[[], dict[str, object]], recount: Callable[[], None], *, fresh: bool = False
) -> dict[str, object]:
    """The counts under `key`: counted here when none are kept (or `fresh` is asked for); once
    older than COUNTS_FRESH_SECONDS, `recount` asks the worker to count again (once), and the kept
    counts are shown meanwhile. Without a shared cache and a worker, this process recounts."""
    counts = None if fresh else cache.get(key)
    if counts is None:
        return _keep_counts(key, count)
    is_stale = timezone.now() - counts["counted_at"] > timedelta(seconds=COUNTS_FRESH_SECONDS)
    if is_stale and cache.add(f"{key}:recounting", True, COUNTS_FRESH_SECONDS):
        if not counts_are_shared():
            return _keep_counts(key, count)
        recount()
    return counts


def _keep_counts(key: str, count: Callable[[], dict[str, object]]) -> dict[str, object]:
    counts = {**count(), "counted_at": timezone.now()}
    cache.set(key, counts, COUNTS_KEPT_SECONDS)
    return counts


def recount(consultation_id: int, page: str = "", question_id: int | None = None) -> None:
    """Count one page's figures afresh into the cache (the worker's side of `counted`), or with no
    `page` every analysis page of the consultation (after a run or a mapping)."""
    from consult.queries.workspace.fairness import fairness_page

    consultation = Consultation.objects.filter(pk=consultation_id).first()
    if consultation is None:
        return
    if page in ("", "dashboard"):
        dashboard(consultation, fresh=True)
    if page in ("", "fairness"):
        fairness_page(consultation, fresh=True)
    questions = consultation.questions.filter(kind=Question.Kind.FREE_TEXT)
    if page == "question":
        questions = questions.filter(pk=question_id)
    elif page:
        questions = questions.none()
    for question in questions:
        question_analysis(consultation, question, fresh=True)


def recount_later(consultation: Consultation, page: str = "", question_id: int | None = None) -> Callable[[], None]:
    """What `counted` calls to have the worker recount a page."""
    return lambda: tasks.count_analysis.delay(consultation.pk, page, question_id)


def _mapping_accuracy(consultation: Consultation, questions: list[Question]) -> list[tuple[Question, str]]:
    """Each question with signed-off themes, with the mapping's accuracy measured by spot checks."""
    signed_off = set(
        ThemeSet.objects.filter(question__consultation=consultation, status=ThemeSet.Status.SIGNED_OFF).values_list(
            "question_id", flat=True
        )
    )
    if not signed_off:
        return []
    accuracy = mapping_accuracy(sorted(signed_off))
    return [(question, accuracy_sentence(accuracy[question.pk])) for question in questions if question.pk in signed_off]


def dashboard(consultation: Consultation, *, fresh: bool = False) -> dict[str, object]:
    """Everything the analysis overview shows, in a fixed number of queries. The counts are kept
    (the page says when they were counted, see `counted`); the state of the current run is always
    read afresh."""

    def count() -> dict[str, object]:
        questions = list(consultation.questions.select_related("explains").order_by("position"))
        run = AnalysisRun.objects.latest_succeeded_for(consultation)
        in_force = consultation_themes(consultation)
        total, types, organisation_standings = respondent_types(consultation)
        return {
            "submitted_count": total,
            "respondent_types": types,
            "organisation_standings": organisation_standings,
            "days": responses_over_time(consultation),
            "closed_results": closed_results(consultation, questions),
            "free_text_results": free_text_results(consultation, questions, run, in_force),
            "run": run,
            "arrivals": arrivals_since(run) if run is not None and run.started_at else None,
            "mapping_accuracy": _mapping_accuracy(consultation, questions),
        }

    key = counts_key("dashboard", consultation)
    counts = counted(key, count, recount_later(consultation, "dashboard"), fresh=fresh)
    current = latest_run(consultation)
    return {
        **counts,
        "current_run": current,
        "progress": run_progress(current),
        "is_run_in_progress": is_run_in_progress(current),
    }


def question_analysis(consultation: Consultation, question: Question, *, fresh: bool = False) -> dict[str, object]:
    """One free-text question in depth: its themes, agreement, quotes and campaigns."""

    def count() -> dict[str, object]:
        run = AnalysisRun.objects.latest_succeeded_for(consultation)
        in_force = consultation_themes(consultation)
        [result] = free_text_results(consultation, [question], run, in_force, campaigns_shown=CAMPAIGNS_SHOWN_IN_DEPTH)
        return {"result": result, "run": run}

    return counted(
        counts_key("question", consultation, question.pk),
        count,
        recount_later(consultation, "question", question.pk),
        fresh=fresh,
    )

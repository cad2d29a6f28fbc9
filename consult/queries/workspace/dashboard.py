"""Reads for the analysis dashboard and one free-text question in depth: responses over time,
respondent types, closed questions' results, and per free-text question the themes in force with
counts, shares, agreement, quotes and campaigns (`queries.workspace.free_text`).

Every function makes a fixed number of queries whatever the number of responses, questions,
options or themes: counts are GROUP BY queries in the database. Counting 100,000 responses still
takes longer than a page should, so the pages keep their counts for a minute
(`consult.queries.kept_counts`) and say when a recount is due; the view asks for it.
tests/workspace/test_query_counts.py guards the query counts. The drill-down and one response read
through `queries.workspace.responses`, the fairness check through `queries.workspace.fairness`, the topic map through
`queries.workspace.topic_map`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TypedDict, cast

from django.db.models import Count
from django.db.models.functions import TruncDate

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
from consult.queries.counting import Bar, bars
from consult.queries.kept_counts import Kept, Recount, counted, counts_key
from consult.queries.themes import consultation_themes
from consult.queries.workspace.analysis_export import Arrivals, arrivals_since
from consult.queries.workspace.free_text import CAMPAIGNS_SHOWN_IN_DEPTH, FreeTextResult, free_text_results
from consult.queries.workspace.review import accuracy_sentence, mapping_accuracy
from consult.queries.workspace.sub_themes import with_sub_themes

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
        consultation.responses.submitted()
        .filter(submitted_at__isnull=False)
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
        consultation.responses.submitted()
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
    """Results of every closed question in `questions`, in their order, in three queries. The
    answers that count are those of `Answer.counted_q` (sent, not withdrawn, not hidden by a
    moderator); the published outcome freezes these same results (`queries.outcome`)."""
    closed = [q for q in questions if not q.is_free_text]
    choice = [q for q in closed if q.has_options]
    # Inner joins from the answers of these questions, so that the database reads only them.
    chosen = dict(
        Answer.options.through.objects.filter(Answer.counted_q("answer__"), answer__question__in=choice)
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
        Answer.objects.filter(question__in=closed)
        .filter(Answer.counted_q())
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


class RunProgress(TypedDict):
    status: str
    stage: str
    stage_label: str
    progress: int  # per cent
    finished: bool


def run_progress(run: AnalysisRun | None) -> RunProgress:
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


class DashboardCounts(TypedDict):
    submitted_count: int
    respondent_types: list[Bar]
    organisation_standings: list[Bar]
    days: list[Day]
    closed_results: list[ClosedResult]
    free_text_results: list[FreeTextResult]
    run: AnalysisRun | None
    arrivals: Arrivals | None
    mapping_accuracy: list[tuple[Question, str]]


class KeptDashboardCounts(DashboardCounts, Kept):
    pass


class Dashboard(KeptDashboardCounts):
    current_run: AnalysisRun | None
    progress: RunProgress
    is_run_in_progress: bool


def dashboard(consultation: Consultation, *, fresh: bool = False) -> Dashboard:
    """Everything the analysis overview shows, in a fixed number of queries. The counts are kept
    (the page says when they were counted, see `kept_counts.counted`); the state of the current run
    is always read afresh."""

    def count() -> DashboardCounts:
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
    counts = cast(KeptDashboardCounts, counted(key, count, Recount(consultation.pk, "dashboard"), fresh=fresh))
    current = latest_run(consultation)
    return {
        **counts,
        "current_run": current,
        "progress": run_progress(current),
        "is_run_in_progress": is_run_in_progress(current),
    }


class QuestionCounts(TypedDict):
    result: FreeTextResult
    run: AnalysisRun | None


class QuestionAnalysis(QuestionCounts, Kept):
    pass


def question_analysis(consultation: Consultation, question: Question, *, fresh: bool = False) -> QuestionAnalysis:
    """One free-text question in depth: its themes (with their sub-themes, for a large question),
    agreement, quotes and campaigns."""

    def count() -> QuestionCounts:
        run = AnalysisRun.objects.latest_succeeded_for(consultation)
        in_force = consultation_themes(consultation)
        results = free_text_results(consultation, [question], run, in_force, campaigns_shown=CAMPAIGNS_SHOWN_IN_DEPTH)
        [result] = with_sub_themes(results, run)
        return {"result": result, "run": run}

    return cast(
        QuestionAnalysis,
        counted(
            counts_key("question", consultation, question.pk),
            count,
            Recount(consultation.pk, "question", question.pk),
            fresh=fresh,
        ),
    )

"""Reads for the analysis dashboard and one free-text question in depth: responses over time,
respondent types, closed questions' results, and per free-text question the themes in force with
counts, shares, agreement, quotes and campaigns.

Every function makes a fixed number of queries whatever the number of responses, questions,
options or themes: counts are GROUP BY queries in the database. Counting 100,000 responses still
takes longer than a page should, so the pages keep their counts for a minute (`counted`).
tests/test_workspace_query_counts.py guards the query counts. The drill-down and one response read
through `queries_responses`, the fairness check through `queries_fairness`, the topic map through
`queries_topic_map`.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Exists, F, OuterRef, QuerySet, Sum, Window
from django.db.models.functions import RowNumber, TruncDate
from django.utils import timezone

from consult import tasks
from consult.models import (
    Agreement,
    AnalysisRun,
    Answer,
    Campaign,
    Consultation,
    Option,
    Question,
    Response,
    ReviewTheme,
    Theme,
    ThemeAssignment,
    ThemeMapping,
    ThemeSet,
)
from consult.queries_analysis import arrivals_since
from consult.queries_themes import QuestionThemes, ThemeCount, consultation_themes

# The three bands of the five-point scale that agreement within a theme is shown in.
AGREE_POINTS = (Agreement.STRONGLY_AGREE, Agreement.AGREE)
NEITHER_POINTS = (Agreement.NEITHER,)
DISAGREE_POINTS = (Agreement.DISAGREE, Agreement.STRONGLY_DISAGREE)

# The most campaigns and quotes a page lists per question; the counts always cover them all.
CAMPAIGNS_SHOWN = 10
QUOTES_PER_THEME = 3
CAMPAIGNS_SHOWN_IN_DEPTH = 50

# Counting every answer of a consultation of 100,000 responses takes longer than a page should,
# so the dashboards keep their counts and say when they were counted. A minute after counting, the
# next page asks for a recount and, where every process shares one cache (REDIS_URL) and a worker
# runs tasks, still shows the kept counts while the worker recounts: no official waits for the
# counting. The worker also counts after every run and every mapping. A new run or a change to the
# reviewed themes changes the cache key, so themes are never shown out of date.
COUNTS_FRESH_SECONDS = 60
COUNTS_KEPT_SECONDS = 24 * 60 * 60


def share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@dataclass(frozen=True)
class Bar:
    """One bar of a chart and one row of the table beside it."""

    label: str
    count: int
    share: float | None  # of the chart's base, 0 to 1
    scale: float = 0.0  # of the chart's longest bar, 0 to 1: what the bar's length shows
    value: str = ""  # what the drill-down filters on to list these responses, if it can

    @property
    def percent(self) -> str:
        """The share as the page prints it, '42%' or '0.5%'."""
        if self.share is None:
            return ""
        percent = self.share * 100
        return f"{percent:.0f}%" if percent >= 1 or percent == 0 else f"{percent:.1f}%"

    @property
    def length(self) -> str:
        """The bar's length as an SVG percentage, written with a dot whatever the locale."""
        return f"{self.scale * 100:.1f}%"


def _bars(rows: list[tuple[str, int, str]], base: int) -> list[Bar]:
    """Bars for (label, count, filter value) rows, their shares of `base`, scaled to the longest."""
    longest = max((count for _, count, _ in rows), default=0)
    return [
        Bar(label, count, share(count, base), count / longest if longest else 0.0, value)
        for label, count, value in rows
    ]


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


def respondent_types(consultation: Consultation) -> tuple[int, list[Bar]]:
    """The number of submitted responses and how many came from individuals and organisations."""
    counts = dict(
        consultation.responses.filter(status=Response.Status.SUBMITTED)
        .values("respondent_type")
        .annotate(n=Count("pk"))
        .values_list("respondent_type", "n")
    )
    total = sum(counts.values())
    rows = [(label, counts.get(value, 0), value) for value, label in Response.RespondentType.choices]
    if counts.get(""):
        rows.append(("Not given", counts[""], ""))
    return total, _bars(rows, total)


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
        results.append(ClosedResult(question, base, _bars(rows, base)))
    return results


# --- Free-text questions ----------------------------------------------------------------------


@dataclass(frozen=True)
class AgreementSplit:
    """Agreement with the paired closed question among a theme's members."""

    agree: int
    neither: int
    disagree: int

    @property
    def total(self) -> int:
        return self.agree + self.neither + self.disagree

    @property
    def bars(self) -> list[Bar]:
        rows = [("Agree", self.agree), ("Neither", self.neither), ("Disagree", self.disagree)]
        return [Bar(label, n, share(n, self.total), share(n, self.total) or 0.0) for label, n in rows]

    @property
    def segments(self) -> list[tuple[str, str, str, str]]:
        """(label, x, width, CSS modifier) for a stacked bar of agree, neither and disagree."""
        segments, start = [], 0.0
        for bar, modifier in zip(self.bars, ("agree", "neither", "disagree"), strict=True):
            segments.append((bar.label, f"{start * 100:.1f}%", bar.length, modifier))
            start += bar.scale
        return segments

    @classmethod
    def from_points(cls, points: dict[str, int]) -> AgreementSplit:
        def total(values: tuple[int, ...]) -> int:
            return sum(int(points.get(str(int(value)), 0)) for value in values)

        return cls(total(AGREE_POINTS), total(NEITHER_POINTS), total(DISAGREE_POINTS))


@dataclass(frozen=True)
class Quote:
    answer_id: int
    text: str
    reference: str


@dataclass(frozen=True)
class ThemeRow:
    theme: ThemeCount
    share: float | None
    scale: float
    agreement: AgreementSplit | None
    quotes: list[Quote]

    @property
    def bar(self) -> Bar:
        return Bar(self.theme.label, self.theme.count, self.share, self.scale)


@dataclass(frozen=True)
class CampaignRow:
    id: int
    key: int
    member_count: int
    text: str
    reference: str


@dataclass(frozen=True)
class FreeTextResult:
    """One free-text question as the dashboard shows it."""

    question: Question
    source: str | None  # "candidate", "reviewed", or None before any run
    answered: int  # answers now (sent, not empty, not hidden)
    base: int  # what theme shares are of: answered, each campaign once when the run counted so
    campaigns_counted_once: bool
    themes: list[ThemeRow]
    unassigned: int | None  # answers in no theme in force, for candidate themes
    campaigns: list[CampaignRow]
    campaign_count: int  # every campaign of the question, beyond those listed
    campaign_copies: int

    @property
    def unassigned_share(self) -> float | None:
        return None if self.unassigned is None else share(self.unassigned, self.answered)

    @property
    def unassigned_bar(self) -> Bar:
        return Bar("Fits no theme", self.unassigned or 0, self.unassigned_share)


def counted_answers(queryset: QuerySet[Answer]) -> QuerySet[Answer]:
    """Answers that count: in sent responses, with text, and not hidden by a moderator."""
    return (
        queryset.filter(response__status=Response.Status.SUBMITTED)
        .exclude(text="")
        .exclude(visibility=Answer.Visibility.HIDDEN)
    )


def free_text_results(
    consultation: Consultation,
    questions: list[Question],
    run: AnalysisRun | None,
    in_force: dict[int, QuestionThemes],
    campaigns_shown: int = CAMPAIGNS_SHOWN,
) -> list[FreeTextResult]:
    """Themes in force with counts, shares, agreement and quotes, campaigns, and answers that fit
    no theme, for each free-text question in `questions`, in a fixed number of queries."""
    free = [q for q in questions if q.is_free_text]
    question_ids = [q.pk for q in free]
    reviewed_ids = [t.id for qid in question_ids for t in in_force[qid].themes if in_force[qid].source == "reviewed"]
    candidate_questions = [qid for qid in question_ids if in_force[qid].source == "candidate"]
    answered = dict(
        counted_answers(Answer.objects.filter(question_id__in=question_ids))
        .values("question_id")
        .annotate(n=Count("pk"))
        .values_list("question_id", "n")
    )
    # A separate query rather than a FILTER on the one above: as a WHERE EXISTS the database can
    # run it as one semi-join instead of a lookup per answer.
    assigned: dict[int, int] = {}
    if run is not None and candidate_questions:
        assigned = dict(
            counted_answers(Answer.objects.filter(question_id__in=candidate_questions))
            .filter(Exists(ThemeAssignment.objects.filter(answer=OuterRef("pk"), theme__run=run)))
            .values("question_id")
            .annotate(n=Count("pk"))
            .values_list("question_id", "n")
        )

    agreement = _reviewed_agreement(reviewed_ids, free)
    quotes = _quotes(in_force, question_ids, reviewed_ids)
    campaigns, campaign_totals = _campaigns(run, question_ids, campaigns_shown)

    campaigns_once = bool(run and run.parameters.get("count_campaigns_once", True))
    results = []
    for question in free:
        themes = in_force[question.pk]
        n_campaigns, copies = campaign_totals.get(question.pk, (0, 0))
        counted_once = themes.source == "candidate" and campaigns_once
        base = answered.get(question.pk, 0) - ((copies - n_campaigns) if counted_once else 0)
        longest = max((t.count for t in themes.themes), default=0)
        rows = []
        for theme in themes.themes:
            if themes.source == "reviewed":
                split = AgreementSplit.from_points(agreement.get(theme.id, {})) if question.explains_id else None
            else:
                split = AgreementSplit.from_points(theme.agreement_counts) if question.explains_id else None
            rows.append(
                ThemeRow(
                    theme,
                    share(theme.count, max(base, 0)),
                    theme.count / longest if longest else 0.0,
                    split,
                    quotes.get((themes.source, theme.id), []),
                )
            )
        unassigned = None
        if themes.source == "candidate":
            unassigned = answered.get(question.pk, 0) - assigned.get(question.pk, 0)
        results.append(
            FreeTextResult(
                question=question,
                source=themes.source,
                answered=answered.get(question.pk, 0),
                base=max(base, 0),
                campaigns_counted_once=counted_once,
                themes=rows,
                unassigned=unassigned,
                campaigns=campaigns.get(question.pk, []),
                campaign_count=n_campaigns,
                campaign_copies=copies,
            )
        )
    return results


def _reviewed_agreement(reviewed_ids: list[int], questions: list[Question]) -> dict[int, dict[str, int]]:
    """For reviewed themes: the agreement points of their members' answers to the closed question
    the free-text question explains, per theme, in one query."""
    if not reviewed_ids or not any(q.explains_id for q in questions):
        return {}
    rows = (
        ThemeMapping.objects.filter(theme_id__in=reviewed_ids, is_active=True)
        .filter(answer__response__status=Response.Status.SUBMITTED)
        .exclude(answer__visibility=Answer.Visibility.HIDDEN)
        .filter(
            answer__response__answers__question_id=F("answer__question__explains_id"),
            answer__response__answers__agreement__isnull=False,
        )
        .values("theme_id", "answer__response__answers__agreement")
        .annotate(n=Count("pk"))
        .values_list("theme_id", "answer__response__answers__agreement", "n")
    )
    result: dict[int, dict[str, int]] = defaultdict(dict)
    for theme_id, point, n in rows:
        result[theme_id][str(point)] = n
    return result


def _quotes(
    in_force: dict[int, QuestionThemes], question_ids: list[int], reviewed_ids: list[int]
) -> dict[tuple[str | None, int], list[Quote]]:
    """Representative answers of each theme in force, keyed by (source, theme id). A reviewed
    theme's quotes are those of the AI themes it came from. Two queries."""
    candidate_ids = [t.id for qid in question_ids if in_force[qid].source == "candidate" for t in in_force[qid].themes]
    candidates_of: dict[int, list[int]] = defaultdict(list)
    for review_id, theme_id in ReviewTheme.candidates.through.objects.filter(
        reviewtheme_id__in=reviewed_ids
    ).values_list("reviewtheme_id", "theme_id"):
        candidates_of[theme_id].append(review_id)
    theme_ids = set(candidate_ids) | set(candidates_of)
    if not theme_ids:
        return {}
    rows = (
        Theme.representatives.through.objects.filter(theme_id__in=theme_ids)
        .filter(answer__response__status=Response.Status.SUBMITTED)
        .exclude(answer__visibility=Answer.Visibility.HIDDEN)
        .order_by("theme_id", "pk")
        .values_list("theme_id", "answer_id", "answer__text", "answer__response__reference")
    )
    quotes: dict[tuple[str | None, int], list[Quote]] = defaultdict(list)
    candidate_set = set(candidate_ids)
    for theme_id, answer_id, text, reference in rows:
        quote = Quote(answer_id, text, reference)
        keys = [("candidate", theme_id)] if theme_id in candidate_set else []
        keys += [("reviewed", review_id) for review_id in candidates_of.get(theme_id, [])]
        for key in keys:
            if len(quotes[key]) < QUOTES_PER_THEME and all(q.answer_id != answer_id for q in quotes[key]):
                quotes[key].append(quote)
    return quotes


def _campaigns(
    run: AnalysisRun | None, question_ids: list[int], shown: int = CAMPAIGNS_SHOWN
) -> tuple[dict[int, list[CampaignRow]], dict[int, tuple[int, int]]]:
    """The latest run's largest campaigns per question with their canonical text, and per question
    (number of campaigns, answers in them). Two queries, however many campaigns there are."""
    if run is None or not question_ids:
        return {}, {}
    ranked = (
        Campaign.objects.filter(run=run, question_id__in=question_ids)
        .annotate(
            rank=Window(RowNumber(), partition_by=[F("question_id")], order_by=[F("member_count").desc(), F("key")])
        )
        .filter(rank__lte=shown)
        .order_by("question_id", "rank")
        .values_list(
            "question_id",
            "pk",
            "key",
            "member_count",
            "canonical_answer__text",
            "canonical_answer__response__reference",
        )
    )
    campaigns: dict[int, list[CampaignRow]] = defaultdict(list)
    for question_id, pk, key, members, text, reference in ranked:
        campaigns[question_id].append(CampaignRow(pk, key, members, text, reference))
    totals = {
        question_id: (n, copies or 0)
        for question_id, n, copies in Campaign.objects.filter(run=run, question_id__in=question_ids)
        .values("question_id")
        .annotate(n=Count("pk"), copies=Sum("member_count"))
        .values_list("question_id", "n", "copies")
    }
    return campaigns, totals


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
    succeeded, or a theme set was edited, signed off or mapped. Two small queries."""
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
    state = hashlib.sha256(repr((run_id, theme_sets, parts)).encode()).hexdigest()[:24]
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
    from consult.queries_fairness import fairness_page

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


def dashboard(consultation: Consultation, *, fresh: bool = False) -> dict[str, object]:
    """Everything the analysis overview shows, in a fixed number of queries. The counts are kept
    (the page says when they were counted, see `counted`); the state of the current run is always
    read afresh."""

    def count() -> dict[str, object]:
        questions = list(consultation.questions.select_related("explains").order_by("position"))
        run = AnalysisRun.objects.latest_succeeded_for(consultation)
        in_force = consultation_themes(consultation)
        total, types = respondent_types(consultation)
        return {
            "submitted_count": total,
            "respondent_types": types,
            "days": responses_over_time(consultation),
            "closed_results": closed_results(consultation, questions),
            "free_text_results": free_text_results(consultation, questions, run, in_force),
            "run": run,
            "arrivals": arrivals_since(run) if run is not None and run.started_at else None,
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

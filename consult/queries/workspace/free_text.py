"""Reads for each free-text question's results on the analysis pages: the themes in force with
counts, shares and agreement within each, representative quotes, and campaigns. A fixed number
of queries whatever the number of answers (tests/workspace/test_query_counts.py)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Exists, F, OuterRef, Sum, Window
from django.db.models.functions import RowNumber

from consult.models import (
    Agreement,
    AnalysisRun,
    Answer,
    Campaign,
    Consultation,
    Question,
    ReviewTheme,
    Theme,
    ThemeAssignment,
    ThemeMapping,
)
from consult.queries.counting import Bar, answer_counts, share
from consult.queries.themes import QuestionThemes, ThemeCount, not_yet_placed_q
from consult.queries.workspace.responses import excerpt

# The three bands of the five-point scale that agreement within a theme is shown in.
AGREE_POINTS = (Agreement.STRONGLY_AGREE, Agreement.AGREE)
NEITHER_POINTS = (Agreement.NEITHER,)
DISAGREE_POINTS = (Agreement.DISAGREE, Agreement.STRONGLY_DISAGREE)

# The most campaigns and quotes a page lists per question; the counts always cover them all.
CAMPAIGNS_SHOWN = 10
QUOTES_PER_THEME = 3
CAMPAIGNS_SHOWN_IN_DEPTH = 50


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


# How long a theme's preview quote on the overview may be, in characters, before it is cut at a word.
PREVIEW_LENGTH = 120


@dataclass(frozen=True)
class Quote:
    answer_id: int
    text: str
    reference: str

    @property
    def preview(self) -> str:
        """The quote cut short at a word boundary, with an ellipsis when it was cut."""
        text, is_cut = excerpt(self.text, PREVIEW_LENGTH)
        return f"{text}…" if is_cut else text

    @property
    def is_cut(self) -> bool:
        return excerpt(self.text, PREVIEW_LENGTH)[1]


@dataclass(frozen=True)
class SubThemeRow:
    """A narrower view inside a theme of a large question, or among its answers that fit no theme
    (`queries.workspace.sub_themes`)."""

    id: int
    label: str
    description: str
    count: int
    share: float | None  # of its theme's answers, or of the answers that fit no theme

    @property
    def percent(self) -> str:
        return Bar(self.label, self.count, self.share).percent


@dataclass(frozen=True)
class ThemeRow:
    theme: ThemeCount
    share: float | None
    scale: float
    agreement: AgreementSplit | None
    quotes: list[Quote]
    sub_themes: tuple[SubThemeRow, ...] = ()  # largest first; only where the page asked for them

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
    non_answers: int  # of those, answers with nothing to say: counted apart, in no theme
    base: int  # what theme shares are of: substantive answers, each campaign once when the run counted so
    campaigns_counted_once: bool
    themes: list[ThemeRow]
    unassigned: int | None  # answers the run found to fit no theme in force, for candidate themes
    campaigns: list[CampaignRow]
    campaign_count: int  # every campaign of the question, beyond those listed
    campaign_copies: int
    not_analysed: int = 0  # answers sent or changed since, in no theme until they are placed
    # Small views among the answers that fit no theme, largest first; only where the page asked.
    sub_themes_fitting_no_theme: tuple[SubThemeRow, ...] = ()

    @property
    def has_sub_themes(self) -> bool:
        return bool(self.sub_themes_fitting_no_theme) or any(row.sub_themes for row in self.themes)

    @property
    def substantive(self) -> int:
        return self.answered - self.non_answers

    @property
    def unassigned_share(self) -> float | None:
        return None if self.unassigned is None else share(self.unassigned, self.substantive)

    @property
    def unassigned_bar(self) -> Bar:
        return Bar("Fits no theme", self.unassigned or 0, self.unassigned_share)


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
    counts = answer_counts(question_ids)
    # A separate query rather than a FILTER on the one above: as a WHERE EXISTS the database can
    # run it as one semi-join instead of a lookup per answer. Non-answers fit no theme by design.
    assigned: dict[int, int] = {}
    if run is not None and candidate_questions:
        assigned = dict(
            Answer.objects.filter(question_id__in=candidate_questions)
            .counted()
            .substantive()
            .filter(Exists(ThemeAssignment.objects.filter(answer=OuterRef("pk"), theme__run=run)))
            .values("question_id")
            .annotate(n=Count("pk"))
            .values_list("question_id", "n")
        )

    # Answers sent or changed since the themes were found, that nothing has placed yet: they are
    # not analysed, rather than fitting no theme.
    waiting: dict[int, int] = {}
    if any(in_force[qid].source for qid in question_ids):
        waiting = dict(
            Answer.objects.filter(question_id__in=question_ids)
            .counted()
            .substantive()
            .filter(not_yet_placed_q(in_force, run))
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
        base = counts[question.pk].substantive - ((copies - n_campaigns) if counted_once else 0)
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
        # Largest first, so that an official reads the themes in order of weight; Other (the
        # reviewed themes' home for answers that fit none) stays last, as "Fits no theme" does.
        rows.sort(key=lambda row: (row.theme.is_other, -row.theme.count))
        unassigned = None
        if themes.source == "candidate":
            unassigned = counts[question.pk].substantive - assigned.get(question.pk, 0) - waiting.get(question.pk, 0)
        results.append(
            FreeTextResult(
                question=question,
                source=themes.source,
                answered=counts[question.pk].answered,
                non_answers=counts[question.pk].non_answers,
                base=max(base, 0),
                campaigns_counted_once=counted_once,
                themes=rows,
                unassigned=unassigned,
                campaigns=campaigns.get(question.pk, []),
                campaign_count=n_campaigns,
                campaign_copies=copies,
                not_analysed=waiting.get(question.pk, 0),
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
        .filter(Answer.counted_q("answer__"))
        .exclude(Answer.non_answer_q("answer__"))
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
        .filter(Answer.counted_q("answer__"))
        .exclude(Answer.non_answer_q("answer__"))
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

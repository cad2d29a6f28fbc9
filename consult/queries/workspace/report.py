"""The printable summary report of a consultation, built from the dashboard's results.

Its counts and shares are the dashboard's (`dashboard.respondent_types`, `dashboard.closed_results`,
`free_text.free_text_results`, read through `question_results`, which the Excel export's sheet per
question reads too), so the report, the export and the analysis pages can never disagree about how
many answered, which themes are in force or how many answers each holds. Each question's themes
are listed largest first. One thing is the report's own, because it leaves the service on paper:
quotes in their redacted form (a moderator's redaction, else the analysis's), for reviewed themes
the answers the mapping placed closest to each theme.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TypedDict

from django.db.models import F, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from consult.models import (
    AnalysisRun,
    Answer,
    Consultation,
    Outcome,
    Question,
    QuestionSummary,
    Response,
    Theme,
    ThemeMapping,
)
from consult.models.analysis import SummarySentence
from consult.queries.counting import Bar
from consult.queries.outcome import default_method_note
from consult.queries.themes import QuestionThemes, consultation_themes
from consult.queries.workspace import dashboard, free_text, sub_themes
from consult.queries.workspace.dashboard import respondent_types
from consult.queries.workspace.free_text import ThemeRow

QUOTES_PER_THEME = 3


@dataclass
class ClosedResult:
    question: Question
    answered: int
    rows: list[tuple[str, int, float]]  # (label, count, share of those who answered)


@dataclass
class ReportTheme:
    label: str
    description: str
    count: int
    share: float | None  # of the question's base, as the dashboard's
    is_other: bool
    quotes: list[tuple[str, str]] = field(default_factory=list)  # (reference, text)

    @property
    def percent(self) -> str:
        return Bar(self.label, self.count, self.share).percent


@dataclass
class FreeTextResult:
    question: Question
    answered: int
    non_answers: int  # of those answered, answers with nothing to say: in no theme
    base: int  # what shares are of: substantive answers, each campaign once when the run counted so
    campaigns_counted_once: bool
    source: str | None
    themes: list[ReportTheme]
    summary: list[SummarySentence]
    campaign_count: int

    @property
    def substantive(self) -> int:
        return self.answered - self.non_answers


def largest_first(themes: list[ThemeRow]) -> list[ThemeRow]:
    """A question's themes by the answers they hold, largest first, equal ones in the order they
    had; "Other" last whatever its size, since it holds what fits none of the others."""
    return sorted(themes, key=lambda row: (row.theme.is_other, -row.theme.count))


@dataclass(frozen=True)
class QuestionResults:
    """Every question's results as the dashboard counts them, free-text themes largest first."""

    run: AnalysisRun | None
    in_force: dict[int, QuestionThemes]
    closed: list[dashboard.ClosedResult]
    free_text: list[free_text.FreeTextResult]


def question_results(consultation: Consultation, *, with_sub_themes: bool = False) -> QuestionResults:
    """The dashboard's reads of the closed questions' results and the free-text questions' themes,
    counted now (not the dashboard's kept counts: a report or export says when it was made); with
    the run's sub-themes of large questions when asked, as the question's analysis page shows them."""
    questions = list(consultation.questions.select_related("explains").order_by("position"))
    run = AnalysisRun.objects.latest_succeeded_for(consultation)
    in_force = consultation_themes(consultation)
    results = free_text.free_text_results(consultation, questions, run, in_force)
    if with_sub_themes:
        results = sub_themes.with_sub_themes(results, run)
    return QuestionResults(
        run,
        in_force,
        dashboard.closed_results(consultation, questions),
        [replace(result, themes=largest_first(result.themes)) for result in results],
    )


def _quote_text(text: str, redacted_text: str, visibility: str) -> str:
    """The text a report may quote: a moderator's redaction when there is one, else the text with
    personal data replaced by the analysis, else (not yet processed) the text as sent."""
    if visibility == Answer.Visibility.REDACTED:
        return text
    return redacted_text or text


class ConsultationReport(TypedDict):
    submitted_count: int
    withdrawn_count: int
    individual_count: int
    organisation_count: int
    closed_results: list[ClosedResult]
    free_text_results: list[FreeTextResult]
    overall_summary: list[SummarySentence]
    run: AnalysisRun | None
    method_note: str
    generated_at: datetime


def consultation_report(consultation: Consultation) -> ConsultationReport:
    """Everything the printable report shows, in a fixed number of queries."""
    submitted_count, types, _ = respondent_types(consultation)
    by_type = {bar.value: bar.count for bar in types}
    results = question_results(consultation)
    run = results.run
    quotes = _theme_quotes(results.in_force)
    summaries: dict[int | None, list[SummarySentence]] = {}
    if run is not None:
        summaries = {s.question_id: s.sentences for s in QuestionSummary.objects.filter(run=run)}

    closed = [
        ClosedResult(
            result.question, result.answered, [(bar.label, bar.count, bar.share or 0.0) for bar in result.bars]
        )
        for result in results.closed
    ]
    written = []
    for result in results.free_text:
        themes = [
            ReportTheme(
                row.theme.label,
                row.theme.description,
                row.theme.count,
                row.share,
                row.theme.is_other,
                quotes.get((row.theme.source, row.theme.id), []),
            )
            for row in result.themes
        ]
        written.append(
            FreeTextResult(
                result.question,
                result.answered,
                result.non_answers,
                result.base,
                result.campaigns_counted_once,
                result.source,
                themes,
                summaries.get(result.question.pk, []),
                result.campaign_count,
            )
        )

    outcome = Outcome.objects.filter(consultation=consultation).first()
    return {
        "submitted_count": submitted_count,
        "withdrawn_count": consultation.responses.withdrawn().count(),
        "individual_count": by_type.get(Response.RespondentType.INDIVIDUAL, 0),
        "organisation_count": by_type.get(Response.RespondentType.ORGANISATION, 0),
        "closed_results": closed,
        "free_text_results": written,
        "overall_summary": summaries.get(None, []),
        "run": run,
        "method_note": outcome.method_note if outcome and outcome.method_note else default_method_note(consultation),
        "generated_at": timezone.now(),
    }


def _theme_quotes(in_force: dict[int, QuestionThemes]) -> dict[tuple[str, int], list[tuple[str, str]]]:
    """Up to three real answers per theme in force, never a hidden one: for reviewed themes the
    closest mapped answers, for candidates the run's representatives."""
    reviewed_ids = [t.id for qt in in_force.values() for t in qt.themes if t.source == "reviewed"]
    candidate_ids = [t.id for qt in in_force.values() for t in qt.themes if t.source == "candidate"]
    quotes: dict[tuple[str, int], list[tuple[str, str]]] = defaultdict(list)
    if reviewed_ids:
        rows = (
            ThemeMapping.objects.filter(Answer.counted_q("answer__"), theme_id__in=reviewed_ids, is_active=True)
            .exclude(Answer.non_answer_q("answer__"))
            .annotate(
                rank=Window(
                    RowNumber(),
                    partition_by=[F("theme_id")],
                    order_by=[F("similarity").desc(nulls_last=True), F("pk").asc()],
                )
            )
            .filter(rank__lte=QUOTES_PER_THEME)
            .order_by("theme_id", "rank")
            .values_list(
                "theme_id", "answer__response__reference", "answer__text", "answer__redacted_text", "answer__visibility"
            )
        )
        for theme_id, reference, text, redacted, visibility in rows:
            quotes[("reviewed", theme_id)].append((reference, _quote_text(text, redacted, visibility)))
    if candidate_ids:
        through = Theme.representatives.through
        rows = (
            through.objects.filter(Answer.counted_q("answer__"), theme_id__in=candidate_ids)
            .exclude(Answer.non_answer_q("answer__"))
            .order_by("theme_id", "pk")
            .values_list(
                "theme_id", "answer__response__reference", "answer__text", "answer__redacted_text", "answer__visibility"
            )
        )
        for theme_id, reference, text, redacted, visibility in rows:
            if len(quotes[("candidate", theme_id)]) < QUOTES_PER_THEME:
                quotes[("candidate", theme_id)].append((reference, _quote_text(text, redacted, visibility)))
    return quotes

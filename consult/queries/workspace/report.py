"""The printable summary report of a consultation, built from the dashboard's results.

Its counts are the dashboard's (`dashboard.respondent_types`, `dashboard.closed_results`,
`free_text.free_text_results`), so the report and the analysis pages can never disagree about how
many answered, which themes are in force or how many answers each holds. Two things are the
report's own, because it leaves the service on paper: shares of substantive answers, as its
tables say, and quotes in their redacted form (a moderator's redaction, else the analysis's),
for reviewed themes the answers the mapping placed closest to each theme.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
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
from consult.queries.outcome import default_method_note
from consult.queries.themes import QuestionThemes, consultation_themes
from consult.queries.workspace.dashboard import closed_results, respondent_types
from consult.queries.workspace.free_text import free_text_results

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
    share: float
    is_other: bool
    quotes: list[tuple[str, str]] = field(default_factory=list)  # (reference, text)


@dataclass
class FreeTextResult:
    question: Question
    answered: int
    non_answers: int  # of those answered, answers with nothing to say: in no theme
    source: str | None
    themes: list[ReportTheme]
    summary: list[SummarySentence]
    campaign_count: int

    @property
    def substantive(self) -> int:
        return self.answered - self.non_answers


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
    questions = list(consultation.questions.select_related("explains").order_by("position"))
    submitted_count, types, _ = respondent_types(consultation)
    by_type = {bar.value: bar.count for bar in types}
    run = AnalysisRun.objects.latest_succeeded_for(consultation)
    in_force = consultation_themes(consultation)
    quotes = _theme_quotes(in_force)
    summaries: dict[int | None, list[SummarySentence]] = {}
    if run is not None:
        summaries = {s.question_id: s.sentences for s in QuestionSummary.objects.filter(run=run)}

    closed = [
        ClosedResult(
            result.question, result.answered, [(bar.label, bar.count, bar.share or 0.0) for bar in result.bars]
        )
        for result in closed_results(consultation, questions)
        for bars in [result.bars]
    ]
    free_text = []
    for result in free_text_results(consultation, questions, run, in_force):
        themes = [
            ReportTheme(
                row.theme.label,
                row.theme.description,
                row.theme.count,
                row.theme.count / result.substantive if result.substantive else 0.0,
                row.theme.is_other,
                quotes.get((row.theme.source, row.theme.id), []),
            )
            for row in result.themes
        ]
        free_text.append(
            FreeTextResult(
                result.question,
                result.answered,
                result.non_answers,
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
        "free_text_results": free_text,
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

"""Reads of analysis results."""

from __future__ import annotations

from collections import defaultdict
from typing import TypedDict

from django.db.models import Case, When
from django.db.models.functions import Coalesce

from consult.json_types import JSONObject
from consult.models import (
    AnalysisRun,
    Answer,
    AuditEvent,
    CampaignMember,
    Consultation,
    LateAnswer,
    Question,
    QuestionSummary,
    Response,
    ReviewTheme,
    Theme,
    ThemeAssignment,
    ThemeMapping,
)
from consult.queries.counting import answer_counts
from consult.queries.themes import consultation_themes


class Arrivals(TypedDict):
    arrived_since_run: int
    arrived_since_run_fitting_no_theme: float | None  # a share, 0 to 1; None when none was checked


class CitedSentence(TypedDict):
    text: str
    source: str
    references: list[str]
    external_ids: list[str]


class ExportedTheme(TypedDict):
    id: int
    label: str
    label_source: str
    description: str
    keywords: list[str]
    count: int


class ExportedReviewedTheme(TypedDict):
    id: int
    label: str
    description: str
    source: str


class ExportedResponse(TypedDict):
    external_id: str
    reference: str
    substantive: bool
    themes: list[int]
    mapped_themes: list[int]
    campaign: int | None


class ExportedQuestion(TypedDict):
    text: str
    non_answers: int
    themes: list[ExportedTheme]
    summary: list[CitedSentence]
    reviewed_themes: list[ExportedReviewedTheme]
    responses: list[ExportedResponse]


class Change(TypedDict):
    at: str
    by: str
    action: str
    object: str
    before: JSONObject
    after: JSONObject


class AnalysisExport(Arrivals):
    consultation: str
    run: int
    campaigns_counted: str
    summary: list[CitedSentence]
    questions: list[ExportedQuestion]
    changes: list[Change]


def analysis_export(consultation: Consultation) -> AnalysisExport | None:
    """The latest succeeded run's themes and each response's place in them, per free-text question.

    Counts follow the run's choice of counting each campaign once or every copy, which the export
    names. Answers that arrived after the run carry the themes they were placed in on arrival.
    Each question carries its count of answers with nothing to say (`non_answers`), its summary
    with the responses each sentence cites, and, once officials' themes are in force, those
    themes (`reviewed_themes`) and each response's place in them (`mapped_themes`, best first;
    empty for Other). `changes` lists every audited human change to the consultation's analysis.
    """
    run = AnalysisRun.objects.latest_succeeded_for(consultation)
    if run is None:
        return None
    campaigns_once = run.parameters.get("count_campaigns_once", True)
    themes_by_question: dict[int, list[Theme]] = defaultdict(list)
    for theme in Theme.objects.filter(run=run).order_by("question__position", "key"):
        themes_by_question[theme.question_id].append(theme)
    themes_of: dict[int, list[int]] = defaultdict(list)
    for answer_id, theme_id in (
        ThemeAssignment.objects.filter(theme__run=run)
        .order_by("answer_id", "rank")
        .values_list("answer_id", "theme_id")
    ):
        themes_of[answer_id].append(theme_id)
    campaign_of = dict(CampaignMember.objects.filter(campaign__run=run).values_list("answer_id", "campaign_id"))
    summaries = {summary.question_id: summary for summary in QuestionSummary.objects.filter(run=run)}
    external_id_of = dict(
        Response.objects.filter(consultation=consultation).submitted().values_list("reference", "external_id")
    )
    in_force = consultation_themes(consultation)
    free_text = list(consultation.questions.filter(kind=Question.Kind.FREE_TEXT).order_by("position"))
    counts = answer_counts([question.pk for question in free_text])
    questions: list[ExportedQuestion] = []
    for question in free_text:
        answers = list(
            Answer.objects.filter(question=question)
            .submitted()
            .exclude(text="")
            .annotate(is_non_answer=Case(When(Answer.non_answer_q(), then=True), default=False))
            .order_by("response__submitted_at", "pk")
            .values_list("pk", "response__reference", "response__external_id", "is_non_answer")
        )
        reviewed = in_force[question.pk].source == "reviewed"
        mapped = _mapped_themes(question) if reviewed else {}
        questions.append(
            {
                "text": question.text,
                # Answers with nothing to say ("N/A", "See above"): counted apart, in no theme.
                "non_answers": counts[question.pk].non_answers,
                "themes": [
                    {
                        "id": theme.pk,
                        "label": theme.label,
                        "label_source": theme.label_source,
                        "description": theme.description,
                        "keywords": theme.keywords,
                        "count": theme.campaign_once_count if campaigns_once else theme.answer_count,
                    }
                    for theme in themes_by_question[question.pk]
                ],
                "summary": _cited_sentences(summaries.get(question.pk), external_id_of),
                "reviewed_themes": _reviewed_themes(question) if reviewed else [],
                "responses": [
                    {
                        "external_id": external_id,
                        "reference": reference,
                        "substantive": not is_non_answer,
                        "themes": themes_of.get(answer_id, []),
                        "mapped_themes": mapped.get(answer_id, []),
                        "campaign": campaign_of.get(answer_id),
                    }
                    for answer_id, reference, external_id, is_non_answer in answers
                ],
            }
        )
    return {
        "consultation": consultation.slug,
        "run": run.pk,
        "campaigns_counted": "once" if campaigns_once else "every copy",
        **arrivals_since(run),
        "summary": _cited_sentences(summaries.get(None), external_id_of),
        "questions": questions,
        "changes": _changes(consultation),
    }


def _cited_sentences(summary: QuestionSummary | None, external_id_of: dict[str, str]) -> list[CitedSentence]:
    """A run's summary as sentences, each with the responses it cites by reference and external id."""
    if summary is None:
        return []
    return [
        {
            "text": sentence["text"],
            "source": summary.source,
            "references": sentence["references"],
            "external_ids": [external_id_of[ref] for ref in sentence["references"] if external_id_of.get(ref)],
        }
        for sentence in summary.sentences
    ]


def _reviewed_themes(question: Question) -> list[ExportedReviewedTheme]:
    return [
        {"id": pk, "label": label, "description": description, "source": source}
        for pk, label, description, source in ReviewTheme.objects.filter(theme_set__question=question, is_other=False)
        .order_by("position", "pk")
        .values_list("pk", "label", "description", "source")
    ]


def _mapped_themes(question: Question) -> dict[int, list[int]]:
    """Each answer's reviewed themes in force, best first: an official's placements, then the
    mapping's by its probability. Other is left out: an answer with none is in Other."""
    mapped: dict[int, list[int]] = defaultdict(list)
    rows = (
        ThemeMapping.objects.filter(theme__theme_set__question=question, is_active=True, theme__is_other=False)
        .annotate(
            by_official=Case(When(source=ThemeMapping.Source.OFFICIAL, then=0), default=1),
            strength=Coalesce("similarity", 0.0),
        )
        .order_by("answer_id", "by_official", "-strength", "theme__position")
        .values_list("answer_id", "theme_id")
    )
    for answer_id, theme_id in rows:
        mapped[answer_id].append(theme_id)
    return dict(mapped)


def _changes(consultation: Consultation) -> list[Change]:
    """Who changed what in the consultation's analysis and review, oldest first."""
    return [
        {
            "at": event.created_at.isoformat(),
            "by": event.actor.email if event.actor else "the system",
            "action": event.action,
            "object": f"{event.object_type} {event.object_id}".strip(),
            "before": event.before,
            "after": event.after,
        }
        for event in AuditEvent.objects.filter(consultation=consultation)
        .select_related("actor")
        .order_by("created_at", "pk")
    ]


def arrivals_since(run: AnalysisRun) -> Arrivals:
    """How many answers arrived (or changed) since the run read them, and what share of those the
    current themes could not place: the signal that it is time to run the analysis again."""
    arrived = (
        Answer.objects.filter(
            response__consultation=run.consultation,
            question__kind=Question.Kind.FREE_TEXT,
            updated_at__gt=run.started_at,
        )
        .submitted()
        .exclude(text="")
        .count()
    )
    placed = LateAnswer.objects.filter(run=run)
    checked = placed.count()
    fits_none = placed.filter(fits_none=True).count()
    return {
        "arrived_since_run": arrived,
        "arrived_since_run_fitting_no_theme": round(fits_none / checked, 3) if checked else None,
    }

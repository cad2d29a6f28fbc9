"""Reads of analysis results."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Case, Value, When

from consult.models import (
    AnalysisRun,
    Answer,
    CampaignMember,
    Consultation,
    LateAnswer,
    Question,
    Theme,
    ThemeAssignment,
)
from consult.queries_counting import answer_counts


def analysis_export(consultation: Consultation) -> dict[str, object] | None:
    """The latest succeeded run's themes and each response's place in them, per free-text question.

    Counts follow the run's choice of counting each campaign once or every copy, which the export
    names. Answers that arrived after the run carry the themes they were placed in on arrival.
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
    free_text = list(consultation.questions.filter(kind=Question.Kind.FREE_TEXT).order_by("position"))
    counts = answer_counts([question.pk for question in free_text])
    questions = []
    for question in free_text:
        answers = (
            Answer.objects.filter(question=question, response__status="submitted")
            .exclude(text="")
            .annotate(is_substantive=Case(When(Answer.non_answer_q(), then=Value(False)), default=Value(True)))
            .order_by("response__submitted_at", "pk")
            .values_list("pk", "response__reference", "response__external_id", "is_substantive")
        )
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
                        "keywords": theme.keywords,
                        "count": theme.campaign_once_count if campaigns_once else theme.answer_count,
                    }
                    for theme in themes_by_question[question.pk]
                ],
                "responses": [
                    {
                        "external_id": external_id,
                        "reference": reference,
                        "themes": themes_of.get(answer_id, []),
                        "campaign": campaign_of.get(answer_id),
                        "substantive": is_substantive,
                    }
                    for answer_id, reference, external_id, is_substantive in answers
                ],
            }
        )
    return {
        "consultation": consultation.slug,
        "run": run.pk,
        "campaigns_counted": "once" if campaigns_once else "every copy",
        **arrivals_since(run),
        "questions": questions,
    }


def arrivals_since(run: AnalysisRun) -> dict[str, object]:
    """How many answers arrived (or changed) since the run read them, and what share of those the
    current themes could not place: the signal that it is time to run the analysis again."""
    arrived = (
        Answer.objects.filter(
            response__consultation=run.consultation,
            response__status="submitted",
            question__kind=Question.Kind.FREE_TEXT,
            updated_at__gt=run.started_at,
        )
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

"""Analysis runs: request one, run it (in a worker), and process answers as they arrive.

The pure pipeline lives in `consult.analysis`; this module loads rows for it and writes back what
it returns. A run's results are written in the transaction that marks it succeeded.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Iterable
from decimal import Decimal

import numpy as np
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from consult import task_names
from consult.analysis import embedding as embedding_lib
from consult.analysis import language, llm, non_answers, redaction, themes
from consult.analysis.pipeline import QuestionInput, QuestionResult, analyse_question, summarise_consultation
from consult.analysis.types import AnswerText, Summary
from consult.models import (
    AnalysisRun,
    Answer,
    AnswerEmbedding,
    Campaign,
    CampaignMember,
    Consultation,
    LateAnswer,
    Question,
    QuestionSummary,
    Theme,
    ThemeAssignment,
    User,
)
from consult.models.analysis import SummarySentence
from consult.services import moderation, outbox, recounts
from consult.services.audit import record
from consult.services.run_claims import ClaimLost, Heartbeat, claim_run, owned, set_stage

logger = logging.getLogger(__name__)


# --- Requesting -------------------------------------------------------------------------------


class AnalysisAlreadyRunning(Exception):
    """A run of the consultation is already queued or running: it is the one to follow."""

    def __init__(self, run: AnalysisRun) -> None:
        super().__init__(f"Analysis run {run.pk} is already {run.status}.")
        self.run = run


def request_analysis(
    consultation: Consultation,
    *,
    actor: User | None = None,
    max_themes: int | None = None,
    count_campaigns_once: bool = True,
) -> AnalysisRun:
    """Queue a run of the analysis; a worker picks it up once the transaction commits. The request
    is on the audit trail, as `actor`'s (None: from the command line), in the same transaction.

    One run at a time: the consultation's row is locked while this looks for a run already queued
    or running, so two officials pressing the button at once (or an official and `manage.py
    analyse`) queue one run; the other gets AnalysisAlreadyRunning with the run to follow.
    """
    with transaction.atomic():
        Consultation.objects.select_for_update().filter(pk=consultation.pk).first()
        running = (
            AnalysisRun.objects.filter(
                consultation=consultation, status__in=[AnalysisRun.Status.QUEUED, AnalysisRun.Status.RUNNING]
            )
            .order_by("-created_at", "-pk")
            .first()
        )
        if running is not None:
            raise AnalysisAlreadyRunning(running)
        previous = AnalysisRun.objects.latest_succeeded_for(consultation)
        run = AnalysisRun.objects.create(
            consultation=consultation,
            parameters={
                "max_themes": max_themes or settings.ANALYSIS_MAX_THEMES,
                "seed": settings.ANALYSIS_SEED,
                "count_campaigns_once": count_campaigns_once,
            },
        )
        record(
            consultation,
            actor,
            "analysis.request",
            run,
            after={"run": run.pk, "previous_run": previous.pk if previous else None, **run.parameters},
        )
        outbox.send_on_commit(task_names.RUN_ANALYSIS, run.pk)
    return run


# --- Answers: redaction and embeddings --------------------------------------------------------


def analysable_answers(consultation: Consultation) -> Iterable[Answer]:
    """Free-text answers of submitted responses: withdrawn and draft responses are never analysed,
    nor answers a moderator hid."""
    return (
        Answer.objects.filter(response__consultation=consultation, question__kind=Question.Kind.FREE_TEXT)
        .counted()
        .select_related("response")
        .order_by("pk")
    )


def redact_answers(answers: Iterable[Answer]) -> int:
    """Redact every answer not yet redacted by the current rules, mark the language it is written
    in, and whether it says nothing of substance (a changed answer is redacted again, so both
    follow it; a new non-answer rule reads every answer again). Returns how many were stale."""
    stale = [
        answer
        for answer in answers
        if answer.redaction_version != redaction.REDACTION_VERSION
        or answer.non_answer_version != non_answers.NON_ANSWERS_VERSION
    ]
    for answer in stale:
        if answer.redaction_version != redaction.REDACTION_VERSION:
            result = redaction.redact(answer.text)
            answer.redacted_text = result.text
            answer.has_personal_data = result.has_personal_data
            answer.redaction_version = redaction.REDACTION_VERSION
            answer.language = language.detect_language(answer.text)
        # The redacted text is what the analysis reads; placeholders for personal data never make
        # an answer substantive or empty, so it judges the same as the original.
        answer.non_answer_detected = non_answers.is_non_answer(answer.redacted_text)
        answer.non_answer_version = non_answers.NON_ANSWERS_VERSION
    Answer.objects.bulk_update(
        stale,
        [
            "redacted_text",
            "has_personal_data",
            "redaction_version",
            "language",
            "non_answer_detected",
            "non_answer_version",
        ],
        batch_size=1000,
    )
    return len(stale)


def _text_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def embeddings_for(answers: list[Answer], embedder: embedding_lib.Embedder) -> np.ndarray:
    """The answers' embeddings, computing and storing only those missing for this model or whose
    redacted text changed since they were computed."""
    stored = {
        row.answer_id: row
        for row in AnswerEmbedding.objects.filter(answer__in=[a.pk for a in answers], model_name=embedder.name)
    }
    missing = [
        answer
        for answer in answers
        if answer.pk not in stored or stored[answer.pk].text_hash != _text_hash(answer.redacted_text)
    ]
    if missing:
        vectors = embedder.encode([answer.redacted_text for answer in missing])
        rows = [
            AnswerEmbedding(
                answer=answer,
                model_name=embedder.name,
                dimensions=embedder.dimensions,
                vector=embedding_lib.to_bytes(vector),
                text_hash=_text_hash(answer.redacted_text),
            )
            for answer, vector in zip(missing, vectors, strict=True)
        ]
        AnswerEmbedding.objects.bulk_create(
            rows,
            batch_size=1000,
            update_conflicts=True,
            unique_fields=["answer", "model_name"],
            update_fields=["vector", "dimensions", "text_hash"],
        )
        stored.update({row.answer_id: row for row in rows})
    if not answers:
        return np.zeros((0, embedder.dimensions), dtype=np.float32)
    return np.vstack([embedding_lib.from_bytes(stored[a.pk].vector, embedder.dimensions) for a in answers])


def language_model() -> llm.LanguageModel | None:
    """The configured language model, or None to use the offline extractive path."""
    model_settings = llm.ModelSettings.from_env({name: str(getattr(settings, name, "")) for name in llm.ENV_VARIABLES})
    return llm.OpenAIChatModel(model_settings) if model_settings else None


# --- Running ----------------------------------------------------------------------------------


def run_analysis(run_id: int) -> AnalysisRun | None:
    """Run a queued analysis from start to finish. Returns None when another worker holds it.

    Any failure marks the run failed with the error and leaves the previous results in place.
    """
    run = claim_run(run_id)
    if run is None:
        logger.info("analysis run %s is not claimable (finished or held by a live worker)", run_id)
        return None
    try:
        with Heartbeat(run, every=settings.ANALYSIS_HEARTBEAT_SECONDS):
            _run(run)
    except ClaimLost:
        # Another execution holds the run now and will finish it: write nothing, fail nothing.
        logger.warning("analysis run %s: another execution claimed it; this one stops", run.pk)
        return None
    except Exception as error:
        logger.exception("analysis run %s failed", run.pk)
        # Only while this execution holds the run: a stale one never fails a run another finished.
        owned(run).update(
            status=AnalysisRun.Status.FAILED, error=f"{type(error).__name__}: {error}", finished_at=timezone.now()
        )
        raise
    return AnalysisRun.objects.get(pk=run.pk)


def _run(run: AnalysisRun) -> None:
    timings: dict[str, float] = {}
    consultation = run.consultation

    started = time.perf_counter()
    set_stage(run, AnalysisRun.Stage.REDACTING, 5)
    answers = list(analysable_answers(consultation))
    redact_answers(answers)
    timings["redaction"] = time.perf_counter() - started

    started = time.perf_counter()
    set_stage(run, AnalysisRun.Stage.EMBEDDING, 10)
    embedder = embedding_lib.load_embedder(settings.EMBEDDING_MODEL or None)
    vectors = embeddings_for(answers, embedder)
    timings["embedding"] = time.perf_counter() - started

    model = language_model()
    questions = list(consultation.questions.filter(kind=Question.Kind.FREE_TEXT).order_by("position"))
    agreement = _agreement_by_response(consultation)
    results: list[QuestionResult] = []
    for number, question in enumerate(questions):
        # Non-answers ("N/A", "See above") are counted apart: never clustered, so never in a theme,
        # a campaign or a quote. Moderation below still reads every answer.
        indexes = [
            i for i, answer in enumerate(answers) if answer.question_id == question.pk and not answer.is_non_answer
        ]
        question_input = QuestionInput(
            question_id=question.pk,
            text=question.text,
            answers=[_answer_text(answers[i]) for i in indexes],
            embeddings=vectors[indexes] if indexes else vectors[:0],
            agreement={
                answers[i].pk: agreement[(answers[i].response_id, question.explains_id)]
                for i in indexes
                if (answers[i].response_id, question.explains_id) in agreement
            },
        )
        share = 15 + int(70 * number / max(len(questions), 1))
        result = analyse_question(
            question_input,
            model=model,
            max_themes=run.parameters["max_themes"],
            seed=run.parameters["seed"],
            count_campaigns_once=run.parameters.get("count_campaigns_once", True),
            progress=lambda stage, share=share: set_stage(run, stage, share),
            encode=embedder.encode,
        )
        results.append(result)
        for stage, seconds in result.timings.items():
            timings[stage] = timings.get(stage, 0.0) + seconds

    started = time.perf_counter()
    set_stage(run, AnalysisRun.Stage.SUMMARIES, 88)
    texts = {answer.pk: _answer_text(answer) for answer in answers if not answer.is_non_answer}
    overall, overall_usage = summarise_consultation(
        consultation.title,
        results,
        texts,
        model=model,
        count_campaigns_once=run.parameters.get("count_campaigns_once", True),
    )
    timings["consultation_summary"] = time.perf_counter() - started

    started = time.perf_counter()
    set_stage(run, AnalysisRun.Stage.SAVING, 95)
    _save_results(run, results, overall, overall_usage, answers, embedder, model, timings, started)


def _answer_text(answer: Answer) -> AnswerText:
    return AnswerText(id=answer.pk, text=answer.redacted_text, reference=answer.response.reference)


def _agreement_by_response(consultation: Consultation) -> dict[tuple[int, int], int]:
    rows = Answer.objects.filter(
        response__consultation=consultation, question__kind=Question.Kind.AGREEMENT, agreement__isnull=False
    ).values_list("response_id", "question_id", "agreement")
    return {(response_id, question_id): point for response_id, question_id, point in rows}


@transaction.atomic
def _save_results(
    run: AnalysisRun,
    results: list[QuestionResult],
    overall: Summary,
    overall_usage: llm.Usage,
    answers: list[Answer],
    embedder: embedding_lib.Embedder,
    model: llm.LanguageModel | None,
    timings: dict[str, float],
    started: float,
) -> None:
    # The results are switched in only by the execution that holds the run, checked under a row
    # lock for the whole transaction: a stale execution's results roll back.
    if not owned(run).select_for_update().exists():
        raise ClaimLost(f"analysis run {run.pk} was claimed by another execution before saving")
    reference_of = {answer.pk: answer.response.reference for answer in answers}
    campaign_copies: dict[int, str] = {}
    usage = overall_usage
    dropped = getattr(overall, "dropped_quotes", 0)
    dropped_figures = getattr(overall, "dropped_figures", 0)
    dropped_unsafe = getattr(overall, "dropped_unsafe", 0)
    for result in results:
        usage = usage + result.usage
        dropped += result.summary.dropped_quotes
        dropped_figures += result.summary.dropped_figures
        dropped_unsafe += result.summary.dropped_unsafe
        theme_rows = {}
        for index, theme in enumerate(result.themes):
            row = Theme.objects.create(
                run=run,
                question_id=result.question_id,
                key=theme.key,
                label=theme.label,
                description=theme.description,
                label_source=theme.label_source.value,
                keywords=list(theme.keywords),
                answer_count=result.counts.get(theme.key, 0),
                campaign_once_count=result.campaign_once_counts.get(theme.key, 0),
                centroid=embedding_lib.to_bytes(result.centroids[index]),
                threshold=float(result.thresholds[index]),
                agreement_counts={str(k): v for k, v in result.agreement_counts.get(theme.key, {}).items()},
            )
            row.representatives.set(theme.representative_ids)
            theme_rows[theme.key] = row
        ThemeAssignment.objects.bulk_create(
            [
                ThemeAssignment(theme=theme_rows[key], answer_id=assignment.answer_id, rank=rank)
                for assignment in result.assignments
                for rank, key in enumerate(assignment.theme_keys)
            ],
            batch_size=2000,
        )
        for campaign in result.campaigns:
            campaign_row = Campaign.objects.create(
                run=run,
                question_id=result.question_id,
                key=campaign.key,
                canonical_answer_id=campaign.canonical_id,
                member_count=campaign.count,
            )
            CampaignMember.objects.bulk_create(
                [
                    CampaignMember(campaign=campaign_row, answer_id=member, addition=campaign.additions.get(member, ""))
                    for member in campaign.member_ids
                ],
                batch_size=2000,
            )
            # The campaign's own original is not flagged, only the copies of it.
            detail = moderation.campaign_copy_detail(campaign.count)
            campaign_copies.update(
                {member: detail for member in campaign.member_ids if member != campaign.canonical_id}
            )
        QuestionSummary.objects.create(
            run=run,
            question_id=result.question_id,
            sentences=_cited(result.summary, reference_of),
            source=result.summary.source.value,
        )
    QuestionSummary.objects.create(
        run=run, question=None, sentences=_cited(overall, reference_of), source=overall.source
    )
    moderation.flag_answers(answers, campaign_copies=campaign_copies)
    _place_arrivals(run, answers, embedder)
    timings["saving"] = time.perf_counter() - started
    owned(run).update(
        status=AnalysisRun.Status.SUCCEEDED,
        error="",
        stage=AnalysisRun.Stage.DONE,
        progress=100,
        finished_at=timezone.now(),
        answers_analysed=len(answers),
        timings={stage: round(seconds, 3) for stage, seconds in timings.items()},
        versions={
            "embedding_model": embedder.name,
            "themes": themes.THEMES_VERSION,
            "redaction": redaction.REDACTION_VERSION,
            "prompt": llm.PROMPT_VERSION,
            "language_model": model.name if model else "",
        },
        llm_calls=usage.calls,
        prompt_tokens=usage.prompt_tokens,
        completion_tokens=usage.completion_tokens,
        estimated_cost=Decimal(str(round(usage.estimated_cost, 4))),
        dropped_quotes=dropped,
        dropped_figures=dropped_figures,
        dropped_unsafe=dropped_unsafe,
        rejected_labels=usage.rejected_labels,
    )
    # The dashboards' counts for the new themes, ready before any official opens them.
    recounts.after_change(run.consultation_id)


def _place_arrivals(run: AnalysisRun, analysed: list[Answer], embedder: embedding_lib.Embedder) -> None:
    """Place the answers that arrived (or changed) while the run was working in its new themes, as
    they would have been placed on arrival had the run already finished: without this they would
    drop out of the themes until the next run. Runs in the transaction that saves the run."""
    read = {answer.pk: answer.updated_at for answer in analysed}
    arrivals = [
        answer
        for answer in analysable_answers(run.consultation)
        if answer.pk not in read or answer.updated_at != read[answer.pk]
    ]
    if arrivals:
        redact_answers(arrivals)
        place_late_answers(run, arrivals, embeddings_for(arrivals, embedder))


def place_late_answers(run: AnalysisRun, answers: list[Answer], vectors: np.ndarray) -> None:
    """Place answers the run did not read (as they are now) in its themes, by the stored centroids
    and thresholds, recording each as a late answer. A non-answer is placed nowhere, and loses any
    place an earlier text of it had; an answer placed again loses its old place, so that no answer
    is counted twice."""
    by_question: dict[int, list[Theme]] = {}
    for theme in Theme.objects.filter(run=run).order_by("question_id", "key"):
        by_question.setdefault(theme.question_id, []).append(theme)
    with transaction.atomic():
        for answer, vector in zip(answers, vectors, strict=True):
            ThemeAssignment.objects.filter(answer=answer, theme__run=run).delete()
            question_themes = by_question.get(answer.question_id, [])
            if answer.is_non_answer:
                LateAnswer.objects.filter(run=run, answer=answer).delete()
                continue
            if not question_themes:
                continue
            keys = themes.assign_answers(
                np.vstack([embedding_lib.from_bytes(t.centroid, len(vector)) for t in question_themes]),
                vector.reshape(1, -1),
                thresholds=np.array([t.threshold for t in question_themes], dtype=np.float32),
                keys=[t.key for t in question_themes],
            )[0]
            by_key = {t.key: t for t in question_themes}
            ThemeAssignment.objects.bulk_create(
                [
                    ThemeAssignment(theme=by_key[key], answer=answer, rank=rank, is_late=True)
                    for rank, key in enumerate(keys)
                ]
            )
            LateAnswer.objects.update_or_create(run=run, answer=answer, defaults={"fits_none": not keys})


def _cited(summary: Summary, reference_of: dict[int, str]) -> list[SummarySentence]:
    return [
        {"text": sentence.text, "references": [reference_of[i] for i in sentence.answer_ids if i in reference_of]}
        for sentence in summary.sentences
    ]

"""Analysis runs: request one, and start it in a worker.

The pure pipeline lives in `consult.analysis`. A run starts here: it brings redaction and
embeddings up to date, then sends the rest to the workers as pieces of work
(`consult.services.run_chunks`): scanning each question's answers for campaigns, finding each
question's themes, placing every other answer, the sub-themes and the finishing step. The run's
results are switched in by the transaction that marks it succeeded: until then pages show the
previous run.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import transaction

from consult import task_names
from consult.analysis import llm
from consult.models import AnalysisRun, Consultation, Question, User
from consult.services import embeddings, outbox, run_chunks
from consult.services.audit import record
from consult.services.run_claims import ClaimLost, Heartbeat, claim_run, set_stage

# What arrivals, the mapping and the data-rights commands read through this module.
from consult.services.run_finish import place_late_answers
from consult.services.run_inputs import (
    analysable_answers,
    language_model,
    question_answer_ids,
    redact_answers,
    redact_stale,
)

__all__ = [
    "AnalysisAlreadyRunning",
    "analysable_answers",
    "language_model",
    "place_late_answers",
    "redact_answers",
    "request_analysis",
    "run_analysis",
]

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


# --- Running ---------------------------------------------------------------------------------


def run_analysis(run_id: int) -> AnalysisRun | None:
    """Start a queued analysis run: redact and make sure every answer is embedded, then hand the
    rest to the workers (`consult.services.run_chunks`), whose last piece switches the run's
    results in. Returns the run as it stands (finished, when the pieces ran in this process), or
    None when another worker holds it.

    Any failure marks the run failed with the error, removes what it had written and leaves the
    previous results in place.
    """
    run = claim_run(run_id)
    if run is None:
        logger.info("analysis run %s is not claimable (finished or held by a live worker)", run_id)
        return None
    try:
        with Heartbeat(run, every=settings.ANALYSIS_HEARTBEAT_SECONDS):
            scans, then = _prepare(run)
    except ClaimLost:
        # Another execution holds the run now and will finish it: write nothing, fail nothing.
        logger.warning("analysis run %s: another execution claimed it; this one stops", run.pk)
        return None
    except Exception as error:
        logger.exception("analysis run %s failed", run.pk)
        run_chunks.fail(run, error)
        raise
    if scans:
        run_chunks.send_wave(run, scans, then=then)
    else:
        run_chunks.send_wave(run, then)
    return AnalysisRun.objects.get(pk=run.pk)


def _prepare(run: AnalysisRun) -> tuple[list[run_chunks.Piece], list[run_chunks.Piece]]:
    """Everything a run does before its pieces: returns the first wave (scanning each question's
    answers for campaigns) and the second, as far as it is known (each question's themes, and
    screening every answer for moderation, which needs nothing the run finds)."""
    consultation = run.consultation
    run_chunks.discard_results(run)
    clock = run_chunks.StageClock(run)

    set_stage(run, AnalysisRun.Stage.REDACTING, 5)
    analysable_ids = redact_stale(consultation)
    clock.lap("redaction")

    set_stage(run, AnalysisRun.Stage.EMBEDDING, 10)
    embedder = embeddings.configured_embedder()
    embeddings.ensure_embedded(
        consultation.pk,
        embedder,
        lambda done, total: set_stage(run, AnalysisRun.Stage.EMBEDDING, 10 + (5 * done // total if total else 0)),
    )
    clock.lap("embedding")

    scans: list[run_chunks.Piece] = []
    themes: list[run_chunks.Piece] = []
    for question in consultation.questions.filter(kind=Question.Kind.FREE_TEXT).order_by("position"):
        ids = question_answer_ids(question.pk)
        if ids:
            scans.extend(run_chunks.campaign_pieces(question.pk, ids))
            themes.append(run_chunks.Piece("themes", question.pk, last=ids[-1]))
    run_chunks.add_usage(run, llm.Usage(), answers_analysed=len(analysable_ids))
    clock.save()
    return scans, themes + run_chunks.flag_pieces(analysable_ids)

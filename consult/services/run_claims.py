"""An analysis run's hold on the worker running it: claiming, the execution token every later
write names, the heartbeat, and sending again the runs whose task was lost.

A run is claimed atomically with a new execution token; a run whose worker stops reporting for
ANALYSIS_STALE_SECONDS can be claimed again, and the execution that held it before can then
write nothing more (`owned` is empty for it, `set_stage` raises `ClaimLost`).
"""

from __future__ import annotations

import logging
import threading
import uuid
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, close_old_connections
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from consult import task_names
from consult.models import AnalysisRun
from consult.services import outbox

logger = logging.getLogger(__name__)


def requeue_lost_runs() -> list[int]:
    """Send again the runs whose task message was lost: queued for longer than a worker would
    take to start them (the broker restarted without keeping its queue), or running with a silent
    worker. Claiming is atomic, so a run whose first message does turn up is still run once."""
    waited_too_long = timezone.now() - timedelta(seconds=settings.ANALYSIS_STALE_SECONDS)
    lost = list(
        AnalysisRun.objects.filter(
            Q(status=AnalysisRun.Status.QUEUED, created_at__lt=waited_too_long) | AnalysisRun.claimable()
        )
        .exclude(status=AnalysisRun.Status.QUEUED, created_at__gte=waited_too_long)
        .values_list("pk", flat=True)
    )
    for run_id in lost:
        outbox.send_on_commit(task_names.RUN_ANALYSIS, run_id)
    return lost


class ClaimLost(Exception):
    """Another execution claimed this run (this one's worker went silent for too long): this one
    must stop without writing anything more."""


def claim_run(run_id: int) -> AnalysisRun | None:
    """Mark the run as running under a new execution token, unless another worker holds it.
    Atomic: two workers handed the same run (a redelivered task) cannot both claim it."""
    now = timezone.now()
    token = uuid.uuid4().hex
    claimed = AnalysisRun.objects.filter(AnalysisRun.claimable(), pk=run_id).update(
        status=AnalysisRun.Status.RUNNING,
        started_at=now,
        heartbeat_at=now,
        error="",
        execution=token,
        attempts=F("attempts") + 1,
    )
    if not claimed:
        return None
    return AnalysisRun.objects.select_related("consultation").get(pk=run_id)


def owned(run: AnalysisRun) -> QuerySet[AnalysisRun]:
    """The run, while this execution still holds it (empty once another has claimed it)."""
    return AnalysisRun.objects.filter(pk=run.pk, execution=run.execution, status=AnalysisRun.Status.RUNNING)


class Heartbeat:
    """Tells the database every few seconds that the run's execution is alive, so that a run whose
    worker was killed can be told apart from one that is merely slow. A database error (a restart,
    a dropped connection) skips one beat instead of ending the heartbeat; finding the run claimed
    by another execution sets `lost`, which the run checks at its next stage."""

    def __init__(self, run: AnalysisRun, every: float) -> None:
        self.run = run
        self.every = every
        self.lost = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, daemon=True)

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=self.every + 5)

    def beat(self) -> None:
        """One beat: note that the execution is alive, or that it lost the run."""
        from django.db import connection

        try:
            if not owned(self.run).update(heartbeat_at=timezone.now()):
                self.lost.set()
        except DatabaseError as error:
            logger.warning("analysis run %s: heartbeat skipped (%s)", self.run.pk, error)
            connection.close()  # a fresh connection at the next beat

    def _beat(self) -> None:
        try:
            while not self._stop.wait(self.every) and not self.lost.is_set():
                self.beat()
        finally:
            close_old_connections()
            from django.db import connection

            connection.close()


def set_stage(run: AnalysisRun, stage: str, progress: int) -> None:
    """Record the stage, and stop the run if this execution no longer holds it."""
    run.stage = stage
    run.progress = progress
    if not owned(run).update(stage=stage, progress=progress, heartbeat_at=timezone.now()):
        raise ClaimLost(f"analysis run {run.pk} was claimed by another execution")

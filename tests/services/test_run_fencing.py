"""One run, one execution (issue 12): a worker whose claim was taken over stops and writes
nothing, never fails the run another execution finishes, and its heartbeat survives a database
blip instead of dying while the run goes on."""

from datetime import timedelta
from unittest import mock

import pytest
from django.db import OperationalError
from django.test import override_settings
from django.utils import timezone

from consult.models import AnalysisRun, Theme
from consult.services import run_chunks, run_claims, run_finish, runs
from consult.services.imports import import_responses
from tests import corpus

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def consultation():
    from consult.models import Consultation

    rows = [{"id": f"e{n}", "text": text} for n, (_, text) in enumerate(corpus.answers(per_subject=15))]
    import_responses(rows, slug="fenced", text_column="text", id_column="id")
    return Consultation.objects.get(slug="fenced")


def _go_silent(run: AnalysisRun) -> None:
    """As if the run's worker had stopped reporting long ago."""
    AnalysisRun.objects.filter(pk=run.pk).update(heartbeat_at=timezone.now() - timedelta(days=1))


def test_a_second_claim_takes_the_run_and_the_first_execution_can_write_nothing(consultation) -> None:
    queued = AnalysisRun.objects.create(consultation=consultation)
    first = run_claims.claim_run(queued.pk)
    assert run_claims.claim_run(queued.pk) is None  # held by a live execution
    _go_silent(first)
    second = run_claims.claim_run(queued.pk)

    assert second is not None and second.execution != first.execution and second.attempts == 2
    with pytest.raises(run_claims.ClaimLost):
        run_claims.set_stage(first, AnalysisRun.Stage.EMBEDDING, 10)
    run_claims.set_stage(second, AnalysisRun.Stage.EMBEDDING, 10)  # the holder writes on
    assert AnalysisRun.objects.get(pk=queued.pk).stage == AnalysisRun.Stage.EMBEDDING


def test_a_stale_execution_stops_and_the_new_one_finishes_the_run_cleanly(consultation) -> None:
    queued = AnalysisRun.objects.create(consultation=consultation, parameters={"max_themes": 100, "seed": 42})
    stale = run_claims.claim_run(queued.pk)
    _go_silent(stale)
    # While the stale execution was silent, beat sent the run again and another worker finished it.
    finished = runs.run_analysis(queued.pk)
    assert finished is not None and finished.status == AnalysisRun.Status.SUCCEEDED
    themes = Theme.objects.filter(run=queued).count()
    assert themes

    # The stale execution wakes up: it may neither save results, nor mark the run failed.
    with pytest.raises(run_claims.ClaimLost):
        run_claims.set_stage(stale, AnalysisRun.Stage.SAVING, 95)
    with pytest.raises(run_claims.ClaimLost):
        run_finish.finish(stale)
    # A piece the stale execution sent turns up late: it writes nothing.
    run_chunks.run_piece(queued.pk, stale.execution, 0, {"kind": "finish"})
    assert AnalysisRun.objects.get(pk=queued.pk).execution != stale.execution
    stale_failure = run_claims.owned(stale).update(status=AnalysisRun.Status.FAILED, error="RuntimeError: stale")
    assert stale_failure == 0
    run = AnalysisRun.objects.get(pk=queued.pk)
    assert run.status == AnalysisRun.Status.SUCCEEDED and run.error == ""
    assert Theme.objects.filter(run=queued).count() == themes


def test_run_analysis_returns_quietly_when_its_claim_is_taken_mid_run(consultation) -> None:
    queued = AnalysisRun.objects.create(consultation=consultation, parameters={"max_themes": 100, "seed": 42})
    real_set_stage = run_claims.set_stage

    def taken_over(run, stage, progress):
        if stage == AnalysisRun.Stage.EMBEDDING:
            # Another execution claims the run while this one is redacting.
            AnalysisRun.objects.filter(pk=run.pk).update(execution="someone-else")
        return real_set_stage(run, stage, progress)

    with mock.patch.object(runs, "set_stage", side_effect=taken_over):
        assert runs.run_analysis(queued.pk) is None
    run = AnalysisRun.objects.get(pk=queued.pk)
    assert run.status == AnalysisRun.Status.RUNNING and run.error == ""  # not failed: the other one holds it
    assert not Theme.objects.filter(run=queued).exists()


@override_settings(ANALYSIS_HEARTBEAT_SECONDS=60)
def test_the_heartbeat_survives_a_database_blip_and_notices_a_lost_claim(consultation) -> None:
    queued = AnalysisRun.objects.create(consultation=consultation)
    run = run_claims.claim_run(queued.pk)
    heartbeat = run_claims.Heartbeat(run, every=60)
    AnalysisRun.objects.filter(pk=run.pk).update(heartbeat_at=timezone.now() - timedelta(minutes=5))

    with mock.patch.object(
        run_claims, "owned", side_effect=OperationalError("server closed the connection unexpectedly")
    ):
        heartbeat.beat()  # skipped, not fatal
    assert not heartbeat.lost.is_set()
    heartbeat.beat()
    assert AnalysisRun.objects.get(pk=run.pk).heartbeat_at > timezone.now() - timedelta(minutes=1)

    AnalysisRun.objects.filter(pk=run.pk).update(execution="another")
    heartbeat.beat()
    assert heartbeat.lost.is_set()

"""`manage.py analyse --wait` (and `make demo`) follow a run the worker does: they say when no
worker seems to be taking it, and stop when the worker they started has died."""

import pytest
from django.core.management.base import CommandError

from consult.management.commands.analyse import follow_run
from consult.models import AnalysisRun
from tests.factories import make_consultation

pytestmark = pytest.mark.django_db


def test_a_run_no_worker_takes_says_how_to_start_one_and_a_dead_worker_stops_the_wait():
    run = AnalysisRun.objects.create(consultation=make_consultation(phase="closed"))
    said: list[str] = []
    checks = iter([True, True, False])

    with pytest.raises(CommandError, match="The worker stopped before analysis run"):
        follow_run(run, said.append, worker_alive=lambda: next(checks), patience_seconds=0)

    assert any("Still queued: is a worker running?" in line and "make serve" in line for line in said)
    assert sum("Still queued" in line for line in said) == 1  # said once, not every half second


def test_a_finished_run_is_reported_with_its_figures_and_a_failed_one_is_an_error():
    consultation = make_consultation(phase="closed")
    done = AnalysisRun.objects.create(
        consultation=consultation, status=AnalysisRun.Status.SUCCEEDED, stage="done", answers_analysed=12
    )
    said: list[str] = []
    assert follow_run(done, said.append) == done
    assert "succeeded: 12 answers, 0 themes" in said[-1]

    failed = AnalysisRun.objects.create(
        consultation=consultation, status=AnalysisRun.Status.FAILED, stage="done", error="out of memory"
    )
    with pytest.raises(CommandError, match="failed: out of memory"):
        follow_run(failed, said.append)

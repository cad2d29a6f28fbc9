"""With a broker configured, a real Celery worker runs the tasks the web enqueues."""

import pytest
from django.test import override_settings

from tests.factories import make_consultation
from tests.journey import answer_required, send, start
from tests.real_workers import BROKER_URL, redis_answers, wait_for_files, wait_until

pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not redis_answers(), reason=f"no Redis broker answering at {BROKER_URL}"),
]


@pytest.fixture
def worker(workers):
    """One running worker; yields the folder it writes emails to."""
    workers.start()
    yield workers.outbox
    if not wait_for_files(workers.outbox, seconds=0):
        print(workers.log())


def test_receipt_is_sent_by_a_real_worker_after_the_response_commits(client, worker):
    consultation = make_consultation()
    token = start(client, consultation)
    answer_required(client, consultation, token, email="w@example.com", why="Worker test.")
    send(client, token)

    files = wait_for_files(worker)
    assert files, "the worker did not send the receipt within a minute"
    message = files[0].read_text()
    assert "To: w@example.com" in message
    # The receipt carries a copy of what was sent, as the worker read it once the response committed.
    assert "Your answers, as you sent them:" in message and "Worker test." in message
    from consult.models import Response

    assert Response.objects.get().reference in message


def corpus_consultation():
    """An open consultation whose 'Why?' question already has 120 answers on four subjects."""
    from consult.services.imports import import_responses
    from tests import corpus

    consultation = make_consultation()
    why = consultation.questions.get(position=2)
    rows = [{"text": text} for _, text in corpus.answers(per_subject=30)]
    import_responses(rows, slug=consultation.slug, text_column="text", question_text=why.text)
    return consultation


def run_status(run_id: int) -> tuple[str, str]:
    from consult.models import AnalysisRun

    return tuple(AnalysisRun.objects.filter(pk=run_id).values_list("status", "stage").get())


@override_settings(ANALYSE_ON_ARRIVAL=True)
def test_the_worker_analyses_and_places_a_response_sent_through_the_web(client, workers):
    from consult.models import Answer, ThemeAssignment
    from consult.services.runs import request_analysis

    workers.start()
    consultation = corpus_consultation()
    run = request_analysis(consultation)
    wait_until(lambda: run_status(run.pk)[0] == "succeeded", 240, workers, "the first analysis run")

    token = start(client, consultation)
    answer_required(client, consultation, token, why="Please keep a human adviser on the phone line for me.")
    send(client, token)
    answer = Answer.objects.get(text="Please keep a human adviser on the phone line for me.")
    wait_until(
        lambda: ThemeAssignment.objects.filter(answer=answer, is_late=True).exists(),
        120,
        workers,
        "the new answer to be placed in a theme",
    )
    assert Answer.objects.get(pk=answer.pk).redacted_text
    assert answer.embeddings.exists()


def test_killing_the_worker_mid_run_loses_nothing_and_the_run_completes_later(workers):
    from consult.models import AnalysisRun, Theme
    from consult.services.runs import request_analysis

    fast_recovery = {
        "ANALYSIS_HEARTBEAT_SECONDS": "1",
        "ANALYSIS_STALE_SECONDS": "3",
        "CELERY_VISIBILITY_TIMEOUT": "5",
    }
    first_worker = workers.start(**fast_recovery)
    consultation = corpus_consultation()
    first = request_analysis(consultation)
    wait_until(lambda: run_status(first.pk)[0] == "succeeded", 240, workers, "the first analysis run")
    themes_before = sorted(Theme.objects.filter(run=first).values_list("pk", "label"))

    second = request_analysis(consultation)
    # Killed while a piece finds the question's themes (scanning for campaigns is done).
    wait_until(lambda: AnalysisRun.objects.get(pk=second.pk).stage == "themes", 60, workers, "the second run's themes")
    first_worker.kill()  # SIGKILL: no clean shutdown, no chance to tidy up
    first_worker.wait(timeout=20)

    assert run_status(second.pk)[0] == "running"
    # Whatever its pieces wrote stays under the running run: pages still show the first run's.
    assert AnalysisRun.objects.latest_succeeded_for(consultation).pk == first.pk
    assert sorted(Theme.objects.filter(run=first).values_list("pk", "label")) == themes_before

    workers.start(**fast_recovery)
    wait_until(lambda: run_status(second.pk)[0] == "succeeded", 240, workers, "the redelivered piece to finish")
    second_run = AnalysisRun.objects.get(pk=second.pk)
    # The killed piece was delivered again and the run went on under the same claim.
    assert second_run.attempts == 1
    assert Theme.objects.filter(run=second).exists()
    assert AnalysisRun.objects.latest_succeeded_for(consultation).pk == second.pk

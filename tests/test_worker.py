"""With a broker configured, a real Celery worker runs the tasks the web enqueues."""

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test import override_settings

from config.celery import app as celery_app
from tests.factories import make_consultation
from tests.journey import answer_required, send, start

ROOT = Path(__file__).resolve().parent.parent
BROKER_URL = settings.CELERY_BROKER_URL


def redis_answers() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(BROKER_URL, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not redis_answers(), reason=f"no Redis broker answering at {BROKER_URL}"),
]


class Workers:
    """Starts real worker processes on the test database; stops them all at the end."""

    def __init__(self, tmp_path: Path) -> None:
        db = settings.DATABASES["default"]
        self.outbox = tmp_path / "outbox"
        self.logs = tmp_path
        self.processes: list[subprocess.Popen] = []
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "SECRET_KEY": "worker-test-secret-key",
            "DEBUG": "false",
            "DATABASE_URL": (
                f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
                f"/{db['NAME']}"
            ),
            "CELERY_BROKER_URL": BROKER_URL,
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": str(self.outbox),
            "SITE_URL": "http://testserver",
            "ANALYSE_ON_ARRIVAL": "true",
        }

    def start(self, **env: str) -> subprocess.Popen:
        log = (self.logs / f"worker-{len(self.processes)}.log").open("w")
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "--pool=solo",
                "--loglevel=INFO",
                "--queues=default,arrivals,analysis",
                "--without-heartbeat",
                "--without-mingle",
                "--without-gossip",
            ],
            cwd=ROOT,
            env={**self.env, **env},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self.processes.append(process)
        return process

    def log(self) -> str:
        return "\n".join(path.read_text()[-4000:] for path in sorted(self.logs.glob("worker-*.log")))

    def stop(self) -> None:
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


@pytest.fixture
def workers(tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("the worker needs a database another process can open: run with DATABASE_URL=postgres://...")
    import redis

    redis.Redis.from_url(BROKER_URL).flushdb()
    pool = Workers(tmp_path)
    celery_app.conf.task_always_eager = False
    try:
        yield pool
    finally:
        celery_app.conf.task_always_eager = True
        pool.stop()
        shutil.rmtree(pool.outbox, ignore_errors=True)


@pytest.fixture
def worker(workers):
    """One running worker; yields the folder it writes emails to."""
    workers.start()
    yield workers.outbox
    if not wait_for_files(workers.outbox, seconds=0):
        print(workers.log())


def wait_for_files(folder: Path, seconds: float = 60) -> list[Path]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        files = sorted(folder.glob("*.log")) if folder.exists() else []
        if files:
            return files
        time.sleep(0.25)
    return []


def test_receipt_is_sent_by_a_real_worker_after_the_response_commits(client, worker):
    consultation = make_consultation()
    token = start(client, consultation)
    answer_required(client, consultation, token, email="w@example.com", why="Worker test.")
    send(client, token)

    files = wait_for_files(worker)
    assert files, "the worker did not send the receipt within a minute"
    message = files[0].read_text()
    assert "To: w@example.com" in message
    assert "Worker test." not in message  # a receipt, not a copy of the answers
    from consult.models import Response

    assert Response.objects.get().reference in message


def wait_until(condition, seconds: float, workers: Workers, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    pytest.fail(f"timed out waiting for {what}\n{workers.log()}")


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
    from consult.services.analysis import request_analysis

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
    from consult.services.analysis import request_analysis

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
    wait_until(lambda: run_status(second.pk)[0] == "running", 60, workers, "the second run to start")
    first_worker.kill()  # SIGKILL: no clean shutdown, no chance to tidy up
    first_worker.wait(timeout=20)

    assert run_status(second.pk)[0] == "running"
    assert not Theme.objects.filter(run=second).exists(), "a killed run left half-written themes"
    assert AnalysisRun.objects.latest_succeeded_for(consultation).pk == first.pk
    assert sorted(Theme.objects.filter(run=first).values_list("pk", "label")) == themes_before

    workers.start(**fast_recovery)
    wait_until(lambda: run_status(second.pk)[0] == "succeeded", 240, workers, "the redelivered run to finish")
    second_run = AnalysisRun.objects.get(pk=second.pk)
    assert second_run.attempts == 2
    assert Theme.objects.filter(run=second).exists()
    assert AnalysisRun.objects.latest_succeeded_for(consultation).pk == second.pk

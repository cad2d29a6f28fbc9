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


@pytest.fixture
def worker(tmp_path):
    """A real worker process on the test database, writing emails to files."""
    if connection.vendor != "postgresql":
        pytest.skip("the worker needs a database another process can open: run with DATABASE_URL=postgres://...")
    import redis

    redis.Redis.from_url(BROKER_URL).flushdb()
    db = settings.DATABASES["default"]
    database_url = (
        f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    )
    outbox = tmp_path / "outbox"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "SECRET_KEY": "worker-test-secret-key",
        "DEBUG": "false",
        "DATABASE_URL": database_url,
        "CELERY_BROKER_URL": BROKER_URL,
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(outbox),
        "SITE_URL": "http://testserver",
    }
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
            "--without-heartbeat",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    celery_app.conf.task_always_eager = False
    try:
        yield outbox
        if not wait_for_files(outbox, seconds=0):
            process.terminate()
            print(process.communicate(timeout=20)[0][-5000:])
    finally:
        celery_app.conf.task_always_eager = True
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        shutil.rmtree(outbox, ignore_errors=True)


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

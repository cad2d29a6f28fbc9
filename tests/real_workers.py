"""Real Celery worker processes for the tests whose behaviour is the queue itself: they run
against the test database and the Redis broker at TEST_CELERY_BROKER_URL (the `workers` fixture
in tests/conftest.py starts none until a test asks)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from config.celery import app as celery_app

ROOT = Path(__file__).resolve().parent.parent
BROKER_URL = settings.CELERY_BROKER_URL


def redis_answers() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(BROKER_URL, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


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
                "--queues=default,arrivals,embedding,analysis",
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


def running_workers(tmp_path: Path) -> Iterator[Workers]:
    """The `workers` fixture: tasks go to the real broker while it lasts, then run in-process again."""
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


def wait_for_files(folder: Path, seconds: float = 60) -> list[Path]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        files = sorted(folder.glob("*.log")) if folder.exists() else []
        if files:
            return files
        time.sleep(0.25)
    return []


def wait_until(condition: Callable[[], object], seconds: float, workers: Workers, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    pytest.fail(f"timed out waiting for {what}\n{workers.log()}")

"""The embedded worker: a real Celery worker process beside the development server, reading the
filesystem broker that the settings embed when no CELERY_BROKER_URL is set. `manage.py serve`
(`make demo`, `make serve`) starts it and stops it; it takes every queue, with Celery beat inside it,
so the demo runs every task as production does, only on one machine without Redis."""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
from pathlib import Path

from django.conf import settings

QUEUES = "default,arrivals,embedding,analysis"
PR_SET_PDEATHSIG = 1  # linux/prctl.h


def _end_with_parent() -> None:
    """In the worker, before it starts: on Linux, have the kernel end it (warmly, SIGTERM) if the
    server that started it dies without stopping it (killed outright), so no worker is orphaned."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


class EmbeddedWorker:
    """One `celery worker --beat` process, its output in a log file beside the broker's folders."""

    def __init__(self, folder: Path | None = None, *, concurrency: int = 2) -> None:
        self.folder = Path(folder or settings.BROKER_FOLDER)
        self.log_path = self.folder / "worker.log"
        self.concurrency = concurrency
        self.process: subprocess.Popen[bytes] | None = None

    def command(self) -> list[str]:
        # Two processes: an analysis run takes one, and answers arriving meanwhile the other (which
        # also embeds what the run waits for: it embeds any left itself if that one is busy).
        return [
            sys.executable,
            "-m",
            "celery",
            "--app",
            "config",
            "worker",
            "--loglevel=INFO",
            f"--queues={QUEUES}",
            f"--concurrency={self.concurrency}",
            "--hostname=embedded@%h",
            "--without-mingle",
            "--without-gossip",
            "--beat",
            f"--schedule={self.folder / 'beat-schedule'}",
        ]

    def clear_queue(self) -> int:
        """Forget every message waiting in the broker (a demo just reloaded makes them stale)."""
        messages = self.folder / "messages"
        cleared = 0
        for path in messages.glob("*.msg") if messages.is_dir() else []:
            path.unlink(missing_ok=True)
            cleared += 1
        return cleared

    def start(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log:
            # A session of its own: Ctrl+C in the terminal reaches the server, which then stops
            # the worker warmly, rather than both at once.
            self.process = subprocess.Popen(  # noqa: S603 (our own interpreter and arguments)
                self.command(),
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=os.environ.copy(),
                start_new_session=True,
                preexec_fn=_end_with_parent,
            )

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def exit_code(self) -> int | None:
        return None if self.process is None else self.process.poll()

    def stop(self, grace_seconds: float = 10) -> None:
        """Ask the worker to finish its current tasks (a warm shutdown), then end it (at once on a
        second Ctrl+C). Work cut short
        is not lost: a run's heartbeat goes stale and beat hands it out again, and queued work not
        done is sent again (consult.services.outbox)."""
        if not self.alive():
            return
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=grace_seconds)
        except (subprocess.TimeoutExpired, KeyboardInterrupt):  # too slow, or Ctrl+C pressed again
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def log_tail(self, lines: int = 30) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

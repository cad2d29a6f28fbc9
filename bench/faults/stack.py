"""The production stack of `python -m bench.faults`, all of it the benchmark's own: a PostgreSQL
cluster and a Redis server started from their binaries, gunicorn, one Celery worker and Celery
beat, each in a temporary directory and on a free port, so that killing and restarting them never
touches the shared PostgreSQL and Redis that other people's tests use.

Every process is started in a session of its own (its own process group), so that it can be
killed whole (a Celery worker with its pool children, gunicorn with its workers) and so that a
Ctrl-C in the terminal reaches only the harness, which then stops everything in order.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import IO

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
# Debian's PostgreSQL server binaries (initdb, pg_ctl, postgres); PG_BIN points elsewhere.
PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
DATABASE = "consult"

# Recovery made quick enough to watch within a benchmark, each one an environment variable the
# project reads (config/settings.py), set here instead of the production defaults in brackets.
RECOVERY_ENV = {
    # beat re-sends outbox rows not done whose last send is older than this (300) ...
    "OUTBOX_RESEND_AFTER_SECONDS": "45",
    # ... looking every (60) seconds
    "OUTBOX_SWEEP_SECONDS": "15",
    # a running analysis reports every (15) seconds; silent for (120), it is taken over
    "ANALYSIS_HEARTBEAT_SECONDS": "5",
    "ANALYSIS_STALE_SECONDS": "30",
    # Redis hands a task whose worker died to another worker after (3600) seconds
    "CELERY_VISIBILITY_TIMEOUT": "60",
}
# Every request comes from 127.0.0.1, so the per-address limits (60 answer saves a minute) would
# turn the load into 429 pages; they still run and count, with limits no run reaches.
RATE_LIMIT_ENV = {"RESPONSE_RATE_LIMIT": "1000000/m", "API_RATE_LIMIT": "1000000/m"}


def free_port(preferred: int = 0) -> int:
    """`preferred` if nothing listens there, else any free port of 127.0.0.1."""
    for port in (preferred, 0) if preferred else (0,):
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return sock.getsockname()[1]
    raise RuntimeError("no free port")


def say(message: str) -> None:
    """A progress line, timed, flushed at once (the harness runs for many minutes)."""
    print(f"[bench-faults {time.strftime('%H:%M:%S')}] {message}", flush=True)


def kill_group(process: subprocess.Popen[bytes] | None, sig: int = signal.SIGTERM, wait: float = 20) -> None:
    """Signal a process we started and every process of its group; SIGKILL after `wait` seconds."""
    if process is None or process.poll() is not None:
        return
    try:
        os.killpg(process.pid, sig)
        process.wait(timeout=wait)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    except ProcessLookupError:
        process.wait()


class Stack:
    """The benchmark's own services, started and stopped (and killed) on demand.

    Use as a context manager: leaving it, normally, on an error or on Ctrl-C, stops every process
    it started and deletes its temporary directory (`--keep` keeps the directory, for the logs).
    """

    def __init__(self, *, web_workers: int = 3, keep: bool = False) -> None:
        self.keep = keep
        self.web_workers = web_workers
        self.dir = Path(tempfile.mkdtemp(prefix="consult-bench-faults-"))
        # PostgreSQL refuses to run as root: as root, the cluster belongs to the postgres user,
        # who must be able to reach it through this directory.
        self.dir.chmod(0o755)
        self.pg_user = "postgres" if os.geteuid() == 0 else None
        self.pg_dir = self.dir / "postgres"
        self.pg_data = self.pg_dir / "data"
        self.pg_socket = self.pg_dir / "socket"
        self.mail_dir = self.dir / "mail"
        self.logs = self.dir / "logs"
        for folder in (self.pg_dir, self.pg_socket, self.mail_dir, self.logs, self.dir / "redis"):
            folder.mkdir(parents=True, exist_ok=True)
        if self.pg_user:
            shutil.chown(self.pg_dir, self.pg_user)
            shutil.chown(self.pg_socket, self.pg_user)
        self.pg_port = free_port(55432)
        self.redis_port = free_port(56379)
        self.web_port = free_port(58000)
        self.redis: subprocess.Popen[bytes] | None = None
        self.web: subprocess.Popen[bytes] | None = None
        self.worker: subprocess.Popen[bytes] | None = None
        self.beat: subprocess.Popen[bytes] | None = None
        self.worker_starts = 0
        self._open_logs: list[IO[bytes]] = []
        self.env = self._environment()

    # --- Environment ------------------------------------------------------------------------------

    def _environment(self) -> dict[str, str]:
        """Production settings as the README's "Production" section gives them, pointed at this
        stack's own services; plain HTTP on 127.0.0.1 (no proxy), so cookies are not marked
        secure; emails written to files, one per message, to be counted."""
        redis = f"redis://127.0.0.1:{self.redis_port}"
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DEBUG": "false",
            "SECRET_KEY": "bench-faults-" + secrets.token_urlsafe(32),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:{self.pg_port}/{DATABASE}",
            "REDIS_URL": f"{redis}/1",
            "CELERY_BROKER_URL": f"{redis}/0",
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": str(self.mail_dir),
            "SITE_URL": f"http://127.0.0.1:{self.web_port}",
            "ANALYSE_ON_ARRIVAL": "true",
            # Plain HTTP: secure-only cookies would never come back, and every POST would fail CSRF.
            "SECURE_COOKIES": "false",
            "SECURE_SSL_REDIRECT": "false",
            "LOG_LEVEL": "INFO",
            # The packaged embedding model, never a download.
            "HF_HUB_OFFLINE": "1",
            "TRANSFORMERS_OFFLINE": "1",
            **RECOVERY_ENV,
            **RATE_LIMIT_ENV,
        }
        # A variable set for the shared services must not leak into this stack.
        for name in ("TEST_DATABASE_URL", "CELERY_RESULT_BACKEND", "OPENAI_API_KEY", "AZURE_OPENAI_API_KEY"):
            env.pop(name, None)
        return env

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.web_port}"

    # --- Processes --------------------------------------------------------------------------------

    def _spawn(self, command: list[str], log_name: str, *, as_pg: bool = False) -> subprocess.Popen[bytes]:
        log = open(self.logs / log_name, "ab")  # noqa: SIM115 (closed in close())
        self._open_logs.append(log)
        return subprocess.Popen(  # noqa: S603 (our own binaries and arguments)
            command,
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            user=self.pg_user if as_pg else None,
        )

    def _run(self, command: list[str], *, as_pg: bool = False, timeout: float = 600) -> str:
        """Run a command to its end; its output, or an exit naming the command if it failed."""
        done = subprocess.run(  # noqa: S603
            command,
            cwd=ROOT if not as_pg else self.pg_dir,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            user=self.pg_user if as_pg else None,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(command)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
        return done.stdout

    def manage(self, *args: str, timeout: float = 900) -> str:
        """`manage.py` with the stack's environment, as an operator would run it."""
        return self._run([sys.executable, "manage.py", *args], timeout=timeout)

    # PostgreSQL: its own cluster, fsync on (the default), listening on 127.0.0.1 and a socket in the
    # temporary directory; stopped with pg_ctl's "fast" mode, which ends every session at once.

    def init_postgres(self) -> None:
        self._run(
            [str(PG_BIN / "initdb"), "-D", str(self.pg_data), "-U", "postgres", "--auth=trust", "-E", "UTF8"],
            as_pg=True,
        )

    def start_postgres(self) -> None:
        options = (
            f"-p {self.pg_port} -k {self.pg_socket} -c listen_addresses=127.0.0.1 "
            "-c max_connections=200 -c shared_buffers=128MB"
        )
        self._run(
            [
                str(PG_BIN / "pg_ctl"),
                "start",
                "-D",
                str(self.pg_data),
                "-w",
                "-t",
                "60",
                "-o",
                options,
                "-l",
                str(self.pg_dir / "postgres.log"),
            ],
            as_pg=True,
        )

    def stop_postgres(self) -> None:
        self._run([str(PG_BIN / "pg_ctl"), "stop", "-D", str(self.pg_data), "-m", "fast", "-w"], as_pg=True)

    def postgres_running(self) -> bool:
        return (self.pg_data / "postmaster.pid").exists()

    def create_database(self) -> None:
        import psycopg

        with psycopg.connect(host="127.0.0.1", port=self.pg_port, user="postgres", autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{DATABASE}"')

    # Redis: nothing kept on disk, so a restart loses every queued message, as the probe found.

    def start_redis(self) -> None:
        self.redis = self._spawn(
            [
                "redis-server",
                "--port",
                str(self.redis_port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.dir / "redis"),
            ],
            "redis.log",
        )
        self._wait_for_port(self.redis_port, "redis-server", self.redis)

    def stop_redis(self) -> None:
        kill_group(self.redis)
        self.redis = None

    # gunicorn as the README runs it in production, with the access log in a file.

    def start_web(self) -> None:
        self.web = self._spawn(
            [
                str(BIN / "gunicorn"),
                "config.wsgi",
                "-c",
                "config/gunicorn.py",
                "--bind",
                f"127.0.0.1:{self.web_port}",
                "--workers",
                str(self.web_workers),
            ],
            "gunicorn.log",
        )
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.web.poll() is not None:
                raise RuntimeError(f"gunicorn stopped at start; see {self.logs / 'gunicorn.log'}")
            try:
                with urllib.request.urlopen(self.base_url + "/", timeout=5) as reply:  # noqa: S310
                    if reply.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.5)
        raise RuntimeError(f"gunicorn did not answer within 90 s; see {self.logs / 'gunicorn.log'}")

    # One worker on the four queues, as `make worker` runs it; its log is appended to across
    # restarts, with a line marking each start, so recovery can be read in order afterwards.

    def start_worker(self) -> None:
        self.worker_starts += 1
        with open(self.logs / "worker.log", "a", encoding="utf-8") as log:
            log.write(f"\n=== bench-faults: worker start {self.worker_starts} at {time.strftime('%H:%M:%S')} ===\n")
        self.worker = self._spawn(
            [
                str(BIN / "celery"),
                "-A",
                "config",
                "worker",
                "--loglevel=INFO",
                "--queues=default,arrivals,embedding,analysis",
                "--hostname",
                f"bench-faults-{self.worker_starts}@%h",
            ],
            "worker.log",
        )

    def kill_worker(self) -> None:
        """kill -9 the worker's whole process group: the main process and its pool children, as an
        out-of-memory kill or a lost machine would, with no chance to hand anything back."""
        kill_group(self.worker, signal.SIGKILL)
        self.worker = None

    def start_beat(self) -> None:
        self.beat = self._spawn(
            [
                str(BIN / "celery"),
                "-A",
                "config",
                "beat",
                "--loglevel=INFO",
                "--schedule",
                str(self.dir / "celerybeat-schedule"),
            ],
            "beat.log",
        )

    def _wait_for_port(self, port: int, name: str, process: subprocess.Popen[bytes]) -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"{name} stopped at start; see {self.logs}")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"{name} did not listen on {port} within 30 s")

    # --- Whole stack --------------------------------------------------------------------------------

    def __enter__(self) -> Stack:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop everything this stack started, in the reverse order, even half-started."""
        for process in (self.beat, self.worker, self.web):
            kill_group(process, signal.SIGTERM, wait=15)
        self.beat = self.worker = self.web = None
        self.stop_redis()
        if self.postgres_running():
            try:
                self.stop_postgres()
            except (RuntimeError, subprocess.TimeoutExpired) as error:
                say(f"pg_ctl stop failed ({error}); killing the postmaster")
                pid = int((self.pg_data / "postmaster.pid").read_text().split()[0])
                os.kill(pid, signal.SIGQUIT)
        for log in self._open_logs:
            log.close()
        if self.keep:
            say(f"kept {self.dir} (logs in {self.logs})")
        else:
            shutil.rmtree(self.dir, ignore_errors=True)

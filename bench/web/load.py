"""Serving the project with gunicorn and driving it with locust, for `python -m bench.web`."""

from __future__ import annotations

import csv
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from bench.web.report import ROOT, Result


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(port: int, workers: int, log_path: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.web.settings"}
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "config.wsgi",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        "sync",
        "--timeout",
        "120",
        "--error-logfile",
        str(log_path),
        "--log-level",
        "warning",
    ]
    process = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)  # noqa: S603
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"gunicorn stopped at start (exit {process.returncode}); see {log_path}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/bench/bare/", timeout=2) as reply:
                if reply.status == 200:
                    return process
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.3)
    stop(process)
    sys.exit(f"gunicorn did not answer within 60 s; see {log_path}")


def stop(process: subprocess.Popen[bytes]) -> None:
    """Stop a process we started, and its children (gunicorn's workers), by its process group."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    except ProcessLookupError:
        pass


def warm(port: int, path: str, session: str, workers: int) -> int:
    """Requests before the timed run, several at once so that every worker gets some: each worker
    has then loaded the page's templates and filled its cache. Returns the last status seen."""
    from concurrent.futures import ThreadPoolExecutor

    def fetch(_: int) -> int:
        request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"Cookie": f"sessionid={session}"})
        try:
            with urllib.request.urlopen(request, timeout=120) as reply:  # noqa: S310
                return reply.status
        except urllib.error.HTTPError as error:
            return error.code

    statuses: list[int] = []
    with ThreadPoolExecutor(max_workers=workers * 2) as pool:
        for _round in range(2):
            statuses += list(pool.map(fetch, range(workers * 2)))
    bad = [status for status in statuses if status != 200]
    return bad[-1] if bad else 200


def percentile_columns(row: dict[str, str]) -> tuple[float, float, float]:
    def value(key: str) -> float:
        text = row.get(key, "") or "0"
        return 0.0 if text == "N/A" else float(text)

    return value("50%"), value("95%"), value("99%")


def run_locust(
    target: str, user_class: str, users: int, seconds: int, port: int, plan_path: Path, work: Path
) -> tuple[dict[str, str], list[dict[str, str]]]:
    """Run locust headless on one target; return its aggregated CSV row and its per-request rows."""
    prefix = work / target.replace(" ", "-").replace(":", "").replace(",", "")
    env = {**os.environ, "BENCH_WEB_PLAN": str(plan_path), "BENCH_WEB_TARGET": target}
    command = [
        sys.executable,
        "-m",
        "locust",
        "-f",
        str(ROOT / "bench" / "web" / "locustfile.py"),
        "--headless",
        "--users",
        str(users),
        "--spawn-rate",
        str(users),
        "--run-time",
        f"{seconds}s",
        "--stop-timeout",
        "10",
        "--host",
        f"http://127.0.0.1:{port}",
        "--csv",
        str(prefix),
        "--only-summary",
        "--loglevel",
        "WARNING",
        user_class,
    ]
    process = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)  # noqa: S603
    try:
        process.wait(timeout=seconds + 120)
    except subprocess.TimeoutExpired:
        stop(process)
    finally:
        stop(process)
    with open(f"{prefix}_stats.csv", encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    aggregated = next(row for row in rows if row["Name"] == "Aggregated")
    return aggregated, [row for row in rows if row["Name"] != "Aggregated"]


def fill(result: Result, row: dict[str, str]) -> None:
    result.requests = int(row["Request Count"])
    result.failures = int(row["Failure Count"])
    result.rps = float(row["Requests/s"])
    result.mean = float(row["Average Response Time"])
    result.p50, result.p95, result.p99 = percentile_columns(row)

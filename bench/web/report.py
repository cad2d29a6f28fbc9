"""The results of `python -m bench.web`: one row per target, the machine, and the markdown table."""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
PAGE_TARGET_MS = 300.0


@dataclass
class Result:
    name: str
    kind: str  # page or submission
    users: int
    requests: int = 0
    failures: int = 0
    rps: float = 0.0
    p50: float = 0.0
    p95: float = 0.0
    p99: float = 0.0
    mean: float = 0.0
    queries: int | None = None
    sql_ms: float | None = None
    alone_ms: float | None = None
    cold_ms: float | None = None
    cold_queries: int | None = None
    cold_sql_ms: float | None = None
    slowest_sql_ms: float | None = None
    status: int | None = None
    path: str = ""
    slowest_queries: list[dict[str, Any]] = field(default_factory=list)
    note: str = ""
    steps: list[dict[str, Any]] = field(default_factory=list)
    finished_responses: int | None = None
    explain: str = ""


def machine() -> dict[str, Any]:
    from django.db import connection

    from bench.machine import describe

    machine = describe()
    versions = {}
    for package in ("Django", "gunicorn", "locust", "psycopg"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = "missing"
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        versions["PostgreSQL"] = cursor.fetchone()[0]
    machine["versions"] = versions
    return machine


def _ms(value: float | None) -> str:
    return "" if value is None else f"{value:,.0f}"


def render(report: dict[str, Any]) -> str:
    machine = report["machine"]
    lines = [
        f"Run {machine['date']} with `{report['command']}`.",
        "",
        f"Machine: {machine['cpu']}, {machine['nproc']} cores (nproc), {machine['memory_gb']} GB memory; Python "
        f"{machine['python']}; "
        + ", ".join(f"{k} {v}" for k, v in machine["versions"].items())
        + f". gunicorn: {report['workers']} sync workers on 127.0.0.1. Load average (1 min) "
        f"{report['load_before']:.2f} before, {report['load_after']:.2f} after.",
        "",
        f"Pages: {report['page_users']} simultaneous signed-in users, each asking again as soon as answered, for "
        f"{report['duration']} s per page, after a few requests that fill each worker's cache. Target: p95 under "
        f"{PAGE_TARGET_MS:.0f} ms. 'Alone': one request through Django's test client in the runner's process, "
        "nothing else running on gunicorn, the cache filled; 'cache empty': the same with the cache emptied "
        "first: what counting afresh costs (without a broker, the first request a minute after the counts "
        "were kept; with a broker and REDIS_URL, the worker's).",
        "",
        "| page | requests | failed | req/s | p50 ms | p95 ms | p99 ms | p95 target | alone: ms | queries "
        "| SQL ms | cache empty: ms | queries | SQL ms |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for result in report["pages"]:
        if result["note"]:
            lines.append(f"| {result['name']} | | | | | | | {result['note']} | | | | | | |")
            continue
        verdict = "met" if result["p95"] < PAGE_TARGET_MS and not result["failures"] else "**missed**"
        lines.append(
            f"| {result['name']} | {result['requests']:,} | {result['failures']} | {result['rps']:.1f} | "
            f"{_ms(result['p50'])} | {_ms(result['p95'])} | {_ms(result['p99'])} | {verdict} | "
            f"{_ms(result['alone_ms'])} | {result['queries']} | {_ms(result['sql_ms'])} | {_ms(result['cold_ms'])} | "
            f"{result['cold_queries']} | "
            f"{_ms(result['cold_sql_ms'])} |"
        )
    lines += [
        "",
        f"Submission: {report['users']} simultaneous users for {report['duration']} s per target, same gunicorn. "
        "Target: at least half the bare view's requests per second.",
        "",
        "| target | requests | failed | req/s | p50 ms | p95 ms | p99 ms | share of bare req/s | target |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    bare = next((r for r in report["submission"] if r["name"] == "bare"), None)
    for result in report["submission"]:
        share = result["rps"] / bare["rps"] if bare and bare["rps"] else 0.0
        verdict = ""
        if result["name"] in ("answer save", "accept and send"):
            verdict = "met" if share >= 0.5 and not result["failures"] else "**missed**"
        elif result["name"] == "bare":
            verdict = "baseline"
        name = result["name"]
        if result["finished_responses"] is not None:
            sent = result["finished_responses"]
            name += f" ({sent:,} sent, {sent / report['duration']:.1f} responses/s)"
        lines.append(
            f"| {name} | {result['requests']:,} | {result['failures']} | {result['rps']:.1f} | {_ms(result['p50'])} | "
            f"{_ms(result['p95'])} | {_ms(result['p99'])} | {share:.2f} | {verdict} |"
        )
    journey = next((r for r in report["submission"] if r["steps"]), None)
    if journey:
        lines += [
            "",
            "Whole response, step by step:",
            "",
            "| step | requests | req/s | p50 ms | p95 ms |",
            "| --- | ---: | ---: | ---: | ---: |",
        ]
        for step in journey["steps"]:
            lines.append(
                f"| {step['name']} | {step['requests']:,} | {step['rps']:.1f} | {_ms(step['p50'])} "
                f"| {_ms(step['p95'])} |"
            )
    lines += ["", "Settings changed for the benchmark:", ""] + [f"- {note}" for note in report["settings_notes"]]
    explained = [r for r in report["pages"] if r["explain"]]
    for result in explained:
        lines += [
            "",
            f"Slowest query of '{result['name']}' ({result['slowest_sql_ms']:.0f} ms with the cache empty), "
            "EXPLAIN ANALYZE:",
            "",
            "```",
            result["explain"],
            "```",
        ]
    return "\n".join(lines) + "\n"

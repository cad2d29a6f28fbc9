"""National scale: one question of a million answers through the real task path.

    make bench-scale                       # 1,000,000 answers on PostgreSQL, 300,000 on SQLite, embedding throughput
    .venv/bin/python -m bench.scale --answers 100000 --sqlite-answers 0 --embedding-answers 0   # a quicker look

Each measurement runs in a process of its own (bench/scale/part.py) against a database of its own:
PostgreSQL `BENCH_SCALE_DATABASE_URL` (default consult_bench_scale on 127.0.0.1, created if
missing) and a SQLite file under .cache/bench-scale/. The data is built once per size and reused
(bench/scale/data.py says what it holds). Two Celery workers, one process each, take the
`analysis` and `embedding` queues from Redis (`BENCH_SCALE_BROKER_URL`, default database 3 of
127.0.0.1:6379) or, for SQLite, from the embedded filesystem broker; the analysis is requested as
an official's button requests it and followed to the end. Reported: seconds per stage (the run's own
timings and the wall clock of the whole run), the peak resident memory of every worker process,
the rows written, the campaign found, and the theme or sub-theme that best holds the planted small
view (0.05% of the answers) with its label. Then embedding throughput with one worker and two.
The report is printed and written, with the JSON, to .cache/bench-scale/.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.machine import describe

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / ".cache" / "bench-scale"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--answers", type=int, default=1_000_000, help="answers on PostgreSQL (0: skip)")
    parser.add_argument("--sqlite-answers", type=int, default=300_000, help="answers on SQLite (0: skip)")
    parser.add_argument(
        "--embedding-answers", type=int, default=6_000, help="answers for embedding throughput (0: skip)"
    )
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    postgres = os.environ.get("BENCH_SCALE_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/consult_bench_scale")
    broker = os.environ.get("BENCH_SCALE_BROKER_URL", "redis://127.0.0.1:6379/3")
    _create_database(postgres)
    report: dict[str, Any] = {"machine": describe()}
    if args.answers:
        report["postgresql"] = _part(["--answers", str(args.answers), "--workers", str(args.workers)], postgres, broker)
    if args.embedding_answers:
        report["embedding"] = _part(["--answers", str(args.embedding_answers), "--embedding-only"], postgres, broker)
    if args.sqlite_answers:
        sqlite = f"sqlite:///{OUT / 'bench-scale.sqlite3'}"
        report["sqlite"] = _part(["--answers", str(args.sqlite_answers), "--workers", str(args.workers)], sqlite, None)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    (OUT / f"report-{stamp}.json").write_text(json.dumps(report, indent=2))
    text = render(report)
    (OUT / f"report-{stamp}.md").write_text(text)
    print(text)


def _part(arguments: list[str], database: str, broker: str | None) -> dict[str, Any]:
    env = {**os.environ, "DATABASE_URL": database, "TASKS_IN_PROCESS": "false", "ANALYSE_ON_ARRIVAL": "false"}
    env.setdefault("SECRET_KEY", "bench-scale-only-not-a-secret")
    env["DEBUG"] = "true"
    if broker:
        env["CELERY_BROKER_URL"] = broker
    else:
        env.pop("CELERY_BROKER_URL", None)
        env["BROKER_FOLDER"] = tempfile.mkdtemp(prefix="bench-scale-broker-")
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as output:
        path = Path(output.name)
    subprocess.run(  # noqa: S603 (our own module)
        [sys.executable, "-m", "bench.scale.part", *arguments, "--output", str(path)], cwd=ROOT, env=env, check=True
    )
    return json.loads(path.read_text())


def _create_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as admin:
        if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            admin.execute(f'CREATE DATABASE "{name}"')


def render(report: dict[str, Any]) -> str:
    machine = report["machine"]
    lines = [
        f"Machine: {machine['cpu']}, {machine.get('nproc', '?')} cores, "
        f"{machine.get('memory_gb', '?')} GB; {machine['date']}.",
        "",
    ]
    for name in ("postgresql", "sqlite"):
        part = report.get(name)
        if not part:
            continue
        timings = {stage: seconds for stage, seconds in part["timings"].items() if not stage.startswith("_")}
        lines += [
            f"### {part['answers']:,} answers on {name} with {part['workers']} workers",
            "",
            f"Whole run (requested to succeeded): {part['wall_seconds']:,.1f} s. "
            f"Peak memory per worker process (GB): {', '.join(str(gb) for gb in part['peak_gb'])}.",
            "",
            "| stage | seconds |",
            "| --- | ---: |",
            *(f"| {stage} | {seconds:,.1f} |" for stage, seconds in timings.items()),
            "",
            "| rows written | count |",
            "| --- | ---: |",
            *(f"| {kind} | {count:,} |" for kind, count in part["rows"].items()),
            "",
            f"Largest campaigns (members): {', '.join(f'{size:,}' for size, _ in part['campaigns']) or 'none'}.",
            f"Planted small view ({part['small_view']['planted']} answers): {json.dumps(part['small_view'])}",
            "",
        ]
    embedding = report.get("embedding")
    if embedding:
        lines += [
            f"### Embedding throughput, {embedding['answers']:,} answers",
            "",
            "| workers | seconds | answers per second | peak GB |",
            "| ---: | ---: | ---: | ---: |",
            *(
                f"| {n} | {embedding[f'{n} worker']['seconds']} | {embedding[f'{n} worker']['per_second']} | "
                f"{embedding[f'{n} worker']['peak_gb']:.2f} |"
                for n in (1, 2)
            ),
            "",
        ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()

"""Faults under load: no response lost, no receipt sent twice, no run analysed twice.

    make bench-faults                        # 2,000 responses (7 to 15 minutes on two cores)
    .venv/bin/python -m bench.faults --quick # 300 responses, each fault at least once (about 8 minutes)

It starts the production stack on this machine, all of it its own, in a temporary directory: a
PostgreSQL cluster (initdb, fsync on), Redis without persistence, gunicorn with 3 workers, one
Celery worker on the four queues and Celery beat (bench/faults/stack.py). It migrates, loads the
demo, and sends respondents (8 at once) through the real HTML forms of the demo's open
consultation (bench/faults/journey.py), while the worker is killed every 30 seconds and Redis and
PostgreSQL are each restarted once, and an analysis run is requested (bench/faults/faults.py).
Then it waits for the queued work to drain and counts (bench/faults/count.py): responses
confirmed against stored, receipts per response, outbox rows not done, each run's outcome, and
what respondents got when a request failed. It prints the result as Markdown and writes it, with
the JSON and the stack's logs, to .cache/bench-faults/; it exits 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from importlib import metadata
from typing import Any

from bench.faults import count
from bench.faults.faults import Faults
from bench.faults.journey import NumberSource, Respondent, Tally
from bench.faults.report import judge, render
from bench.faults.stack import PG_BIN, RATE_LIMIT_ENV, RECOVERY_ENV, ROOT, Stack, say

OUT = ROOT / ".cache" / "bench-faults"
DEMO_SLUG = "ai-assistant-for-benefit-enquiries"


def _machine() -> dict[str, Any]:
    """bench.machine's description, with the versions of what this benchmark runs."""
    from bench.machine import describe

    machine = describe()
    versions = {}
    for package in ("Django", "celery", "kombu", "redis", "gunicorn", "psycopg"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = "missing"
    for name, command in (("PostgreSQL", [str(PG_BIN / "postgres"), "--version"]), ("Redis", ["redis-server", "-v"])):
        try:
            output = subprocess.run(command, capture_output=True, text=True, check=False).stdout  # noqa: S603
            versions[name] = next((word for word in output.split() if word[:1].isdigit() or "v=" in word), "?")
            versions[name] = versions[name].removeprefix("v=")
        except OSError:
            versions[name] = "missing"
    machine["versions"] = versions
    return machine


def _settings_notes(stack: Stack) -> list[str]:
    notes = [f"{name}={value}" for name, value in {**RECOVERY_ENV, **RATE_LIMIT_ENV}.items()]
    notes.append("SECURE_COOKIES=false (plain HTTP on 127.0.0.1, no proxy)")
    notes.append("EMAIL_BACKEND=filebased (receipts counted from the files)")
    if not count.has_outbox():
        notes.append("OUTBOX_* set but not read: no outbox in this tree")
    return notes


def _open_consultation() -> tuple[int, str]:
    """The demo's open consultation, which anyone may answer without an account."""
    import django

    django.setup()
    from consult.models import Consultation

    consultation = Consultation.objects.get(slug=DEMO_SLUG)
    if not consultation.is_open or not consultation.allows_anonymous_responses:
        raise SystemExit(f"The demo consultation {DEMO_SLUG} is not open to anonymous responses.")
    return consultation.pk, consultation.slug


def _start(stack: Stack) -> tuple[int, str]:
    say(f"temporary directory {stack.dir}")
    say(f"PostgreSQL on 127.0.0.1:{stack.pg_port}, Redis on {stack.redis_port}, gunicorn on {stack.web_port}")
    stack.init_postgres()
    stack.start_postgres()
    stack.create_database()
    stack.start_redis()
    say("migrating, loading the demo and collecting static files (as the README's production steps)")
    stack.manage("migrate", "--noinput")
    stack.manage("load_demo")
    stack.manage("collectstatic", "--noinput", "-v0")
    # This process reads the stack's database for the counts, with the stack's settings.
    os.environ.update(stack.env)
    consultation = _open_consultation()
    stack.start_web()
    stack.start_worker()
    stack.start_beat()
    return consultation


def _load(stack: Stack, slug: str, args: argparse.Namespace) -> tuple[Tally, Faults, float]:
    """Respondents and faults together, until the respondents have done `args.responses` and every
    fault has happened."""
    tally = Tally(time.monotonic())
    faults = Faults(stack, tally, args.responses, slug, kill_every=args.kill_every, down_seconds=args.down)
    numbers = NumberSource(args.responses, enough=faults.injected)
    respondents = [
        # Daemon threads: after Ctrl-C, a respondent still pressing refresh must not keep the
        # harness from stopping the stack and exiting.
        threading.Thread(
            target=Respondent(stack.base_url, slug, tally).run,
            args=(numbers, seed),
            name=f"respondent-{seed}",
            daemon=True,
        )
        for seed in range(args.clients)
    ]
    say(f"{args.clients} respondents sending {args.responses} responses; worker killed every {args.kill_every:.0f} s")
    faults.start()
    for thread in respondents:
        thread.start()
    try:
        while any(thread.is_alive() for thread in respondents):
            for thread in respondents:
                thread.join(timeout=15 / len(respondents))
            kinds = Counter(failure.kind for failure in tally.failures)
            say(
                f"{len(tally.confirmed)}/{args.responses} confirmed, {len(tally.abandoned)} abandoned, "
                f"{tally.requests} requests, errors: {dict(kinds) or 'none'}, "
                f"worker kills: {len(faults.log.worker_kills)}"
            )
    finally:
        numbers.stop()
        faults.stop()
    return tally, faults, time.monotonic() - tally.started


def _keep_logs(stack: Stack, work: Any) -> None:
    """The stack's logs outlive its temporary directory, next to the results."""
    work.mkdir(parents=True, exist_ok=True)
    for log in [*stack.logs.glob("*.log"), stack.pg_dir / "postgres.log"]:
        if log.exists():
            shutil.copy(log, work / log.name)


def _jsonable(report: dict[str, Any]) -> dict[str, Any]:
    result = dict(report)
    result["failures"] = [{"kind": k, "outage": o, "count": n} for (k, o), n in report["failures"].items()]
    result["verdicts"] = [{"met": ok, "text": text} for ok, text in report["verdicts"]]
    return result


def _interrupted(signum: int, frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.faults", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--responses", type=int, default=2000, help="complete responses to send, at least (default 2000)"
    )
    parser.add_argument("--quick", action="store_true", help="300 responses: each fault once, for development")
    parser.add_argument("--clients", type=int, default=8, help="respondents at once (default 8)")
    parser.add_argument("--kill-every", type=float, default=30.0, help="seconds between worker kills (default 30)")
    parser.add_argument("--down", type=float, default=5.0, help="seconds Redis and PostgreSQL stay down (default 5)")
    parser.add_argument("--web-workers", type=int, default=3, help="gunicorn workers (default 3)")
    parser.add_argument("--drain-deadline", type=float, default=1800, help="most seconds to wait for the queues")
    parser.add_argument(
        "--drain-stall", type=float, default=420, help="stop waiting once nothing has moved this long (default 420)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory (data, emails, logs)")
    args = parser.parse_args(argv)
    if args.quick:
        args.responses = min(args.responses, 300)
    # Ctrl-C, and a `kill` of the harness, stop the stack and delete its directory on the way out
    # (SIGINT explicitly too: a shell starting the harness in the background ignores it).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _interrupted)

    started = time.monotonic()
    load_before = os.getloadavg()[0]
    machine = _machine()
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%d-%H%M%S")
    work = OUT / f"run-{stamp}"
    with Stack(web_workers=args.web_workers, keep=args.keep) as stack:
        try:
            consultation_id, slug = _start(stack)
            load_started_at = datetime.datetime.now(datetime.UTC)
            tally, faults, load_seconds = _load(stack, slug, args)
            run_ids = faults.log.analysis_runs
            say("load done; waiting for the queued work to drain")
            drained, drain_seconds, last = count.wait_for_drain(
                consultation_id, run_ids, stack.mail_dir, deadline=args.drain_deadline, stall=args.drain_stall
            )
            failures = Counter((failure.kind, faults.log.outage_at(failure.at)) for failure in tally.failures)
            report: dict[str, Any] = {
                "command": ("python -m bench.faults " + shlex.join(argv if argv is not None else sys.argv[1:])).strip(),
                "quick": args.responses < 2000,
                "machine": machine,
                "load_before": load_before,
                "web_workers": args.web_workers,
                "clients": args.clients,
                "kill_every": args.kill_every,
                "settings_notes": _settings_notes(stack),
                "load_seconds": load_seconds,
                "drain": {"drained": drained, "seconds": drain_seconds, "why": last},
                "faults": {
                    "worker_kills": faults.log.worker_kills,
                    "outages": [vars(outage) for outage in faults.log.outages],
                    "analysis_runs": run_ids,
                    "analysis_requested_at": faults.log.analysis_requested_at,
                    "errors": faults.log.errors,
                },
                "responses": count.count_responses(consultation_id, tally, load_started_at),
                "receipts": count.count_receipts(consultation_id, stack.mail_dir),
                "outbox": count.outbox_by_task(),
                "unprocessed": count.unprocessed_responses(consultation_id),
                "runs": count.count_runs(run_ids, stack.logs / "worker.log"),
                "requests": {"total": tally.requests, "statuses": dict(tally.statuses)},
                "failures": failures,
                "failures_by_page": Counter((f.page, f.kind) for f in tally.failures).most_common(12),
                "server_5xx": dict(count.server_errors_in(stack.logs / "gunicorn.log")),
                "task_failures": count.task_failures_in(stack.logs / "worker.log"),
                "exceptions": {
                    "web": count.exceptions_in(stack.logs / "gunicorn.log"),
                    "worker": count.exceptions_in(stack.logs / "worker.log"),
                    "beat": count.exceptions_in(stack.logs / "beat.log"),
                },
            }
            report["wall_seconds"] = time.monotonic() - started
            report["verdicts"] = judge(report)
        finally:
            _keep_logs(stack, work)
    OUT.mkdir(parents=True, exist_ok=True)
    ignore = OUT.parent / ".gitignore"
    if not ignore.exists():
        ignore.write_text("# Written by the benchmarks: nothing here belongs in git.\n*\n")
    (OUT / f"faults-{stamp}.json").write_text(json.dumps(_jsonable(report), indent=2, default=str), encoding="utf-8")
    markdown = render(report)
    (OUT / f"faults-{stamp}.md").write_text(markdown, encoding="utf-8")
    print(markdown)
    say(f"wrote {OUT / f'faults-{stamp}.md'} and .json; the stack's logs are in {work}")
    missed = [text for ok, text in report["verdicts"] if not ok]
    for text in missed:
        say(f"MISSED: {text}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())

"""Workspace pages at 100,000 responses, and the respondent's submission step, under load.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/consult_bench .venv/bin/python -m bench.web
    make bench-web                          # the same, with that database by default
    .venv/bin/python -m bench.web --duration 5 --only bare "answer save"   # a quick look at two targets

It creates the database if it is missing, migrates it, builds the data once (bench/web/data.py,
about a minute; later runs reuse it), starts gunicorn on 127.0.0.1 with the bench settings
(bench/web/settings.py: the project's settings with DEBUG off), and drives each target with locust
for a fixed time at a fixed number of simultaneous users. Beside the pages and the respondent's
POSTs it measures bare Django views in the same run, as the baseline. It counts each page's SQL
queries once through Django's test client, and explains the slowest query of any page that misses
its target. It prints a markdown table and writes it, with the JSON, to .cache/bench-web/.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import secrets
import shlex
import string
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from bench.web.load import fill, free_port, percentile_columns, run_locust, start_gunicorn, stop, warm
from bench.web.report import PAGE_TARGET_MS, ROOT, Result, machine, render

OUT = ROOT / ".cache" / "bench-web"
# What each page target requests: (name, URL name, how to build its arguments, query string).
# The arguments come from the data's pools; query strings use the drill-down's filter form
# (consult/forms/workspace/analysis.py).
PAGES: list[tuple[str, str, str, str]] = [
    ("workspace home", "workspace_home", "none", ""),
    ("consultation overview", "workspace_consultation", "slug", ""),
    ("analysis dashboard", "workspace_analysis", "slug", ""),
    ("question analysis", "workspace_question_analysis", "slug+question", ""),
    ("fairness", "workspace_fairness", "slug", ""),
    ("responses: first page", "workspace_responses", "slug", ""),
    ("responses: one theme", "workspace_responses", "slug", "question={question}&theme={theme}"),
    ("responses: search", "workspace_responses", "slug", "q=phone"),
    # Past the last page: the paginator answers its deepest page (the drill-down caps how far it counts).
    ("responses: deepest page", "workspace_responses", "slug", "page=100000"),
    ("one response", "workspace_response", "slug+reference", ""),
]
SUBMISSION = ["bare", "bare write", "answer save", "accept and send", "whole response"]
CLASSES = {
    "bare": "BareUser",
    "bare write": "BareWriteUser",
    "answer save": "AnswerUser",
    "accept and send": "SubmitUser",
    "whole response": "JourneyUser",
}
SETTINGS_NOTES = [
    "bench/web/settings.py: the project's config.settings with DEBUG off and a fixed SECRET_KEY",
    "a memory cache per gunicorn worker, as without REDIS_URL",
    "RESPONSE_RATE_LIMIT raised from 60/m to 1000000/m: every request comes from 127.0.0.1 (the "
    "decorator still runs and counts, in per-process memory as without REDIS_URL)",
    "ANALYSE_ON_ARRIVAL off, as it is by default without a broker: otherwise each sent response would be "
    "embedded inside the web request",
    "static files from a manifest collected into .cache/bench-web/static (not requested by the load)",
    "no email on the drafts, so no receipt is rendered or sent in the request (without a broker the "
    "project sends it in the web process; production queues it)",
]


def _log(message: str) -> None:
    print(f"[bench-web {time.strftime('%H:%M:%S')}] {message}", flush=True)


# --- Database and Django --------------------------------------------------------------------------


def _database_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit(
            "bench-web needs PostgreSQL: set DATABASE_URL, for example "
            "postgres://postgres@127.0.0.1:5432/consult_bench (make bench-web sets BENCH_DATABASE_URL)."
        )
    return url


def _ensure_database(url: str, *, drop: bool) -> None:
    """Create the benchmark's database if it is missing (or drop it first, to rebuild)."""
    import dj_database_url
    import psycopg

    config = dj_database_url.parse(url)
    name = config["NAME"]
    admin = psycopg.connect(
        dbname="postgres",
        user=config.get("USER") or None,
        password=config.get("PASSWORD") or None,
        host=config.get("HOST") or None,
        port=config.get("PORT") or None,
        autocommit=True,
    )
    with admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and drop:
            if "bench" not in name:
                sys.exit(f"Refusing to drop {name!r} to rebuild: use a database of its own with 'bench' in its name.")
            _log(f"dropping database {name} to rebuild it")
            admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = None
        if not exists:
            _log(f"creating database {name}")
            admin.execute(f'CREATE DATABASE "{name}"')


def _setup_django() -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.web.settings"
    import django

    django.setup()


def _prepare(url: str, rebuild: bool) -> Any:
    """Migrate, collect static files once, and build the data unless this version is there."""
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connections

    from bench.web import data

    call_command("migrate", verbosity=0, interactive=False)
    # Every run: others add static files, and a page naming one missing from the manifest fails.
    _log(f"collecting static files into {Path(settings.STATIC_ROOT).relative_to(ROOT)}")
    call_command("collectstatic", verbosity=0, interactive=False)
    pools = None if rebuild else data.current_pools()
    if pools is None:
        if data.has_any_bench_rows() or rebuild:
            connections.close_all()
            _ensure_database(url, drop=True)
            call_command("migrate", verbosity=0, interactive=False)
        _log("building 100,000 responses (once; later runs reuse them)")
        pools = data.build(log=_log)
    else:
        _log("reusing the data built earlier")
    data.keep_open()
    return pools


# --- The plan the load tool reads -----------------------------------------------------------------


def _page_urls(pools: Any) -> dict[str, str | None]:
    """Each page target's address, or None while the view does not exist yet."""
    from django.urls import NoReverseMatch, reverse

    why = pools.free_text_ids[0]
    theme_ids = pools.theme_ids.get(why, [])
    urls: dict[str, str | None] = {}
    for name, url_name, args, query in PAGES:
        kwargs: dict[str, object] = {}
        if "slug" in args:
            kwargs["slug"] = pools.big_slug
        if "question" in args:
            kwargs["question_id"] = why
        if "reference" in args:
            kwargs["reference"] = pools.sample_references[len(pools.sample_references) // 2]
        try:
            path = reverse(url_name, kwargs=kwargs)
        except NoReverseMatch:
            urls[name] = None
            continue
        if query:
            path += "?" + query.format(question=why, theme=theme_ids[2] if len(theme_ids) > 2 else "")
        urls[name] = path
    return urls


def _plan(pools: Any, pages: dict[str, str | None], session: str, csrf: str) -> dict[str, Any]:
    from django.urls import reverse

    from bench.web.spec import theme_plans
    from consult.access import response_token
    from consult.models import Question, Response

    questions = []
    for question in Question.objects.filter(pk__in=pools.question_ids).order_by("position"):
        questions.append({"id": question.pk, "kind": question.kind, "options": pools.option_ids.get(question.pk, [])})
    references = dict(
        Response.objects.filter(pk__in=pools.submit_draft_ids + pools.answer_draft_ids).values_list("pk", "reference")
    )

    def sign(pk: int) -> str:
        return response_token(Response(reference=references[pk]))

    texts = [" ".join(plan.sentences[:2]) for plan in theme_plans()]
    return {
        "csrf": csrf,
        "session": session,
        "pages": {name: path for name, path in pages.items() if path},
        "bare": reverse("bench_bare"),
        "bare_write": reverse("bench_bare_write", kwargs={"response_id": 0}).replace("/0/", "/{response_id}/"),
        "start": reverse("start_response", kwargs={"slug": pools.open_slug}),
        "questions": questions,
        "texts": texts,
        "answer_drafts": [{"id": pk, "token": sign(pk)} for pk in pools.answer_draft_ids],
        "submit_tokens": [sign(pk) for pk in pools.submit_draft_ids],
    }


# --- Query counts, once per page, in this process -------------------------------------------------


@dataclass
class PageCheck:
    """One page fetched through Django's test client: once with the cache emptied (cold), once
    straight after (warm, as most requests under load find it)."""

    status: int
    ms: float
    queries: int
    sql_ms: float
    cold_ms: float
    cold_queries: int
    cold_sql_ms: float
    slowest: list[tuple[float, str]]


def _count_queries(pages: dict[str, str | None], session: str) -> dict[str, PageCheck]:
    """Each page's queries and SQL time, cold and warm, as the signed-in official."""
    from django.conf import settings
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    def timed(captured: CaptureQueriesContext) -> list[tuple[float, str]]:
        return [(float(q.get("time") or 0) * 1000, q["sql"]) for q in captured.captured_queries]

    checks = {}
    # A page that fails answers 500 here, as it would to the official, rather than stopping the run.
    client = Client(raise_request_exception=False)
    client.cookies[settings.SESSION_COOKIE_NAME] = session
    for name, path in pages.items():
        if not path:
            continue
        client.get(path)  # the first request of a process compiles the page's templates
        cache.clear()  # this process's own memory cache (bench settings), not gunicorn's
        clock = time.perf_counter()
        with CaptureQueriesContext(connection) as cold:
            client.get(path)
        cold_ms = (time.perf_counter() - clock) * 1000
        clock = time.perf_counter()
        with CaptureQueriesContext(connection) as warm:
            response = client.get(path)
        warm_ms = (time.perf_counter() - clock) * 1000
        cold_times, warm_times = timed(cold), timed(warm)
        checks[name] = PageCheck(
            status=response.status_code,
            ms=warm_ms,
            queries=len(warm_times),
            sql_ms=sum(t for t, _ in warm_times),
            cold_ms=cold_ms,
            cold_queries=len(cold_times),
            cold_sql_ms=sum(t for t, _ in cold_times),
            slowest=sorted(cold_times, key=lambda pair: -pair[0])[:3],
        )
    return checks


def _explain(sql: str) -> str:
    from django.db import connection

    if not sql.lstrip().upper().startswith("SELECT"):
        return ""
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        return "\n".join(row[0] for row in cursor.fetchall())


# --- Main -----------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.web", description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=20, help="seconds of load per target (default 20)")
    parser.add_argument("--users", type=int, default=8, help="simultaneous users for the submission step (default 8)")
    parser.add_argument("--page-users", type=int, default=4, help="simultaneous users per page (default 4)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers (default 4, for 2 cores)")
    parser.add_argument("--only", nargs="*", default=None, help="run only these targets (names as in the table)")
    parser.add_argument("--rebuild", action="store_true", help="drop the benchmark database and build the data again")
    args = parser.parse_args(argv)

    url = _database_url()
    _ensure_database(url, drop=False)
    _setup_django()
    from bench.web import data

    pools = _prepare(url, args.rebuild)
    session = data.official_session_key(pools.official_id)
    csrf = "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(32))
    pages = _page_urls(pools)
    wanted = set(args.only) if args.only else None
    if wanted:
        pages = {name: path for name, path in pages.items() if name in wanted}
    _log("counting each page's SQL queries through the test client")
    counts = _count_queries(pages, session)

    OUT.mkdir(parents=True, exist_ok=True)
    ignore = OUT.parent / ".gitignore"
    if not ignore.exists():
        ignore.write_text("# Written by the benchmarks: nothing here belongs in git.\n*\n")
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%d-%H%M%S")
    work = OUT / f"run-{stamp}"
    work.mkdir()
    plan_path = work / "plan.json"
    plan_path.write_text(json.dumps(_plan(pools, pages, session, csrf)), encoding="utf-8")

    port = free_port()
    load_before = os.getloadavg()[0]
    _log(f"starting gunicorn ({args.workers} workers) on 127.0.0.1:{port}")
    gunicorn = start_gunicorn(port, args.workers, work / "gunicorn.log")
    page_results: list[Result] = []
    submission_results: list[Result] = []
    try:
        warm(port, "/bench/bare/", session, args.workers)
        for name in SUBMISSION:
            if wanted and name not in wanted:
                continue
            if name == "accept and send":
                data.reset_submit_drafts()
            _log(f"{name}: {args.users} users for {args.duration} s")
            result = Result(name=name, kind="submission", users=args.users)
            row, steps = run_locust(name, CLASSES[name], args.users, args.duration, port, plan_path, work)
            fill(result, row)
            if name == "whole response":
                for step in steps:
                    p50, p95, _ = percentile_columns(step)
                    result.steps.append(
                        {
                            "name": step["Name"],
                            "requests": int(step["Request Count"]),
                            "rps": float(step["Requests/s"]),
                            "p50": p50,
                            "p95": p95,
                        }
                    )
                sent = next((s for s in result.steps if s["name"].endswith("accept and send")), None)
                result.finished_responses = sent["requests"] if sent else 0
            submission_results.append(result)
        for name, _url_name, _args, _query in PAGES:
            if wanted and name not in wanted:
                continue
            path = pages.get(name)
            result = Result(name=name, kind="page", users=args.page_users)
            if not path:
                result.note = "not measured: the page does not exist yet"
                page_results.append(result)
                continue
            check = counts[name]
            result.path, result.status, result.queries, result.sql_ms = path, check.status, check.queries, check.sql_ms
            result.alone_ms = check.ms
            result.cold_ms, result.cold_queries, result.cold_sql_ms = (
                check.cold_ms,
                check.cold_queries,
                check.cold_sql_ms,
            )
            slowest = check.slowest
            result.slowest_sql_ms = slowest[0][0] if slowest else 0.0
            result.slowest_queries = [{"ms": round(ms, 1), "sql": sql} for ms, sql in slowest]
            warm_status = warm(port, path, session, args.workers)
            if warm_status != 200:
                result.note = f"not measured: answered {warm_status}"
                page_results.append(result)
                continue
            _log(f"{name}: {args.page_users} users for {args.duration} s")
            row, _ = run_locust(name, "PageUser", args.page_users, args.duration, port, plan_path, work)
            fill(result, row)
            if result.p95 >= PAGE_TARGET_MS or check.cold_ms >= PAGE_TARGET_MS:
                result.explain = _explain(slowest[0][1]) if slowest else ""
            page_results.append(result)
    finally:
        stop(gunicorn)
        data.reset_submit_drafts()
        data.end_session(session)
    report = {
        "command": "python -m bench.web " + shlex.join(argv if argv is not None else sys.argv[1:]),
        "machine": machine(),
        "workers": args.workers,
        "users": args.users,
        "page_users": args.page_users,
        "duration": args.duration,
        "load_before": load_before,
        "load_after": os.getloadavg()[0],
        "settings_notes": SETTINGS_NOTES,
        "pages": [asdict(r) for r in page_results],
        "submission": [asdict(r) for r in submission_results],
    }
    (OUT / f"web-{stamp}.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
    table = render(report)
    (OUT / f"web-{stamp}.md").write_text(table, encoding="utf-8")
    print(table)
    _log(f"wrote {OUT / f'web-{stamp}.md'} and .json")
    return 0


if __name__ == "__main__":
    sys.exit(main())

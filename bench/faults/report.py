"""The results of `python -m bench.faults` as Markdown for docs/reliability.md, and each target
met or missed (the harness exits non-zero when one is missed)."""

from __future__ import annotations

from typing import Any

FAILURE_KINDS = ["503 page", "500", "other status", "no answer"]


def judge(report: dict[str, Any]) -> list[tuple[bool, str]]:
    """Each target of issue 12's proof, in words, met or not."""
    responses, receipts, runs = report["responses"], report["receipts"], report["runs"]
    failures = report["failures"]
    by_kind = {kind: sum(n for (k, _outage), n in failures.items() if k == kind) for kind in FAILURE_KINDS}
    not_503 = by_kind["500"] + by_kind["other status"] + by_kind["no answer"]
    verdicts = [
        (
            responses["lost"] == 0,
            f"0 lost: {responses['lost']} of {responses['confirmed']} confirmed responses not stored as sent",
        ),
        (responses["duplicates"] == 0, f"0 duplicates: {responses['duplicates']} respondents with two sent responses"),
        (
            receipts["missing"] == 0 and receipts["more_than_one"] == 0,
            f"exactly one receipt each: {receipts['exactly_one']} of {receipts['sent_with_email']} sent responses; "
            f"{receipts['missing']} without one, {receipts['more_than_one']} with more than one",
        ),
        (
            report["unprocessed"] == 0,
            f"every sent response processed (redacted and embedded): {report['unprocessed']} not",
        ),
    ]
    outbox = report["outbox"]
    if outbox is None:
        verdicts.append((True, "tasks lost: not measured (no outbox table in this tree)"))
    else:
        not_done = sum(row["not_done"] for row in outbox.values())
        gave_up = sum(row["gave_up"] for row in outbox.values())
        verdicts.append(
            (not_done == 0 and gave_up == 0, f"0 tasks lost: {not_done} outbox rows not done, {gave_up} given up")
        )
    faults = report["faults"]
    restarted = sorted(outage["service"] for outage in faults["outages"] if outage["end"] is not None)
    verdicts.append(
        (
            bool(faults["worker_kills"]) and restarted == ["PostgreSQL", "Redis"] and not faults["errors"],
            f"every fault injected: worker killed {len(faults['worker_kills'])} times; restarted: "
            f"{', '.join(restarted) or 'nothing'}"
            + (f"; injection errors: {len(faults['errors'])}" if faults["errors"] else ""),
        )
    )
    verdicts.append((bool(runs), f"an analysis run requested during the faults ({len(runs)})"))
    for run in runs:
        verdicts.append(
            (
                run["status"] == "succeeded" and not run["saved_twice"],
                f"run {run['id']} completed exactly once: {run['status']} after {run['attempts']} attempt(s), "
                f"results saved {'more than once' if run['saved_twice'] else 'once' if run['summaries'] else 'never'}",
            )
        )
    verdicts += [
        (by_kind["500"] == 0, f"0 server errors: {by_kind['500']} respondent-facing 500s"),
        (
            not_503 == 0,
            f"every respondent-facing error the 503 page: {by_kind['503 page']} were; "
            f"{not_503} were not (500, another status, or no answer)",
        ),
    ]
    return verdicts


def _minutes(seconds: float) -> str:
    return f"{seconds / 60:.1f} min"


def render(report: dict[str, Any]) -> str:
    """The whole result as Markdown."""
    machine = report["machine"]
    faults, responses, receipts = report["faults"], report["responses"], report["receipts"]
    versions = ", ".join(f"{name} {version}" for name, version in machine["versions"].items())
    lines = [
        f"Run {machine['date']} with `{report['command']}`"
        + (" (**quick run**: fewer responses than the proof asks for)" if report["quick"] else ""),
        "",
        f"Machine: {machine['cpu']}, {machine['nproc']} cores (nproc), {machine['memory_gb']} GB memory; "
        f"Python {machine['python']}; {versions}. Load average {report['load_before']:.2f} before the run.",
        "",
        f"Stack: its own PostgreSQL cluster (fsync on) and Redis (no persistence), gunicorn with "
        f"{report['web_workers']} workers (`-c config/gunicorn.py`), one Celery worker on "
        f"`default,arrivals,analysis`, Celery beat; {report['clients']} respondents at once. "
        f"Whole run {_minutes(report['wall_seconds'])}: load {_minutes(report['load_seconds'])}, "
        f"draining {_minutes(report['drain']['seconds'])} "
        f"({'drained' if report['drain']['drained'] else 'did NOT drain: ' + report['drain']['why']}).",
        "",
        "Settings changed from production's defaults: " + "; ".join(report["settings_notes"]) + ".",
        "",
        "Faults: " + f"worker killed (kill -9, process group) {len(faults['worker_kills'])} times, every "
        f"{report['kill_every']:.0f} s, started again at once; "
        + "; ".join(
            f"{o['service']} stopped at {o['start']:.0f} s and back at {o['end']:.0f} s" for o in faults["outages"]
        )
        + f"; analysis run(s) {', '.join(str(r) for r in faults['analysis_runs']) or 'none'} requested at "
        + ", ".join(f"{t:.0f} s" for t in faults["analysis_requested_at"])
        + "."
        + (" Injection errors: " + "; ".join(faults["errors"]) if faults["errors"] else ""),
        "",
        "| responses | count |",
        "| --- | ---: |",
        f"| confirmed to respondents (confirmation page with its reference seen) | {responses['confirmed']} |",
        f"| stored as sent (the benchmark's respondents) | {responses['sent_stored']} |",
        f"| **lost** (confirmed, not stored as sent) | {responses['lost']} |",
        f"| **duplicates** (one respondent, two sent responses) | {responses['duplicates']} |",
        f"| sent but never confirmed to the respondent | {responses['sent_not_confirmed']} |",
        f"| journeys abandoned (errors for too long, or a page that would not move on) | {responses['abandoned']} |",
        f"| drafts left by the load | {responses['drafts_left']} |",
        f"| sends retried after they had gone through (shown the sent response) | {responses['double_sends']} |",
        "",
        "| receipts (email files, per sent response) | count |",
        "| --- | ---: |",
        f"| sent responses with an email address | {receipts['sent_with_email']} |",
        f"| exactly one receipt | {receipts['exactly_one']} |",
        f"| **no receipt** | {receipts['missing']} |",
        f"| **more than one receipt** (most copies of one: {receipts['most_copies']}) | {receipts['more_than_one']} |",
        f"| receipts for responses not stored as sent | {receipts['for_unsent']} |",
        "",
    ]
    if receipts["wait_max"] is not None:
        lines += [
            f"From sending to the receipt: median {_minutes(receipts['wait_p50'])}, 95th percentile "
            f"{_minutes(receipts['wait_p95'])}, longest {_minutes(receipts['wait_max'])} (one worker takes all "
            "four queues here; the README advises a worker of its own for `default` in production).",
            "",
        ]
    outbox = report["outbox"]
    if outbox is None:
        lines += ["Tasks lost: not measured (the outbox table `consult_queuedtask` does not exist in this tree).", ""]
    else:
        lines += [
            "| outbox task | rows | **not done** | given up | sent more than once | most sends |",
            "| --- | ---: | ---: | ---: | ---: | ---: |",
        ]
        for task, row in outbox.items():
            lines.append(
                f"| `{task}` | {row['rows']} | {row['not_done']} | {row['gave_up']} | {row['resent']} | "
                f"{row['max_sends']} |"
            )
        lines.append("")
    lines += [
        f"Sent responses not processed (redacted and embedded) when the counting stopped: {report['unprocessed']} "
        "(the analysis run redacts and embeds every answer too: the outbox rows of `process_response` say "
        "whether each response's own task ran).",
        "",
        "| analysis run | status | attempts | questions with themes | results saved | stale executions stopped "
        "(log) | 'not claimable' (log) | failed (log) | requested to finished |",
        "| ---: | --- | ---: | ---: | --- | ---: | ---: | ---: | ---: |",
    ]
    for run in report["runs"]:
        saved = "twice" if run["saved_twice"] else "once" if run["summaries"] else "never"
        took = _minutes(run["seconds"]) if run["seconds"] is not None else "not finished"
        lines.append(
            f"| {run['id']} | {run['status']}{': ' + run['error'] if run['error'] else ''} | {run['attempts']} | "
            f"{run['questions_with_themes']} | {saved} | {run['stale_stopped']} | {run['not_claimable']} | "
            f"{run['failed_in_log']} | {took} |"
        )
    lines += ["", *_failures(report), "", "Targets:", ""]
    lines += [f"- {'met' if ok else 'MISSED'}: {text}" for ok, text in report["verdicts"]]
    if report["task_failures"]:
        lines += ["", "Tasks that failed in the worker (its log): "]
        lines[-1] += "; ".join(f"{text}: {n}" for text, n in report["task_failures"]) + "."
    exceptions = report["exceptions"]
    if any(exceptions.values()):
        lines += ["", "Exceptions in the logs (numbers masked):", ""]
        for process, found in exceptions.items():
            for text, n in found:
                lines.append(f"- {process}, {n} times: `{text}`")
    return "\n".join(lines) + "\n"


def _failures(report: dict[str, Any]) -> list[str]:
    """What respondents got when a request failed, by when it happened."""
    requests = report["requests"]
    statuses = ", ".join(f"{status}: {n}" for status, n in sorted(requests["statuses"].items()))
    lines = [
        f"Requests by respondents: {requests['total']} ({statuses}); gunicorn's access log shows 5xx: "
        + (", ".join(f"{s}: {n}" for s, n in sorted(report["server_5xx"].items())) or "none")
        + ".",
        "",
        "| respondent-facing errors, during | " + " | ".join(FAILURE_KINDS) + " |",
        "| --- |" + " ---: |" * len(FAILURE_KINDS),
    ]
    failures = report["failures"]
    outages = ["Redis", "PostgreSQL", "none"]
    for outage in outages:
        label = {"none": "no outage (worker kills only)"}.get(outage, f"the {outage} restart (+15 s)")
        lines.append(f"| {label} | " + " | ".join(str(failures.get((k, outage), 0)) for k in FAILURE_KINDS) + " |")
    pages = report["failures_by_page"]
    if pages:
        lines += ["", "Errors by page: " + ", ".join(f"{page} {kind}: {n}" for (page, kind), n in pages) + "."]
    return lines

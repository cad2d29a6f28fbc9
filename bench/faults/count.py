"""Counting after the faults, for `python -m bench.faults`: waiting for the queued work to drain,
then comparing what respondents were shown with what the database holds, the receipts in the
email files, the outbox, the analysis runs and the logs.

Runs in the harness process with Django set up on the stack's database (`django.setup()` after the
stack's environment is in `os.environ`), reading only; the outbox is read with plain SQL, so that
the count still runs (and says "not measured") where the outbox table does not exist yet.
"""

from __future__ import annotations

import email
import email.policy
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from bench.faults.journey import Tally
from bench.faults.stack import ROOT, say

EMAIL_DOMAIN = "@bench-faults.example"
RECEIPT_SUBJECT = re.compile(r"^Your response to .*: (R-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})$")
# The filebased backend separates the messages it writes to one file with a line of 79 dashes.
MESSAGE_SEPARATOR = re.compile(rb"\n-{79}\n")


def connection_close() -> None:
    """A fresh connection for the next query: PostgreSQL was restarted under the old one."""
    from django.db import connection

    connection.close()


def has_outbox() -> bool:
    """Whether the transactional outbox of issue 12 is in this tree (its migration and service)."""
    has_migration = any((ROOT / "consult" / "migrations").glob("*_queued_work.py"))
    return has_migration and (ROOT / "consult" / "services" / "outbox.py").exists()


def _outbox_table_exists() -> bool:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('consult_queuedtask') IS NOT NULL")
        return bool(cursor.fetchone()[0])


def outbox_by_task() -> dict[str, dict[str, int]] | None:
    """Per task name: rows, rows not done (not given up either), given up, rows sent more than
    once, and the most sends of one row. None while the outbox table does not exist."""
    from django.db import connection

    if not _outbox_table_exists():
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT task,
                   count(*),
                   count(*) FILTER (WHERE done_at IS NULL AND gave_up_at IS NULL),
                   count(*) FILTER (WHERE gave_up_at IS NOT NULL),
                   count(*) FILTER (WHERE sends > 1),
                   coalesce(max(sends), 0)
            FROM consult_queuedtask GROUP BY task ORDER BY task
            """
        )
        return {
            task: {"rows": rows, "not_done": not_done, "gave_up": gave_up, "resent": resent, "max_sends": max_sends}
            for task, rows, not_done, gave_up, resent, max_sends in cursor.fetchall()
        }


# --- Receipts ---------------------------------------------------------------------------------------


def receipts_in(mail_dir: Path, written_at: dict[str, float] | None = None) -> tuple[Counter[str], int]:
    """Receipts per response reference among the emails the file backend wrote, and how many
    other emails there were. With `written_at`, it is filled with when each reference's first
    receipt was written (the file's time: the backend opens a file for each sending)."""
    receipts: Counter[str] = Counter()
    others = 0
    for path in mail_dir.glob("*.log"):
        modified = path.stat().st_mtime
        for raw in MESSAGE_SEPARATOR.split(path.read_bytes()):
            if not raw.strip():
                continue
            message = email.message_from_bytes(raw.strip(b"\n"), policy=email.policy.default)
            subject = " ".join(str(message.get("Subject", "")).split())
            found = RECEIPT_SUBJECT.match(subject)
            if found:
                receipts[found.group(1)] += 1
                if written_at is not None:
                    written_at[found.group(1)] = min(written_at.get(found.group(1), modified), modified)
            else:
                others += 1
    return receipts, others


# --- Waiting for the queues to drain ----------------------------------------------------------------


@dataclass
class Snapshot:
    """How far the queued work has got; the harness waits until it is all done or stops moving."""

    submitted: int
    unprocessed: int  # submitted responses with a free-text answer not yet redacted and embedded
    receipts: int
    runs_unfinished: int
    outbox_not_done: int | None
    run_states: list[str] = field(default_factory=list)

    @property
    def is_done(self) -> bool:
        return (
            self.unprocessed == 0
            and self.runs_unfinished == 0
            and not self.outbox_not_done
            and self.receipts >= self.submitted
        )

    def key(self) -> tuple[object, ...]:
        return (self.unprocessed, self.receipts, self.runs_unfinished, self.outbox_not_done, tuple(self.run_states))


def _bench_responses(consultation_id: int) -> Any:
    from consult.models import Response

    return Response.objects.filter(consultation_id=consultation_id, email__endswith=EMAIL_DOMAIN)


def unprocessed_responses(consultation_id: int) -> int:
    """Submitted responses of the benchmark whose free-text answers `process_response` has not
    finished: not redacted by the current rules, or with no embedding."""
    from django.db.models import Exists, OuterRef, Q

    from consult.analysis.redaction import REDACTION_VERSION
    from consult.models import Answer, AnswerEmbedding, Question, Response

    answers = (
        Answer.objects.filter(
            response__in=_bench_responses(consultation_id).filter(status=Response.Status.SUBMITTED),
            question__kind=Question.Kind.FREE_TEXT,
        )
        .exclude(text="")
        .annotate(has_embedding=Exists(AnswerEmbedding.objects.filter(answer=OuterRef("pk"))))
    )
    stale = answers.filter(~Q(redaction_version=REDACTION_VERSION) | Q(has_embedding=False))
    return stale.values("response_id").distinct().count()


def snapshot(consultation_id: int, run_ids: list[int], mail_dir: Path) -> Snapshot:
    from consult.models import AnalysisRun, Response

    connection_close()
    submitted = _bench_responses(consultation_id).filter(status=Response.Status.SUBMITTED).count()
    receipts, _others = receipts_in(mail_dir)
    runs = list(AnalysisRun.objects.filter(pk__in=run_ids).order_by("pk"))
    outbox = outbox_by_task()
    return Snapshot(
        submitted=submitted,
        unprocessed=unprocessed_responses(consultation_id),
        receipts=sum(min(n, 1) for n in receipts.values()),
        runs_unfinished=sum(not run.is_finished for run in runs),
        outbox_not_done=None if outbox is None else sum(row["not_done"] for row in outbox.values()),
        run_states=[f"run {run.pk}: {run.status} {run.stage} {run.progress}% (attempt {run.attempts})" for run in runs],
    )


def wait_for_drain(
    consultation_id: int, run_ids: list[int], mail_dir: Path, *, deadline: float, stall: float
) -> tuple[bool, float, str]:
    """Wait until every queued piece of work is done, printing progress; give up at `deadline`
    seconds, or once nothing has moved for `stall` seconds (work that was lost never arrives).
    Returns whether it all drained, the seconds waited, and the last progress line."""
    started = time.monotonic()
    last_change, last_key, line = started, None, ""
    while True:
        now = snapshot(consultation_id, run_ids, mail_dir)
        outbox = "not measured" if now.outbox_not_done is None else str(now.outbox_not_done)
        line = (
            f"{now.submitted} sent, {now.unprocessed} not yet processed, receipts for {now.receipts}, "
            f"outbox rows not done: {outbox}; " + "; ".join(now.run_states)
        )
        waited = time.monotonic() - started
        if now.is_done:
            say(f"drained after {waited:.0f} s: {line}")
            return True, waited, line
        if now.key() != last_key:
            last_key, last_change = now.key(), time.monotonic()
        if waited > deadline or time.monotonic() - last_change > stall:
            why = "deadline" if waited > deadline else f"nothing moved for {stall:.0f} s"
            say(f"stopped waiting ({why}) after {waited:.0f} s: {line}")
            return False, waited, line
        say(f"draining ({waited:.0f} s): {line}")
        time.sleep(10)


# --- The counts -------------------------------------------------------------------------------------


def count_responses(consultation_id: int, tally: Tally, load_started_at: datetime) -> dict[str, Any]:
    """Responses confirmed to respondents against responses stored as sent.

    Lost: a reference shown on a confirmation page that the database does not hold as sent.
    Duplicates: one respondent (each journey has its own email address) with two sent responses.
    """
    from django.db.models import Count

    from consult.models import Response

    connection_close()
    stored = _bench_responses(consultation_id)
    sent = dict(stored.filter(status=Response.Status.SUBMITTED).values_list("reference", "email"))
    confirmed = dict(tally.confirmed)  # email -> reference
    lost = sorted(ref for ref in confirmed.values() if ref not in sent)
    duplicates = list(
        stored.filter(status=Response.Status.SUBMITTED)
        .values("email")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .values_list("email", "n")
    )
    # Drafts the load left behind: journeys abandoned before sending, and second drafts started
    # when a respondent came back to the consultation page after an error (no email yet).
    drafts = Response.objects.filter(
        consultation_id=consultation_id, status=Response.Status.DRAFT, created_at__gte=load_started_at
    ).count()
    return {
        "confirmed": len(confirmed),
        "sent_stored": len(sent),
        "lost": len(lost),
        "lost_references": lost[:20],
        "sent_not_confirmed": len(set(sent) - set(confirmed.values())),
        "duplicates": len(duplicates),
        "duplicate_emails": duplicates[:20],
        "abandoned": len(tally.abandoned),
        "abandoned_why": Counter(tally.abandoned.values()).most_common(10),
        "drafts_left": drafts,
        "double_sends": tally.double_sends,
    }


def count_receipts(consultation_id: int, mail_dir: Path) -> dict[str, Any]:
    """Receipts per sent response with an email address: none, exactly one, more than one."""
    from consult.models import Response

    written_at: dict[str, float] = {}
    receipts, others = receipts_in(mail_dir, written_at)
    sent_at = dict(
        _bench_responses(consultation_id)
        .filter(status=Response.Status.SUBMITTED)
        .values_list("reference", "submitted_at")
    )
    sent = set(sent_at)
    per_response = Counter(receipts.get(reference, 0) for reference in sent)
    # How long respondents waited for their receipt: from sending to the receipt's file.
    waits = sorted(written_at[ref] - sent_at[ref].timestamp() for ref in sent if ref in written_at)
    return {
        "wait_p50": waits[len(waits) // 2] if waits else None,
        "wait_p95": waits[int(len(waits) * 0.95)] if waits else None,
        "wait_max": waits[-1] if waits else None,
        "sent_with_email": len(sent),
        "missing": per_response.get(0, 0),
        "exactly_one": per_response.get(1, 0),
        "more_than_one": sum(n for copies, n in per_response.items() if copies > 1),
        "most_copies": max(receipts.values(), default=0),
        "for_unsent": sum(1 for reference in receipts if reference not in sent),
        "other_emails": others,
    }


def count_runs(run_ids: list[int], worker_log: Path) -> list[dict[str, Any]]:
    """Each requested run: its final status and attempts, and whether its results were saved more
    than once (a question with two summaries, or two summaries of the whole consultation, means two
    executions both saved), with what the worker log says about it."""
    from django.db.models import Count

    from consult.models import AnalysisRun, QuestionSummary, Theme

    connection_close()
    log = worker_log.read_text(encoding="utf-8", errors="replace") if worker_log.exists() else ""
    rows = []
    for run in AnalysisRun.objects.filter(pk__in=run_ids).order_by("pk"):
        summaries = Counter(
            dict(
                QuestionSummary.objects.filter(run=run)
                .values("question_id")
                .annotate(n=Count("id"))
                .values_list("question_id", "n")
            )
        )
        themes = Theme.objects.filter(run=run).values("question_id").distinct().count()
        rows.append(
            {
                "id": run.pk,
                "status": run.status,
                "attempts": run.attempts,
                "error": run.error.splitlines()[0][:160] if run.error else "",
                "questions_with_themes": themes,
                "summaries": sum(summaries.values()),
                "saved_twice": any(n > 1 for n in summaries.values()),
                "stale_stopped": log.count(f"analysis run {run.pk}: another execution claimed it"),
                "not_claimable": log.count(f"analysis run {run.pk} is not claimable"),
                "failed_in_log": log.count(f"analysis run {run.pk} failed"),
                "seconds": (run.finished_at - run.created_at).total_seconds() if run.finished_at else None,
            }
        )
    return rows


# --- Logs ---------------------------------------------------------------------------------------------

# The last line of a Python traceback: the exception and its message.
EXCEPTION_LINE = re.compile(r"^([A-Za-z_][\w.]*(?:Error|Exception|Lost|Timeout)[\w.]*): ?(.*)$")


def exceptions_in(log: Path) -> list[tuple[str, int]]:
    """The exceptions a log shows, with numbers and ids masked so that repeats group together."""
    if not log.exists():
        return []
    found: Counter[str] = Counter()
    lines = [line.strip() for line in log.read_text(encoding="utf-8", errors="replace").splitlines()]
    for index, line in enumerate(lines):
        match = EXCEPTION_LINE.match(line)
        if not match:
            continue
        # Only the exception a chained traceback ends with: the ones "during handling" of which
        # another was raised are the library's inner workings.
        following = " ".join(lines[index + 1 : index + 5])
        if "During handling of the above exception" in following or "The above exception was" in following:
            continue
        found[re.sub(r"\d+", "N", f"{match.group(1)}: {match.group(2)}")[:200]] += 1
    return found.most_common(12)


def server_errors_in(gunicorn_log: Path) -> Counter[int]:
    """5xx answers by status in gunicorn's access log (the status follows the quoted request line)."""
    statuses: Counter[int] = Counter()
    if not gunicorn_log.exists():
        return statuses
    pattern = re.compile(r'" (5\d\d) ')
    for line in gunicorn_log.read_text(encoding="utf-8", errors="replace").splitlines():
        match = pattern.search(line)
        if match:
            statuses[int(match.group(1))] += 1
    return statuses


TASK_FAILED = re.compile(r"Task (consult\.tasks\.\w+)\[[^\]]+\] raised unexpected: (\w+)")
TASK_RETRY = re.compile(r"Task (consult\.tasks\.\w+)\[[^\]]+\] retry: ")


def task_failures_in(worker_log: Path) -> list[tuple[str, int]]:
    """Tasks that ended in an exception in the worker (not retried by Celery: without an outbox
    this is work lost), and Celery's own retries, by task and exception."""
    found: Counter[str] = Counter()
    if not worker_log.exists():
        return []
    for line in worker_log.read_text(encoding="utf-8", errors="replace").splitlines():
        if match := TASK_FAILED.search(line):
            found[f"{match.group(1)} raised {match.group(2)}"] += 1
        elif match := TASK_RETRY.search(line):
            found[f"{match.group(1)} retried by Celery"] += 1
        elif "WorkerLostError" in line and "Task handler raised error" in line:
            found["a task's worker process was killed (WorkerLostError)"] += 1
    return found.most_common(12)

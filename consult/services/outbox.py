"""Queued work that survives the broker: recorded with the change that asks for it, sent when
that change commits, sent again by Celery beat until a worker has done it (consult.models.outbox).

`enqueue` is for work that must happen: receipts, confirmations, processing a response, mapping
a theme set, outcome emails. `send_on_commit` is for work that has a durable record of its own
(an analysis run's row, which `runs.requeue_lost_runs` sends again) or none worth keeping (a
recount of a cached figure): a broker that is down only delays it, and never fails the request.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from functools import partial
from typing import Any, TypeVar

from celery import current_app
from django.conf import settings
from django.db import DatabaseError, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from consult.models import QueuedTask

logger = logging.getLogger(__name__)

# The keyword a task's message carries to name its outbox row (see consult.tasks.FromOutbox).
QUEUED = "queued"

Result = TypeVar("Result")


def enqueue(task: str, *args: Any, key: str | None = None) -> None:
    """Record the task named `task` (`consult.task_names`) with `args` in the current transaction;
    hand it to the broker once that commits.

    With a key, work already recorded under it (done or not) is neither recorded nor sent again:
    the receipt of a response is asked for once, however often the sending is retried.
    """
    values = {"task": task, "args": list(args), "sent_at": timezone.now(), "sends": 1}
    if key is None:
        queued = QueuedTask.objects.create(**values)
    else:
        queued, created = QueuedTask.objects.get_or_create(key=key, defaults=values)
        if not created:
            return
    transaction.on_commit(partial(_send_recorded, queued.pk, task, queued.args))


def recording_sql(source: str, *, keyed: bool = False, when: str = "") -> str:
    """The INSERT, for a data-modifying CTE, that records a task for the id of each row of the CTE
    `source` meeting `when`: `enqueue` inside a statement that does the work it asks for, so that
    both are one statement. Its parameters, in order: the task's name, the key's prefix (keyed
    only), the time twice, then any of `when`. Returns the new rows' ids. Keyed work already
    recorded is not recorded again."""
    table = QueuedTask._meta.db_table
    key = f"%s || {source}.id" if keyed else "NULL"
    where = f" WHERE {when}" if when else ""
    conflict = " ON CONFLICT (key) DO NOTHING" if keyed else ""
    return (
        f"INSERT INTO {table} (task, args, key, created_at, sent_at, sends) "  # noqa: S608
        f"SELECT %s, jsonb_build_array({source}.id), {key}, %s, %s, 1 FROM {source}{where}{conflict} RETURNING id"
    )


def send_recorded_on_commit(queued_id: int, task: str, *args: Any) -> None:
    """Send work that a statement recorded (`recording_sql`) once the transaction commits."""
    transaction.on_commit(partial(_send_recorded, queued_id, task, list(args)))


def send_on_commit(task: str, *args: Any) -> None:
    """Send the task named `task` with `args` once the current transaction commits; a broker that
    is down is logged, not raised, because the work has a record of its own that brings it back (or
    none worth keeping, such as a recount)."""
    transaction.on_commit(partial(_send, task, list(args), {}))


def send_now(task: str, *args: Any) -> bool:
    """Send the task named `task` with `args` now, for work that waits on nothing being written
    (a recount a page asked for); a broker that is down is logged, not raised. Whether it went."""
    return _send(task, list(args), {})


def perform(queued_id: int, work: Callable[[], Result], *, once: bool) -> Result | None:
    """Do the work of an outbox row unless it is done, then mark it done.

    `once` is for work that cannot be taken back, such as an email: the row is locked while the
    work is done and marked done in the same transaction, so a second message for it (a re-send
    that crossed a slow worker, a redelivery after a worker was killed) waits for the first and
    then finds it done, or skips it while another worker holds it. Other work is idempotent
    (processing a response again gives the same result), so it is only skipped once done.
    """
    if once:
        with transaction.atomic():
            waiting = QueuedTask.objects.select_for_update(skip_locked=True).filter(pk=queued_id, done_at=None)
            if waiting.first() is None:
                return None
            result = work()
            QueuedTask.objects.filter(pk=queued_id).update(done_at=timezone.now())
            return result
    if QueuedTask.objects.filter(pk=queued_id, done_at__isnull=False).exists():
        return None
    result = work()
    QueuedTask.objects.filter(pk=queued_id, done_at=None).update(done_at=timezone.now())
    return result


def resend_due() -> int:
    """Send again the work no worker has done for a while: its message was lost (the broker
    restarted without keeping its queues, or was down when the change committed) or failed every
    retry. Waits grow with each sending (OUTBOX_RESEND_AFTER_SECONDS, doubled each time), so a long
    but healthy queue is not flooded; after OUTBOX_MAX_SENDS the row is left for an operator.
    Also forgets rows done more than OUTBOX_KEEP_DAYS ago. Returns how many it sent."""
    now = timezone.now()
    first_wait = timedelta(seconds=settings.OUTBOX_RESEND_AFTER_SECONDS)
    # Due: never handed to the broker (it was down), or handed over longer ago than the first wait.
    due = QueuedTask.objects.filter(Q(sent_at=None) | Q(sent_at__lt=now - first_wait), done_at=None, gave_up_at=None)
    given_up = due.filter(sends__gte=settings.OUTBOX_MAX_SENDS).update(gave_up_at=now)
    if given_up:
        logger.error("outbox: %s queued tasks were sent %s times and never done", given_up, settings.OUTBOX_MAX_SENDS)
    candidates = due.filter(sends__lt=settings.OUTBOX_MAX_SENDS)
    sent = 0
    for queued in candidates.order_by("pk")[: settings.OUTBOX_SWEEP_LIMIT]:
        if queued.sent_at is not None and now - queued.sent_at < first_wait * 2 ** min(queued.sends - 1, 6):
            continue
        QueuedTask.objects.filter(pk=queued.pk).update(sent_at=now, sends=F("sends") + 1)
        if _send_recorded(queued.pk, queued.task, queued.args):
            sent += 1
    QueuedTask.objects.filter(done_at__lt=now - timedelta(days=settings.OUTBOX_KEEP_DAYS)).delete()
    if sent:
        logger.warning("outbox: sent %s queued tasks again", sent)
    return sent


def send_again(queued: QuerySet[QueuedTask]) -> int:
    """Put work not done back in line for beat's next sweep, given up or not (an operator's
    action once the cause is mended). Returns how many rows it changed."""
    return queued.filter(done_at=None).update(gave_up_at=None, sent_at=None, sends=0)


def _send_recorded(queued_id: int, name: str, args: list[Any]) -> bool:
    if _send(name, args, {QUEUED: queued_id}):
        return True
    try:
        QueuedTask.objects.filter(pk=queued_id, done_at=None).update(sent_at=None)
    except DatabaseError:
        logger.warning("outbox: could not mark task %s as unsent; it is sent again when it falls due", queued_id)
    return False


def _send(name: str, args: list[Any], kwargs: dict[str, Any]) -> bool:
    try:
        current_app.tasks[name].apply_async(args=args, kwargs=kwargs)
    except BrokerError:
        logger.warning("broker unavailable: %s%s waits to be sent again", name, tuple(args))
        return False
    return True

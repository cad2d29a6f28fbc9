"""Queued work, recorded in the database before the broker hears of it (a transactional outbox).

A row is written in the same transaction as the change that asks for the work (a response sent,
withdrawn or changed), so the work exists exactly when the change does. The message to the broker
goes once that transaction commits; if the broker is down, or restarts and forgets its queues,
Celery beat sends again every row not done (`consult.services.outbox.resend_due`). Each task marks
its row done, and a task handed the row of work already done does nothing, so nothing is lost and
nothing happens twice (docs/decisions/0016-transactional-outbox.md).
"""

from django.db import models
from django.utils import timezone


class QueuedTask(models.Model):
    task = models.CharField(max_length=100, help_text="The Celery task's name.")
    args = models.JSONField(default=list)
    key = models.CharField(
        max_length=120,
        null=True,
        blank=True,
        unique=True,
        help_text="Work that must happen at most once (the receipt of one response) has a key; "
        "asking for it again finds the same row.",
    )
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True, help_text="When the broker last took its message.")
    sends = models.PositiveSmallIntegerField(default=0)
    done_at = models.DateTimeField(null=True, blank=True)
    gave_up_at = models.DateTimeField(
        null=True, blank=True, help_text="Sent OUTBOX_MAX_SENDS times without being done: left for an operator."
    )

    class Meta:
        indexes = [
            models.Index(
                fields=["sent_at"],
                condition=models.Q(done_at__isnull=True, gave_up_at__isnull=True),
                name="queuedtask_waiting",
            ),
            models.Index(fields=["done_at"], condition=models.Q(done_at__isnull=False), name="queuedtask_done"),
        ]

    def __str__(self) -> str:
        return f"{self.task}{tuple(self.args)}"

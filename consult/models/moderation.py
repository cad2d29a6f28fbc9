"""Moderation: flags raised on answers and moderators' decisions on them, and the original of an
answer a moderator redacted."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from consult.models.responses import Answer


class Flag(models.Model):
    """A reason to look at an answer again, raised by the analysis or reported by an official.

    An open flag waits in the moderation queue; a moderator's decision closes every open flag on
    the answer and sets the answer's `visibility`.
    """

    class Reason(models.TextChoices):
        PERSONAL_DATA = "personal_data", "Personal data found"
        ABUSE = "abuse", "Abusive language"
        SPAM = "spam", "Likely spam"
        GENERATED = "generated", "Likely generated text"
        CAMPAIGN = "campaign", "Campaign copy"
        REPORTED = "reported", "Reported by an official"

    class Status(models.TextChoices):
        OPEN = "open", "Waiting for a moderator"
        APPROVED = "approved", "Approved"
        REDACTED = "redacted", "Redacted"
        HIDDEN = "hidden", "Hidden"

    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="flags")
    reason = models.CharField(max_length=16, choices=Reason.choices)
    detail = models.TextField(blank=True, help_text="What was found, or why it was reported.")
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            # The analysis raises each kind of flag once per answer while it is open.
            models.UniqueConstraint(
                fields=["answer", "reason"], condition=Q(status="open"), name="flag_open_once_per_reason"
            ),
        ]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.get_reason_display()} on answer {self.answer_id}"


class RedactedOriginal(models.Model):
    """The original text of an answer a moderator redacted, kept under stricter access
    (Permission.SEE_ORIGINAL): `Answer.text` holds the redacted text everyone else sees."""

    answer = models.OneToOneField(Answer, on_delete=models.CASCADE, related_name="redacted_original")
    original_text = models.TextField()
    reason = models.TextField()
    redacted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    redacted_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Original of answer {self.answer_id}"

"""The audit trail: every human change, with who made it, when, and what it was before and after."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from consult.models.consultations import Consultation


class AuditEvent(models.Model):
    """One human change: who, when, what, and the state before and after it."""

    # Empty for decisions about no one consultation, such as verifying an organisation.
    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, null=True, blank=True, related_name="audit_events"
    )
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    action = models.CharField(max_length=50, help_text="What was done, such as 'theme.merge'.")
    object_type = models.CharField(max_length=50)
    object_id = models.CharField(max_length=50, blank=True)
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["consultation", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.action} by {self.actor} at {self.created_at:%Y-%m-%d %H:%M}"

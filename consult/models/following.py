"""People following consultations and departments, what they want to hear about, and the
notifications sent to them. The rows in `Notification` and `NotificationDigest` are also the claims
that stop an email going twice (see docs/decisions/0008-notifications.md)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from consult.models.consultations import Consultation, Department

if TYPE_CHECKING:
    from consult.models.accounts import User


class Follow(models.Model):
    """A person following one consultation, or every consultation of one department."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follows")
    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, null=True, blank=True, related_name="follows"
    )
    department = models.ForeignKey(Department, on_delete=models.CASCADE, null=True, blank=True, related_name="follows")
    # Only events after this count: following never brings a flood of old news.
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(consultation__isnull=False, department__isnull=True)
                | Q(consultation__isnull=True, department__isnull=False),
                name="follow_one_thing",
            ),
            models.UniqueConstraint(
                fields=["user", "consultation"],
                condition=Q(consultation__isnull=False),
                name="follow_consultation_once",
            ),
            models.UniqueConstraint(
                fields=["user", "department"], condition=Q(department__isnull=False), name="follow_department_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} follows {self.consultation or self.department}"


class NotificationKind(models.TextChoices):
    OPENING = "opening", _("When a consultation opens")
    CLOSING = "closing", _("Seven days before a consultation closes")
    OUTCOME = "outcome", _("When the government publishes its response")


class NotificationPreference(models.Model):
    """What a person wants to hear about and how often. Someone without a row gets every kind,
    straight away (`for_user` gives that default)."""

    class Frequency(models.TextChoices):
        IMMEDIATELY = "immediately", _("Send each email straight away")
        DAILY = "daily", _("Send one email a day with everything new (a daily digest)")
        NEVER = "never", _("Do not send me emails")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    notify_opening = models.BooleanField(default=True)
    notify_closing = models.BooleanField(default=True)
    notify_outcome = models.BooleanField(default=True)
    frequency = models.CharField(max_length=20, choices=Frequency.choices, default=Frequency.IMMEDIATELY)
    language = models.CharField(
        max_length=10,
        blank=True,
        help_text="The language the person's emails are written in: the one they last followed in.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.user}: {self.frequency}"

    @classmethod
    def for_user(cls, user: User) -> NotificationPreference:
        """The person's saved preference, or the unsaved default."""
        return cls.objects.filter(user=user).first() or cls(user=user)  # type: ignore[misc]

    @property
    def kinds(self) -> list[str]:
        """The kinds of notification wanted, whatever the frequency."""
        wanted = {
            NotificationKind.OPENING: self.notify_opening,
            NotificationKind.CLOSING: self.notify_closing,
            NotificationKind.OUTCOME: self.notify_outcome,
        }
        return [str(kind) for kind, is_wanted in wanted.items() if is_wanted]

    def wants(self, kind: str) -> bool:
        return self.frequency != self.Frequency.NEVER and kind in self.kinds


class NotificationDigest(models.Model):
    """One daily email to one person: the row is claimed before the email goes, so a retried
    digest task never sends a second one that day."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_digests")
    date = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-date"]
        constraints = [models.UniqueConstraint(fields=["user", "date"], name="notification_digest_once_a_day")]

    def __str__(self) -> str:
        return f"Digest for {self.user} on {self.date}"


class Notification(models.Model):
    """One event (opening, closing soon, outcome) of one consultation for one person, at most once.

    Created when the event is found; `attempted_at` is committed before the email is handed to
    the backend and `sent_at` after it was accepted. A row attempted but never marked sent means a
    worker died in between: it is not sent again (see the ADR).
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=20, choices=NotificationKind.choices)
    event_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)
    attempted_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    digest = models.ForeignKey(
        NotificationDigest, on_delete=models.SET_NULL, null=True, blank=True, related_name="notifications"
    )

    class Meta:
        ordering = ["event_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "kind", "consultation"], name="notification_once_per_event")
        ]
        indexes = [models.Index(fields=["user"], condition=Q(attempted_at__isnull=True), name="notification_pending")]

    def __str__(self) -> str:
        return f"{self.kind} of {self.consultation_id} for {self.user_id}"

"""Organisations that respond to consultations: who they are, their members and invitations, and
reports that a response was sent in someone's name without their knowledge.

An organisation is registered by a signed-in person, who becomes its first admin; officials then
verify it (or reject it with a reason). Its members share one draft response per consultation,
and only an admin may sign it off and send it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from consult.models.consultations import Consultation


class Organisation(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting verification")
        VERIFIED = "verified", _("Verified")
        REJECTED = "rejected", _("Not verified")

    name = models.CharField(max_length=200)
    website = models.URLField(max_length=300, blank=True)
    charity_number = models.CharField(max_length=12, blank=True)
    company_number = models.CharField(max_length=8, blank=True)
    represents = models.TextField(help_text="Whom the organisation represents.")
    how_views_gathered = models.TextField(help_text="How it gathered its members' views.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_verified(self) -> bool:
        return self.status == self.Status.VERIFIED

    @property
    def is_pending(self) -> bool:
        return self.status == self.Status.PENDING


class OrganisationMember(models.Model):
    class Role(models.TextChoices):
        ADMIN = "admin", _("Admin")
        MEMBER = "member", _("Member")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="organisation_members")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["organisation", "user"], name="organisation_member_once")]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()}, {self.organisation})"

    @property
    def is_admin(self) -> bool:
        return self.role == self.Role.ADMIN


class OrganisationInvitation(models.Model):
    """An invitation by email. The link carries the invitation's id signed with a timestamp, so it
    expires (`ORGANISATION_INVITATION_DAYS`); `accepted_at` makes it single use."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    role = models.CharField(
        max_length=10, choices=OrganisationMember.Role.choices, default=OrganisationMember.Role.MEMBER
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.email} to {self.organisation}"

    @property
    def is_used(self) -> bool:
        return self.accepted_at is not None


class FalseSubmissionReport(models.Model):
    """Someone's report that a response was sent in their name, or their organisation's, without
    their knowledge. Officials of the consultation's department read and resolve it."""

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="false_submission_reports")
    reference = models.CharField(max_length=20, blank=True)
    # The response the reference names, when it names one of this consultation's responses.
    response = models.ForeignKey(
        "consult.Response", on_delete=models.SET_NULL, null=True, blank=True, related_name="false_submission_reports"
    )
    what_happened = models.TextField()
    email = models.EmailField()
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    resolution_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Report {self.pk} on {self.consultation}"

    @property
    def is_resolved(self) -> bool:
        return self.resolved_at is not None

"""The outcome ("You said, we did") officials write, approve and publish, and what the published
outcome said to each respondent.

Publishing an outcome freezes, per sent response, the published themes its answers counted
towards: the receipt page reads this row, never the live mappings, so a correction made after
publication cannot change what a respondent was told without a new, dated publication. The same
row marks that the respondent's email went, so a retried task never sends it twice.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from consult.models.consultations import Consultation
from consult.models.responses import Response


class Outcome(models.Model):
    """The government's "You said, we did" for one consultation.

    A lead approves it; publishing sets `Consultation.outcome_published_at`, after which the
    public outcome page shows it and respondents are told by email.
    """

    consultation = models.OneToOneField(Consultation, on_delete=models.CASCADE, related_name="outcome")
    summary = models.TextField(blank=True, help_text="What the consultation heard, in plain English.")
    decision = models.TextField(blank=True, help_text="What the government will do.")
    method_note = models.TextField(blank=True, help_text="How the responses were analysed.")
    # Welsh versions for the Welsh outcome page (blank when there is none: it then shows the English).
    summary_cy = models.TextField("summary in Welsh", blank=True)
    decision_cy = models.TextField("decision in Welsh", blank=True)
    method_note_cy = models.TextField("how the responses were analysed, in Welsh", blank=True)
    version = models.PositiveIntegerField(default=1)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    # What the page showed when it was published: counts and themes, frozen, so that a later
    # edit or analysis run cannot change a published record silently.
    published_snapshot = models.JSONField(default=dict, blank=True)
    emails_sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Outcome of {self.consultation}"

    @property
    def is_published(self) -> bool:
        return self.published_at is not None


class OutcomeReceipt(models.Model):
    """One response as the published outcome counted it."""

    response = models.OneToOneField(Response, on_delete=models.CASCADE, related_name="outcome_receipt")
    # {"<question id>": ["theme label", ...]}: the published themes each of its answers counted towards.
    themes = models.JSONField(default=dict, blank=True)
    email_sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Outcome receipt of {self.response_id}"

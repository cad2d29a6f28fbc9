"""What the published outcome said to each respondent.

Publishing an outcome freezes, per sent response, the published themes its answers counted
towards: the receipt page reads this row, never the live mappings, so a correction made after
publication cannot change what a respondent was told without a new, dated publication. The same
row marks that the respondent's email went, so a retried task never sends it twice.
"""

from __future__ import annotations

from django.db import models

from consult.models.responses import Response


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

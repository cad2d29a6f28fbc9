"""Forms for moderation: reporting an answer, a moderator's decision on one, and one decision for
a selection of answers in the queue or for a whole campaign.

Each decision on one answer has its own small form (approve, redact, hide) on the same page, with
a prefix so their fields never share an id; the button that sends one names the decision.
"""

from __future__ import annotations

from django import forms
from django.db.models import QuerySet

from consult.forms.respond import TypedTextField
from consult.models import Flag

# Long enough for a reason with a quote from the answer; shown with a character count.
REASON_MAX_LENGTH = 1000


def _reason_field(label: str, *, required: bool, missing: str = "", hint: str = "") -> TypedTextField:
    return TypedTextField(
        label=label,
        help_text=hint,
        required=required,
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea,
        error_messages={
            "required": missing,
            "max_length": f"Reason must be {REASON_MAX_LENGTH} characters or fewer",
        },
    )


class ReportForm(forms.Form):
    reason = _reason_field(
        "Why should a moderator look at this answer?",
        required=True,
        missing="Enter why a moderator should look at this answer",
        hint="For example, it names someone, it is abusive, or it looks like advertising.",
    )


class ApproveForm(forms.Form):
    reason = _reason_field("Note (optional)", required=False, hint="Why the answer can stay as it is.")


class RedactForm(forms.Form):
    text = TypedTextField(
        label="The answer after redaction",
        help_text="Replace what must not be kept with a note in square brackets, such as [name removed]. "
        "The original is kept, and only moderators can read it.",
        widget=forms.Textarea,
        error_messages={"required": "Enter the answer's text after redaction, or hide the answer instead"},
    )
    reason = _reason_field("Reason for redacting", required=True, missing="Enter the reason for redacting the answer")

    def __init__(self, *args: object, current_text: str, suggested_text: str = "", **kwargs: object) -> None:
        """`suggested_text`, when given, is what the form opens with: the answer's text with the
        personal data found in it already replaced, for the moderator to check and edit."""
        super().__init__(*args, **kwargs)
        self.current_text = current_text
        self.fields["text"].initial = suggested_text or current_text

    def clean_text(self) -> str:
        text = self.cleaned_data["text"]
        if text == self.current_text.replace("\r\n", "\n").strip():
            raise forms.ValidationError("Change the text to redact it, or approve the answer as it is")
        return text


class HideForm(forms.Form):
    reason = _reason_field(
        "Reason for hiding",
        required=True,
        missing="Enter the reason for hiding the answer",
        hint="A hidden answer leaves the analysis at its next run and is never published.",
    )


class CampaignDecisionForm(forms.Form):
    """One decision for every copy of a campaign that waits only for its campaign flag."""

    decision = forms.ChoiceField(
        label="What should happen to these copies?",
        choices=[
            ("approve", "Approve them: they stay in the analysis and count as the campaign"),
            ("hide", "Hide them: they leave the analysis at its next run and are never published"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether to approve or hide the copies"},
    )
    reason = _reason_field("Reason", required=True, missing="Enter the reason for your decision")


class BulkDecisionForm(forms.Form):
    """One decision for the answers an official ticks in the moderation queue.

    Each ticked box names the flag its row shows; the decision closes every open flag on that
    flag's answer, as a decision on the answer's own page does. Hiding needs a reason.
    """

    flags = forms.ModelMultipleChoiceField(
        queryset=Flag.objects.none(),
        label="Select answers",
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Select at least one answer",
            "invalid_choice": "Select answers from the moderation queue",
            "invalid_pk_value": "Select answers from the moderation queue",
        },
    )
    decision = forms.ChoiceField(
        label="What should happen to the selected answers?",
        choices=[
            ("approve", "Approve them: they stay as they are, in the analysis and in what is published"),
            ("hide", "Hide them: they leave the analysis at its next run and are never published"),
        ],
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select whether to approve or hide the selected answers",
            # Redacting needs each answer's own text: it is decided on the answer's page.
            "invalid_choice": "Select whether to approve or hide the selected answers",
        },
    )
    reason = _reason_field(
        "Reason",
        required=False,
        hint="Needed to hide answers. Your reason is kept with the decision on each answer.",
    )

    def __init__(self, *args: object, flags: QuerySet[Flag], **kwargs: object) -> None:
        """`flags` are those the official may select: the consultation's."""
        super().__init__(*args, **kwargs)
        self.fields["flags"].queryset = flags

    def clean(self) -> dict[str, object]:
        cleaned = super().clean()
        if cleaned.get("decision") == "hide" and not cleaned.get("reason") and "reason" not in self.errors:
            self.add_error("reason", "Enter the reason for hiding the answers")
        return cleaned

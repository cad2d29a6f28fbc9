"""Forms for the outcome: the draft with the government's response to each theme, and the
approve and publish buttons. Each carries the outcome's version, so a stale form is refused."""

from __future__ import annotations

from django import forms

from consult.forms.respond import TypedTextField
from consult.models import ReviewTheme

OUTCOME_TEXT_LIMIT = 20000


def _text_field(label: str, help_text: str = "") -> TypedTextField:
    return TypedTextField(
        label=label,
        help_text=help_text,
        required=False,
        max_length=OUTCOME_TEXT_LIMIT,
        widget=forms.Textarea,
        error_messages={"max_length": f"{label} must be {OUTCOME_TEXT_LIMIT:,} characters or fewer"},
    )


class VersionField(forms.IntegerField):
    def __init__(self) -> None:
        super().__init__(
            min_value=0,
            widget=forms.HiddenInput,
            error_messages={
                "required": "The form was missing its version: reload the page and try again",
                "invalid": "The form was missing its version: reload the page and try again",
                "min_value": "The form was missing its version: reload the page and try again",
            },
        )


class OutcomeForm(forms.Form):
    """The outcome draft, with one field per reviewed theme named `theme_<id>`.

    Nothing is required to save a draft: approval checks that it is complete.
    """

    version = VersionField()
    summary = _text_field("What the consultation heard", "A plain-English summary of the responses.")
    decision = _text_field("What the government will do", "The decision and the next steps, with dates if known.")
    method_note = _text_field(
        "How the responses were analysed",
        "Filled in from the latest analysis run: the models and versions used and how much officials changed. "
        "Edit it as you need.",
    )

    def __init__(self, *args: object, themes: list[ReviewTheme], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.themes = themes
        for theme in themes:
            self.fields[f"theme_{theme.pk}"] = _text_field(
                f"The government's response to “{theme.label}”",
                f"Question {theme.theme_set.question.position}: {theme.theme_set.question.text}",
            )
            self.fields[f"theme_{theme.pk}"].initial = theme.government_response

    def theme_fields(self) -> list[forms.BoundField]:
        return [self[f"theme_{theme.pk}"] for theme in self.themes]

    def government_responses(self) -> dict[int, str]:
        return {theme.pk: self.cleaned_data[f"theme_{theme.pk}"] for theme in self.themes}


class OutcomeActionForm(forms.Form):
    """Approve or publish: the version the lead saw, and for an update of a published outcome, a
    note of what changed (shown on the public page)."""

    version = VersionField()
    update_note = TypedTextField(
        label="What changed since the outcome was published",
        help_text="This note is shown on the public page with today's date.",
        required=False,
        max_length=1000,
        widget=forms.Textarea,
        error_messages={"max_length": "What changed must be 1,000 characters or fewer"},
    )

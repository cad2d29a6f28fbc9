"""Forms for the outcome: the draft with the government's response to each theme, and the
approve and publish buttons. Each carries the outcome's version, so a stale form is refused."""

from __future__ import annotations

from django import forms

from consult.forms.respond import TypedTextField
from consult.models import ReviewTheme

OUTCOME_TEXT_LIMIT = 20000


def _text_field(
    label: str,
    help_text: str = "",
    *,
    max_length: int = OUTCOME_TEXT_LIMIT,
    widget: type[forms.Widget] = forms.Textarea,
    name_in_error: str = "",
) -> TypedTextField:
    return TypedTextField(
        label=label,
        help_text=help_text,
        required=False,
        max_length=max_length,
        widget=widget,
        error_messages={"max_length": f"{name_in_error or label} must be {max_length:,} characters or fewer"},
    )


# The Welsh version of each part of a reviewed theme, and of the outcome's own text: the Welsh
# outcome page shows each where it is written, and the English (marked as English) where not.
THEME_WELSH_FIELDS = ("label_cy", "description_cy", "government_response_cy")
WELSH_FIELDS = ("summary_cy", "decision_cy", "method_note_cy")


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

    summary_cy = _text_field("What the consultation heard, in Welsh")
    decision_cy = _text_field("What the government will do, in Welsh")
    method_note_cy = _text_field("How the responses were analysed, in Welsh")

    def __init__(self, *args: object, themes: list[ReviewTheme], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.themes = themes
        for theme in themes:
            self.fields[f"theme_{theme.pk}"] = _text_field(
                f"The government's response to “{theme.label}”",
                f"Question {theme.theme_set.question.position}: {theme.theme_set.question.text}",
            )
            self.fields[f"theme_{theme.pk}"].initial = theme.government_response
            for name, label, max_length in (
                ("label_cy", f"“{theme.label}” in Welsh", 200),
                ("description_cy", "Its description in Welsh", OUTCOME_TEXT_LIMIT),
                ("government_response_cy", "The government's response in Welsh", OUTCOME_TEXT_LIMIT),
            ):
                widget = forms.TextInput if name == "label_cy" else forms.Textarea
                field = _text_field(label, max_length=max_length, widget=widget)
                field.initial = getattr(theme, name)
                self.fields[f"theme_{theme.pk}_{name}"] = field

    def themes_with_fields(self) -> list[tuple[ReviewTheme, forms.BoundField, list[forms.BoundField], bool]]:
        """Each theme with its response field, its Welsh fields, and whether any of those holds
        something or an error (so the template shows them open), for the template."""
        found = []
        for theme in self.themes:
            welsh = [self[f"theme_{theme.pk}_{name}"] for name in THEME_WELSH_FIELDS]
            found.append((theme, self[f"theme_{theme.pk}"], welsh, any(f.value() or f.errors for f in welsh)))
        return found

    def government_responses(self) -> dict[int, str]:
        return {theme.pk: self.cleaned_data[f"theme_{theme.pk}"] for theme in self.themes}

    def welsh(self) -> dict[str, str]:
        return {name: self.cleaned_data[name] for name in WELSH_FIELDS}

    def theme_welsh(self) -> dict[int, dict[str, str]]:
        return {
            theme.pk: {name: self.cleaned_data[f"theme_{theme.pk}_{name}"] for name in THEME_WELSH_FIELDS}
            for theme in self.themes
        }


class OutcomeActionForm(forms.Form):
    """Approve or publish: the version the lead saw, and for an update of a published outcome, a
    note of what changed (shown on the public page)."""

    version = VersionField()
    update_note = _text_field(
        "What changed since the outcome was published",
        "This note is shown on the public page with today's date.",
        max_length=1000,
        name_in_error="What changed",
    )
    update_note_cy = _text_field(
        "What changed, in Welsh (optional)",
        "Shown on the Welsh page instead of the English note.",
        max_length=1000,
        name_in_error="What changed, in Welsh,",
    )

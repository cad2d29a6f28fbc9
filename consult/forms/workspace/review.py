"""Forms for reviewing themes. Each carries the theme set's `version` the page was drawn from, so
a save against a set someone else changed since is refused instead of overwriting their change."""

from __future__ import annotations

from typing import Any

from django import forms

from consult.forms.respond import TypedTextField
from consult.models import MappingCheck, ReviewTheme

_STALE_PAGE = "This page is out of date. Go back to the themes and try again"


class VersionForm(forms.Form):
    """A confirmation (sign off, reopen, delete, start again) of the version the page showed."""

    version = forms.IntegerField(
        widget=forms.HiddenInput,
        min_value=1,
        error_messages={"required": _STALE_PAGE, "invalid": _STALE_PAGE, "min_value": _STALE_PAGE},
    )


class ThemeForm(VersionForm):
    label = TypedTextField(
        label="Theme name",
        max_length=200,
        help_text="A short name that says what the answers in it have in common.",
        error_messages={
            "required": "Enter a name for the theme",
            "max_length": "Theme name must be 200 characters or fewer",
        },
    )
    description = TypedTextField(
        label="Description (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea,
        help_text="What belongs in this theme. It also guides the mapping of answers to it.",
        error_messages={"max_length": "Description must be 2000 characters or fewer"},
    )


class MergeForm(ThemeForm):
    themes = forms.MultipleChoiceField(
        label="Which themes do you want to merge?",
        widget=forms.CheckboxSelectMultiple,
        help_text="Select 2 or more. The merged theme keeps the place of the first one.",
        error_messages={"required": "Select at least 2 themes to merge"},
    )
    field_order = ["themes", "label", "description", "version"]

    def __init__(self, *args: object, themes: list[ReviewTheme], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["themes"].choices = [(str(t.pk), t.label) for t in themes if not t.is_other]
        self.fields["label"].label = "Name of the merged theme"
        self.fields["themes"].error_messages["invalid_choice"] = _STALE_PAGE

    def clean_themes(self) -> list[int]:
        chosen = [int(value) for value in self.cleaned_data["themes"]]
        if len(chosen) < 2:
            raise forms.ValidationError("Select at least 2 themes to merge")
        return chosen


class SplitForm(ThemeForm):
    answers = forms.MultipleChoiceField(
        label="Which answers belong in the new theme?",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Select the answers to move into the new theme"},
    )
    field_order = ["answers", "label", "description", "version"]

    def __init__(self, *args: object, choices: list[tuple[str, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["answers"].choices = choices
        self.fields["answers"].error_messages["invalid_choice"] = _STALE_PAGE
        self.fields["label"].label = "Name of the new theme"

    def clean_answers(self) -> list[int]:
        return [int(value) for value in self.cleaned_data["answers"]]


class AnswerThemeForm(forms.Form):
    """Place an answer in a theme, or take it out of one."""

    answer = forms.IntegerField(widget=forms.HiddenInput, error_messages={"required": _STALE_PAGE})
    theme = forms.IntegerField(
        label="Add a theme",
        error_messages={"required": "Select a theme", "invalid": "Select a theme"},
    )
    action = forms.ChoiceField(
        choices=[("add", "Add"), ("remove", "Remove")],
        widget=forms.HiddenInput,
        error_messages={"required": _STALE_PAGE, "invalid_choice": _STALE_PAGE},
    )


NONE_OF_THESE = "none"


class MappingChecksForm(forms.Form):
    """Officials' answers to the mapping's checks: for each answer, the themes it belongs in, or
    "Other / none of these". `checks` are the open checks the page showed; `themes` the set's
    reviewed themes (not Other)."""

    shown = forms.CharField(widget=forms.HiddenInput, error_messages={"required": _STALE_PAGE})

    def __init__(self, *args: object, checks: list[MappingCheck], themes: list[ReviewTheme], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.checks = checks
        self.fields["shown"].initial = ",".join(str(check.pk) for check in checks)
        choices = [(str(theme.pk), theme.label) for theme in themes] + [(NONE_OF_THESE, "Other / none of these")]
        for number, check in enumerate(checks, start=1):
            proposed = [str(theme_id) for theme_id in check.proposed_theme_ids] or [NONE_OF_THESE]
            self.fields[self.field_name(check)] = forms.MultipleChoiceField(
                label=f"Which themes does answer {number} belong in?",
                choices=choices,
                initial=proposed,
                widget=forms.CheckboxSelectMultiple,
                error_messages={
                    "required": f"Select the themes answer {number} belongs in, or “Other / none of these”",
                    "invalid_choice": _STALE_PAGE,
                },
            )

    @staticmethod
    def field_name(check: MappingCheck) -> str:
        return f"check_{check.pk}"

    def clean_shown(self) -> str:
        if self.cleaned_data["shown"] != ",".join(str(check.pk) for check in self.checks):
            raise forms.ValidationError("Someone else checked some of these answers since you opened this page")
        return self.cleaned_data["shown"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for number, check in enumerate(self.checks, start=1):
            name = self.field_name(check)
            chosen = cleaned.get(name)
            if chosen and NONE_OF_THESE in chosen and len(chosen) > 1:
                self.add_error(
                    name, f"Select the themes answer {number} belongs in, or “Other / none of these”, not both"
                )
        return cleaned

    def decisions(self) -> dict[int, list[int]]:
        """Check id -> the theme ids chosen (empty for "Other / none of these"), once valid."""
        return {
            check.pk: [int(value) for value in self.cleaned_data[self.field_name(check)] if value != NONE_OF_THESE]
            for check in self.checks
        }


FRAMEWORK_MAX_BYTES = 2 * 1024 * 1024


class FrameworkForm(forms.Form):
    framework = forms.FileField(
        label="Upload a coding framework",
        help_text=(
            "A CSV file with a column label and, if you have them, description and examples. Examples are the "
            "ids of responses whose answer belongs in the theme, separated by “|”."
        ),
        error_messages={"required": "Select a CSV file", "empty": "The selected file is empty"},
    )

    def clean_framework(self) -> str:
        upload = self.cleaned_data["framework"]
        if upload.size > FRAMEWORK_MAX_BYTES:
            raise forms.ValidationError("The selected file must be smaller than 2MB")
        try:
            return upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise forms.ValidationError("The selected file must be a CSV file saved as UTF-8") from None

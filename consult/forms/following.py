"""The notification preferences form. Error messages follow the GOV.UK Design System's wording."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from consult.models import NotificationKind, NotificationPreference


class NotificationPreferenceForm(forms.Form):
    kinds = forms.MultipleChoiceField(
        label=_("Which emails do you want?"),
        help_text=_("About the consultations you follow, and those of the departments you follow."),
        choices=NotificationKind.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    frequency = forms.ChoiceField(
        label=_("How often should we email you?"),
        choices=NotificationPreference.Frequency.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Select how often we should email you")},
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("frequency") not in (None, NotificationPreference.Frequency.NEVER) and not cleaned.get("kinds"):
            self.add_error(
                "kinds", _("Select which emails you want, or select that you do not want us to send you emails")
            )
        return cleaned

    @classmethod
    def initial_for(cls, preference: NotificationPreference) -> dict[str, Any]:
        return {"kinds": preference.kinds, "frequency": preference.frequency}

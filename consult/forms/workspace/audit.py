"""The audit trail's filters: who did it, what kind of action, and between which dates."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms

from consult.forms.workspace.dates import read_date, start_of
from consult.queries.workspace.audit import TrailFilters

PAGE_PARAMETERS = ("page",)


class AuditFilterForm(forms.Form):
    """Filters read from the query string; every one is optional."""

    who = forms.ChoiceField(label="Who", required=False)
    what = forms.ChoiceField(label="What", required=False)
    from_day = forms.CharField(label="Day", required=False, max_length=2)
    from_month = forms.CharField(label="Month", required=False, max_length=2)
    from_year = forms.CharField(label="Year", required=False, max_length=4)
    to_day = forms.CharField(label="Day", required=False, max_length=2)
    to_month = forms.CharField(label="Month", required=False, max_length=2)
    to_year = forms.CharField(label="Year", required=False, max_length=4)

    def __init__(self, data: object, *, actors: list[tuple[str, str]], kinds: list[tuple[str, str]]) -> None:
        super().__init__(data)
        self.fields["who"].choices = [("", "Anyone"), *actors]
        self.fields["what"].choices = [("", "Any kind of action"), *kinds]
        for name in ("who", "what"):
            self.fields[name].widget.attrs["class"] = "govuk-select"
            # A stale link (someone no longer on the trail, say) deserves plain words.
            self.fields[name].error_messages["invalid_choice"] = f"Choose {name} from the list"

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        start, end = read_date(self, "from", "Date from"), read_date(self, "to", "Date to")
        if start and end and end < start:
            self.add_error("to_day", "Date to must be the same as or after date from")
        cleaned["created_from"], cleaned["created_to"] = start, end
        return cleaned

    def filters(self) -> TrailFilters:
        """The filters to apply; call only once the form is valid."""
        data = self.cleaned_data
        end = data.get("created_to")
        return TrailFilters(
            actor=data.get("who", ""),
            kind=data.get("what", ""),
            created_from=start_of(data.get("created_from")),
            created_before=start_of(end + timedelta(days=1)) if end else None,
        )

    @property
    def is_filtered(self) -> bool:
        return any(value for name, value in self.data.items() if name not in PAGE_PARAMETERS)

    @property
    def used(self) -> dict[str, str]:
        """The filters as typed, for the record of a download."""
        return {name: value for name, value in self.data.items() if name not in PAGE_PARAMETERS and value}

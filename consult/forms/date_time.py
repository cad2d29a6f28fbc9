"""A GOV.UK date input with a time typed as text, read as UK time: the schedule of a consultation.

GOV.UK has a date input (day, month, year) but no time input; see the notes below."""

from __future__ import annotations

import re
from datetime import date, datetime, time

from django import forms
from django.core.exceptions import ValidationError
from django.forms.boundfield import BoundField
from django.utils import timezone

# --- Dates and times --------------------------------------------------------------------------
#
# GOV.UK has a date input (day, month, year) but no time input; services ask for the time as text
# and accept the ways people write it. "9am", "5:30pm", "17:30", "midday" and "midnight" all work,
# and a time the page shows (through `format_time`) can be sent back unchanged.

_TIME = re.compile(r"^(?P<hour>\d{1,2})(?:[:.](?P<minute>\d{2}))?\s*(?P<suffix>am|pm|a\.m\.|p\.m\.)?$")
_DATE_PARTS = ("day", "month", "year")


def parse_time(text: str) -> time | None:
    """The time written in `text`, or None when it is not a time."""
    text = text.strip().lower().replace(" ", "")
    if text in ("midday", "noon", "12noon"):
        return time(12, 0)
    if text == "midnight":
        return time(0, 0)
    match = _TIME.match(text)
    if match is None:
        return None
    hour, minute = int(match["hour"]), int(match["minute"] or 0)
    suffix = (match["suffix"] or "").replace(".", "")
    if suffix:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if suffix == "pm" else 0)
    elif match["minute"] is None:
        # "9" could be morning or evening: ask for "9am" or "09:00".
        return None
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


def format_time(moment: time) -> str:
    """A time as GOV.UK writes it (9am, 5:30pm, midday, midnight), which `parse_time` reads back."""
    if moment.minute == 0 and moment.hour in (0, 12):
        return "midnight" if moment.hour == 0 else "midday"
    hour = moment.hour % 12 or 12
    suffix = "am" if moment.hour < 12 else "pm"
    return f"{hour}{suffix}" if moment.minute == 0 else f"{hour}:{moment.minute:02d}{suffix}"


class DateTimePartsWidget(forms.Widget):
    """Reads the day, month, year and time inputs of one GOV.UK date-and-time question.

    The inputs are drawn by templates/workspace/manage/includes/date_time_field.html, not by
    the widget, so that they follow the Design System's markup exactly."""

    def value_from_datadict(self, data: object, files: object, name: str) -> dict[str, str]:
        return {part: str(data.get(f"{name}-{part}", "")).strip() for part in (*_DATE_PARTS, "time")}

    def value_omitted_from_data(self, data: object, files: object, name: str) -> bool:
        return not any(f"{name}-{part}" in data for part in (*_DATE_PARTS, "time"))


class DateTimePartsBoundField(BoundField):
    @property
    def parts(self) -> dict[str, str]:
        """What each input shows: what was sent, or the initial moment in the site's time zone."""
        value = self.value()
        if isinstance(value, dict):
            return value
        if isinstance(value, datetime):
            local = timezone.localtime(value)
            return {
                "day": str(local.day),
                "month": str(local.month),
                "year": str(local.year),
                "time": format_time(local.time()),
            }
        return {"day": "", "month": "", "year": "", "time": ""}


class DateTimePartsField(forms.Field):
    """A date in the GOV.UK date input pattern and a time, as one aware datetime in the site's
    time zone (UK time, so British Summer Time is taken into account)."""

    widget = DateTimePartsWidget

    def __init__(self, *, noun: str, **kwargs: object) -> None:
        # `noun` names the thing in error messages: "opening date", "closing time".
        self.noun = noun
        super().__init__(**kwargs)

    def get_bound_field(self, form: forms.BaseForm, field_name: str) -> BoundField:
        return DateTimePartsBoundField(form, self, field_name)

    def to_python(self, value: object) -> datetime | None:
        if isinstance(value, datetime):
            return value
        parts = value if isinstance(value, dict) else {}
        noun = self.noun
        if not any(parts.get(part) for part in (*_DATE_PARTS, "time")):
            return None
        missing = [part for part in _DATE_PARTS if not parts.get(part)]
        if len(missing) == 3:
            raise ValidationError(f"Enter the {noun} date")
        if missing:
            raise ValidationError(f"The {noun} date must include a {' and '.join(missing)}")
        if not all(parts[part].isdigit() for part in _DATE_PARTS):
            raise ValidationError(f"The {noun} date must be a real date")
        if len(parts["year"]) != 4:
            raise ValidationError("Year must include 4 numbers")
        try:
            day = date(int(parts["year"]), int(parts["month"]), int(parts["day"]))
        except ValueError:
            raise ValidationError(f"The {noun} date must be a real date") from None
        if not parts.get("time"):
            raise ValidationError(f"Enter the {noun} time")
        moment = parse_time(parts["time"])
        if moment is None:
            raise ValidationError(f"Enter the {noun} time in the correct format, like 9am, 5:30pm or 17:30")
        return timezone.make_aware(datetime.combine(day, moment), timezone.get_current_timezone())

    def validate(self, value: object) -> None:
        if value is None and self.required:
            raise ValidationError(f"Enter the {self.noun} date and time")

    def has_changed(self, initial: object, data: object) -> bool:
        try:
            return self.to_python(data) != initial
        except ValidationError:
            return True

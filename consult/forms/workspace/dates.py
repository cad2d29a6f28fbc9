"""Dates officials type into the workspace's filters: GOV.UK date inputs (day, month and year in
three fields named `<prefix>_day`, `<prefix>_month`, `<prefix>_year`), read in the UK's time."""

from __future__ import annotations

from datetime import date, datetime, time

from django import forms
from django.utils import timezone


def read_date(form: forms.Form, prefix: str, name: str) -> date | None:
    """The date typed into the form's three fields, None when all three are empty; otherwise
    an error on the field to correct, in the Design System's words ("Date from must be a real
    date"), and None."""
    parts = [form.cleaned_data.get(f"{prefix}_{part}", "").strip() for part in ("day", "month", "year")]
    if not any(parts):
        return None
    missing = [label for label, value in zip(("day", "month", "year"), parts, strict=True) if not value]
    if missing:
        form.add_error(f"{prefix}_{missing[0]}", f"{name} must include a {missing[0]}")
        return None
    try:
        day, month, year = (int(part) for part in parts)
        if year < 1000:
            raise ValueError
        return date(year, month, day)
    except ValueError:
        form.add_error(f"{prefix}_day", f"{name} must be a real date")
        return None


def start_of(day: date | None) -> datetime | None:
    """Midnight at the start of the day in the site's time zone, which officials read dates in."""
    if day is None:
        return None
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_current_timezone())

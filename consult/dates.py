"""How dates and times read on the site and in what it writes (feeds, the audit trail), in GOV.UK
style and the page's language: "11:59pm on Friday 8 January 2027", "8 January 2027 at 11:59pm".
The templates use them as filters (consult.templatetags.govuk)."""

from __future__ import annotations

from datetime import datetime

from django.utils import dateformat, timezone
from django.utils.translation import gettext


def _time(moment: datetime) -> str:
    """A time in GOV.UK style, in the page's language: 9am, 5:30pm, midday, midnight (9yb in Welsh)."""
    if moment.minute == 0 and moment.hour in (0, 12):
        return gettext("midnight") if moment.hour == 0 else gettext("midday")
    hour = moment.hour % 12 or 12
    clock = str(hour) if moment.minute == 0 else f"{hour}:{moment.minute:02d}"
    return (gettext("%(clock)sam") if moment.hour < 12 else gettext("%(clock)spm")) % {"clock": clock}


def _date(moment: datetime) -> str:
    """'8 January 2027', with the month's name in the page's language (Django translates it)."""
    return f"{moment.day} {dateformat.format(moment, 'F')} {moment.year}"


def govuk_datetime(value: datetime | None) -> str:
    """'11:59pm on Friday 8 January 2027', in the site's time zone and the page's language."""
    if not value:
        return ""
    local = timezone.localtime(value)
    return gettext("%(time)s on %(weekday)s %(date)s") % {
        "time": _time(local),
        "weekday": dateformat.format(local, "l"),
        "date": _date(local),
    }


def govuk_weekday_date(value: datetime | None) -> str:
    """'Friday 9 April 2027', the day in the site's time zone, in the page's language: for a
    date that a citizen needs without the time, such as when an outcome is due."""
    if not value:
        return ""
    local = timezone.localtime(value)
    return f"{dateformat.format(local, 'l')} {_date(local)}"


def govuk_date_time(value: datetime | None) -> str:
    """'8 January 2027 at 11:59pm', in the site's time zone and the page's language."""
    if not value:
        return ""
    local = timezone.localtime(value)
    return gettext("%(date)s at %(time)s") % {"date": _date(local), "time": _time(local)}

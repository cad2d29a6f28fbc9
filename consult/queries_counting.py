"""What the analysis pages count and how they draw it: the answers that count, shares, and the
bars of a chart with the table beside it. Shared by the dashboard, the free-text results, the
fairness check and the topic map."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from consult.models import Answer, Response


def share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@dataclass(frozen=True)
class Bar:
    """One bar of a chart and one row of the table beside it."""

    label: str
    count: int
    share: float | None  # of the chart's base, 0 to 1
    scale: float = 0.0  # of the chart's longest bar, 0 to 1: what the bar's length shows
    value: str = ""  # what the drill-down filters on to list these responses, if it can

    @property
    def percent(self) -> str:
        """The share as the page prints it, '42%' or '0.5%'."""
        if self.share is None:
            return ""
        percent = self.share * 100
        return f"{percent:.0f}%" if percent >= 1 or percent == 0 else f"{percent:.1f}%"

    @property
    def length(self) -> str:
        """The bar's length as an SVG percentage, written with a dot whatever the locale."""
        return f"{self.scale * 100:.1f}%"


def bars(rows: list[tuple[str, int, str]], base: int) -> list[Bar]:
    """Bars for (label, count, filter value) rows, their shares of `base`, scaled to the longest."""
    longest = max((count for _, count, _ in rows), default=0)
    return [
        Bar(label, count, share(count, base), count / longest if longest else 0.0, value)
        for label, count, value in rows
    ]


def counted_answers(queryset: QuerySet[Answer]) -> QuerySet[Answer]:
    """Answers that count: in sent responses, with text, and not hidden by a moderator."""
    return (
        queryset.filter(response__status=Response.Status.SUBMITTED)
        .exclude(text="")
        .exclude(visibility=Answer.Visibility.HIDDEN)
    )

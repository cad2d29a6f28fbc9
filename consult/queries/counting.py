"""What the analysis pages count and how they draw it: the answers that count, the non-answers
among them, shares, and the bars of a chart with the table beside it. Shared by the dashboard, the
free-text results, the fairness check, the topic map, the report, the exports and the outcome."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count

from consult.models import Answer, AuditEvent, Consultation

# The audit action of an official's decision that an answer is, or is not, a non-answer.
NON_ANSWER_DECISION = "answer.non_answer"


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


@dataclass(frozen=True)
class AnswerCounts:
    """A free-text question's answers that count, and how many of them say nothing of substance
    ("N/A", "See above"): those are counted apart and never put in a theme."""

    answered: int
    non_answers: int

    @property
    def substantive(self) -> int:
        return self.answered - self.non_answers


def answer_counts(question_ids: list[int]) -> dict[int, AnswerCounts]:
    """Per question: the answers that count (`AnswerQuerySet.counted`) and the non-answers among them, an
    official's decision overriding the rule's. One query, for every question in `question_ids`."""
    rows = (
        Answer.objects.filter(question_id__in=question_ids)
        .counted()
        .values("question_id")
        .annotate(n=Count("pk"), non_answers=Count("pk", filter=Answer.non_answer_q()))
        .values_list("question_id", "n", "non_answers")
    )
    counts = {question_id: AnswerCounts(n, non_answers) for question_id, n, non_answers in rows}
    return {question_id: counts.get(question_id, AnswerCounts(0, 0)) for question_id in question_ids}


def latest_non_answer_decision(consultation: Consultation) -> int | None:
    """The id of officials' latest decision about a non-answer, for the keys of kept counts: a
    decision changes the counts at once, not at the next recount. One small query."""
    return (
        AuditEvent.objects.filter(consultation=consultation, action=NON_ANSWER_DECISION)
        .order_by("-pk")
        .values_list("pk", flat=True)
        .first()
    )

"""Reads for the moderation pages: the queue of flagged answers, and one answer with its flags."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Count, Min, Q, QuerySet

from consult.models import Answer, Consultation, Flag, RedactedOriginal


def _open_flags(consultation: Consultation) -> QuerySet[Flag]:
    return Flag.objects.filter(status=Flag.Status.OPEN, answer__response__consultation=consultation)


def open_flag_counts(consultation: Consultation) -> list[dict[str, object]]:
    """Each reason with how many answers wait in the queue for it, every reason listed."""
    counts = dict(_open_flags(consultation).values_list("reason").annotate(n=Count("pk")).values_list("reason", "n"))
    return [{"reason": value, "label": label, "count": counts.get(value, 0)} for value, label in Flag.Reason.choices]


def moderation_queue(consultation: Consultation, reason: str = "") -> QuerySet[Answer]:
    """The answers with open flags (for `reason` only, when given), the longest waiting first.

    Each answer carries `first_flagged_at`, when its oldest open flag was raised.
    """
    waiting = Q(flags__status=Flag.Status.OPEN)
    flags = _open_flags(consultation)
    if reason:
        waiting &= Q(flags__reason=reason)
        flags = flags.filter(reason=reason)
    return (
        Answer.objects.filter(pk__in=flags.values("answer_id"))
        .annotate(first_flagged_at=Min("flags__created_at", filter=waiting))
        .select_related("response", "question")
        .order_by("first_flagged_at", "pk")
    )


def open_flags_of(answers: Iterable[Answer]) -> dict[int, list[Flag]]:
    """The open flags of each answer on a page of the queue, oldest first, in one query."""
    by_answer: dict[int, list[Flag]] = defaultdict(list)
    flags = Flag.objects.filter(answer__in=[answer.pk for answer in answers], status=Flag.Status.OPEN)
    for flag in flags.order_by("created_at", "pk"):
        by_answer[flag.answer_id].append(flag)
    return by_answer


def answer_flags(answer: Answer) -> list[Flag]:
    """Every flag the answer has had, open or decided, oldest first, with who raised and decided it."""
    return list(answer.flags.select_related("reported_by", "decided_by").order_by("created_at", "pk"))


def redacted_original(answer: Answer) -> RedactedOriginal | None:
    """The original of an answer a moderator redacted, if it was. The caller decides whether the
    official may read its text (Permission.SEE_ORIGINAL)."""
    return RedactedOriginal.objects.filter(answer=answer).select_related("redacted_by").first()

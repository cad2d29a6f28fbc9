"""Reads for the moderation pages: the queue of flagged answers, and one answer with its flags and
the redaction the analysis suggests for it."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TypedDict

from django.db.models import Count, Min, Q, QuerySet

from consult.analysis import redaction
from consult.models import AnalysisRun, Answer, Campaign, Consultation, Flag, RedactedOriginal


def consultation_flags(consultation: Consultation) -> QuerySet[Flag]:
    """Every flag on the consultation's answers, open or decided: those an official may select."""
    return Flag.objects.filter(answer__response__consultation=consultation)


def _open_flags(consultation: Consultation) -> QuerySet[Flag]:
    return consultation_flags(consultation).filter(status=Flag.Status.OPEN)


class FlagCount(TypedDict):
    reason: str
    label: str
    count: int


def open_flag_counts(consultation: Consultation) -> list[FlagCount]:
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


@dataclass(frozen=True)
class SuggestedRedaction:
    """The answer's text with the personal data the redaction finds in it replaced, as the
    analysis replaces it before reading ("[phone number]" where the number was)."""

    text: str
    placeholders: list[str]  # each placeholder used, once, in the order first used


def suggested_redaction(answer: Answer) -> SuggestedRedaction | None:
    """What a moderator redacting the answer starts from, or None when the redaction finds no
    personal data in its text (as after a moderator's own redaction)."""
    result = redaction.redact(answer.text)
    if not result.has_personal_data:
        return None
    placeholders = [redaction.PLACEHOLDERS[finding.kind] for finding in result.findings]
    return SuggestedRedaction(result.text, list(dict.fromkeys(placeholders)))


def redacted_original(answer: Answer) -> RedactedOriginal | None:
    """The original of an answer a moderator redacted, if it was. The caller decides whether the
    official may read its text (Permission.SEE_ORIGINAL)."""
    return RedactedOriginal.objects.filter(answer=answer).select_related("redacted_by").first()


@dataclass(frozen=True)
class WaitingCampaign:
    """A campaign of the latest run with copies whose campaign flag waits for a decision."""

    campaign: Campaign
    waiting: int  # copies with an open campaign flag
    with_other_flags: int  # of those, copies with another open flag too, decided one by one


def campaign_copies_waiting(campaign: Campaign) -> tuple[list[int], list[int]]:
    """The copies of `campaign` whose campaign flag is open, as answer ids: those whose only open
    flags are campaign flags (one decision can settle them all), and those with other flags too."""
    open_flags = Flag.objects.filter(answer__campaign_memberships__campaign=campaign, status=Flag.Status.OPEN)
    reasons: dict[int, set[str]] = defaultdict(set)
    for answer_id, reason in open_flags.values_list("answer_id", "reason"):
        reasons[answer_id].add(reason)
    waiting = sorted(answer_id for answer_id, found in reasons.items() if Flag.Reason.CAMPAIGN in found)
    alone = [answer_id for answer_id in waiting if reasons[answer_id] == {Flag.Reason.CAMPAIGN}]
    return alone, [answer_id for answer_id in waiting if answer_id not in alone]


def waiting_campaigns(consultation: Consultation) -> list[WaitingCampaign]:
    """The latest run's campaigns with copies waiting in the queue, the largest first."""
    run = AnalysisRun.objects.latest_succeeded_for(consultation)
    if run is None:
        return []
    campaigns = (
        Campaign.objects.filter(run=run)
        .select_related("question", "canonical_answer")
        .order_by("-member_count", "question__position", "key")
    )
    found = []
    for campaign in campaigns:
        alone, others = campaign_copies_waiting(campaign)
        if alone or others:
            found.append(WaitingCampaign(campaign, len(alone) + len(others), len(others)))
    return found

"""Reads for open data: the JSON API, the feeds and the bulk download of a published outcome.

Everything here is what the public pages already show, in machine-readable form: published
consultations (never drafts), their AI tool records and questions, and outcomes as frozen at
publication (`Outcome.published_snapshot`), never live counts. Responses appear only in the bulk
download, only when their authors agreed to publication, and only as redacted text: no
reference, email, name, account, time of sending or equality information ever leaves here.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.utils import timezone
from django.utils.crypto import salted_hmac

from consult.analysis import redaction
from consult.models import Agreement, Answer, Consultation, Flag, Outcome, OutcomeReceipt, Question, Response
from consult.queries.outcome import OutcomeSnapshot, outcome_page, published_responses

# The iCalendar feed keeps a year of past closing dates: enough for a calendar's history without
# the feed growing for ever.
CALENDAR_HISTORY = timedelta(days=365)
FEED_ITEMS = 50
DOWNLOAD_BATCH_SIZE = 1000

# Open flags that mean a moderator has yet to decide whether an answer may be seen at all. Campaign
# copy is flagged for the analysis, not for privacy, so it does not hold an answer back.
_HOLDING_FLAGS = [reason for reason in Flag.Reason.values if reason != Flag.Reason.CAMPAIGN]


# --- Consultations ----------------------------------------------------------------------------


def published_consultations() -> QuerySet[Consultation]:
    """Every consultation the public may see, newest first, in an order stable enough to page
    through (the primary key breaks ties between equal opening times)."""
    return Consultation.objects.published().select_related("department", "ai_tool").order_by("-opens_at", "-pk")


def published_consultation(slug: str) -> Consultation | None:
    """One published consultation with its AI tool record and questions, or None."""
    return (
        published_consultations()
        .prefetch_related(Prefetch("questions", queryset=Question.objects.prefetch_related("options")))
        .filter(slug=slug)
        .first()
    )


def closing_dates() -> QuerySet[Consultation]:
    """Published consultations for the calendar: those still to close and a year of past ones."""
    since = timezone.now() - CALENDAR_HISTORY
    return published_consultations().filter(closes_at__gte=since).order_by("closes_at", "pk")


# --- Outcomes ---------------------------------------------------------------------------------


def published_outcomes() -> QuerySet[Outcome]:
    """Outcomes the public may read, most recently published first."""
    return (
        Outcome.objects.filter(
            consultation__is_published=True,
            consultation__outcome_published_at__lte=timezone.now(),
            published_at__isnull=False,
        )
        .exclude(published_snapshot={})
        .select_related("consultation__department")
        .order_by("-published_at", "-pk")
    )


def published_outcome_of(consultation: Consultation) -> Outcome | None:
    return published_outcomes().filter(consultation=consultation).first()


def last_changed_at(outcome: Outcome) -> datetime:
    """When the published record last changed: its latest dated update, or its publication."""
    page = outcome_page(outcome.published_snapshot, outcome.published_at)
    return page.last_updated_at or page.published_at or outcome.published_at  # type: ignore[return-value]


# --- The bulk download ------------------------------------------------------------------------


def public_response_id(consultation: Consultation, response_id: int) -> str:
    """The id a published response carries in the bulk download.

    Not the reference: a reference is what a respondent quotes to find their own response, so it
    must not be public. Not a row number: hiding an answer later would renumber every row after
    it. An HMAC of the consultation and the response under the site's secret is the same in every
    download (people can cite a row), differs between consultations (rows cannot be linked across
    downloads) and cannot be turned back into the response or its reference without the secret.
    """
    return salted_hmac("consult.open_data.response", f"{consultation.pk}:{response_id}").hexdigest()[:16]


@dataclass(frozen=True)
class PublishedAnswer:
    question_id: int
    text: str
    options: list[str]
    agreement: str
    themes: list[str]


@dataclass(frozen=True)
class PublishedResponse:
    id: str
    respondent_type: str
    answers: dict[int, PublishedAnswer]


def _publishable_answers(response_ids: list[int]) -> QuerySet[Answer]:
    holding = Flag.objects.filter(answer=OuterRef("pk"), status=Flag.Status.OPEN, reason__in=_HOLDING_FLAGS)
    return (
        Answer.objects.filter(response_id__in=response_ids)
        .visible()
        .exclude(Exists(holding))
        .only("pk", "response_id", "question_id", "text", "redacted_text", "redaction_version", "agreement")
        .order_by("response_id", "question__position")
    )


def _public_text(answer: Answer) -> str:
    """The answer's text with personal data replaced: the stored redaction when it is current
    (a moderator's redaction is stored there too), else redacted now by the same rules, so a
    response that arrived before the workers processed it is never published as sent."""
    if answer.redaction_version == redaction.REDACTION_VERSION:
        return answer.redacted_text
    return redaction.redact(answer.text).text


def iter_published_responses(
    consultation: Consultation, snapshot: OutcomeSnapshot, batch_size: int = DOWNLOAD_BATCH_SIZE
) -> Iterator[PublishedResponse]:
    """The consented responses, a batch at a time with a fixed number of queries per batch, each
    answer with the published themes it counted towards (frozen in its `OutcomeReceipt`)."""
    question_ids = {question["id"] for question in snapshot["questions"]}
    response_ids = list(published_responses(consultation).values_list("pk", flat=True))
    for start in range(0, len(response_ids), batch_size):
        batch = response_ids[start : start + batch_size]
        types = dict(Response.objects.filter(pk__in=batch).values_list("pk", "respondent_type"))
        receipts = dict(OutcomeReceipt.objects.filter(response_id__in=batch).values_list("response_id", "themes"))
        chosen: dict[int, list[str]] = defaultdict(list)
        answers = list(_publishable_answers(batch))
        through = Answer.options.through.objects.filter(answer_id__in=[a.pk for a in answers])
        for answer_id, label in through.order_by("option__position").values_list("answer_id", "option__label"):
            chosen[answer_id].append(label)
        by_response: dict[int, dict[int, PublishedAnswer]] = defaultdict(dict)
        for answer in answers:
            themes = receipts.get(answer.response_id) or {}
            by_response[answer.response_id][answer.question_id] = PublishedAnswer(
                question_id=answer.question_id,
                text=_public_text(answer) if answer.text else "",
                options=chosen.get(answer.pk, []),
                agreement=str(Agreement(answer.agreement).label) if answer.agreement else "",
                themes=list(themes.get(str(answer.question_id), [])) if answer.question_id in question_ids else [],
            )
        for response_id in batch:
            yield PublishedResponse(
                id=public_response_id(consultation, response_id),
                respondent_type=types[response_id],
                answers=by_response.get(response_id, {}),
            )

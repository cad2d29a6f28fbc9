"""Writes that change responses. Views call these; they never write responses themselves."""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import nullcontext
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from consult import task_names
from consult.models import (
    Answer,
    Consultation,
    EqualityInformation,
    Option,
    Question,
    Response,
    User,
)
from consult.services import intake, outbox


class ResponseLocked(Exception):
    """The response can no longer be changed: it was withdrawn or its consultation is not open."""


class AnswerChanged(Exception):
    """Someone else saved this answer after the form was drawn (an organisation's shared draft):
    nothing was written. `answer` is what they saved (None if they removed it)."""

    def __init__(self, answer: Answer | None) -> None:
        super().__init__("The answer changed since the form was drawn.")
        self.answer = answer


class NeedsSignOff(Exception):
    """An organisation's response is sent only once one of its admins has signed it off."""


def answer_version(answer: Answer | None) -> str:
    """What an answer form of a shared draft carries, to tell whether someone saved in between."""
    return answer.updated_at.isoformat() if answer is not None else ""


class ResponseIncomplete(Exception):
    def __init__(self, missing: list[Question]) -> None:
        super().__init__(f"{len(missing)} required question(s) unanswered")
        self.missing = missing


def _require_changeable(response: Response) -> None:
    if not response.is_changeable:
        raise ResponseLocked(response.reference)


def start_response(
    consultation: Consultation, user: User | None, start_key: str, language: str = settings.LANGUAGE_CODE
) -> Response:
    """Start a draft response, or return the one this same form already started.

    `language` is the language of the pages it was started in: its emails are sent in it.

    The start form carries a random key, which the view binds to the browser that posts it
    (`views.public._start_key`) to make `start_key`: posting the form twice (a double click, a
    resent request) finds the first draft rather than making a second one.
    """
    if not consultation.is_open:
        raise ResponseLocked(consultation.slug)
    existing = Response.objects.filter(consultation=consultation, start_key=start_key).first()
    if existing:
        return existing
    try:
        with transaction.atomic():
            return Response.objects.create(
                consultation=consultation,
                user=user,
                start_key=start_key,
                email=user.email if user else "",
                language=language,
            )
    except IntegrityError:
        # Two identical posts raced past the lookup; the other one won.
        return Response.objects.get(consultation=consultation, start_key=start_key)


def record_respondent(response: Response, respondent_type: str, organisation_name: str, email: str) -> None:
    _require_changeable(response)
    response.respondent_type = respondent_type
    response.organisation_name = organisation_name if respondent_type == Response.RespondentType.ORGANISATION else ""
    if response.user_id is None:
        response.email = email
    response.save(update_fields=["respondent_type", "organisation_name", "email", "updated_at"])


def save_answer(
    response: Response,
    question: Question,
    *,
    text: str = "",
    options: Iterable[Option] = (),
    agreement: int | None = None,
    expected_version: str | None = None,
) -> None:
    """Store the answer to one question, replacing any earlier one; an empty answer removes it.

    With `expected_version` (an organisation's shared draft), nothing is written, and AnswerChanged
    raised, when the stored answer is no longer the one the form was drawn from."""
    _require_changeable(response)
    if question.consultation_id != response.consultation_id:
        raise ValueError("The question belongs to another consultation.")
    options = list(options)
    if any(option.question_id != question.pk for option in options):
        raise ValueError("An option offered by another question was chosen.")
    with transaction.atomic():
        # The response's row first, as `intake.save_answer` locks it, so the two never deadlock.
        Response.objects.filter(pk=response.pk).update(updated_at=timezone.now())
        if expected_version is not None:
            # Read after the response's row is locked, so two members saving at once are checked
            # one after the other.
            current = Answer.objects.filter(response=response, question=question).first()
            if answer_version(current) != expected_version:
                raise AnswerChanged(current)
        if not text and not options and agreement is None:
            Answer.objects.filter(response=response, question=question).delete()
        else:
            answer = _store_answer(response, question, text=text, agreement=agreement)
            if question.has_options:
                answer.options.set(options)
        queue_after_answer_saved(response.pk, question, is_submitted=response.is_submitted)


def _store_answer(response: Response, question: Question, *, text: str, agreement: int | None) -> Answer:
    """Update the answer in place, or create it. One read and one write on the common path (this is
    the step every respondent repeats), with a savepoint only when creating, so that a double-posted
    form racing itself updates the answer the other request created."""
    # A blank redaction version makes the analysis redact (and so embed) the new text again.
    fields = {"text": text, "agreement": agreement, "redaction_version": ""}
    answer = Answer.objects.filter(response=response, question=question).first()
    if answer is None:
        try:
            with transaction.atomic():
                return Answer.objects.create(response=response, question=question, **fields)
        except IntegrityError:
            answer = Answer.objects.get(response=response, question=question)
    for name, value in fields.items():
        setattr(answer, name, value)
    answer.save(update_fields=[*fields, "updated_at"])
    return answer


def unanswered_required_questions(response: Response) -> list[Question]:
    answered = Answer.objects.filter(response=response).values("question_id")
    return list(response.consultation.questions.filter(is_required=True).exclude(pk__in=answered))


def submit_response(response: Response) -> bool:
    """Submit a draft. Returns False when it had already been submitted (a repeated post).

    Sending is one conditional UPDATE (`intake.send_response`): it changes the row only while the
    response is a draft of an open consultation with every required question answered and the
    respondent type given, so two posts racing each other send it once. Only when it changes
    nothing does this look for why (already sent, closed, or incomplete), which is rare.
    """
    now = timezone.now()
    with transaction.atomic():
        sent = intake.send_response(response.reference, now, analyse=settings.ANALYSE_ON_ARRIVAL)
        if sent is not None:
            _queue_after_sent(sent)
        elif _send_after_checking(response, now):
            queue_after_sending(response.pk, response.email)
        else:
            return False
    response.status, response.submitted_at, response.updated_at = Response.Status.SUBMITTED, now, now
    return True


def send_in_one_statement(reference: str, link_generation: int) -> bool:
    """The common case of sending (`intake.send_response`) through a link of `link_generation`,
    with the receipt and the analysis recorded in the same transaction, so that a sent response
    always has them. False when the statement changed nothing: the caller then takes the full
    path, which says why."""
    one_statement = connection.vendor == "postgresql"
    with nullcontext() if one_statement else transaction.atomic():
        sent = intake.send_response(reference, timezone.now(), link_generation, analyse=settings.ANALYSE_ON_ARRIVAL)
        if sent is not None:
            _queue_after_sent(sent)
    return sent is not None


def _queue_after_sent(sent: intake.SentResponse) -> None:
    """The work that follows a sending: recorded by its statement already (PostgreSQL), or now."""
    if not sent.recorded:
        queue_after_sending(sent.response_id, sent.email)
        return
    if sent.receipt is not None:
        outbox.send_recorded_on_commit(sent.receipt, task_names.SEND_RECEIPT_EMAIL, sent.response_id)
    if sent.analysis is not None:
        outbox.send_recorded_on_commit(sent.analysis, task_names.PROCESS_RESPONSE, sent.response_id)


def save_answer_in_one_statement(
    reference: str,
    link_generation: int,
    journey: intake.JourneyQuestions,
    question: Question,
    *,
    text: str = "",
    options: Iterable[Option] = (),
    agreement: int | None = None,
) -> intake.SavedAnswer | None:
    """The common case of saving an answer (`intake.save_answer`) through a link of
    `link_generation`, with a sent response's new analysis recorded by the same statement. None
    when nothing was written: the caller then takes the full path (`save_answer`), which says why
    (or, for an answer emptied, deletes it: that is never the common case)."""
    option_ids = [option.pk for option in options]
    if not text and agreement is None and not option_ids:
        return None
    saved = intake.save_answer(
        reference,
        journey,
        question,
        text=text,
        agreement=agreement,
        option_ids=option_ids,
        now=timezone.now(),
        link_generation=link_generation,
        analyse=question.is_free_text and settings.ANALYSE_ON_ARRIVAL,
    )
    if saved is not None and saved.analysis is not None:
        outbox.send_recorded_on_commit(saved.analysis, task_names.PROCESS_RESPONSE, saved.response_id)
    return saved


def queue_after_sending(response_id: int, email: str) -> None:
    """Record, with the sending, the receipt by email and the analysis of its answers; both go
    to the broker once the sending commits."""
    if email:
        outbox.enqueue(task_names.SEND_RECEIPT_EMAIL, response_id, key=f"{intake.RECEIPT_KEY}{response_id}")
    if settings.ANALYSE_ON_ARRIVAL:
        outbox.enqueue(task_names.PROCESS_RESPONSE, response_id)


def queue_after_answer_saved(response_id: int, question: Question, *, is_submitted: bool) -> None:
    """A changed answer to a sent response is read again by the analysis, as a new one would be."""
    if is_submitted and question.is_free_text and settings.ANALYSE_ON_ARRIVAL:
        outbox.enqueue(task_names.PROCESS_RESPONSE, response_id)


def _send_after_checking(response: Response, now: datetime) -> bool:
    """Why the draft could not be sent: False if it already was; ResponseLocked or
    ResponseIncomplete otherwise. Sends it if nothing stands in the way any more (an answer saved
    between the two reads)."""
    locked = Response.objects.select_for_update().select_related("consultation").get(pk=response.pk)
    if locked.is_submitted:
        return False
    _require_changeable(locked)
    missing = unanswered_required_questions(locked)
    if missing:
        raise ResponseIncomplete(missing)
    if not locked.respondent_type:
        raise ResponseIncomplete([])
    if locked.organisation_id is not None and locked.signed_off_by_id is None:
        raise NeedsSignOff(locked.reference)
    locked.status, locked.submitted_at = Response.Status.SUBMITTED, now
    locked.save(update_fields=["status", "submitted_at", "updated_at"])
    return True


def withdraw_response(response: Response) -> None:
    """Withdraw a response: it stays on record as withdrawn, and leaves every count."""
    with transaction.atomic():
        locked = Response.objects.select_for_update().select_related("consultation").get(pk=response.pk)
        if locked.is_withdrawn:
            return
        _require_changeable(locked)
        locked.status = Response.Status.WITHDRAWN
        locked.withdrawn_at = timezone.now()
        locked.save(update_fields=["status", "withdrawn_at", "updated_at"])
        if locked.email:
            outbox.enqueue(task_names.SEND_WITHDRAWAL_EMAIL, locked.pk, key=f"withdrawn:{locked.pk}")
    response.refresh_from_db()


def save_equality_information(response: Response, **answers: str) -> None:
    _require_changeable(response)
    EqualityInformation.objects.update_or_create(response=response, defaults=answers)


def send_resume_link(response: Response, email: str) -> None:
    """Remember where to send links for this response, and email a link back to the draft."""
    _require_changeable(response)
    if response.user_id is None:
        response.email = email
        response.save(update_fields=["email", "updated_at"])
    outbox.enqueue(task_names.SEND_RESUME_LINK_EMAIL, response.pk)

"""The two writes every respondent repeats: saving an answer and sending the response.

They are the busiest requests the public makes (a national consultation takes tens of thousands
of responses in its last days), so each is one SQL statement that carries its own checks, instead
of loading the response, checking it in Python and then writing it. A statement that changes
nothing returns None; the caller then takes the full path (`consult.services.responses`), which
loads the response and says exactly why (closed, withdrawn, incomplete, already sent). Sending has
its rules here only: the full path runs the same statement first. Saving an answer states in SQL
what `Response.is_changeable` states in Python (`tests/public/test_answer_saving.py` holds them together).

The questions of a consultation are kept in each process's memory between requests, keyed by the
consultation's `updated_at`: every change to a question moves it on
(`services.consultations.lock_for_question_change`), and the statement saving an answer matches
the version the form was checked against, so an answer is never saved against a question that has
changed since; a stale entry just sends that one request down the full path, which reloads it.

Sending is portable SQL (SQLite knows RETURNING too), so the demo sends as production does.
Saving an answer is one statement with data-modifying WITH clauses, which only PostgreSQL has;
elsewhere (the SQLite demo) answers take the full path.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db import connection
from django.db.models import Field

from consult import task_names
from consult.models import Answer, Consultation, Option, Question, Response
from consult.services import outbox


@dataclass(frozen=True)
class JourneyQuestions:
    """A consultation's questions in order, as they stood at `version`."""

    consultation_id: int
    version: datetime
    questions: tuple[Question, ...]

    def index(self, question_id: int) -> int | None:
        return next((i for i, q in enumerate(self.questions) if q.pk == question_id), None)


# Bounded: one entry per consultation people are answering; a process rarely sees more than a few.
_CACHE_LIMIT = 256
_by_consultation: dict[int, JourneyQuestions] = {}
_consultation_of_question: dict[int, int] = {}
_lock = threading.Lock()


def journey_questions(consultation: Consultation) -> JourneyQuestions:
    """The consultation's questions (options and paired question loaded), from memory when they
    have not changed since they were read."""
    cached = _by_consultation.get(consultation.pk)
    if cached is not None and cached.version == consultation.updated_at:
        return cached
    questions = tuple(consultation.questions.select_related("explains").prefetch_related("options"))
    fresh = JourneyQuestions(consultation.pk, consultation.updated_at, questions)
    with _lock:
        if len(_by_consultation) >= _CACHE_LIMIT:
            _by_consultation.clear()
            _consultation_of_question.clear()
        _by_consultation[consultation.pk] = fresh
        for question in questions:
            _consultation_of_question[question.pk] = consultation.pk
    return fresh


def remembered_questions(question_id: int) -> JourneyQuestions | None:
    """The questions of the consultation this question belongs to, if this process has read them
    (they may be stale: the statements below check the version)."""
    consultation_id = _consultation_of_question.get(question_id)
    return None if consultation_id is None else _by_consultation.get(consultation_id)


def _now_param(now: datetime) -> object:
    return connection.ops.adapt_datetimefield_value(now)


# Compiled once at this moment; each of its parameters becomes the statement's own time.
_COMPILED_AT = datetime(2000, 1, 1, tzinfo=UTC)


@functools.cache
def _taking_responses_where(vendor: str) -> tuple[str, tuple[object, ...]]:
    """`ConsultationQuerySet.taking_responses`, the one statement of the rule, compiled to SQL on
    the consultation table, with its parameters as compiled at `_COMPILED_AT`."""
    query = Consultation.objects.taking_responses(_COMPILED_AT).query
    sql, params = query.get_compiler(connection=connection).compile(query.where)
    return sql, tuple(params)


def _open_consultation_condition(alias: str) -> str:
    """SQL: the consultation `alias` is taking responses at the time `_open_params` gives."""
    sql, _ = _taking_responses_where(connection.vendor)
    return sql.replace(f"{connection.ops.quote_name(Consultation._meta.db_table)}.", f"{alias}.")


def _open_params(now: object) -> list[object]:
    """The parameters of `_open_consultation_condition` at `now` (as `_now_param` gives it)."""
    _, params = _taking_responses_where(connection.vendor)
    compiled_at = _now_param(_COMPILED_AT)
    return [now if param == compiled_at else param for param in params]


@functools.cache
def _answer_statement(with_options: bool) -> tuple[str, tuple[Field, ...]]:
    """The statement that writes an answer, and the answer's fields it sets: every column but its
    id and the two the statement finds, so that each gets its field's default as the ORM would
    give it (fields added later included).

    PostgreSQL runs it as one statement (so one round trip and one commit): the response's
    `updated_at` moves on only while it may change (which also locks its row first, in the same
    order as the full path), the answer is inserted or updated for that response, and for a choice
    question its options become the chosen ones of this question.
    """
    fields = tuple(
        field
        for field in Answer._meta.concrete_fields
        if not field.primary_key and field.column not in ("response_id", "question_id")
    )
    columns = [field.column for field in fields]
    response, answer = Response._meta.db_table, Answer._meta.db_table
    through, option = Answer.options.through._meta.db_table, Option._meta.db_table
    # Only table and column names from the models go into the text; every value is a parameter.
    sql = (
        f"WITH target AS (UPDATE {response} r SET updated_at = %s "  # noqa: S608
        f"FROM {Consultation._meta.db_table} c "
        f"WHERE c.id = r.consultation_id AND r.reference = %s AND r.link_generation = %s "
        f"AND r.status IN (%s, %s) "
        # An organisation's shared draft takes the full path: it checks who is saving, and that no
        # one else saved the answer since the form was drawn.
        f"AND r.organisation_id IS NULL "
        f"AND c.id = %s AND c.updated_at = %s AND {_open_consultation_condition('c')} "
        f"RETURNING r.id, r.status), "
        f"saved AS (INSERT INTO {answer} (response_id, question_id, {', '.join(columns)}) "
        f"SELECT target.id, %s, {', '.join(['%s'] * len(columns))} FROM target "
        f"ON CONFLICT (response_id, question_id) DO UPDATE SET "
        f"text = excluded.text, agreement = excluded.agreement, "
        f"redaction_version = excluded.redaction_version, updated_at = excluded.updated_at "
        f"RETURNING id, response_id)"
    )
    if with_options:
        sql += (
            f", dropped AS (DELETE FROM {through} WHERE answer_id IN (SELECT id FROM saved) "  # noqa: S608
            f"AND NOT (option_id = ANY(%s))), "
            f"added AS (INSERT INTO {through} (answer_id, option_id) "
            f"SELECT saved.id, o.id FROM saved JOIN {option} o ON o.question_id = %s AND o.id = ANY(%s) "
            f"ON CONFLICT (answer_id, option_id) DO NOTHING)"
        )
    # A sent response's changed answer is analysed again: recorded with the change.
    sql += f", analysis AS ({outbox.recording_sql('target', when='target.status = %s AND %s')})"
    sql += " SELECT saved.response_id, target.status, (SELECT id FROM analysis) FROM saved, target"
    return sql, fields


@dataclass(frozen=True)
class SavedAnswer:
    response_id: int
    is_submitted: bool
    # The outbox row of the sent response's new analysis, recorded with the change (or None).
    analysis: int | None = None


def save_answer(
    reference: str,
    journey: JourneyQuestions,
    question: Question,
    *,
    text: str = "",
    agreement: int | None = None,
    option_ids: Sequence[int] = (),
    now: datetime,
    link_generation: int,
    analyse: bool = False,
) -> SavedAnswer | None:
    """Store an answer to the response `reference`, replacing any earlier one, if the response may
    still change, the link it came through (`link_generation`) still opens it, and the question
    is as `journey` read it: one statement on PostgreSQL. None when
    nothing was written, and always elsewhere (the caller then takes the full path). An empty
    answer is not written here: it deletes the answer. A blank redaction version makes the
    analysis redact the new text again. With `analyse`, a sent response's changed answer is
    recorded for analysis (consult.services.outbox) by the same statement."""
    if not text and agreement is None and not option_ids:
        raise ValueError("An empty answer deletes the answer; it is not saved here.")
    if connection.vendor != "postgresql":
        return None
    sql, fields = _answer_statement(question.has_options)
    given = {"text": text, "agreement": agreement, "updated_at": now, "redaction_version": ""}
    params: list[object] = [
        now,
        reference,
        link_generation,
        Response.Status.DRAFT,
        Response.Status.SUBMITTED,
        journey.consultation_id,
        journey.version,
        *_open_params(now),
        question.pk,
        *(
            given[field.column] if field.column in given else field.get_db_prep_save(field.get_default(), connection)
            for field in fields
        ),
    ]
    if question.has_options:
        chosen = list(dict.fromkeys(option_ids))
        params += [chosen, question.pk, chosen]
    params += [task_names.PROCESS_RESPONSE, now, now, Response.Status.SUBMITTED, analyse]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return None if row is None else SavedAnswer(row[0], row[1] == Response.Status.SUBMITTED, row[2])


@dataclass(frozen=True)
class SentResponse:
    response_id: int
    email: str
    # Whether the statement recorded the work that follows the sending (PostgreSQL only), and the
    # outbox rows it wrote (None where none was due).
    recorded: bool = False
    receipt: int | None = None
    analysis: int | None = None


# The key of a response's receipt in the outbox: one receipt per response, however it was sent.
RECEIPT_KEY = "receipt:"


def send_response(
    reference: str, now: datetime, link_generation: int | None = None, *, analyse: bool = False
) -> SentResponse | None:
    """Send the draft `reference` if it may be sent now: consultation open, respondent type given,
    every required question answered, and, when sent through a link, that link
    (`link_generation`) still opens it. One conditional UPDATE, so two posts racing each other
    send it once. On PostgreSQL the same statement records the receipt (for a response with an
    email address) and, with `analyse`, its analysis in the outbox, so that a sent response always
    has them (`recorded`); elsewhere the caller records them in the sending's transaction.
    None when it changed nothing (already sent, closed, incomplete, a replaced link, or no such
    draft)."""
    stamp = _now_param(now)
    params = [
        Response.Status.SUBMITTED,
        stamp,
        stamp,
        reference,
        *([] if link_generation is None else [link_generation]),
        Response.Status.DRAFT,
        *_open_params(stamp),
        True,
    ]
    checks_link = link_generation is not None
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(_send_update(checks_link=checks_link), params)
            row = cursor.fetchone()
        return None if row is None else SentResponse(*row)
    params += [
        task_names.SEND_RECEIPT_EMAIL,
        RECEIPT_KEY,
        stamp,
        stamp,
        task_names.PROCESS_RESPONSE,
        stamp,
        stamp,
        analyse,
    ]
    with connection.cursor() as cursor:
        cursor.execute(_send_statement(checks_link=checks_link), params)
        row = cursor.fetchone()
    return None if row is None else SentResponse(row[0], row[1], True, *row[2:])


@functools.cache
def _send_statement(*, checks_link: bool) -> str:
    """The sending and the work that follows it, as one statement (PostgreSQL)."""
    receipt = outbox.recording_sql("sent", keyed=True, when="sent.email <> ''")
    analysis = outbox.recording_sql("sent", when="%s")
    return (
        f"WITH sent AS ({_send_update(checks_link=checks_link)}), "  # noqa: S608 (names from the models only)
        f"receipt AS ({receipt}), analysis AS ({analysis}) "
        f"SELECT sent.id, sent.email, (SELECT id FROM receipt), (SELECT id FROM analysis) FROM sent"
    )


@functools.cache
def _send_update(*, checks_link: bool) -> str:
    response_table = Response._meta.db_table
    return (
        f"UPDATE {response_table} SET status = %s, submitted_at = %s, updated_at = %s "  # noqa: S608
        f"WHERE reference = %s {'AND link_generation = %s ' if checks_link else ''}"
        f"AND status = %s AND respondent_type <> '' "
        # An organisation's response is sent on the full path, by one of its admins.
        f"AND organisation_id IS NULL "
        f"AND EXISTS (SELECT 1 FROM {Consultation._meta.db_table} c "
        f"WHERE c.id = {response_table}.consultation_id AND {_open_consultation_condition('c')}) "
        f"AND NOT EXISTS (SELECT 1 FROM {Question._meta.db_table} q "
        f"WHERE q.consultation_id = {response_table}.consultation_id AND q.is_required = %s "
        f"AND NOT EXISTS (SELECT 1 FROM {Answer._meta.db_table} a "
        f"WHERE a.response_id = {response_table}.id AND a.question_id = q.id)) "
        f"RETURNING id, email"
    )

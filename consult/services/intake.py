"""The two writes every respondent repeats: saving an answer and sending the response.

They are the busiest requests the public makes (a national consultation takes tens of thousands
of responses in its last days), so each is one SQL statement that carries its own checks, instead
of loading the response, checking it in Python and then writing it. A statement that changes
nothing returns None; the caller then takes the full path (`consult.services.responses`), which
loads the response and says exactly why (closed, withdrawn, incomplete, already sent) — the rules
live here once, and the full path runs the same statement first.

The questions of a consultation are kept in each process's memory between requests, keyed by the
consultation's `updated_at`: every change to a question moves it on
(`services.consultations.lock_for_question_change`), and the statement saving an answer matches
the version the form was checked against, so an answer is never saved against a question that has
changed since; a stale entry just sends that one request down the full path, which reloads it.

The SQL is portable between PostgreSQL and SQLite (both know RETURNING and ON CONFLICT), so the
demo runs the same statements as production.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db import connection, transaction
from django.db.backends.utils import CursorWrapper
from django.db.models import Field

from consult.models import Answer, Consultation, Option, Question, Response


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


def _open_consultation_condition(alias: str) -> str:
    """SQL: the consultation `alias` is taking responses at the time given by three parameters."""
    return (
        f"{alias}.is_published = %s AND {alias}.opens_at <= %s AND {alias}.closes_at > %s"
        f" AND ({alias}.outcome_published_at IS NULL OR {alias}.outcome_published_at > %s)"
    )


def _open_params(now: object) -> list[object]:
    return [True, now, now, now]


@functools.cache
def _answer_upsert() -> tuple[str, tuple[Field, ...]]:
    """The statement that writes an answer, and the fields it sets: every column of an answer but
    its id and the two the SELECT gives, so that each gets its field's default as the ORM would
    give it (fields added later included)."""
    fields = tuple(
        field
        for field in Answer._meta.concrete_fields
        if not field.primary_key and field.column not in ("response_id", "question_id")
    )
    columns = [field.column for field in fields]
    sql = (
        # Only table and column names from the models go into the text; every value is a parameter.
        f"INSERT INTO {Answer._meta.db_table} (response_id, question_id, {', '.join(columns)}) "  # noqa: S608
        f"SELECT r.id, q.id, {', '.join(['%s'] * len(columns))} "
        f"FROM {Response._meta.db_table} r "
        f"JOIN {Consultation._meta.db_table} c ON c.id = r.consultation_id "
        f"JOIN {Question._meta.db_table} q ON q.consultation_id = c.id "
        f"WHERE r.reference = %s AND r.status IN (%s, %s) AND q.id = %s AND c.id = %s AND c.updated_at = %s "
        f"AND {_open_consultation_condition('c')} "
        # response_id and question_id come from the SELECT, which yields a row only when allowed.
        f"ON CONFLICT (response_id, question_id) DO UPDATE SET "
        f"text = excluded.text, agreement = excluded.agreement, "
        f"redaction_version = excluded.redaction_version, updated_at = excluded.updated_at "
        f"RETURNING id, response_id"
    )
    return sql, fields


@dataclass(frozen=True)
class SavedAnswer:
    response_id: int
    is_submitted: bool


def save_answer(
    reference: str,
    journey: JourneyQuestions,
    question: Question,
    *,
    text: str = "",
    agreement: int | None = None,
    option_ids: Sequence[int] = (),
    now: datetime,
) -> SavedAnswer | None:
    """Store an answer to the response `reference`, replacing any earlier one, if the response may
    still change and the question is as `journey` read it. None when nothing was written (the
    caller takes the full path). An empty answer is not written here: it deletes the answer.

    In one transaction (one commit to wait for): an INSERT ... ON CONFLICT DO UPDATE of the
    answer, for a choice question the chosen options (those of this question only), and the
    response's `updated_at`. A blank redaction version makes the analysis redact the new text.
    """
    if not text and agreement is None and not option_ids:
        raise ValueError("An empty answer deletes the answer; it is not saved here.")
    stamp = _now_param(now)
    sql, fields = _answer_upsert()
    given = {"text": text, "agreement": agreement, "updated_at": stamp, "redaction_version": ""}
    params = [
        *(
            given[field.column] if field.column in given else field.get_db_prep_save(field.get_default(), connection)
            for field in fields
        ),
        reference,
        Response.Status.DRAFT,
        Response.Status.SUBMITTED,
        question.pk,
        journey.consultation_id,
        _now_param(journey.version),
        *_open_params(stamp),
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
        if row is None:
            return None
        answer_id, response_id = row
        if question.has_options:
            _set_options(cursor, answer_id, question.pk, option_ids)
        cursor.execute(
            f"UPDATE {Response._meta.db_table} SET updated_at = %s WHERE id = %s RETURNING status",  # noqa: S608
            [stamp, response_id],
        )
        status_row = cursor.fetchone()
    return SavedAnswer(response_id, status_row is not None and status_row[0] == Response.Status.SUBMITTED)


def _set_options(cursor: CursorWrapper, answer_id: int, question_id: int, option_ids: Sequence[int]) -> None:
    """The answer's chosen options become `option_ids`, of which only the question's own count."""
    through = Answer.options.through._meta.db_table
    chosen = list(dict.fromkeys(option_ids))
    marks = ", ".join(["%s"] * len(chosen)) or "NULL"
    cursor.execute(
        f"DELETE FROM {through} WHERE answer_id = %s AND option_id NOT IN ({marks})",  # noqa: S608
        [answer_id, *chosen],
    )
    if chosen:
        cursor.execute(
            f"INSERT INTO {through} (answer_id, option_id) "  # noqa: S608
            f"SELECT %s, o.id FROM {Option._meta.db_table} o WHERE o.question_id = %s AND o.id IN ({marks}) "
            f"ON CONFLICT (answer_id, option_id) DO NOTHING",
            [answer_id, question_id, *chosen],
        )


@dataclass(frozen=True)
class SentResponse:
    response_id: int
    email: str


def send_response(reference: str, now: datetime) -> SentResponse | None:
    """Send the draft `reference` if it may be sent now: consultation open, respondent type given,
    every required question answered. One conditional UPDATE, so two posts racing each other send
    it once. None when it changed nothing (already sent, closed, incomplete, or no such draft)."""
    stamp = _now_param(now)
    params = [
        Response.Status.SUBMITTED,
        stamp,
        stamp,
        reference,
        Response.Status.DRAFT,
        *_open_params(stamp),
        True,
    ]
    with connection.cursor() as cursor:
        cursor.execute(_send_statement(), params)
        row = cursor.fetchone()
    return None if row is None else SentResponse(row[0], row[1])


@functools.cache
def _send_statement() -> str:
    response_table = Response._meta.db_table
    return (
        f"UPDATE {response_table} SET status = %s, submitted_at = %s, updated_at = %s "  # noqa: S608
        f"WHERE reference = %s AND status = %s AND respondent_type <> '' "
        f"AND EXISTS (SELECT 1 FROM {Consultation._meta.db_table} c "
        f"WHERE c.id = {response_table}.consultation_id AND {_open_consultation_condition('c')}) "
        f"AND NOT EXISTS (SELECT 1 FROM {Question._meta.db_table} q "
        f"WHERE q.consultation_id = {response_table}.consultation_id AND q.is_required = %s "
        f"AND NOT EXISTS (SELECT 1 FROM {Answer._meta.db_table} a "
        f"WHERE a.response_id = {response_table}.id AND a.question_id = q.id)) "
        f"RETURNING id, email"
    )

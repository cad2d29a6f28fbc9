"""Importing responses gathered elsewhere (a CSV export from another tool, a benchmark set)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.core.validators import validate_slug
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify

from consult.analysis import non_answers, redaction
from consult.models import Answer, Consultation, Department, Phase, Question, Response
from consult.services import embeddings

# Limits of the columns the import writes: a value past one is refused, never cut short.
MAX_SLUG = Consultation._meta.get_field("slug").max_length
MAX_EXTERNAL_ID = Response._meta.get_field("external_id").max_length
MAX_QUESTION_TEXT = 500
MAX_ANSWER_TEXT = 100_000


class ImportError_(Exception):
    """The file cannot be imported as it is; nothing was imported."""


@dataclass(frozen=True)
class Imported:
    slug: str
    imported: int
    skipped: int


def import_responses(
    rows: Sequence[dict[str, str | None]],
    *,
    slug: str,
    text_column: str,
    id_column: str | None = None,
    question_text: str = "",
) -> Imported:
    """Import each row with text as a submitted response, all or nothing.

    The consultation is created, published and already closed, if it does not exist, and the free-text question too
    (matched by its text). Answers are redacted as they are imported, and sent to be embedded on the
    `embedding` queue once the import commits (with ANALYSE_ON_ARRIVAL: with tasks in-process the
    next run embeds them instead, so that a web process never loads the model). Everything is checked before
    anything is written (the slug, every row's fields, lengths and characters), and a question is
    never added to a consultation people may be answering (open or about to open): its journeys
    are built from its questions.
    """
    _check_slug(slug)
    question_text = question_text or "Your response"
    if len(question_text) > MAX_QUESTION_TEXT:
        raise ImportError_(f"The question has {len(question_text)} characters; at most {MAX_QUESTION_TEXT}.")
    if "\x00" in question_text:
        raise ImportError_("The question holds a NUL character, which cannot be stored.")
    if not rows:
        raise ImportError_("The file has no rows.")
    columns = set(rows[0])
    for column in filter(None, [text_column, id_column]):
        if column not in columns:
            raise ImportError_(f"There is no column {column!r}. The columns are: {', '.join(sorted(columns))}.")
    for number, row in enumerate(rows, start=2):
        if None in row or any(value is None for value in row.values()):
            raise ImportError_(f"Row {number} has a different number of fields from the header.")
        _check_row(number, row, text_column, id_column)
    with transaction.atomic():
        consultation = _consultation(slug)
        question = _question(consultation, question_text)
        now = timezone.now()
        texts = [((row.get(id_column) or "") if id_column else "", (row[text_column] or "").strip()) for row in rows]
        kept = [(external_id, text) for external_id, text in texts if text]
        responses = Response.objects.bulk_create(
            [
                Response(
                    consultation=consultation,
                    status=Response.Status.SUBMITTED,
                    respondent_type=Response.RespondentType.INDIVIDUAL,
                    external_id=external_id,
                    start_key=f"import-{consultation.pk}-{question.pk}-{index}-{now.timestamp()}",
                    submitted_at=now,
                )
                for index, (external_id, _) in enumerate(kept)
            ],
            batch_size=2000,
        )
        answers = []
        for response, (_, text) in zip(responses, kept, strict=True):
            redacted = redaction.redact(text)
            answers.append(
                Answer(
                    response=response,
                    question=question,
                    text=text,
                    redacted_text=redacted.text,
                    has_personal_data=redacted.has_personal_data,
                    redaction_version=redaction.REDACTION_VERSION,
                    non_answer_detected=non_answers.is_non_answer(redacted.text),
                    non_answer_version=non_answers.NON_ANSWERS_VERSION,
                )
            )
        Answer.objects.bulk_create(answers, batch_size=2000)
        if settings.ANALYSE_ON_ARRIVAL:
            transaction.on_commit(partial(embeddings.queue_embeddings, consultation.pk))
    return Imported(slug=slug, imported=len(kept), skipped=len(rows) - len(kept))


def _check_slug(slug: str) -> None:
    """A consultation's slug is its address: letters, digits, hyphens and underscores."""
    if len(slug) > MAX_SLUG:
        raise ImportError_(f"The consultation's slug has {len(slug)} characters; at most {MAX_SLUG}.")
    try:
        validate_slug(slug)
    except Exception:
        suggestion = slugify(slug)[:MAX_SLUG]
        hint = f", for example {suggestion!r}" if suggestion else ""
        raise ImportError_(
            f"{slug!r} cannot be a consultation's address: use letters, digits, hyphens and underscores{hint}."
        ) from None


def _check_row(number: int, row: dict[str, str | None], text_column: str, id_column: str | None) -> None:
    """A row's text and id fit their columns and can be stored (PostgreSQL refuses NUL)."""
    text = row[text_column] or ""
    external_id = (row.get(id_column) or "") if id_column else ""
    if "\x00" in text or "\x00" in external_id:
        raise ImportError_(f"Row {number} holds a NUL character, which cannot be stored; nothing was imported.")
    if len(text.strip()) > MAX_ANSWER_TEXT:
        raise ImportError_(
            f"Row {number}'s text has {len(text.strip()):,} characters; at most {MAX_ANSWER_TEXT:,}. "
            "Nothing was imported."
        )
    if len(external_id) > MAX_EXTERNAL_ID:
        raise ImportError_(
            f"Row {number}'s id has {len(external_id)} characters; at most {MAX_EXTERNAL_ID}. Nothing was imported."
        )


def _consultation(slug: str) -> Consultation:
    existing = Consultation.objects.filter(slug=slug).first()
    if existing:
        return existing
    department, _ = Department.objects.get_or_create(slug="imported", defaults={"name": "Imported responses"})
    now = timezone.now()
    return Consultation.objects.create(
        slug=slug,
        title=slug.replace("-", " ").replace("_", " ").capitalize(),
        summary="Responses imported from a file.",
        department=department,
        contact_email="imports@example.invalid",
        is_published=True,
        opens_at=now - timedelta(days=1),
        closes_at=now - timedelta(seconds=1),
    )


def _question(consultation: Consultation, text: str) -> Question:
    existing = consultation.questions.filter(text=text, kind=Question.Kind.FREE_TEXT).first()
    if existing:
        return existing
    if consultation.is_published and consultation.phase in (Phase.OPEN, Phase.UPCOMING):
        raise ImportError_(
            f"{consultation.slug} is {str(consultation.phase.label).lower()}: a new question would change it "
            "under people answering it. Import into an existing question of it (--question with its text), "
            "or once it has closed."
        )
    last = consultation.questions.aggregate(last=Max("position"))["last"] or 0
    return Question.objects.create(
        consultation=consultation,
        position=last + 1,
        kind=Question.Kind.FREE_TEXT,
        text=text,
        max_length=MAX_ANSWER_TEXT,
    )

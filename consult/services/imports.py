"""Importing responses gathered elsewhere (a CSV export from another tool, a benchmark set)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from consult.analysis import non_answers, redaction
from consult.models import Answer, Consultation, Department, Question, Response


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
    (matched by its text). Answers are redacted as they are imported.
    """
    if not rows:
        raise ImportError_("The file has no rows.")
    columns = set(rows[0])
    for column in filter(None, [text_column, id_column]):
        if column not in columns:
            raise ImportError_(f"There is no column {column!r}. The columns are: {', '.join(sorted(columns))}.")
    for number, row in enumerate(rows, start=2):
        if None in row or any(value is None for value in row.values()):
            raise ImportError_(f"Row {number} has a different number of fields from the header.")
    with transaction.atomic():
        consultation = _consultation(slug)
        question = _question(consultation, question_text or "Your response")
        now = timezone.now()
        texts = [((row.get(id_column) or "") if id_column else "", (row[text_column] or "").strip()) for row in rows]
        kept = [(external_id, text) for external_id, text in texts if text]
        responses = Response.objects.bulk_create(
            [
                Response(
                    consultation=consultation,
                    status=Response.Status.SUBMITTED,
                    respondent_type=Response.RespondentType.INDIVIDUAL,
                    external_id=external_id[:100],
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
    return Imported(slug=slug, imported=len(kept), skipped=len(rows) - len(kept))


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
    last = consultation.questions.aggregate(last=Max("position"))["last"] or 0
    return Question.objects.create(
        consultation=consultation, position=last + 1, kind=Question.Kind.FREE_TEXT, text=text[:500], max_length=100_000
    )

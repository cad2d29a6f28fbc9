"""What an analysis run and the arrivals read: the analysable answers, their redaction brought up
to date, and the configured language model (embeddings: `consult.services.embeddings`).

Everything here reads a page or a bounded number of ids at a time, so that a consultation of a
million answers is never one query with a million ids, nor a million model objects in memory.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.conf import settings
from django.db.models import Q, QuerySet

from consult.analysis import language, llm, non_answers, redaction
from consult.analysis.types import AnswerText
from consult.models import Answer, Consultation, Question

# Answers read per query when walking a consultation, and ids named in one query at most.
PAGE = 20_000
ID_CHUNK = 2_000


def analysable_answers(consultation: Consultation) -> Iterable[Answer]:
    """Free-text answers of submitted responses: withdrawn and draft responses are never analysed,
    nor answers a moderator hid."""
    return (
        Answer.objects.filter(response__consultation=consultation, question__kind=Question.Kind.FREE_TEXT)
        .counted()
        .select_related("response")
        .order_by("pk")
    )


def redact_answers(answers: Iterable[Answer]) -> int:
    """Redact every answer not yet redacted by the current rules, mark the language it is written
    in, and whether it says nothing of substance (a changed answer is redacted again, so both
    follow it; a new non-answer rule reads every answer again). Returns how many were stale."""
    stale = [
        answer
        for answer in answers
        if answer.redaction_version != redaction.REDACTION_VERSION
        or answer.non_answer_version != non_answers.NON_ANSWERS_VERSION
    ]
    for answer in stale:
        if answer.redaction_version != redaction.REDACTION_VERSION:
            result = redaction.redact(answer.text)
            answer.redacted_text = result.text
            answer.has_personal_data = result.has_personal_data
            answer.redaction_version = redaction.REDACTION_VERSION
            answer.language = language.detect_language(answer.text)
        # The redacted text is what the analysis reads; placeholders for personal data never make
        # an answer substantive or empty, so it judges the same as the original.
        answer.non_answer_detected = non_answers.is_non_answer(answer.redacted_text)
        answer.non_answer_version = non_answers.NON_ANSWERS_VERSION
    Answer.objects.bulk_update(
        stale,
        [
            "redacted_text",
            "has_personal_data",
            "redaction_version",
            "language",
            "non_answer_detected",
            "non_answer_version",
        ],
        batch_size=1000,
    )
    return len(stale)


def language_model() -> llm.LanguageModel | None:
    """The configured language model, or None to use the offline extractive path."""
    model_settings = llm.ModelSettings.from_env({name: str(getattr(settings, name, "")) for name in llm.ENV_VARIABLES})
    return llm.OpenAIChatModel(model_settings) if model_settings else None


def redact_stale(consultation: Consultation) -> list[int]:
    """Redact, page by page, every analysable answer not redacted (or screened for non-answers)
    by the current rules; return the ids of all the consultation's analysable answers."""
    ids: list[int] = []
    stale_q = ~Q(redaction_version=redaction.REDACTION_VERSION) | ~Q(non_answer_version=non_answers.NON_ANSWERS_VERSION)
    after = 0
    while True:
        page = list(analysable_answers(consultation).filter(pk__gt=after).values_list("pk", flat=True)[:PAGE])
        if not page:
            return ids
        ids.extend(page)
        after = page[-1]
        stale = list(
            analysable_answers(consultation).filter(stale_q, pk__gte=page[0], pk__lte=page[-1]).select_related(None)
        )
        if stale:
            redact_answers(stale)


def _substantive(question_id: int) -> QuerySet[Answer]:
    return Answer.objects.filter(question_id=question_id).counted().substantive().order_by("pk")


def question_answer_ids(question_id: int, *, upto: int | None = None) -> list[int]:
    """The ids of the question's analysable answers that say something (not non-answers), in
    order, up to `upto` when given, read a page at a time."""
    ids: list[int] = []
    rows = _substantive(question_id) if upto is None else _substantive(question_id).filter(pk__lte=upto)
    while page := list(rows.filter(pk__gt=ids[-1] if ids else 0).values_list("pk", flat=True)[:PAGE]):
        ids.extend(page)
    return ids


def range_texts(question_id: int, first: int, last: int) -> list[AnswerText]:
    """The redacted texts of the question's substantive answers with ids from `first` to `last`
    (a range of at most a page of them: a piece of a run)."""
    rows = _substantive(question_id).filter(pk__gte=first, pk__lte=last).values_list("pk", "redacted_text")
    return [AnswerText(id=answer_id, text=text) for answer_id, text in rows]


def answer_texts(answer_ids: Sequence[int]) -> dict[int, AnswerText]:
    """The redacted texts of the given answers, by id, read a bounded number of ids at a time."""
    found: dict[int, AnswerText] = {}
    for start in range(0, len(answer_ids), ID_CHUNK):
        rows = Answer.objects.filter(pk__in=answer_ids[start : start + ID_CHUNK]).values_list("pk", "redacted_text")
        found.update((answer_id, AnswerText(id=answer_id, text=text)) for answer_id, text in rows)
    return found

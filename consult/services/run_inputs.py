"""What an analysis run and the arrivals read: the analysable answers, their redaction brought up
to date, their embeddings computed or read, and the configured language model.

Everything here reads a page or a bounded number of ids at a time, so that a consultation of a
million answers is never one query with a million ids, nor a million model objects in memory.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable

import numpy as np
from django.conf import settings
from django.db.models import Q

from consult.analysis import embedding as embedding_lib
from consult.analysis import language, llm, non_answers, redaction
from consult.models import Answer, AnswerEmbedding, Consultation, Question

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


def _text_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def embeddings_for(answers: list[Answer], embedder: embedding_lib.Embedder) -> np.ndarray:
    """The answers' embeddings, computing and storing only those missing for this model or whose
    redacted text changed since they were computed."""
    ids = [answer.pk for answer in answers]
    stored = {
        row.answer_id: row
        for start in range(0, len(ids), ID_CHUNK)
        for row in AnswerEmbedding.objects.filter(answer_id__in=ids[start : start + ID_CHUNK], model_name=embedder.name)
    }
    missing = [
        answer
        for answer in answers
        if answer.pk not in stored or stored[answer.pk].text_hash != _text_hash(answer.redacted_text)
    ]
    if missing:
        vectors = embedder.encode([answer.redacted_text for answer in missing])
        rows = [
            AnswerEmbedding(
                answer=answer,
                model_name=embedder.name,
                dimensions=embedder.dimensions,
                vector=embedding_lib.to_bytes(vector),
                text_hash=_text_hash(answer.redacted_text),
            )
            for answer, vector in zip(missing, vectors, strict=True)
        ]
        AnswerEmbedding.objects.bulk_create(
            rows,
            batch_size=1000,
            update_conflicts=True,
            unique_fields=["answer", "model_name"],
            update_fields=["vector", "dimensions", "text_hash"],
        )
        stored.update({row.answer_id: row for row in rows})
    if not answers:
        return np.zeros((0, embedder.dimensions), dtype=np.float32)
    return np.vstack([embedding_lib.from_bytes(stored[a.pk].vector, embedder.dimensions) for a in answers])


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


def question_texts(question: Question) -> tuple[list[int], list[str]]:
    """The ids and redacted texts of the question's analysable answers that say something (not
    non-answers), in id order, read a page at a time without model objects."""
    ids: list[int] = []
    texts: list[str] = []
    after = 0
    rows = Answer.objects.filter(question=question).counted().substantive().order_by("pk")
    while page := list(rows.filter(pk__gt=after).values_list("pk", "redacted_text")[:PAGE]):
        for answer_id, text in page:
            ids.append(answer_id)
            texts.append(text)
        after = page[-1][0]
    return ids, texts


def stored_vectors(answer_ids: list[int], embedder: embedding_lib.Embedder) -> np.ndarray:
    """The stored embeddings of the given answers, in that order, read a bounded number of ids
    at a time into one array."""
    vectors = np.zeros((len(answer_ids), embedder.dimensions), dtype=np.float32)
    row_of = {answer_id: row for row, answer_id in enumerate(answer_ids)}
    found = 0
    for start in range(0, len(answer_ids), ID_CHUNK):
        rows = AnswerEmbedding.objects.filter(
            answer_id__in=answer_ids[start : start + ID_CHUNK], model_name=embedder.name
        ).values_list("answer_id", "vector")
        for answer_id, vector in rows:
            vectors[row_of[answer_id]] = embedding_lib.from_bytes(vector, embedder.dimensions)
            found += 1
    if found != len(answer_ids):
        raise RuntimeError(f"{len(answer_ids) - found} of {len(answer_ids)} answers have no stored embedding")
    return vectors


def ensure_embedded(
    consultation: Consultation, embedder: embedding_lib.Embedder, progress: Callable[[int, int], None]
) -> None:
    """Embed, page by page, the analysable answers whose embedding is missing or stale, calling
    `progress(done, total)` after each page."""
    after = 0
    rows = analysable_answers(consultation).select_related(None).only("pk", "redacted_text", "response_id")
    total = rows.count()
    done = 0
    while page := list(rows.filter(pk__gt=after)[:PAGE]):
        embeddings_for(page, embedder)
        after = page[-1].pk
        done += len(page)
        progress(done, total)

"""Answers' embeddings: computed once per model and text, in batches on the `embedding` queue (a
GPU worker's, where there is one), stored beside the answer, and read back by runs and arrivals.

Answers are embedded as they arrive (`consult.services.arrivals`), right after an import
(`consult.services.imports`) and, for any still missing, when a run starts (`ensure_embedded`),
which waits for the workers and embeds the rest itself if none is taking the queue. No query here
names more than `ID_CHUNK` answers, and nothing holds an ORM object for every answer, so the same
code serves a thousand answers and a million.
"""

from __future__ import annotations

import hashlib
import logging
import time
from array import array
from collections.abc import Callable, Iterator, Sequence
from typing import TypeVar

import numpy as np
from django.conf import settings
from django.db.models import OuterRef, QuerySet, Subquery

from consult import task_names
from consult.analysis import embedding as embedding_lib
from consult.analysis import redaction
from consult.models import Answer, AnswerEmbedding, Question
from consult.services import outbox

logger = logging.getLogger(__name__)

# The most answer ids one query names: well under SQLite's limit on a statement's variables, and
# small enough that PostgreSQL plans each query as a short index scan.
ID_CHUNK = 2000
# Answers upserted per INSERT.
WRITE_BATCH = 500
# How often a run waiting for the workers looks at what they have stored.
POLL_SECONDS = 2.0

Item = TypeVar("Item")


class MissingEmbeddings(Exception):
    """Some answers have no stored vector for the model: they must be embedded before reading."""

    def __init__(self, missing: int, total: int, model_name: str) -> None:
        super().__init__(
            f"{missing:,} of {total:,} answers have no stored {model_name} vector of the right size; "
            "embed them first (embed_answers, or ensure_embedded for a consultation)."
        )
        self.missing = missing


def text_hash(text: str) -> str:
    """The hash stored beside a vector: the vector is current while the text hashes the same."""
    return hashlib.sha256(text.encode()).hexdigest()


def configured_embedder() -> embedding_lib.Embedder:
    """The embedder the settings name (EMBEDDING_MODEL), on EMBEDDING_DEVICE, encoding
    EMBEDDING_BATCH_SIZE texts at a time; loaded once per process."""
    return embedding_lib.load_embedder(
        settings.EMBEDDING_MODEL or None, device=settings.EMBEDDING_DEVICE, batch_size=settings.EMBEDDING_BATCH_SIZE
    )


# --- Reading ----------------------------------------------------------------------------------


def embeddings_for(answers: Sequence[Answer], embedder: embedding_lib.Embedder) -> np.ndarray:
    """The answers' embeddings, one row per answer in their order, computing and storing only
    those missing for this model or whose redacted text changed since they were computed."""
    vectors = np.zeros((len(answers), embedder.dimensions), dtype=np.float32)
    for start in range(0, len(answers), ID_CHUNK):
        chunk = answers[start : start + ID_CHUNK]
        stored = {
            answer_id: (stored_hash, data)
            for answer_id, stored_hash, data in AnswerEmbedding.objects.filter(
                answer_id__in={answer.pk for answer in chunk},
                model_name=embedder.name,
                dimensions=embedder.dimensions,
            ).values_list("answer_id", "text_hash", "vector")
        }
        missing: list[int] = []
        for index, answer in enumerate(chunk, start=start):
            found = stored.get(answer.pk)
            if found is not None and found[0] == text_hash(answer.redacted_text):
                vectors[index] = embedding_lib.from_bytes(found[1], embedder.dimensions)
            else:
                missing.append(index)
        if missing:
            texts = [answers[index].redacted_text for index in missing]
            computed = embedder.encode(texts)
            _store(embedder, [(answers[index].pk, text) for index, text in zip(missing, texts, strict=True)], computed)
            vectors[missing] = computed
    return vectors


def stored_vectors(answer_ids: Sequence[int], model_name: str, dimensions: int) -> np.ndarray:
    """The stored vectors of the answers (distinct ids), one row each in their order, read
    `ID_CHUNK` at a time into one float32 array. Raises MissingEmbeddings, saying how many, when
    any answer has no vector of this model and size."""
    vectors = np.empty((len(answer_ids), dimensions), dtype=np.float32)
    found = np.zeros(len(answer_ids), dtype=bool)
    width = dimensions * 4
    for start in range(0, len(answer_ids), ID_CHUNK):
        position = {answer_id: start + offset for offset, answer_id in enumerate(answer_ids[start : start + ID_CHUNK])}
        rows = AnswerEmbedding.objects.filter(
            answer_id__in=position, model_name=model_name, dimensions=dimensions
        ).values_list("answer_id", "vector")
        for answer_id, data in rows.iterator(chunk_size=ID_CHUNK):
            if len(data) == width:
                vectors[position[answer_id]] = np.frombuffer(data, dtype="<f4")
                found[position[answer_id]] = True
    missing = len(answer_ids) - int(found.sum())
    if missing:
        raise MissingEmbeddings(missing, len(answer_ids), model_name)
    return vectors


# --- Embedding --------------------------------------------------------------------------------


def embed_answers(answer_ids: Sequence[int]) -> int:
    """Embed, with the configured model, the listed answers whose stored vector is missing or
    stale; answers not redacted by the current rules, empty or gone are skipped. A second call
    embeds nothing. Returns how many it embedded."""
    return _embed(answer_ids, configured_embedder())


def _embed(answer_ids: Sequence[int], embedder: embedding_lib.Embedder) -> int:
    """Embed the listed answers that need it, in one call of the model: the model batches texts
    by length within a call, so the same answers embedded in one call always give the same
    vectors, bit for bit, however the ids were read."""
    stale: list[tuple[int, str]] = []
    for chunk in _chunks(answer_ids, ID_CHUNK):
        rows = (
            _with_stored_hash(Answer.objects.filter(pk__in=chunk), embedder.name)
            .filter(redaction_version=redaction.REDACTION_VERSION)
            .exclude(redacted_text="")
            .order_by("pk")
            .values_list("pk", "redacted_text", "stored_hash")
        )
        stale.extend((answer_id, text) for answer_id, text, stored in rows if stored != text_hash(text))
    if stale:
        _store(embedder, stale, embedder.encode([text for _, text in stale]))
    return len(stale)


def _store(embedder: embedding_lib.Embedder, answers: list[tuple[int, str]], vectors: np.ndarray) -> None:
    """Upsert the vectors of (answer id, redacted text) pairs: one row per answer and model."""
    rows = [
        AnswerEmbedding(
            answer_id=answer_id,
            model_name=embedder.name,
            dimensions=embedder.dimensions,
            vector=embedding_lib.to_bytes(vector),
            text_hash=text_hash(text),
        )
        for (answer_id, text), vector in zip(answers, vectors, strict=True)
    ]
    AnswerEmbedding.objects.bulk_create(
        rows,
        batch_size=WRITE_BATCH,
        update_conflicts=True,
        unique_fields=["answer", "model_name"],
        update_fields=["vector", "dimensions", "text_hash"],
    )


# --- Queueing and waiting ---------------------------------------------------------------------


def queue_embeddings(consultation_id: int) -> int:
    """Send the consultation's analysable answers that lack a current vector of the configured
    model to the `embedding` queue, `EMBEDDING_TASK_SIZE` answers a task. Returns how many.

    The sends are not recorded in the outbox: a vector still missing is its own record, found
    again by the next run (`ensure_embedded`), which embeds what no worker did."""
    name = embedding_lib.model_name(settings.EMBEDDING_MODEL or None)
    queued = 0
    for batch in _batches(_missing(consultation_id, name), settings.EMBEDDING_TASK_SIZE):
        _send([answer_id for answer_id, _ in batch])
        queued += len(batch)
    return queued


def ensure_embedded(
    consultation_id: int, embedder: embedding_lib.Embedder, progress: Callable[[int, int], None]
) -> None:
    """A run's embedding stage: queue the consultation's analysable answers that lack a current
    vector of `embedder`'s model, then wait for the workers to store them, calling
    `progress(done, total)` every `POLL_SECONDS` (whatever it raises stops the wait). If nothing
    moves for EMBEDDING_WAIT_SECONDS (no worker takes the `embedding` queue), the rest is embedded
    here, in batches, still reporting progress. With tasks in-process the queued work ran as it
    was sent, so this returns at once.

    Only the missing answers' ids and text hashes are held (40 bytes an answer), never every answer.
    """
    ids = array("q")
    digests = bytearray()
    for batch in _batches(_missing(consultation_id, embedder.name), settings.EMBEDDING_TASK_SIZE):
        for answer_id, digest in batch:
            ids.append(answer_id)
            digests += digest
        _send([answer_id for answer_id, _ in batch])
    answer_ids = np.frombuffer(ids, dtype=np.int64) if ids else np.zeros(0, dtype=np.int64)
    expected = np.frombuffer(bytes(digests), dtype=np.uint8).reshape(-1, 32)
    total = len(answer_ids)
    pending = np.ones(total, dtype=bool)
    if not settings.HAS_BROKER:
        # The tasks ran in-process as they were sent; any left (sent inside a transaction that has
        # not committed) are embedded here.
        _embed_here(answer_ids, pending, embedder, progress)
        return
    last_done, moved_at = -1, time.monotonic()
    while True:
        _clear_stored(answer_ids, expected, pending, embedder.name)
        done = total - int(pending.sum())
        progress(done, total)
        if done == total:
            return
        if done != last_done:
            last_done, moved_at = done, time.monotonic()
        elif time.monotonic() - moved_at >= settings.EMBEDDING_WAIT_SECONDS:
            logger.warning(
                "embedding: no worker stored a vector for %ss; embedding the last %s of %s answers in the run",
                settings.EMBEDDING_WAIT_SECONDS,
                total - done,
                total,
            )
            _embed_here(answer_ids, pending, embedder, progress)
            return
        time.sleep(min(POLL_SECONDS, settings.EMBEDDING_WAIT_SECONDS))


def _embed_here(
    answer_ids: np.ndarray, pending: np.ndarray, embedder: embedding_lib.Embedder, progress: Callable[[int, int], None]
) -> None:
    """Embed the pending answers in this process, a task's worth at a time, reporting progress.
    Each batch embeds only what is still stale, so a worker that wakes meanwhile costs nothing."""
    total = len(answer_ids)
    positions = np.flatnonzero(pending)
    # With tasks in-process (the tests, one-off scripts) a consultation is embedded in one call,
    # as before there was a queue, so its vectors do not depend on how the work was divided.
    size = settings.EMBEDDING_TASK_SIZE if settings.HAS_BROKER else max(len(positions), 1)
    for start in range(0, len(positions), size):
        batch = positions[start : start + size]
        _embed(answer_ids[batch].tolist(), embedder)
        pending[batch] = False
        progress(total - int(pending.sum()), total)
    if not total:
        progress(0, 0)


def _clear_stored(answer_ids: np.ndarray, expected: np.ndarray, pending: np.ndarray, model_name: str) -> None:
    """Mark as done the pending answers whose vector of the text they had is stored now."""
    positions = np.flatnonzero(pending)
    for start in range(0, len(positions), ID_CHUNK):
        batch = positions[start : start + ID_CHUNK]
        stored = dict(
            AnswerEmbedding.objects.filter(answer_id__in=answer_ids[batch].tolist(), model_name=model_name).values_list(
                "answer_id", "text_hash"
            )
        )
        for position in batch.tolist():
            found = stored.get(int(answer_ids[position]))
            if found is not None and bytes.fromhex(found) == expected[position].tobytes():
                pending[position] = False


def _missing(consultation_id: int, model_name: str) -> Iterator[tuple[int, bytes]]:
    """(id, sha256 digest of the redacted text) of each analysable answer redacted by the current
    rules that has no current vector of the model, in id order, read a keyset page at a time."""
    answers = _with_stored_hash(
        Answer.objects.filter(response__consultation_id=consultation_id, question__kind=Question.Kind.FREE_TEXT)
        .counted()
        .filter(redaction_version=redaction.REDACTION_VERSION)
        .exclude(redacted_text=""),
        model_name,
    ).order_by("pk")
    last = 0
    while True:
        page = list(answers.filter(pk__gt=last).values_list("pk", "redacted_text", "stored_hash")[:ID_CHUNK])
        if not page:
            return
        last = page[-1][0]
        for answer_id, text, stored in page:
            digest = hashlib.sha256(text.encode()).digest()
            if stored is None or bytes.fromhex(stored) != digest:
                yield answer_id, digest


def _with_stored_hash(answers: QuerySet[Answer], model_name: str) -> QuerySet[Answer]:
    stored = AnswerEmbedding.objects.filter(answer=OuterRef("pk"), model_name=model_name).values("text_hash")[:1]
    return answers.annotate(stored_hash=Subquery(stored))


def _send(answer_ids: list[int]) -> None:
    outbox.send_on_commit(task_names.EMBED_ANSWERS, answer_ids)


def _chunks(items: Sequence[Item], size: int) -> Iterator[Sequence[Item]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _batches(items: Iterator[Item], size: int) -> Iterator[list[Item]]:
    batch: list[Item] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch

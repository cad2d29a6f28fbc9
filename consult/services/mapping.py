"""Mapping every answer of a question to its signed-off themes, over the workers, and learning
from what officials say about it.

A mapping is three kinds of task on the analysis queue. `map_answers` (`tasks.map_theme_set`)
claims a queued set, trains the mapping's classifier (`consult.analysis.mapping`) on the
officials' evidence alone (their answers' vectors and the themes' labels: a bounded set), keeps it
on the set, and splits the question's mappable answers into ranges of ids of about
MAPPING_CHUNK_SIZE answers, one `MappingChunk` and one `map_chunk` task each. Each chunk maps its
answers with the stored classifier and stages what it proposes (`MappingProposal`), out of sight;
the chunk that completes the count sends `finish_mapping`, which lets the language model (when one
is configured) decide the answers the classifier is least sure of, switches the staged proposals in
as the set's rows in one transaction, asks officials to check a few answers (those it is least
sure of, to learn most, and a few drawn at random, to measure its accuracy without bias) and
clears the staging (consult.services.mapping_switch). Nothing of a mapping is visible before the
switch; a failure anywhere marks the mapping failed and leaves the previous one as it was.

AI rows are never deleted: a re-mapping deactivates the ones it no longer proposes, and an
official's decision about an answer and a theme (an addition, a removal, a split, a check) always
stands over what the mapping proposes. `map_on_arrival` places answers that arrive later with the
stored classifier. With a broker, each step is recorded in the outbox with the change that asks for
it, so a lost message is sent again by beat's sweep; with tasks in process, the chunks run one after
another inside `map_answers`. See docs/decisions/0004.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from typing import TypeVar

import numpy as np
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from consult import task_names
from consult.analysis import embedding as embedding_lib
from consult.analysis.mapping import Classifier, ThemeEvidence, map_to_themes
from consult.json_types import JSONObject
from consult.models import Answer, MappingCheck, MappingChunk, MappingProposal, ThemeMapping, ThemeSet, User
from consult.queries.workspace.review import mapping_evidence
from consult.services import embeddings, outbox, recounts, review, runs
from consult.services.audit import record
from consult.services.mapping_arrivals import map_on_arrival
from consult.services.mapping_switch import (
    MODEL_ANSWERS_PER_MAPPING,
    MODEL_UNCERTAINTY_THRESHOLD,
    RANDOM_CHECKS,
    UNSURE_CHECKS,
    StagedAnswers,
    ask_for_checks,
    clear_staging,
    let_the_model_decide,
    mappable,
    switch_in,
)
from consult.services.review import ReviewError

logger = logging.getLogger(__name__)

__all__ = [
    "MODEL_ANSWERS_PER_MAPPING",
    "MODEL_UNCERTAINTY_THRESHOLD",
    "RANDOM_CHECKS",
    "UNSURE_CHECKS",
    "finish_mapping",
    "map_answers",
    "map_chunk",
    "map_on_arrival",
    "record_checks",
]

# Answers read, and their vectors, at a time: no query names more ids than this.
ID_BATCH = 2000
# Staged proposals written at a time.
WRITE_BATCH = 5000

Item = TypeVar("Item")


def _batches(items: Sequence[Item], size: int = ID_BATCH) -> Iterator[Sequence[Item]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class _Outdated(Exception):
    """The set changed, or another mapping of it began, while a chunk was being mapped."""


def _queue(task: str, *args: int) -> None:
    """Ask for the next step of a mapping. With a broker it is recorded in the outbox in the
    caller's transaction and sent when that commits (a lost message is sent again by beat's
    sweep); with tasks in process it runs here and now, so the chunks run one after another."""
    if settings.HAS_BROKER:
        outbox.enqueue(task, *args)
    else:
        outbox.send_now(task, *args)


def _is_current(theme_set: ThemeSet, version: int) -> bool:
    return (
        theme_set.version == version
        and theme_set.status == ThemeSet.Status.SIGNED_OFF
        and theme_set.mapping_status == ThemeSet.MappingStatus.RUNNING
    )


def map_answers(theme_set_id: int) -> ThemeSet | None:
    """Start mapping every answer of the question to its signed-off themes (several allowed) or
    Other: claim a queued set, train the classifier, and send one `map_chunk` per range of about
    MAPPING_CHUNK_SIZE answers (with tasks in process they run here, and the mapping is done when
    this returns). A failure marks the mapping failed with its error and leaves the previous mapping
    as it was. Returns None when there was nothing to map (the set was reopened, is already mapped,
    or changed while the classifier was trained)."""
    claimed = ThemeSet.objects.filter(
        pk=theme_set_id,
        status=ThemeSet.Status.SIGNED_OFF,
        mapping_status__in=[ThemeSet.MappingStatus.QUEUED, ThemeSet.MappingStatus.RUNNING],
    ).update(mapping_status=ThemeSet.MappingStatus.RUNNING, updated_at=timezone.now())
    if not claimed:
        logger.info("theme set %s has no mapping waiting", theme_set_id)
        return None
    theme_set = ThemeSet.objects.select_related("question", "question__consultation").get(pk=theme_set_id)
    try:
        classifier, summary = _train(theme_set)
        ranges = _split(theme_set.question_id, settings.MAPPING_CHUNK_SIZE)
        with transaction.atomic():
            current = ThemeSet.objects.select_for_update().get(pk=theme_set_id)
            if not _is_current(current, theme_set.version):
                logger.info("theme set %s changed while it was being mapped; the mapping is dropped", theme_set_id)
                return None
            # A mapping of the set sent before this one (a message delivered twice, a mapping
            # asked for again) stops here: its chunks, and what they staged, are gone.
            clear_staging(theme_set_id)
            chunks = MappingChunk.objects.bulk_create(
                MappingChunk(theme_set=theme_set, version=theme_set.version, number=n, first_id=first, last_id=last)
                for n, (first, last) in enumerate(ranges)
            )
            ThemeSet.objects.filter(pk=theme_set_id).update(
                pending_mapping={"classifier": classifier.to_dict() if classifier else {}, "summary": summary},
                mapping_chunks_total=len(chunks),
                mapping_chunks_done=0,
                updated_at=timezone.now(),
            )
            for chunk in chunks:
                _queue(task_names.MAP_CHUNK, chunk.pk)
            if not chunks:
                _queue(task_names.FINISH_MAPPING, theme_set_id, theme_set.version)
    except Exception as error:
        _fail(theme_set_id, error)
    return ThemeSet.objects.get(pk=theme_set_id)


def _train(theme_set: ThemeSet) -> tuple[Classifier | None, JSONObject]:
    """The classifier trained on the officials' evidence among the mappable answers and on the
    themes' labels, and what the audit record says of that evidence. Only the evidence's answers
    and vectors are read."""
    themes = list(theme_set.themes.order_by("position", "pk"))
    if not any(theme.is_other for theme in themes):
        raise ReviewError("The theme set has no Other theme.")
    reviewed = [theme for theme in themes if not theme.is_other]
    said = mapping_evidence(theme_set, reviewed)
    evidence_ids = sorted(set().union(*(said[t.pk].positives | said[t.pk].negatives for t in reviewed)))
    answers: list[Answer] = []
    for batch in _batches(evidence_ids):
        said_about = mappable(Answer.objects.filter(question_id=theme_set.question_id, pk__in=batch))
        runs.redact_answers(said_about)
        # Read again: redacting an answer for the first time may find that it says nothing.
        answers += said_about.order_by("pk")
    embedder = embeddings.configured_embedder()
    vectors = _vectors(answers, embedder)
    index_of = {answer.pk: index for index, answer in enumerate(answers)}
    labels = embedder.encode([f"{theme.label}. {theme.description}".strip() for theme in reviewed])

    def rows(answer_ids: frozenset[int]) -> tuple[int, ...]:
        return tuple(sorted(index_of[a] for a in answer_ids if a in index_of))

    evidence = [
        ThemeEvidence(
            key=theme.pk,
            member_indexes=rows(said[theme.pk].positives),
            excluded_indexes=rows(said[theme.pk].negatives),
            label_vector=labels[n],
        )
        for n, theme in enumerate(reviewed)
    ]
    # The classifier learns from the evidence rows alone, so it is the same as one trained beside
    # every answer; the mapping of the evidence itself is thrown away (the chunks map every answer).
    trained = map_to_themes(vectors, evidence)
    summary: JSONObject = {
        "embedding_model": embedder.name,
        "evidence": {
            "themes": len(evidence),
            "positives": sum(len(e.member_indexes) for e in evidence),
            "negatives": sum(len(e.excluded_indexes) for e in evidence),
            "label_only_themes": sum(1 for e in evidence if not e.member_indexes),
            "undescribed_themes": len(trained.undescribed),
        },
    }
    return trained.classifier, summary


def _vectors(answers: list[Answer], embedder: embedding_lib.Embedder) -> np.ndarray:
    """The answers' stored vectors (computing any missing), read a batch of ids at a time."""
    if not answers:
        return np.zeros((0, embedder.dimensions), dtype=np.float32)
    return np.vstack([embeddings.embeddings_for(list(batch), embedder) for batch in _batches(answers)])


def _split(question_id: int, size: int) -> list[tuple[int, int]]:
    """Ranges of answer ids (first, last; together they cover every id up to the last mappable
    one) holding about `size` mappable answers each. Each boundary is found by an indexed query
    from the one before, never by reading every id."""
    ids = mappable(Answer.objects.filter(question_id=question_id)).order_by("pk").values_list("pk", flat=True)
    ranges: list[tuple[int, int]] = []
    after = 0
    while True:
        rest = ids.filter(pk__gt=after)
        boundary = list(rest[size - 1 : size])
        last = boundary[0] if boundary else rest.last()
        if last is None:
            return ranges
        ranges.append((after + 1, last))
        if not boundary:
            return ranges
        after = last


def map_chunk(chunk_id: int) -> bool:
    """Map one chunk's answers with the classifier its mapping stored and stage the proposals.
    A chunk done already (a message delivered twice) or of a mapping no longer current (the set
    changed or was reopened, or another mapping of it began) writes nothing. The chunk that
    completes the count sends `finish_mapping`. Returns whether it staged its proposals."""
    chunk = MappingChunk.objects.select_related("theme_set").filter(pk=chunk_id).first()
    if chunk is None or chunk.done_at is not None or not _is_current(chunk.theme_set, chunk.version):
        return False
    theme_set = chunk.theme_set
    try:
        proposals = _propose(theme_set, chunk)
        with transaction.atomic():
            if not MappingChunk.objects.select_for_update().filter(pk=chunk_id, done_at=None).exists():
                return False
            MappingProposal.objects.bulk_create(proposals, batch_size=WRITE_BATCH)
            MappingChunk.objects.filter(pk=chunk_id).update(done_at=timezone.now())
            # Counted last: the set's row is locked from here to the commit, and briefly. A set
            # that changed meanwhile takes back everything this chunk wrote.
            counted = ThemeSet.objects.filter(
                pk=theme_set.pk,
                version=chunk.version,
                status=ThemeSet.Status.SIGNED_OFF,
                mapping_status=ThemeSet.MappingStatus.RUNNING,
            ).update(mapping_chunks_done=F("mapping_chunks_done") + 1, updated_at=timezone.now())
            if not counted:
                raise _Outdated
            done, total = ThemeSet.objects.values_list("mapping_chunks_done", "mapping_chunks_total").get(
                pk=theme_set.pk
            )
            if done == total:
                _queue(task_names.FINISH_MAPPING, theme_set.pk, chunk.version)
    except _Outdated:
        logger.info("theme set %s changed while chunk %s was mapped; it is dropped", theme_set.pk, chunk_id)
        return False
    except Exception as error:
        _fail(theme_set.pk, error, chunk_id=chunk_id)
        return False
    return True


def _propose(theme_set: ThemeSet, chunk: MappingChunk) -> list[MappingProposal]:
    """What the stored classifier proposes for each mappable answer of the chunk's range: its
    themes, best first, or Other; read and computed outside any transaction."""
    stored = theme_set.pending_mapping.get("classifier") or {}
    classifier = Classifier.from_dict(stored) if stored else None
    other_id = theme_set.themes.values_list("pk", flat=True).get(is_other=True)
    in_range = Answer.objects.filter(question_id=theme_set.question_id, pk__gte=chunk.first_id, pk__lte=chunk.last_id)
    runs.redact_answers(mappable(in_range))
    # Read again: redacting an answer for the first time may find that it says nothing.
    answers = list(mappable(in_range).order_by("pk"))
    if classifier is None or not answers:
        # No theme is described: every answer goes to Other.
        matches: list[list] = [[] for _ in answers]
        uncertainty = np.zeros(len(answers))
    else:
        embedder = embeddings.configured_embedder()
        matches, uncertainty = classifier.decide(_vectors(answers, embedder))
    proposals = []
    for answer, found, unsure in zip(answers, matches, uncertainty, strict=True):
        if not found:
            proposals.append(
                MappingProposal(chunk=chunk, answer_id=answer.pk, theme_id=other_id, rank=0, uncertainty=float(unsure))
            )
        for rank, match in enumerate(found):
            proposals.append(
                MappingProposal(
                    chunk=chunk,
                    answer_id=answer.pk,
                    theme_id=match.key,
                    rank=rank,
                    probability=match.probability,
                    uncertainty=float(unsure),
                )
            )
    return proposals


def finish_mapping(theme_set_id: int, version: int) -> ThemeSet | None:
    """Switch a mapping in once every chunk is staged, in one transaction, if the set was not
    changed meanwhile: the staged proposals become the set's rows (consult.services.mapping_switch),
    the classifier is kept for answers that arrive later, the checks are asked for, the mapping is
    audited and the staging cleared. With a language model configured, it first decides the answers
    the classifier is least sure of. A failure marks the mapping failed with its error, leaves the
    previous mapping as it was and clears the staging. Returns None when there was nothing to do."""
    theme_set = ThemeSet.objects.select_related("question", "question__consultation").filter(pk=theme_set_id).first()
    if (
        theme_set is None
        or not _is_current(theme_set, version)
        or theme_set.mapping_chunks_done < theme_set.mapping_chunks_total
    ):
        return None
    stored = theme_set.pending_mapping.get("classifier") or {}
    summary: JSONObject = dict(theme_set.pending_mapping.get("summary") or {})
    try:
        classifier = Classifier.from_dict(stored) if stored else None
        model = runs.language_model()
        if model is not None and classifier is not None and MappingChunk.objects.filter(theme_set=theme_set).exists():
            summary["language_model"] = let_the_model_decide(model, theme_set, classifier)
        with transaction.atomic():
            current = ThemeSet.objects.select_for_update().get(pk=theme_set_id)
            if not _is_current(current, version) or current.mapping_chunks_done < current.mapping_chunks_total:
                return None
            answers = StagedAnswers(theme_set)
            switch_in(theme_set, theme_set.themes.get(is_other=True))
            checks = ask_for_checks(theme_set, answers)
            clear_staging(theme_set_id)
            ThemeSet.objects.filter(pk=theme_set_id).update(
                mapping_status=ThemeSet.MappingStatus.DONE,
                mapping_error="",
                mapped_at=timezone.now(),
                classifier=stored,
                pending_mapping={},
            )
            summary["answers"] = len(answers)
            summary["other_share"] = round(answers.in_other / len(answers), 4) if len(answers) else 0.0
            # The AI's own output is on the record too, with the system as its author.
            record(
                theme_set.question.consultation,
                None,
                "theme_set.mapped",
                theme_set,
                after={**summary, "checks_requested": checks},
            )
            recounts.after_change(theme_set.question.consultation_id)
    except Exception as error:
        _fail(theme_set_id, error)
    return ThemeSet.objects.get(pk=theme_set_id)


def _fail(theme_set_id: int, error: Exception, *, chunk_id: int | None = None) -> None:
    """Mark a running mapping failed with its error and clear what it staged; the rows in force
    are untouched. A chunk of a mapping that another has replaced leaves the new one alone."""
    logger.exception("mapping theme set %s failed", theme_set_id, exc_info=error)
    with transaction.atomic():
        if chunk_id is not None and not MappingChunk.objects.filter(pk=chunk_id).exists():
            return
        clear_staging(theme_set_id)
        ThemeSet.objects.filter(pk=theme_set_id, mapping_status=ThemeSet.MappingStatus.RUNNING).update(
            mapping_status=ThemeSet.MappingStatus.FAILED,
            mapping_error=f"{type(error).__name__}: {error}",
            pending_mapping={},
        )


# --- Asking officials to check ------------------------------------------------------------------


def record_checks(theme_set: ThemeSet, decisions: dict[int, list[int]], actor: User) -> int:
    """Record officials' answers to open checks (check id -> the reviewed theme ids the answer
    belongs in, best first; empty for "Other / none of these"), apply each as the official's own
    placing of the answer (as `review.add_answer_theme` and `remove_answer_theme` do), audit the
    batch and queue a re-mapping, so that the mapping learns from them. Returns how many were
    recorded; raises ReviewError when the checks or themes changed since the page was drawn."""
    if theme_set.status != ThemeSet.Status.SIGNED_OFF or theme_set.mapping_status != ThemeSet.MappingStatus.DONE:
        raise ReviewError("The answers can be checked once the themes are signed off and mapped.")
    themes = {theme.pk: theme for theme in theme_set.themes.all()}
    other = next(theme for theme in themes.values() if theme.is_other)
    now = timezone.now()
    with transaction.atomic():
        checks = list(
            MappingCheck.objects.select_for_update()
            .filter(theme_set=theme_set, pk__in=decisions, decided_theme_ids__isnull=True)
            .select_related("answer__question")
        )
        if len(checks) != len(decisions) or any(
            key not in themes or themes[key].is_other for chosen in decisions.values() for key in chosen
        ):
            raise ReviewError("These checks changed since you opened this page. Open them again.")
        for check in checks:
            chosen = list(dict.fromkeys(decisions[check.pk]))
            answer = check.answer
            for theme_id in chosen or [other.pk]:
                review.add_answer_theme(answer, themes[theme_id], actor)
            active = ThemeMapping.objects.filter(theme__theme_set=theme_set, answer=answer, is_active=True)
            for theme_id in active.exclude(theme_id__in=[*chosen, other.pk]).values_list("theme_id", flat=True):
                review.remove_answer_theme(answer, themes[theme_id], actor)
            check.decided_theme_ids = chosen
            check.is_correct = set(chosen) == set(check.proposed_theme_ids)
            check.checked_by, check.checked_at = actor, now
        MappingCheck.objects.bulk_update(checks, ["decided_theme_ids", "is_correct", "checked_by", "checked_at"])
        record(
            theme_set.question.consultation,
            actor,
            "mapping.check",
            theme_set,
            before={"proposed": {str(c.answer_id): c.proposed_theme_ids for c in checks}},
            after={
                "decided": {str(c.answer_id): c.decided_theme_ids for c in checks},
                "agreed": sum(1 for c in checks if c.is_correct),
                "checked": len(checks),
            },
        )
        review.request_mapping(theme_set, actor)
    return len(checks)

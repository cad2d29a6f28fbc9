"""Mapping every answer of a question to its signed-off themes, on a worker.

`map_answers` (run by `tasks.map_theme_set` on the analysis queue) writes all its rows in one
transaction. AI rows are never deleted: a re-mapping deactivates the ones it no longer proposes,
and an official's decision about an answer and a theme (an addition, a removal, a split) always
stands over what the mapping proposes. See docs/decisions/0004.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from consult import queries_dashboard, tasks
from consult.analysis import embedding as embedding_lib
from consult.analysis.mapping import ThemeEvidence, map_to_themes
from consult.models import Answer, Question, Response, ThemeMapping, ThemeSet
from consult.queries_review import theme_members
from consult.services import analysis as analysis_service
from consult.services.audit import record
from consult.services.review import ReviewError

logger = logging.getLogger(__name__)


def mappable_answers(question: Question) -> list[Answer]:
    """The answers a mapping places: those of sent responses, with text, that no moderator hid."""
    return list(
        Answer.objects.filter(question=question, response__status=Response.Status.SUBMITTED)
        .exclude(text="")
        .exclude(visibility=Answer.Visibility.HIDDEN)
        .select_related("response")
        .order_by("pk")
    )


@dataclass(frozen=True)
class _Proposal:
    theme_id: int
    answer_id: int
    similarity: float | None


def map_answers(theme_set_id: int) -> ThemeSet | None:
    """Map every answer of the question to its signed-off themes (several allowed) or Other.

    Runs on a worker. It claims a queued set; reads the answers' stored embeddings (computing
    any missing); embeds each theme's label and description; and writes every row in one
    transaction, only if the set was not reopened meanwhile. A failure marks the mapping
    failed with its error and leaves the previous mapping as it was. Returns None when there was
    nothing to map (the set was reopened or is already mapped).
    """
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
        proposals, answer_ids, summary = _propose(theme_set)
        with transaction.atomic():
            current = ThemeSet.objects.select_for_update().get(pk=theme_set_id)
            if current.version != theme_set.version or current.status != ThemeSet.Status.SIGNED_OFF:
                logger.info("theme set %s changed while it was being mapped; the mapping is dropped", theme_set_id)
                return None
            _write_mapping(theme_set, proposals, answer_ids)
            ThemeSet.objects.filter(pk=theme_set_id).update(
                mapping_status=ThemeSet.MappingStatus.DONE, mapping_error="", mapped_at=timezone.now()
            )
            # The AI's own output is on the record too, with the system as its author.
            record(theme_set.question.consultation, None, "theme_set.mapped", theme_set, after=summary)
            if queries_dashboard.counts_are_shared():
                tasks.count_analysis.delay_on_commit(theme_set.question.consultation_id)
    except Exception as error:
        logger.exception("mapping theme set %s failed", theme_set_id)
        ThemeSet.objects.filter(pk=theme_set_id, mapping_status=ThemeSet.MappingStatus.RUNNING).update(
            mapping_status=ThemeSet.MappingStatus.FAILED, mapping_error=f"{type(error).__name__}: {error}"
        )
        return ThemeSet.objects.get(pk=theme_set_id)
    return ThemeSet.objects.get(pk=theme_set_id)


def _propose(theme_set: ThemeSet) -> tuple[list[_Proposal], set[int], dict[str, object]]:
    """What the mapping proposes for each answer, read and computed outside any transaction."""
    answers = mappable_answers(theme_set.question)
    analysis_service.redact_answers(answers)
    themes = list(theme_set.themes.order_by("position", "pk"))
    other = next((theme for theme in themes if theme.is_other), None)
    if other is None:
        raise ReviewError("The theme set has no Other theme.")
    reviewed = [theme for theme in themes if not theme.is_other]
    embedder = embedding_lib.load_embedder(settings.EMBEDDING_MODEL or None)
    vectors = analysis_service.embeddings_for(answers, embedder)
    index_of = {answer.pk: index for index, answer in enumerate(answers)}
    members = theme_members(reviewed)
    labels = embedder.encode([f"{theme.label}. {theme.description}".strip() for theme in reviewed])
    evidence = [
        ThemeEvidence(
            key=theme.pk,
            member_indexes=tuple(sorted(index_of[a] for a in members[theme.pk] if a in index_of)),
            label_vector=labels[n],
        )
        for n, theme in enumerate(reviewed)
    ]
    mapping = map_to_themes(vectors, evidence)
    proposals: list[_Proposal] = []
    for answer, found in zip(answers, mapping.matches, strict=True):
        if found:
            proposals.extend(_Proposal(match.key, answer.pk, match.similarity) for match in found)
        else:
            proposals.append(_Proposal(other.pk, answer.pk, None))
    summary = {
        "answers": len(answers),
        "other_share": round(mapping.other_share, 4),
        "thresholds": {str(key): round(value, 4) for key, value in mapping.thresholds.items()},
        "embedding_model": embedder.name,
    }
    return proposals, set(index_of), summary


def _write_mapping(theme_set: ThemeSet, proposals: list[_Proposal], answer_ids: set[int]) -> None:
    """Write the proposals as AI rows, in the caller's transaction.

    An official's row for an answer and a theme (added, or taken out) stands: no AI row is
    written beside it. An AI row an official removed stays removed. An answer whose proposals
    were all refused that way, and that an official placed nowhere, goes to Other. AI rows the
    mapping no longer proposes are deactivated (never deleted), so earlier mappings stay on record.
    """
    now = timezone.now()
    other = theme_set.themes.get(is_other=True)
    rows = {(row.theme_id, row.answer_id): row for row in ThemeMapping.objects.filter(theme__theme_set=theme_set)}
    placed_by_official = {
        answer_id
        for (_, answer_id), row in rows.items()
        if row.source == ThemeMapping.Source.OFFICIAL and row.is_active
    }

    def is_refused(theme_id: int, answer_id: int) -> bool:
        row = rows.get((theme_id, answer_id))
        return row is not None and (row.source == ThemeMapping.Source.OFFICIAL or row.removed_by_id is not None)

    wanted: dict[tuple[int, int], float | None] = {}
    proposed_for: dict[int, int] = defaultdict(int)
    for proposal in proposals:
        if not is_refused(proposal.theme_id, proposal.answer_id):
            wanted[(proposal.theme_id, proposal.answer_id)] = proposal.similarity
            proposed_for[proposal.answer_id] += 1
    for answer_id in answer_ids:
        if not proposed_for[answer_id] and answer_id not in placed_by_official and not is_refused(other.pk, answer_id):
            wanted[(other.pk, answer_id)] = None

    changed, new = [], []
    for key, similarity in wanted.items():
        row = rows.get(key)
        if row is None:
            new.append(
                ThemeMapping(theme_id=key[0], answer_id=key[1], source=ThemeMapping.Source.AI, similarity=similarity)
            )
        else:  # an AI row: active, or deactivated by an earlier mapping
            row.similarity, row.is_active, row.removed_at = similarity, True, None
            changed.append(row)
    for key, row in rows.items():
        if row.source == ThemeMapping.Source.AI and row.is_active and key not in wanted:
            row.is_active, row.removed_at = False, now
            changed.append(row)
    ThemeMapping.objects.bulk_update(changed, ["similarity", "is_active", "removed_at"], batch_size=1000)
    ThemeMapping.objects.bulk_create(new, batch_size=1000)

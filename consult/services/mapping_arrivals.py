"""Answers that arrive (or change) after their question's themes were mapped are placed at once
with the classifier the mapping stored (consult.services.mapping), instead of waiting for the next
mapping; an official's rows stand over the classifier's, as in a whole mapping."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from django.db import transaction
from django.utils import timezone

from consult.analysis.mapping import Classifier
from consult.models import Answer, ThemeMapping, ThemeSet
from consult.services.mapping_switch import mappable


@dataclass(frozen=True)
class _Proposal:
    theme_id: int
    answer_id: int
    similarity: float | None


def _write_mapping(theme_set: ThemeSet, proposals: list[_Proposal], answer_ids: set[int], *, scope: set[int]) -> None:
    """Write the proposals for the answers in `scope` as AI rows, in the caller's transaction
    (answers mapped on arrival; a whole mapping is switched in by `mapping_switch.switch_in`, set
    by set, with the same rules).

    An official's row for an answer and a theme (added, or taken out) stands: no AI row is
    written beside it. An AI row an official removed stays removed. An answer whose proposals
    were all refused that way, and that an official placed nowhere, goes to Other. AI rows the
    mapping no longer proposes are deactivated (never deleted), so earlier mappings stay on record.
    Only the rows of the answers in `scope` are read and changed.
    """
    now = timezone.now()
    other = theme_set.themes.get(is_other=True)
    existing = ThemeMapping.objects.filter(theme__theme_set=theme_set, answer_id__in=scope)
    rows = {(row.theme_id, row.answer_id): row for row in existing}
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


def map_on_arrival(answers: list[Answer], vectors: np.ndarray) -> int:
    """Place answers that arrived (or changed) after their question's themes were mapped, with
    the classifier that mapping stored, so they count at once instead of waiting for the next
    mapping. `vectors` are the answers' embeddings, in order. Non-answers, hidden answers and
    answers of unsent responses are not placed (their earlier AI rows are deactivated); an
    official's rows stand as in a full mapping. Returns how many answers were placed."""
    question_ids = {answer.question_id for answer in answers}
    theme_sets = (
        ThemeSet.objects.filter(question_id__in=question_ids, status=ThemeSet.Status.SIGNED_OFF)
        .exclude(classifier={})
        .select_related("question")
    )
    placed = 0
    for theme_set in theme_sets:
        rows = [n for n, answer in enumerate(answers) if answer.question_id == theme_set.question_id]
        scope = {answers[n].pk for n in rows}
        placeable = set(mappable(Answer.objects.filter(pk__in=scope)).values_list("pk", flat=True))
        rows = [n for n in rows if answers[n].pk in placeable]
        themes = {theme.pk: theme for theme in theme_set.themes.all()}
        other = next((theme for theme in themes.values() if theme.is_other), None)
        if other is None:
            continue
        proposals: list[_Proposal] = []
        if rows:
            classifier = Classifier.from_dict(theme_set.classifier)
            for n, found in zip(rows, classifier.predict(np.asarray(vectors)[rows]), strict=True):
                # A theme deleted since the classifier was stored is no longer a place to go.
                kept = [match for match in found if match.key in themes and not themes[match.key].is_other]
                answer_id = answers[n].pk
                if kept:
                    proposals.extend(_Proposal(match.key, answer_id, match.probability) for match in kept)
                else:
                    proposals.append(_Proposal(other.pk, answer_id, None))
        with transaction.atomic():
            current = ThemeSet.objects.select_for_update().get(pk=theme_set.pk)
            if current.status != ThemeSet.Status.SIGNED_OFF or current.version != theme_set.version:
                continue
            _write_mapping(theme_set, proposals, placeable, scope=scope)
        placed += len(rows)
    return placed

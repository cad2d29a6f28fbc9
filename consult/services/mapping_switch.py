"""The end of a mapping (consult.services.mapping): once every chunk has staged its proposals
(`MappingProposal`), the language model decides the answers the classifier is least sure of, the
staged proposals are switched in as the set's AI rows, and officials are asked to check a few.

The switch works on the rows in the database, set by set, never on every row in Python: an
official's decision about an answer and a theme (an addition, a removal) stands over what the
mapping proposes, an answer whose proposals were all refused that way goes to Other unless an
official placed it, and AI rows no longer proposed are deactivated, never deleted. Only the
answers the checks and the language model look at are read one by one, and they are few.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from consult.analysis.llm import LanguageModel
from consult.analysis.mapping import Classifier, least_sure, random_rows
from consult.analysis.mapping_llm import ThemeChoice, decide_unsure
from consult.analysis.types import AnswerText, Usage
from consult.json_types import JSONObject
from consult.models import (
    Answer,
    MappingCheck,
    MappingChunk,
    MappingProposal,
    ReviewTheme,
    ThemeMapping,
    ThemeSet,
)
from consult.models.responses import AnswerQuerySet
from consult.services import embeddings

# "Check these 20 answers": the answers the mapping is least sure of teach it most; a few drawn at
# random measure its accuracy without the bias of asking only about hard answers.
UNSURE_CHECKS = 15
RANDOM_CHECKS = 5
# With a language model configured, it decides the answers whose uncertainty (0 = sure, 1 = a
# coin toss) is above this, the least sure first, at most MODEL_ANSWERS_PER_MAPPING of them: the
# cost follows how many answers the classifier cannot place, not how many answers there are.
MODEL_UNCERTAINTY_THRESHOLD = 0.5
MODEL_ANSWERS_PER_MAPPING = 200
# Rows read at a time from the staged proposals.
READ_BATCH = 5000


def mappable(answers: AnswerQuerySet) -> AnswerQuerySet:
    """Answers a mapping places: of sent responses, with something to say, not hidden."""
    return answers.counted().substantive()


def staged(theme_set: ThemeSet) -> QuerySet[MappingProposal]:
    """The proposals the chunks of the set's mapping in progress staged."""
    return MappingProposal.objects.filter(chunk__theme_set=theme_set)


def clear_staging(theme_set_id: int) -> None:
    """Delete a set's chunks and their staged proposals, in the caller's transaction. The chunks
    are locked first, so that a chunk writing its proposals at this moment finishes and its rows
    are deleted too, rather than left behind."""
    chunks = MappingChunk.objects.filter(theme_set_id=theme_set_id)
    list(chunks.select_for_update().values_list("pk", flat=True))
    MappingProposal.objects.filter(chunk__theme_set_id=theme_set_id).delete()
    chunks.delete()


def decided_by_officials(theme_set: ThemeSet) -> set[int]:
    """Answers officials have said something about: placed, taken out, or checked."""
    rows = ThemeMapping.objects.filter(theme__theme_set=theme_set).exclude(
        source=ThemeMapping.Source.AI, removed_by__isnull=True
    )
    checked = MappingCheck.objects.filter(theme_set=theme_set, decided_theme_ids__isnull=False)
    return set(rows.values_list("answer_id", flat=True)) | set(checked.values_list("answer_id", flat=True))


# --- The language model -------------------------------------------------------------------------


def let_the_model_decide(model: LanguageModel, theme_set: ThemeSet, classifier: Classifier) -> JSONObject:
    """Send the answers the classifier is unsure of (their redacted text only, the least sure
    first, at most MODEL_ANSWERS_PER_MAPPING, none an official has decided) to the language model,
    and let its verified decisions replace their staged proposals. Returns what it cost, for the
    audit record."""
    exclude = decided_by_officials(theme_set)
    candidates = (
        staged(theme_set)
        .filter(rank=0, uncertainty__gt=MODEL_UNCERTAINTY_THRESHOLD)
        .order_by("-uncertainty", "answer_id")
        .values_list("answer_id", flat=True)
    )
    unsure: list[int] = []
    for answer_id in candidates.iterator(chunk_size=500):
        if answer_id not in exclude:
            unsure.append(answer_id)
            if len(unsure) == MODEL_ANSWERS_PER_MAPPING:
                break
    usage = Usage()
    decided = 0
    if unsure:
        by_id = Answer.objects.select_related("response").in_bulk(unsure)
        answers = [by_id[answer_id] for answer_id in unsure]
        reviewed = list(theme_set.themes.filter(is_other=False).order_by("position", "pk"))
        choices = [ThemeChoice(theme.pk, theme.label, theme.description) for theme in reviewed]
        texts = [AnswerText(answer.pk, answer.redacted_text, answer.response.reference) for answer in answers]
        decisions, usage = decide_unsure(model, theme_set.question.text, choices, texts)
        embedder = embeddings.configured_embedder()
        # The stored probability of a theme the model chose is still the classifier's.
        probabilities = classifier.probabilities(embeddings.embeddings_for(answers, embedder))
        column = {key: n for n, key in enumerate(classifier.keys)}
        position = {answer_id: n for n, answer_id in enumerate(unsure)}
        other = theme_set.themes.get(is_other=True)
        with transaction.atomic():
            for decision in decisions:
                if decision.answer_id not in position:
                    continue  # not one it was asked about
                n = position[decision.answer_id]
                keys = [key for key in dict.fromkeys(decision.theme_keys) if key in column]
                _restage(decision.answer_id, other, [(key, float(probabilities[n, column[key]])) for key in keys])
                decided += 1
    return {
        "model": model.name,
        "uncertainty_threshold": MODEL_UNCERTAINTY_THRESHOLD,
        "answers_sent": len(unsure),
        "answers_decided": decided,
        "calls": usage.calls,
        "prompt_tokens": usage.prompt_tokens,
        "completion_tokens": usage.completion_tokens,
        "estimated_cost": round(usage.estimated_cost, 6),
    }


def _restage(answer_id: int, other: ReviewTheme, themes: list[tuple[int, float]]) -> None:
    """Replace an answer's staged proposals with the themes the model chose (Other for none)."""
    rows = MappingProposal.objects.filter(chunk__theme_set_id=other.theme_set_id, answer_id=answer_id)
    first = rows.filter(rank=0).values("chunk_id", "uncertainty").get()
    rows.delete()
    kept = dict(first)
    if not themes:
        MappingProposal.objects.create(answer_id=answer_id, theme=other, rank=0, probability=None, **kept)
        return
    MappingProposal.objects.bulk_create(
        MappingProposal(answer_id=answer_id, theme_id=key, rank=rank, probability=probability, **kept)
        for rank, (key, probability) in enumerate(themes)
    )


# --- Switching in -------------------------------------------------------------------------------


def switch_in(theme_set: ThemeSet, other: ReviewTheme) -> None:
    """Write the staged proposals as the set's AI rows, in the caller's transaction, by the rules
    of the module docstring. Answers that are not staged but can be mapped now (they arrived, or
    came back, while the chunks ran) keep the rows they have: mapping on arrival placed them."""
    now = timezone.now()
    proposals = staged(theme_set)
    refused = ThemeMapping.objects.filter(theme_id=OuterRef("theme_id"), answer_id=OuterRef("answer_id")).filter(
        Q(source=ThemeMapping.Source.OFFICIAL) | Q(removed_by__isnull=False)
    )
    proposals.filter(Exists(refused)).update(is_refused=True)

    proposal_table = MappingProposal._meta.db_table
    chunk_table = MappingChunk._meta.db_table
    mapping_table = ThemeMapping._meta.db_table
    theme_table = ReviewTheme._meta.db_table
    official, ai = ThemeMapping.Source.OFFICIAL.value, ThemeMapping.Source.AI.value
    with connection.cursor() as cursor:
        # An answer whose proposals were all refused goes to Other, unless an official placed it
        # somewhere or took it out of Other.
        cursor.execute(
            f"INSERT INTO {proposal_table} (chunk_id, answer_id, theme_id, rank, probability, uncertainty, is_refused) "  # noqa: S608
            f"SELECT MIN(p.chunk_id), p.answer_id, %s, NULL, NULL, NULL, %s "
            f"FROM {proposal_table} p JOIN {chunk_table} c ON c.id = p.chunk_id WHERE c.theme_set_id = %s "
            f"GROUP BY p.answer_id HAVING MIN(CASE WHEN p.is_refused THEN 1 ELSE 0 END) = 1 "
            f"AND NOT EXISTS (SELECT 1 FROM {mapping_table} m JOIN {theme_table} t ON t.id = m.theme_id "
            f"WHERE t.theme_set_id = %s AND m.answer_id = p.answer_id AND m.source = %s AND m.is_active) "
            f"AND NOT EXISTS (SELECT 1 FROM {mapping_table} m WHERE m.theme_id = %s AND m.answer_id = p.answer_id "
            f"AND (m.source = %s OR m.removed_by_id IS NOT NULL))",
            [other.pk, False, theme_set.pk, theme_set.pk, official, other.pk, official],
        )
        # New rows are written; AI rows proposed again (active, or deactivated by an earlier
        # mapping) take the new probability and are active, and only those that change are written.
        cursor.execute(
            f"INSERT INTO {mapping_table} (theme_id, answer_id, source, similarity, is_active, created_at) "  # noqa: S608
            f"SELECT p.theme_id, p.answer_id, %s, p.probability, %s, %s "
            f"FROM {proposal_table} p JOIN {chunk_table} c ON c.id = p.chunk_id "
            f"WHERE c.theme_set_id = %s AND NOT p.is_refused "
            f"ON CONFLICT (theme_id, answer_id) DO UPDATE SET similarity = excluded.similarity, "
            f"is_active = excluded.is_active, removed_at = NULL "
            f"WHERE {mapping_table}.source = %s AND {mapping_table}.removed_by_id IS NULL AND ("
            f"NOT {mapping_table}.is_active OR {mapping_table}.removed_at IS NOT NULL "
            f"OR {mapping_table}.similarity <> excluded.similarity "
            f"OR ({mapping_table}.similarity IS NULL) <> (excluded.similarity IS NULL))",
            [ai, True, now, theme_set.pk, ai],
        )
    wanted = proposals.filter(theme_id=OuterRef("theme_id"), answer_id=OuterRef("answer_id"), is_refused=False)
    was_staged = proposals.filter(answer_id=OuterRef("answer_id"))
    can_be_mapped = mappable(Answer.objects.filter(question_id=theme_set.question_id)).values("pk")
    (
        ThemeMapping.objects.filter(theme__theme_set=theme_set, source=ThemeMapping.Source.AI, is_active=True)
        .exclude(Exists(wanted))
        .filter(Exists(was_staged) | ~Q(answer_id__in=can_be_mapped))
        .update(is_active=False, removed_at=now)
    )


# --- Asking officials to check ------------------------------------------------------------------


class StagedAnswers:
    """The staged answers in id order (the mapping's rows) and each one's uncertainty: two
    numbers an answer, read in batches, so a million answers take 16 MB rather than a million
    objects."""

    def __init__(self, theme_set: ThemeSet) -> None:
        firsts = staged(theme_set).filter(rank=0).order_by("answer_id")
        total = firsts.count()
        self.answer_ids = np.empty(total, dtype=np.int64)
        self.uncertainty = np.empty(total, dtype=np.float64)
        self.in_other = 0
        other_id = theme_set.themes.get(is_other=True).pk
        rows = firsts.values_list("answer_id", "uncertainty", "theme_id").iterator(chunk_size=READ_BATCH)
        for n, (answer_id, uncertainty, theme_id) in enumerate(rows):
            self.answer_ids[n], self.uncertainty[n] = answer_id, uncertainty or 0.0
            self.in_other += theme_id == other_id
        self.theme_set, self.other_id = theme_set, other_id

    def __len__(self) -> int:
        return len(self.answer_ids)

    def row_of(self, answer_ids: set[int]) -> dict[int, int]:
        """The row of each of these answers that is staged."""
        wanted = np.fromiter(answer_ids, dtype=np.int64, count=len(answer_ids))
        rows = np.searchsorted(self.answer_ids, wanted)
        return {
            int(a): int(r)
            for a, r in zip(wanted, rows, strict=True)
            if r < len(self.answer_ids) and self.answer_ids[r] == a
        }

    def proposals(self, rows: list[int]) -> dict[int, tuple[list[int], float]]:
        """For each of these rows, its proposed themes (best first; [] for Other) and the mapping's
        probability for that proposal: of its best theme, or of "none" for Other."""
        answer_ids = [int(self.answer_ids[row]) for row in rows]
        themes: dict[int, list[tuple[int, float]]] = defaultdict(list)
        found = (
            staged(self.theme_set)
            .filter(answer_id__in=answer_ids, rank__isnull=False)
            .exclude(theme_id=self.other_id)
            .order_by("answer_id", "rank")
            .values_list("answer_id", "theme_id", "probability")
        )
        for answer_id, theme_id, probability in found:
            themes[answer_id].append((theme_id, probability or 0.0))
        result = {}
        for row, answer_id in zip(rows, answer_ids, strict=True):
            chosen = themes.get(answer_id, [])
            if chosen:
                confidence = round(float(chosen[0][1]), 4)
            else:
                confidence = round(min(max(1.0 - float(self.uncertainty[row]), 0.0), 1.0), 4)
            result[row] = ([key for key, _ in chosen], confidence)
        return result


def ask_for_checks(theme_set: ThemeSet, answers: StagedAnswers) -> dict[str, int]:
    """Keep up to UNSURE_CHECKS + RANDOM_CHECKS open checks, in the caller's transaction: open
    checks take the new proposals of their answers (or go, for answers no longer mapped), and
    new ones are drawn from answers never asked about and never decided by an official."""
    open_checks = list(MappingCheck.objects.filter(theme_set=theme_set, decided_theme_ids__isnull=True))
    row_of = answers.row_of({check.answer_id for check in open_checks})
    MappingCheck.objects.filter(pk__in=[check.pk for check in open_checks if check.answer_id not in row_of]).delete()
    kept = [check for check in open_checks if check.answer_id in row_of]
    proposed = answers.proposals([row_of[check.answer_id] for check in kept])
    for check in kept:
        check.proposed_theme_ids, check.confidence = proposed[row_of[check.answer_id]]
    MappingCheck.objects.bulk_update(kept, ["proposed_theme_ids", "confidence"])

    asked = set(MappingCheck.objects.filter(theme_set=theme_set).values_list("answer_id", flat=True))
    excluded = set(answers.row_of(asked | decided_by_officials(theme_set)).values())
    open_unsure = sum(1 for check in kept if check.reason == MappingCheck.Reason.UNSURE)
    unsure = least_sure(answers.uncertainty, max(UNSURE_CHECKS - open_unsure, 0), exclude=excluded)
    excluded |= set(unsure)
    open_random = len(kept) - open_unsure
    drawn = random_rows(
        len(answers), max(RANDOM_CHECKS - open_random, 0), seed=theme_set.pk * 1000 + len(asked), exclude=excluded
    )
    proposed = answers.proposals([*unsure, *drawn])
    new = [
        MappingCheck(
            theme_set=theme_set,
            answer_id=int(answers.answer_ids[row]),
            reason=reason,
            proposed_theme_ids=proposed[row][0],
            confidence=proposed[row][1],
        )
        for reason, rows in ((MappingCheck.Reason.UNSURE, unsure), (MappingCheck.Reason.RANDOM, drawn))
        for row in rows
    ]
    MappingCheck.objects.bulk_create(new)
    return {"unsure": len(unsure), "random": len(drawn), "open_before": len(kept)}

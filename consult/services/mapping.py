"""Mapping every answer of a question to its signed-off themes, on a worker, and learning from
what officials say about it.

`map_answers` (run by `tasks.map_theme_set` on the analysis queue) trains the mapping's
classifier (`consult.analysis.mapping`) on the officials' evidence, maps every substantive
answer, writes all its rows in one transaction and asks officials to check a few answers: those
it is least sure of (to learn most) and a few drawn at random (to measure its accuracy without
bias). With a language model configured, the model decides only the answers the classifier is
unsure of. AI rows are never deleted: a re-mapping deactivates the ones it no longer proposes,
and an official's decision about an answer and a theme (an addition, a removal, a split, a
check) always stands over what the mapping proposes. `map_on_arrival` places answers that
arrive later with the stored classifier. See docs/decisions/0004.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass

import numpy as np
from django.db import transaction
from django.utils import timezone

from consult.analysis.llm import LanguageModel
from consult.analysis.mapping import (
    Classifier,
    Mapping,
    ThemeEvidence,
    ThemeMatch,
    least_sure,
    map_to_themes,
    random_rows,
)
from consult.analysis.mapping_llm import ThemeChoice, decide_unsure
from consult.analysis.types import AnswerText, Usage
from consult.json_types import JSONObject
from consult.models import Answer, MappingCheck, Question, ReviewTheme, ThemeMapping, ThemeSet, User
from consult.models.responses import AnswerQuerySet
from consult.queries.workspace.review import mapping_evidence
from consult.services import embeddings, recounts, review, runs
from consult.services.audit import record
from consult.services.review import ReviewError

logger = logging.getLogger(__name__)

# "Check these 20 answers": the answers the mapping is least sure of teach it most; a few drawn at
# random measure its accuracy without the bias of asking only about hard answers.
UNSURE_CHECKS = 15
RANDOM_CHECKS = 5
# With a language model configured, it decides the answers whose uncertainty (0 = sure, 1 = a
# coin toss) is above this, the least sure first, at most MODEL_ANSWERS_PER_MAPPING of them: the
# cost follows how many answers the classifier cannot place, not how many answers there are.
MODEL_UNCERTAINTY_THRESHOLD = 0.5
MODEL_ANSWERS_PER_MAPPING = 200


def _mappable(answers: AnswerQuerySet) -> AnswerQuerySet:
    """Answers a mapping places: of sent responses, with something to say, not hidden."""
    return answers.counted().substantive()


def mappable_answers(question: Question) -> list[Answer]:
    """The answers a mapping places: those of sent responses, with something to say (not a
    non-answer such as "Nothing" or "N/A"), that no moderator hid."""
    return list(_mappable(Answer.objects.filter(question=question)).select_related("response").order_by("pk"))


@dataclass(frozen=True)
class _Proposal:
    theme_id: int
    answer_id: int
    similarity: float | None


@dataclass
class _Proposed:
    """What a mapping proposes, computed outside any transaction."""

    proposals: list[_Proposal]
    answer_ids: list[int]  # in row order
    chosen: list[list[ThemeMatch]]  # per row, best first; [] = Other
    mapping: Mapping
    summary: JSONObject  # for the audit record


def map_answers(theme_set_id: int) -> ThemeSet | None:
    """Map every answer of the question to its signed-off themes (several allowed) or Other.

    Runs on a worker. It claims a queued set; reads the answers' stored embeddings (computing
    any missing); trains the classifier on the officials' evidence and the themes' labels; and
    writes every row, the stored classifier and the new checks in one transaction, only if the
    set was not changed meanwhile. A failure marks the mapping failed with its error and leaves
    the previous mapping as it was. Returns None when there was nothing to map (the set was
    reopened or is already mapped).
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
        proposed = _propose(theme_set)
        with transaction.atomic():
            current = ThemeSet.objects.select_for_update().get(pk=theme_set_id)
            if current.version != theme_set.version or current.status != ThemeSet.Status.SIGNED_OFF:
                logger.info("theme set %s changed while it was being mapped; the mapping is dropped", theme_set_id)
                return None
            _write_mapping(theme_set, proposed.proposals, set(proposed.answer_ids))
            checks = _ask_for_checks(theme_set, proposed)
            classifier = proposed.mapping.classifier
            ThemeSet.objects.filter(pk=theme_set_id).update(
                mapping_status=ThemeSet.MappingStatus.DONE,
                mapping_error="",
                mapped_at=timezone.now(),
                classifier=classifier.to_dict() if classifier is not None else {},
            )
            # The AI's own output is on the record too, with the system as its author.
            record(
                theme_set.question.consultation,
                None,
                "theme_set.mapped",
                theme_set,
                after={**proposed.summary, "checks_requested": checks},
            )
            recounts.after_change(theme_set.question.consultation_id)
    except Exception as error:
        logger.exception("mapping theme set %s failed", theme_set_id)
        ThemeSet.objects.filter(pk=theme_set_id, mapping_status=ThemeSet.MappingStatus.RUNNING).update(
            mapping_status=ThemeSet.MappingStatus.FAILED, mapping_error=f"{type(error).__name__}: {error}"
        )
        return ThemeSet.objects.get(pk=theme_set_id)
    return ThemeSet.objects.get(pk=theme_set_id)


def _decided_by_officials(theme_set: ThemeSet) -> set[int]:
    """Answers officials have said something about: placed, taken out, or checked."""
    rows = ThemeMapping.objects.filter(theme__theme_set=theme_set).exclude(
        source=ThemeMapping.Source.AI, removed_by__isnull=True
    )
    checked = MappingCheck.objects.filter(theme_set=theme_set, decided_theme_ids__isnull=False)
    return set(rows.values_list("answer_id", flat=True)) | set(checked.values_list("answer_id", flat=True))


def _propose(theme_set: ThemeSet) -> _Proposed:
    """What the mapping proposes for each answer, read and computed outside any transaction."""
    answers = mappable_answers(theme_set.question)
    runs.redact_answers(answers)
    themes = list(theme_set.themes.order_by("position", "pk"))
    other = next((theme for theme in themes if theme.is_other), None)
    if other is None:
        raise ReviewError("The theme set has no Other theme.")
    reviewed = [theme for theme in themes if not theme.is_other]
    embedder = embeddings.configured_embedder()
    vectors = embeddings.embeddings_for(answers, embedder)
    index_of = {answer.pk: index for index, answer in enumerate(answers)}
    said = mapping_evidence(theme_set, reviewed)
    labels = embedder.encode([f"{theme.label}. {theme.description}".strip() for theme in reviewed])

    def rows(answer_ids: Collection[int]) -> tuple[int, ...]:
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
    mapping = map_to_themes(vectors, evidence)
    chosen = [list(found) for found in mapping.matches]
    summary: JSONObject = {
        "answers": len(answers),
        "embedding_model": embedder.name,
        "evidence": {
            "themes": len(evidence),
            "positives": sum(len(e.member_indexes) for e in evidence),
            "negatives": sum(len(e.excluded_indexes) for e in evidence),
            "label_only_themes": sum(1 for e in evidence if not e.member_indexes),
            "undescribed_themes": len(mapping.undescribed),
        },
    }
    model = runs.language_model()
    if model is not None and mapping.classifier is not None and answers:
        summary["language_model"] = _let_the_model_decide(
            model,
            theme_set,
            reviewed,
            answers,
            vectors,
            mapping,
            mapping.classifier,
            chosen,
            exclude=_decided_by_officials(theme_set),
        )
    proposals: list[_Proposal] = []
    for answer, found in zip(answers, chosen, strict=True):
        if found:
            proposals.extend(_Proposal(match.key, answer.pk, match.probability) for match in found)
        else:
            proposals.append(_Proposal(other.pk, answer.pk, None))
    summary["other_share"] = round(sum(1 for found in chosen if not found) / len(chosen), 4) if chosen else 0.0
    return _Proposed(proposals, [answer.pk for answer in answers], chosen, mapping, summary)


def _let_the_model_decide(
    model: LanguageModel,
    theme_set: ThemeSet,
    reviewed: list[ReviewTheme],
    answers: list[Answer],
    vectors: np.ndarray,
    mapping: Mapping,
    classifier: Classifier,
    chosen: list[list[ThemeMatch]],
    *,
    exclude: set[int],
) -> JSONObject:
    """Send the answers the classifier is unsure of (their redacted text only) to the language
    model, and let its verified decisions replace the classifier's proposals in `chosen`. Returns
    what it cost, for the audit record."""
    uncertainty = np.asarray(mapping.uncertainty, dtype=float)
    unsure = [
        int(row)
        for row in np.argsort(-uncertainty, kind="stable")
        if uncertainty[row] > MODEL_UNCERTAINTY_THRESHOLD and answers[row].pk not in exclude
    ][:MODEL_ANSWERS_PER_MAPPING]
    usage = Usage()
    decided = 0
    if unsure:
        choices = [ThemeChoice(theme.pk, theme.label, theme.description) for theme in reviewed]
        texts = [
            AnswerText(answers[row].pk, answers[row].redacted_text, answers[row].response.reference) for row in unsure
        ]
        decisions, usage = decide_unsure(model, theme_set.question.text, choices, texts)
        column = {key: n for n, key in enumerate(classifier.keys)}
        position = {answers[row].pk: n for n, row in enumerate(unsure)}
        # The stored probability of a theme the model chose is still the classifier's.
        probabilities = classifier.probabilities(vectors[unsure])
        for decision in decisions:
            if decision.answer_id not in position:
                continue  # not one it was asked about
            n = position[decision.answer_id]
            keys = [key for key in dict.fromkeys(decision.theme_keys) if key in column]
            chosen[unsure[n]] = [ThemeMatch(key, float(probabilities[n, column[key]])) for key in keys]
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


def _write_mapping(
    theme_set: ThemeSet, proposals: list[_Proposal], answer_ids: set[int], *, scope: set[int] | None = None
) -> None:
    """Write the proposals as AI rows, in the caller's transaction.

    An official's row for an answer and a theme (added, or taken out) stands: no AI row is
    written beside it. An AI row an official removed stays removed. An answer whose proposals
    were all refused that way, and that an official placed nowhere, goes to Other. AI rows the
    mapping no longer proposes are deactivated (never deleted), so earlier mappings stay on record.
    With `scope`, only the rows of those answers are read and changed (answers mapped on arrival);
    without it, the whole set's.
    """
    now = timezone.now()
    other = theme_set.themes.get(is_other=True)
    existing = ThemeMapping.objects.filter(theme__theme_set=theme_set)
    if scope is not None:
        existing = existing.filter(answer_id__in=scope)
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


# --- Asking officials to check ------------------------------------------------------------------


def _confidence(found: list[ThemeMatch], row: int, mapping: Mapping) -> float:
    """The mapping's probability for its proposal: of its best theme, or of "none" for Other."""
    if found:
        return round(float(found[0].probability), 4)
    uncertainty = float(np.asarray(mapping.uncertainty, dtype=float)[row]) if len(mapping.uncertainty) else 0.0
    return round(min(max(1.0 - uncertainty, 0.0), 1.0), 4)


def _ask_for_checks(theme_set: ThemeSet, proposed: _Proposed) -> dict[str, int]:
    """Keep up to UNSURE_CHECKS + RANDOM_CHECKS open checks, in the caller's transaction: open
    checks take the new proposals of their answers (or go, for answers no longer mapped), and
    new ones are drawn from answers never asked about and never decided by an official."""
    row_of = {answer_id: row for row, answer_id in enumerate(proposed.answer_ids)}

    def proposal(row: int) -> tuple[list[int], float]:
        found = proposed.chosen[row]
        return [match.key for match in found], _confidence(found, row, proposed.mapping)

    open_checks = list(MappingCheck.objects.filter(theme_set=theme_set, decided_theme_ids__isnull=True))
    gone = [check.pk for check in open_checks if check.answer_id not in row_of]
    MappingCheck.objects.filter(pk__in=gone).delete()
    kept = [check for check in open_checks if check.answer_id in row_of]
    for check in kept:
        check.proposed_theme_ids, check.confidence = proposal(row_of[check.answer_id])
    MappingCheck.objects.bulk_update(kept, ["proposed_theme_ids", "confidence"])

    asked = set(MappingCheck.objects.filter(theme_set=theme_set).values_list("answer_id", flat=True))
    excluded = {row_of[a] for a in asked | _decided_by_officials(theme_set) if a in row_of}
    open_unsure = sum(1 for check in kept if check.reason == MappingCheck.Reason.UNSURE)
    unsure = least_sure(proposed.mapping, max(UNSURE_CHECKS - open_unsure, 0), exclude=excluded)
    excluded |= set(unsure)
    open_random = len(kept) - open_unsure
    drawn = random_rows(
        len(proposed.answer_ids),
        max(RANDOM_CHECKS - open_random, 0),
        seed=theme_set.pk * 1000 + len(asked),
        exclude=excluded,
    )
    new = []
    for reason, rows in ((MappingCheck.Reason.UNSURE, unsure), (MappingCheck.Reason.RANDOM, drawn)):
        for row in rows:
            theme_ids, confidence = proposal(row)
            new.append(
                MappingCheck(
                    theme_set=theme_set,
                    answer_id=proposed.answer_ids[row],
                    reason=reason,
                    proposed_theme_ids=theme_ids,
                    confidence=confidence,
                )
            )
    MappingCheck.objects.bulk_create(new)
    return {"unsure": len(unsure), "random": len(drawn), "open_before": len(kept)}


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


# --- Answers that arrive after a mapping --------------------------------------------------------


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
        mappable = set(_mappable(Answer.objects.filter(pk__in=scope)).values_list("pk", flat=True))
        rows = [n for n in rows if answers[n].pk in mappable]
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
            _write_mapping(theme_set, proposals, mappable, scope=scope)
        placed += len(rows)
    return placed

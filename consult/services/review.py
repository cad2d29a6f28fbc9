"""Officials' review of themes: start from the AI's candidates, edit, sign off, map, correct.

Every change to a theme set goes through `_claim_version`, which moves the set's `version` on
only if it is still the version the official's page was drawn from; otherwise `StaleVersion` is
raised and nothing is written, so two officials editing at once never overwrite each other.
Every human change is recorded with `audit.record` in the transaction that makes it.

The mapping (`map_answers`, run by `tasks.map_theme_set` on the analysis queue) writes all its
rows in one transaction. AI rows are never deleted: a re-mapping deactivates the ones it no longer
proposes, and an official's decision about an answer and a theme (an addition, a removal, a
split) always stands over what the mapping proposes. See docs/decisions/0004.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone

from consult import tasks
from consult.analysis import embedding as embedding_lib
from consult.analysis.mapping import ThemeEvidence, map_to_themes
from consult.models import (
    AnalysisRun,
    Answer,
    Question,
    Response,
    ReviewTheme,
    Theme,
    ThemeMapping,
    ThemeSet,
)
from consult.queries_review import theme_members
from consult.services import analysis as analysis_service
from consult.services.audit import record

logger = logging.getLogger(__name__)

OTHER_LABEL = "Other"
OTHER_DESCRIPTION = "Answers that fit none of the other themes."


class ReviewError(Exception):
    """An action that cannot be done in the set's present state; the message says why."""


class StaleVersion(Exception):
    """The theme set changed since the official's page was drawn: nothing was written."""

    def __init__(self, theme_set: ThemeSet) -> None:
        super().__init__("Someone else changed these themes since you opened this page.")
        self.theme_set = theme_set


# --- State kept in the audit trail -------------------------------------------------------------


def _theme_state(theme: ReviewTheme) -> dict[str, object]:
    return {
        "id": theme.pk,
        "label": theme.label,
        "description": theme.description,
        "candidates": sorted(theme.candidates.values_list("pk", flat=True)),
    }


def _mapping_state(theme: ReviewTheme) -> dict[str, list[int]]:
    """The answers a theme holds, by who put them there, for the record of a delete or merge."""
    state: dict[str, list[int]] = defaultdict(list)
    for answer_id, source, is_active in theme.mappings.values_list("answer_id", "source", "is_active").order_by(
        "answer_id"
    ):
        state[f"{source}{'' if is_active else '_removed'}"].append(answer_id)
    return dict(state)


def _consultation(theme_set: ThemeSet) -> object:
    return theme_set.question.consultation


# --- Versions ----------------------------------------------------------------------------------


def _claim_version(theme_set: ThemeSet, version: int, *, status: str | None = ThemeSet.Status.DRAFT) -> None:
    """Move the set from `version` to the next one, if it is still at `version` (and in `status`).

    Call it first inside the transaction: the conditional update takes the row's lock, so a
    concurrent change waits and then finds the version gone.
    """
    conditions = Q(pk=theme_set.pk, version=version)
    if status is not None:
        conditions &= Q(status=status)
    now = timezone.now()
    if ThemeSet.objects.filter(conditions).update(version=version + 1, updated_at=now):
        theme_set.version, theme_set.updated_at = version + 1, now
        return
    current = ThemeSet.objects.get(pk=theme_set.pk)
    if current.version != version:
        raise StaleVersion(current)
    if current.status == ThemeSet.Status.SIGNED_OFF:
        raise ReviewError("These themes are signed off. Reopen them before you change them.")
    raise ReviewError("These themes are in review. Sign them off first.")


# --- Starting a review -------------------------------------------------------------------------


def start_review(question: Question, actor: object, *, version: int | None = None) -> ThemeSet:
    """Copy the latest succeeded run's candidate themes of a free-text question into a theme set
    officials can edit, with an "Other" theme. Given the `version` of a draft set that has never
    been mapped, start it again from the latest run instead (a rebase)."""
    if not question.is_free_text:
        raise ReviewError("Only free-text questions have themes to review.")
    run = AnalysisRun.objects.latest_succeeded_for(question.consultation)
    if run is None:
        raise ReviewError("There are no themes to review yet: run the analysis first.")
    candidates = list(Theme.objects.filter(run=run, question=question).order_by("key"))
    with transaction.atomic():
        existing = ThemeSet.objects.filter(question=question).first()
        if existing is None:
            try:
                with transaction.atomic():
                    theme_set = ThemeSet.objects.create(question=question, source_run=run)
            except IntegrityError:
                # Another official started it at the same moment: show them theirs.
                raise StaleVersion(ThemeSet.objects.get(question=question)) from None
            before: dict[str, object] = {}
            action = "theme_set.start"
        else:
            theme_set = existing
            if version is None:
                raise StaleVersion(existing)
            if ThemeMapping.objects.filter(theme__theme_set=theme_set).exists():
                raise ReviewError("These themes have been mapped to answers, so they cannot be started again.")
            _claim_version(theme_set, version)
            before = {
                "source_run": theme_set.source_run_id,
                "themes": [_theme_state(t) for t in theme_set.themes.all()],
            }
            theme_set.themes.all().delete()
            theme_set.source_run = run
            theme_set.save(update_fields=["source_run", "updated_at"])
            action = "theme_set.rebase"
        theme_set.question = question
        for position, candidate in enumerate(candidates, start=1):
            theme = ReviewTheme.objects.create(
                theme_set=theme_set,
                position=position,
                label=candidate.label,
                description=candidate.description,
                created_by=None,  # the AI proposed it
            )
            theme.candidates.add(candidate)
        ReviewTheme.objects.create(
            theme_set=theme_set,
            position=len(candidates) + 1,
            label=OTHER_LABEL,
            description=OTHER_DESCRIPTION,
            is_other=True,
        )
        record(
            question.consultation,
            actor,
            action,
            theme_set,
            before=before,
            after={"source_run": run.pk, "themes": [_theme_state(t) for t in theme_set.themes.all()]},
        )
    return theme_set


# --- Editing ------------------------------------------------------------------------------------


def _next_position(theme_set: ThemeSet) -> int:
    return (theme_set.themes.aggregate(top=Max("position"))["top"] or 0) + 1


def update_theme(theme: ReviewTheme, actor: object, *, version: int, label: str, description: str) -> ReviewTheme:
    """Rename a theme and change its description."""
    theme_set = theme.theme_set
    with transaction.atomic():
        _claim_version(theme_set, version)
        before = _theme_state(theme)
        theme.label, theme.description = label, description
        theme.save(update_fields=["label", "description", "updated_at"])
        record(_consultation(theme_set), actor, "theme.edit", theme, before=before, after=_theme_state(theme))
    return theme


def create_theme(theme_set: ThemeSet, actor: object, *, version: int, label: str, description: str) -> ReviewTheme:
    """Add a theme the AI did not propose: the mapping finds its answers from its label and
    description alone, until officials place answers in it."""
    with transaction.atomic():
        _claim_version(theme_set, version)
        theme = ReviewTheme.objects.create(
            theme_set=theme_set,
            position=_next_position(theme_set),
            label=label,
            description=description,
            created_by=actor,
        )
        record(_consultation(theme_set), actor, "theme.create", theme, after=_theme_state(theme))
    return theme


def delete_theme(theme: ReviewTheme, actor: object, *, version: int) -> None:
    """Delete a theme. Its answers go to the nearest other theme, or Other, at the next mapping;
    the answers it held are kept in the audit record."""
    if theme.is_other:
        raise ReviewError("The Other theme cannot be deleted: answers that fit no theme go there.")
    theme_set = theme.theme_set
    with transaction.atomic():
        _claim_version(theme_set, version)
        before = {**_theme_state(theme), "answers": _mapping_state(theme)}
        record(_consultation(theme_set), actor, "theme.delete", theme, before=before)
        theme.delete()


def merge_themes(
    theme_set: ThemeSet, actor: object, *, version: int, theme_ids: list[int], label: str, description: str
) -> ReviewTheme:
    """Merge two or more themes into the first of them (in the set's order), which takes the
    new label and description, every candidate of the others and the answers placed in them."""
    themes = list(theme_set.themes.filter(pk__in=theme_ids).order_by("position", "pk"))
    if len(themes) < 2 or len(themes) != len(set(theme_ids)):
        raise ReviewError("Select at least 2 themes to merge.")
    if any(theme.is_other for theme in themes):
        raise ReviewError("The Other theme cannot be merged.")
    kept, absorbed = themes[0], themes[1:]
    with transaction.atomic():
        _claim_version(theme_set, version)
        before = [{**_theme_state(t), "answers": _mapping_state(t)} for t in themes]
        kept.candidates.add(*Theme.objects.filter(review_themes__in=absorbed))
        # Answers placed in a merged theme move with it; where the kept theme already holds an
        # answer, its own row stands and the other is dropped (it is in the audit record).
        seen = set(kept.mappings.values_list("answer_id", flat=True))
        moving = []
        for row in ThemeMapping.objects.filter(theme__in=absorbed).order_by("-is_active", "pk"):
            if row.answer_id not in seen:
                seen.add(row.answer_id)
                row.theme = kept
                moving.append(row)
        ThemeMapping.objects.bulk_update(moving, ["theme"])
        ReviewTheme.objects.filter(pk__in=[t.pk for t in absorbed]).delete()
        kept.label, kept.description = label, description
        kept.save(update_fields=["label", "description", "updated_at"])
        record(
            _consultation(theme_set),
            actor,
            "theme.merge",
            kept,
            before={"themes": before},
            after={**_theme_state(kept), "answers": _mapping_state(kept)},
        )
    return kept


def split_theme(
    theme: ReviewTheme, actor: object, *, version: int, answer_ids: list[int], label: str, description: str
) -> ReviewTheme:
    """Move chosen member answers of a theme into a new theme. The move is an official's
    decision about those answers: the new theme holds them, the old one no longer does, and the
    mapping will not undo either."""
    if theme.is_other:
        raise ReviewError("The Other theme cannot be split.")
    if not answer_ids:
        raise ReviewError("Select the answers to move into the new theme.")
    theme_set = theme.theme_set
    now = timezone.now()
    with transaction.atomic():
        _claim_version(theme_set, version)
        before = _theme_state(theme)
        new = ReviewTheme.objects.create(
            theme_set=theme_set,
            position=_next_position(theme_set),
            label=label,
            description=description,
            created_by=actor,
        )
        ThemeMapping.objects.bulk_create(
            [
                ThemeMapping(theme=new, answer_id=answer_id, source=ThemeMapping.Source.OFFICIAL, created_by=actor)
                for answer_id in answer_ids
            ]
        )
        existing = set(theme.mappings.filter(answer_id__in=answer_ids).values_list("answer_id", flat=True))
        theme.mappings.filter(answer_id__in=answer_ids).update(is_active=False, removed_by=actor, removed_at=now)
        ThemeMapping.objects.bulk_create(
            [
                ThemeMapping(
                    theme=theme,
                    answer_id=answer_id,
                    source=ThemeMapping.Source.OFFICIAL,
                    is_active=False,
                    created_by=actor,
                    removed_by=actor,
                    removed_at=now,
                )
                for answer_id in answer_ids
                if answer_id not in existing
            ]
        )
        record(
            _consultation(theme_set),
            actor,
            "theme.split",
            theme,
            before=before,
            after={"theme": _theme_state(theme), "new_theme": _theme_state(new), "moved_answers": sorted(answer_ids)},
        )
    return new


# --- Sign-off and mapping -----------------------------------------------------------------------


def sign_off(theme_set: ThemeSet, actor: object, *, version: int) -> ThemeSet:
    """Sign off a theme set and queue the mapping of every answer to it."""
    if not theme_set.themes.filter(is_other=False).exists():
        raise ReviewError("Add at least one theme before you sign these themes off.")
    with transaction.atomic():
        _claim_version(theme_set, version)
        theme_set.status = ThemeSet.Status.SIGNED_OFF
        theme_set.signed_off_by, theme_set.signed_off_at = actor, timezone.now()
        theme_set.mapping_status, theme_set.mapping_error = ThemeSet.MappingStatus.QUEUED, ""
        theme_set.save(
            update_fields=["status", "signed_off_by", "signed_off_at", "mapping_status", "mapping_error", "updated_at"]
        )
        record(
            _consultation(theme_set),
            actor,
            "theme_set.sign_off",
            theme_set,
            before={"status": ThemeSet.Status.DRAFT},
            after={"status": ThemeSet.Status.SIGNED_OFF, "themes": [_theme_state(t) for t in theme_set.themes.all()]},
        )
        tasks.map_theme_set.delay_on_commit(theme_set.pk)
    return theme_set


def reopen(theme_set: ThemeSet, actor: object, *, version: int) -> ThemeSet:
    """Put a signed-off set back in review. Its mappings stay as they are until it is signed off
    again, when the mapping is done again; meanwhile the run's candidates are the themes in force."""
    with transaction.atomic():
        _claim_version(theme_set, version, status=ThemeSet.Status.SIGNED_OFF)
        before = {"status": theme_set.status, "mapping_status": theme_set.mapping_status}
        theme_set.status = ThemeSet.Status.DRAFT
        theme_set.mapping_status = ThemeSet.MappingStatus.NOT_STARTED
        theme_set.save(update_fields=["status", "mapping_status", "updated_at"])
        record(
            _consultation(theme_set),
            actor,
            "theme_set.reopen",
            theme_set,
            before=before,
            after={"status": theme_set.status, "mapping_status": theme_set.mapping_status},
        )
    return theme_set


def request_mapping(theme_set: ThemeSet, actor: object) -> ThemeSet:
    """Map every answer to a signed-off set again: after a failure, or for answers that arrived
    since the last mapping."""
    with transaction.atomic():
        # A mapping waiting or running for longer than a run may go silent lost its worker (or
        # its message): it may be asked for again.
        stale = timezone.now() - timedelta(seconds=settings.ANALYSIS_STALE_SECONDS)
        in_progress = Q(mapping_status__in=[ThemeSet.MappingStatus.QUEUED, ThemeSet.MappingStatus.RUNNING])
        updated = ThemeSet.objects.filter(
            Q(pk=theme_set.pk, status=ThemeSet.Status.SIGNED_OFF) & (~in_progress | Q(updated_at__lt=stale))
        ).update(mapping_status=ThemeSet.MappingStatus.QUEUED, mapping_error="", updated_at=timezone.now())
        if not updated:
            current = ThemeSet.objects.get(pk=theme_set.pk)
            if current.status != ThemeSet.Status.SIGNED_OFF:
                raise ReviewError("Sign these themes off before you map the responses to them.")
            raise ReviewError("The responses are already being mapped to these themes.")
        before = {"mapping_status": theme_set.mapping_status}
        theme_set.mapping_status = ThemeSet.MappingStatus.QUEUED
        record(
            _consultation(theme_set),
            actor,
            "theme_set.map",
            theme_set,
            before=before,
            after={"mapping_status": "queued"},
        )
        tasks.map_theme_set.delay_on_commit(theme_set.pk)
    return theme_set


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


# --- Coding answers -----------------------------------------------------------------------------


def _answer_labels(theme_set: ThemeSet, answer: Answer) -> list[str]:
    return list(
        ThemeMapping.objects.filter(theme__theme_set=theme_set, answer=answer, is_active=True)
        .order_by("theme__is_other", "theme__position")
        .values_list("theme__label", flat=True)
    )


def _mapped_set(answer: Answer, theme: ReviewTheme) -> ThemeSet:
    theme_set = theme.theme_set
    if theme_set.question_id != answer.question_id:
        raise ReviewError("That theme belongs to another question.")
    if theme_set.status != ThemeSet.Status.SIGNED_OFF or theme_set.mapping_status != ThemeSet.MappingStatus.DONE:
        raise ReviewError("Answers can be placed in themes once the themes are signed off and mapped.")
    return theme_set


def add_answer_theme(answer: Answer, theme: ReviewTheme, actor: object) -> bool:
    """Place an answer in a theme. Other excludes every other theme, so placing an answer in a
    theme takes it out of Other, and placing it in Other takes it out of the rest. Returns False
    when the answer was already there."""
    theme_set = _mapped_set(answer, theme)
    now = timezone.now()
    with transaction.atomic():
        row = ThemeMapping.objects.select_for_update().filter(theme=theme, answer=answer).first()
        if row is not None and row.is_active:
            return False
        before = _answer_labels(theme_set, answer)
        if row is None:
            row = ThemeMapping.objects.create(
                theme=theme, answer=answer, source=ThemeMapping.Source.OFFICIAL, created_by=actor
            )
        else:
            row.is_active, row.removed_by, row.removed_at = True, None, None
            row.save(update_fields=["is_active", "removed_by", "removed_at"])
        # Other means "fits no theme": it and a theme cannot both hold an answer.
        excluded = ThemeMapping.objects.filter(theme__theme_set=theme_set, answer=answer, is_active=True).exclude(
            pk=row.pk
        )
        excluded = excluded.filter(theme__is_other=not theme.is_other)
        excluded.update(is_active=False, removed_by=actor, removed_at=now)
        record(
            theme_set.question.consultation,
            actor,
            "mapping.add",
            row,
            before={"answer": answer.pk, "themes": before},
            after={"answer": answer.pk, "themes": _answer_labels(theme_set, answer)},
        )
    return True


def remove_answer_theme(answer: Answer, theme: ReviewTheme, actor: object) -> bool:
    """Take an answer out of a theme; an answer left in no theme goes to Other. Returns False
    when the answer was not in the theme."""
    theme_set = _mapped_set(answer, theme)
    now = timezone.now()
    with transaction.atomic():
        row = ThemeMapping.objects.select_for_update().filter(theme=theme, answer=answer, is_active=True).first()
        if row is None:
            return False
        before = _answer_labels(theme_set, answer)
        if before == [theme.label] and theme.is_other:
            raise ReviewError("Place the answer in a theme instead: that takes it out of Other.")
        row.is_active, row.removed_by, row.removed_at = False, actor, now
        row.save(update_fields=["is_active", "removed_by", "removed_at"])
        if not ThemeMapping.objects.filter(theme__theme_set=theme_set, answer=answer, is_active=True).exists():
            other = theme_set.themes.get(is_other=True)
            existing = ThemeMapping.objects.filter(theme=other, answer=answer).first()
            if existing is None:
                ThemeMapping.objects.create(
                    theme=other, answer=answer, source=ThemeMapping.Source.OFFICIAL, created_by=actor
                )
            else:
                ThemeMapping.objects.filter(pk=existing.pk).update(is_active=True, removed_by=None, removed_at=None)
        record(
            theme_set.question.consultation,
            actor,
            "mapping.remove",
            row,
            before={"answer": answer.pk, "themes": before, "removed_source": row.source},
            after={"answer": answer.pk, "themes": _answer_labels(theme_set, answer)},
        )
    return True

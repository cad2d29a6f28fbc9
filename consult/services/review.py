"""Officials' review of themes: start from the AI's candidates, edit, sign off, map, correct.

Every change to a theme set goes through `_claim_version`, which moves the set's `version` on
only if it is still the version the official's page was drawn from; otherwise `StaleVersion` is
raised and nothing is written, so two officials editing at once never overwrite each other.
Every human change is recorded with `audit.record` in the transaction that makes it.

Signing off (or `request_mapping`) queues the mapping of every answer to the signed-off themes,
which `consult.services.mapping` does on the analysis queue. See docs/decisions/0004.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone

from consult import task_names
from consult.json_types import JSONObject
from consult.models import (
    AnalysisRun,
    Answer,
    Consultation,
    Question,
    ReviewTheme,
    SubTheme,
    Theme,
    ThemeMapping,
    ThemeSet,
    User,
)
from consult.services import outbox
from consult.services.audit import record

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


def _theme_state(theme: ReviewTheme) -> JSONObject:
    return {
        "id": theme.pk,
        "label": theme.label,
        "description": theme.description,
        "source": theme.source,
        "is_other": theme.is_other,
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


def _consultation(theme_set: ThemeSet) -> Consultation:
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


def start_review(question: Question, actor: User, *, version: int | None = None) -> ThemeSet:
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
            before: JSONObject = {}
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


def update_theme(theme: ReviewTheme, actor: User, *, version: int, label: str, description: str) -> ReviewTheme:
    """Rename a theme and change its description."""
    theme_set = theme.theme_set
    with transaction.atomic():
        _claim_version(theme_set, version)
        before = _theme_state(theme)
        theme.label, theme.description = label, description
        theme.save(update_fields=["label", "description", "updated_at"])
        record(_consultation(theme_set), actor, "theme.edit", theme, before=before, after=_theme_state(theme))
    return theme


def create_theme(theme_set: ThemeSet, actor: User, *, version: int, label: str, description: str) -> ReviewTheme:
    """Add a theme the AI did not propose: the mapping finds its answers from its label and
    description alone, until officials place answers in it."""
    with transaction.atomic():
        _claim_version(theme_set, version)
        theme = ReviewTheme.objects.create(
            theme_set=theme_set,
            position=_next_position(theme_set),
            label=label,
            description=description,
            source=ReviewTheme.Source.OFFICIAL,
            created_by=actor,
        )
        record(_consultation(theme_set), actor, "theme.create", theme, after=_theme_state(theme))
    return theme


def add_sub_theme_as_theme(theme_set: ThemeSet, sub_theme: SubTheme, actor: User, *, version: int) -> ReviewTheme:
    """Add a sub-theme the analysis found (a narrower view inside one of its themes, or among the
    answers that fit none) as a theme of its own, with its label and description. Its answers are
    the theme's evidence, as a candidate theme's are (`sub_theme_candidates`)."""
    if sub_theme.question_id != theme_set.question_id or sub_theme.run_id != theme_set.source_run_id:
        raise ReviewError("That sub-theme is not one of the analysis run these themes came from.")
    with transaction.atomic():
        _claim_version(theme_set, version)
        if theme_set.themes.filter(sub_theme_candidates=sub_theme).exists():
            raise ReviewError(f"“{sub_theme.label}” is already a theme.")
        theme = ReviewTheme.objects.create(
            theme_set=theme_set,
            position=_next_position(theme_set),
            label=sub_theme.label,
            description=sub_theme.description,
            source=ReviewTheme.Source.AI,
            created_by=actor,
        )
        theme.sub_theme_candidates.add(sub_theme)
        after = {**_theme_state(theme), "sub_theme": sub_theme.pk, "sub_theme_answers": sub_theme.answer_count}
        record(_consultation(theme_set), actor, "theme.add_sub_theme", theme, after=after)
    return theme


def delete_theme(theme: ReviewTheme, actor: User, *, version: int) -> None:
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
    theme_set: ThemeSet, actor: User, *, version: int, theme_ids: list[int], label: str, description: str
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
        kept.sub_theme_candidates.add(*SubTheme.objects.filter(review_themes__in=absorbed))
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
    theme: ReviewTheme, actor: User, *, version: int, answer_ids: list[int], label: str, description: str
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
            source=ReviewTheme.Source.OFFICIAL,
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


def sign_off(theme_set: ThemeSet, actor: User, *, version: int) -> ThemeSet:
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
        outbox.enqueue(task_names.MAP_THEME_SET, theme_set.pk)
    return theme_set


def reopen(theme_set: ThemeSet, actor: User, *, version: int) -> ThemeSet:
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


def request_mapping(theme_set: ThemeSet, actor: User | None) -> ThemeSet:
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
        outbox.enqueue(task_names.MAP_THEME_SET, theme_set.pk)
    return theme_set


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


def add_answer_theme(answer: Answer, theme: ReviewTheme, actor: User) -> bool:
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


def remove_answer_theme(answer: Answer, theme: ReviewTheme, actor: User) -> bool:
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

"""Which themes are in force for each free-text question, and which answers they hold.

Until officials have signed off a question's themes and the mapping has finished, the themes in
force are the latest succeeded run's candidates (`Theme`, `ThemeAssignment`). Afterwards they are
the reviewed themes (`ReviewTheme`) and the active rows of `ThemeMapping`. Dashboards, drill-down,
exports and the outcome all read through here, so they never disagree about an answer's themes.

Every function makes a fixed number of queries, whatever the number of questions or answers.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Literal

from django.db.models import Count, Exists, OuterRef, Q

from consult.models import (
    AnalysisRun,
    Answer,
    Consultation,
    LateAnswer,
    Question,
    ReviewTheme,
    Theme,
    ThemeAssignment,
    ThemeMapping,
    ThemeSet,
)

Source = Literal["reviewed", "candidate"]


@dataclass(frozen=True)
class ThemeCount:
    """One theme in force with the number of answers it holds."""

    id: int  # a ReviewTheme's pk when source is "reviewed", a Theme's when "candidate"
    label: str
    description: str
    count: int
    source: Source
    is_other: bool = False
    label_source: str = ""  # for candidates: written by a model, or taken from the answers
    agreement_counts: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class QuestionThemes:
    question_id: int
    source: Source | None  # None: no run has succeeded and nothing is signed off
    themes: list[ThemeCount]
    run_id: int | None  # the run whose candidates these are, or the reviewed set's source run


def is_reviewed_in_force(theme_set: ThemeSet | None) -> bool:
    """A reviewed set replaces the candidates once it is signed off and every answer is mapped."""
    return (
        theme_set is not None
        and theme_set.status == ThemeSet.Status.SIGNED_OFF
        and theme_set.mapping_status == ThemeSet.MappingStatus.DONE
    )


# Mappings that count: active, of answers in sent responses that no moderator hid, and that say
# something: an answer an official marked as a non-answer leaves its themes' counts at once.
_COUNTED_MAPPINGS = (
    Q(mappings__is_active=True) & Answer.counted_q("mappings__answer__") & ~Answer.non_answer_q("mappings__answer__")
)


def consultation_themes(consultation: Consultation) -> dict[int, QuestionThemes]:
    """The themes in force for each free-text question, keyed by question id."""
    questions = list(consultation.questions.filter(kind=Question.Kind.FREE_TEXT).order_by("position"))
    run = AnalysisRun.objects.latest_succeeded_for(consultation)
    theme_sets = {ts.question_id: ts for ts in ThemeSet.objects.filter(question__in=questions)}
    reviewed_ids = [qid for qid, ts in theme_sets.items() if is_reviewed_in_force(ts)]

    reviewed: dict[int, list[ThemeCount]] = defaultdict(list)
    if reviewed_ids:
        rows = (
            ReviewTheme.objects.filter(theme_set__question_id__in=reviewed_ids)
            .annotate(n=Count("mappings", filter=_COUNTED_MAPPINGS))
            .order_by("theme_set__question_id", "is_other", "position")
            .values_list("theme_set__question_id", "pk", "label", "description", "n", "is_other")
        )
        for question_id, pk, label, description, n, is_other in rows:
            reviewed[question_id].append(ThemeCount(pk, label, description, n, "reviewed", is_other))

    candidates: dict[int, list[ThemeCount]] = defaultdict(list)
    if run is not None:
        campaigns_once = run.parameters.get("count_campaigns_once", True)
        for theme in Theme.objects.filter(run=run).order_by("question_id", "key"):
            candidates[theme.question_id].append(
                ThemeCount(
                    theme.pk,
                    theme.label,
                    theme.description,
                    theme.campaign_once_count if campaigns_once else theme.answer_count,
                    "candidate",
                    label_source=theme.label_source,
                    agreement_counts=theme.agreement_counts or {},
                )
            )

    result = {}
    for question in questions:
        if question.pk in reviewed_ids:
            source_run_id = theme_sets[question.pk].source_run_id
            result[question.pk] = QuestionThemes(question.pk, "reviewed", reviewed[question.pk], source_run_id)
        elif run is not None:
            result[question.pk] = QuestionThemes(question.pk, "candidate", candidates[question.pk], run.pk)
        else:
            result[question.pk] = QuestionThemes(question.pk, None, [], None)
    return result


def answer_themes(consultation: Consultation, answer_ids: list[int] | None = None) -> dict[int, list[str]]:
    """The labels of the themes in force that each answer belongs to, keyed by answer id: the
    primary theme first for candidates, in the set's order for reviewed themes. Limit it to
    `answer_ids` for a page of answers."""
    in_force = consultation_themes(consultation)
    reviewed_questions = [qid for qid, qt in in_force.items() if qt.source == "reviewed"]
    candidate_run_ids = {qt.run_id for qt in in_force.values() if qt.source == "candidate"}
    labels: dict[int, list[str]] = defaultdict(list)

    # An answer with nothing to say is in no theme, whatever a mapping made before an official said so.
    mappings = ThemeMapping.objects.filter(
        theme__theme_set__question_id__in=reviewed_questions, is_active=True
    ).exclude(Answer.non_answer_q("answer__"))
    if answer_ids is not None:
        mappings = mappings.filter(answer_id__in=answer_ids)
    for answer_id, label in mappings.order_by("answer_id", "theme__is_other", "theme__position").values_list(
        "answer_id", "theme__label"
    ):
        labels[answer_id].append(label)

    if candidate_run_ids:
        assignments = ThemeAssignment.objects.filter(theme__run_id__in=candidate_run_ids).exclude(
            theme__question_id__in=reviewed_questions
        )
        if answer_ids is not None:
            assignments = assignments.filter(answer_id__in=answer_ids)
        for answer_id, label in assignments.order_by("answer_id", "rank").values_list("answer_id", "theme__label"):
            labels[answer_id].append(label)
    return dict(labels)


def not_yet_placed_q(in_force: dict[int, QuestionThemes], run: AnalysisRun | None) -> Q:
    """Answers in no theme because nothing has placed them yet, not because they fit none: sent or
    changed after `run` (the latest succeeded one, whose candidates are in force) finished, and not
    placed in its themes since (`services.runs.place_late_answers` records each placing as a late
    answer); or, under officials' themes, not mapped yet (a mapped answer is at least in Other).
    Combine it with `counted()` and `substantive()`: answers with nothing to say and hidden answers
    are in no theme by design."""
    reviewed = [qid for qid, qt in in_force.items() if qt.source == "reviewed"]
    candidate = [qid for qid, qt in in_force.items() if qt.source == "candidate"]
    waiting = Q(pk__in=[])
    if reviewed:
        mapped = ThemeMapping.objects.filter(answer=OuterRef("pk"), is_active=True)
        waiting |= Q(question_id__in=reviewed) & ~Exists(mapped)
    if candidate and run is not None and run.finished_at is not None:
        placed_since = LateAnswer.objects.filter(
            run=run, answer=OuterRef("pk"), assigned_at__gte=OuterRef("updated_at")
        ).filter(assigned_at__gte=OuterRef("response__submitted_at"))
        waiting |= (
            Q(question_id__in=candidate)
            & (Q(updated_at__gt=run.finished_at) | Q(response__submitted_at__gt=run.finished_at))
            & ~Exists(ThemeAssignment.objects.filter(answer=OuterRef("pk"), theme__run=run))
            & ~Exists(placed_since)
        )
    return waiting


def answers_not_yet_placed(
    consultation: Consultation, answer_ids: list[int], in_force: dict[int, QuestionThemes] | None = None
) -> set[int]:
    """Of `answer_ids`, the answers nothing has placed in the themes in force yet
    (`not_yet_placed_q`). Pass the themes in force when the caller has them already."""
    in_force = consultation_themes(consultation) if in_force is None else in_force
    run = AnalysisRun.objects.latest_succeeded_for(consultation)
    return set(
        Answer.objects.filter(pk__in=answer_ids)
        .counted()
        .substantive()
        .filter(not_yet_placed_q(in_force, run))
        .values_list("pk", flat=True)
    )


@dataclass(frozen=True)
class MappingChanges:
    """How much officials changed the AI's mapping of one question's answers."""

    ai_mapped_answers: int  # answers the AI mapped to at least one reviewed theme
    changed_answers: int  # of those, answers officials took out of a theme or added to one

    @property
    def changed_share(self) -> float | None:
        return self.changed_answers / self.ai_mapped_answers if self.ai_mapped_answers else None


def mapping_changes(consultation: Consultation) -> dict[int, MappingChanges]:
    """Per free-text question with reviewed themes: the share of AI assignments officials changed.
    An answer counts as changed when an official removed one of its AI rows or added a theme."""
    ai_answers: dict[int, set[int]] = defaultdict(set)
    changed: dict[int, set[int]] = defaultdict(set)
    rows = ThemeMapping.objects.filter(theme__theme_set__question__consultation=consultation).values_list(
        "theme__theme_set__question_id", "answer_id", "source", "is_active", "removed_at", "removed_by_id"
    )
    for question_id, answer_id, source, is_active, removed_at, removed_by_id in rows:
        if source == ThemeMapping.Source.AI and removed_at is not None and removed_by_id is None:
            continue  # superseded by a later mapping, not changed by an official
        if source == ThemeMapping.Source.AI:
            ai_answers[question_id].add(answer_id)
            if not is_active:
                changed[question_id].add(answer_id)
        elif is_active:
            changed[question_id].add(answer_id)
    return {
        question_id: MappingChanges(len(answers), len(changed[question_id] & answers))
        for question_id, answers in ai_answers.items()
    }

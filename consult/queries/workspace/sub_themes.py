"""Reads for sub-themes: the narrower views a run found inside each theme of a large question, and
the small views among its answers that fit no theme (`SubTheme`, `SubThemeAssignment`).

They are the run's, so they are shown beside the run's own candidate themes: on the question's
analysis page, in the workbook, on one response, and as the answers' filter. Once officials' themes
are in force, the review page lists them under the candidates each reviewed theme came from, and an
official may add one as a theme of its own (`services.review.add_sub_theme_as_theme`). A question
without sub-themes (any small one) reads as it did before: nothing here adds to its pages.

Every function makes a fixed number of queries, however many sub-themes or answers there are.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace

from django.db.models import F

from consult.models import AnalysisRun, ReviewTheme, SubTheme, SubThemeAssignment, ThemeSet
from consult.queries.counting import share
from consult.queries.themes import QuestionThemes
from consult.queries.workspace.free_text import FreeTextResult, SubThemeRow


def with_sub_themes(results: list[FreeTextResult], run: AnalysisRun | None) -> list[FreeTextResult]:
    """`results` with each candidate theme's sub-themes, and the question's sub-themes among the
    answers that fit no theme, largest first, in one query. Themes officials signed off are their
    own: a result whose themes are not `run`'s candidates is returned as it was."""
    questions = [result.question.pk for result in results if result.source == "candidate"]
    if run is None or not questions:
        return results
    # A sub-theme's share is of its theme's answers as the run counted them (every campaign copy
    # included, as the sub-theme's own count is).
    rows = (
        SubTheme.objects.filter(run=run, question_id__in=questions)
        .order_by("-answer_count", "key")
        .values_list("pk", "question_id", "parent_id", "label", "description", "answer_count", "parent__answer_count")
    )
    by_parent: dict[int, list[tuple[int, str, str, int, int]]] = defaultdict(list)
    fitting_none: dict[int, list[tuple[int, str, str, int]]] = defaultdict(list)
    for pk, question_id, parent_id, label, description, count, parent_count in rows:
        if parent_id is None:
            fitting_none[question_id].append((pk, label, description, count))
        else:
            by_parent[parent_id].append((pk, label, description, count, parent_count or 0))
    if not by_parent and not fitting_none:
        return results

    attached = []
    for result in results:
        if result.source != "candidate":
            attached.append(result)
            continue
        themes = [
            replace(
                row,
                sub_themes=tuple(
                    SubThemeRow(pk, label, description, count, share(count, whole))
                    for pk, label, description, count, whole in by_parent.get(row.theme.id, [])
                ),
            )
            for row in result.themes
        ]
        unassigned = max(result.unassigned or 0, 0)
        fitting = tuple(
            SubThemeRow(pk, label, description, count, share(count, unassigned))
            for pk, label, description, count in fitting_none.get(result.question.pk, [])
        )
        attached.append(replace(result, themes=themes, sub_themes_fitting_no_theme=fitting))
    return attached


# --- The answers' filter ------------------------------------------------------------------------


@dataclass(frozen=True)
class SubThemeChoice:
    """A sub-theme the answers can be filtered by, with the theme it is inside ("" for none)."""

    id: int
    label: str
    parent_label: str


def sub_theme_choices(run: AnalysisRun | None, question_id: int | None) -> list[SubThemeChoice]:
    """The sub-themes of one question in `run` (the latest succeeded run), grouped by their theme
    in the run's order and largest first within it, those among the answers that fit no theme
    last. Empty without a run or a question: a sub-theme belongs to one question's themes."""
    if run is None or question_id is None:
        return []
    rows = (
        SubTheme.objects.filter(run=run, question_id=question_id)
        .order_by(F("parent__key").asc(nulls_last=True), "-answer_count", "key")
        .values_list("pk", "label", "parent__label")
    )
    return [SubThemeChoice(pk, label, parent_label or "") for pk, label, parent_label in rows]


# --- One response -------------------------------------------------------------------------------


def answer_sub_themes(in_force: dict[int, QuestionThemes], answer_ids: list[int]) -> dict[int, str]:
    """The label of the sub-theme each answer is in, keyed by answer id, where its question's
    themes in force are a run's candidates (the sub-themes are that run's). One query."""
    run_ids = {qt.run_id for qt in in_force.values() if qt.source == "candidate"}
    questions = [qid for qid, qt in in_force.items() if qt.source == "candidate"]
    if not run_ids or not answer_ids:
        return {}
    return dict(
        SubThemeAssignment.objects.filter(
            answer_id__in=answer_ids, sub_theme__run_id__in=run_ids, sub_theme__question_id__in=questions
        )
        .order_by("answer_id", "sub_theme__key")
        .values_list("answer_id", "sub_theme__label")
    )


# --- Review -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReviewSubTheme:
    """A sub-theme as the review page lists it, under the theme its candidate became."""

    id: int
    label: str
    description: str
    count: int
    added_as: str  # the label of the theme of this set it was added as, "" while it is not one


def review_sub_themes(theme_set: ThemeSet, themes: list[ReviewTheme]) -> dict[int, list[ReviewSubTheme]]:
    """Per reviewed theme id, the sub-themes of the AI candidates it came from, largest first; and
    under the Other theme the sub-themes among the answers that fit no theme. All are of the run
    the set's themes were proposed by. Three queries."""
    listed: dict[int, list[ReviewSubTheme]] = {theme.pk: [] for theme in themes}
    if theme_set.source_run_id is None or not themes:
        return listed
    rows = list(
        SubTheme.objects.filter(run_id=theme_set.source_run_id, question_id=theme_set.question_id)
        .order_by("-answer_count", "key")
        .values_list("pk", "parent_id", "label", "description", "answer_count")
    )
    if not rows:
        return listed
    themes_of_candidate: dict[int, list[int]] = defaultdict(list)
    for theme_id, candidate_id in ReviewTheme.candidates.through.objects.filter(reviewtheme_id__in=listed).values_list(
        "reviewtheme_id", "theme_id"
    ):
        themes_of_candidate[candidate_id].append(theme_id)
    labels = {theme.pk: theme.label for theme in themes}
    added_as = {
        sub_theme_id: labels[theme_id]
        for theme_id, sub_theme_id in ReviewTheme.sub_theme_candidates.through.objects.filter(
            reviewtheme_id__in=listed
        ).values_list("reviewtheme_id", "subtheme_id")
    }
    other = next((theme.pk for theme in themes if theme.is_other), None)
    for pk, parent_id, label, description, count in rows:
        item = ReviewSubTheme(pk, label, description, count, added_as.get(pk, ""))
        for theme_id in themes_of_candidate.get(parent_id, []) if parent_id is not None else [other]:
            if theme_id is not None:
                listed[theme_id].append(item)
    return listed

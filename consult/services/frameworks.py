"""Coding frameworks officials bring: a question's themes (label, description, example answers)
imported from a file and signed off as the themes in force.

A framework replaces the question's theme set, whatever state it was in (a new version of it):
the themes it replaces, with the answers they held, are kept in the audit record. Its example
answers are officials' own placings (official ThemeMapping rows), so the mapping learns from them.
See docs/decisions/0004.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from consult import task_names
from consult.json_types import JSONObject
from consult.models import AnalysisRun, Answer, MappingCheck, Question, ReviewTheme, ThemeMapping, ThemeSet, User
from consult.services import outbox
from consult.services.audit import record
from consult.services.review import OTHER_DESCRIPTION, OTHER_LABEL, _mapping_state, _theme_state

LABEL_MAX_LENGTH = 200
EXAMPLE_SEPARATOR = "|"
COLUMNS = ("label", "description", "examples")


@dataclass(frozen=True)
class FrameworkRow:
    """One theme of a framework: `examples` are external ids of responses whose answer to the
    question belongs in it; `line` is where it was in the file (0 when it came from elsewhere)."""

    label: str
    description: str = ""
    examples: tuple[str, ...] = ()
    line: int = 0


class FrameworkError(Exception):
    """The framework cannot be imported as it is; nothing was written. `problems` says why."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(" ".join(problems))
        self.problems = problems


def read_framework_csv(text: str) -> list[FrameworkRow]:
    """The rows of a framework CSV file: columns label, description (optional) and examples
    (optional, external ids separated by "|")."""
    try:
        reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")), strict=True)
        header = [name.strip().lower() for name in (reader.fieldnames or [])]
        if "label" not in header:
            raise FrameworkError(["The file must have a column named label (and may have description and examples)."])
        rows = []
        for raw in reader:
            if None in raw or any(value is None for value in raw.values()):
                raise FrameworkError([f"Row {reader.line_num} has a different number of fields from the header."])
            values = {name.strip().lower(): (value or "").strip() for name, value in raw.items()}
            if not any(values.get(column) for column in COLUMNS):
                continue  # a blank line
            examples = tuple(e.strip() for e in values.get("examples", "").split(EXAMPLE_SEPARATOR) if e.strip())
            rows.append(FrameworkRow(values.get("label", ""), values.get("description", ""), examples, reader.line_num))
    except csv.Error as error:
        raise FrameworkError([f"The file is not a well-formed CSV file: {error}."]) from None
    return rows


def _where(row: FrameworkRow, index: int) -> str:
    return f"row {row.line}" if row.line else f"theme {index + 1}"


def _listed(values: Iterable[str]) -> str:
    return ", ".join(values)


def _check(question: Question, rows: Sequence[FrameworkRow]) -> dict[str, list[int]]:
    """Every problem with the framework at once, or the answers its example ids name."""
    problems: list[str] = []
    if not rows:
        raise FrameworkError(["The framework has no themes."])
    no_label = [_where(row, n) for n, row in enumerate(rows) if not row.label]
    if no_label:
        problems.append(f"Every theme needs a label: {_listed(no_label)} has none.")
    too_long = [_where(row, n) for n, row in enumerate(rows) if len(row.label) > LABEL_MAX_LENGTH]
    if too_long:
        problems.append(f"Labels must be {LABEL_MAX_LENGTH} characters or fewer: {_listed(too_long)}.")
    seen: dict[str, int] = defaultdict(int)
    for row in rows:
        if row.label:
            seen[row.label.casefold()] += 1
    repeated = [row.label for row in rows if row.label and seen[row.label.casefold()] > 1]
    if repeated:
        problems.append(f"Each label must be used once: {_listed(dict.fromkeys(repeated))} appear more than once.")
    if OTHER_LABEL.casefold() in seen:
        problems.append(f"Leave out “{OTHER_LABEL}”: it is added for you, for answers that fit no theme.")
    wanted = {example for row in rows for example in row.examples}
    found: dict[str, list[int]] = defaultdict(list)
    if wanted:
        answers = Answer.objects.filter(question=question, response__external_id__in=wanted).exclude(text="")
        for external_id, answer_id in answers.values_list("response__external_id", "pk"):
            found[external_id].append(answer_id)
    unknown = sorted(wanted - set(found))
    if unknown:
        problems.append(f"These example ids match no answer to this question: {_listed(unknown)}.")
    if problems:
        raise FrameworkError(problems)
    return found


def import_framework(question: Question, rows: Sequence[FrameworkRow], actor: User | None) -> ThemeSet:
    """Replace the question's themes with a framework and sign it off as the themes in force.

    Everything is checked before anything is written (a label missing or repeated, an example
    id that matches no answer to the question: FrameworkError lists them all). Then, in one
    transaction: the question's theme set (started if there is none) gets a new version holding
    the framework's themes (source "framework") and an Other theme; each example answer is
    placed in its theme as an official's row; the set is signed off by `actor` (None from the
    command line) and its mapping queued; and the replacement is audited with the themes before
    (and the answers they held) and after. Checks of the replaced themes go with them.
    """
    if not question.is_free_text:
        raise FrameworkError(["Only free-text questions have themes."])
    examples = _check(question, rows)
    now = timezone.now()
    with transaction.atomic():
        theme_set = ThemeSet.objects.select_for_update().filter(question=question).first()
        if theme_set is None:
            try:
                with transaction.atomic():
                    theme_set = ThemeSet.objects.create(
                        question=question, source_run=AnalysisRun.objects.latest_succeeded_for(question.consultation)
                    )
            except IntegrityError:
                theme_set = ThemeSet.objects.select_for_update().get(question=question)
            before: JSONObject = {}
        else:
            old_themes = list(theme_set.themes.order_by("is_other", "position"))
            checks = MappingCheck.objects.filter(theme_set=theme_set)
            before = {
                "status": theme_set.status,
                "version": theme_set.version,
                "themes": [{**_theme_state(t), "answers": _mapping_state(t)} for t in old_themes],
                "checks": {
                    "asked": checks.count(),
                    "decided": checks.filter(decided_theme_ids__isnull=False).count(),
                    "agreed": checks.filter(is_correct=True).count(),
                },
            }
            checks.delete()
            theme_set.themes.all().delete()
        theme_set.question = question
        theme_set.version += 1
        theme_set.status = ThemeSet.Status.SIGNED_OFF
        theme_set.signed_off_by = actor if getattr(actor, "is_authenticated", False) else None
        theme_set.signed_off_at = now
        theme_set.mapping_status, theme_set.mapping_error = ThemeSet.MappingStatus.QUEUED, ""
        theme_set.classifier = {}
        theme_set.save()
        created_by = theme_set.signed_off_by
        themes = ReviewTheme.objects.bulk_create(
            [
                ReviewTheme(
                    theme_set=theme_set,
                    position=position,
                    label=row.label,
                    description=row.description,
                    source=ReviewTheme.Source.FRAMEWORK,
                    created_by=created_by,
                )
                for position, row in enumerate(rows, start=1)
            ]
        )
        ReviewTheme.objects.create(
            theme_set=theme_set,
            position=len(rows) + 1,
            label=OTHER_LABEL,
            description=OTHER_DESCRIPTION,
            is_other=True,
        )
        placed = {
            (theme.pk, answer_id)
            for theme, row in zip(themes, rows, strict=True)
            for example in row.examples
            for answer_id in examples[example]
        }
        ThemeMapping.objects.bulk_create(
            [
                ThemeMapping(
                    theme_id=theme_id, answer_id=answer_id, source=ThemeMapping.Source.OFFICIAL, created_by=created_by
                )
                for theme_id, answer_id in sorted(placed)
            ]
        )
        record(
            question.consultation,
            actor,
            "theme_set.import_framework",
            theme_set,
            before=before,
            after={
                "status": theme_set.status,
                "version": theme_set.version,
                "themes": [_theme_state(t) for t in theme_set.themes.order_by("is_other", "position")],
                "examples": {row.label: list(row.examples) for row in rows if row.examples},
            },
        )
        outbox.enqueue(task_names.MAP_THEME_SET, theme_set.pk)
    return theme_set

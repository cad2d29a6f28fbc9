"""The audit trail in plain English: every action officials (and the system) record, as a
sentence and readable changes (`queries.workspace.audit_sentences`), filtered by who, what and
when, for the page and its CSV.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from consult.models import (
    Answer,
    AuditEvent,
    Consultation,
    Question,
    ReviewTheme,
    ThemeSet,
    User,
)
from consult.queries.workspace.audit_sentences import (
    ACTIONS,
    KINDS,
    SYSTEM,
    Change,
    Subjects,
    changes_of,
    kind_of,
    quoted,
    sentence_of,
    who,
)
from consult.queries.workspace.exports import iso, neutralise_formula


def subjects_for(events: list[AuditEvent]) -> Subjects:
    """The questions and answers the events name, in at most four queries whatever their number."""
    ids: dict[str, set[int]] = {"question": set(), "themeset": set(), "reviewtheme": set(), "answer": set()}
    for event in events:
        if event.object_type in ids and event.object_id.isdigit():
            ids[event.object_type].add(int(event.object_id))
        for state in (event.before, event.after):
            if event.object_type in ("thememapping", "answer") and isinstance((state or {}).get("answer"), int):
                ids["answer"].add(state["answer"])

    def named(question: Question) -> str:
        return f"question {question.position}, {quoted(question.text)}"

    questions = {q.pk: named(q) for q in Question.objects.filter(pk__in=ids["question"])} if ids["question"] else {}
    theme_sets = (
        {t.pk: named(t.question) for t in ThemeSet.objects.filter(pk__in=ids["themeset"]).select_related("question")}
        if ids["themeset"]
        else {}
    )
    themes = (
        {
            t.pk: named(t.theme_set.question)
            for t in ReviewTheme.objects.filter(pk__in=ids["reviewtheme"]).select_related("theme_set__question")
        }
        if ids["reviewtheme"]
        else {}
    )
    answers = (
        {
            a.pk: f"an answer to question {a.question.position} in response {a.response.reference}"
            for a in Answer.objects.filter(pk__in=ids["answer"]).select_related("question", "response")
        }
        if ids["answer"]
        else {}
    )
    return Subjects(questions=questions, theme_sets=theme_sets, themes=themes, answers=answers)


@dataclass(frozen=True)
class Entry:
    """One line of the trail as the page shows it."""

    event: AuditEvent
    who: str
    kind: str
    sentence: str
    changes: list[Change]


def entries(events: Iterable[AuditEvent]) -> list[Entry]:
    events = list(events)
    subjects = subjects_for(events)
    return [
        Entry(
            event=event,
            who=who(event.actor),
            kind=kind_of(event),
            sentence=sentence_of(event, subjects),
            changes=changes_of(event),
        )
        for event in events
    ]


@dataclass(frozen=True)
class TrailFilters:
    actor: str = ""  # a user's id, SYSTEM, or "" for anyone
    kind: str = ""  # a key of KINDS, or "" for any
    created_from: datetime | None = None
    created_before: datetime | None = None


def audit_trail(consultation: Consultation, filters: TrailFilters | None = None) -> QuerySet[AuditEvent]:
    """The consultation's trail, newest first, filtered."""
    filters = filters or TrailFilters()
    events = AuditEvent.objects.filter(consultation=consultation)
    if filters.actor == SYSTEM:
        events = events.filter(actor__isnull=True)
    elif filters.actor.isdigit():
        events = events.filter(actor_id=int(filters.actor))
    if filters.kind:
        events = events.filter(action__in=[name for name, action in ACTIONS.items() if action.kind == filters.kind])
    if filters.created_from:
        events = events.filter(created_at__gte=filters.created_from)
    if filters.created_before:
        events = events.filter(created_at__lt=filters.created_before)
    return events.select_related("actor").order_by("-created_at", "-pk")


def actor_choices(consultation: Consultation) -> list[tuple[str, str]]:
    """Everyone who appears in the consultation's trail, by name, and the system if it does."""
    events = AuditEvent.objects.filter(consultation=consultation)
    actors = User.objects.filter(pk__in=events.filter(actor__isnull=False).values("actor_id"))
    choices = sorted(
        ((str(user.pk), f"{who(user)} ({user.email})" if user.get_full_name() else user.email) for user in actors),
        key=lambda choice: choice[1].lower(),
    )
    if events.filter(actor__isnull=True).exists():
        choices.append((SYSTEM, "The system (analysis, mapping and retention)"))
    return choices


def kind_choices() -> list[tuple[str, str]]:
    return list(KINDS.items())


# --- The CSV ------------------------------------------------------------------------------------

CSV_HEADER = [
    "when",
    "who",
    "who_email",
    "kind",
    "description",
    "changes",
    "action",
    "object_type",
    "object_id",
    "before",
    "after",
]
CSV_BATCH = 500


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_row(event: AuditEvent, subjects: Subjects) -> list[str]:
    changes = "; ".join(
        f"{change.field}: from {quoted(change.before)} to {quoted(change.after)}"
        for change in changes_of(event, whole=True)
    )
    return [
        iso(event.created_at),
        who(event.actor),
        event.actor.email if event.actor else "",
        kind_of(event),
        sentence_of(event, subjects),
        changes,
        event.action,
        event.object_type,
        event.object_id,
        json.dumps(event.before, ensure_ascii=False, sort_keys=True),
        json.dumps(event.after, ensure_ascii=False, sort_keys=True),
    ]


def csv_lines(events: QuerySet[AuditEvent]) -> Iterator[str]:
    """The trail as CSV lines, a batch at a time, every cell formula-neutralised, with a byte-order
    mark so that Excel reads it as UTF-8: the plain-English description beside the raw fields."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(CSV_HEADER)
    batch: list[AuditEvent] = []
    for event in events.iterator(chunk_size=CSV_BATCH):
        batch.append(event)
        if len(batch) == CSV_BATCH:
            yield from _csv_batch(writer, batch)
            batch = []
    yield from _csv_batch(writer, batch)


def _csv_batch(writer: Any, batch: list[AuditEvent]) -> Iterator[str]:
    subjects = subjects_for(batch)
    for event in batch:
        yield writer.writerow([neutralise_formula(cell) for cell in _csv_row(event, subjects)])


def csv_filename(consultation: Consultation) -> str:
    return f"{consultation.slug}-audit-trail-{timezone.localdate():%Y-%m-%d}.csv"

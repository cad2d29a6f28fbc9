"""Reads for the fairness check: whether the analysis serves some groups of respondents worse
than others, by respondent type and by the optional equality information."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import TypedDict, cast

from django.db.models import Count, Exists, OuterRef, Q

from consult.models import (
    Answer,
    Consultation,
    EqualityInformation,
    Flag,
    Response,
    ThemeAssignment,
    ThemeMapping,
)
from consult.queries.counting import Bar, share
from consult.queries.kept_counts import Kept, Recount, counted, counts_key
from consult.queries.themes import QuestionThemes, consultation_themes

# Groups smaller than this are not shown, so that nobody can be picked out.
SMALLEST_GROUP_SHOWN = 10


@dataclass(frozen=True)
class FairnessGroup:
    label: str
    people: int
    answers: int
    unassigned: int
    flagged: int

    @property
    def is_suppressed(self) -> bool:
        return self.people < SMALLEST_GROUP_SHOWN

    @property
    def unassigned_share(self) -> str:
        return Bar("", self.unassigned, share(self.unassigned, self.answers)).percent

    @property
    def flagged_share(self) -> str:
        return Bar("", self.flagged, share(self.flagged, self.answers)).percent


@dataclass(frozen=True)
class FairnessBreakdown:
    title: str
    groups: list[FairnessGroup]
    people_who_answered: int  # who gave this information at all (not "not given")

    @property
    def has_enough(self) -> bool:
        return self.people_who_answered >= SMALLEST_GROUP_SHOWN


_DIMENSIONS: list[tuple[str, str, list[tuple[str, str]]]] = [
    ("Respondent type", "respondent_type", list(Response.RespondentType.choices)),
    ("Age", "equality__age_band", list(EqualityInformation.AgeBand.choices)),
    ("Region", "equality__region", list(EqualityInformation.Region.choices)),
    ("Disability", "equality__disability", list(EqualityInformation.Disability.choices)),
    ("Ethnic group", "equality__ethnicity", list(EqualityInformation.Ethnicity.choices)),
]


def fairness(consultation: Consultation, in_force: dict[int, QuestionThemes]) -> list[FairnessBreakdown]:
    """Per respondent type and per equality group: people, free-text answers, and the shares of
    those answers that fit no theme in force (or only "Other") and that were ever flagged.

    Two queries: each groups by all five characteristics at once, and the breakdowns are summed
    from those rows, so the page costs the same however many groups there are.
    """
    fields = [name for _, name, _ in _DIMENSIONS]
    people_rows = consultation.responses.submitted().values(*fields).annotate(n=Count("pk")).values_list(*fields, "n")
    assigned = _assigned_condition(in_force)
    unassigned = Count("pk", filter=~assigned) if assigned is not None else Count("pk")
    answer_fields = [f"response__{name}" for name in fields]
    answer_rows_ = (
        Answer.objects.filter(question_id__in=list(in_force), response__consultation=consultation)
        .counted()
        .values(*answer_fields)
        .annotate(
            n=Count("pk"),
            unassigned=unassigned,
            flagged=Count("pk", filter=Q(Exists(Flag.objects.filter(answer=OuterRef("pk"))))),
        )
        .values_list(*answer_fields, "n", "unassigned", "flagged")
    )
    people: list[dict[str, int]] = [defaultdict(int) for _ in _DIMENSIONS]
    sums: list[dict[str, list[int]]] = [defaultdict(lambda: [0, 0, 0]) for _ in _DIMENSIONS]
    for row in people_rows:
        for index, value in enumerate(row[:-1]):
            people[index][value or ""] += row[-1]
    for row in answer_rows_:
        n, unassigned, flagged = row[-3:]
        for index, value in enumerate(row[:-3]):
            total = sums[index][value or ""]
            total[0] += n
            total[1] += unassigned
            total[2] += flagged

    breakdowns = []
    for index, (title, _, choices) in enumerate(_DIMENSIONS):
        groups = []
        for value, label in [*choices, ("", "Not given")]:
            if not people[index].get(value):
                continue
            n, unassigned, flagged = sums[index][value]
            groups.append(FairnessGroup(label, people[index][value], n, unassigned, flagged))
        gave = sum(count for value, count in people[index].items() if value not in ("", "prefer_not"))
        breakdowns.append(FairnessBreakdown(title, groups, gave))
    return breakdowns


def _assigned_condition(in_force: dict[int, QuestionThemes]) -> Q | None:
    """An answer is placed when a theme in force holds it: a run's candidate theme, or a reviewed
    theme other than "Other". None when no question has themes yet, so nothing is placed."""
    condition: Q | None = None
    candidate_runs = {qt.run_id for qt in in_force.values() if qt.source == "candidate"}
    candidate_questions = [qid for qid, qt in in_force.items() if qt.source == "candidate"]
    reviewed_questions = [qid for qid, qt in in_force.items() if qt.source == "reviewed"]
    parts = []
    if candidate_questions:
        parts.append(
            Q(question_id__in=candidate_questions)
            & Q(Exists(ThemeAssignment.objects.filter(answer=OuterRef("pk"), theme__run_id__in=candidate_runs)))
        )
    if reviewed_questions:
        parts.append(
            Q(question_id__in=reviewed_questions)
            & Q(
                Exists(
                    ThemeMapping.objects.filter(
                        answer=OuterRef("pk"),
                        is_active=True,
                        theme__is_other=False,
                        theme__theme_set__question_id__in=reviewed_questions,
                    )
                )
            )
        )
    for part in parts:
        condition = part if condition is None else condition | part
    return condition


class FairnessCounts(TypedDict):
    breakdowns: list[FairnessBreakdown]


class FairnessPage(FairnessCounts, Kept):
    pass


def fairness_page(consultation: Consultation, *, fresh: bool = False) -> FairnessPage:
    """The fairness check's breakdowns, kept like the dashboard's counts."""
    return cast(
        FairnessPage,
        counted(
            counts_key("fairness", consultation),
            lambda: {"breakdowns": fairness(consultation, consultation_themes(consultation))},
            Recount(consultation.pk, "fairness"),
            fresh=fresh,
        ),
    )

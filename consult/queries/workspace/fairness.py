"""Reads for the fairness check: whether the analysis serves some groups of respondents worse
than others, by respondent type, by the language of the pages and of the answers, and by the
optional equality information; and whether those groups answered the agreement questions
differently."""

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
    Question,
    Response,
    ThemeAssignment,
    ThemeMapping,
)
from consult.queries.counting import Bar, share
from consult.queries.kept_counts import Kept, Recount, counted, counts_key
from consult.queries.themes import QuestionThemes, consultation_themes
from consult.queries.workspace.free_text import AgreementSplit

# Groups smaller than this are not shown, so that nobody can be picked out.
SMALLEST_GROUP_SHOWN = 10

# Part of the kept counts' key: counts kept in an earlier shape (before the languages and the
# agreement by group) are never read back as this one.
_KEPT_SHAPE = 2


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


# The pages' language is the one a response was started in; the site offers English and Welsh.
PAGE_LANGUAGES = [("en-gb", "English"), ("cy", "Welsh")]

# What a response may be grouped by: (title, field of the response, (value, label) choices).
_DIMENSIONS: list[tuple[str, str, list[tuple[str, str]]]] = [
    ("Respondent type", "respondent_type", list(Response.RespondentType.choices)),
    ("Language of the pages", "language", PAGE_LANGUAGES),
    ("Age", "equality__age_band", list(EqualityInformation.AgeBand.choices)),
    ("Region", "equality__region", list(EqualityInformation.Region.choices)),
    ("Disability", "equality__disability", list(EqualityInformation.Disability.choices)),
    ("Ethnic group", "equality__ethnicity", list(EqualityInformation.Ethnicity.choices)),
]


def fairness(consultation: Consultation, in_force: dict[int, QuestionThemes]) -> list[FairnessBreakdown]:
    """Per respondent type, language of the pages, equality group and language of the answer:
    people, free-text answers, and the shares of those answers that fit no theme in force (or only
    "Other") and that were ever flagged.

    Three queries: two group by every characteristic of the response at once, and the breakdowns
    are summed from those rows, so the page costs the same however many groups there are; the
    third groups the answers by the language they are written in, which is the answer's own.
    """
    fields = [name for _, name, _ in _DIMENSIONS]
    people_rows = consultation.responses.submitted().values(*fields).annotate(n=Count("pk")).values_list(*fields, "n")
    assigned = _assigned_condition(in_force)
    unassigned_count = Count("pk", filter=~assigned) if assigned is not None else Count("pk")
    answer_fields = [f"response__{name}" for name in fields]
    answer_rows_ = (
        Answer.objects.filter(question_id__in=list(in_force), response__consultation=consultation)
        .counted()
        .values(*answer_fields)
        .annotate(
            n=Count("pk"),
            unassigned=unassigned_count,
            flagged=_flagged_count(),
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
    # After respondent type and the pages' language, so that the two languages sit together.
    breakdowns.insert(2, _answer_languages(consultation, in_force, unassigned_count))
    return breakdowns


def _answer_languages(
    consultation: Consultation, in_force: dict[int, QuestionThemes], unassigned: Count
) -> FairnessBreakdown:
    """The free-text answers by the language the analysis found them written in (English, Welsh,
    or not known: too short to tell, or not read yet). A person is in a group when one of their
    answers is, so someone who wrote in both languages is in both. One query."""
    rows = (
        Answer.objects.filter(question_id__in=list(in_force), response__consultation=consultation)
        .counted()
        .values("language")
        .annotate(
            people=Count("response", distinct=True),
            n=Count("pk"),
            unassigned=unassigned,
            flagged=_flagged_count(),
        )
        .values_list("language", "people", "n", "unassigned", "flagged")
    )
    by_language = {language: row for language, *row in rows}
    groups = [
        FairnessGroup(str(label), *by_language[value])
        for value, label in Answer.Language.choices
        if value in by_language
    ]
    known = sum(by_language[value][0] for value in by_language if value)
    return FairnessBreakdown("Language of the answer", groups, known)


def _flagged_count() -> Count:
    """Answers a moderator was ever asked to look at, whatever they decided."""
    return Count("pk", filter=Q(Exists(Flag.objects.filter(answer=OuterRef("pk")))))


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


# --- Agreement by group -----------------------------------------------------------------------


@dataclass(frozen=True)
class AgreementGroup:
    """How one group answered an agreement question: agree, neither, disagree."""

    label: str
    split: AgreementSplit

    @property
    def answered(self) -> int:
        return self.split.total

    @property
    def is_suppressed(self) -> bool:
        # Counted by who answered the question, not who is in the group: three answers out of a
        # group of twelve would say how those three answered.
        return self.answered < SMALLEST_GROUP_SHOWN


@dataclass(frozen=True)
class AgreementBreakdown:
    title: str
    groups: list[AgreementGroup]
    people_who_answered: int  # who answered the question and gave this information

    @property
    def has_enough(self) -> bool:
        return self.people_who_answered >= SMALLEST_GROUP_SHOWN


@dataclass(frozen=True)
class AgreementByGroup:
    """One agreement question: everyone's answers, then each characteristic's groups."""

    question: Question
    everyone: AgreementGroup
    breakdowns: list[AgreementBreakdown]


def agreement_by_group(consultation: Consultation) -> list[AgreementByGroup]:
    """For each agreement-scale question, the answers (as the dashboard counts them: in sent
    responses) split into agree, neither and disagree, for everyone and within each group of each
    characteristic of `_DIMENSIONS`. Two queries, whatever the number of questions and groups."""
    questions = list(consultation.questions.filter(kind=Question.Kind.AGREEMENT).order_by("position"))
    if not questions:
        return []
    fields = [f"response__{name}" for _, name, _ in _DIMENSIONS]
    rows = (
        Answer.objects.filter(question__in=questions, agreement__isnull=False)
        .submitted()
        .values("question_id", "agreement", *fields)
        .annotate(n=Count("pk"))
        .values_list("question_id", "agreement", *fields, "n")
    )
    everyone: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    # (question id, characteristic's index, value) -> {point: answers}
    points: dict[tuple[int, int, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for question_id, point, *values, n in rows:
        everyone[question_id][str(point)] += n
        for index, value in enumerate(values):
            points[question_id, index, value or ""][str(point)] += n

    results = []
    for question in questions:
        breakdowns = []
        for index, (title, _, choices) in enumerate(_DIMENSIONS):
            groups = {
                value: AgreementGroup(str(label), AgreementSplit.from_points(points[question.pk, index, value]))
                for value, label in [*choices, ("", "Not given")]
                if (question.pk, index, value) in points
            }
            gave = sum(group.answered for value, group in groups.items() if value not in ("", "prefer_not"))
            breakdowns.append(AgreementBreakdown(title, list(groups.values()), gave))
        everyone_split = AgreementSplit.from_points(everyone[question.pk])
        results.append(AgreementByGroup(question, AgreementGroup("Everyone who answered", everyone_split), breakdowns))
    return results


class FairnessCounts(TypedDict):
    breakdowns: list[FairnessBreakdown]
    agreement: list[AgreementByGroup]


class FairnessPage(FairnessCounts, Kept):
    pass


def fairness_page(consultation: Consultation, *, fresh: bool = False) -> FairnessPage:
    """The fairness check's breakdowns, kept like the dashboard's counts."""
    return cast(
        FairnessPage,
        counted(
            counts_key("fairness", consultation, _KEPT_SHAPE),
            lambda: {
                "breakdowns": fairness(consultation, consultation_themes(consultation)),
                "agreement": agreement_by_group(consultation),
            },
            Recount(consultation.pk, "fairness"),
            fresh=fresh,
        ),
    )

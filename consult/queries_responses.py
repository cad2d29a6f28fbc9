"""Reads for the drill-down into responses and for one response in full.

The drill-down lists free-text answers of sent responses, filtered by theme, respondent, closed
answers, dates, campaign, flags, what the official has read, and full-text search, a page at a
time. Each filter is a column condition or an EXISTS on an indexed foreign key, and a page of rows
brings its flags, campaigns and themes in one query each, so the page costs the same at 100,000
responses as at ten.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property

from django.contrib.postgres.search import SearchQuery, SearchVector
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q, QuerySet

from consult.models import (
    AnalysisRun,
    Answer,
    Campaign,
    CampaignMember,
    Consultation,
    Flag,
    Response,
    ResponseRead,
    ThemeAssignment,
    ThemeMapping,
    User,
)
from consult.queries_themes import QuestionThemes


@dataclass(frozen=True)
class AnswerFilters:
    """What the drill-down narrows answers by; every part is optional."""

    question_id: int | None = None
    theme_id: int | None = None
    no_theme: bool = False  # answers of the question that fit no theme in force
    respondent_type: str = ""
    organisation: str = ""
    option_id: int | None = None
    agreement: tuple[int, int] | None = None  # (question id, point)
    submitted_from: datetime | None = None
    submitted_before: datetime | None = None
    campaign: str = ""  # "yes", "no", or a campaign's id
    is_flagged: bool = False
    is_unread: bool = False
    search: str = ""


def filtered_answers(
    consultation: Consultation,
    filters: AnswerFilters,
    user: User,
    in_force: dict[int, QuestionThemes],
    run: AnalysisRun | None,
) -> QuerySet[Answer]:
    """Free-text answers of sent responses that pass the filters, newest response first.

    Each filter is a plain column condition or an EXISTS on an indexed foreign key, so the
    database can stop at the first page without reading every answer.
    """
    question_ids = [filters.question_id] if filters.question_id else list(in_force)
    answers = (
        Answer.objects.filter(
            question_id__in=question_ids,
            response__consultation=consultation,
            response__status=Response.Status.SUBMITTED,
        )
        .exclude(text="")
        .select_related("response", "question")
    )
    if filters.question_id and (filters.theme_id or filters.no_theme):
        answers = answers.filter(_theme_condition(in_force.get(filters.question_id), filters))
    if filters.respondent_type:
        answers = answers.filter(response__respondent_type=filters.respondent_type)
    if filters.organisation:
        answers = answers.filter(response__organisation_name__icontains=filters.organisation)
    if filters.option_id:
        answers = answers.filter(
            Exists(
                Answer.options.through.objects.filter(
                    answer__response_id=OuterRef("response_id"), option_id=filters.option_id
                )
            )
        )
    if filters.agreement:
        question_id, point = filters.agreement
        answers = answers.filter(
            Exists(Answer.objects.filter(response_id=OuterRef("response_id"), question_id=question_id, agreement=point))
        )
    if filters.submitted_from:
        answers = answers.filter(response__submitted_at__gte=filters.submitted_from)
    if filters.submitted_before:
        answers = answers.filter(response__submitted_at__lt=filters.submitted_before)
    if filters.campaign:
        members = CampaignMember.objects.filter(answer=OuterRef("pk"), campaign__run=run)
        if filters.campaign == "yes":
            answers = answers.filter(Exists(members))
        elif filters.campaign == "no":
            answers = answers.exclude(Exists(members))
        else:
            answers = answers.filter(Exists(members.filter(campaign_id=int(filters.campaign))))
    if filters.is_flagged:
        answers = answers.filter(Exists(Flag.objects.filter(answer=OuterRef("pk"), status=Flag.Status.OPEN)))
    if filters.is_unread:
        answers = answers.exclude(Exists(ResponseRead.objects.filter(user=user, response_id=OuterRef("response_id"))))
    if filters.search:
        answers = search_answers(answers, filters.search)
    return answers.order_by("-response__submitted_at", "-pk")


def _theme_condition(themes: QuestionThemes | None, filters: AnswerFilters) -> Q:
    """Answers in the chosen theme in force, or in none of them."""
    if themes is None or themes.source is None:
        return Q(pk__in=[]) if filters.theme_id else Q()
    if themes.source == "reviewed":
        theme_ids = [t.id for t in themes.themes if not t.is_other]
        if filters.no_theme:
            return ~Q(
                Exists(ThemeMapping.objects.filter(answer=OuterRef("pk"), is_active=True, theme_id__in=theme_ids))
            )
        return Q(Exists(ThemeMapping.objects.filter(answer=OuterRef("pk"), is_active=True, theme_id=filters.theme_id)))
    if filters.no_theme:
        return ~Q(Exists(ThemeAssignment.objects.filter(answer=OuterRef("pk"), theme__run_id=themes.run_id)))
    return Q(Exists(ThemeAssignment.objects.filter(answer=OuterRef("pk"), theme_id=filters.theme_id)))


def search_answers(answers: QuerySet[Answer], words: str) -> QuerySet[Answer]:
    """Answers matching the words: PostgreSQL full-text search in English (stemmed, so "charges"
    finds "charging"), written as the expression migration 0003 indexes so its GIN index is used.
    Elsewhere (SQLite in development) a plain substring match."""
    if connection.vendor == "postgresql":
        return answers.annotate(search=SearchVector("text", config="english")).filter(
            search=SearchQuery(words, search_type="websearch", config="english")
        )
    return answers.filter(text__icontains=words)


class CappedPaginator(Paginator):
    """Counts matching rows only up to `cap`: counting 100,000 joined rows for every page costs
    more than the page itself, and nobody pages past the first few hundred. Pages go as far as
    the cap; `is_capped` tells the page to say "more than" and ask for narrower filters."""

    def __init__(self, object_list: QuerySet, per_page: int, cap: int = 10_000) -> None:
        super().__init__(object_list, per_page)
        self.cap = cap
        self.is_capped = False

    @cached_property
    def count(self) -> int:
        counted = self.object_list.order_by()[: self.cap + 1].count()
        self.is_capped = counted > self.cap
        return min(counted, self.cap)


@dataclass(frozen=True)
class AnswerRow:
    answer: Answer
    excerpt: str
    is_excerpt: bool
    themes: list[str]
    flags: list[Flag]
    campaign_id: int | None


EXCERPT_LENGTH = 300


def excerpt(text: str, length: int = EXCERPT_LENGTH) -> tuple[str, bool]:
    """The start of a text cut at a word boundary, and whether it was cut."""
    if len(text) <= length:
        return text, False
    cut = text[:length].rsplit(maxsplit=1)[0] if " " in text[:length] else text[:length]
    return cut.rstrip(" ,.;:"), True


def answer_rows(answers: list[Answer], themes_of: dict[int, list[str]], run: AnalysisRun | None) -> list[AnswerRow]:
    """A page of answers with their flags and campaign, in two queries; themes come from
    `queries_themes.answer_themes` for the same answers."""
    ids = [a.pk for a in answers]
    flags: dict[int, list[Flag]] = defaultdict(list)
    for flag in Flag.objects.filter(answer_id__in=ids).order_by("created_at"):
        flags[flag.answer_id].append(flag)
    campaign_of = (
        dict(
            CampaignMember.objects.filter(campaign__run=run, answer_id__in=ids).values_list(
                "answer_id", "campaign__key"
            )
        )
        if run is not None
        else {}
    )
    rows = []
    for answer in answers:
        text, is_cut = excerpt(answer.text)
        rows.append(
            AnswerRow(answer, text, is_cut, themes_of.get(answer.pk, []), flags[answer.pk], campaign_of.get(answer.pk))
        )
    return rows


def campaign_choices(run: AnalysisRun | None, chosen: str = "", limit: int = 100) -> list[tuple[int, str]]:
    """The latest run's largest campaigns for the drill-down's campaign filter, and the chosen
    one however small (a dashboard links to each campaign listed), in one query."""
    if run is None:
        return []
    is_chosen = ExpressionWrapper(Q(pk=int(chosen)) if chosen.isdigit() else Q(pk=None), output_field=BooleanField())
    rows = (
        Campaign.objects.filter(run=run)
        .order_by(is_chosen.desc(), "-member_count", "question__position", "key")
        .values_list("pk", "key", "question__position", "member_count")[:limit]
    )
    return [(pk, f"Question {position}, campaign {key} ({members} copies)") for pk, key, position, members in rows]


# --- One response -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ResponseAnswer:
    answer: Answer
    themes: list[str]
    flags: list[Flag]
    campaign: Campaign | None
    options: list[str] = field(default_factory=list)


def response_answers(
    response: Response, themes_of: dict[int, list[str]], run: AnalysisRun | None
) -> list[ResponseAnswer]:
    """Every answer of a response in question order, with its options, themes, flags and
    campaign in the latest run. Four queries."""
    answers = list(
        Answer.objects.filter(response=response)
        .select_related("question")
        .prefetch_related("options")
        .order_by("question__position")
    )
    ids = [a.pk for a in answers]
    flags: dict[int, list[Flag]] = defaultdict(list)
    for flag in Flag.objects.filter(answer_id__in=ids).order_by("created_at"):
        flags[flag.answer_id].append(flag)
    campaigns = {}
    if run is not None:
        for member in CampaignMember.objects.filter(campaign__run=run, answer_id__in=ids).select_related("campaign"):
            campaigns[member.answer_id] = member.campaign
    return [
        ResponseAnswer(
            answer,
            themes_of.get(answer.pk, []),
            flags[answer.pk],
            campaigns.get(answer.pk),
            [option.label for option in answer.options.all()],
        )
        for answer in answers
    ]


def mark_read(response: Response, user: User) -> None:
    """Remember that the official has read the response, for the drill-down's "unread" filter."""
    ResponseRead.objects.get_or_create(user=user, response=response)

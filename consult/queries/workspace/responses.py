"""Reads for the drill-down into responses and for one response in full.

The drill-down lists free-text answers of sent responses, filtered by theme, respondent, closed
answers, dates, campaign, flags, what the official has read, and full-text search, a page at a
time. Each filter is a column condition or an EXISTS on an indexed foreign key, and a page of rows
brings its flags, campaigns and themes in one query each, so the page costs the same at 100,000
responses as at ten.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlencode

from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db import connection
from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q, QuerySet, Subquery

from consult.models import (
    AnalysisRun,
    Answer,
    Campaign,
    CampaignMember,
    Consultation,
    Flag,
    Response,
    ResponseRead,
    SubThemeAssignment,
    ThemeAssignment,
    ThemeMapping,
    User,
)
from consult.queries.counting import latest_non_answer_decision
from consult.queries.themes import QuestionThemes, not_yet_placed_q

# The values of the "substance" filter: answers with something to say, or with nothing to say.
SUBSTANTIVE = "substantive"
NO_SUBSTANTIVE_ANSWER = "none"


@dataclass(frozen=True)
class AnswerFilters:
    """What the drill-down narrows answers by; every part is optional."""

    question_id: int | None = None
    theme_id: int | None = None
    no_theme: bool = False  # answers of the question that fit no theme in force
    sub_theme_id: int | None = None  # a sub-theme of the latest succeeded run (large questions)
    substance: str = ""  # SUBSTANTIVE, NO_SUBSTANTIVE_ANSWER, or "" for either
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
        Answer.objects.filter(question_id__in=question_ids, response__consultation=consultation)
        .submitted()
        .exclude(text="")
        .select_related("response", "response__organisation", "question")
    )
    if filters.question_id and (filters.theme_id or filters.no_theme):
        answers = answers.filter(_theme_condition(in_force, filters, run))
    if filters.question_id and filters.sub_theme_id:
        answers = answers.filter(
            Exists(SubThemeAssignment.objects.filter(answer=OuterRef("pk"), sub_theme_id=filters.sub_theme_id))
        )
    if filters.substance:
        # As the analysis pages count them: answers a moderator hid are in neither count.
        answers = answers.visible()
        answers = answers.non_answers() if filters.substance == NO_SUBSTANTIVE_ANSWER else answers.substantive()
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


def _theme_condition(in_force: dict[int, QuestionThemes], filters: AnswerFilters, run: AnalysisRun | None) -> Q:
    """Answers in the chosen theme in force, or in none of them. Answers with nothing to say fit
    no theme by design and are listed apart (the "substance" filter), as the counts have them; nor
    do answers that nothing has placed yet (`queries.themes.not_yet_placed_q`), as the counts
    have them too."""
    themes = in_force.get(filters.question_id) if filters.question_id else None
    if themes is None or themes.source is None:
        return Q(pk__in=[]) if filters.theme_id else Q()
    substantive = ~Answer.non_answer_q()
    placed = ~not_yet_placed_q(in_force, run)
    if themes.source == "reviewed":
        theme_ids = [t.id for t in themes.themes if not t.is_other]
        if filters.no_theme:
            return (
                substantive
                & placed
                & ~Q(Exists(ThemeMapping.objects.filter(answer=OuterRef("pk"), is_active=True, theme_id__in=theme_ids)))
            )
        return substantive & Q(
            Exists(ThemeMapping.objects.filter(answer=OuterRef("pk"), is_active=True, theme_id=filters.theme_id))
        )
    if filters.no_theme:
        return (
            substantive
            & placed
            & ~Q(Exists(ThemeAssignment.objects.filter(answer=OuterRef("pk"), theme__run_id=themes.run_id)))
        )
    return Q(Exists(ThemeAssignment.objects.filter(answer=OuterRef("pk"), theme_id=filters.theme_id)))


def search_answers(answers: QuerySet[Answer], words: str) -> QuerySet[Answer]:
    """Answers matching the words: PostgreSQL full-text search in English (stemmed, so "charges"
    finds "charging"), written as the expression migration 0003 indexes so its GIN index is used.
    Elsewhere (SQLite in development) a plain substring match."""
    if connection.vendor == "postgresql":
        return answers.alias(search=SearchVector("text", config="english")).filter(
            search=SearchQuery(words, search_type="websearch", config="english")
        )
    return answers.filter(text__icontains=words)


# --- Counting and paging ----------------------------------------------------------------------

# Counting matching answers stops here: counting 100,000 joined rows for every page costs more than
# the page itself. Paging does not stop there (see `answer_page`).
COUNT_CAP = 10_000
# Numbered page links each side of the current page.
PAGE_WINDOW = 2


def count_key(
    consultation: Consultation, filters: AnswerFilters, user: User, in_force: dict[int, QuestionThemes]
) -> str:
    """The cache key of a filter's count: the filters, whose themes are in force, officials' latest
    decision about a non-answer, and the official only when "unread" makes the count theirs."""
    themes = sorted((qid, qt.source, qt.run_id) for qid, qt in in_force.items())
    decision = latest_non_answer_decision(consultation)
    state = repr((filters, user.pk if filters.is_unread else None, themes, decision))
    return f"consult:drill:{consultation.pk}:{hashlib.sha256(state.encode()).hexdigest()[:24]}"


@dataclass(frozen=True)
class PagePosition:
    """Where a page of the drill-down starts, as its link says.

    `after` (or `before`) is a keyset cursor: the id of the answer just before (or after) the page,
    plus `skip` whole pages, so Next, Previous and the numbered pages near the current one cost
    the same at any depth. Without a cursor, page `number` is found by counting rows from the
    nearer end of the list. `number` is only what the page is called; None when not known (the
    oldest answers of a list too long to count)."""

    number: int | None = 1
    after: int | None = None
    before: int | None = None
    skip: int = 0


@dataclass(frozen=True)
class PageLink:
    number: int | None  # None for an ellipsis
    href: str = ""
    is_current: bool = False


@dataclass
class AnswerPage:
    answers: list[Answer]
    number: int | None
    count: int
    is_capped: bool
    per_page: int
    has_previous: bool
    has_next: bool
    query_string: str = ""  # the filters, without any page parameters
    first_id: int | None = None
    last_id: int | None = None

    @property
    def start_index(self) -> int | None:
        return None if self.number is None else (self.number - 1) * self.per_page + 1

    @property
    def end_index(self) -> int | None:
        return None if self.number is None else (self.number - 1) * self.per_page + len(self.answers)

    @property
    def last_counted(self) -> int:
        """The last page the count reaches."""
        return max(1, -(-self.count // self.per_page))

    def href(self, **params: int | None) -> str:
        """A link to another page with the same filters; the page parameters come last."""
        page_part = urlencode({name: value for name, value in params.items() if value is not None})
        return "?" + "&".join(part for part in (self.query_string, page_part) if part)

    @property
    def previous_href(self) -> str:
        if not self.has_previous:
            return ""
        if self.number == 2:
            return self.href(page=1)
        return self.href(page=self.number - 1 if self.number else None, before=self.first_id)

    @property
    def next_href(self) -> str:
        if not self.has_next:
            return ""
        return self.href(page=self.number + 1 if self.number else None, after=self.last_id)

    @property
    def links(self) -> list[PageLink]:
        """Numbered links: the first page, the pages within PAGE_WINDOW of this one, and the
        last page when the count reaches it, with ellipses between."""
        if self.number is None:
            return [PageLink(1, self.href(page=1)), PageLink(None)]
        n, links = self.number, []
        lowest = max(1, n - PAGE_WINDOW)
        if lowest > 1:
            links.append(PageLink(1, self.href(page=1)))
            if lowest > 2:
                links.append(PageLink(None))
        for number in range(lowest, n):
            skip = n - number - 1
            href = self.href(page=1) if number == 1 else self.href(page=number, before=self.first_id, skip=skip or None)
            links.append(PageLink(number, href))
        links.append(PageLink(n, self.href(page=n), is_current=True))
        highest = n
        for step in range(1, PAGE_WINDOW + 1):
            exists = n + step <= self.last_counted or (step == 1 and self.has_next)
            if not exists or not self.has_next:
                break
            highest = n + step
            links.append(PageLink(highest, self.href(page=highest, after=self.last_id, skip=step - 1 or None)))
        if self.is_capped:
            if self.has_next and highest > n:
                links.append(PageLink(None))
        elif highest < self.last_counted:
            if highest < self.last_counted - 1:
                links.append(PageLink(None))
            links.append(PageLink(self.last_counted, self.href(page=self.last_counted)))
        return links


def _after(answers: QuerySet[Answer], answer_id: int) -> QuerySet[Answer]:
    """Answers listed after the given one (newest first). The bound on the date alone lets the
    database start its walk of the responses' date index there."""
    at = Subquery(Answer.objects.filter(pk=answer_id).values("response__submitted_at")[:1])
    return answers.filter(response__submitted_at__lte=at).filter(Q(response__submitted_at__lt=at) | Q(pk__lt=answer_id))


def _before(answers: QuerySet[Answer], answer_id: int) -> QuerySet[Answer]:
    """Answers listed before the given one, nearest first (oldest first)."""
    at = Subquery(Answer.objects.filter(pk=answer_id).values("response__submitted_at")[:1])
    return (
        answers.filter(response__submitted_at__gte=at)
        .filter(Q(response__submitted_at__gt=at) | Q(pk__gt=answer_id))
        .reverse()
    )


def answer_page(
    answers: QuerySet[Answer],
    position: PagePosition,
    counted: tuple[int, bool],
    per_page: int,
    query_string: str = "",
) -> AnswerPage:
    """One page of `answers` (ordered newest first) at `position`, in one query.

    No page costs more than walking from the nearer end of the list to it: links carry a cursor,
    and a page named only by its number (page 1, the last page, an old bookmark) is counted from
    whichever end is nearer. A number past what the count reached shows the oldest answers.
    """
    count, is_capped = counted
    size, start = per_page + 1, position.skip * per_page
    if position.after is not None:
        rows = list(_after(answers, position.after)[start : start + size])
        has_next, has_previous = len(rows) > per_page, True
        rows, number = rows[:per_page], position.number
    elif position.before is not None:
        rows = list(_before(answers, position.before)[start : start + size])
        has_previous, has_next = len(rows) > per_page, True
        rows = rows[:per_page][::-1]
        number = position.number if has_previous else 1
    else:
        last = max(1, -(-count // per_page))
        number = max(1, position.number or 1)
        if is_capped and number > last:
            # Past the counted pages: the end of the list, however far that is.
            rows = list(answers.reverse()[:size])
            has_previous, has_next, number = len(rows) > per_page, False, None
            rows = rows[:per_page][::-1]
        else:
            number = min(number, last)
            after_page = count - number * per_page  # rows listed after this page
            if not is_capped and after_page < (number - 1) * per_page:
                offset = max(after_page, 0)
                take = min(per_page, count - (number - 1) * per_page)
                rows = list(answers.reverse()[offset : offset + take])[::-1]
                has_next = number < last
            else:
                rows = list(answers[(number - 1) * per_page : number * per_page + 1])
                has_next = len(rows) > per_page
                rows = rows[:per_page]
            has_previous = number > 1
    return AnswerPage(
        answers=rows,
        number=number,
        count=count,
        is_capped=is_capped,
        per_page=per_page,
        has_previous=has_previous and bool(rows),
        has_next=has_next and bool(rows),
        query_string=query_string,
        first_id=rows[0].pk if rows else None,
        last_id=rows[-1].pk if rows else None,
    )


@dataclass(frozen=True)
class AnswerRow:
    answer: Answer
    excerpt: str
    is_excerpt: bool
    themes: list[str]
    flags: list[Flag]
    campaign_id: int | None
    is_not_analysed: bool = False  # in no theme because nothing has placed it yet (`answers_not_yet_placed`)


EXCERPT_LENGTH = 300


def excerpt(text: str, length: int = EXCERPT_LENGTH) -> tuple[str, bool]:
    """The start of a text cut at a word boundary, and whether it was cut."""
    if len(text) <= length:
        return text, False
    cut = text[:length].rsplit(maxsplit=1)[0] if " " in text[:length] else text[:length]
    return cut.rstrip(" ,.;:"), True


def answer_rows(
    answers: list[Answer],
    themes_of: dict[int, list[str]],
    run: AnalysisRun | None,
    not_analysed: set[int] | frozenset[int] = frozenset(),
) -> list[AnswerRow]:
    """A page of answers with their flags and campaign, in two queries; themes come from
    `queries.themes.answer_themes` for the same answers, and which of them nothing has placed yet
    from `queries.themes.answers_not_yet_placed`."""
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
            AnswerRow(
                answer,
                text,
                is_cut,
                themes_of.get(answer.pk, []),
                flags[answer.pk],
                campaign_of.get(answer.pk),
                answer.pk in not_analysed,
            )
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
    is_not_analysed: bool = False  # in no theme because nothing has placed it yet
    sub_theme: str = ""  # the label of its sub-theme, in a large question (`queries.workspace.sub_themes`)


def response_answers(
    response: Response,
    themes_of: dict[int, list[str]],
    run: AnalysisRun | None,
    not_analysed: set[int] | frozenset[int] = frozenset(),
    sub_themes_of: dict[int, str] | None = None,
) -> list[ResponseAnswer]:
    """Every answer of a response in question order, with its options, themes (or that nothing
    has placed it yet) and sub-theme, flags and campaign in the latest run. Four queries."""
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
            answer.pk in not_analysed,
            (sub_themes_of or {}).get(answer.pk, ""),
        )
        for answer in answers
    ]

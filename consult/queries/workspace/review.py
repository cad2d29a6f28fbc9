"""Reads for the review pages: each question's review state, a theme set with its evidence, and
one response's themes with who placed it in each."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils.translation import gettext

from consult.analysis.mapping import AccuracyEstimate, estimate_accuracy
from consult.models import (
    AnalysisRun,
    Answer,
    Consultation,
    MappingCheck,
    Question,
    Response,
    ReviewTheme,
    SubTheme,
    SubThemeAssignment,
    Theme,
    ThemeAssignment,
    ThemeMapping,
    ThemeSet,
)
from consult.queries.themes import MappingChanges, answer_themes, is_reviewed_in_force, mapping_changes
from consult.queries.workspace.sub_themes import ReviewSubTheme, review_sub_themes

QUOTES_PER_THEME = 3
SPLIT_CHOICES = 50


def review_state(theme_set: ThemeSet | None) -> tuple[str, str]:
    """The review state of a question, in words, with the GOV.UK tag colour that shows it."""
    if theme_set is None:
        return "Not started", "govuk-tag--grey"
    if not theme_set.is_signed_off:
        return "In review", "govuk-tag--blue"
    if theme_set.mapping_status == ThemeSet.MappingStatus.DONE:
        return "Mapped", "govuk-tag--green"
    if theme_set.mapping_status == ThemeSet.MappingStatus.FAILED:
        return "Mapping failed", "govuk-tag--red"
    return "Signed off, mapping", "govuk-tag--yellow"


@dataclass(frozen=True)
class QuestionReview:
    question: Question
    theme_set: ThemeSet | None
    state: str
    tag_class: str
    changes: MappingChanges | None


def review_overview(consultation: Consultation) -> list[QuestionReview]:
    """Each free-text question with its review state and, once mapped, the share of the AI's
    assignments officials changed."""
    questions = list(consultation.questions.filter(kind=Question.Kind.FREE_TEXT).order_by("position"))
    theme_sets = {ts.question_id: ts for ts in ThemeSet.objects.filter(question__in=questions)}
    changes = mapping_changes(consultation)
    rows = []
    for question in questions:
        theme_set = theme_sets.get(question.pk)
        state, tag_class = review_state(theme_set)
        mapped = theme_set is not None and theme_set.mapping_status == ThemeSet.MappingStatus.DONE
        rows.append(QuestionReview(question, theme_set, state, tag_class, changes.get(question.pk) if mapped else None))
    return rows


def _candidate_members(theme_ids: list[int]) -> dict[int, set[int]]:
    """The members of the AI candidates each reviewed theme came from, keyed by theme id: its
    candidate themes' and the sub-themes an official added as themes (`sub_theme_candidates`)."""
    members: dict[int, set[int]] = {theme_id: set() for theme_id in theme_ids}
    candidate_of: dict[int, list[int]] = defaultdict(list)
    links = ReviewTheme.candidates.through.objects.filter(reviewtheme_id__in=members)
    for theme_id, candidate_id in links.values_list("reviewtheme_id", "theme_id"):
        candidate_of[candidate_id].append(theme_id)
    assignments = ThemeAssignment.objects.filter(theme_id__in=candidate_of).values_list("theme_id", "answer_id")
    for candidate_id, answer_id in assignments:
        for theme_id in candidate_of[candidate_id]:
            members[theme_id].add(answer_id)
    sub_theme_of: dict[int, list[int]] = defaultdict(list)
    sub_links = ReviewTheme.sub_theme_candidates.through.objects.filter(reviewtheme_id__in=members)
    for theme_id, sub_theme_id in sub_links.values_list("reviewtheme_id", "subtheme_id"):
        sub_theme_of[sub_theme_id].append(theme_id)
    if sub_theme_of:
        rows = SubThemeAssignment.objects.filter(sub_theme_id__in=sub_theme_of).values_list("sub_theme_id", "answer_id")
        for sub_theme_id, answer_id in rows:
            for theme_id in sub_theme_of[sub_theme_id]:
                members[theme_id].add(answer_id)
    return members


def theme_members(themes: list[ReviewTheme]) -> dict[int, set[int]]:
    """The answers each reviewed theme holds as evidence, keyed by theme id: the members of the
    AI candidates it came from and the answers placed in it, less those an official took out."""
    members = _candidate_members([theme.pk for theme in themes])
    taken_out: dict[int, set[int]] = defaultdict(set)
    rows = ThemeMapping.objects.filter(theme_id__in=members).values_list(
        "theme_id", "answer_id", "is_active", "removed_by"
    )
    for theme_id, answer_id, is_active, removed_by in rows:
        if is_active:
            members[theme_id].add(answer_id)
        elif removed_by is not None:
            taken_out[theme_id].add(answer_id)
    return {theme_id: answers - taken_out[theme_id] for theme_id, answers in members.items()}


@dataclass(frozen=True)
class ThemeEvidenceIds:
    """What officials said about one reviewed theme, as answer ids: `positives` belong in it,
    `negatives` do not."""

    positives: frozenset[int]
    negatives: frozenset[int]


def mapping_evidence(theme_set: ThemeSet, themes: list[ReviewTheme]) -> dict[int, ThemeEvidenceIds]:
    """The evidence the mapping learns from, per reviewed theme (docs/decisions/0004).

    Positives: the members of the AI candidates the theme came from, answers an official placed
    in it (a move, a split, a framework's example) and answers a check said belong in it.
    Negatives: answers an official took out of it, and answers a check said do not belong in it
    although the mapping had proposed it. The rows hold the latest word (a check's decision is
    applied as rows), so where a check and a row disagree, the row wins. AI rows are not evidence:
    the mapping would learn only from itself.
    """
    ids = [theme.pk for theme in themes]
    positives = _candidate_members(ids)
    negatives: dict[int, set[int]] = {theme_id: set() for theme_id in ids}
    decided = MappingCheck.objects.filter(theme_set=theme_set, decided_theme_ids__isnull=False)
    for answer_id, proposed, chosen in decided.values_list("answer_id", "proposed_theme_ids", "decided_theme_ids"):
        for theme_id in chosen:
            if theme_id in positives:
                positives[theme_id].add(answer_id)
        for theme_id in set(proposed) - set(chosen):
            if theme_id in negatives:
                negatives[theme_id].add(answer_id)
                positives[theme_id].discard(answer_id)
    rows = ThemeMapping.objects.filter(theme_id__in=ids).filter(
        Q(source=ThemeMapping.Source.OFFICIAL, is_active=True) | Q(removed_by__isnull=False)
    )
    for theme_id, answer_id, is_active in rows.values_list("theme_id", "answer_id", "is_active"):
        if is_active:
            positives[theme_id].add(answer_id)
            negatives[theme_id].discard(answer_id)
        else:
            negatives[theme_id].add(answer_id)
            positives[theme_id].discard(answer_id)
    return {
        theme_id: ThemeEvidenceIds(frozenset(positives[theme_id]), frozenset(negatives[theme_id])) for theme_id in ids
    }


@dataclass(frozen=True)
class Quote:
    answer_id: int
    text: str
    reference: str


@dataclass
class ThemeRow:
    theme: ReviewTheme
    candidate_labels: list[str]
    sub_theme_labels: list[str]  # the AI's sub-themes an official added it from
    member_count: int  # answers held as evidence (candidates' members and answers moved in)
    mapped_count: int | None  # answers the mapping placed here, once mapped
    quotes: list[Quote] = field(default_factory=list)
    # The run's sub-themes inside its candidates (under Other: among answers that fit no theme).
    sub_themes: list[ReviewSubTheme] = field(default_factory=list)


@dataclass
class ThemeSetPage:
    theme_set: ThemeSet
    rows: list[ThemeRow]
    answer_count: int
    newer_run: AnalysisRun | None  # a succeeded run newer than the set's source
    accuracy: str = ""  # measured from spot checks, in words, once the set is signed off
    open_check_count: int = 0  # answers the mapping asked officials to check


def theme_set_page(theme_set: ThemeSet) -> ThemeSetPage:
    """A theme set's themes with the real answers behind each: counts and quotes."""
    question = theme_set.question
    themes = list(
        theme_set.themes.prefetch_related("candidates", "sub_theme_candidates").order_by("is_other", "position", "pk")
    )
    counted = set(Answer.objects.filter(question=question).counted().values_list("pk", flat=True))
    members = theme_members(themes)
    mapped: dict[int, int] = {}
    if theme_set.mapping_status == ThemeSet.MappingStatus.DONE:
        counts = (
            ReviewTheme.objects.filter(theme_set=theme_set)
            .annotate(
                n=Count(
                    "mappings",
                    filter=Q(mappings__is_active=True) & Answer.counted_q("mappings__answer__"),
                )
            )
            .values_list("pk", "n")
        )
        mapped = dict(counts)

    # Quotes: the candidates' representatives first (the answers nearest each AI theme's centre),
    # then answers officials moved in, never an answer taken out, hidden or withdrawn.
    representatives: dict[int, list[int]] = defaultdict(list)
    through = Theme.representatives.through.objects.filter(theme__review_themes__theme_set=theme_set)
    candidate_themes: dict[int, list[int]] = defaultdict(list)
    for theme in themes:
        for candidate in theme.candidates.all():
            candidate_themes[candidate.pk].append(theme.pk)
    for candidate_id, answer_id in through.order_by("pk").values_list("theme_id", "answer_id"):
        for theme_id in candidate_themes[candidate_id]:
            representatives[theme_id].append(answer_id)
    # A theme added from a sub-theme is quoted from the sub-theme's representatives.
    for theme_id, answer_id in (
        SubTheme.representatives.through.objects.filter(subtheme__review_themes__theme_set=theme_set)
        .order_by("pk")
        .values_list("subtheme__review_themes", "answer_id")
    ):
        representatives[theme_id].append(answer_id)
    moved_in = defaultdict(list)
    for theme_id, answer_id in (
        ThemeMapping.objects.filter(theme__theme_set=theme_set, is_active=True, source=ThemeMapping.Source.OFFICIAL)
        .order_by("pk")
        .values_list("theme_id", "answer_id")
    ):
        moved_in[theme_id].append(answer_id)
    chosen: dict[int, list[int]] = {}
    for theme in themes:
        ids = [a for a in dict.fromkeys(representatives[theme.pk] + moved_in[theme.pk]) if a in counted]
        chosen[theme.pk] = [a for a in ids if a in members[theme.pk]][:QUOTES_PER_THEME]
    quote_ids = {a for ids in chosen.values() for a in ids}
    texts = {
        pk: Quote(pk, text, reference)
        for pk, text, reference in Answer.objects.filter(pk__in=quote_ids).values_list(
            "pk", "text", "response__reference"
        )
    }
    sub_themes = review_sub_themes(theme_set, themes)
    rows = [
        ThemeRow(
            theme=theme,
            candidate_labels=[c.label for c in theme.candidates.all()],
            sub_theme_labels=[c.label for c in theme.sub_theme_candidates.all()],
            member_count=len(members[theme.pk] & counted),
            mapped_count=mapped.get(theme.pk) if mapped else None,
            quotes=[texts[a] for a in chosen[theme.pk]],
            sub_themes=sub_themes[theme.pk],
        )
        for theme in themes
    ]
    latest = AnalysisRun.objects.latest_succeeded_for(question.consultation)
    newer = latest if latest is not None and latest.pk != theme_set.source_run_id else None
    page = ThemeSetPage(theme_set, rows, len(counted), newer)
    if theme_set.is_signed_off:
        page.accuracy = accuracy_sentence(mapping_accuracy([question.pk])[question.pk])
        page.open_check_count = len(open_checks(theme_set))
    return page


def split_choices(theme: ReviewTheme) -> tuple[list[Quote], int]:
    """Member answers of a theme an official may move into a new theme: its representatives
    first, then the rest in the order they arrived, at most SPLIT_CHOICES; and how many there are."""
    question = theme.theme_set.question
    members = theme_members([theme])[theme.pk]
    counted = Answer.objects.filter(question=question, pk__in=members).counted()
    total = counted.count()
    representatives = list(
        Theme.representatives.through.objects.filter(theme__review_themes=theme).values_list("answer_id", flat=True)
    )
    first = list(counted.filter(pk__in=representatives).order_by("pk").values_list("pk", "text", "response__reference"))
    rest = list(
        counted.exclude(pk__in=representatives)
        .order_by("pk")
        .values_list("pk", "text", "response__reference")[: max(SPLIT_CHOICES - len(first), 0)]
    )
    return [Quote(*row) for row in (first + rest)[:SPLIT_CHOICES]], total


@dataclass(frozen=True)
class PlacedTheme:
    theme_id: int
    label: str
    source: str  # "ai" or "official"
    similarity: float | None
    is_other: bool


@dataclass
class AnswerThemes:
    """One answer's themes in force, and for reviewed themes who placed it in each."""

    question: Question
    answer: Answer | None
    is_reviewed: bool
    labels: list[str]  # the themes in force, when they are the run's candidates
    placed: list[PlacedTheme] = field(default_factory=list)
    ai_original: list[PlacedTheme] = field(default_factory=list)  # every theme the AI put it in
    addable: list[ReviewTheme] = field(default_factory=list)
    theme_set: ThemeSet | None = None


def response_themes(response: Response) -> list[AnswerThemes]:
    """For each free-text question, the response's answer with its themes in force."""
    consultation = response.consultation
    questions = list(consultation.questions.filter(kind=Question.Kind.FREE_TEXT).order_by("position"))
    answers = {a.question_id: a for a in response.answers.filter(question__in=questions)}
    theme_sets = {ts.question_id: ts for ts in ThemeSet.objects.filter(question__in=questions)}
    labels = answer_themes(consultation, [a.pk for a in answers.values()])
    rows_by_answer: dict[int, list[ThemeMapping]] = defaultdict(list)
    for row in (
        ThemeMapping.objects.filter(answer__in=answers.values())
        .select_related("theme")
        .order_by("theme__is_other", "theme__position")
    ):
        rows_by_answer[row.answer_id].append(row)
    result = []
    for question in questions:
        answer = answers.get(question.pk)
        theme_set = theme_sets.get(question.pk)
        reviewed = is_reviewed_in_force(theme_set)
        item = AnswerThemes(
            question, answer, reviewed, labels.get(answer.pk, []) if answer else [], theme_set=theme_set
        )
        if answer is not None and reviewed and theme_set is not None:
            rows = rows_by_answer[answer.pk]
            for row in rows:
                placed = PlacedTheme(row.theme_id, row.theme.label, row.source, row.similarity, row.theme.is_other)
                if row.is_active:
                    item.placed.append(placed)
                # What the AI assigned in the mapping in force: rows a later mapping superseded
                # (inactive, removed by nobody) belong to an earlier reading of the themes.
                if row.source == ThemeMapping.Source.AI and (row.is_active or row.removed_by_id is not None):
                    item.ai_original.append(placed)
            active = {p.theme_id for p in item.placed}
            item.addable = [t for t in theme_set.themes.order_by("is_other", "position") if t.pk not in active]
        result.append(item)
    return result


# --- How the mapping did ------------------------------------------------------------------------


@dataclass(frozen=True)
class MappingTotals:
    mapped: int  # answers in at least one theme (Other included)
    in_other: int

    @property
    def other_share(self) -> float:
        return self.in_other / self.mapped if self.mapped else 0.0


def mapping_totals(theme_set: ThemeSet) -> MappingTotals:
    """How many counted answers the set's themes hold, and how many of them are in Other."""
    rows = ThemeMapping.objects.filter(Answer.counted_q("answer__"), theme__theme_set=theme_set, is_active=True)
    mapped = rows.values("answer_id").distinct().count()
    in_other = rows.filter(theme__is_other=True).values("answer_id").distinct().count()
    return MappingTotals(mapped, in_other)


def mapping_accuracy(question_ids: list[int]) -> dict[int, AccuracyEstimate | None]:
    """Per question, the mapping's accuracy as officials' spot checks of answers drawn at random
    measured it (None before any was checked). Checks of the answers it was least sure of are
    left out: they would make it look worse than it is."""
    outcomes: dict[int, list[bool]] = {question_id: [] for question_id in question_ids}
    checked = MappingCheck.objects.filter(
        theme_set__question_id__in=question_ids, reason=MappingCheck.Reason.RANDOM, is_correct__isnull=False
    )
    for question_id, is_correct in checked.order_by("pk").values_list("theme_set__question_id", "is_correct"):
        outcomes[question_id].append(is_correct)
    return {question_id: estimate_accuracy(found) for question_id, found in outcomes.items()}


def accuracy_sentence(estimate: AccuracyEstimate | None) -> str:
    """The accuracy in words, for officials and the published method note."""
    if estimate is None:
        return gettext(
            "The mapping's accuracy has not been measured yet: officials have not checked any answers drawn at random."
        )
    return gettext(
        "The mapping agreed with officials on %(correct)s of %(checked)s answers checked at random: %(accuracy)s "
        "(95%% interval %(low)s–%(high)s)."  # noqa: RUF001 (an en dash between figures, as GOV.UK writes ranges)
    ) % {
        "correct": f"{estimate.correct:,}",
        "checked": f"{estimate.checked:,}",
        "accuracy": f"{estimate.accuracy:.0%}",
        "low": f"{estimate.low:.0%}",
        "high": f"{estimate.high:.0%}",
    }


@dataclass(frozen=True)
class OpenCheck:
    check: MappingCheck
    text: str
    reference: str


def open_checks(theme_set: ThemeSet) -> list[OpenCheck]:
    """The answers the mapping asked officials to check and nobody has yet, least sure first,
    then those drawn at random; answers hidden, withdrawn or emptied since are left out."""
    checks = (
        MappingCheck.objects.filter(theme_set=theme_set, decided_theme_ids__isnull=True)
        .filter(Answer.counted_q("answer__"))
        .exclude(answer__text="")
        .select_related("answer__response")
        .order_by("-reason", "confidence", "pk")
    )
    return [OpenCheck(check, check.answer.text, check.answer.response.reference) for check in checks]

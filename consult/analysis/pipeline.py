"""One question's analysis from redacted answers and their embeddings to labelled themes, campaigns
and a cited summary; and the consultation's summary over all its questions."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from consult.analysis import sampling
from consult.analysis.campaigns import find_campaigns
from consult.analysis.clustering import unit_rows
from consult.analysis.llm import LanguageModel, label_themes, summarise
from consult.analysis.themes import DEFAULT_MAX_THEMES, assign_answers, discover_themes
from consult.analysis.types import AnswerText, Assignment, Campaign, Summary, Theme, Usage

Progress = Callable[[str], None]


@dataclass(frozen=True)
class QuestionInput:
    question_id: int
    text: str
    answers: list[AnswerText]
    embeddings: np.ndarray
    # When the question explains an agreement-scale question: each answer's point on the scale.
    agreement: Mapping[int, int] = field(default_factory=dict)


@dataclass
class QuestionResult:
    question_id: int
    themes: list[Theme]
    assignments: list[Assignment]
    campaigns: list[Campaign]
    summary: Summary
    centroids: np.ndarray
    thresholds: list[float]
    counts: dict[int, int]
    campaign_once_counts: dict[int, int]
    agreement_counts: dict[int, dict[int, int]]
    usage: Usage
    timings: dict[str, float]


@dataclass
class Discovery:
    """What one question's answers hold, before every answer is placed: its campaigns, its themes
    (found on the sample, labelled) and what placing the other answers needs.

    `sample_ids` are the originals the themes were found on (every original when the question is
    clustered whole, `sample_rate` 1.0), with their themes in `sample_assignments`. The other
    originals are placed by `place` with `centroids`, `thresholds` (lowered, for a sample, to the
    bar the sample's own answers cleared) and `secondary_margin`; a campaign copy takes its
    original's themes.
    """

    campaigns: list[Campaign]
    copy_of: dict[int, int]
    themes: list[Theme]
    sample_ids: list[int]
    sample_assignments: list[Assignment]
    sample_rate: float
    centroids: np.ndarray
    thresholds: np.ndarray
    secondary_margin: float
    usage: Usage
    timings: dict[str, float]

    @property
    def keys(self) -> list[int]:
        return [theme.key for theme in self.themes]

    def place(self, vectors: np.ndarray) -> list[list[int]]:
        """The theme keys of answers outside the sample, primary first, from their embeddings."""
        if not len(vectors):
            return []
        return assign_answers(
            self.centroids,
            vectors,
            thresholds=self.thresholds,
            keys=self.keys,
            secondary_margin=self.secondary_margin,
        )


def discover_question(
    question_text: str,
    answer_ids: Sequence[int],
    campaigns: list[Campaign],
    texts_of: Callable[[list[int]], list[AnswerText]],
    vectors_of: Callable[[list[int]], np.ndarray],
    *,
    model: LanguageModel | None,
    max_themes: int = DEFAULT_MAX_THEMES,
    seed: int = 42,
    progress: Progress = lambda stage: None,
    encode: Callable[[list[str]], np.ndarray] | None = None,
) -> Discovery:
    """Discover themes on the originals among `answer_ids` (all of them, or a sample growing with
    their number: `sampling`), and label the themes.

    Copies in `campaigns` (`find_campaigns`, or a run's scans `combine`d) are left out of theme
    discovery so that a mass campaign cannot crowd out the answers people wrote themselves.
    `texts_of` and `vectors_of` give the texts and embeddings of the answers with the given ids,
    in that order: only the sample's are asked for, so a million answers' texts and vectors are
    never held at once. `encode` (the embedder's) lets offline labels be chosen by closeness to
    each theme's centre.
    """
    timings: dict[str, float] = {}
    copy_of = {
        member: campaign.canonical_id
        for campaign in campaigns
        for member in campaign.member_ids
        if member != campaign.canonical_id
    }

    progress("themes")
    started = time.perf_counter()
    originals = np.array([answer_id for answer_id in answer_ids if answer_id not in copy_of], dtype=np.int64)
    rate = sampling.sample_rate(len(originals))
    sample = texts_of(originals[sampling.in_sample(originals, rate, seed)].tolist())
    vectors = np.asarray(vectors_of([answer.id for answer in sample]), dtype=np.float32)
    if not len(sample):
        vectors = vectors.reshape(0, vectors.shape[-1] if vectors.ndim == 2 else 0)
    theme_model = discover_themes(
        sample,
        vectors,
        max_themes=max_themes,
        seed=seed,
        encode=encode,
        fit_sample_size=max(len(sample), sampling.FULL_CLUSTERING),
    )
    thresholds = np.asarray(theme_model.thresholds, dtype=np.float32)
    if rate < 1.0 and len(theme_model.centroids):
        similarity = unit_rows(vectors) @ theme_model.centroids.T
        placed = np.array([bool(a.theme_keys) for a in theme_model.assignments], dtype=bool)
        thresholds = thresholds + sampling.placement_slack(similarity, thresholds, placed)
    timings["themes"] = time.perf_counter() - started

    progress("labels")
    started = time.perf_counter()
    sample_by_id = {answer.id: answer for answer in sample}
    themes, usage = label_themes(
        model,
        question_text,
        theme_model.themes,
        sample_by_id,
        vectors={answer.id: vectors[index] for index, answer in enumerate(sample)},
        encode=encode,
    )
    timings["labels"] = time.perf_counter() - started
    return Discovery(
        campaigns=campaigns,
        copy_of=copy_of,
        themes=themes,
        sample_ids=[answer.id for answer in sample],
        sample_assignments=theme_model.assignments,
        sample_rate=rate,
        centroids=theme_model.centroids,
        thresholds=thresholds,
        secondary_margin=theme_model.secondary_margin,
        usage=usage,
        timings=timings,
    )


def analyse_question(
    question: QuestionInput,
    *,
    model: LanguageModel | None,
    max_themes: int = DEFAULT_MAX_THEMES,
    seed: int = 42,
    count_campaigns_once: bool = True,
    progress: Progress = lambda stage: None,
    encode: Callable[[list[str]], np.ndarray] | None = None,
) -> QuestionResult:
    """One question's whole analysis in one process, its answers and embeddings in memory: find
    campaigns, discover and label themes (`discover_question`), place every answer, count and
    summarise. Campaign copies take their original's themes and are counted once, or every copy
    (both counts are returned). The analysis runs of the service do the same in pieces spread over
    the workers (`consult.services.run_chunks`).
    """
    row_of = {answer.id: index for index, answer in enumerate(question.answers)}
    started = time.perf_counter()
    progress("campaigns")
    campaigns = find_campaigns(question.answers)
    campaign_seconds = time.perf_counter() - started
    discovery = discover_question(
        question.text,
        [answer.id for answer in question.answers],
        campaigns,
        lambda ids: [question.answers[row_of[i]] for i in ids],
        lambda ids: question.embeddings[[row_of[i] for i in ids]] if ids else question.embeddings[:0],
        model=model,
        max_themes=max_themes,
        seed=seed,
        progress=progress,
        encode=encode,
    )
    timings = {"campaigns": campaign_seconds, **discovery.timings}
    started = time.perf_counter()
    by_answer = {assignment.answer_id: assignment.theme_keys for assignment in discovery.sample_assignments}
    rest = [
        answer.id for answer in question.answers if answer.id not in by_answer and answer.id not in discovery.copy_of
    ]
    rest_vectors = question.embeddings[[row_of[i] for i in rest]] if rest else question.embeddings[:0]
    by_answer.update(zip(rest, discovery.place(rest_vectors), strict=True))
    copy_of = discovery.copy_of
    assignments = [
        Assignment(answer.id, list(by_answer.get(copy_of.get(answer.id, answer.id), []))) for answer in question.answers
    ]
    timings["placing"] = time.perf_counter() - started
    counts, once_counts = _theme_counts(assignments, copy_of)
    agreement_counts = _agreement_counts(assignments, question.agreement)
    answers_by_id = {answer.id: answer for answer in question.answers}

    progress("summaries")
    started = time.perf_counter()
    # The summary's figures match the counts officials see: each campaign once, or every copy.
    if count_campaigns_once:
        summary_answers = {key: answer for key, answer in answers_by_id.items() if key not in copy_of}
        summary_counts = once_counts
    else:
        summary_answers, summary_counts = answers_by_id, counts
    summary, summary_usage = summarise(model, question.text, discovery.themes, summary_answers, counts=summary_counts)
    timings["summaries"] = time.perf_counter() - started

    return QuestionResult(
        question_id=question.question_id,
        themes=discovery.themes,
        assignments=assignments,
        campaigns=discovery.campaigns,
        summary=summary,
        centroids=discovery.centroids,
        thresholds=list(discovery.thresholds),
        counts=counts,
        campaign_once_counts=once_counts,
        agreement_counts=agreement_counts,
        usage=discovery.usage + summary_usage,
        timings=timings,
    )


def _theme_counts(assignments: list[Assignment], copy_of: Mapping[int, int]) -> tuple[dict[int, int], dict[int, int]]:
    every_copy: Counter[int] = Counter()
    campaign_once: Counter[int] = Counter()
    for assignment in assignments:
        for key in assignment.theme_keys:
            every_copy[key] += 1
            if assignment.answer_id not in copy_of:
                campaign_once[key] += 1
    return dict(every_copy), dict(campaign_once)


def _agreement_counts(assignments: list[Assignment], agreement: Mapping[int, int]) -> dict[int, dict[int, int]]:
    """For each theme, how its members answered the agreement question this one explains."""
    if not agreement:
        return {}
    counts: dict[int, Counter[int]] = {}
    for assignment in assignments:
        point = agreement.get(assignment.answer_id)
        if point is None:
            continue
        for key in assignment.theme_keys:
            counts.setdefault(key, Counter())[point] += 1
    return {key: dict(counter) for key, counter in counts.items()}


def summarise_consultation(
    title: str,
    results: list[QuestionResult],
    answers: Mapping[int, AnswerText],
    *,
    model: LanguageModel | None,
    count_campaigns_once: bool = True,
) -> tuple[Summary, Usage]:
    """The consultation's summary, from the themes of all its questions (not from every answer),
    its figures counting each campaign once or every copy, as the questions' own counts do."""
    if count_campaigns_once:
        copies = {
            member
            for result in results
            for campaign in result.campaigns
            for member in campaign.member_ids
            if member != campaign.canonical_id
        }
        answers = {key: answer for key, answer in answers.items() if key not in copies}
    return summarise_questions(
        title,
        [(result.themes, result.campaign_once_counts if count_campaigns_once else result.counts) for result in results],
        answers,
        model=model,
    )


def summarise_questions(
    title: str,
    questions: list[tuple[list[Theme], Mapping[int, int]]],
    answers: Mapping[int, AnswerText],
    *,
    model: LanguageModel | None,
    total: int | None = None,
) -> tuple[Summary, Usage]:
    """The consultation's summary from each question's themes and their counts. `answers` holds
    the answers the summary may quote; `total`, when given, is how many there are in all (of which
    `answers` is a sample, for large questions)."""
    themes: list[Theme] = []
    counts: dict[int, int] = {}
    # Theme keys restart at 1 in each question: give them consultation-wide keys for the summary.
    for question_themes, question_counts in questions:
        for theme in question_themes:
            key = len(themes) + 1
            themes.append(
                Theme(
                    key=key,
                    keywords=theme.keywords,
                    member_ids=theme.member_ids,
                    representative_ids=theme.representative_ids,
                    label=theme.label,
                    description=theme.description,
                    label_source=theme.label_source,
                )
            )
            counts[key] = question_counts.get(theme.key, 0)
    return summarise(model, title, themes, answers, counts=counts, total=total)

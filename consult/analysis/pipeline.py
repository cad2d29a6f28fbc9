"""One question's analysis from redacted answers and their embeddings to labelled themes, campaigns
and a cited summary; and the consultation's summary over all its questions."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np

from consult.analysis.campaigns import find_campaigns
from consult.analysis.llm import LanguageModel, label_themes, summarise
from consult.analysis.themes import DEFAULT_MAX_THEMES, discover_themes
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
    """Find campaigns, discover themes on the answers that are not campaign copies, give every copy
    its original's themes, label the themes and summarise the question.

    Campaign copies are left out of theme discovery so that a mass campaign cannot crowd out the
    answers people wrote themselves; they are still counted, once or every copy (both counts are
    returned). `encode` (the embedder's) lets offline labels be chosen by closeness to each theme's
    centre.
    """
    timings: dict[str, float] = {}
    started = time.perf_counter()
    progress("campaigns")
    campaigns = find_campaigns(question.answers)
    copy_of = {
        member: campaign.canonical_id
        for campaign in campaigns
        for member in campaign.member_ids
        if member != campaign.canonical_id
    }
    timings["campaigns"] = time.perf_counter() - started

    progress("themes")
    started = time.perf_counter()
    originals = [index for index, answer in enumerate(question.answers) if answer.id not in copy_of]
    theme_model = discover_themes(
        [question.answers[index] for index in originals],
        question.embeddings[originals] if originals else question.embeddings[:0],
        max_themes=max_themes,
        seed=seed,
        encode=encode,
    )
    by_answer = {assignment.answer_id: assignment.theme_keys for assignment in theme_model.assignments}
    assignments = [
        Assignment(answer.id, list(by_answer.get(copy_of.get(answer.id, answer.id), []))) for answer in question.answers
    ]
    timings["themes"] = time.perf_counter() - started

    counts, once_counts = _theme_counts(assignments, copy_of)
    agreement_counts = _agreement_counts(assignments, question.agreement)
    answers_by_id = {answer.id: answer for answer in question.answers}

    progress("labels")
    started = time.perf_counter()
    vectors = {answer.id: question.embeddings[index] for index, answer in enumerate(question.answers)}
    themes, label_usage = label_themes(
        model, question.text, theme_model.themes, answers_by_id, vectors=vectors, encode=encode
    )
    timings["labels"] = time.perf_counter() - started

    progress("summaries")
    started = time.perf_counter()
    # The summary's figures match the counts officials see: each campaign once, or every copy.
    if count_campaigns_once:
        summary_answers = {key: answer for key, answer in answers_by_id.items() if key not in copy_of}
        summary_counts = once_counts
    else:
        summary_answers, summary_counts = answers_by_id, counts
    summary, summary_usage = summarise(model, question.text, themes, summary_answers, counts=summary_counts)
    timings["summaries"] = time.perf_counter() - started

    return QuestionResult(
        question_id=question.question_id,
        themes=themes,
        assignments=assignments,
        campaigns=campaigns,
        summary=summary,
        centroids=theme_model.centroids,
        thresholds=list(theme_model.thresholds),
        counts=counts,
        campaign_once_counts=once_counts,
        agreement_counts=agreement_counts,
        usage=label_usage + summary_usage,
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
    themes: list[Theme] = []
    counts: dict[int, int] = {}
    # Theme keys restart at 1 in each question: give them consultation-wide keys for the summary.
    for result in results:
        for theme in result.themes:
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
            counts[key] = (result.campaign_once_counts if count_campaigns_once else result.counts).get(theme.key, 0)
    return summarise(model, title, themes, answers, counts=counts)

"""The data that flows through the analysis: plain, typed, and free of Django."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


@dataclass(frozen=True)
class AnswerText:
    """One free-text answer, identified by the caller's id (the Answer's primary key).

    `text` is always the redacted text: nothing unredacted reaches the analysis.
    """

    id: int
    text: str
    reference: str = ""


@dataclass(frozen=True)
class Campaign:
    """Answers that are copies or near-copies of one text (an organised campaign).

    `canonical_id` is the answer whose text stands for the campaign; `additions` maps a member's
    id to the words it added to the campaign text (its unique addition), when it added any.
    """

    key: int
    canonical_id: int
    member_ids: list[int]
    additions: dict[int, str] = field(default_factory=dict)

    @property
    def count(self) -> int:
        return len(self.member_ids)


class TextSource(StrEnum):
    """Who wrote a label or summary: a language model, or the offline extractive fallback."""

    MODEL = "model"
    EXTRACTIVE = "extractive"


@dataclass(frozen=True)
class Theme:
    """A theme found in one question's answers.

    `representative_ids` are real answers chosen to show the theme, never generated text.
    """

    key: int
    keywords: list[str]
    member_ids: list[int]
    representative_ids: list[int]
    label: str = ""
    description: str = ""
    label_source: TextSource = TextSource.EXTRACTIVE


@dataclass(frozen=True)
class Assignment:
    """The themes an answer belongs to, primary first; empty when it fits none."""

    answer_id: int
    theme_keys: list[int]


@dataclass(frozen=True)
class CitedSentence:
    """One sentence of a summary and the answers (by id) that support it."""

    text: str
    answer_ids: list[int]


@dataclass(frozen=True)
class Summary:
    """A cited summary. `dropped_quotes` counts the model's quotes no cited answer bears out (each
    removed, or its sentence dropped); `dropped_figures` the sentences dropped because a figure or
    share in them matched none of the counts; `dropped_unsafe` those dropped for markup,
    instructions, addresses or a demand in the service's voice (`labels.summary_sentence_problems`)."""

    sentences: list[CitedSentence]
    source: TextSource
    dropped_quotes: int = 0
    dropped_figures: int = 0
    dropped_unsafe: int = 0


@dataclass(frozen=True)
class Usage:
    """What the language model calls of a run cost."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    calls: int = 0
    estimated_cost: float = 0.0
    # Labels and descriptions the model wrote that broke a rule and were replaced by offline ones.
    rejected_labels: int = 0

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            self.prompt_tokens + other.prompt_tokens,
            self.completion_tokens + other.completion_tokens,
            self.calls + other.calls,
            self.estimated_cost + other.estimated_cost,
            self.rejected_labels + other.rejected_labels,
        )

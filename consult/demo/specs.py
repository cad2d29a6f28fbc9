"""Plain descriptions of what the demo loads, kept apart from the code that writes rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from textwrap import dedent


def prose(text: str) -> str:
    """Hard-wrapped source text as paragraphs: lines joined by spaces, paragraphs by a blank line."""
    blocks = dedent(text).strip().split("\n\n")
    return "\n\n".join(" ".join(line.strip() for line in block.splitlines() if line.strip()) for block in blocks)


@dataclass(frozen=True)
class DepartmentSpec:
    slug: str
    name: str


@dataclass(frozen=True)
class ToolSpec:
    """The fields of an AI tool record, in the order the model declares them."""

    tool_name: str
    description: str
    purpose: str
    decision_role: str
    human_oversight: str
    how_to_challenge: str
    data_used: str
    risks: str
    mitigations: str
    owner: str
    supplier: str


@dataclass(frozen=True)
class QuestionSpec:
    """A question. `role` tells the response writer what to put in it: agree, why, channel,
    worries, trust or extra. `explains` names the role of the closed question a "Why?" explains."""

    role: str
    kind: str
    text: str
    hint: str = ""
    is_required: bool = True
    max_length: int = 2500
    explains: str = ""
    options: tuple[str, ...] = ()
    # Options, among `options`, that exclude every other ("None of these"), shown last after "or".
    exclusive_options: tuple[str, ...] = ()


@dataclass(frozen=True)
class ConsultationSpec:
    """A consultation. Its times are offsets from the moment the demo is loaded."""

    slug: str
    title: str
    department: str
    summary: str
    contact_name: str
    contact_email: str
    opens_in: timedelta
    closes_in: timedelta
    is_published: bool
    tool: ToolSpec
    questions: tuple[QuestionSpec, ...]
    allows_anonymous_responses: bool = True


@dataclass(frozen=True)
class Topic:
    """One thing people write about, as sentences from those against and for the proposal.

    `lived_*` are sentences about the writer's own life; `worry` is the label of the
    multiple-choice option it belongs to.
    """

    key: str
    worry: str
    against: tuple[str, ...]
    for_: tuple[str, ...]
    lived_against: tuple[str, ...] = ()
    lived_for: tuple[str, ...] = ()
    weight: float = 1.0


@dataclass(frozen=True)
class Organisation:
    """An invented organisation: who it is, what it cares about, and where it stands (1 to 5)."""

    name: str
    about: str
    topics: tuple[str, ...]
    agreement: int


@dataclass(frozen=True)
class Phrasebook:
    """Everything the response writer draws on for one consultation."""

    topics: tuple[Topic, ...]
    openings: dict[int, tuple[str, ...]]
    closings: dict[str, tuple[str, ...]]
    suggestions: tuple[str, ...]
    short_answers: dict[int, tuple[str, ...]]
    trust: tuple[tuple[str, str], ...]
    distrust: tuple[str, ...]
    # What people add when asked for anything else: groups of sentences, one group a point.
    extras: tuple[tuple[str, ...], ...]
    personal_data: tuple[str, ...]
    channels: tuple[tuple[str, float], ...]
    no_worry: str = ""
    # Answers to "anything else?" with nothing to add ("no", "n/a").
    low_effort_extras: tuple[str, ...] = ()
    organisations: tuple[Organisation, ...] = ()
    org_stances: dict[int, tuple[str, ...]] = field(default_factory=dict)
    # Paragraphs in an organisation's voice: topic key -> "against" or "for" -> paragraphs.
    org_paragraphs: dict[str, dict[str, tuple[str, ...]]] = field(default_factory=dict)
    org_evidence: tuple[str, ...] = ()
    org_recommendations: dict[str, tuple[str, ...]] = field(default_factory=dict)
    org_closings: tuple[str, ...] = ()

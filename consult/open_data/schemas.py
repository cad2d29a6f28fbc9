"""The open data API's types: what each operation answers and accepts, from which django-ninja
builds the OpenAPI schema (see consult/open_data/api.py and ADR 0009)."""

# No `from __future__ import annotations` here: django-ninja and Pydantic read these annotations
# as real types.
from datetime import datetime
from typing import Any

from ninja import Path, Schema
from pydantic import Field

from consult.models import Phase, Question

MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 20
# Far past any real list; it keeps a hostile offset from reaching the database as an overflow.
MAX_OFFSET = 1_000_000
SLUG_PATTERN = r"^[-a-zA-Z0-9_]+$"


class Error(Schema):
    detail: str


class ValidationErrors(Schema):
    detail: list[dict[str, Any]] = Field(description="What was wrong with each parameter.")


# 400: an address no browser sends (a NUL character; consult.middleware.RefuseNulCharactersMiddleware).
ERRORS: dict[int, type[Schema]] = {400: Error, 422: ValidationErrors, 429: Error}
NOT_FOUND: dict[int, type[Schema]] = {404: Error, **ERRORS}


# The Welsh versions: an object is null when nothing in it has a Welsh version, and a field inside
# it is null when that one has none (the Welsh pages then show the English).
WELSH = "The Welsh version, where officials wrote one (null where there is none)."


class DepartmentWelsh(Schema):
    name: str | None


class DepartmentOut(Schema):
    name: str
    slug: str
    welsh: DepartmentWelsh | None = Field(description=WELSH)


class ConsultationWelsh(Schema):
    title: str | None
    summary: str | None
    url: str = Field(description="The consultation's public page in Welsh.")


class ConsultationSummary(Schema):
    slug: str = Field(description="The consultation's stable identifier.")
    title: str
    summary: str
    welsh: ConsultationWelsh | None = Field(description=WELSH)
    department: DepartmentOut
    phase: Phase
    opens_at: datetime
    closes_at: datetime
    outcome_published_at: datetime | None
    url: str = Field(description="The consultation's public page.")
    api_url: str


class AIToolRecordWelsh(Schema):
    tool_name: str | None
    description: str | None
    purpose: str | None
    decision_role: str | None
    human_oversight: str | None
    how_to_challenge: str | None
    data_used: str | None
    risks: str | None
    mitigations: str | None
    owner: str | None
    supplier: str | None


class AIToolRecordOut(Schema):
    """The AI tool, in the sections of the Algorithmic Transparency Recording Standard."""

    tool_name: str
    description: str = Field(description="What the tool does.")
    purpose: str = Field(description="Why it is proposed.")
    decision_role: str = Field(description="How it is used in decisions.")
    human_oversight: str
    how_to_challenge: str = Field(description="How to challenge a decision it takes part in.")
    data_used: str
    risks: str
    mitigations: str = Field(description="How the risks are reduced.")
    owner: str = Field(description="Who is responsible for the tool.")
    supplier: str = Field(description="Who built the tool; empty if not said.")
    welsh: AIToolRecordWelsh | None = Field(description=WELSH)


class OptionWelsh(Schema):
    label: str | None


class OptionOut(Schema):
    position: int
    label: str
    welsh: OptionWelsh | None = Field(description=WELSH)


class QuestionWelsh(Schema):
    text: str | None
    hint: str | None


class QuestionOut(Schema):
    id: int
    position: int
    kind: Question.Kind
    text: str
    hint: str
    welsh: QuestionWelsh | None = Field(description=WELSH)
    is_required: bool
    max_length: int | None = Field(description="For free-text questions: the most characters an answer may have.")
    explains_question_id: int | None = Field(description="For a 'Why?': the closed question it explains.")
    options: list[OptionOut]


class ConsultationDetail(ConsultationSummary):
    allows_anonymous_responses: bool
    ai_tool: AIToolRecordOut | None
    questions: list[QuestionOut]
    outcome_api_url: str | None


class ConsultationPage(Schema):
    count: int
    limit: int
    offset: int
    next: str | None
    previous: str | None
    items: list[ConsultationSummary]


class ThemeWelsh(Schema):
    label: str | None
    description: str | None
    government_response: str | None


class ThemeOut(Schema):
    label: str
    description: str
    count: int = Field(description="How many answers counted towards the theme when it was published.")
    is_other: bool
    government_response: str
    welsh: ThemeWelsh | None = Field(description=WELSH)


class OutcomeQuestionWelsh(Schema):
    text: str | None


class OutcomeQuestionOut(Schema):
    id: int
    position: int
    text: str
    welsh: OutcomeQuestionWelsh | None = Field(description=WELSH)
    answered: int = Field(description="How many answers to the question were counted.")
    non_answers: int | None = Field(
        description="Of those, how many said nothing of substance (such as “N/A” or “See above”): counted apart "
        "and in no theme. Null for an outcome published before non-answers were counted apart."
    )
    is_reviewed: bool = Field(description="Whether officials reviewed and signed off its themes.")
    themes: list[ThemeOut]


class UpdateWelsh(Schema):
    note: str | None


class UpdateOut(Schema):
    at: datetime
    note: str
    welsh: UpdateWelsh | None = Field(description=WELSH)


class OutcomeSummary(Schema):
    consultation_slug: str
    consultation_title: str
    department: DepartmentOut
    published_at: datetime
    updated_at: datetime
    response_count: int
    url: str = Field(description="The outcome's public page.")
    api_url: str


class OutcomeWelsh(Schema):
    summary: str | None
    decision: str | None
    method_note: str | None


class OutcomeDetail(OutcomeSummary):
    summary: str = Field(description="What the consultation heard.")
    decision: str = Field(description="What the government will do.")
    method_note: str = Field(description="How the responses were analysed.")
    welsh: OutcomeWelsh | None = Field(description=WELSH)
    updates: list[UpdateOut]
    questions: list[OutcomeQuestionOut]
    downloads: dict[str, str] = Field(description="The bulk download of the published responses, by format.")


class OutcomePage(Schema):
    count: int
    limit: int
    offset: int
    next: str | None
    previous: str | None
    items: list[OutcomeSummary]


class PageParams(Schema):
    limit: int = Field(DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE, description="How many items (1 to 100).")
    offset: int = Field(0, ge=0, le=MAX_OFFSET, description="How many items to skip.")


SlugParam = Path(..., pattern=SLUG_PATTERN, max_length=100, description="The consultation's slug.")

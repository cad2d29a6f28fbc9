"""The open data's types and how each is built: what the API answers and accepts, from which
django-ninja builds the OpenAPI schema (see consult/open_data/api.py and ADR 0009), and the
functions that turn a consultation, a question or a published outcome into them.

The API answers with what these functions build and the bulk JSON download
(consult/open_data/downloads.py) writes the same objects, so the two cannot drift apart.
"""

# No `from __future__ import annotations` here: django-ninja and Pydantic read these annotations
# as real types.
from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils import translation
from ninja import Path, Schema
from pydantic import Field

from consult.models import AIToolRecord, Consultation, Outcome, Phase, Question
from consult.open_data.queries import last_changed_at, published_responses

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


class ClosedChoiceOut(Schema):
    position: int = Field(
        description="For a choice question, the option's position (as in the question's `options`); for an "
        "agreement scale, the point's place on it, from 1 (strongly agree) to 5 (strongly disagree)."
    )
    point: int | None = Field(
        description="For an agreement scale: the point's value, from 5 (strongly agree) to 1 (strongly disagree). "
        "Null for a choice question's option."
    )
    label: str
    welsh: OptionWelsh | None = Field(description=WELSH)
    count: int = Field(description="How many of the people who answered the question chose it.")
    share: float | None = Field(
        description="`count` as a share of the question's `answered`, from 0 to 1; null when nobody answered. "
        "For a multiple-choice question the shares can add up to more than 1."
    )


class ClosedQuestionOut(Schema):
    """A closed question's results, counted when the outcome was published."""

    id: int
    position: int
    kind: Question.Kind = Field(description="agreement, single_choice or multiple_choice.")
    text: str
    welsh: OutcomeQuestionWelsh | None = Field(description=WELSH)
    answered: int = Field(
        description="How many people answered it, in responses the outcome counted (sent, not withdrawn, not "
        "hidden by moderators)."
    )
    choices: list[ClosedChoiceOut] = Field(
        description="Each point of the agreement scale, strongly agree first, or each option in its order."
    )


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
    questions: list[OutcomeQuestionOut] = Field(description="The free-text questions, with their themes.")
    closed_questions: list[ClosedQuestionOut] | None = Field(
        description="The closed questions (agreement scales and choices), with how many people chose each answer. "
        "Null for an outcome published before closed questions' results were published with it."
    )
    downloads: dict[str, str] = Field(description="The bulk download of the published responses, by format.")
    published_response_count: int = Field(
        description="How many responses the bulk download holds now: those the outcome counted whose authors "
        "agreed to publication. 0 when nobody agreed: the CSV of answers then holds its header row only. Unlike "
        "the rest of the outcome, counted when asked (a respondent may later delete their account)."
    )


class OutcomePage(Schema):
    count: int
    limit: int
    offset: int
    next: str | None
    previous: str | None
    items: list[OutcomeSummary]


class ApiLinks(Schema):
    consultations: str = Field(description="`GET /api/consultations`: published consultations.")
    outcomes: str = Field(description="`GET /api/outcomes`: published outcomes.")
    reference: str = Field(description="This API's reference, a web page generated from its OpenAPI schema.")
    reference_welsh: str = Field(description="The same reference page with its headings in Welsh.")
    openapi: str = Field(description="The OpenAPI 3 schema of this API.")


class FeedLinks(Schema):
    consultations: str = Field(description="An Atom feed of new consultations (Welsh under /cy/feeds/).")
    outcomes: str = Field(description="An Atom feed of published outcomes (Welsh under /cy/feeds/).")
    closing_dates: str = Field(description="An iCalendar feed with an event at each consultation's closing time.")


class ApiRoot(Schema):
    name: str
    version: str
    description: str
    licence: str
    links: ApiLinks
    feeds: FeedLinks
    bulk_downloads: dict[str, str] = Field(
        description="The bulk downloads of a published outcome as URI templates (RFC 6570: put a consultation's "
        "slug for `{slug}`), under the names of an outcome's `downloads`: `json` (everything published, with the "
        "published answers), `themes_csv` (each free-text question's themes with their counts) and "
        "`responses_csv` (the answers of respondents who agreed to publication, redacted: the header row only "
        "when nobody agreed)."
    )


class PageParams(Schema):
    limit: int = Field(DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE, description="How many items (1 to 100).")
    offset: int = Field(0, ge=0, le=MAX_OFFSET, description="How many items to skip.")


SlugParam = Path(..., pattern=SLUG_PATTERN, max_length=100, description="The consultation's slug.")


# --- Building them ----------------------------------------------------------------------------
# Each function is named after the type it builds.


def welsh_versions(instance: object, names: list[str], **always: object) -> dict[str, object] | None:
    """The Welsh versions of the fields (of a model, or of a published snapshot's part), None for
    each that has none; None when none has one."""
    if isinstance(instance, dict):
        welsh = {name: instance.get(f"{name}_cy") or None for name in names}
    else:
        welsh = {name: getattr(instance, f"{name}_cy", "") or None for name in names}
    if not any(welsh.values()):
        return None
    return {**welsh, **always}


def _department_out(consultation: Consultation) -> DepartmentOut:
    department = consultation.department
    return DepartmentOut(name=department.name, slug=department.slug, welsh=welsh_versions(department, ["name"]))


def _welsh_url(consultation: Consultation) -> str:
    with translation.override("cy"):
        return consultation.get_absolute_url()


def _consultation_fields(request: HttpRequest, consultation: Consultation) -> dict[str, Any]:
    return {
        "slug": consultation.slug,
        "title": consultation.title,
        "summary": consultation.summary,
        "welsh": welsh_versions(
            consultation, ["title", "summary"], url=request.build_absolute_uri(_welsh_url(consultation))
        ),
        "department": _department_out(consultation),
        "phase": consultation.phase,
        "opens_at": consultation.opens_at,
        "closes_at": consultation.closes_at,
        "outcome_published_at": consultation.outcome_published_at,
        "url": request.build_absolute_uri(consultation.get_absolute_url()),
        "api_url": request.build_absolute_uri(reverse("api:consultation", args=[consultation.slug])),
    }


def consultation_summary(request: HttpRequest, consultation: Consultation) -> ConsultationSummary:
    return ConsultationSummary(**_consultation_fields(request, consultation))


def ai_tool_of(consultation: Consultation) -> AIToolRecord | None:
    try:
        return consultation.ai_tool
    except AIToolRecord.DoesNotExist:
        return None


def ai_tool_record_out(record: AIToolRecord | None) -> AIToolRecordOut | None:
    if record is None:
        return None
    fields = list(AIToolRecordWelsh.model_fields)
    return AIToolRecordOut(**{name: getattr(record, name) for name in fields}, welsh=welsh_versions(record, fields))


def question_out(question: Question) -> QuestionOut:
    return QuestionOut(
        id=question.pk,
        position=question.position,
        kind=question.kind,
        text=question.text,
        hint=question.hint,
        welsh=welsh_versions(question, ["text", "hint"]),
        is_required=question.is_required,
        max_length=question.max_length if question.is_free_text else None,
        explains_question_id=question.explains_id,
        options=[
            OptionOut(position=option.position, label=option.label, welsh=welsh_versions(option, ["label"]))
            for option in question.options.all()
        ],
    )


def consultation_detail(request: HttpRequest, consultation: Consultation, *, has_outcome: bool) -> ConsultationDetail:
    """The consultation with its AI tool record and questions (prefetch its questions' options)."""
    return ConsultationDetail(
        **_consultation_fields(request, consultation),
        allows_anonymous_responses=consultation.allows_anonymous_responses,
        ai_tool=ai_tool_record_out(ai_tool_of(consultation)),
        questions=[question_out(each) for each in consultation.questions.all()],
        outcome_api_url=(
            request.build_absolute_uri(reverse("api:outcome", args=[consultation.slug])) if has_outcome else None
        ),
    )


def _outcome_fields(request: HttpRequest, outcome: Outcome) -> dict[str, Any]:
    consultation = outcome.consultation
    return {
        "consultation_slug": consultation.slug,
        "consultation_title": consultation.title,
        "department": _department_out(consultation),
        "published_at": outcome.published_at,
        "updated_at": last_changed_at(outcome),
        "response_count": outcome.published_snapshot.get("response_count", 0),
        "url": request.build_absolute_uri(reverse("consultation_outcome", args=[consultation.slug])),
        "api_url": request.build_absolute_uri(reverse("api:outcome", args=[consultation.slug])),
    }


def outcome_summary(request: HttpRequest, outcome: Outcome) -> OutcomeSummary:
    return OutcomeSummary(**_outcome_fields(request, outcome))


def _outcome_question_out(part: dict[str, Any]) -> OutcomeQuestionOut:
    """A question of the published snapshot, with its themes as counted at publication."""
    return OutcomeQuestionOut(
        id=part["id"],
        position=part["position"],
        text=part["text"],
        welsh=welsh_versions(part, ["text"]),
        answered=part["answered"],
        non_answers=part.get("non_answers"),
        is_reviewed=part["is_reviewed"],
        themes=[
            ThemeOut(
                **{name: theme[name] for name in ThemeOut.model_fields if name != "welsh"},
                welsh=welsh_versions(theme, ["label", "description", "government_response"]),
            )
            for theme in part["themes"]
        ],
    )


def _closed_question_out(part: dict[str, Any]) -> ClosedQuestionOut:
    answered = part["answered"]
    return ClosedQuestionOut(
        id=part["id"],
        position=part["position"],
        kind=part["kind"],
        text=part["text"],
        welsh=welsh_versions(part, ["text"]),
        answered=answered,
        choices=[
            ClosedChoiceOut(
                position=choice["position"],
                point=choice["point"],
                label=choice["label"],
                welsh=welsh_versions(choice, ["label"]),
                count=choice["count"],
                share=choice["count"] / answered if answered else None,
            )
            for choice in part["choices"]
        ],
    )


def outcome_detail(request: HttpRequest, outcome: Outcome) -> OutcomeDetail:
    """The outcome as frozen at publication (its `published_snapshot`), never live counts."""
    snapshot = outcome.published_snapshot
    slug = outcome.consultation.slug
    return OutcomeDetail(
        **_outcome_fields(request, outcome),
        summary=snapshot.get("summary", ""),
        decision=snapshot.get("decision", ""),
        method_note=snapshot.get("method_note", ""),
        welsh=welsh_versions(snapshot, ["summary", "decision", "method_note"]),
        updates=[
            UpdateOut(at=update["at"], note=update["note"], welsh=welsh_versions(update, ["note"]))
            for update in snapshot.get("updates", [])
        ],
        questions=[_outcome_question_out(part) for part in snapshot.get("questions", [])],
        closed_questions=(
            [_closed_question_out(part) for part in snapshot["closed_questions"]]
            if "closed_questions" in snapshot
            else None
        ),
        downloads={
            name: request.build_absolute_uri(reverse(view, args=[slug]))
            for name, view in [
                ("json", "outcome_download_json"),
                ("themes_csv", "outcome_themes_csv"),
                ("responses_csv", "outcome_responses_csv"),
            ]
        },
        published_response_count=published_responses(outcome.consultation).count(),
    )


def api_root(request: HttpRequest, *, name: str, version: str, description: str, licence: str) -> ApiRoot:
    """What is there: the collections, the reference, the schema, the feeds and the bulk downloads."""

    def url(view: str, *args: str) -> str:
        return request.build_absolute_uri(reverse(view, args=args))

    def template(view: str) -> str:
        # A slug no consultation has, swapped for the template's variable once reversed.
        return url(view, "slug-placeholder").replace("slug-placeholder", "{slug}")

    with translation.override("cy"):
        reference_welsh = url("api_reference")
    with translation.override("en-gb"):
        return ApiRoot(
            name=name,
            version=version,
            description=description,
            licence=licence,
            links=ApiLinks(
                consultations=url("api:consultations"),
                outcomes=url("api:outcomes"),
                reference=url("api_reference"),
                reference_welsh=reference_welsh,
                openapi=url("api:openapi-json"),
            ),
            feeds=FeedLinks(
                consultations=url("consultations_feed"),
                outcomes=url("outcomes_feed"),
                closing_dates=url("closing_dates_calendar"),
            ),
            bulk_downloads={
                "json": template("outcome_download_json"),
                "themes_csv": template("outcome_themes_csv"),
                "responses_csv": template("outcome_responses_csv"),
            },
        )

"""The open data API: a read-only JSON view of what the public pages show (see ADR 0009).

Published consultations (by slug), their AI tool records shaped like the Algorithmic
Transparency Recording Standard, their questions with options, and published outcomes with
theme counts and closed questions' results as frozen at publication. Each consultation, AI tool
record, question and option carries its Welsh version, where officials wrote one, in `welsh`.
No response, respondent, official, contact or equality information is ever served. Lists are
paged by `limit` and `offset` in a stable order. Every operation is rate-limited per client
address (`API_RATE_LIMIT`) and answers 429 with a JSON error beyond it. /api/ lists what is
there; the OpenAPI schema is at /api/openapi.json, and the reference page generated from it,
one of the site's own GOV.UK pages, at /api/docs (consult/open_data/reference.py). The types it
answers with, and the functions that build them (which the bulk JSON download uses too), are in
consult/open_data/schemas.py.
"""

# No `from __future__ import annotations` here: django-ninja reads the operations' annotations
# as real types when it builds the schema.
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django_ratelimit.decorators import ratelimit
from django_ratelimit.exceptions import Ratelimited
from ninja import NinjaAPI, Query, Status

from consult.open_data.queries import (
    published_consultation,
    published_consultations,
    published_outcome_of,
    published_outcomes,
)
from consult.open_data.schemas import (
    ERRORS,
    NOT_FOUND,
    AIToolRecordOut,
    ApiRoot,
    ConsultationDetail,
    ConsultationPage,
    OutcomeDetail,
    OutcomePage,
    PageParams,
    QuestionOut,
    SlugParam,
    ai_tool_of,
    ai_tool_record_out,
    api_root,
    consultation_detail,
    consultation_summary,
    outcome_detail,
    outcome_summary,
    question_out,
)
from consult.views.errors import RETRY_AFTER_SECONDS

api = NinjaAPI(
    title="consult open data",
    version="1",
    description=(
        "Read-only open data about public consultations on proposed government uses of AI. "
        "Lists are paged with `limit` (at most 100) and `offset`. Each client address may make "
        f"a limited number of requests (by default {settings.API_RATE_LIMIT}); beyond it the API "
        "answers 429. Responses to consultations are never served here: the bulk download on a "
        "published outcome's page holds those whose authors agreed to publication."
    ),
    urls_namespace="api",
    # The reference page at /api/docs is the site's own, generated from this API's schema
    # (consult/open_data/reference.py), in place of Swagger UI.
    docs_url=None,
)
LICENCE = "Open Government Licence v3.0"


def api_rate(group: str, request: HttpRequest) -> str:
    """Read at request time, so that the limit follows settings (and tests can raise it)."""
    return settings.API_RATE_LIMIT


def limited(view: Callable[..., Any]) -> Callable[..., Any]:
    """Count the request against its client address's allowance, refusing it beyond."""
    return ratelimit(group="api", key="ip", rate=api_rate, block=True)(view)


@api.exception_handler(Ratelimited)
def too_many_requests(request: HttpRequest, exc: Ratelimited) -> HttpResponse:
    response = api.create_response(
        request, {"detail": f"Too many requests: the limit is {settings.API_RATE_LIMIT} per address."}, status=429
    )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


# --- Pages and errors -------------------------------------------------------------------------


def _page(request: HttpRequest, params: PageParams, queryset: Any, item: Callable[..., object]) -> dict[str, object]:
    count = queryset.count()
    limit, offset = params.limit, params.offset

    def link(to: int) -> str:
        return request.build_absolute_uri(f"{request.path}?limit={limit}&offset={to}")

    return {
        "count": count,
        "limit": limit,
        "offset": offset,
        "next": link(offset + limit) if offset + limit < count else None,
        "previous": link(max(offset - limit, 0)) if offset > 0 else None,
        "items": [item(request, obj) for obj in queryset[offset : offset + limit]],
    }


def _not_found(what: str) -> Status:
    return Status(404, {"detail": f"No published {what} has this slug."})


# --- Operations -------------------------------------------------------------------------------


@api.get("/", response={200: ApiRoot, **ERRORS}, url_name="root", summary="What the API holds", tags=["about"])
@limited
def root(request: HttpRequest) -> ApiRoot:
    """The API's name and version, and links to its collections, its reference page, its OpenAPI
    schema, the feeds and the bulk downloads of published outcomes."""
    return api_root(request, name=api.title, version=api.version, description=api.description, licence=LICENCE)


@api.get(
    "/consultations",
    response={200: ConsultationPage, **ERRORS},
    url_name="consultations",
    summary="List published consultations",
    tags=["consultations"],
)
@limited
def list_consultations(request: HttpRequest, params: Query[PageParams]) -> dict[str, object]:
    """Published consultations (every phase but draft), newest first."""
    return _page(request, params, published_consultations(), consultation_summary)


@api.get(
    "/consultations/{slug}",
    response={200: ConsultationDetail, **NOT_FOUND},
    url_name="consultation",
    summary="Get a consultation",
    tags=["consultations"],
)
@limited
def get_consultation(request: HttpRequest, slug: str = SlugParam) -> ConsultationDetail | Status:
    """One published consultation with its AI tool record and its questions."""
    consultation = published_consultation(slug)
    if consultation is None:
        return _not_found("consultation")
    has_outcome = published_outcome_of(consultation) is not None
    return consultation_detail(request, consultation, has_outcome=has_outcome)


@api.get(
    "/consultations/{slug}/ai-tool",
    response={200: AIToolRecordOut, **NOT_FOUND},
    url_name="consultation_ai_tool",
    summary="Get a consultation's AI tool record",
    tags=["consultations"],
)
@limited
def get_ai_tool(request: HttpRequest, slug: str = SlugParam) -> AIToolRecordOut | Status:
    """The AI tool record of a published consultation."""
    consultation = published_consultation(slug)
    record = ai_tool_of(consultation) if consultation is not None else None
    if record is None:
        return _not_found("consultation with an AI tool record")
    return ai_tool_record_out(record)


@api.get(
    "/consultations/{slug}/questions",
    response={200: list[QuestionOut], **NOT_FOUND},
    url_name="consultation_questions",
    summary="List a consultation's questions",
    tags=["consultations"],
)
@limited
def list_questions(request: HttpRequest, slug: str = SlugParam) -> list[QuestionOut] | Status:
    """A published consultation's questions in the order they are asked, with their options."""
    consultation = published_consultation(slug)
    if consultation is None:
        return _not_found("consultation")
    return [question_out(question) for question in consultation.questions.all()]


@api.get(
    "/outcomes",
    response={200: OutcomePage, **ERRORS},
    url_name="outcomes",
    summary="List published outcomes",
    tags=["outcomes"],
)
@limited
def list_outcomes(request: HttpRequest, params: Query[PageParams]) -> dict[str, object]:
    """Published outcomes ("You said, we did"), most recently published first."""
    return _page(request, params, published_outcomes(), outcome_summary)


@api.get(
    "/consultations/{slug}/outcome",
    response={200: OutcomeDetail, **NOT_FOUND},
    url_name="outcome",
    summary="Get a published outcome",
    tags=["outcomes"],
)
@limited
def get_outcome(request: HttpRequest, slug: str = SlugParam) -> OutcomeDetail | Status:
    """A consultation's published outcome as it was frozen at publication: the theme counts of its
    free-text questions and the results of its closed ones."""
    consultation = published_consultation(slug)
    outcome = published_outcome_of(consultation) if consultation is not None else None
    if outcome is None:
        return _not_found("outcome for a consultation")
    return outcome_detail(request, outcome)

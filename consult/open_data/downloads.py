"""The bulk download of a published outcome: its summary and themes with counts as frozen at
publication, and the responses whose authors agreed to publication, redacted (see
`open_data.queries`). JSON holds everything; two CSV files hold the themes and the responses.

The JSON's consultation, questions and outcome are the API's own objects, built by
`open_data.schemas` and written with the API's encoder, so the download cannot drift from the API
(README's open data section says where each part is); only the licence and the responses are the
download's own.

The files are streamed a batch of responses at a time, so a consultation of 100,000 responses is
never held in memory, and rate-limited per client address like the API.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator

from django.http import Http404, HttpRequest, JsonResponse, StreamingHttpResponse
from django.views.decorators.http import require_GET
from django_ratelimit.decorators import ratelimit
from ninja.responses import NinjaJSONEncoder

from consult.access import get_public_consultation
from consult.models import Consultation, Outcome
from consult.open_data.api import LICENCE, api_rate
from consult.open_data.queries import PublishedResponse, iter_published_responses, published_outcome_of
from consult.open_data.schemas import consultation_summary, outcome_detail, question_out
from consult.queries.workspace.exports import neutralise_formula


def _published(slug: str) -> tuple[Consultation, Outcome]:
    consultation = get_public_consultation(slug)
    outcome = published_outcome_of(consultation)
    if outcome is None:
        raise Http404("This consultation's outcome is not published yet.")
    return consultation, outcome


class _Echo:
    """A file that hands back what is written to it, so csv.writer can feed a stream."""

    def write(self, value: str) -> str:
        return value


def _csv(rows: Iterable[list[object]], filename: str) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())
    # Cells are neutralised as in officials' exports: a respondent must not be able to plant a
    # formula in a spreadsheet that someone downloading open data opens.
    lines = (writer.writerow([neutralise_formula(str(cell)) for cell in row]) for row in rows)
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _questions(consultation: Consultation) -> list[tuple[int, int, str, bool]]:
    """Every question, as (id, position, text, is free text), in the order they were asked."""
    return [(q.pk, q.position, q.text, q.is_free_text) for q in consultation.questions.order_by("position")]


def _answer_cells(response: PublishedResponse, questions: list[tuple[int, int, str, bool]]) -> list[object]:
    cells: list[object] = []
    for question_id, _position, _text, is_free_text in questions:
        answer = response.answers.get(question_id)
        if answer is None:
            cells += ["", ""] if is_free_text else [""]
        elif is_free_text:
            cells += [answer.text, "; ".join(answer.themes)]
        else:
            cells.append(answer.agreement or "; ".join(answer.options))
    return cells


@require_GET
@ratelimit(group="api", key="ip", rate=api_rate, block=True)
def outcome_responses_csv(request: HttpRequest, slug: str) -> StreamingHttpResponse:
    consultation, outcome = _published(slug)
    questions = _questions(consultation)
    header: list[object] = ["id", "respondent_type"]
    for _question_id, position, text, is_free_text in questions:
        header.append(f"Q{position}: {text}")
        if is_free_text:
            header.append(f"Q{position} themes")

    def rows() -> Iterator[list[object]]:
        yield header
        for response in iter_published_responses(consultation, outcome.published_snapshot):
            yield [response.id, response.respondent_type, *_answer_cells(response, questions)]

    return _csv(rows(), f"{consultation.slug}-responses.csv")


@require_GET
@ratelimit(group="api", key="ip", rate=api_rate, block=True)
def outcome_themes_csv(request: HttpRequest, slug: str) -> StreamingHttpResponse:
    consultation, outcome = _published(slug)

    def rows() -> Iterator[list[object]]:
        yield ["question_position", "question", "theme", "description", "count", "is_other", "government_response"]
        for question in outcome.published_snapshot.get("questions", []):
            for theme in question["themes"]:
                yield [
                    question["position"],
                    question["text"],
                    theme["label"],
                    theme["description"],
                    theme["count"],
                    "yes" if theme["is_other"] else "no",
                    theme["government_response"],
                ]

    return _csv(rows(), f"{consultation.slug}-themes.csv")


def _response_json(response: PublishedResponse) -> dict[str, object]:
    return {
        "id": response.id,
        "respondent_type": response.respondent_type,
        "answers": [
            {
                "question_id": answer.question_id,
                "text": answer.text,
                "options": answer.options,
                "agreement": answer.agreement,
                "themes": answer.themes,
            }
            for answer in response.answers.values()
        ],
    }


def _api_json(value: object) -> str:
    """JSON written as the API writes it (the same encoder: times in UTC to the millisecond)."""
    return json.dumps(value, cls=NinjaJSONEncoder, ensure_ascii=False)


@require_GET
@ratelimit(group="api", key="ip", rate=api_rate, block=True)
def outcome_download_json(request: HttpRequest, slug: str) -> StreamingHttpResponse:
    consultation, outcome = _published(slug)
    snapshot = outcome.published_snapshot
    # The outcome as the API serves it, but its questions go under `themes`: in the download,
    # `questions` has always held the consultation's questions.
    outcome_fields = outcome_detail(request, outcome).model_dump()
    outcome_questions = outcome_fields.pop("questions")
    head = {
        "consultation": consultation_summary(request, consultation).model_dump(),
        "licence": LICENCE,
        **outcome_fields,
        "questions": [
            question_out(question).model_dump() for question in consultation.questions.prefetch_related("options")
        ],
        # `question_id` (the same as `id`) is how the download has always named each one's question.
        "themes": [{"question_id": question["id"], **question} for question in outcome_questions],
    }

    def chunks() -> Iterator[str]:
        # The head is written whole, then the responses one at a time inside its last list.
        opening = _api_json({**head, "responses": []})
        yield opening[:-2]
        for index, response in enumerate(iter_published_responses(consultation, snapshot)):
            yield ("," if index else "") + json.dumps(_response_json(response), ensure_ascii=False)
        yield "]}"

    response = StreamingHttpResponse(chunks(), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="{consultation.slug}-outcome.json"'
    return response


def api_not_found(request: HttpRequest, rest: str) -> JsonResponse:
    """Any other address under /api/ answers in the API's own terms, not with an HTML page."""
    return JsonResponse({"detail": "Not Found"}, status=404)

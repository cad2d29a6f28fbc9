"""Answers as they arrive: a newly submitted or changed response is redacted and screened at once,
then embedded on the `embedding` queue, then placed in the themes of the latest finished run and
mapped to officials' themes in force, so officials see new answers within seconds. The run and the
mapping own how answers are placed (`consult.services.runs`, `consult.services.mapping`); this
module only strings them together."""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import QuerySet

from consult import task_names
from consult.models import AnalysisRun, Answer, Question, Response
from consult.services import embeddings, mapping, moderation, outbox, runs


def process_response(response_id: int) -> None:
    """Redact and screen a newly submitted (or changed) response's answers, then queue their
    embedding, which places them (`place_embedded`) once it is done."""
    response = Response.objects.select_related("consultation").get(pk=response_id)
    answers = _free_text(Answer.objects.filter(response=response))
    runs.redact_answers(answers)
    if not response.is_submitted or not answers:
        return
    moderation.flag_answers(answers)
    # Recorded like this task itself: a lost message is sent again, so the answers are placed.
    outbox.enqueue(task_names.EMBED_ANSWERS, [answer.pk for answer in answers], True)


def place_embedded(answer_ids: Sequence[int]) -> None:
    """Map embedded answers to officials' themes in force and place them in the themes of their
    consultation's latest finished run, as late answers. Answers of responses no longer sent
    (withdrawn since) are left alone."""
    answers = [
        answer
        for answer in _free_text(Answer.objects.filter(pk__in=answer_ids).select_related("response__consultation"))
        if answer.response.is_submitted
    ]
    if not answers:
        return
    embedder = embeddings.configured_embedder()
    vectors = embeddings.embeddings_for(answers, embedder)
    mapping.map_on_arrival(answers, vectors)  # placed in the signed-off themes, if they are mapped
    for consultation in {answer.response.consultation for answer in answers}:
        run = AnalysisRun.objects.latest_succeeded_for(consultation)
        if run is None or run.versions.get("embedding_model") != embedder.name:
            continue
        # The run itself read an answer unchanged since it started, of a response already sent (an
        # answer saved before the run and sent after it was not read); a hidden one left the analysis.
        late = [
            index
            for index, answer in enumerate(answers)
            if answer.response.consultation_id == consultation.pk
            and (answer.updated_at >= run.started_at or answer.response.submitted_at >= run.started_at)
            and not answer.is_hidden
        ]
        runs.place_late_answers(run, [answers[index] for index in late], vectors[late])


def _free_text(answers: QuerySet[Answer]) -> list[Answer]:
    free_text = answers.filter(question__kind=Question.Kind.FREE_TEXT).exclude(text="")
    return list(free_text.select_related("response").order_by("pk"))

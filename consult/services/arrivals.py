"""Answers as they arrive: a newly submitted or changed response is redacted, screened, embedded,
placed in the themes of the latest finished run and mapped to officials' themes in force, so
officials see new answers within seconds. The run and the mapping own how answers are placed
(`consult.services.runs`, `consult.services.mapping`); this module only strings them together
for one response."""

from __future__ import annotations

from django.conf import settings

from consult.analysis import embedding as embedding_lib
from consult.models import AnalysisRun, Answer, Question, Response
from consult.services import mapping, moderation, runs


def process_response(response_id: int) -> None:
    """Redact and embed a newly submitted (or changed) response's answers, map them to officials'
    themes in force, and place them in the themes of the consultation's latest finished run."""
    response = Response.objects.select_related("consultation").get(pk=response_id)
    answers = list(
        Answer.objects.filter(response=response, question__kind=Question.Kind.FREE_TEXT)
        .exclude(text="")
        .select_related("response")
    )
    runs.redact_answers(answers)
    if not response.is_submitted or not answers:
        return
    moderation.flag_answers(answers)
    embedder = embedding_lib.load_embedder(settings.EMBEDDING_MODEL or None)
    vectors = runs.embeddings_for(answers, embedder)
    mapping.map_on_arrival(answers, vectors)  # placed in the signed-off themes, if they are mapped
    run = AnalysisRun.objects.latest_succeeded_for(response.consultation)
    if run is None or run.versions.get("embedding_model") != embedder.name:
        return
    # The run itself read an answer unchanged since it started, of a response already sent (an
    # answer saved before the run and sent after it was not read); a hidden one left the analysis.
    late = [
        index
        for index, answer in enumerate(answers)
        if (answer.updated_at >= run.started_at or response.submitted_at >= run.started_at) and not answer.is_hidden
    ]
    runs.place_late_answers(run, [answers[index] for index in late], vectors[late])

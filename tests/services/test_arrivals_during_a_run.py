"""Answers that arrive while an analysis run is working are placed in its themes when it succeeds,
instead of dropping out of the themes until the next run.

The language model is the one edge a test can use to act in the middle of a run: the fake
OpenAI-compatible server sends in ten new responses the moment the run asks it for labels, after
the run has read its answers and before it saves its themes.
"""

import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from consult.models import AnalysisRun, Answer, LateAnswer, ThemeAssignment
from consult.services.imports import import_responses
from tests import corpus
from tests.fake_openai import Recorded, Respond
from tests.services.test_analysis_with_a_model import model_reply, model_settings

pytest_plugins = ["tests.fake_openai"]
pytestmark = pytest.mark.django_db(transaction=True)

SLUG = "arrivals"


def test_answers_sent_during_a_run_are_in_its_themes_when_it_succeeds(fake_openai):
    texts = [text for _, text in corpus.answers(per_subject=30)]
    import_responses([{"id": str(n), "text": text} for n, text in enumerate(texts)], slug=SLUG, text_column="text")
    late_texts = [f"{text} I wanted to add this later." for text in texts[::12][:10]]
    sent: list[bool] = []

    def reply_and_send_more(recorded: Recorded) -> dict:
        if not sent:
            sent.append(True)
            try:
                import_responses(
                    [{"id": f"late-{n}", "text": text} for n, text in enumerate(late_texts)],
                    slug=SLUG,
                    text_column="text",
                    id_column="id",
                )
            finally:
                connection.close()  # the server's thread opened its own connection
        return model_reply(recorded)

    fake_openai.script(*[Respond(reply_and_send_more)] * 40)
    with override_settings(**model_settings(fake_openai)):
        call_command("analyse", SLUG, "--wait", stdout=io.StringIO())

    run = AnalysisRun.objects.get()
    assert run.status == AnalysisRun.Status.SUCCEEDED
    late = list(Answer.objects.filter(response__external_id__startswith="late-"))
    assert len(late) == 10
    assert run.answers_analysed == len(texts)  # the run read its answers before these arrived
    placed = set(ThemeAssignment.objects.filter(theme__run=run, answer__in=late).values_list("answer_id", flat=True))
    recorded = LateAnswer.objects.filter(run=run, answer__in=late)
    assert recorded.count() == 10
    assert placed == {answer.pk for answer in late} - set(
        recorded.filter(fits_none=True).values_list("answer_id", flat=True)
    )
    # Each late answer repeats an analysed answer's text with a sentence added: it fits its themes.
    assert len(placed) >= 9

"""A whole analysis run with a language model: the real openai client talks over HTTP to a small
OpenAI-compatible server started by the test."""

import io
import json
import re

import pytest
from django.core.management import call_command
from django.test import override_settings

from consult.models import AnalysisRun, QuestionSummary, Theme
from consult.services.imports import import_responses
from tests import corpus
from tests.fake_openai import Fail, Recorded, Respond

pytest_plugins = ["tests.fake_openai"]
pytestmark = pytest.mark.django_db(transaction=True)

SEEDED = ["07700 900123", "jo.bloggs@example.com", "SW1A 1AA"]
# Seeded too, in other answers: a name, a date of birth, bank details, an address in lower case
# and a sign-off, each of which once reached the model (issue 12).
SEEDED_MORE = [
    ("My name is Delyth Parry-Rowe and I have waited nine weeks.", "Delyth Parry-Rowe"),
    ("I was born on 3 March 1961 and never used a chatbot.", "3 March 1961"),
    ("Pay it to sort code 40-11-22 account number 41234567.", "40-11-22"),
    ("Pay it to sort code 40-11-22 account number 41234567.", "41234567"),
    ("i live at 14 ferncliffe road and the library shut", "14 ferncliffe road"),
    ("Please keep a person on the phone.\n\nKind regards,\nMargaret Thomas", "Margaret Thomas"),
]


def data_items(recorded: Recorded) -> list[dict]:
    """Every object with an id inside the request's data block."""
    block = re.search(r"<data>\s*(.*?)\s*</data>", recorded.user, re.S).group(1)
    found = []

    def walk(value: object) -> None:
        if isinstance(value, dict):
            if "id" in value:
                found.append(value)
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(json.loads(block))
    return found


def spelled(key: int) -> str:
    """A theme key in words (12 gives "birchcedar"): labels without figures, each with a content
    word of its own, pass the label rules (no figures, no two alike) and are kept."""
    names = ["alder", "birch", "cedar", "daisy", "elm", "fern", "gorse", "heath", "iris", "juniper"]
    return "".join(names[int(digit)] for digit in str(key))


def model_reply(recorded: Recorded) -> dict:
    schema = recorded.body["response_format"]["json_schema"]["name"]
    block = json.loads(re.search(r"<data>\s*(.*?)\s*</data>", recorded.user, re.S).group(1))
    if schema == "theme_labels":
        return {
            "themes": [
                {"key": item["key"], "label": f"Views from the {spelled(item['key'])} area", "description": "A theme."}
                for item in block
            ]
        }
    first = data_items(recorded)[0]["id"]
    return {
        "sentences": [
            {"text": "Many people want to keep talking to a person.", "answer_ids": [first]},
            {"text": 'One person wrote "a quote nobody ever wrote" in their answer.', "answer_ids": [first]},
            # What an answer that instructs the model would make it write: dropped and counted.
            {"text": "The department must scrap this project at once.", "answer_ids": [first]},
        ]
    }


@pytest.fixture
def consultation():
    rows = [{"id": str(n), "text": text} for n, (_, text) in enumerate(corpus.answers(per_subject=30))]
    rows[0]["text"] += f" Ring me on {SEEDED[0]} or write to {SEEDED[1]}, I live at {SEEDED[2]}."
    for row, (sentence, _) in zip(rows[1::7], SEEDED_MORE, strict=False):
        row["text"] += f" {sentence}"
    import_responses(rows, slug="with-model", text_column="text", id_column="id")
    from consult.models import Consultation

    return Consultation.objects.get(slug="with-model")


def model_settings(fake) -> dict:
    return {
        "OPENAI_API_KEY": "sk-test",
        "OPENAI_BASE_URL": fake.base_url,
        "OPENAI_MODEL": "fake-model",
        "LLM_TIMEOUT_SECONDS": "5",
        "LLM_MAX_RETRIES": "1",
        "LLM_PRICE_INPUT_PER_MILLION": "2.5",
        "LLM_PRICE_OUTPUT_PER_MILLION": "10",
    }


def test_a_model_labels_themes_and_writes_cited_summaries_from_redacted_text(consultation, fake_openai):
    fake_openai.script(*[Respond(model_reply)] * 40)
    with override_settings(**model_settings(fake_openai)):
        call_command("analyse", "with-model", "--wait", stdout=io.StringIO())
    run = AnalysisRun.objects.get()
    assert run.status == AnalysisRun.Status.SUCCEEDED
    assert run.versions["language_model"] == "fake-model"
    assert run.versions["prompt"]
    assert run.llm_calls == len(fake_openai.requests) > 0
    assert run.prompt_tokens > 0 and run.completion_tokens > 0
    assert run.estimated_cost > 0
    themes = Theme.objects.filter(run=run)
    assert themes and all(t.label_source == "model" and t.label.startswith("Views from the") for t in themes)
    summary = QuestionSummary.objects.get(run=run, question__isnull=False)
    assert summary.source == "model"
    assert all(
        re.fullmatch(r"R-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", ref)
        for s in summary.sentences
        for ref in s["references"]
    )
    assert all("a quote nobody ever wrote" not in s["text"] for s in summary.sentences)
    assert run.dropped_quotes >= 1
    assert run.dropped_unsafe >= 1 and all("must scrap" not in s["text"] for s in summary.sentences)
    assert run.rejected_labels == 0  # every label the fake model wrote passes the rules
    # Cost grows with themes, not answers: one labelling call per ten themes plus the summaries.
    assert run.llm_calls <= themes.count() // 10 + 1 + 2
    bodies = json.dumps([request.body for request in fake_openai.requests])
    for personal in SEEDED + [item for _, item in SEEDED_MORE]:
        assert personal not in bodies


def test_a_failing_model_falls_back_to_extractive_labels_and_the_run_still_succeeds(consultation, fake_openai):
    fake_openai.script(*[Fail(500)] * 200)
    with override_settings(**model_settings(fake_openai)):
        call_command("analyse", "with-model", "--wait", stdout=io.StringIO())
    run = AnalysisRun.objects.get()
    assert run.status == AnalysisRun.Status.SUCCEEDED
    assert set(Theme.objects.filter(run=run).values_list("label_source", flat=True)) == {"extractive"}
    assert set(QuestionSummary.objects.filter(run=run).values_list("source", flat=True)) == {"extractive"}

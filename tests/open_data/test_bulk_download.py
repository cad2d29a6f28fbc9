"""The bulk download of a published outcome: the summary and themes with counts as published, and
the redacted answers of the people who agreed to publication, as JSON and CSV; never anything
hidden, withdrawn, unconsented or personal."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass

import pytest
from django.test import Client
from django.urls import reverse

from consult.models import Answer, Consultation, EqualityInformation, Flag, Response
from tests.factories import make_consultation, make_response, publish_outcome_with_themes

pytestmark = pytest.mark.django_db


@dataclass
class World:
    consultation: Consultation
    consented: Response
    organisation: Response
    unconsented: Response
    hidden: Response
    withdrawn: Response
    flagged: Response


@pytest.fixture
def world() -> World:
    consultation = make_consultation(phase="closed")
    q = {question.position: question for question in consultation.questions.all()}

    def respond(why: str, *, consent: bool = True, **kwargs: object) -> Response:
        response = make_response(
            consultation, {q[1]: 4, q[2]: why, q[3]: ["Online"], q[4]: ["Privacy", "Wrong answers"]}, **kwargs
        )
        Response.objects.filter(pk=response.pk).update(is_publication_consented=consent)
        return response

    consented = respond("Quicker, write to me at jo.bloggs@example.com", email="jo@example.com")
    EqualityInformation.objects.create(response=consented, age_band="25_34", ethnicity="mixed")
    organisation = respond(
        "=HYPERLINK(1) We speak for 200 members.", respondent_type="organisation", organisation_name="Age Voices"
    )
    unconsented = respond("Please do not publish this.", consent=False)
    hidden = respond("Buy cheap watches")
    Answer.objects.filter(response=hidden).update(visibility=Answer.Visibility.HIDDEN)
    withdrawn = respond("I changed my mind.", status=Response.Status.WITHDRAWN)
    flagged = respond("Something a moderator must look at first.")
    flagged_answer = flagged.answers.get(question=q[2])
    Flag.objects.create(answer=flagged_answer, reason=Flag.Reason.ABUSE)
    why_answers = Answer.objects.filter(question=q[2], response__status=Response.Status.SUBMITTED)
    publish_outcome_with_themes(consultation, {q[2]: {"Quicker answers": list(why_answers)}})
    return World(consultation, consented, organisation, unconsented, hidden, withdrawn, flagged)


def _url(world: World, name: str) -> str:
    return reverse(name, args=[world.consultation.slug])


def _json(client: Client, world: World) -> dict[str, object]:
    page = client.get(_url(world, "outcome_download_json"))
    assert page.status_code == 200
    assert page["Content-Type"] == "application/json"
    return json.loads(b"".join(page.streaming_content))


def _csv(client: Client, world: World, name: str) -> list[dict[str, str]]:
    page = client.get(_url(world, name))
    assert page.status_code == 200
    assert page["Content-Type"] == "text/csv; charset=utf-8"
    assert page["Content-Disposition"].startswith("attachment;")
    return list(csv.DictReader(io.StringIO(b"".join(page.streaming_content).decode())))


def _why(answers: list[dict[str, object]], world: World) -> dict[str, object]:
    why = world.consultation.questions.get(position=2)
    return next(answer for answer in answers if answer["question_id"] == why.pk)


def test_json_holds_the_published_summary_and_themes_with_counts(client: Client, world: World):
    data = _json(client, world)
    assert data["summary"] == "Most people want quicker answers."
    assert data["decision"] == "We will run a pilot."
    assert data["response_count"] == 4  # every sent response but the one hidden whole
    why = world.consultation.questions.get(position=2)
    themes = next(entry for entry in data["themes"] if entry["question_id"] == why.pk)["themes"]
    # Counted as frozen at publication: the hidden answer is not counted.
    assert [(theme["label"], theme["count"]) for theme in themes] == [("Quicker answers", 4), ("Other", 0)]
    assert [q["position"] for q in data["questions"]] == [1, 2, 3, 4, 5]


def test_json_gives_the_consultation_questions_and_outcome_in_the_apis_shapes(client: Client, world: World):
    data = _json(client, world)
    slug = world.consultation.slug
    listed = client.get("/api/consultations", {"limit": 100}).json()["items"]
    assert data["consultation"] == next(item for item in listed if item["slug"] == slug)
    assert data["questions"] == client.get(f"/api/consultations/{slug}/questions").json()
    # The outcome's own fields as the API serves them; its questions are under `themes` (each also
    # naming its question as `question_id`), since `questions` holds the consultation's.
    outcome = client.get(f"/api/consultations/{slug}/outcome").json()
    outcome_questions = outcome.pop("questions")
    assert {key: data[key] for key in outcome} == outcome
    assert [entry["question_id"] for entry in data["themes"]] == [entry["id"] for entry in outcome_questions]
    assert [{k: v for k, v in entry.items() if k != "question_id"} for entry in data["themes"]] == outcome_questions
    assert data["licence"] == "Open Government Licence v3.0"
    # The closed questions' results are the outcome's own fields, so the download has them too.
    assert data["closed_questions"] == outcome["closed_questions"]
    assert data["published_response_count"] == len(data["responses"]) == 3


def test_only_consented_sent_visible_answers_are_published(client: Client, world: World):
    responses = _json(client, world)["responses"]
    assert len(responses) == 3  # consented, organisation, flagged (its flagged answer held back)
    texts = [_why(r["answers"], world)["text"] for r in responses if any(a["text"] for a in r["answers"])]
    assert texts == ["Quicker, write to me at [email address]", "=HYPERLINK(1) We speak for 200 members."]
    # An answer waiting for a moderator is held back; the rest of its response is published.
    flagged = responses[2]
    why = world.consultation.questions.get(position=2)
    assert why.pk not in [a["question_id"] for a in flagged["answers"]]
    assert [(a["agreement"], a["options"]) for a in flagged["answers"]] == [
        ("Agree", []),
        ("", ["Online"]),
        ("", ["Wrong answers", "Privacy"]),
    ]
    first = _why(responses[0]["answers"], world)
    assert first["themes"] == ["Quicker answers"]
    assert responses[1]["respondent_type"] == "organisation"


def test_nothing_personal_or_private_is_in_any_download(client: Client, world: World):
    data = json.dumps(_json(client, world))
    csvs = json.dumps([_csv(client, world, name) for name in ("outcome_responses_csv", "outcome_themes_csv")])
    for published in (data, csvs):
        for response in (world.consented, world.organisation, world.unconsented, world.hidden, world.withdrawn):
            assert response.reference not in published
        for private in [
            "jo.bloggs@example.com",
            "jo@example.com",
            "Age Voices",
            "consultation@example.gov.uk",  # the consultation's contact, who can be an official
            "25_34",
            "mixed",
            "Please do not publish",
            "Buy cheap watches",
            "I changed my mind",
            "a moderator must look",
        ]:
            assert private not in published


def test_responses_csv_matches_the_json_with_formulas_neutralised(client: Client, world: World):
    rows = _csv(client, world, "outcome_responses_csv")
    responses = _json(client, world)["responses"]
    assert [row["id"] for row in rows] == [response["id"] for response in responses]
    first, organisation, flagged = rows
    assert first["Q2: Why do you say that?"] == "Quicker, write to me at [email address]"
    assert first["Q2 themes"] == "Quicker answers"
    assert first["Q1: Do you agree that the assistant should answer benefit enquiries?"] == "Agree"
    assert first["Q3: How do you usually contact us?"] == "Online"
    assert first["Q4: What worries you about the assistant?"] == "Wrong answers; Privacy"
    assert organisation["Q2: Why do you say that?"] == "'=HYPERLINK(1) We speak for 200 members."
    assert flagged["Q2: Why do you say that?"] == ""


def test_with_nobody_agreeing_to_publication_the_downloads_hold_no_answers_but_keep_their_shape(
    client: Client, world: World
):
    Response.objects.filter(consultation=world.consultation).update(is_publication_consented=False)
    page = client.get(_url(world, "outcome_responses_csv"))
    assert page.status_code == 200
    lines = b"".join(page.streaming_content).decode().splitlines()
    # The header row alone, so that a program reading it still finds its columns.
    assert lines == [
        "id,respondent_type,Q1: Do you agree that the assistant should answer benefit enquiries?,"
        "Q2: Why do you say that?,Q2 themes,Q3: How do you usually contact us?,"
        "Q4: What worries you about the assistant?,Q5: Is there anything else you want to tell us?,Q5 themes"
    ]
    data = _json(client, world)
    assert data["responses"] == []
    assert data["published_response_count"] == 0
    # Everything else is still there: the counts include every response.
    assert data["response_count"] == 4
    assert [q["answered"] for q in data["closed_questions"]] == [4, 4, 4]


def test_themes_csv_has_the_published_counts(client: Client, world: World):
    rows = _csv(client, world, "outcome_themes_csv")
    assert [(row["question_position"], row["theme"], row["count"], row["is_other"]) for row in rows] == [
        ("2", "Quicker answers", "4", "no"),
        ("2", "Other", "0", "yes"),
        ("5", "Other", "0", "yes"),
    ]
    assert rows[0]["government_response"] == "We heard “Quicker answers”."


def test_ids_are_stable_opaque_and_not_the_reference(client: Client, world: World):
    first = [r["id"] for r in _json(client, world)["responses"]]
    again = [r["id"] for r in _json(client, world)["responses"]]
    assert first == again
    assert len(set(first)) == 3
    assert all(len(i) == 16 and not i.startswith("R-") for i in first)
    assert str(world.consented.pk) not in first


def test_downloads_wait_for_the_outcome_and_are_linked_from_it(client: Client, world: World):
    unpublished = make_consultation(phase="closed")
    for name in ("outcome_download_json", "outcome_themes_csv", "outcome_responses_csv"):
        assert client.get(reverse(name, args=[unpublished.slug])).status_code == 404
    page = client.get(reverse("consultation_outcome", args=[world.consultation.slug])).content.decode()
    for name in ("outcome_download_json", "outcome_themes_csv", "outcome_responses_csv"):
        assert f'href="{_url(world, name)}"' in page


def test_downloads_count_against_the_api_rate_limit(client: Client, world: World, settings: object):
    settings.API_RATE_LIMIT = "2/m"
    assert client.get(_url(world, "outcome_themes_csv")).status_code == 200
    assert client.get(_url(world, "outcome_responses_csv")).status_code == 200
    assert client.get(_url(world, "outcome_download_json")).status_code == 429


@pytest.mark.browser
def test_outcome_page_with_its_downloads_has_no_accessibility_violations(browser, live_server, world: World):
    from tests.browser_support import audit

    context = browser.new_context(viewport={"width": 1024, "height": 768})
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.goto(live_server.url + reverse("consultation_outcome", args=[world.consultation.slug]))
    assert page.get_by_role("link", name="Published answers, as CSV").is_visible()
    report = audit(page, "outcome with downloads")
    context.close()
    assert report == ""
    assert errors == []

"""The open data API: published consultations, AI tool records, questions and outcomes, paged,
rate-limited, never personal data."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings

from consult.models import Answer, EqualityInformation, Response, ReviewTheme
from tests.factories import add_welsh_versions, make_consultation, make_response, publish_outcome_with_themes

pytestmark = pytest.mark.django_db

API = "/api"


@pytest.fixture
def published() -> dict[str, object]:
    """A draft, three published consultations and one published outcome with responses."""
    draft = make_consultation(phase="draft", title="A secret draft")
    open_ = make_consultation(phase="open", title="Chatbot for tax questions")
    upcoming = make_consultation(phase="upcoming")
    closed = make_consultation(phase="closed", title="Triage of casework")
    q = {question.position: question for question in closed.questions.all()}
    responses = [
        make_response(closed, {q[1]: 4, q[2]: "It would be quicker."}, email="alice@example.com"),
        make_response(closed, {q[1]: 2, q[2]: "Quicker, I hope."}, email="bob@example.com"),
    ]
    EqualityInformation.objects.create(response=responses[0], age_band="25_34")
    answers = [response.answers.get(question=q[2]) for response in responses]
    publish_outcome_with_themes(closed, {q[2]: {"Quicker answers": answers}})
    return {"draft": draft, "open": open_, "upcoming": upcoming, "closed": closed, "responses": responses}


def test_lists_published_consultations_newest_first_without_drafts(client: Client, published):
    body = client.get(f"{API}/consultations").json()
    slugs = [item["slug"] for item in body["items"]]
    assert published["draft"].slug not in slugs
    assert slugs == [published[name].slug for name in ("upcoming", "open", "closed")]
    assert body["count"] == 3
    first = body["items"][0]
    assert first["phase"] == "upcoming"
    assert first["url"].endswith(published["upcoming"].get_absolute_url())
    assert first["department"]["name"] == published["upcoming"].department.name


def test_pages_are_stable_and_linked(client: Client, published):
    first = client.get(f"{API}/consultations", {"limit": 2}).json()
    assert [first["limit"], first["offset"], first["previous"]] == [2, 0, None]
    second = client.get(first["next"]).json()
    assert second["next"] is None
    assert second["previous"].endswith("limit=2&offset=0")
    everything = client.get(f"{API}/consultations", {"limit": 100}).json()["items"]
    assert [i["slug"] for i in first["items"] + second["items"]] == [i["slug"] for i in everything]


@pytest.mark.parametrize("params", [{"limit": 101}, {"limit": 0}, {"offset": -1}, {"limit": "twenty"}])
def test_bad_paging_is_refused_with_a_json_error(client: Client, published, params):
    page = client.get(f"{API}/consultations", params)
    assert page.status_code == 422
    assert page["Content-Type"] == "application/json; charset=utf-8"
    assert page.json()["detail"]


def test_a_consultation_has_its_ai_tool_record_and_questions(client: Client, published):
    consultation = published["open"]
    body = client.get(f"{API}/consultations/{consultation.slug}").json()
    assert body["title"] == "Chatbot for tax questions"
    assert body["ai_tool"]["tool_name"] == consultation.ai_tool.tool_name
    assert body["ai_tool"]["how_to_challenge"] == consultation.ai_tool.how_to_challenge
    assert [q["position"] for q in body["questions"]] == [1, 2, 3, 4, 5]
    channel = body["questions"][2]
    assert channel["kind"] == "single_choice"
    assert [o["label"] for o in channel["options"]] == ["By phone", "Online", "In person"]
    assert body["questions"][1]["explains_question_id"] == body["questions"][0]["id"]
    assert body["outcome_api_url"] is None
    assert client.get(f"{API}/consultations/{consultation.slug}/ai-tool").json() == body["ai_tool"]
    assert client.get(f"{API}/consultations/{consultation.slug}/questions").json() == body["questions"]


def test_welsh_versions_are_served_beside_the_english_and_null_where_there_are_none(client: Client, published):
    english_only = client.get(f"{API}/consultations/{published['open'].slug}").json()
    assert english_only["welsh"] is None
    assert english_only["department"]["welsh"] is None
    assert english_only["ai_tool"]["welsh"] is None
    assert all(question["welsh"] is None for question in english_only["questions"])

    consultation = add_welsh_versions(published["open"])
    consultation.questions.filter(position=5).update(text_cy="")  # one question left in English only
    body = client.get(f"{API}/consultations/{consultation.slug}").json()
    assert body["welsh"] == {
        "title": consultation.title_cy,
        "summary": consultation.summary_cy,
        "url": f"http://testserver/cy/consultations/{consultation.slug}/",
    }
    assert body["department"]["welsh"] == {"name": consultation.department.name_cy}
    assert body["ai_tool"]["welsh"]["how_to_challenge"] == "Gofynnwch am gael siarad â pherson unrhyw bryd."
    questions = {question["position"]: question for question in body["questions"]}
    assert questions[1]["welsh"]["text"].startswith("Ydych chi'n cytuno")
    assert questions[1]["welsh"]["hint"] is None  # that question has no hint to translate
    assert questions[5]["welsh"] is None
    assert [option["welsh"]["label"] for option in questions[3]["options"]] == [
        "Dros y ffôn",
        "Ar-lein",
        "Wyneb yn wyneb",
    ]
    listed = client.get(f"{API}/consultations").json()["items"]
    assert next(item for item in listed if item["slug"] == consultation.slug)["welsh"] == body["welsh"]


@pytest.mark.parametrize("suffix", ["", "/ai-tool", "/questions", "/outcome"])
def test_drafts_and_unknown_slugs_are_not_found(client: Client, published, suffix):
    for slug in [published["draft"].slug, "no-such-consultation"]:
        page = client.get(f"{API}/consultations/{slug}{suffix}")
        assert page.status_code == 404
        assert "detail" in page.json()
        assert b"secret draft" not in page.content


def test_an_outcome_is_served_as_frozen_at_publication(client: Client, published):
    closed = published["closed"]
    listing = client.get(f"{API}/outcomes").json()
    assert [item["consultation_slug"] for item in listing["items"]] == [closed.slug]
    assert listing["items"][0]["response_count"] == 2
    # A change after publication does not reach the public record until it is published again.
    ReviewTheme.objects.filter(label="Quicker answers").update(label="Renamed later")
    body = client.get(f"{API}/consultations/{closed.slug}/outcome").json()
    assert body["summary"] == "Most people want quicker answers."
    assert body["decision"] == "We will run a pilot."
    why = next(q for q in body["questions"] if q["position"] == 2)
    assert [(t["label"], t["count"]) for t in why["themes"]] == [("Quicker answers", 2), ("Other", 0)]
    assert why["themes"][0]["government_response"] == "We heard “Quicker answers”."
    assert body["downloads"]["json"].endswith(f"/consultations/{closed.slug}/outcome/download.json")
    detail = client.get(f"{API}/consultations/{closed.slug}").json()
    assert detail["outcome_api_url"].endswith(f"/api/consultations/{closed.slug}/outcome")


def test_an_unpublished_outcome_is_not_found(client: Client, published):
    assert client.get(f"{API}/consultations/{published['open'].slug}/outcome").status_code == 404


def test_no_personal_data_is_ever_served(client: Client, published):
    Answer.objects.update(text="Call me on 07700 900123")
    bodies = [client.get(f"{API}/consultations", {"limit": 100}).content, client.get(f"{API}/outcomes").content]
    for name in ("open", "closed"):
        slug = published[name].slug
        for suffix in ("", "/ai-tool", "/questions", "/outcome"):
            bodies.append(client.get(f"{API}/consultations/{slug}{suffix}").content)
    served = b"".join(bodies).decode()
    for response in published["responses"]:
        assert response.reference not in served
    for private in ["alice@example.com", "bob@example.com", "consultation@example.gov.uk", "07700", "25_34"]:
        assert private not in served
    assert "It would be quicker." not in served


@override_settings(API_RATE_LIMIT="3/m")
def test_too_many_requests_get_a_json_429(client: Client, published):
    for _ in range(3):
        assert client.get(f"{API}/consultations").status_code == 200
    refused = client.get(f"{API}/consultations/{published['open'].slug}")
    assert refused.status_code == 429
    assert "3/m" in refused.json()["detail"]
    # Another address has its own allowance.
    assert client.get(f"{API}/consultations", REMOTE_ADDR="192.0.2.7").status_code == 200


def test_the_openapi_schema_is_served_and_swagger_ui_is_gone(client: Client):
    schema = client.get(f"{API}/openapi.json").json()
    assert {"/api/", "/api/consultations", "/api/consultations/{slug}/outcome", "/api/outcomes"} <= set(schema["paths"])
    listing = schema["paths"]["/api/consultations"]["get"]
    assert {"200", "422", "429"} <= set(listing["responses"])
    assert "404" in schema["paths"]["/api/consultations/{slug}"]["get"]["responses"]
    # /api/docs is the site's own reference page (tests/open_data/test_api_reference.py).
    docs = client.get(f"{API}/docs")
    assert docs.status_code == 200
    assert b"swagger" not in docs.content.lower()
    assert client.get("/static/ninja/swagger-ui-bundle.js").status_code == 404


def test_the_root_lists_what_the_api_holds_and_every_link_answers(client: Client, published):
    root = client.get(f"{API}/")
    assert root.status_code == 200
    body = root.json()
    assert [body["name"], body["version"], body["licence"]] == [
        "consult open data",
        "1",
        "Open Government Licence v3.0",
    ]
    links = body["links"]
    assert links == {
        "consultations": "http://testserver/api/consultations",
        "outcomes": "http://testserver/api/outcomes",
        "reference": "http://testserver/api/docs",
        "reference_welsh": "http://testserver/cy/api/docs",
        "openapi": "http://testserver/api/openapi.json",
    }
    assert set(body["feeds"]) == {"consultations", "outcomes", "closing_dates"}
    for url in [*links.values(), *body["feeds"].values()]:
        assert client.get(url).status_code == 200, url
    # The bulk downloads are templates: with a published outcome's slug they answer, and they are
    # the addresses that outcome lists itself.
    slug = published["closed"].slug
    outcome = client.get(f"{API}/consultations/{slug}/outcome").json()
    filled = {name: url.replace("{slug}", slug) for name, url in body["bulk_downloads"].items()}
    assert filled == outcome["downloads"]
    for url in filled.values():
        assert client.get(url).status_code == 200, url


def test_an_outcome_serves_its_closed_questions_results(client: Client, published):
    closed = published["closed"]
    body = client.get(f"{API}/consultations/{closed.slug}/outcome").json()
    # Only closed questions, in the order they were asked; free-text ones stay in `questions`.
    assert [(q["position"], q["kind"]) for q in body["closed_questions"]] == [
        (1, "agreement"),
        (3, "single_choice"),
        (4, "multiple_choice"),
    ]
    agree = body["closed_questions"][0]
    assert agree["answered"] == 2  # the fixture's two responses: Agree and Disagree
    assert [(c["label"], c["point"], c["count"], c["share"]) for c in agree["choices"]] == [
        ("Strongly agree", 5, 0, 0.0),
        ("Agree", 4, 1, 0.5),
        ("Neither agree nor disagree", 3, 0, 0.0),
        ("Disagree", 2, 1, 0.5),
        ("Strongly disagree", 1, 0, 0.0),
    ]
    channel = body["closed_questions"][1]
    # Nobody answered it: counts of 0, and no share rather than a share of nothing.
    assert channel["answered"] == 0
    assert [(c["position"], c["label"], c["point"], c["count"], c["share"]) for c in channel["choices"]] == [
        (1, "By phone", None, 0, None),
        (2, "Online", None, 0, None),
        (3, "In person", None, 0, None),
    ]
    assert agree["welsh"] is None and agree["choices"][1]["welsh"] == {"label": "Cytuno"}


def test_an_outcome_says_how_many_responses_its_download_holds(client: Client, published):
    closed = published["closed"]
    url = f"{API}/consultations/{closed.slug}/outcome"
    assert client.get(url).json()["published_response_count"] == 0  # nobody agreed
    Response.objects.filter(pk=published["responses"][0].pk).update(is_publication_consented=True)
    assert client.get(url).json()["published_response_count"] == 1


def test_other_addresses_under_the_api_answer_in_json(client: Client):
    page = client.get(f"{API}/no/such/thing")
    assert page.status_code == 404
    assert page.json() == {"detail": "Not Found"}

"""Other websites' browser code may read the open data (the API, the feeds and an outcome's bulk
downloads) from any origin, without credentials; nothing else sends CORS headers."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings

from consult.models import Consultation
from tests.factories import make_consultation, make_response, publish_outcome_with_themes

pytestmark = pytest.mark.django_db

ORIGIN = "https://example.org"


@pytest.fixture
def published() -> Consultation:
    """A consultation whose outcome is published, with one answer in a theme."""
    consultation = make_consultation(phase="closed", title="Triage of casework")
    q = {question.position: question for question in consultation.questions.all()}
    response = make_response(consultation, {q[1]: 4, q[2]: "It would be quicker."})
    publish_outcome_with_themes(consultation, {q[2]: {"Quicker answers": [response.answers.get(question=q[2])]}})
    return consultation


def _open_data_urls(slug: str) -> list[str]:
    downloads = [f"/consultations/{slug}/outcome/{name}" for name in ("download.json", "themes.csv", "responses.csv")]
    feeds = ["/feeds/consultations.atom", "/feeds/outcomes.atom", "/feeds/closing-dates.ics"]
    return [
        "/api/",
        "/api/consultations",
        f"/api/consultations/{slug}",
        "/api/outcomes",
        "/api/openapi.json",
        *feeds,
        *downloads,
        *(f"/cy{url}" for url in feeds + downloads),
    ]


def test_open_data_may_be_read_by_any_origin_without_credentials(client: Client, published: Consultation):
    for url in _open_data_urls(published.slug):
        page = client.get(url, headers={"Origin": ORIGIN})
        assert page.status_code == 200, url
        assert page["Access-Control-Allow-Origin"] == "*", url
        assert "Access-Control-Allow-Credentials" not in page, url
        assert "origin" in page["Vary"].lower(), url


def test_cors_leaves_the_content_security_policy_in_place(client: Client, published: Consultation):
    page = client.get("/api/consultations", headers={"Origin": ORIGIN})
    assert page["Access-Control-Allow-Origin"] == "*"
    assert "default-src 'self'" in page["Content-Security-Policy"]


def test_a_preflight_to_the_api_is_allowed_for_reading_only(client: Client, published: Consultation):
    for url in ("/api/consultations", f"/cy/consultations/{published.slug}/outcome/download.json"):
        preflight = client.options(url, headers={"Origin": ORIGIN, "Access-Control-Request-Method": "GET"})
        assert preflight.status_code == 200, url
        assert preflight["Access-Control-Allow-Origin"] == "*", url
        assert preflight["Access-Control-Allow-Methods"] == "GET, HEAD, OPTIONS", url
        assert "Access-Control-Allow-Headers" in preflight, url
        assert "Access-Control-Allow-Credentials" not in preflight, url


@override_settings(API_RATE_LIMIT="2/m")
def test_preflights_do_not_use_up_the_rate_limit(client: Client, published: Consultation):
    for _ in range(5):
        preflight = client.options(
            "/api/consultations", headers={"Origin": ORIGIN, "Access-Control-Request-Method": "GET"}
        )
        assert preflight.status_code == 200
    assert client.get("/api/consultations", headers={"Origin": ORIGIN}).status_code == 200
    assert client.get("/api/consultations", headers={"Origin": ORIGIN}).status_code == 200
    refused = client.get("/api/consultations", headers={"Origin": ORIGIN})
    assert refused.status_code == 429
    # A refusal is still readable by the other site's code, so it can tell the user to wait.
    assert refused["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/cy/",
        "/accounts/login/",
        "/cy/accounts/login/",
        "/workspace/",
        "/admin/",
        "/feeds/",
        "/apiary",
        # The API's reference is one of the site's pages, with its header for a signed-in person.
        "/api/docs",
        "/cy/api/docs",
    ],
)
def test_pages_with_sessions_forms_or_the_workspace_send_no_cors_headers(client: Client, url: str):
    page = client.get(url, headers={"Origin": ORIGIN})
    assert "Access-Control-Allow-Origin" not in page
    preflight = client.options(url, headers={"Origin": ORIGIN, "Access-Control-Request-Method": "POST"})
    assert "Access-Control-Allow-Origin" not in preflight
    assert "Access-Control-Allow-Methods" not in preflight


def test_an_outcome_page_sends_no_cors_headers_though_its_downloads_do(client: Client, published: Consultation):
    for url in (f"/consultations/{published.slug}/", f"/consultations/{published.slug}/outcome/"):
        page = client.get(url, headers={"Origin": ORIGIN})
        assert page.status_code == 200, url
        assert "Access-Control-Allow-Origin" not in page, url

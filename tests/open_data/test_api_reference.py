"""The open data API's reference page (/api/docs): generated from the API's own OpenAPI schema, so
every operation, parameter, status and field the API has is on it; each example request works; it
is one of the site's GOV.UK pages in English and Welsh, and passes axe-core."""

from __future__ import annotations

import copy
import re
import shlex
from html import unescape
from urllib.parse import urlsplit

import pytest
from django.test import Client

from consult.open_data.api import api
from consult.open_data.reference import build_reference
from tests.factories import make_consultation, make_response, publish_outcome_with_themes
from tests.welsh_support import cy, english_left_in

pytestmark = pytest.mark.django_db

REFERENCE = "/api/docs"


@pytest.fixture
def published() -> str:
    """A consultation with a published outcome: the slug the examples use."""
    make_consultation(phase="open")
    consultation = make_consultation(phase="closed")
    q = {question.position: question for question in consultation.questions.all()}
    response = make_response(consultation, {q[1]: 4, q[2]: "It would be quicker."})
    publish_outcome_with_themes(consultation, {q[2]: {"Quicker answers": [response.answers.get(question=q[2])]}})
    return consultation.slug


def _page(client: Client, url: str = REFERENCE) -> str:
    page = client.get(url)
    assert page.status_code == 200
    assert page["Content-Type"] == "text/html; charset=utf-8"
    return unescape(page.content.decode())


def _section(html: str, anchor: str) -> str:
    start = html.index(f'id="{anchor}"')
    end = html.find("<section", start)
    return html[start : end if end != -1 else len(html)]


def test_every_operation_of_the_schema_is_on_the_page_with_its_parameters_and_statuses(client: Client, published):
    html = _page(client)
    schema = api.get_openapi_schema()
    operations = [(path, method, spec) for path, methods in schema["paths"].items() for method, spec in methods.items()]
    assert len(operations) == 7
    for path, method, spec in operations:
        anchor = re.sub(r"[^a-z0-9]+", "-", f"{method} {path}".lower()).strip("-")
        section = _section(html, anchor)
        assert spec["summary"] in section
        assert f"{method.upper()}</strong> <code" in section and f">{path}</code>" in section
        assert spec["description"].split("`")[0] in section
        for parameter in spec.get("parameters", []):
            assert f'<code class="consult-code-inline">{parameter["name"]}</code>' in section
            assert parameter["description"] in section
        for status in spec["responses"]:
            assert f'<th scope="row" class="govuk-table__header">{status}</th>' in section
        # The contents link to it.
        assert f'href="#{anchor}"' in html


def test_parameters_say_where_they_go_whether_required_their_type_and_rules(client: Client, published):
    html = _page(client)
    listing = _section(html, "get-api-consultations")
    limit = listing[listing.index(">limit</code>") :].split("</tr>")[0]
    cells = [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", limit, flags=re.S)]
    assert cells == [
        "query string",
        "No",
        "integer",
        "How many items (1 to 100). Default: 20. At least 1. At most 100.",
    ]
    one = _section(html, "get-api-consultations-slug")
    slug = one[one.index(">slug</code>") :].split("</tr>")[0]
    cells = [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", slug, flags=re.S)]
    assert cells[:3] == ["path", "Yes", "string"]
    assert "At most 100 characters. Matches the pattern ^[-a-zA-Z0-9_]+$." in cells[3]


def test_every_object_the_api_answers_with_is_described_and_every_link_to_one_resolves(client: Client, published):
    html = _page(client)
    schema = api.get_openapi_schema()["components"]["schemas"]
    linked = set(re.findall(r'href="#(object-[A-Za-z]+)"', html))
    anchors = set(re.findall(r'id="(object-[A-Za-z]+)"', html))
    assert linked <= anchors
    for name in ("OutcomeDetail", "ClosedQuestionOut", "ClosedChoiceOut", "ApiRoot", "Phase", "Error"):
        assert f"object-{name}" in anchors
    detail = _section(html, "object-OutcomeDetail").split('id="object-', 2)[1]
    for field, spec in schema["OutcomeDetail"]["properties"].items():
        assert f'<code class="consult-code-inline">{field}</code>' in detail
        if "description" in spec:
            assert spec["description"].split("`")[0] in detail
    # A nullable list of objects reads as such, linked to the object.
    assert (
        '<a class="govuk-link" href="#object-ClosedQuestionOut"><code class="consult-code-inline">ClosedQuestionOut'
        '</code></a><code class="consult-code-inline">[]</code><code class="consult-code-inline"> | </code>'
        '<code class="consult-code-inline">null</code>'
    ) in detail
    phase = _section(html, "object-Phase").split('id="object-', 2)[1]
    assert [value for value in schema["Phase"]["enum"]] == re.findall(
        r'<li><code class="consult-code-inline">([a-z_]+)</code></li>', phase
    )


def test_each_example_request_works(client: Client, published):
    html = _page(client)
    examples = re.findall(r'<pre class="consult-code"><code>(.*?)</code></pre>', html, flags=re.S)
    assert len(examples) == 7
    for example in examples:
        command, url = shlex.split(example)
        assert command == "curl"
        parts = urlsplit(url)
        assert parts.netloc == "testserver"
        answer = client.get(f"{parts.path}?{parts.query}" if parts.query else parts.path)
        assert answer.status_code == 200, example
        assert answer["Content-Type"].startswith("application/json"), example
    assert f"curl http://testserver/api/consultations/{published}/outcome" in html
    assert "curl 'http://testserver/api/consultations?limit=20&offset=0'" in html


def test_the_page_follows_the_schema_it_is_made_from():
    """A field, parameter or operation added to the API reaches the page with nothing else to do."""
    schema = copy.deepcopy(api.get_openapi_schema())
    schema["components"]["schemas"]["OutcomeDetail"]["properties"]["turnout"] = {
        "type": "number",
        "description": "A new field.",
    }
    schema["paths"]["/api/outcomes"]["get"]["parameters"].append(
        {"in": "query", "name": "since", "required": True, "schema": {"type": "string", "format": "date"}}
    )
    reference = build_reference(schema, "https://consult.example", {"slug": "a-slug"})
    detail = next(each for each in reference.objects if each.name == "OutcomeDetail")
    turnout = next(field for field in detail.fields if field.name == "turnout")
    assert [part.text for part in turnout.type] == ["number"]
    assert not turnout.is_required
    outcomes = next(each for each in reference.operations if each.path == "/api/outcomes")
    since = next(parameter for parameter in outcomes.parameters if parameter.name == "since")
    assert (since.location, since.is_required, [part.text for part in since.type]) == ("query", True, ["string (date)"])
    assert outcomes.example == "curl 'https://consult.example/api/outcomes?limit=20&offset=0'"
    one = next(each for each in reference.operations if each.path == "/api/consultations/{slug}")
    assert one.example == "curl https://consult.example/api/consultations/a-slug"


def test_the_page_links_the_schema_and_the_api_root_and_is_linked_from_the_public_pages(client: Client, published):
    html = _page(client)
    assert 'href="/api/openapi.json"' in html
    assert '<code class="consult-code-inline">http://testserver/api/</code>' in html
    assert 'href="/api/docs"' in _page(client, "/")
    assert 'href="/api/docs"' in _page(client, f"/consultations/{published}/outcome/")


def test_the_welsh_page_has_welsh_headings_and_marks_the_schemas_english(client: Client, published):
    html = _page(client, cy("api_reference"))
    assert cy("api_reference") == "/cy/api/docs"
    assert '<html lang="cy"' in html
    assert "Cyfeirlyfr API data agored" in html
    assert ">Paramedrau</h3>" in html and ">Cais enghreifftiol</h3>" in html
    # The site's own interface is in Welsh (what the schema says is not, and is marked so below).
    assert english_left_in(html, ["Skip to main content", "Open data API reference", "Back to contents"]) == []
    for english in ("Parameters", "Example request", "Response fields", "Always present"):
        assert english not in html
    # What the schema says is in English, and marked so.
    assert '<h2 class="govuk-heading-l" id="get-api-outcomes" lang="en">List published outcomes</h2>' in html
    assert '<span lang="en">How many items (1 to 100).</span> Diofyn: 20.' in html
    # The toggle leads to the English page.
    assert 'href="/api/docs" hreflang="en-GB"' in html


@pytest.mark.browser
def test_the_reference_page_has_no_accessibility_violations_in_either_language(browser, live_server, published):
    from tests.browser_support import assert_no_violations, audit

    context = browser.new_context(viewport={"width": 1024, "height": 768})
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    reports = []
    for name, url in [("API reference", REFERENCE), ("API reference in Welsh", cy("api_reference"))]:
        page.goto(live_server.url + url)
        reports.append(audit(page, name))
    # Narrow screens: long paths and code wrap instead of scrolling the page sideways.
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(live_server.url + REFERENCE)
    reports.append(audit(page, "API reference, narrow"))
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    context.close()
    assert_no_violations(reports)
    assert errors == []

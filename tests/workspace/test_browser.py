"""The workspace in a real browser: an official signs in with a password and an authenticator
code, and axe-core finds no WCAG 2.2 AA failure on any workspace page an official can open.

The pages are every workspace URL pattern, filled in from the shared world, so a page added later
is checked too. Drives Debian's Chromium through Playwright; skipped where it is missing.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from django.test import Client
from django.urls import URLPattern, reverse
from playwright.sync_api import Browser, Page, expect

from consult.models import AnswerEmbedding, User
from consult.views.workspace.urls import urlpatterns
from tests.browser_support import (
    CHROMIUM_PATH,
    assert_no_violations,
    audit,
    press_and_wait_for_page,
    sign_in_with_session,
    tab_to,
)
from tests.factories import make_official, totp_code
from tests.workspace.analysis_world import World as AnalysisWorld
from tests.workspace.analysis_world import build_world as build_analysis_world
from tests.workspace_world import World, build_world

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM_PATH.exists(), reason=f"Debian's Chromium is not installed at {CHROMIUM_PATH}"),
]

PASSWORD = "a-long-test-password"


@pytest.fixture
def page(browser: Browser, live_server: object) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert errors == [], errors


def _sign_in(page: Page, live_server: object, email: str) -> None:
    page.goto(live_server.url + reverse("account_login"))
    page.locator("#id_login").fill(email)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.locator("#id_code").fill(totp_code())
    page.locator("main").get_by_role("button").first.click()
    expect(page.locator("h1")).to_have_text("Your consultations")


def _pages_to_check(world: World, official: User) -> list[tuple[str, str]]:
    """Every workspace address that answers the official's GET with a page (not a download or JSON)."""
    client = Client()
    client.force_login(official)
    pages = []
    for pattern in urlpatterns:
        assert isinstance(pattern, URLPattern)
        address = reverse(pattern.name, kwargs={name: world.kwargs[name] for name in pattern.pattern.converters})
        response = client.get(address)
        if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
            pages.append((pattern.name, address))
    return pages


@pytest.mark.django_db(transaction=True)
def test_every_workspace_page_passes_axe_for_a_lead_signed_in_with_two_factor(live_server, page) -> None:
    world = build_world()
    lead = make_official(world.consultation.department, role="lead", email="lead@example.gov.uk")
    pages = _pages_to_check(world, lead)
    assert len(pages) > 10, pages  # the walk reaches the workspace's pages, not just its front door

    _sign_in(page, live_server, lead.email)
    reports = []
    for name, address in pages:
        page.goto(live_server.url + address)
        reports.append(audit(page, f"workspace {name}"))
    failures = [report for report in reports if report]
    assert failures == [], "\n".join(failures)


# --- The analysis overview and the topic map ----------------------------------------------------


def _analysis_world() -> AnalysisWorld:
    """The analysis pages' world, with each answer to "why" read by the analysis (an embedding)."""
    from consult.analysis.embedding import to_bytes

    world = build_analysis_world(Client())
    vectors = [[1.0, 0.0, 0.0], [0.9, 0.1, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]
    for answer, vector in zip(world.answers, vectors, strict=True):
        AnswerEmbedding.objects.create(
            answer=answer, model_name="test", dimensions=3, vector=to_bytes(vector), text_hash="x"
        )
    return world


@pytest.mark.django_db(transaction=True)
def test_the_analysis_overview_folds_each_themes_evidence_until_opened(live_server, page) -> None:
    world = _analysis_world()
    sign_in_with_session(page, live_server.url, world.official)
    page.goto(live_server.url + reverse("workspace_analysis", args=[world.consultation.slug]))
    reports = [audit(page, "workspace analysis overview")]

    evidence = page.locator("details", has_text="for Human contact")
    quote = evidence.locator("blockquote", has_text="People need a person to talk to")
    expect(quote).to_be_hidden()
    evidence.locator("summary").click()
    expect(quote).to_be_visible()
    expect(
        evidence.get_by_role("link", name=re.compile(r"^Read all 1 answer in this theme ?: Human contact$"))
    ).to_be_visible()
    reports.append(audit(page, "workspace analysis overview, evidence open"))
    assert_no_violations(reports)


@pytest.mark.django_db(transaction=True)
def test_the_topic_map_is_reached_by_keyboard_each_answer_and_theme_a_link(live_server, page) -> None:
    world = _analysis_world()
    why = world.questions["why"]
    sign_in_with_session(page, live_server.url, world.official)
    page.goto(live_server.url + reverse("workspace_topic_map", args=[world.consultation.slug, why.pk]))
    reports = [audit(page, "workspace topic map")]

    # Tab past the skip link onto the first marker: a link to its answer, with a name and a
    # focus that shows (the marker turns yellow with a black edge, as GOV.UK focus does).
    tab_to(page, "Skip the map\u2019s 4 links to the table of themes")
    page.keyboard.press("Tab")
    marker = page.evaluate(
        """() => {
          const el = document.activeElement;
          const use = el.querySelector("use");
          const rect = use.getBoundingClientRect();
          return {
            tag: el.tagName.toLowerCase(), href: el.getAttribute("href"),
            name: el.querySelector("title").textContent,
            fill: getComputedStyle(use).fill, stroke: getComputedStyle(use).stroke,
            visible: rect.width > 0 && rect.height > 0,
          };
        }"""
    )
    first = world.responses[0]
    assert marker["tag"] == "a" and marker["visible"]
    assert marker["href"].endswith(f"{first.reference}/#answer-{world.answers[0].pk}")
    assert marker["name"] == f"{first.reference}: Speed"
    assert (marker["fill"], marker["stroke"]) == ("rgb(255, 221, 0)", "rgb(11, 12, 12)")
    press_and_wait_for_page(page, "Enter")
    expect(page.locator("h1")).to_contain_text(first.reference)

    # The table beside the map: each theme a link to its answers.
    page.go_back()
    page.locator("#map-themes").get_by_role("link", name="Human contact").click()
    expect(page.locator("main")).to_contain_text(world.responses[2].reference)
    expect(page.locator("main")).not_to_contain_text(world.responses[0].reference)
    assert_no_violations(reports)

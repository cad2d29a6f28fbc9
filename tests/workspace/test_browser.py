"""The workspace in a real browser: an official signs in with a password and an authenticator
code, and axe-core finds no WCAG 2.2 AA failure on any workspace page an official can open.

The pages are every workspace URL pattern, filled in from the shared world, so a page added later
is checked too. Drives Debian's Chromium through Playwright; skipped where it is missing.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.test import Client
from django.urls import URLPattern, reverse
from playwright.sync_api import Browser, Page, expect

from consult.models import User
from consult.views.workspace.urls import urlpatterns
from tests.browser_support import CHROMIUM_PATH, audit, sign_in_with_session
from tests.factories import make_official, totp_code
from tests.workspace.fairness_world import build_groups
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


@pytest.mark.django_db(transaction=True)
def test_the_fairness_page_with_every_kind_of_table_passes_axe(live_server, page) -> None:
    """The shared world's groups are all too small to show; these are large enough that the page
    shows its tables of languages and of agreement by group, beside groups withheld."""
    groups = build_groups()
    analyst = make_official(groups.consultation.department, role="analyst")
    sign_in_with_session(page, live_server.url, analyst)
    page.goto(live_server.url + reverse("workspace_fairness", args=[groups.consultation.slug]))
    expect(page.get_by_role("table", name="Question 1 by language of the pages")).to_be_visible()
    expect(page.get_by_role("row", name="Welsh 12 2 (17%) 1 (8%) 9 (75%)")).to_be_visible()
    assert audit(page, "workspace fairness with groups shown") == ""

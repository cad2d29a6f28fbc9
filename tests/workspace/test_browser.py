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

from consult.models import User
from consult.views.workspace.urls import urlpatterns
from tests.browser_support import CHROMIUM_PATH, assert_no_violations, audit
from tests.factories import make_official, totp_code
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
def test_the_audit_trail_its_filters_and_errors_and_the_read_only_ai_tool_record_pass_axe(live_server, page) -> None:
    from consult.models import ReviewTheme
    from consult.services import consultations, review
    from tests.browser_support import sign_in_with_session

    world = build_world()
    lead = make_official(world.consultation.department, role="lead", email="alex@example.gov.uk")
    lead.first_name, lead.last_name = "Alex", "Smith"
    lead.save()
    consultations.update_consultation(lead, world.consultation, {"summary": "A clearer summary."})
    theme = ReviewTheme.objects.get(pk=world.kwargs["theme_id"])
    review.update_theme(theme, lead, version=theme.theme_set.version, label="Faster answers", description="")

    sign_in_with_session(page, live_server.url, lead)
    page.goto(live_server.url + reverse("workspace_audit", args=[world.consultation.slug]))
    reports = [audit(page, "workspace audit trail")]
    expect(page.locator(".consult-audit__sentence")).to_have_count(2)

    page.get_by_label("What").select_option(label="Theme review")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.locator(".consult-audit__sentence")).to_have_text(
        [re.compile(r"^Alex Smith changed the theme “Quicker answers”")]
    )
    reports.append(audit(page, "workspace audit trail filtered"))

    on_or_after = page.get_by_role("group", name="On or after")
    on_or_after.get_by_label("Day").fill("31")
    on_or_after.get_by_label("Month").fill("2")
    on_or_after.get_by_label("Year").fill("2026")
    page.get_by_role("button", name="Apply filters").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Date from must be a real date")
    reports.append(audit(page, "workspace audit trail error"))
    summary.get_by_role("link").click()
    expect(on_or_after.get_by_label("Day")).to_be_focused()

    # The AI tool record, read-only for an analyst.
    sign_in_with_session(page, live_server.url, make_official(world.consultation.department, role="analyst"))
    page.goto(live_server.url + reverse("workspace_ai_tool_edit", args=[world.consultation.slug]))
    expect(page.locator("h1")).to_have_text("The AI tool record")
    reports.append(audit(page, "workspace AI tool record for an analyst"))
    assert_no_violations(reports)

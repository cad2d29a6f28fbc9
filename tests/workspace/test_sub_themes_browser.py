"""Sub-themes in a real browser: an official opens a theme's sub-themes on the question's analysis
page and follows one to its answers, and a lead sees them in review; axe-core finds no WCAG 2.2 AA
failure on any of these pages. Drives Debian's Chromium through Playwright; skipped where it is
missing."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from django.urls import reverse
from playwright.sync_api import Browser, Page, expect

from tests.browser_support import CHROMIUM_PATH, assert_no_violations, audit, sign_in_with_session
from tests.workspace.sub_theme_world import build_sub_theme_world

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM_PATH.exists(), reason=f"Debian's Chromium is not installed at {CHROMIUM_PATH}"),
]


@pytest.fixture
def page(browser: Browser, live_server: object) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert errors == [], errors


@pytest.mark.django_db(transaction=True)
def test_an_official_opens_a_themes_sub_themes_and_reads_their_answers_and_the_pages_pass_axe(
    live_server, page
) -> None:
    world = build_sub_theme_world()
    sign_in_with_session(page, live_server.url, world.analyst)
    page.goto(live_server.url + reverse("workspace_question_analysis", args=[world.consultation.slug, world.why.pk]))
    table = page.get_by_role("table", name="Sub-themes inside Speed, largest first")
    expect(table).to_be_hidden()  # behind the theme's details, closed until opened
    page.get_by_text("Sub-themes: 2").click()
    expect(table).to_be_visible()
    expect(table.get_by_role("row", name="Answers by phone Quicker answers on the phone line. 2 50%")).to_be_visible()
    page.get_by_text("Smaller views among answers that fit no theme: 1").click()
    reports = [audit(page, "workspace question analysis with sub-themes open")]

    table.get_by_role("link", name="Answers by phone").click()
    expect(page.locator(".consult-filter-summary")).to_contain_text("Answers in the sub-theme “Answers by phone”")
    expect(page.locator(".consult-result")).to_have_count(2)
    expect(page.get_by_label("Sub-theme")).to_have_value(str(world.by_phone.pk))
    reports.append(audit(page, "workspace answers filtered to a sub-theme"))

    sign_in_with_session(page, live_server.url, world.lead)
    page.goto(live_server.url + reverse("workspace_theme_set", args=[world.consultation.slug, world.why.pk]))
    page.get_by_role("button", name="Start reviewing the themes").click()
    expect(page.get_by_role("table", name="Sub-themes: narrower views inside this theme")).to_be_visible()
    reports.append(audit(page, "workspace theme review with sub-themes"))
    page.get_by_role("link", name=re.compile(r"^Add as a theme\s*: Answers by phone$")).click()
    reports.append(audit(page, "workspace add a sub-theme as a theme"))
    page.get_by_role("button", name="Add as a theme").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("added as a theme")
    expect(page.get_by_text("Added as the theme “Answers by phone”")).to_be_visible()
    assert_no_violations(reports)

"""The following pages in a real browser: axe-core finds no WCAG 2.2 AA failure on the department
page, the follow button, the Following page, the email preferences (error state included) and the
unsubscribe pages; following and unfollowing work without JavaScript.

Drives Debian's Chromium (/usr/bin/chromium) through Playwright; skipped where it is missing.
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from consult.models import Follow
from consult.services.following import unsubscribe_token
from tests.browser_support import CHROMIUM_PATH, assert_no_violations, audit, sign_in_with_session
from tests.factories import make_consultation, make_department, make_user

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM_PATH.exists(), reason=f"Debian's Chromium is not installed at {CHROMIUM_PATH}"),
]


def test_following_pages_have_no_accessibility_violations(live_server, page):
    department = make_department("Department for Fair Algorithms")
    consultation = make_consultation(phase="open", department=department, title="Using AI to triage casework")
    make_consultation(phase="upcoming", department=department, title="Chatbots for council tax")
    make_consultation(phase="closed", department=department, title="Forecasting demand")
    user = make_user()
    reports = []

    page.goto(live_server.url + reverse("department_detail", args=[department.slug]))
    expect(page.locator("h1")).to_have_text("Department for Fair Algorithms")
    reports.append(audit(page, "department"))

    sign_in_with_session(page, live_server.url, user)
    page.goto(live_server.url + consultation.get_absolute_url())
    with page.expect_navigation():
        page.get_by_role("button", name="Follow this consultation").click()
    expect(page.get_by_role("button", name="Stop following this consultation")).to_be_visible()
    reports.append(audit(page, "consultation followed"))

    page.goto(live_server.url + reverse("department_detail", args=[department.slug]))
    with page.expect_navigation():
        page.get_by_role("button", name="Follow this department").click()
    expect(page.locator(".govuk-notification-banner--success")).to_be_visible()
    reports.append(audit(page, "department followed"))
    assert Follow.objects.filter(user=user).count() == 2

    page.goto(live_server.url + reverse("following"))
    expect(page.locator("h1")).to_have_text("Following")
    reports.append(audit(page, "following"))

    page.goto(live_server.url + reverse("notification_preferences"))
    reports.append(audit(page, "email preferences"))
    for box in page.get_by_role("checkbox").all():
        box.uncheck()
    with page.expect_navigation():
        page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    reports.append(audit(page, "email preferences error"))

    unsubscribe = reverse("notification_unsubscribe", args=[unsubscribe_token(user)])
    page.goto(live_server.url + unsubscribe)
    reports.append(audit(page, "unsubscribe"))
    with page.expect_navigation():
        page.get_by_role("button", name="Unsubscribe").click()
    expect(page.locator("h1")).to_have_text("You have unsubscribed")
    reports.append(audit(page, "unsubscribed"))

    assert_no_violations(reports)


def test_following_and_unfollowing_work_without_javascript(browser, live_server):
    consultation = make_consultation(title="Using AI to triage casework")
    user = make_user()
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    sign_in_with_session(page, live_server.url, user)

    page.goto(live_server.url + consultation.get_absolute_url())
    with page.expect_navigation():
        page.get_by_role("button", name="Follow this consultation").click()
    assert Follow.objects.filter(user=user, consultation=consultation).exists()
    page.goto(live_server.url + reverse("following"))
    with page.expect_navigation():
        page.get_by_role("button", name="Stop following Using AI to triage casework").click()
    expect(page.locator("main")).to_contain_text("You do not follow any consultations.")
    assert not Follow.objects.filter(user=user).exists()
    context.close()

"""A lead signs off themes in a real browser: starts the review, renames a theme, merges two, signs
off, and sees every response mapped; axe-core finds no WCAG 2.2 AA failure on the review pages on
the way, error states included.

Drives Debian's Chromium through Playwright; skipped where it is missing. The mapping runs in the
live server's thread (Celery eager) on the packaged embedding model, once the sign-off commits.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.test import Client
from django.urls import reverse
from playwright.sync_api import Browser, Page, expect

from consult.models import ThemeMapping, ThemeSet
from tests.browser_support import CHROMIUM_PATH, audit
from tests.factories import make_consultation, make_official, make_response, make_run_with_themes

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not CHROMIUM_PATH.exists(), reason=f"Debian's Chromium is not installed at {CHROMIUM_PATH}"),
]

THEMES = {
    "person adviser human": [
        "I want to be able to talk to a real person on the phone.",
        "Please keep human advisers available for people who need them.",
        "There must always be a way to reach a human being.",
    ],
    "staff trained replace": [
        "A chatbot cannot replace a trained member of staff.",
        "Older people need a human adviser they can call.",
    ],
    "data personal information": [
        "I do not trust the government to keep my personal data safe.",
        "My information could be shared with private companies.",
        "How long will my messages be stored for?",
    ],
}


@pytest.fixture
def page(browser: Browser, live_server: object) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page = context.new_page()
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert errors == [], errors


def test_a_lead_renames_merges_and_signs_off_and_every_response_is_mapped(live_server, page: Page) -> None:
    consultation = make_consultation(phase="closed")
    why = consultation.questions.get(position=2)
    answers = {
        label: [make_response(consultation, {why: t}).answers.get() for t in texts] for label, texts in THEMES.items()
    }
    make_run_with_themes(why, answers)
    lead = make_official(consultation.department, role="lead")
    client = Client()
    client.force_login(lead)
    session = client.cookies["sessionid"]
    page.context.add_cookies([{"name": "sessionid", "value": session.value, "url": live_server.url, "secure": True}])
    reports = []

    def visit(name: str) -> None:
        reports.append(audit(page, f"review {name}"))

    page.goto(live_server.url + reverse("workspace_review", kwargs={"slug": consultation.slug}))
    expect(page.locator("h1")).to_have_text("Theme review")
    visit("overview")
    page.get_by_role("link", name=why.text).click()
    visit("theme set not started")
    page.get_by_role("button", name="Start reviewing the themes").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("ready for review")
    expect(page.locator("main")).to_contain_text(THEMES["person adviser human"][0])
    visit("theme set in review")

    page.get_by_role("link", name="Edit person adviser human").click()
    page.get_by_label("Theme name").fill("")
    page.get_by_role("button", name="Save theme").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter a name for the theme")
    visit("edit theme error")
    page.get_by_label("Theme name").fill("Keep human advisers")
    page.get_by_role("button", name="Save theme").click()
    expect(page.locator(".govuk-summary-card__title").first).to_have_text("Keep human advisers")

    page.get_by_role("link", name="Merge themes").click()
    visit("merge themes")
    page.get_by_label("Keep human advisers").check()
    page.get_by_label("staff trained replace").check()
    page.get_by_label("Name of the merged theme").fill("People, not machines")
    page.get_by_role("button", name="Merge themes").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Themes merged")
    titles = page.locator(".govuk-summary-card__title")
    expect(titles).to_have_count(3)
    expect(titles.first).to_have_text("People, not machines")

    page.get_by_role("link", name="Split People, not machines").click()
    visit("split theme")
    page.get_by_role("link", name="Back", exact=True).click()
    page.get_by_role("link", name="Delete data personal information").click()
    visit("delete theme")
    page.get_by_role("link", name="Cancel").click()
    page.get_by_role("link", name="Add a theme").click()
    page.get_by_role("button", name="Add theme").click()
    visit("add theme error")
    page.get_by_role("link", name="Back", exact=True).click()

    page.get_by_role("link", name="Sign off these themes").click()
    visit("sign off")
    page.get_by_role("button", name="Sign off and map responses").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Themes signed off")
    expect(page.locator("main .govuk-tag").first).to_have_text("Mapped")
    visit("theme set mapped")
    for link in ("Reopen for changes", "Map responses again"):
        page.get_by_role("link", name=link).click()
        visit(link)
        page.get_by_role("link", name="Cancel").click()

    theme_set = ThemeSet.objects.get(question=why)
    assert (theme_set.status, theme_set.mapping_status) == ("signed_off", "done")
    merged = theme_set.themes.get(label="People, not machines")
    people = answers["person adviser human"] + answers["staff trained replace"]
    mapped = set(ThemeMapping.objects.filter(theme=merged, is_active=True).values_list("answer_id", flat=True))
    assert {a.pk for a in people} <= mapped

    page.goto(live_server.url + reverse("workspace_review", kwargs={"slug": consultation.slug}))
    expect(page.locator("main table")).to_contain_text("0 of 8 answers")
    reference = people[0].response.reference
    page.goto(
        live_server.url
        + reverse("workspace_response_themes", kwargs={"slug": consultation.slug, "reference": reference})
    )
    expect(page.locator("main")).to_contain_text("What the AI assigned: People, not machines")
    visit("response themes")

    failures = [report for report in reports if report]
    assert failures == [], "\n".join(failures)

"""The workspace in a real browser: an official signs in with a password and an authenticator
code, and axe-core finds no WCAG 2.2 AA failure on any workspace page an official can open; the
moderation queue's checkboxes pass too, with their error states, and work without JavaScript.

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

from consult.models import Answer, AnswerEmbedding, Flag, User
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
def test_a_moderator_hides_answers_selected_in_the_queue_and_its_states_pass_axe(
    browser: Browser, live_server, page
) -> None:
    world = build_world()
    moderator = make_official(world.consultation.department, role="moderator")
    flag = Flag.objects.get(pk=world.kwargs["flag_id"])
    spam = Flag.objects.create(answer_id=world.kwargs["answer_id"], reason=Flag.Reason.SPAM, detail="Two links.")
    address = live_server.url + reverse("workspace_moderation", args=[world.consultation.slug])
    reports = []

    sign_in_with_session(page, live_server.url, moderator)
    page.goto(address)
    expect(page.locator("table input[type=checkbox]")).to_have_count(2)
    reports.append(audit(page, "moderation queue with checkboxes"))
    page.get_by_role("button", name="Apply to the selected answers").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select at least one answer")
    reports.append(audit(page, "moderation queue nothing selected"))
    page.locator(".govuk-error-summary").get_by_role("link", name="Select at least one answer").click()
    expect(page.locator("#id_flags_0")).to_be_focused()
    page.get_by_label(f"Select the answer in response {spam.answer.response.reference}").check()
    page.get_by_label("Hide them", exact=False).check()
    page.get_by_role("button", name="Apply to the selected answers").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the reason for hiding the answers")
    reports.append(audit(page, "moderation queue hide without a reason"))
    failures = [report for report in reports if report]
    assert failures == [], "\n".join(failures)

    # Without JavaScript, as a keyboard user: tick, choose, give the reason, apply.
    context = browser.new_context(java_script_enabled=False)
    plain = context.new_page()
    sign_in_with_session(plain, live_server.url, moderator)
    plain.goto(address)
    plain.get_by_label(f"Select the answer in response {spam.answer.response.reference}").focus()
    plain.keyboard.press("Space")
    plain.get_by_label("Hide them", exact=False).focus()
    plain.keyboard.press("Space")
    plain.get_by_role("textbox", name="Reason").fill("Advertising.")
    plain.get_by_role("button", name="Apply to the selected answers").focus()
    with plain.expect_navigation():
        plain.keyboard.press("Enter")
    expect(plain.locator(".govuk-notification-banner")).to_contain_text("1 answer hidden.")
    expect(plain.locator("table input[type=checkbox]")).to_have_count(1)
    context.close()
    assert Answer.objects.get(pk=spam.answer_id).visibility == Answer.Visibility.HIDDEN
    assert Flag.objects.get(pk=flag.pk).status == Flag.Status.OPEN


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


@pytest.mark.django_db(transaction=True)
def test_the_audit_trail_its_filters_and_errors_and_the_read_only_ai_tool_record_pass_axe(live_server, page) -> None:
    from consult.models import ReviewTheme
    from consult.services import consultations, review

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

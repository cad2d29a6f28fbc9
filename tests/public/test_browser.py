"""The public site in a real browser: a keyboard-only respondent gets from the list of consultations
to a receipt, the journey works without JavaScript, and axe-core finds no WCAG 2.2 AA failure on any
public page, error states included.

Drives Debian's Chromium (/usr/bin/chromium) through Playwright; skipped where it is missing.
Screenshots of every page checked land in test-artifacts/screenshots/.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from consult.access import response_token
from consult.models import Agreement, Consultation, Option, Question, Response
from tests.browser_support import (
    CHROMIUM_PATH,
    assert_no_violations,
    audit,
    focused,
    press_and_wait_for_page,
    screenshot,
    tab_to,
)
from tests.factories import make_consultation, make_user

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM_PATH.exists(), reason=f"Debian's Chromium is not installed at {CHROMIUM_PATH}"),
]

VIEWPORT = {"width": 1024, "height": 768}


def _new_page(browser: Browser, script_errors: list[str], *, javascript: bool) -> Iterator[Page]:
    context = browser.new_context(viewport=VIEWPORT, java_script_enabled=javascript)
    page = context.new_page()
    page.on("pageerror", lambda error: script_errors.append(str(error)))
    page.on("console", lambda message: script_errors.append(message.text) if message.type == "error" else None)
    yield page
    context.close()


@pytest.fixture
def script_errors() -> list[str]:
    """Uncaught errors and console errors (a blocked script, a failed load) seen by the page."""
    return []


@pytest.fixture
def page(browser: Browser, live_server: object, script_errors: list[str]) -> Iterator[Page]:
    """A fresh browser context (no cookies) with JavaScript, as most people have it."""
    yield from _new_page(browser, script_errors, javascript=True)


@pytest.fixture
def page_without_javascript(browser: Browser, live_server: object, script_errors: list[str]) -> Iterator[Page]:
    yield from _new_page(browser, script_errors, javascript=False)


def _open(page: Page, live_server: object, path: str) -> None:
    page.goto(live_server.url + path)


def _journey_path(response: Response, view: str, *args: object) -> str:
    return reverse(view, args=[response_token(response), *args])


def _only_response_to(consultation: Consultation) -> Response:
    return Response.objects.get(consultation=consultation)


# --- Keyboard only ------------------------------------------------------------------------------


def test_skip_link_is_the_first_tab_stop_and_moves_focus_to_the_main_content(live_server, page, script_errors):
    consultation = make_consultation()
    for path in (reverse("consultation_list"), consultation.get_absolute_url()):
        _open(page, live_server, path)
        page.keyboard.press("Tab")
        focus = focused(page)
        assert focus.accessible_name == "Skip to main content"
        assert focus.visible
        page.keyboard.press("Enter")
        assert focused(page).id == "main-content"
        # The next stop is inside the main content, past the header and the breadcrumbs.
        page.keyboard.press("Tab")
        assert page.evaluate("() => document.getElementById('main-content').contains(document.activeElement)")
    assert script_errors == []


def test_keyboard_only_respondent_completes_the_journey(live_server, page, script_errors):
    consultation = make_consultation(title="Using AI to answer benefit enquiries")
    questions = {question.position: question for question in consultation.questions.all()}

    _open(page, live_server, reverse("consultation_list"))
    tab_to(page, consultation.title)
    press_and_wait_for_page(page, "Enter")
    assert page.url == live_server.url + consultation.get_absolute_url()

    tab_to(page, "Respond to this consultation")
    press_and_wait_for_page(page, "Enter")
    expect(page.locator("h1")).to_have_text("Are you responding as an individual or on behalf of an organisation?")

    tab_to(page, "As an individual")
    page.keyboard.press("Space")
    assert focused(page).checked
    tab_to(page, "Email address (optional)")
    page.keyboard.type("keyboard.user@example.com")
    tab_to(page, "Yes, publish my answers without my name")
    page.keyboard.press("Space")
    assert focused(page).checked
    # Past Continue to the secondary button, then back again.
    tab_to(page, "Save and come back later")
    tab_to(page, "Continue", backwards=True)
    press_and_wait_for_page(page, "Enter")

    # Question 1: radios move and select with the arrow keys.
    expect(page.locator("h1")).to_have_text(questions[1].text)
    tab_to(page, "Strongly agree")
    for _ in range(3):
        page.keyboard.press("ArrowDown")
    focus = focused(page)
    assert (focus.accessible_name, focus.checked) == ("Disagree", True)
    tab_to(page, "Continue")
    press_and_wait_for_page(page, "Enter")

    # Question 2: the "Why?" that follows it, with a character count.
    expect(page.locator(".govuk-inset-text")).to_contain_text("Disagree")
    tab_to(page, questions[2].text)
    page.keyboard.type("People need to reach a person.")
    expect(page.locator(".govuk-character-count__status")).to_have_text("You have 470 characters remaining")
    tab_to(page, "Continue")
    press_and_wait_for_page(page, "Enter")

    # Question 3: Space selects the first radio, an arrow moves the choice on.
    tab_to(page, "By phone")
    page.keyboard.press("Space")
    page.keyboard.press("ArrowDown")
    focus = focused(page)
    assert (focus.accessible_name, focus.checked) == ("Online", True)
    tab_to(page, "Continue")
    press_and_wait_for_page(page, "Enter")

    # Question 4: checkboxes, each ticked with Space.
    focus = tab_to(page, "Wrong answers")
    assert focus.type == "checkbox"
    page.keyboard.press("Space")
    tab_to(page, "No way to reach a person")
    page.keyboard.press("Space")
    assert focused(page).checked
    tab_to(page, "Continue")
    press_and_wait_for_page(page, "Enter")

    # Question 5: optional free text.
    tab_to(page, questions[5].text)
    page.keyboard.type("Keep the phone line open.")
    tab_to(page, "Continue")
    press_and_wait_for_page(page, "Enter")

    expect(page.locator("h1")).to_have_text("Check your answers before sending your response")
    answers = page.locator(".govuk-summary-list").last
    shown = ("Disagree", "People need to reach a person.", "Online", "Wrong answers", "No way to reach a person")
    for text in shown:
        expect(answers).to_contain_text(text)
    tab_to(page, "Accept and send")
    press_and_wait_for_page(page, "Enter")

    expect(page.locator("h1")).to_have_text("Questions about you")
    tab_to(page, "Under 18")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    assert focused(page).accessible_name == "25 to 34"
    tab_to(page, "Continue")
    press_and_wait_for_page(page, "Enter")

    response = _only_response_to(consultation)
    panel = page.locator(".govuk-panel--confirmation")
    expect(panel.locator("h1")).to_have_text("Response sent")
    expect(panel.locator(".consult-reference")).to_have_text(response.reference)
    screenshot(page, "keyboard journey confirmation")

    assert response.status == Response.Status.SUBMITTED
    assert response.submitted_at is not None
    assert (response.respondent_type, response.email) == ("individual", "keyboard.user@example.com")
    answers = {answer.question.position: answer for answer in response.answers.select_related("question")}
    assert answers[1].agreement == Agreement.DISAGREE
    assert answers[2].text == "People need to reach a person."
    assert [option.label for option in answers[3].options.all()] == ["Online"]
    assert sorted(option.label for option in answers[4].options.all()) == ["No way to reach a person", "Wrong answers"]
    assert answers[5].text == "Keep the phone line open."
    assert response.equality.age_band == "25_34"
    assert script_errors == []


def test_journey_works_without_javascript(live_server, page_without_javascript):
    page = page_without_javascript
    consultation = make_consultation()
    first = consultation.questions.get(position=1)

    _open(page, live_server, consultation.get_absolute_url())
    assert page.locator("body.js-enabled").count() == 0
    # Without JavaScript the skip link still moves the focus into the main content.
    page.keyboard.press("Tab")
    assert focused(page).accessible_name == "Skip to main content"
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert focused(page).accessible_name == "Respond to this consultation"
    press_and_wait_for_page(page, "Enter")
    # The organisation name is revealed only by JavaScript; without it the field is simply shown.
    expect(page.get_by_label("Name of the organisation")).to_be_visible()
    tab_to(page, "As an individual")
    page.keyboard.press("Space")
    tab_to(page, "Yes, publish my answers without my name")
    page.keyboard.press("Space")
    tab_to(page, "Continue")
    press_and_wait_for_page(page, "Enter")

    expect(page.locator("h1")).to_have_text(first.text)
    tab_to(page, "Strongly agree")
    page.keyboard.press("ArrowDown")
    tab_to(page, "Save and come back later")
    press_and_wait_for_page(page, "Enter")

    expect(page.locator("h1")).to_have_text("Your answers have been saved")
    tab_to(page, "Carry on with your response now")
    press_and_wait_for_page(page, "Enter")

    expect(page.locator("h1")).to_have_text("Check your answers before sending your response")
    expect(page.locator(".govuk-summary-list").last).to_contain_text("Agree")
    # Sending too early lists what is missing, without JavaScript too.
    tab_to(page, "Accept and send")
    press_and_wait_for_page(page, "Enter")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Answer “Why do you say that?”")
    screenshot(page, "no javascript check answers error")

    response = _only_response_to(consultation)
    assert response.status == Response.Status.DRAFT
    assert response.answers.get(question=first).agreement == Agreement.AGREE


# --- axe-core on every public page ---------------------------------------------------------------


def test_accessibility_check_reports_violations_and_lets_through_only_the_known_govuk_one(live_server, page):
    page.set_content(
        """<!DOCTYPE html><html lang="en"><head><title>Check</title></head><body><main>
        <h1>Check</h1><img src="data:,">
        <fieldset><legend>Pick</legend>
          <input class="govuk-radios__input" id="a" name="a" type="radio" aria-controls="more" aria-expanded="false">
          <label for="a">A</label>
          <input id="b" name="a" type="radio" aria-expanded="false"><label for="b">B</label>
        </fieldset><div id="more"></div></main></body></html>"""
    )
    report = audit(page, "accessibility check self test")
    assert "image-alt" in report
    assert "Target: #b" in report
    assert "Target: #a" not in report


def _continue(page: Page) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name="Continue", exact=True).click()


def test_consultation_list_and_consultation_pages_have_no_accessibility_violations(live_server, page):
    open_one = make_consultation(phase="open", title="Using AI to answer benefit enquiries")
    upcoming = make_consultation(phase="upcoming", title="Using AI to triage casework")
    closed = make_consultation(phase="closed", title="Forecasting demand for services with AI")
    make_consultation(phase="outcome_published", title="A chatbot for tax questions")
    for n in range(20):  # enough for a second page of results
        make_consultation(phase="closed", title=f"An older consultation {n}", with_questions=False)
    reports = []

    _open(page, live_server, reverse("consultation_list"))
    expect(page.locator(".govuk-pagination")).to_be_visible()
    reports.append(audit(page, "consultation list"))
    _open(page, live_server, reverse("consultation_list") + "?q=nothing+matches+this")
    expect(page.locator("main")).to_contain_text("There are no consultations that match your search.")
    reports.append(audit(page, "consultation list search with no results"))
    for phase in ("open", "upcoming", "closed"):
        _open(page, live_server, reverse("consultation_list") + f"?phase={phase}")
        expect(page.locator(f"#phase-{phase}")).to_be_checked()
        reports.append(audit(page, f"consultation list {phase}"))
    _open(page, live_server, reverse("consultation_list") + "?phase=closed&page=2")
    reports.append(audit(page, "consultation list page 2"))

    for name, consultation in (("open", open_one), ("upcoming", upcoming), ("closed", closed)):
        _open(page, live_server, consultation.get_absolute_url())
        expect(page.locator("h1")).to_have_text(consultation.title)
        reports.append(audit(page, f"consultation {name}"))

    missing = page.goto(live_server.url + "/no-such-page/")
    assert missing.status == 404
    reports.append(audit(page, "page not found"))

    for name, view, heading in (
        ("privacy notice", "privacy_notice", "Privacy notice"),
        ("accessibility statement", "accessibility_statement", "Accessibility statement for"),
    ):
        _open(page, live_server, reverse(view))
        expect(page.locator("h1")).to_contain_text(heading)
        reports.append(audit(page, name))

    assert_no_violations(reports)


def test_every_page_of_the_response_journey_has_no_accessibility_violations(live_server, page, script_errors):
    consultation = make_consultation()
    questions = {question.position: question for question in consultation.questions.all()}
    # A required multiple choice question, so that its error state can be checked too, with an
    # exclusive option ("or", then "Nothing worries me").
    Question.objects.filter(pk=questions[4].pk).update(is_required=True)
    Option.objects.create(question=questions[4], position=4, label="Nothing worries me", is_exclusive=True)
    reports = []

    _open(page, live_server, consultation.get_absolute_url())
    with page.expect_navigation():
        page.get_by_role("button", name="Respond to this consultation").click()
    response = _only_response_to(consultation)
    reports.append(audit(page, "about you"))
    _continue(page)
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    reports.append(audit(page, "about you error"))
    page.get_by_label("On behalf of an organisation").check()
    _continue(page)
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the name of the organisation")
    reports.append(audit(page, "about you organisation error"))
    page.get_by_label("As an individual").check()
    page.get_by_label("Email address (optional)").fill("axe@example.com")
    page.get_by_label("No, do not publish them").check()
    _continue(page)

    # Sending now, with every question unanswered, shows what is missing.
    _open(page, live_server, _journey_path(response, "check_answers"))
    with page.expect_navigation():
        page.get_by_role("button", name="Accept and send").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("There is a problem")
    reports.append(audit(page, "check answers error"))

    def question_page(position: int, kind: str, answer: Callable[[], None]) -> None:
        _open(page, live_server, _journey_path(response, "answer_question", questions[position].pk))
        reports.append(audit(page, f"question {kind}"))
        _continue(page)
        expect(page.locator(".govuk-error-summary")).to_be_visible()
        reports.append(audit(page, f"question {kind} error"))
        answer()
        _continue(page)
        expect(page.locator(".govuk-error-summary")).to_have_count(0)

    question_page(1, "agreement", lambda: page.get_by_label("Agree", exact=True).check())

    def answer_why() -> None:
        page.get_by_label(questions[2].text).fill("Too long. " * 60)
        expect(page.locator(".govuk-character-count__status")).to_have_text("You have 100 characters too many")
        reports.append(audit(page, "question free text too long typed"))
        _continue(page)
        expect(page.locator(".govuk-error-summary")).to_contain_text("500 characters or fewer")
        reports.append(audit(page, "question free text too long error"))
        page.get_by_label(questions[2].text).fill("A person should check the answers.")

    question_page(2, "free text", answer_why)
    question_page(3, "single choice", lambda: page.get_by_label("Online").check())

    def answer_worries() -> None:
        privacy, nothing = page.get_by_label("Privacy"), page.get_by_label("Nothing worries me")
        expect(page.locator(".govuk-checkboxes__divider")).to_have_text("or")
        privacy.check()
        nothing.check()
        # GOV.UK Frontend unticks the other options when the exclusive one is ticked, and back.
        expect(privacy).not_to_be_checked()
        reports.append(audit(page, "question multiple choice exclusive option ticked"))
        privacy.check()
        expect(nothing).not_to_be_checked()
        # Both ticked, as a browser without JavaScript sends them: the server refuses the pair.
        nothing.evaluate("box => { box.checked = true; }")
        _continue(page)
        expect(page.locator(".govuk-error-summary")).to_contain_text(
            "Select “Nothing worries me”, or select the answers that apply"
        )
        reports.append(audit(page, "question multiple choice exclusive error"))
        page.get_by_label("Nothing worries me").uncheck()

    question_page(4, "multiple choice", answer_worries)

    # Save and come back later, and the form that emails the link.
    _open(page, live_server, _journey_path(response, "answer_question", questions[5].pk))
    with page.expect_navigation():
        page.get_by_role("button", name="Save and come back later").click()
    expect(page.locator("h1")).to_have_text("Your answers have been saved")
    reports.append(audit(page, "save and return"))
    page.get_by_label("Email address").fill("")
    with page.expect_navigation():
        page.get_by_role("button", name="Email me the link").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter your email address")
    reports.append(audit(page, "save and return error"))
    page.get_by_label("Email address").fill("axe@example.com")
    with page.expect_navigation():
        page.get_by_role("button", name="Email me the link").click()
    expect(page.locator(".govuk-notification-banner--success")).to_be_visible()
    reports.append(audit(page, "save and return link sent"))

    with page.expect_navigation():
        page.get_by_role("link", name="Carry on with your response now").click()
    reports.append(audit(page, "check answers"))
    with page.expect_navigation():
        page.get_by_role("button", name="Accept and send").click()
    expect(page.locator("h1")).to_have_text("Questions about you")
    reports.append(audit(page, "equality information"))
    _continue(page)
    expect(page.locator(".govuk-panel__title")).to_have_text("Response sent")
    reports.append(audit(page, "confirmation"))

    with page.expect_navigation():
        page.get_by_role("link", name="see, change or withdraw your response").click()
    reports.append(audit(page, "response"))
    with page.expect_navigation():
        page.get_by_role("button", name="Change your response").click()
    expect(page.locator("h1")).to_have_text("Change your response")
    reports.append(audit(page, "check answers after sending"))
    _open(page, live_server, _journey_path(response, "withdraw"))
    reports.append(audit(page, "withdraw"))
    _continue(page)
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    reports.append(audit(page, "withdraw error"))
    page.get_by_label("Yes, withdraw my response").check()
    _continue(page)
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("withdrawn")
    reports.append(audit(page, "response withdrawn"))

    # A journey link for a response whose consultation has closed.
    closed = make_consultation(phase="closed")
    late = Response.objects.create(consultation=closed, start_key="late", respondent_type="individual")
    _open(page, live_server, _journey_path(late, "about_you"))
    expect(page.locator("h1")).to_have_text("This consultation has closed")
    reports.append(audit(page, "consultation has closed"))

    assert _only_response_to(consultation).status == Response.Status.WITHDRAWN
    assert_no_violations(reports)
    assert script_errors == []


def test_signed_in_pages_have_no_accessibility_violations(live_server, page):
    consultation = make_consultation()
    user = make_user()
    Response.objects.create(consultation=consultation, user=user, start_key="signed-in")
    Response.objects.create(
        consultation=make_consultation(), user=user, start_key="sent", status="submitted", submitted_at=timezone.now()
    )
    client = Client()
    client.force_login(user)
    session = client.cookies["sessionid"]
    page.context.add_cookies([{"name": "sessionid", "value": session.value, "url": live_server.url, "secure": True}])
    reports = []

    _open(page, live_server, reverse("your_responses"))
    expect(page.locator("h1")).to_have_text("Your responses")
    reports.append(audit(page, "your responses"))
    _open(page, live_server, consultation.get_absolute_url())
    expect(page.get_by_role("button", name="Continue your response")).to_be_visible()
    reports.append(audit(page, "consultation with a draft"))
    _open(page, live_server, reverse("delete_account"))
    expect(page.locator("h1")).to_have_text("Delete your account")
    reports.append(audit(page, "delete your account"))
    with page.expect_navigation():
        page.get_by_role("button", name="Delete my account").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter your password")
    reports.append(audit(page, "delete your account error"))
    _open(page, live_server, reverse("account_deleted"))
    reports.append(audit(page, "account deleted"))

    assert_no_violations(reports)


def test_sign_in_and_sign_up_pages_have_no_accessibility_violations(live_server, page):
    reports = []
    for name, view in (("sign in", "account_login"), ("sign up", "account_signup")):
        _open(page, live_server, reverse(view))
        reports.append(audit(page, name))
        with page.expect_navigation():
            page.locator("main form[method=post] button[type=submit]").first.click()
        reports.append(audit(page, f"{name} error"))
    assert_no_violations(reports)

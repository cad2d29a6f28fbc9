"""The Welsh public site in a real browser: axe-core finds no WCAG 2.2 AA failure on the Welsh pages,
error states included, with consultations in Welsh and with English shown for a missing Welsh
version; and a respondent who switches to Welsh answers in Welsh, and the answer is stored as Welsh.

The same harness as tests/public/test_browser.py (Debian's Chromium through Playwright, skipped where it
is missing); screenshots land in test-artifacts/screenshots/ with names starting "cy ".
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import Page, expect

from consult import tasks
from consult.access import response_token
from consult.models import Answer, Question, Response
from tests.browser_support import CHROMIUM_PATH, assert_no_violations, audit
from tests.factories import add_welsh_versions, make_consultation, make_response, make_user, publish_outcome_with_themes
from tests.welsh_support import cy

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM_PATH.exists(), reason=f"Debian's Chromium is not installed at {CHROMIUM_PATH}"),
]

CONTINUE = "Parhau"


def _open(page: Page, live_server: object, path: str) -> None:
    page.goto(live_server.url + path)


def _continue(page: Page) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=CONTINUE, exact=True).click()


def test_welsh_consultation_pages_have_no_accessibility_violations(live_server, page):
    open_one = add_welsh_versions(make_consultation(phase="open"))
    upcoming = make_consultation(phase="upcoming", title="Using AI to triage casework")  # English only
    closed = add_welsh_versions(make_consultation(phase="closed"))
    for n in range(20):  # enough for a second page of results
        make_consultation(phase="closed", title=f"An older consultation {n}", with_questions=False)
    reports = []

    _open(page, live_server, cy("consultation_list"))
    expect(page.locator("html")).to_have_attribute("lang", "cy")
    expect(page.locator(".govuk-pagination")).to_be_visible()
    reports.append(audit(page, "cy consultation list"))
    _open(page, live_server, cy("consultation_list") + "?q=dim+byd+o+gwbl")
    expect(page.locator("main")).to_contain_text("Nid oes unrhyw ymgyngoriadau sy'n cyfateb i'ch chwiliad.")
    reports.append(audit(page, "cy consultation list search with no results"))
    for phase in ("open", "upcoming", "closed"):
        _open(page, live_server, cy("consultation_list") + f"?phase={phase}")
        reports.append(audit(page, f"cy consultation list {phase}"))
    _open(page, live_server, cy("consultation_list") + "?phase=closed&page=2")
    reports.append(audit(page, "cy consultation list page 2"))

    for name, consultation in (("open", open_one), ("closed", closed)):
        _open(page, live_server, cy("consultation_detail", consultation.slug))
        expect(page.locator("h1")).to_have_text(consultation.title_cy)
        reports.append(audit(page, f"cy consultation {name}"))
    _open(page, live_server, cy("consultation_detail", upcoming.slug))
    expect(page.locator("h1")).to_have_attribute("lang", "en")
    reports.append(audit(page, "cy consultation upcoming in English"))

    missing = page.goto(live_server.url + "/cy/dim-tudalen/")
    assert missing.status == 404
    expect(page.locator("h1")).to_have_text("Heb ddod o hyd i'r dudalen")
    reports.append(audit(page, "cy page not found"))
    for name, view in (("privacy notice", "privacy_notice"), ("accessibility statement", "accessibility_statement")):
        _open(page, live_server, cy(view))
        expect(page.locator("html")).to_have_attribute("lang", "cy")
        reports.append(audit(page, f"cy {name}"))

    assert_no_violations(reports)


def test_every_page_of_the_welsh_response_journey_has_no_accessibility_violations(live_server, page):
    consultation = add_welsh_versions(make_consultation())
    questions = {question.position: question for question in consultation.questions.all()}
    Question.objects.filter(pk=questions[4].pk).update(is_required=True)
    reports = []

    _open(page, live_server, cy("consultation_detail", consultation.slug))
    with page.expect_navigation():
        page.get_by_role("button", name="Ymateb i'r ymgynghoriad hwn").click()
    response = Response.objects.get(consultation=consultation)
    token = response_token(response)
    reports.append(audit(page, "cy about you"))
    _continue(page)
    expect(page.locator(".govuk-error-summary")).to_contain_text("Mae problem")
    reports.append(audit(page, "cy about you error"))
    page.get_by_label("Fel unigolyn").check()
    page.get_by_label("Na, peidiwch â'u cyhoeddi").check()
    _continue(page)

    _open(page, live_server, cy("check_answers", token))
    with page.expect_navigation():
        page.get_by_role("button", name="Derbyn ac anfon").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Mae problem")
    reports.append(audit(page, "cy check answers error"))

    def answer_why() -> None:
        page.get_by_label(questions[2].text_cy).fill("Rhy hir. " * 70)
        expect(page.locator(".govuk-character-count__status")).to_have_text("Mae gennych 130 nod yn ormod")
        reports.append(audit(page, "cy question free text too long typed"))
        _continue(page)
        expect(page.locator(".govuk-error-summary")).to_contain_text("Rhaid i'ch ateb fod yn 500 o nodau neu lai")
        reports.append(audit(page, "cy question free text too long error"))
        page.get_by_label(questions[2].text_cy).fill("Mae angen i berson wirio'r atebion bob amser.")

    answers = {
        1: lambda: page.get_by_label("Cytuno", exact=True).check(),
        2: answer_why,
        3: lambda: page.get_by_label("Ar-lein").check(),
        4: lambda: page.get_by_label("Preifatrwydd").check(),
    }
    for position, answer in answers.items():
        _open(page, live_server, cy("answer_question", token, questions[position].pk))
        reports.append(audit(page, f"cy question {position}"))
        _continue(page)
        expect(page.locator(".govuk-error-summary")).to_be_visible()
        reports.append(audit(page, f"cy question {position} error"))
        answer()
        _continue(page)
        expect(page.locator(".govuk-error-summary")).to_have_count(0)

    _open(page, live_server, cy("answer_question", token, questions[5].pk))
    with page.expect_navigation():
        page.get_by_role("button", name="Cadw a dod yn ôl nes ymlaen").click()
    expect(page.locator("h1")).to_have_text("Mae eich atebion wedi'u cadw")
    reports.append(audit(page, "cy save and return"))
    page.get_by_label("Cyfeiriad e-bost").fill("")
    with page.expect_navigation():
        page.get_by_role("button", name="Anfon y ddolen ataf drwy e-bost").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Rhowch eich cyfeiriad e-bost")
    reports.append(audit(page, "cy save and return error"))
    page.get_by_label("Cyfeiriad e-bost").fill("cymraeg@example.com")
    with page.expect_navigation():
        page.get_by_role("button", name="Anfon y ddolen ataf drwy e-bost").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Rydym wedi anfon dolen at")
    reports.append(audit(page, "cy save and return link sent"))
    with page.expect_navigation():
        page.get_by_role("link", name="Parhau â'ch ymateb nawr").click()
    reports.append(audit(page, "cy check answers"))
    with page.expect_navigation():
        page.get_by_role("button", name="Derbyn ac anfon").click()
    expect(page.locator("h1")).to_have_text("Cwestiynau amdanoch chi")
    reports.append(audit(page, "cy equality information"))
    _continue(page)
    expect(page.locator(".govuk-panel__title")).to_have_text("Ymateb wedi'i anfon")
    reports.append(audit(page, "cy confirmation"))
    _open(page, live_server, cy("response_detail", token))
    reports.append(audit(page, "cy response"))
    with page.expect_navigation():
        page.get_by_role("button", name="Newid eich ymateb").click()
    expect(page.locator("h1")).to_have_text("Newid eich ymateb")
    reports.append(audit(page, "cy check answers after sending"))
    _open(page, live_server, cy("withdraw", token))
    reports.append(audit(page, "cy withdraw"))
    _continue(page)
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    reports.append(audit(page, "cy withdraw error"))
    page.get_by_label("Ydw, tynnwch fy ymateb yn ôl").check()
    _continue(page)
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Mae eich ymateb wedi'i dynnu'n ôl.")
    reports.append(audit(page, "cy response withdrawn"))

    closed = add_welsh_versions(make_consultation(phase="closed"))
    late = Response.objects.create(consultation=closed, start_key="late", respondent_type="individual")
    _open(page, live_server, cy("about_you", response_token(late)))
    expect(page.locator("h1")).to_have_text("Mae'r ymgynghoriad hwn wedi cau")
    reports.append(audit(page, "cy consultation has closed"))

    assert_no_violations(reports)


def test_a_respondent_switches_to_welsh_answers_in_welsh_and_the_answer_is_stored_as_welsh(live_server, page):
    consultation = add_welsh_versions(make_consultation())
    questions = {question.position: question for question in consultation.questions.all()}

    _open(page, live_server, consultation.get_absolute_url())
    with page.expect_navigation():
        page.get_by_role("link", name="Newid yr iaith i'r Gymraeg").click()
    assert page.url == live_server.url + cy("consultation_detail", consultation.slug)
    expect(page.locator("h1")).to_have_text(consultation.title_cy)
    with page.expect_navigation():
        page.get_by_role("button", name="Ymateb i'r ymgynghoriad hwn").click()
    page.get_by_label("Fel unigolyn").check()
    page.get_by_label("Na, peidiwch â'u cyhoeddi").check()
    _continue(page)

    page.get_by_label("Anghytuno", exact=True).check()
    _continue(page)
    why = "Mae angen i bobl allu siarad â pherson go iawn am eu budd-daliadau, nid â pheiriant."
    page.get_by_label(questions[2].text_cy).fill(why)
    # GOV.UK Frontend's character count speaks Welsh too.
    expect(page.locator(".govuk-character-count__status")).to_contain_text("nod ar ôl")
    _continue(page)
    page.get_by_label("Dros y ffôn").check()
    _continue(page)
    _continue(page)  # the optional multiple-choice question
    _continue(page)  # the optional last question
    expect(page.locator("h1")).to_have_text("Gwiriwch eich atebion cyn anfon eich ymateb")
    with page.expect_navigation():
        page.get_by_role("button", name="Derbyn ac anfon").click()
    _continue(page)
    expect(page.locator(".govuk-panel__title")).to_have_text("Ymateb wedi'i anfon")

    response = Response.objects.get(consultation=consultation)
    assert (response.status, response.language) == (Response.Status.SUBMITTED, "cy")
    tasks.process_response(response.pk)  # the worker's step: redact, and mark the language
    answer = Answer.objects.get(response=response, question=questions[2])
    assert (answer.text, answer.language) == (why, "cy")


def test_welsh_signed_in_pages_have_no_accessibility_violations(live_server, page):
    consultation = add_welsh_versions(make_consultation())
    user = make_user()
    Response.objects.create(consultation=consultation, user=user, start_key="signed-in", language="cy")
    client = Client()
    client.force_login(user)
    session = client.cookies["sessionid"]
    page.context.add_cookies([{"name": "sessionid", "value": session.value, "url": live_server.url, "secure": True}])
    reports = []

    _open(page, live_server, cy("your_responses"))
    expect(page.locator("h1")).to_have_text("Eich ymatebion")
    reports.append(audit(page, "cy your responses"))
    _open(page, live_server, cy("consultation_detail", consultation.slug))
    expect(page.get_by_role("button", name="Parhau â'ch ymateb")).to_be_visible()
    reports.append(audit(page, "cy consultation with a draft"))
    _open(page, live_server, cy("delete_account"))
    expect(page.locator("h1")).to_have_text("Dileu eich cyfrif")
    reports.append(audit(page, "cy delete your account"))
    with page.expect_navigation():
        page.get_by_role("button", name="Dileu fy nghyfrif").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Rhowch eich cyfrinair")
    reports.append(audit(page, "cy delete your account error"))

    assert_no_violations(reports)


def test_welsh_account_pages_have_no_accessibility_violations(live_server, page):
    """Signing up, in and out, a password reset and the signed-in account pages, in Welsh, with their
    error states; the password's Show button speaks Welsh once JavaScript runs."""
    make_user("cyfrif@example.com", "correct-horse-battery-staple")
    reports = []
    for name, view, heading in (
        ("sign in", "account_login", "Mewngofnodi"),
        ("create an account", "account_signup", "Creu cyfrif"),
        ("reset password", "account_reset_password", "Ailosod cyfrinair"),
    ):
        _open(page, live_server, cy(view))
        expect(page.locator("html")).to_have_attribute("lang", "cy")
        expect(page.locator("h1")).to_have_text(heading)
        reports.append(audit(page, f"cy {name}"))
        with page.expect_navigation():
            page.locator("main form[method=post] button[type=submit]").first.click()
        expect(page.locator(".govuk-error-summary")).to_contain_text("Mae problem")
        reports.append(audit(page, f"cy {name} error"))

    _open(page, live_server, cy("account_login"))
    password = page.get_by_label("Cyfrinair", exact=True)
    page.get_by_role("button", name="Dangos y cyfrinair").click()
    expect(password).to_have_attribute("type", "text")
    expect(page.get_by_role("button", name="Cuddio'r cyfrinair")).to_have_text("Cuddio")
    page.get_by_label("E-bost").fill("cyfrif@example.com")
    password.fill("correct-horse-battery-staple")
    with page.expect_navigation():
        page.locator("main form[method=post] button[type=submit]").first.click()
    expect(page.locator("html")).to_have_attribute("lang", "cy")
    for name, view in (
        ("email addresses", "account_email"),
        ("change password", "account_change_password"),
        ("two-factor authentication", "mfa_index"),
        ("sign out", "account_logout"),
    ):
        _open(page, live_server, cy(view))
        reports.append(audit(page, f"cy {name}"))
    _open(page, live_server, cy("account_change_password"))
    with page.expect_navigation():
        page.locator("main form[method=post] button[type=submit]").first.click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Rhowch eich cyfrinair presennol")
    reports.append(audit(page, "cy change password error"))

    assert_no_violations(reports)


def test_the_published_outcome_has_no_accessibility_violations_in_either_language(live_server, page):
    """With a Welsh version of some of what officials wrote, and English (marked so) for the rest."""
    from consult.models import Outcome

    consultation = add_welsh_versions(make_consultation(phase="closed"))
    why = consultation.questions.get(position=2)
    responses = [make_response(consultation, {why: text}) for text in ("It would be quicker.", "Quicker, I hope.")]
    publish_outcome_with_themes(
        consultation, {why: {"Quicker answers": [response.answers.get(question=why) for response in responses]}}
    )
    outcome = Outcome.objects.get(consultation=consultation)
    snapshot = outcome.published_snapshot
    snapshot["summary_cy"] = "Mae'r rhan fwyaf o bobl eisiau atebion cyflymach."
    for question in snapshot["questions"]:
        for theme in question["themes"]:
            if theme["label"] == "Quicker answers":
                theme["label_cy"] = "Atebion cyflymach"
                theme["government_response_cy"] = "Byddwn yn mesur amseroedd aros."
    Outcome.objects.filter(pk=outcome.pk).update(published_snapshot=snapshot)
    reports = []

    with translation.override("en-gb"):
        english = reverse("consultation_outcome", args=[consultation.slug])
    _open(page, live_server, english)
    expect(page.locator("html")).to_have_attribute("lang", "en-GB")
    reports.append(audit(page, "outcome"))
    _open(page, live_server, cy("consultation_outcome", consultation.slug))
    expect(page.locator("main")).to_contain_text("Atebion cyflymach")
    expect(page.locator('main [lang="en"]').first).to_be_visible()  # what has no Welsh version
    reports.append(audit(page, "cy outcome"))

    assert_no_violations(reports)

"""The organisations' public pages in a real browser: axe-core finds no WCAG 2.2 AA failure on
registering an organisation, its page, inviting and removing members, accepting an invitation,
the naming question of its response, the version conflict on an answer page, and reporting a
falsely sent response, error states included.

Drives Debian's Chromium (/usr/bin/chromium) through Playwright; skipped where it is missing.
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from consult.access import response_token
from consult.models import Answer, Organisation, OrganisationMember, Response
from consult.services.organisations import invitation_token, invite_member
from tests.browser_support import CHROMIUM_PATH, assert_no_violations, audit, sign_in_with_session
from tests.factories import make_consultation, make_user

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM_PATH.exists(), reason=f"Debian's Chromium is not installed at {CHROMIUM_PATH}"),
]


def _submit(page: Page) -> None:
    with page.expect_navigation():
        page.locator("main form[method=post] button[type=submit]").first.click()


def test_organisation_pages_have_no_accessibility_violations(live_server, page):
    consultation = make_consultation(title="Using AI to triage casework")
    admin = make_user()
    reports = []

    # An invitation to someone not signed in, and a link that does not work.
    invited = Organisation.objects.create(name="Invited Group", represents="Us.", how_views_gathered="Asked.")
    invitation = invite_member(invited, admin, "new@example.com", "member")
    page.goto(live_server.url + reverse("accept_invitation", args=[invitation_token(invitation)]))
    reports.append(audit(page, "accept an invitation, signed out"))
    page.goto(live_server.url + reverse("accept_invitation", args=["forged"]))
    reports.append(audit(page, "invitation link does not work"))

    page.goto(live_server.url + reverse("report_false_response", args=[consultation.slug]))
    reports.append(audit(page, "report a false response"))
    _submit(page)
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    reports.append(audit(page, "report a false response, error"))
    page.fill("#id_what_happened", "I did not send this.")
    page.fill("#id_email", "me@example.com")
    _submit(page)
    reports.append(audit(page, "report sent"))

    sign_in_with_session(page, live_server.url, admin)
    page.goto(live_server.url + reverse("accept_invitation", args=[invitation_token(invitation)]))
    expect(page.locator("main")).to_contain_text("Only the person it was sent to can accept it.")
    reports.append(audit(page, "accept an invitation sent to another address"))
    page.goto(live_server.url + reverse("your_organisations"))
    reports.append(audit(page, "your organisations, none"))
    page.goto(live_server.url + reverse("register_organisation"))
    _submit(page)
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    reports.append(audit(page, "register an organisation, errors"))
    page.fill("#id_name", "Testshire Forum")
    page.fill("#id_represents", "Disabled people in Testshire.")
    page.fill("#id_how_views_gathered", "A survey.")
    _submit(page)
    expect(page.locator("h1")).to_contain_text("Testshire Forum")
    reports.append(audit(page, "organisation page"))
    organisation = Organisation.objects.get(name="Testshire Forum")
    Organisation.objects.filter(pk=organisation.pk).update(status="verified")
    OrganisationMember.objects.create(organisation=organisation, user=make_user(), role="member")
    page.reload()
    reports.append(audit(page, "organisation page, verified, with a member"))

    page.goto(live_server.url + reverse("invite_member", args=[organisation.pk]))
    _submit(page)
    reports.append(audit(page, "invite a member, error"))
    member = OrganisationMember.objects.filter(organisation=organisation, role="member").get()
    page.goto(live_server.url + reverse("remove_member", args=[organisation.pk, member.pk]))
    reports.append(audit(page, "remove a member"))
    own = OrganisationMember.objects.get(organisation=organisation, user=admin)
    page.goto(live_server.url + reverse("remove_member", args=[organisation.pk, own.pk]))
    _submit(page)
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    reports.append(audit(page, "remove the last admin, error"))
    page.goto(live_server.url + reverse("change_member_role", args=[organisation.pk, own.pk]))
    reports.append(audit(page, "change a member's role"))
    page.get_by_label("Member", exact=True).check()
    _submit(page)
    expect(page.locator(".govuk-error-summary")).to_contain_text("An organisation needs an admin")
    reports.append(audit(page, "change the last admin's role, error"))

    page.goto(live_server.url + reverse("organisation_detail", args=[organisation.pk]))
    _submit(page)  # start a response to the consultation
    expect(page.locator("h1")).to_have_text("About your organisation's response")
    _submit(page)
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    reports.append(audit(page, "naming question, error"))
    response = Response.objects.get(organisation=organisation)
    page.goto(live_server.url + reverse("check_answers", args=[response_token(response)]))
    reports.append(audit(page, "check answers of an organisation's response, as its admin"))

    # Another member saves the answer while this page is open: the conflict page.
    why = consultation.questions.get(position=2)
    page.goto(live_server.url + reverse("answer_question", args=[response_token(response), why.pk]))
    Answer.objects.create(response=response, question=why, text="A colleague's wording.")
    page.fill("textarea", "My own wording.")
    _submit(page)
    expect(page.locator(".govuk-error-summary")).to_contain_text("Someone else saved an answer")
    expect(page.locator("textarea")).to_have_value("My own wording.")
    reports.append(audit(page, "answer saved by someone else in between"))

    assert_no_violations(reports)

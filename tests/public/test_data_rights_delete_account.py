"""A person deletes their own account: drafts and equality information go, sent responses stay
anonymised, every session ends, and a last email confirms it. Officials cannot do this themselves."""

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import Client
from django.urls import reverse

from consult.models import (
    Answer,
    EqualityInformation,
    Follow,
    Organisation,
    OrganisationInvitation,
    OrganisationMember,
    Response,
    User,
)
from tests.factories import make_consultation, make_official, make_user
from tests.journey import answer_required, send, start

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-test-password"  # the factories' password


@pytest.fixture
def person(client):
    """A signed-in person with a sent response (with equality information) and a draft."""
    user = make_user("leaving@example.com")
    client.force_login(user)
    sent_to = make_consultation()
    token = start(client, sent_to, start_key="sent")
    answer_required(client, sent_to, token, why="Keep a person on the phone line.")
    send(client, token)
    client.post(reverse("equality_information", args=[token]), {"age_band": "35_44", "region": "wales"})
    start(client, make_consultation(), start_key="draft")
    assert EqualityInformation.objects.count() == 1
    return user


def test_the_page_explains_what_happens_and_asks_for_the_password(client, person):
    page = client.get(reverse("delete_account"))
    html = page.content.decode()
    assert page.status_code == 200
    assert "govuk-warning-text" in html and "You cannot undo this" in html
    assert 'type="password"' in html and 'autocomplete="current-password"' in html
    assert "Delete my account" in html


def test_a_missing_or_wrong_password_is_shown_in_an_error_summary_and_deletes_nothing(client, person):
    empty = client.post(reverse("delete_account"), {"password": ""}).content.decode()
    assert "govuk-error-summary" in empty and '<a href="#id_password">Enter your password</a>' in empty
    wrong = client.post(reverse("delete_account"), {"password": "not-my-password"}).content.decode()
    assert '<a href="#id_password">The password is not correct</a>' in wrong
    assert "not-my-password" not in wrong  # never echoed back into the page
    assert wrong.startswith("<!DOCTYPE html>") and "<title>Error: " in wrong
    assert User.objects.filter(pk=person.pk).exists()
    assert Response.objects.filter(user=person).count() == 2


def test_deleting_keeps_sent_responses_anonymised_and_removes_everything_else(
    client, person, django_capture_on_commit_callbacks
):
    other_device = Client()
    other_device.force_login(person)
    mail.outbox.clear()
    sent = Response.objects.get(user=person, status=Response.Status.SUBMITTED)
    someone_else = make_user("staying@example.com")
    theirs = Response.objects.create(
        consultation=sent.consultation, user=someone_else, start_key="theirs", email="staying@example.com"
    )

    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(reverse("delete_account"), {"password": PASSWORD})

    assert done["Location"] == reverse("account_deleted")
    assert not User.objects.filter(pk=person.pk).exists()
    assert not EmailAddress.objects.filter(email="leaving@example.com").exists()
    # The sent response stays, with its answers, but nothing links it to the person any more.
    sent.refresh_from_db()
    assert sent.status == Response.Status.SUBMITTED
    assert (sent.user_id, sent.email) == (None, "")
    assert Answer.objects.get(response=sent, question__position=2).text == "Keep a person on the phone line."
    assert not Response.objects.filter(status=Response.Status.DRAFT).exclude(pk=theirs.pk).exists()
    assert not EqualityInformation.objects.exists()
    assert not Response.objects.filter(email="leaving@example.com").exists()
    # Nobody else's data was touched.
    theirs.refresh_from_db()
    assert (theirs.user_id, theirs.email) == (someone_else.pk, "staying@example.com")

    # Signed out here and on every other device.
    assert "_auth_user_id" not in client.session
    for browser in (client, other_device):
        assert browser.get(reverse("your_responses"))["Location"].startswith(reverse("account_login"))
    confirmation = client.get(done["Location"]).content.decode()
    assert "Your account has been deleted" in confirmation

    [email] = mail.outbox
    assert email.to == ["leaving@example.com"]
    assert "deleted" in email.subject
    assert "no longer hold" in email.body


def test_officials_are_told_to_ask_an_administrator_and_cannot_delete_themselves(client):
    official = make_official()
    client.force_login(official)
    page = client.get(reverse("delete_account")).content.decode()
    assert "Ask an administrator" in page
    assert 'type="password"' not in page
    client.post(reverse("delete_account"), {"password": PASSWORD})
    assert User.objects.filter(pk=official.pk).exists()


def test_deleting_needs_the_person_to_be_signed_in(client):
    page = client.post(reverse("delete_account"), {"password": PASSWORD})
    assert page["Location"].startswith(reverse("account_login"))


def test_the_last_admin_of_an_organisation_is_told_to_make_another_admin_first(client):
    admin = make_user("admin@example.com")
    member = make_user()
    organisation = Organisation.objects.create(name="Citizens Advice Testshire", represents="x", how_views_gathered="y")
    OrganisationMember.objects.create(organisation=organisation, user=admin, role=OrganisationMember.Role.ADMIN)
    OrganisationMember.objects.create(organisation=organisation, user=member)
    client.force_login(admin)
    page = client.get(reverse("delete_account")).content.decode()
    assert "You are the only admin of Citizens Advice Testshire" in page
    client.post(reverse("delete_account"), {"password": PASSWORD})
    assert User.objects.filter(pk=admin.pk).exists()

    OrganisationMember.objects.filter(user=member).update(role=OrganisationMember.Role.ADMIN)
    assert 'type="password"' in client.get(reverse("delete_account")).content.decode()


def test_the_only_member_of_an_organisation_can_delete_their_account_and_the_organisation_stays(client):
    """Nobody is left without an admin, so nothing stands in the way; the organisation keeps its
    record (and any responses it sent), with no members."""
    admin = make_user("alone@example.com")
    organisation = Organisation.objects.create(name="A Group of One", represents="x", how_views_gathered="y")
    OrganisationMember.objects.create(organisation=organisation, user=admin, role=OrganisationMember.Role.ADMIN)
    client.force_login(admin)
    assert 'type="password"' in client.get(reverse("delete_account")).content.decode()
    client.post(reverse("delete_account"), {"password": PASSWORD})
    assert not User.objects.filter(pk=admin.pk).exists()
    assert Organisation.objects.filter(pk=organisation.pk).exists()
    assert not OrganisationMember.objects.filter(organisation=organisation).exists()


def test_a_member_leaves_the_organisations_draft_but_not_their_address_or_follows(client):
    member = make_user("member@example.com")
    admin = make_user()
    organisation = Organisation.objects.create(name="Citizens Advice Testshire", represents="x", how_views_gathered="y")
    OrganisationMember.objects.create(organisation=organisation, user=admin, role=OrganisationMember.Role.ADMIN)
    OrganisationMember.objects.create(organisation=organisation, user=member)
    consultation = make_consultation()
    shared = Response.objects.create(
        consultation=consultation,
        organisation=organisation,
        respondent_type="organisation",
        organisation_name=organisation.name,
        email="member@example.com",
        start_key="shared",
    )
    earlier = Response.objects.create(
        consultation=make_consultation(), start_key="anonymous", status="submitted", email="Member@Example.com"
    )
    OrganisationInvitation.objects.create(organisation=organisation, email="member@example.com")
    Follow.objects.create(user=member, consultation=consultation)
    client.force_login(member)

    client.post(reverse("delete_account"), {"password": PASSWORD})

    assert not User.objects.filter(pk=member.pk).exists()
    shared.refresh_from_db()
    assert shared.status == Response.Status.DRAFT and shared.email == ""  # the organisation keeps its draft
    earlier.refresh_from_db()
    assert earlier.email == ""
    assert not OrganisationInvitation.objects.exists()
    assert not Follow.objects.exists()
    assert list(OrganisationMember.objects.values_list("user", flat=True)) == [admin.pk]

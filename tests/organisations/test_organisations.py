"""Organisations: registering one, officials verifying or rejecting it, inviting and removing
members. (Their shared responses are in test_organisation_responses.py.)"""

from __future__ import annotations

import time
from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from consult.models import AuditEvent, Organisation, OrganisationInvitation, OrganisationMember, User
from tests.factories import make_department, make_official, make_user
from tests.journey import link_in

pytestmark = pytest.mark.django_db

VALID = {
    "name": "Testshire Disability Forum",
    "website": "www.testshire-forum.org.uk",
    "charity_number": "1123456-1",
    "company_number": "sc123456",
    "represents": "About 600 disabled people in Testshire.",
    "how_views_gathered": "An online survey of members and two open meetings.",
}


def register(client: Client, **changes: str) -> object:
    return client.post(reverse("register_organisation"), {**VALID, **changes})


def make_organisation(
    admin: User, *, status: str = "pending", name: str = "Testshire Disability Forum"
) -> Organisation:
    """An organisation registered through the form, in the given status."""
    client = Client()
    client.force_login(admin)
    register(client, name=name)
    organisation = Organisation.objects.get(name=name)
    Organisation.objects.filter(pk=organisation.pk).update(status=status)
    organisation.refresh_from_db()
    return organisation


# --- Registration -----------------------------------------------------------------------------


def test_registering_sends_anonymous_visitors_to_sign_in(client: Client) -> None:
    response = client.get(reverse("register_organisation"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_the_person_who_registers_an_organisation_becomes_its_admin(client: Client) -> None:
    user = make_user()
    client.force_login(user)
    response = register(client)
    organisation = Organisation.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("organisation_detail", args=[organisation.pk])
    assert organisation.status == Organisation.Status.PENDING
    assert organisation.website == "https://www.testshire-forum.org.uk"
    assert organisation.company_number == "SC123456"
    assert organisation.charity_number == "1123456-1"
    assert OrganisationMember.objects.get(organisation=organisation).user == user
    assert OrganisationMember.objects.get(organisation=organisation).is_admin
    page = client.get(response["Location"]).content.decode()
    assert "Testshire Disability Forum" in page
    assert "Verified organisation" not in page


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "", "Enter the name of the organisation"),
        ("charity_number", "12345", "Enter a charity number of 6 to 8 digits"),
        ("charity_number", "123456789", "Enter a charity number of 6 to 8 digits"),
        ("charity_number", "1123456-X", "Enter a charity number of 6 to 8 digits"),
        ("company_number", "1234567", "Enter a company number of 8 characters"),
        ("company_number", "SCX23456", "Enter a company number of 8 characters"),
        ("website", "not a website", "Enter a website address in the correct format"),
        ("represents", "", "Enter whom the organisation represents"),
        ("how_views_gathered", "", "Enter how you gathered your members&#x27; views"),
    ],
)
def test_registration_shows_each_mistake_in_an_error_summary(
    client: Client, field: str, value: str, message: str
) -> None:
    client.force_login(make_user())
    response = register(client, **{field: value})
    page = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in page
    assert message in page
    assert not Organisation.objects.exists()


def test_charity_and_company_numbers_are_optional_and_accept_their_formats(client: Client) -> None:
    client.force_login(make_user())
    register(client, name="A", charity_number="", company_number="")
    register(client, name="B", charity_number="0123 4567", company_number="r0123456")
    assert set(Organisation.objects.values_list("name", "charity_number", "company_number")) == {
        ("A", "", ""),
        ("B", "01234567", "R0123456"),
    }


# --- Verification by officials ----------------------------------------------------------------


def _decide(client: Client, organisation: Organisation, decision: str, reason: str = "") -> object:
    return client.post(
        reverse("workspace_organisation", args=[organisation.pk]), {"decision": decision, "reason": reason}
    )


def test_a_lead_verifies_an_organisation_and_the_decision_is_audited(client: Client) -> None:
    admin = make_user()
    organisation = make_organisation(admin)
    lead = make_official(make_department(), role="lead")
    client.force_login(lead)
    listing = client.get(reverse("workspace_organisations")).content.decode()
    assert organisation.name in listing
    response = _decide(client, organisation, "verify")
    assert response.status_code == 302
    organisation.refresh_from_db()
    assert organisation.is_verified
    assert organisation.decided_by == lead
    event = AuditEvent.objects.get(action="organisation.verify")
    assert (event.actor, event.object_id, event.consultation) == (lead, str(organisation.pk), None)
    assert event.before["status"] == "pending" and event.after["status"] == "verified"
    # Its members now see the badge on its page.
    member_client = Client()
    member_client.force_login(admin)
    page = member_client.get(reverse("organisation_detail", args=[organisation.pk])).content.decode()
    assert "Verified organisation" in page


def test_rejecting_needs_a_reason_and_the_members_read_it(client: Client) -> None:
    admin = make_user()
    organisation = make_organisation(admin)
    client.force_login(make_official(make_department(), role="lead"))
    refused = _decide(client, organisation, "reject")
    assert "Enter why you reject the organisation" in refused.content.decode()
    organisation.refresh_from_db()
    assert organisation.is_pending
    _decide(client, organisation, "reject", "We could not find the charity number in the register.")
    organisation.refresh_from_db()
    assert organisation.status == Organisation.Status.REJECTED
    assert AuditEvent.objects.filter(action="organisation.reject", object_id=str(organisation.pk)).count() == 1
    member_client = Client()
    member_client.force_login(admin)
    page = member_client.get(reverse("organisation_detail", args=[organisation.pk])).content.decode()
    assert "We could not find the charity number in the register." in page


@pytest.mark.parametrize("role", ["analyst", "moderator"])
def test_officials_without_a_lead_role_cannot_verify(client: Client, role: str) -> None:
    organisation = make_organisation(make_user())
    client.force_login(make_official(make_department(), role=role))
    assert client.get(reverse("workspace_organisations")).status_code == 403
    assert _decide(client, organisation, "verify").status_code == 403
    organisation.refresh_from_db()
    assert organisation.is_pending


def test_citizens_cannot_verify_even_their_own_organisation(client: Client) -> None:
    admin = make_user()
    organisation = make_organisation(admin)
    client.force_login(admin)
    assert _decide(client, organisation, "verify").status_code == 404
    organisation.refresh_from_db()
    assert organisation.is_pending


# --- Members and invitations ------------------------------------------------------------------


def _invite(client: Client, organisation: Organisation, email: str, role: str = "member", capture=None) -> object:
    with capture(execute=True):
        return client.post(reverse("invite_member", args=[organisation.pk]), {"email": email, "role": role})


def test_an_invitation_is_emailed_and_makes_the_invitee_a_member_once(
    client: Client, django_capture_on_commit_callbacks
) -> None:
    admin = make_user()
    organisation = make_organisation(admin)
    client.force_login(admin)
    response = _invite(client, organisation, "volunteer@example.com", capture=django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["volunteer@example.com"]
    assert organisation.name in mail.outbox[0].subject
    link = link_in(mail.outbox[0].body)

    # Not signed in: the page offers to sign in or create an account, and comes back here.
    invitee = Client()
    page = invitee.get(link).content.decode()
    assert reverse("account_signup") in page and reverse("account_login") in page
    assert invitee.post(link)["Location"].startswith(reverse("account_login"))

    volunteer = make_user("volunteer@example.com")
    invitee.force_login(volunteer)
    accepted = invitee.post(link)
    assert accepted["Location"] == reverse("organisation_detail", args=[organisation.pk])
    member = OrganisationMember.objects.get(organisation=organisation, user=volunteer)
    assert not member.is_admin
    assert invitee.get(reverse("organisation_detail", args=[organisation.pk])).status_code == 200

    # The link works once.
    someone_else = Client()
    someone_else.force_login(make_user())
    assert someone_else.get(link).status_code == 410
    assert someone_else.post(link).status_code == 410
    assert OrganisationMember.objects.filter(organisation=organisation).count() == 2


def test_only_the_person_the_invitation_was_sent_to_can_accept_it(
    client: Client, django_capture_on_commit_callbacks
) -> None:
    """A forwarded or leaked link does not let someone else join, and so send responses in the
    organisation's name: the account must hold the invited address, verified."""
    from allauth.account.models import EmailAddress

    admin = make_user()
    organisation = make_organisation(admin)
    client.force_login(admin)
    _invite(client, organisation, "Volunteer@Example.com", role="admin", capture=django_capture_on_commit_callbacks)
    link = link_in(mail.outbox[0].body)

    someone_else = make_user("someone.else@example.com")
    other = Client()
    other.force_login(someone_else)
    page = other.get(link)
    assert page.status_code == 200
    html = page.content.decode()
    assert "This invitation was sent to <strong>Volunteer@Example.com</strong>" in html
    assert "Accept the invitation" not in html
    assert reverse("account_email") in html
    refused = other.post(link)
    assert refused.status_code == 403
    assert not OrganisationMember.objects.filter(user=someone_else).exists()
    assert OrganisationInvitation.objects.get().accepted_at is None

    # An address added but not yet confirmed is not enough; once confirmed, it is.
    address = EmailAddress.objects.create(user=someone_else, email="volunteer@example.com", verified=False)
    assert other.post(link).status_code == 403
    address.verified = True
    address.save()
    assert "Accept the invitation" in other.get(link).content.decode()
    assert other.post(link)["Location"] == reverse("organisation_detail", args=[organisation.pk])
    assert OrganisationMember.objects.get(user=someone_else).is_admin

    # The page's "Sign out" comes back to the invitation, to sign in with the invited address.
    third = Client()
    third.force_login(make_user())
    signed_out = third.post(reverse("account_logout"), {"next": link})
    assert signed_out["Location"] == link


def test_an_expired_or_forged_invitation_link_is_refused(client: Client, django_capture_on_commit_callbacks) -> None:
    admin = make_user()
    organisation = make_organisation(admin)
    client.force_login(admin)
    _invite(client, organisation, "late@example.com", capture=django_capture_on_commit_callbacks)
    link = link_in(mail.outbox[0].body)
    invitee = Client()
    invitee.force_login(make_user("late@example.com"))
    # The clock moves on eight days: the link was good for seven.
    eight_days_later = time.time() + timedelta(days=8).total_seconds()
    with mock.patch("time.time", return_value=eight_days_later):
        response = invitee.post(link)
    assert response.status_code == 410
    assert "This invitation link does not work" in response.content.decode()
    assert invitee.post(link[:-3] + "abc/").status_code == 410
    assert OrganisationMember.objects.filter(organisation=organisation).count() == 1
    assert OrganisationInvitation.objects.get().accepted_at is None


def test_only_admins_invite_and_remove_members(client: Client, django_capture_on_commit_callbacks) -> None:
    admin = make_user()
    organisation = make_organisation(admin)
    member_user = make_user()
    OrganisationMember.objects.create(organisation=organisation, user=member_user, role="member")
    client.force_login(member_user)
    assert client.get(reverse("invite_member", args=[organisation.pk])).status_code == 403
    admin_membership = OrganisationMember.objects.get(user=admin)
    assert client.post(reverse("remove_member", args=[organisation.pk, admin_membership.pk])).status_code == 403

    outsider = Client()
    outsider.force_login(make_user())
    assert outsider.get(reverse("organisation_detail", args=[organisation.pk])).status_code == 404

    client.force_login(admin)
    member = OrganisationMember.objects.get(user=member_user)
    assert client.post(reverse("remove_member", args=[organisation.pk, member.pk])).status_code == 302
    assert not OrganisationMember.objects.filter(pk=member.pk).exists()


def test_an_admin_changes_a_members_role_but_never_leaves_the_organisation_without_an_admin(client: Client) -> None:
    admin = make_user()
    organisation = make_organisation(admin)
    volunteer = make_user("volunteer@example.com")
    member = OrganisationMember.objects.create(organisation=organisation, user=volunteer, role="member")
    own = OrganisationMember.objects.get(user=admin)
    client.force_login(admin)
    detail = client.get(reverse("organisation_detail", args=[organisation.pk])).content.decode()
    assert reverse("change_member_role", args=[organisation.pk, member.pk]) in detail

    page = client.get(reverse("change_member_role", args=[organisation.pk, member.pk])).content.decode()
    assert 'value="member" checked' in page
    missing = client.post(reverse("change_member_role", args=[organisation.pk, member.pk]), {})
    assert "Select a role" in missing.content.decode()
    assert "govuk-error-summary" in missing.content.decode()

    made_admin = client.post(reverse("change_member_role", args=[organisation.pk, member.pk]), {"role": "admin"})
    assert made_admin["Location"] == reverse("organisation_detail", args=[organisation.pk])
    member.refresh_from_db()
    assert member.is_admin

    # With two admins, either may step down; the last one may not.
    assert (
        client.post(reverse("change_member_role", args=[organisation.pk, own.pk]), {"role": "member"}).status_code
        == 302
    )
    client.force_login(volunteer)
    refused = client.post(reverse("change_member_role", args=[organisation.pk, member.pk]), {"role": "member"})
    assert refused.status_code == 200
    assert "An organisation needs an admin" in refused.content.decode()
    member.refresh_from_db()
    assert member.is_admin

    # Members cannot change roles at all.
    client.force_login(admin)
    assert client.get(reverse("change_member_role", args=[organisation.pk, member.pk])).status_code == 403
    assert (
        client.post(reverse("change_member_role", args=[organisation.pk, own.pk]), {"role": "admin"}).status_code == 403
    )


def test_a_member_can_leave_an_organisation_but_its_only_admin_cannot(client: Client) -> None:
    admin = make_user()
    organisation = make_organisation(admin)
    volunteer = make_user()
    member = OrganisationMember.objects.create(organisation=organisation, user=volunteer, role="member")
    client.force_login(volunteer)
    detail = client.get(reverse("organisation_detail", args=[organisation.pk])).content.decode()
    leave_url = reverse("remove_member", args=[organisation.pk, member.pk])
    assert leave_url in detail
    assert "Change role" not in detail
    assert f"Leave {organisation.name}?" in client.get(leave_url).content.decode()
    left = client.post(leave_url)
    assert left["Location"] == reverse("your_organisations")
    assert not OrganisationMember.objects.filter(pk=member.pk).exists()

    client.force_login(admin)
    own = OrganisationMember.objects.get(user=admin)
    refused = client.post(reverse("remove_member", args=[organisation.pk, own.pk]))
    assert "You are the only admin. Make another member an admin before you leave." in refused.content.decode()
    assert OrganisationMember.objects.filter(pk=own.pk).exists()


def test_the_last_admin_cannot_be_removed(client: Client) -> None:
    admin = make_user()
    organisation = make_organisation(admin)
    client.force_login(admin)
    membership = OrganisationMember.objects.get(user=admin)
    response = client.post(reverse("remove_member", args=[organisation.pk, membership.pk]))
    assert response.status_code == 200
    assert "You are the only admin. Make another member an admin before you leave." in response.content.decode()
    assert OrganisationMember.objects.filter(pk=membership.pk).exists()


def test_your_organisations_lists_those_you_belong_to_with_their_badge(client: Client) -> None:
    user = make_user()
    verified = make_organisation(user, status="verified", name="Verified Voices")
    make_organisation(make_user(), name="Someone Else's Group")
    client.force_login(user)
    page = client.get(reverse("your_organisations")).content.decode()
    assert verified.name in page
    assert "Verified organisation" in page
    assert "Someone Else" not in page

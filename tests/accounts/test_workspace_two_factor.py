"""Officials sign in with a password and a code from their authenticator app."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import TEST_TOTP_SECRET, make_department, make_official, totp_code

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-test-password"


def test_an_official_signs_in_with_a_password_then_a_code_and_lands_in_the_workspace(client: Client) -> None:
    official = make_official(make_department(), role="analyst", email="analyst@example.gov.uk")

    after_password = client.post(reverse("account_login"), {"login": official.email, "password": PASSWORD})
    assert after_password.status_code == 302
    assert after_password["Location"] == reverse("mfa_authenticate")
    assert client.get(reverse("workspace_home")).status_code == 302  # not signed in yet

    wrong = client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert wrong.status_code == 200
    assert b"govuk-error-summary" in wrong.content

    signed_in = client.post(reverse("mfa_authenticate"), {"code": totp_code(TEST_TOTP_SECRET)})
    assert signed_in.status_code == 302
    assert signed_in["Location"] == reverse("workspace_home")
    assert client.get(reverse("workspace_home")).status_code == 200


def test_a_recovery_code_also_signs_an_official_in(client: Client) -> None:
    from allauth.mfa.models import Authenticator
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

    official = make_official(make_department(), role="lead")
    codes = RecoveryCodes(Authenticator.objects.get(user=official, type="recovery_codes")).get_unused_codes()

    client.post(reverse("account_login"), {"login": official.email, "password": PASSWORD})
    signed_in = client.post(reverse("mfa_authenticate"), {"code": codes[0]})

    assert signed_in["Location"] == reverse("workspace_home")


def test_the_django_admin_signs_people_in_through_the_two_factor_sign_in(client: Client) -> None:
    response = client.get(reverse("admin:index"), follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("account_login"))


def test_citizens_still_land_on_the_consultations_after_signing_in(client: Client) -> None:
    from tests.factories import make_user

    make_user("citizen@example.com", PASSWORD)
    response = client.post(reverse("account_login"), {"login": "citizen@example.com", "password": PASSWORD})
    assert response["Location"] == reverse("consultation_list")

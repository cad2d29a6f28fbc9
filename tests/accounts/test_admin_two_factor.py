"""The Django admin asks for two-factor authentication like the workspace; two-factor secrets are
encrypted in the database and never shown; `check --deploy` fails on a staff account without one."""

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from cryptography.fernet import InvalidToken
from django.core import checks
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import reverse

from consult import two_factor
from tests.factories import TEST_TOTP_SECRET, add_two_factor, make_user, totp_code

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-test-password"


def _superuser(email: str = "root@example.gov.uk", *, with_two_factor: bool) -> object:
    user = make_user(email, PASSWORD, is_staff=True, is_superuser=True)
    if with_two_factor:
        add_two_factor(user)
    return user


def test_a_superuser_without_an_authenticator_cannot_open_the_admin_with_a_password(client: Client) -> None:
    user = _superuser(with_two_factor=False)

    signed_in = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert signed_in.status_code == 302  # the password is right: signed in, but...

    for path in (reverse("admin:index"), reverse("admin:mfa_authenticator_changelist"), "/admin/consult/user/"):
        response = client.get(path)
        assert response.status_code == 302 and response["Location"] == reverse("mfa_activate_totp"), path
    # Setting one up asks for the password again first (allauth's recent sign-in rule), then the code.
    setup = client.get(reverse("mfa_activate_totp"), follow=True)
    assert setup.status_code == 200
    assert b"Set up an authenticator app before you use the admin." in setup.content


def test_a_superuser_with_an_authenticator_opens_the_admin_after_the_code(client: Client) -> None:
    user = _superuser(with_two_factor=True)

    client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert client.get(reverse("admin:index")).status_code == 302  # the code is still to come
    client.post(reverse("mfa_authenticate"), {"code": totp_code(TEST_TOTP_SECRET)})

    assert client.get(reverse("admin:index")).status_code == 200


def test_two_factor_secrets_are_stored_encrypted_and_still_sign_in(client: Client) -> None:
    user = _superuser(with_two_factor=True)
    totp = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
    codes = Authenticator.objects.get(user=user, type=Authenticator.Type.RECOVERY_CODES)

    assert TEST_TOTP_SECRET not in str(totp.data) and two_factor.is_encrypted(totp.data["secret"])
    assert two_factor.is_encrypted(codes.data["seed"])
    assert TOTP(totp).validate_code(totp_code(TEST_TOTP_SECRET))


def test_the_admin_never_shows_a_two_factor_secret(client: Client) -> None:
    root = _superuser(with_two_factor=True)
    official = make_user("official@example.gov.uk", PASSWORD)
    add_two_factor(official, "KRSXG5CTMVRXEZLUKN2XAZLSKNSWG4TF")
    client.force_login(root)

    pages = [reverse("admin:mfa_authenticator_changelist")] + [
        reverse("admin:mfa_authenticator_change", args=[a.pk]) for a in Authenticator.objects.filter(user=official)
    ]
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        html = response.content.decode()
        assert "KRSXG5CTMVRXEZLUKN2XAZLSKNSWG4TF" not in html and two_factor.PREFIX not in html, path
        assert "official@example.gov.uk" in html
    # Nobody types a secret in either: no adding or changing, only deleting a lost device.
    assert client.get(reverse("admin:mfa_authenticator_add")).status_code == 403
    totp = Authenticator.objects.get(user=official, type=Authenticator.Type.TOTP)
    assert client.post(reverse("admin:mfa_authenticator_delete", args=[totp.pk]), {"post": "yes"}).status_code == 302
    assert not Authenticator.objects.filter(pk=totp.pk).exists()


def test_secrets_stored_in_clear_or_under_an_old_key_are_put_under_the_newest_key() -> None:
    user = make_user()
    old_key, new_key = two_factor.new_key(), two_factor.new_key()
    with override_settings(MFA_ENCRYPTION_KEYS=[old_key]):
        TOTP.activate(user, TEST_TOTP_SECRET)
    totp = Authenticator.objects.get(user=user)
    plain = make_user()
    legacy = Authenticator.objects.create(user=plain, type=Authenticator.Type.TOTP, data={"secret": TEST_TOTP_SECRET})

    # Under the new key alone the old token does not open (cryptography's InvalidToken).
    with override_settings(MFA_ENCRYPTION_KEYS=[new_key]), pytest.raises(InvalidToken):
        two_factor.decrypt(totp.data["secret"])
    with override_settings(MFA_ENCRYPTION_KEYS=[new_key, old_key]):
        assert two_factor.decrypt(totp.data["secret"]) == TEST_TOTP_SECRET  # rotation: both open
        assert two_factor.decrypt(legacy.data["secret"]) == TEST_TOTP_SECRET  # written before encryption
        call_command("reencrypt_two_factor", stdout=open("/dev/null", "w"))  # noqa: SIM115
    totp.refresh_from_db()
    legacy.refresh_from_db()
    with override_settings(MFA_ENCRYPTION_KEYS=[new_key]):
        assert two_factor.decrypt(totp.data["secret"]) == TEST_TOTP_SECRET
        assert two_factor.decrypt(legacy.data["secret"]) == TEST_TOTP_SECRET
        assert two_factor.is_encrypted(legacy.data["secret"])
        assert TOTP(totp).validate_code(totp_code(TEST_TOTP_SECRET))


def _deploy_messages() -> dict[str, checks.CheckMessage]:
    return {message.id: message for message in checks.run_checks(include_deployment_checks=True, tags=["security"])}


@override_settings(DEBUG=False)
def test_check_deploy_fails_while_a_staff_account_has_no_second_factor() -> None:
    _superuser("with@example.gov.uk", with_two_factor=True)
    assert "consult.E001" not in _deploy_messages()

    _superuser("without@example.gov.uk", with_two_factor=False)
    error = _deploy_messages()["consult.E001"]
    assert error.level == checks.ERROR and "without@example.gov.uk" in error.msg
    assert "with@example.gov.uk," not in error.msg


@override_settings(DEBUG=False, MFA_ENCRYPTION_KEYS=[])
def test_check_deploy_warns_while_secrets_are_encrypted_with_a_key_derived_from_secret_key() -> None:
    assert _deploy_messages()["consult.W001"].level == checks.WARNING
    with override_settings(MFA_ENCRYPTION_KEYS=[two_factor.new_key()]):
        assert "consult.W001" not in _deploy_messages()

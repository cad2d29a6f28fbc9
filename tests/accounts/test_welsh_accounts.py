"""The account pages in Welsh: signing up, in and out, resetting and changing a password, managing
email addresses and two-factor authentication under /cy/accounts/, their error messages, the emails
they send and where they lead afterwards. Their strings come from django-allauth and Django, which
ship no (or incomplete) Welsh: `locale/allauth/cy` holds it, and the first tests fail while any
string the account pages can show lacks a Welsh translation (`tests/account_strings.py`)."""

from __future__ import annotations

import re
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.utils import translation

from consult.models import User
from tests.account_strings import account_entries
from tests.factories import TEST_TOTP_SECRET, add_two_factor, make_official, make_user, totp_code
from tests.welsh_support import ENGLISH_PHRASES, cy, en, english_left_in, visible_text

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "allauth" / "cy" / "LC_MESSAGES" / "django.po"
PASSWORD = "correct-horse-battery-staple"


def _key(entry: polib.POEntry) -> tuple[str | None, str, str]:
    return (entry.msgctxt, entry.msgid, entry.msgid_plural)


def _translated(entry: polib.POEntry) -> bool:
    if entry.msgid_plural:
        return len(entry.msgstr_plural) == 4 and all(entry.msgstr_plural.values())
    return bool(entry.msgstr) and "fuzzy" not in entry.flags


# --- The catalogue ------------------------------------------------------------------------------


def test_every_string_the_account_pages_can_show_has_a_welsh_translation() -> None:
    catalogue = {_key(entry): entry for entry in polib.pofile(str(CATALOGUE)) if _translated(entry)}
    missing = [entry.msgid for entry in account_entries() if _key(entry) not in catalogue]
    assert missing == [], "Account strings without Welsh (translate them in locale/allauth/cy):\n" + "\n".join(missing)


def test_the_account_catalogue_holds_nothing_the_pages_cannot_show() -> None:
    """So that it shrinks with allauth as it grows with it."""
    wanted = {_key(entry) for entry in account_entries()}
    assert [entry.msgid for entry in polib.pofile(str(CATALOGUE)) if _key(entry) not in wanted] == []


def test_the_account_catalogue_uses_djangos_welsh_plural_forms() -> None:
    django_welsh = polib.pofile(str(Path(translation.__file__).parents[2] / "conf/locale/cy/LC_MESSAGES/django.po"))
    assert polib.pofile(str(CATALOGUE)).metadata["Plural-Forms"] == django_welsh.metadata["Plural-Forms"]


def test_the_welsh_account_strings_are_in_use_once_compiled() -> None:
    """`make install` compiles the catalogue and settings.LOCALE_PATHS finds it."""
    with translation.override("cy"):
        assert translation.gettext("Forgot your password?") != "Forgot your password?"
        assert translation.gettext("This password is too common.") != "This password is too common."
        assert translation.pgettext("field label", "Login") != "Login"
        assert "%(count)s" in translation.ngettext(
            "You have added %(count)s security key.", "You have added %(count)s security keys.", 3
        )


# --- The pages ----------------------------------------------------------------------------------


def _english_phrases() -> list[str]:
    """allauth's and Django's English strings as a page shows them: the text between placeholders
    and tags, each part as a phrase to look for; and our own interface's English."""
    phrases = set(ENGLISH_PHRASES)
    for entry in account_entries():
        for text in filter(None, (entry.msgid, entry.msgid_plural)):
            text = re.sub(r"<[^>]+>", "%", text)
            for part in re.split(r"%\(\w+\)[sd]|%[sd]|\{\w+\}|%|\n", text):
                part = part.strip(" .,:;?!()\"'\u2019")
                if len(part) >= 3:
                    phrases.add(part)
    return sorted(phrases)


ACCOUNT_ENGLISH = _english_phrases()


def _english_left_in(html: str) -> list[str]:
    return english_left_in(html, ACCOUNT_ENGLISH)


def _assert_welsh(pages: dict[str, object]) -> None:
    for name, page in pages.items():
        html = page.content.decode()
        assert page.status_code == 200, name
        assert '<html lang="cy"' in html, name
        assert _english_left_in(html) == [], name


def _sign_in(client: Client, email: str, password: str = PASSWORD):
    return client.post(cy("account_login"), {"login": email, "password": password})


@pytest.mark.django_db
def test_signing_up_signing_in_and_resetting_a_password_in_welsh_show_no_english(client: Client) -> None:
    make_user("taken@example.com", PASSWORD)
    pages = {
        "sign in": client.get(cy("account_login")),
        "sign in, nothing entered": client.post(cy("account_login"), {}),
        "sign in, wrong password": _sign_in(client, "taken@example.com", "not-the-password"),
        "create an account": client.get(cy("account_signup")),
        "create an account, nothing entered": client.post(cy("account_signup"), {}),
        "create an account, weak and different passwords": client.post(
            cy("account_signup"), {"email": "new@example.com", "password1": "12345678", "password2": "1234567"}
        ),
        "create an account, not an email": client.post(
            cy("account_signup"), {"email": "not-an-email", "password1": PASSWORD, "password2": PASSWORD}
        ),
        "reset password": client.get(cy("account_reset_password")),
        "reset password, not an email": client.post(cy("account_reset_password"), {"email": "nope"}),
        "reset password sent": client.get(cy("account_reset_password_done")),
        "reset password, bad link": client.get(cy("account_reset_password_from_key", "1", "not-a-key")),
        "reset password done": client.get(cy("account_reset_password_from_key_done")),
        "verification sent": client.get(cy("account_email_verification_sent")),
        "confirm email, bad link": client.get(cy("account_confirm_email", "not-a-key")),
        "account inactive": client.get(cy("account_inactive")),
    }
    _assert_welsh(pages)
    page = pages["sign in, wrong password"].content.decode()
    assert "Mae problem" in page and "Gwall:" in page
    assert re.search(r"<title>Gwall:\s+Mewngofnodi", page)
    assert "Mewngofnodi" in visible_text(pages["sign in"].content.decode())
    signup = pages["create an account, weak and different passwords"].content.decode()
    assert "rhy gyffredin" in signup  # Django's password rules, which its own Welsh leaves out


@pytest.mark.django_db
def test_a_person_who_signs_up_in_welsh_gets_a_welsh_email_whose_link_keeps_them_in_welsh(client: Client) -> None:
    response = client.post(
        cy("account_signup"), {"email": "newydd@example.com", "password1": PASSWORD, "password2": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == cy("account_email_verification_sent")
    (email,) = mail.outbox
    assert _english_left_in(email.subject + "\n" + email.body) == [], email.body
    link = re.search(r"https?://testserver(/cy/accounts/confirm-email/[^/\s]+/)", email.body)
    assert link, email.body

    confirm = client.get(link.group(1))
    _assert_welsh({"confirm email": confirm})
    confirmed = client.post(link.group(1))
    assert confirmed.status_code == 302
    assert confirmed["Location"] == cy("consultation_list")  # signed in, and still in Welsh
    assert client.session.get("_auth_user_id") == str(User.objects.get(email="newydd@example.com").pk)


@pytest.mark.django_db
def test_signing_up_in_welsh_with_an_address_that_has_an_account_sends_a_welsh_email(client: Client) -> None:
    """allauth does not say on the page that the address has an account (so nobody can find out
    who has one): it emails the address instead."""
    make_user("taken@example.com", PASSWORD)
    client.post(cy("account_signup"), {"email": "taken@example.com", "password1": PASSWORD, "password2": PASSWORD})
    (email,) = mail.outbox
    assert email.to == ["taken@example.com"]
    assert _english_left_in(email.subject + "\n" + email.body) == [], email.body
    assert "/cy/accounts/password/reset/" in email.body


@pytest.mark.django_db
def test_a_password_reset_asked_for_in_welsh_sends_a_welsh_email_and_welsh_pages(client: Client) -> None:
    make_user("anghofus@example.com", PASSWORD)
    client.post(cy("account_reset_password"), {"email": "anghofus@example.com"})
    (email,) = mail.outbox
    assert _english_left_in(email.subject + "\n" + email.body) == [], email.body
    link = re.search(r"https?://testserver(/cy/accounts/password/reset/key/[^/\s]+/)", email.body)
    assert link, email.body

    form = client.get(link.group(1), follow=True)  # allauth moves the key into the session first
    _assert_welsh({"choose a new password": form})
    mismatch = client.post(form.redirect_chain[-1][0], {"password1": PASSWORD, "password2": "something-else-1"})
    _assert_welsh({"choose a new password, different passwords": mismatch})
    done = client.post(
        form.redirect_chain[-1][0], {"password1": "a-new-long-password", "password2": "a-new-long-password"}
    )
    assert done["Location"] == cy("account_reset_password_from_key_done")
    changed = [message for message in mail.outbox[1:] if "anghofus@example.com" in message.to]
    for message in changed:  # allauth tells the person their password changed
        assert _english_left_in(message.subject + "\n" + message.body) == [], message.body


@pytest.mark.django_db
def test_a_signed_in_persons_account_pages_in_welsh_show_no_english(client: Client) -> None:
    user = make_user("person@example.com", PASSWORD)
    signed_in = _sign_in(client, "person@example.com")
    assert signed_in["Location"] == cy("consultation_list")
    pages = {
        "email addresses": client.get(cy("account_email")),
        "email addresses, not an email": client.post(cy("account_email"), {"action_add": "", "email": "nope"}),
        "change password": client.get(cy("account_change_password")),
        "change password, wrong": client.post(
            cy("account_change_password"), {"oldpassword": "wrong", "password1": "x", "password2": "y"}
        ),
        "two-factor authentication": client.get(cy("mfa_index")),
        "confirm it is you": client.get(cy("account_reauthenticate")),
        "confirm it is you, wrong password": client.post(cy("account_reauthenticate"), {"password": "wrong"}),
        "sign out": client.get(cy("account_logout")),
    }
    _assert_welsh(pages)
    # Setting up an authenticator app asks for the password again first.
    assert client.get(cy("mfa_activate_totp"))["Location"].startswith(cy("account_reauthenticate"))
    client.post(cy("account_reauthenticate"), {"password": PASSWORD})
    pages = {
        "set up an authenticator app": client.get(cy("mfa_activate_totp")),
        "set up an authenticator app, wrong code": client.post(cy("mfa_activate_totp"), {"code": "000000"}),
    }
    _assert_welsh(pages)
    # Messages shown after an action are Welsh too.
    added = client.post(cy("account_email"), {"action_add": "", "email": "arall@example.com"}, follow=True)
    _assert_welsh({"email added": added})
    assert user.emailaddress_set.filter(email="arall@example.com").exists()
    signed_out = client.post(cy("account_logout"), follow=True)
    assert signed_out.redirect_chain[-1][0] == cy("consultation_list")
    _assert_welsh({"signed out": signed_out})


@pytest.mark.django_db
def test_two_factor_pages_in_welsh_show_no_english(client: Client) -> None:
    user = make_user("diogel@example.com", PASSWORD)
    add_two_factor(user)
    asked = _sign_in(client, "diogel@example.com")
    assert asked["Location"] == cy("mfa_authenticate")
    pages = {
        "enter a code": client.get(cy("mfa_authenticate")),
        "enter a code, wrong": client.post(cy("mfa_authenticate"), {"code": "000000"}),
    }
    _assert_welsh(pages)
    client.post(cy("mfa_authenticate"), {"code": totp_code(TEST_TOTP_SECRET)})
    assert client.session.get("_auth_user_id") == str(user.pk)
    pages = {
        "confirm it is you with a code": client.get(cy("mfa_reauthenticate")),
        "confirm it is you with a code, wrong": client.post(cy("mfa_reauthenticate"), {"code": "000000"}),
    }
    _assert_welsh(pages)
    client.post(cy("account_reauthenticate"), {"password": PASSWORD})
    pages = {
        "two-factor authentication": client.get(cy("mfa_index")),
        "recovery codes": client.get(cy("mfa_view_recovery_codes")),
        "new recovery codes": client.get(cy("mfa_generate_recovery_codes")),
        "turn off the authenticator app": client.get(cy("mfa_deactivate_totp")),
    }
    _assert_welsh(pages)


@pytest.mark.django_db
def test_signing_in_from_a_welsh_page_comes_back_to_it_in_welsh(client: Client) -> None:
    make_user("dychwelyd@example.com", PASSWORD)
    asked = client.get(cy("your_responses"))
    assert asked["Location"] == f"{cy('account_login')}?next={cy('your_responses')}"
    signed_in = client.post(asked["Location"], {"login": "dychwelyd@example.com", "password": PASSWORD})
    assert signed_in["Location"] == cy("your_responses")


@pytest.mark.django_db
def test_the_toggle_on_the_sign_in_page_keeps_where_the_person_was_going_in_the_other_language(
    client: Client,
) -> None:
    welsh = client.get(f"{cy('account_login')}?next={cy('your_responses')}").content.decode()
    toggle = re.search(r'<nav class="consult-language-select.*?</nav>', welsh, re.S).group(0)
    assert f'href="{en("account_login")}?next={en("your_responses")}" hreflang="en-GB"' in toggle
    english = client.get(f"{en('account_login')}?next={en('your_responses')}").content.decode()
    toggle = re.search(r'<nav class="consult-language-select.*?</nav>', english, re.S).group(0)
    assert f'href="{cy("account_login")}?next={cy("your_responses")}" hreflang="cy"' in toggle


@pytest.mark.django_db
def test_an_official_signing_in_on_the_welsh_page_lands_in_the_english_workspace(client: Client) -> None:
    official = make_official()
    client.post(cy("account_login"), {"login": official.email, "password": "a-long-test-password"})
    signed_in = client.post(cy("mfa_authenticate"), {"code": totp_code(TEST_TOTP_SECRET)})
    assert signed_in.status_code == 302, signed_in.content.decode()
    assert signed_in["Location"] == en("workspace_home")


@pytest.mark.django_db
def test_the_english_account_pages_keep_their_british_english_wording(client: Client) -> None:
    html = client.get(en("account_login")).content.decode()
    assert '<html lang="en-GB"' in html
    assert "Sign in" in html and "Sign In" not in html
    assert "Mewngofnodi" not in visible_text(html)

"""Accounts through django-allauth, restyled as GOV.UK pages: sign up, sign in and out, reset a password."""

import re
from html.parser import HTMLParser

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse

from consult.models import User
from tests.factories import make_user

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery-staple"


class PageMarkup(HTMLParser):
    """The parts of a page these tests check: its title, headings, inputs, labels and buttons."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.title = ""
        self.h1_count = 0
        self.inputs: list[dict[str, str]] = []
        self.label_targets: set[str] = set()
        self.button_classes: list[str] = []
        self._in_title = False
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if tag == "title":
            self._in_title = True
        elif tag == "h1":
            self.h1_count += 1
        elif tag == "input" and attributes.get("type") != "hidden":
            self.inputs.append(attributes)
        elif tag == "label":
            self.label_targets.add(attributes.get("for", ""))
        elif tag == "button":
            self.button_classes.append(attributes.get("class", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data

    def input(self, input_id: str) -> dict[str, str]:
        return next(attributes for attributes in self.inputs if attributes.get("id") == input_id)

    @property
    def normalised_title(self) -> str:
        return " ".join(self.title.split())


def markup(response) -> PageMarkup:
    return PageMarkup(response.content.decode())


def signed_in_user_id(client) -> str | None:
    return client.session.get("_auth_user_id")


def link_in_last_email(path_pattern: str) -> str:
    """The path of the first link in the last email sent whose path matches the pattern."""
    match = re.search(r"https?://testserver(" + path_pattern + r")", mail.outbox[-1].body)
    assert match, mail.outbox[-1].body
    return match.group(1)


def sign_up(client, email: str, password1: str = PASSWORD, password2: str = PASSWORD):
    return client.post(reverse("account_signup"), {"email": email, "password1": password1, "password2": password2})


def test_signing_up_sends_an_email_whose_link_confirms_the_address_and_signs_in(client):
    response = sign_up(client, "new.person@example.com")

    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert signed_in_user_id(client) is None
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["new.person@example.com"]
    sent_page = client.get(response["Location"])
    assert markup(sent_page).h1_count == 1
    assert b"govuk-heading-l" in sent_page.content

    confirm_path = link_in_last_email(r"/accounts/confirm-email/[^/\s]+/")
    confirm_page = client.get(confirm_path)
    assert confirm_page.status_code == 200
    assert b'class="govuk-button"' in confirm_page.content
    confirmed = client.post(confirm_path)

    assert confirmed.status_code == 302
    user = User.objects.get(email="new.person@example.com")
    assert EmailAddress.objects.get(user=user).verified
    assert signed_in_user_id(client) == str(user.pk)


def test_a_verified_person_signs_in_with_email_and_password(client):
    user = make_user("signed.up@example.com", PASSWORD)

    response = client.post(reverse("account_login"), {"login": "signed.up@example.com", "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == reverse("consultation_list")
    assert signed_in_user_id(client) == str(user.pk)


def test_a_wrong_password_is_reported_in_a_govuk_error_summary_and_on_the_form(client):
    make_user("signed.up@example.com", PASSWORD)

    response = client.post(reverse("account_login"), {"login": "signed.up@example.com", "password": "not-my-password"})

    assert response.status_code == 200
    assert signed_in_user_id(client) is None
    html = response.content.decode()
    page = markup(response)
    assert page.normalised_title.startswith("Error: Sign in")
    summary = html[html.index('class="govuk-error-summary"') : html.index("<h1")]
    assert "There is a problem" in summary
    assert "The email address and/or password you specified are not correct." in summary
    assert (
        '<p id="id_login-error" class="govuk-error-message"><span class="govuk-visually-hidden">Error:</span>' in html
    )
    assert "govuk-form-group--error" in html
    assert page.input("id_login")["aria-describedby"] == "id_login-error"
    assert "value" not in page.input("id_password")


def test_sign_up_with_different_passwords_shows_the_error_on_the_second_password(client):
    response = sign_up(client, "new.person@example.com", password2="a-different-long-password")

    assert response.status_code == 200
    html = response.content.decode()
    assert '<a href="#id_password2">You must type the same password each time.</a>' in html
    assert (
        '<p id="id_password2-error" class="govuk-error-message"><span class="govuk-visually-hidden">Error:</span> '
        "You must type the same password each time.</p>"
    ) in html
    assert markup(response).input("id_password2")["aria-describedby"] == "id_password2-error"
    assert markup(response).normalised_title.startswith("Error: ")
    assert not User.objects.filter(email="new.person@example.com").exists()
    assert mail.outbox == []


def test_sign_up_with_a_short_password_shows_the_error_with_the_password_rules(client):
    response = sign_up(client, "new.person@example.com", password1="short", password2="short")

    assert response.status_code == 200
    html = response.content.decode()
    assert '<a href="#id_password1">This password is too short.' in html
    assert '<p id="id_password1-error" class="govuk-error-message"><span class="govuk-visually-hidden">Error:' in html
    assert markup(response).input("id_password1")["aria-describedby"] == "id_password1-hint id_password1-error"
    assert 'id="id_password1-hint" class="govuk-hint' in html
    assert not User.objects.filter(email="new.person@example.com").exists()


def test_a_password_reset_email_leads_to_a_page_that_sets_a_new_password(client):
    make_user("forgetful@example.com", PASSWORD)

    requested = client.post(reverse("account_reset_password"), {"email": "forgetful@example.com"})

    assert requested["Location"] == reverse("account_reset_password_done")
    assert len(mail.outbox) == 1
    reset_path = link_in_last_email(r"/accounts/password/reset/key/[^/\s]+/")
    set_password_page = client.get(reset_path, follow=True)
    assert set_password_page.status_code == 200
    page = markup(set_password_page)
    assert page.input("id_password1")["autocomplete"] == "new-password"
    assert page.input("id_password2")["autocomplete"] == "new-password"
    set_password_path = set_password_page.redirect_chain[-1][0] if set_password_page.redirect_chain else reset_path

    changed = client.post(set_password_path, {"password1": "a-brand-new-password", "password2": "a-brand-new-password"})

    assert changed["Location"] == reverse("account_reset_password_from_key_done")
    old = client.post(reverse("account_login"), {"login": "forgetful@example.com", "password": PASSWORD})
    assert old.status_code == 200
    new = client.post(reverse("account_login"), {"login": "forgetful@example.com", "password": "a-brand-new-password"})
    assert new.status_code == 302


@pytest.mark.parametrize(
    ("url_name", "autocompletes"),
    [
        ("account_login", {"id_login": "email", "id_password": "current-password"}),
        ("account_signup", {"id_email": "email", "id_password1": "new-password", "id_password2": "new-password"}),
    ],
)
def test_sign_in_and_sign_up_pages_label_every_govuk_input(client, url_name, autocompletes):
    response = client.get(reverse(url_name))

    assert response.status_code == 200
    page = markup(response)
    assert page.h1_count == 1
    assert page.inputs
    for attributes in page.inputs:
        assert attributes["id"] in page.label_targets, attributes
        assert "placeholder" not in attributes
        assert attributes["class"].split()[0] in ("govuk-input", "govuk-checkboxes__input")
    for input_id, autocomplete in autocompletes.items():
        assert page.input(input_id)["autocomplete"] == autocomplete
    email_id = "id_login" if url_name == "account_login" else "id_email"
    assert page.input(email_id)["type"] == "email"
    assert any("govuk-button" in classes.split() for classes in page.button_classes)


def test_remember_me_is_a_govuk_checkbox(client):
    html = client.get(reverse("account_login")).content.decode()

    assert '<div class="govuk-checkboxes" data-module="govuk-checkboxes">' in html
    assert '<input class="govuk-checkboxes__input" id="id_remember" name="remember" type="checkbox">' in html


def test_signing_out_ends_the_session(client):
    user = make_user()
    client.force_login(user)

    confirm_page = client.get(reverse("account_logout"))
    assert confirm_page.status_code == 200
    assert markup(confirm_page).h1_count == 1
    response = client.post(reverse("account_logout"))

    assert response.status_code == 302
    assert signed_in_user_id(client) is None


@pytest.mark.parametrize("url_name", ["account_email", "account_change_password", "mfa_index"])
def test_account_management_pages_are_govuk_pages_with_one_heading_and_the_account_menu(client, url_name):
    client.force_login(make_user())

    response = client.get(reverse(url_name))

    assert response.status_code == 200
    page = markup(response)
    assert page.h1_count == 1
    assert b'<h1 class="govuk-heading-l' in response.content
    assert b'<nav class="consult-account-nav" aria-label="Your account">' in response.content
    for attributes in page.inputs:
        assert attributes["id"] in page.label_targets, attributes


def test_turning_on_an_authenticator_app_asks_for_the_password_again_first(client):
    client.force_login(make_user("careful@example.com", PASSWORD))

    reauthenticate_page = client.get(reverse("mfa_activate_totp"), follow=True)

    assert reauthenticate_page.redirect_chain[-1][0].startswith(reverse("account_reauthenticate"))
    assert markup(reauthenticate_page).input("id_password")["autocomplete"] == "current-password"
    wrong = client.post(reauthenticate_page.redirect_chain[-1][0], {"password": "not-my-password"})
    assert wrong.status_code == 200
    assert b"govuk-error-summary" in wrong.content
    activate_page = client.post(reauthenticate_page.redirect_chain[-1][0], {"password": PASSWORD}, follow=True)
    page = markup(activate_page)
    assert activate_page.redirect_chain[-1][0] == reverse("mfa_activate_totp")
    assert page.h1_count == 1
    assert page.input("id_code")["autocomplete"] == "one-time-code"
    assert "id_code" in page.label_targets
    assert page.input("authenticator_secret")["readonly"] == ""


def test_account_pages_use_sentence_case_as_gov_uk_does(client):
    page = client.get(reverse("account_login")).content.decode()
    assert ">Sign in<" in page.replace("\n", "").replace("  ", "")
    assert "Sign In" not in page
    assert "Remember me" in page


def test_empty_sign_in_says_what_to_enter_in_gov_uk_words(client):
    page = client.post(reverse("account_login"), {"login": "", "password": ""}).content.decode()
    assert "Enter your email address" in page
    assert "Enter your password" in page
    assert "This field is required." not in page
    invalid = client.post(reverse("account_signup"), {"email": "nope", "password1": "", "password2": ""})
    assert "Enter an email address in the correct format, like name@example.com" in invalid.content.decode()


def test_account_emails_name_the_service_not_the_host_and_pages_spell_it_the_british_way(client, settings):
    sign_up(client, "greeted@example.com")

    body = mail.outbox[-1].body
    assert f"Hello from {settings.SITE_NAME}!" in body
    assert settings.SITE_URL in body
    assert "Hello from testserver" not in body
    sent_page = client.get(reverse("account_email_verification_sent")).content.decode()
    assert "finalize" not in sent_page
    assert "to finish signing up" in sent_page

"""Response links are keys, so they are bound, replaceable and mortal (issue 12, ADR 0015): a start
form opens a draft only for the browser that asked; a new link, sent to the address the response
gave, makes every older link stop working; a link stops working some days after the consultation
closes or the last link was sent; accounts still reach their responses."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail, signing
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from consult.access import response_token
from consult.models import Answer, Consultation, Response
from tests.factories import make_consultation, make_response, make_user, publish_outcome_with_themes
from tests.journey import answer_required, link_in, send, start
from tests.welsh_support import cy, english_left_in

pytestmark = pytest.mark.django_db


def _closed_days_ago(consultation: Consultation, days: int) -> None:
    """Move the consultation's dates back, and with them the links its respondents were sent while
    it was open (the receipts), to just before it closed."""
    closes_at = timezone.now() - timedelta(days=days)
    Consultation.objects.filter(pk=consultation.pk).update(opens_at=closes_at - timedelta(days=30), closes_at=closes_at)
    Response.objects.filter(consultation=consultation, link_issued_at__isnull=False).update(
        link_issued_at=closes_at - timedelta(hours=1)
    )


def _ask_for_a_new_link(client: Client, reference: str, email: str) -> object:
    return client.post(reverse("new_response_link"), {"reference": reference, "email": email})


@pytest.fixture
def sent(client: Client, django_capture_on_commit_callbacks: object) -> tuple[Consultation, str, str]:
    """An anonymous respondent's sent response, with the link in its receipt and its reference."""
    consultation = make_consultation()
    token = start(client, consultation)
    answer_required(client, consultation, token, email="me@example.com", why="First thoughts.")
    with django_capture_on_commit_callbacks(execute=True):
        send(client, token)
    mail.outbox.clear()
    return consultation, token, Response.objects.get().reference


# --- Start keys bound to the browser ------------------------------------------------------------


def _start_form(client: Client, consultation: Consultation) -> dict[str, str]:
    """The hidden fields of the consultation page's start form, as this browser was given them."""
    html = client.get(consultation.get_absolute_url()).content.decode()
    return {
        name: re.search(rf'name="{name}" value="([^"]+)"', html).group(1)
        for name in ("csrfmiddlewaretoken", "start_key")
    }


def test_another_browser_posting_a_copied_start_form_gets_a_draft_of_its_own() -> None:
    consultation = make_consultation()
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    copied = _start_form(first, consultation)
    own = _start_form(second, consultation)
    url = reverse("start_response", args=[consultation.slug])

    mine = first.post(url, copied)
    theirs = second.post(url, {**copied, "csrfmiddlewaretoken": own["csrfmiddlewaretoken"]})

    assert mine.status_code == theirs.status_code == 302
    assert mine["Location"] != theirs["Location"]
    assert Response.objects.filter(consultation=consultation).count() == 2


def test_a_double_click_in_one_browser_makes_one_draft() -> None:
    consultation = make_consultation()
    browser = Client(enforce_csrf_checks=True)
    form = _start_form(browser, consultation)
    url = reverse("start_response", args=[consultation.slug])

    first, again = browser.post(url, form), browser.post(url, form)

    assert first["Location"] == again["Location"]
    assert Response.objects.filter(consultation=consultation).count() == 1


def test_browsers_that_post_without_a_csrf_cookie_never_share_a_draft() -> None:
    """Where the CSRF check is skipped, a browser is given its secret by its first post: it still
    finds its own draft again, and another browser with the same key does not."""
    consultation = make_consultation()
    first, second = Client(), Client()

    token = start(first, consultation, start_key="same-key")
    assert start(first, consultation, start_key="same-key") == token
    assert start(second, consultation, start_key="same-key") != token
    assert Response.objects.filter(consultation=consultation).count() == 2


# --- Links that can be replaced -----------------------------------------------------------------


def test_links_sent_before_links_could_be_replaced_keep_working(sent: tuple[Consultation, str, str]) -> None:
    _, _, reference = sent
    # The link as every receipt carried it: the reference alone, signed.
    emailed = signing.Signer(salt="consult.response-link").sign(reference)

    page = Client().get(reverse("response_detail", args=[emailed]))

    assert page.status_code == 200
    assert reference in page.content.decode()


def test_a_new_link_is_emailed_and_every_older_link_stops_working(
    sent: tuple[Consultation, str, str], django_capture_on_commit_callbacks: object
) -> None:
    _, old_token, reference = sent
    browser = Client()
    with django_capture_on_commit_callbacks(execute=True):
        asked = _ask_for_a_new_link(browser, reference.lower().replace("-", " - ", 1), "ME@example.com")

    assert asked["Location"] == reverse("new_response_link_sent")
    assert "Check your email" in browser.get(asked["Location"]).content.decode()
    [email] = mail.outbox
    assert email.to == ["me@example.com"]
    assert reference in email.subject
    assert "Links we sent you before no longer work." in email.body
    assert reverse("new_response_link") in email.body
    new_link = link_in(email.body)
    assert new_link != reverse("response_detail", args=[old_token])
    assert browser.get(new_link).status_code == 200

    replaced = browser.get(reverse("response_detail", args=[old_token]))
    assert replaced.status_code == 410
    assert "This link has been replaced" in replaced.content.decode()
    assert reverse("new_response_link") in replaced.content.decode()
    assert browser.get(reverse("response_detail", args=["R-0000-0000-0000:forged"])).status_code == 404


def test_a_replaced_link_can_neither_save_an_answer_nor_send_the_draft(
    client: Client, django_capture_on_commit_callbacks: object
) -> None:
    consultation = make_consultation()
    token = start(client, consultation)
    answer_required(client, consultation, token, email="me@example.com", why="Half a thought.")
    why = consultation.questions.get(position=2)
    client.get(reverse("answer_question", args=[token, why.pk]))  # this process now knows the questions
    with django_capture_on_commit_callbacks(execute=True):
        _ask_for_a_new_link(client, Response.objects.get().reference, "me@example.com")

    saved = client.post(reverse("answer_question", args=[token, why.pk]), {"answer": "Someone else's words."})
    sent = client.post(reverse("check_answers", args=[token]))

    assert saved.status_code == sent.status_code == 410
    assert Answer.objects.get(question=why).text == "Half a thought."
    assert Response.objects.get().status == Response.Status.DRAFT


def test_an_unknown_reference_or_another_address_gets_the_same_answer_and_no_email(
    sent: tuple[Consultation, str, str], django_capture_on_commit_callbacks: object
) -> None:
    _, token, reference = sent
    with django_capture_on_commit_callbacks(execute=True):
        unknown = _ask_for_a_new_link(Client(), "R-0000-0000-0000", "me@example.com")
        wrong_address = _ask_for_a_new_link(Client(), reference, "someone@example.com")

    assert unknown["Location"] == wrong_address["Location"] == reverse("new_response_link_sent")
    assert mail.outbox == []
    assert Client().get(reverse("response_detail", args=[token])).status_code == 200


@pytest.mark.parametrize(
    ("posted", "errors"),
    [
        (
            {"reference": "", "email": ""},
            ["Enter the reference number of your response", "Enter the email address you gave with your response"],
        ),
        (
            {"reference": "R-1234-ABCD", "email": "me@example.com"},
            ["Enter a reference in the correct format, like R-7KX4-M9PT-2HQD"],
        ),
        (
            {"reference": "R-7KX4-M9PT-2HQD", "email": "not an address"},
            ["Enter an email address in the correct format, like name@example.com"],
        ),
    ],
)
def test_the_new_link_form_explains_what_is_wrong(client: Client, posted: dict[str, str], errors: list[str]) -> None:
    page = client.post(reverse("new_response_link"), posted)

    assert page.status_code == 200
    html = page.content.decode()
    assert "<title>Error:" in html
    summary = re.search(r'<div class="govuk-error-summary".*?</div>\s*</div>', html, flags=re.S).group(0)
    assert "There is a problem" in summary
    assert [error for error in errors if error in summary] == errors
    assert mail.outbox == []


@override_settings(RESPONSE_RATE_LIMIT="2/m")
def test_asking_for_new_links_is_rate_limited(client: Client) -> None:
    statuses = [_ask_for_a_new_link(client, "R-7KX4-M9PT-2HQD", "me@example.com").status_code for _ in range(3)]

    assert statuses == [302, 302, 429]


# --- Links that expire --------------------------------------------------------------------------


@override_settings(RESPONSE_LINK_DAYS_AFTER_CLOSE=28)
def test_a_link_works_until_some_days_after_the_consultation_closes(sent: tuple[Consultation, str, str]) -> None:
    consultation, token, _ = sent
    address = reverse("response_detail", args=[token])

    _closed_days_ago(consultation, 27)
    assert Client().get(address).status_code == 200

    _closed_days_ago(consultation, 29)
    expired = Client().get(address)
    assert expired.status_code == 410
    html = expired.content.decode()
    assert "This link has expired" in html
    assert "28 days after the consultation closes" in html
    assert reverse("new_response_link") in html
    assert "First thoughts." not in html


@override_settings(RESPONSE_LINK_DAYS_AFTER_CLOSE=28)
def test_a_new_link_asked_for_long_after_closing_works_for_the_days_after_it_was_sent(
    sent: tuple[Consultation, str, str], django_capture_on_commit_callbacks: object
) -> None:
    consultation, _, reference = sent
    _closed_days_ago(consultation, 100)
    with django_capture_on_commit_callbacks(execute=True):
        _ask_for_a_new_link(Client(), reference, "me@example.com")

    assert Client().get(link_in(mail.outbox[0].body)).status_code == 200
    assert "This link works until" in mail.outbox[0].body
    Response.objects.filter(reference=reference).update(link_issued_at=timezone.now() - timedelta(days=29))
    assert Client().get(link_in(mail.outbox[0].body)).status_code == 410


@override_settings(RESPONSE_LINK_DAYS_AFTER_CLOSE=28)
def test_the_outcome_email_sent_long_after_closing_carries_a_link_that_opens(
    django_capture_on_commit_callbacks: object,
) -> None:
    consultation = make_consultation(phase="closed")
    why = consultation.questions.get(position=2)
    response = make_response(consultation, {why: "Quicker answers, please."}, email="me@example.com")
    _closed_days_ago(consultation, 60)
    receipt_link = reverse("response_detail", args=[response_token(response)])
    assert Client().get(receipt_link).status_code == 410

    with django_capture_on_commit_callbacks(execute=True):
        publish_outcome_with_themes(consultation, {why: {"Quicker answers": [response.answers.get()]}})

    [email] = mail.outbox
    assert "at any time" not in email.body
    outcome_link = re.search(r"https?://\S+/respond/\S+", email.body).group(0)
    page = Client().get(re.sub(r"^https?://[^/]+", "", outcome_link))
    assert page.status_code == 200
    assert "Quicker answers" in page.content.decode()
    # The same link, not a new one: the receipt's link opens again too.
    assert Client().get(receipt_link).status_code == 200


def test_an_account_reaches_its_response_after_the_link_has_expired(client: Client) -> None:
    user = make_user()
    consultation = make_consultation()
    why = consultation.questions.get(position=2)
    response = make_response(consultation, {why: "Mine, from my account."}, email=user.email)
    Response.objects.filter(pk=response.pk).update(user=user)
    _closed_days_ago(consultation, 400)
    client.force_login(user)

    listing = client.get(reverse("your_responses")).content.decode()
    link = re.search(r'href="(/respond/[^"]+/)"', listing).group(1)

    assert "Mine, from my account." in client.get(link).content.decode()
    assert Client().get(link).status_code == 410


def test_the_expired_page_and_the_new_link_are_in_welsh(
    client: Client, django_capture_on_commit_callbacks: object
) -> None:
    consultation = make_consultation()
    why = consultation.questions.get(position=2)
    response = make_response(consultation, {why: "Atebion cyflymach."}, email="fi@example.com")
    Response.objects.filter(pk=response.pk).update(language="cy")
    _closed_days_ago(consultation, 400)

    expired = client.get(cy("response_detail", response_token(response)))
    assert expired.status_code == 410
    html = expired.content.decode()
    assert "Mae'r ddolen hon wedi dod i ben" in html
    assert cy("new_response_link") in html
    assert english_left_in(html) == []

    form = client.get(cy("new_response_link")).content.decode()
    assert "Cael dolen newydd i'ch ymateb" in form
    with django_capture_on_commit_callbacks(execute=True):
        asked = client.post(cy("new_response_link"), {"reference": response.reference, "email": "fi@example.com"})
    assert asked["Location"] == cy("new_response_link_sent")
    assert "Gwiriwch eich e-bost" in client.get(asked["Location"]).content.decode()
    [email] = mail.outbox
    assert email.subject == f"Dolen newydd i'ch ymateb {response.reference}"
    assert "/cy/respond/" in email.body

"""Save and return without depending on cookies."""

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from consult.models import Answer
from tests.factories import make_consultation, make_user
from tests.journey import link_in, start

pytestmark = pytest.mark.django_db


def test_anonymous_respondent_gets_a_resume_link_by_email_that_works_in_a_fresh_browser(
    client, django_capture_on_commit_callbacks
):
    consultation = make_consultation()
    token = start(client, consultation)
    client.post(reverse("about_you", args=[token]), {"respondent_type": "individual", "is_publication_consented": "no"})
    why = consultation.questions.get(position=2)
    saved = client.post(
        reverse("answer_question", args=[token, why.pk]), {"answer": "Half written", "save_and_return": "1"}
    )
    assert saved["Location"] == reverse("save_and_return", args=[token])
    page = client.get(saved["Location"])
    assert b"Your answers have been saved" in page.content

    invalid = client.post(saved["Location"], {"email": "not-an-email"})
    assert b"Enter an email address in the correct format" in invalid.content
    with django_capture_on_commit_callbacks(execute=True):
        client.post(saved["Location"], {"email": "later@example.com"})
    assert mail.outbox[0].to == ["later@example.com"]
    link = link_in(mail.outbox[0].body)

    fresh = Client()  # another device, no cookies
    resumed = fresh.get(link)
    assert resumed.status_code == 200
    assert b"Half written" in resumed.content
    fresh.post(reverse("answer_question", args=[token, why.pk]), {"answer": "Finished on my phone"})
    assert Answer.objects.get().text == "Finished on my phone"


def test_signed_in_respondent_finds_their_saved_draft_under_their_responses(client):
    consultation = make_consultation()
    client.force_login(make_user())
    token = start(client, consultation)
    saved = client.post(
        reverse("about_you", args=[token]),
        {"respondent_type": "individual", "is_publication_consented": "no", "save_and_return": "1"},
    )
    page = client.get(saved["Location"])
    assert b"your responses" in page.content
    assert b"Get the link by email" not in page.content
    listing = client.get(reverse("your_responses"))
    assert consultation.title.encode() in listing.content
    assert b"Draft" in listing.content

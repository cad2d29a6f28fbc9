"""Until a consultation closes, a respondent can change or withdraw what they sent."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from consult.access import response_token
from consult.models import Answer, Consultation, Response
from tests.factories import make_consultation
from tests.journey import answer_required, link_in, send, start

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(client, django_capture_on_commit_callbacks):
    """An anonymous respondent's sent response, with its receipt link."""
    consultation = make_consultation()
    token = start(client, consultation)
    q = {q.position: q for q in consultation.questions.all()}
    answer_required(client, consultation, token, email="me@example.com", why="First thoughts.")
    with django_capture_on_commit_callbacks(execute=True):
        send(client, token)
    receipt_link = link_in(mail.outbox[0].body)
    return consultation, token, q, receipt_link


def close(consultation: Consultation) -> None:
    Consultation.objects.filter(pk=consultation.pk).update(
        opens_at=timezone.now() - timedelta(days=40), closes_at=timezone.now() - timedelta(minutes=1)
    )


def test_receipt_link_opens_the_response_without_signing_in(sent):
    _, _, _, receipt_link = sent
    from django.test import Client

    stranger_browser = Client()  # no cookies from the journey
    page = stranger_browser.get(receipt_link)
    assert page.status_code == 200
    assert Response.objects.get().reference.encode() in page.content
    assert b"Change your response" in page.content and b"Withdraw your response" in page.content


def test_change_after_sending_replaces_the_answer_and_keeps_it_sent(client, sent):
    _, token, q, _ = sent
    page = client.get(reverse("check_answers", args=[token]))
    assert b"Change your response" in page.content
    client.post(reverse("answer_question", args=[token, q[2].pk]), {"answer": "Second thoughts."})
    assert Answer.objects.get(question=q[2]).text == "Second thoughts."
    done = client.post(reverse("check_answers", args=[token]))
    assert done["Location"] == reverse("response_detail", args=[token])
    assert Response.objects.get().status == Response.Status.SUBMITTED


def test_withdraw_asks_for_confirmation_then_withdraws(client, sent, django_capture_on_commit_callbacks):
    _, token, _, _ = sent
    page = client.post(reverse("withdraw", args=[token]), {})
    assert b"Select yes if you want to withdraw your response" in page.content
    client.post(reverse("withdraw", args=[token]), {"confirm": "no"})
    assert Response.objects.get().status == Response.Status.SUBMITTED
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("withdraw", args=[token]), {"confirm": "yes"})
    response = Response.objects.get()
    assert response.status == Response.Status.WITHDRAWN
    assert response.withdrawn_at is not None
    assert "withdrew" in mail.outbox[-1].subject
    # A withdrawn response can no longer be changed.
    locked = client.get(reverse("check_answers", args=[token]))
    assert b"This response has been withdrawn" in locked.content


def test_after_closing_changes_and_withdrawal_are_refused_with_a_clear_page(client, sent):
    consultation, token, q, _ = sent
    close(consultation)
    for url in [
        reverse("check_answers", args=[token]),
        reverse("about_you", args=[token]),
        reverse("answer_question", args=[token, q[2].pk]),
        reverse("withdraw", args=[token]),
        reverse("save_and_return", args=[token]),
        reverse("equality_information", args=[token]),
    ]:
        page = client.get(url)
        assert page.status_code == 200, url
        assert b"This consultation has closed" in page.content, url
    refused = client.post(reverse("answer_question", args=[token, q[2].pk]), {"answer": "Too late."})
    assert b"This consultation has closed" in refused.content
    client.post(reverse("withdraw", args=[token]), {"confirm": "yes"})
    response = Response.objects.get()
    assert response.status == Response.Status.SUBMITTED
    assert Answer.objects.get(question=q[2]).text == "First thoughts."
    # The response itself can still be read.
    detail = client.get(reverse("response_detail", args=[token]))
    assert b"can no longer be changed" in detail.content


def test_a_draft_left_open_when_the_consultation_closes_cannot_be_sent(client):
    consultation = make_consultation()
    response = Response.objects.create(consultation=consultation, start_key="x", respondent_type="individual")
    close(consultation)
    page = client.post(reverse("check_answers", args=[response_token(response)]))
    assert b"This consultation has closed" in page.content
    assert Response.objects.get().status == Response.Status.DRAFT


def test_a_changed_answer_is_redacted_again_so_the_analysis_reads_the_new_text(client, sent):
    from consult.services import arrivals

    _, token, q, _ = sent
    client.post(reverse("answer_question", args=[token, q[2].pk]), {"answer": "Call me on 07700 900123."})
    arrivals.process_response(Response.objects.get().pk)
    answer = Answer.objects.get(question=q[2])
    assert answer.has_personal_data and "07700 900123" not in answer.redacted_text

    client.post(reverse("answer_question", args=[token, q[2].pk]), {"answer": "No number after all."})
    arrivals.process_response(Response.objects.get().pk)
    answer = Answer.objects.get(question=q[2])
    assert answer.redacted_text == "No number after all."
    assert not answer.has_personal_data

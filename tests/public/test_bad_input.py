"""Bad input gets a clear message and loses nothing."""

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from consult.models import Answer, Response
from tests.factories import make_consultation
from tests.journey import answer_required, start

pytestmark = pytest.mark.django_db


@pytest.fixture
def journey(client):
    consultation = make_consultation()
    token = start(client, consultation)
    questions = {q.position: q for q in consultation.questions.all()}
    return consultation, token, questions


def test_over_long_answer_is_refused_with_the_limit_and_kept_on_the_page(client, journey):
    _, token, questions = journey
    why = questions[2]  # limit 500
    too_long = "a" * 501
    page = client.post(reverse("answer_question", args=[token, why.pk]), {"answer": too_long})
    assert page.status_code == 200
    assert b"Your answer must be 500 characters or fewer" in page.content
    assert too_long.encode() in page.content  # nothing the person typed is thrown away
    assert not Answer.objects.exists()


def test_answer_at_the_limit_is_kept_whole(client, journey):
    _, token, questions = journey
    exact = "b" * 500
    client.post(reverse("answer_question", args=[token, questions[2].pk]), {"answer": exact})
    assert Answer.objects.get().text == exact


def test_line_breaks_count_as_one_character_like_the_page_counter(client, journey):
    _, token, questions = journey
    text = ("x" * 49 + "\r\n") * 10  # 500 characters once CRLF is one line break
    client.post(reverse("answer_question", args=[token, questions[2].pk]), {"answer": text})
    assert Answer.objects.get().text == ("x" * 49 + "\n") * 9 + "x" * 49


def test_nul_and_control_characters_are_removed(client, journey):
    _, token, questions = journey
    client.post(
        reverse("answer_question", args=[token, questions[2].pk]),
        {"answer": "safe\x00 text\x07 with\x1b tab\tand\nline"},
    )
    assert Answer.objects.get().text == "safe text with tab\tand\nline"


def test_html_in_answers_is_shown_as_text(client, journey):
    _, token, questions = journey
    client.post(
        reverse("answer_question", args=[token, questions[2].pk]), {"answer": "<script>alert('x')</script><b>bold</b>"}
    )
    page = client.get(reverse("check_answers", args=[token])).content.decode()
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;&lt;b&gt;bold&lt;/b&gt;" in page


def test_csrf_is_enforced():
    consultation = make_consultation()
    client = Client(enforce_csrf_checks=True)
    refused = client.post(reverse("start_response", args=[consultation.slug]), {"start_key": "k"})
    assert refused.status_code == 403
    assert b"your form could not be sent" in refused.content
    assert not Response.objects.exists()


def test_start_form_posted_twice_creates_one_response(client):
    consultation = make_consultation()
    first = start(client, consultation, "same")
    second = start(client, consultation, "same")
    assert first == second
    assert Response.objects.count() == 1


def test_sending_twice_submits_once_and_sends_one_receipt(client, journey, django_capture_on_commit_callbacks):
    from django.core import mail

    consultation, token, _ = journey
    answer_required(client, consultation, token, email="p@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(reverse("check_answers", args=[token]))
        second = client.post(reverse("check_answers", args=[token]))
    assert first.status_code == 302
    assert second.status_code == 302
    response = Response.objects.get()
    assert response.status == Response.Status.SUBMITTED
    assert len(mail.outbox) == 1


def test_option_that_is_not_offered_is_refused(client, journey):
    _, token, questions = journey
    other_question_option = questions[4].options.first()
    page = client.post(reverse("answer_question", args=[token, questions[3].pk]), {"answer": other_question_option.pk})
    assert page.status_code == 200
    assert b"Select one of the options shown" in page.content
    page = client.post(reverse("answer_question", args=[token, questions[4].pk]), {"answer": ["999999"]})
    assert b"Select only the options shown" in page.content
    page = client.post(reverse("answer_question", args=[token, questions[1].pk]), {"answer": "7"})
    assert b"Select one of the options shown" in page.content
    assert not Answer.objects.exists()


def test_question_of_another_consultation_is_not_found(client, journey):
    _, token, _ = journey
    elsewhere = make_consultation().questions.first()
    assert client.get(reverse("answer_question", args=[token, elsewhere.pk])).status_code == 404
    assert client.post(reverse("answer_question", args=[token, elsewhere.pk]), {"answer": 3}).status_code == 404
    assert not Answer.objects.exists()


@pytest.mark.parametrize("phase", ["closed", "upcoming", "outcome_published"])
def test_starting_a_response_outside_the_open_period_is_refused_with_a_clear_page(client, phase):
    consultation = make_consultation(phase=phase)
    page = client.post(reverse("start_response", args=[consultation.slug]), {"start_key": "k"})
    assert page.status_code == 200
    assert b"This consultation has" in page.content
    assert not Response.objects.exists()


def test_draft_consultation_cannot_be_seen_or_answered(client):
    consultation = make_consultation(phase="draft")
    assert client.get(consultation.get_absolute_url()).status_code == 404
    assert client.post(reverse("start_response", args=[consultation.slug]), {"start_key": "k"}).status_code == 404
    assert not Response.objects.exists()


def test_get_cannot_start_a_response(client):
    consultation = make_consultation()
    assert client.get(reverse("start_response", args=[consultation.slug])).status_code == 405
    assert not Response.objects.exists()


@override_settings(RESPONSE_RATE_LIMIT="3/m")
def test_saves_are_rate_limited_per_client_address_with_a_friendly_page(client, journey):
    _, token, questions = journey
    url = reverse("answer_question", args=[token, questions[2].pk])
    statuses = [client.post(url, {"answer": f"try {n}"}, REMOTE_ADDR="203.0.113.9").status_code for n in range(3)]
    assert 429 not in statuses
    limited = client.post(url, {"answer": "one too many"}, REMOTE_ADDR="203.0.113.9")
    assert limited.status_code == 429
    assert b"too many answers in a short time" in limited.content
    assert Answer.objects.get().text != "one too many"
    # Another address is not affected.
    other = Client()
    assert other.post(url, {"answer": "from elsewhere"}, REMOTE_ADDR="198.51.100.7").status_code == 302

"""The respondent's busiest requests, saving an answer and "Accept and send", are one statement
each on PostgreSQL, and still refuse everything the full path refuses."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from consult.models import Agreement, Answer, Consultation, Response
from consult.services import consultations as consultation_services
from tests.factories import make_consultation, make_official
from tests.journey import answer_required, start

pytestmark = pytest.mark.django_db


def _questions(consultation: Consultation) -> dict[int, object]:
    return {q.position: q for q in consultation.questions.all()}


def _shown(client, token: str, question) -> str:
    """Open the question's page (as a respondent always does before answering); its address."""
    url = reverse("answer_question", args=[token, question.pk])
    assert client.get(url).status_code == 200
    return url


def test_saving_each_kind_of_answer_is_one_statement(client, django_assert_num_queries):
    consultation = make_consultation()
    questions = _questions(consultation)
    token = start(client, consultation)
    client.post(reverse("about_you", args=[token]), {"respondent_type": "individual", "email": ""})
    chosen = list(questions[4].options.all()[:2])
    posts = [
        (questions[1], {"answer": Agreement.AGREE}),
        (questions[2], {"answer": "Because people need a person."}),
        (questions[3], {"answer": questions[3].options.first().pk}),
        (questions[4], {"answer": [o.pk for o in chosen]}),
    ]
    for question, data in posts:
        url = _shown(client, token, question)
        # One statement: the response's time, the answer, its options. No read beforehand.
        with django_assert_num_queries(1) as captured:
            moved = client.post(url, data)
        assert moved.status_code == 302
        assert not any(q["sql"].lstrip().upper().startswith("SELECT") for q in captured.captured_queries)

    answers = {a.question.position: a for a in Answer.objects.filter(response__consultation=consultation)}
    assert answers[1].agreement == Agreement.AGREE
    assert answers[2].text == "Because people need a person."
    assert list(answers[3].options.all()) == [questions[3].options.first()]
    assert set(answers[4].options.all()) == set(chosen)
    assert all(a.redaction_version == "" and a.visibility == Answer.Visibility.VISIBLE for a in answers.values())


def test_changing_an_answer_replaces_it_and_its_options(client):
    consultation = make_consultation()
    questions = _questions(consultation)
    token = start(client, consultation)
    first, second, third = questions[4].options.all()[:3]
    url = _shown(client, token, questions[4])
    client.post(url, {"answer": [first.pk, second.pk]})
    client.post(url, {"answer": [second.pk, third.pk]})
    url = _shown(client, token, questions[2])
    client.post(url, {"answer": "First thoughts."})
    client.post(url, {"answer": "Second thoughts."})

    answers = Answer.objects.filter(response__consultation=consultation)
    assert answers.count() == 2
    assert set(answers.get(question=questions[4]).options.all()) == {second, third}
    assert answers.get(question=questions[2]).text == "Second thoughts."


def test_an_answer_checked_against_a_question_changed_since_is_checked_again(client):
    """An official shortens the most characters allowed while the respondent's page is open: the
    answer that fitted the page is refused with the new limit, not saved."""
    consultation = make_consultation()
    questions = _questions(consultation)
    lead = make_official(consultation.department)
    token = start(client, consultation)
    url = _shown(client, token, questions[5])  # optional free text, 2,500 characters
    values = {name: getattr(questions[5], name) for name in consultation_services.QUESTION_FIELDS}
    consultation_services.update_question(lead, questions[5], {**values, "max_length": 20}, [])

    page = client.post(url, {"answer": "Rather more than twenty characters."})

    assert page.status_code == 200
    assert "20 characters or fewer" in page.content.decode()
    assert not Answer.objects.filter(question=questions[5]).exists()


def test_no_answer_is_saved_once_the_consultation_has_closed(client):
    consultation = make_consultation()
    questions = _questions(consultation)
    token = start(client, consultation)
    url = _shown(client, token, questions[2])
    Consultation.objects.filter(pk=consultation.pk).update(closes_at=timezone.now() - timedelta(minutes=1))

    page = client.post(url, {"answer": "Too late."})

    assert page.status_code == 200
    assert "closed" in page.content.decode().lower()
    assert not Answer.objects.filter(question=questions[2]).exists()


def test_no_answer_is_saved_to_a_withdrawn_response(client):
    consultation = make_consultation()
    token = start(client, consultation)
    answer_required(client, consultation, token)
    client.post(reverse("check_answers", args=[token]))
    url = _shown(client, token, _questions(consultation)[2])
    Response.objects.filter(consultation=consultation).update(
        status=Response.Status.WITHDRAWN, withdrawn_at=timezone.now()
    )

    client.post(url, {"answer": "Changed after withdrawing."})

    assert Answer.objects.get(question=_questions(consultation)[2]).text != "Changed after withdrawing."


def test_an_option_of_another_question_is_refused(client):
    consultation = make_consultation()
    questions = _questions(consultation)
    token = start(client, consultation)
    url = _shown(client, token, questions[3])

    page = client.post(url, {"answer": questions[4].options.first().pk})

    assert page.status_code == 200
    assert "Select one of the options shown" in page.content.decode()
    assert not Answer.objects.filter(question=questions[3]).exists()


def test_accept_and_send_on_a_complete_draft_is_one_statement(client, django_assert_num_queries):
    consultation = make_consultation()
    token = start(client, consultation)
    answer_required(client, consultation, token)

    with django_assert_num_queries(1):
        moved = client.post(reverse("check_answers", args=[token]))

    assert moved["Location"] == reverse("equality_information", args=[token])
    response = Response.objects.get(consultation=consultation)
    assert response.status == Response.Status.SUBMITTED and response.submitted_at is not None


def test_accept_and_send_on_an_incomplete_draft_sends_nothing_and_says_what_is_missing(client):
    consultation = make_consultation()
    token = start(client, consultation)
    client.post(reverse("about_you", args=[token]), {"respondent_type": "individual", "email": ""})

    page = client.post(reverse("check_answers", args=[token]))

    assert page.status_code == 200
    assert "There is a problem" in page.content.decode()
    assert Response.objects.get(consultation=consultation).status == Response.Status.DRAFT

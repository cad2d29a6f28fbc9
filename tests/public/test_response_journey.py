"""A citizen responds: about you, one question per page, check answers, send, receipt."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from consult.access import response_token
from consult.models import Agreement, Answer, EqualityInformation, Response
from tests.factories import make_consultation, make_user
from tests.journey import answer_required, start, token_from

pytestmark = pytest.mark.django_db


def answer_all(client, consultation, token: str, email: str = "citizen@example.com") -> None:
    answer_required(client, consultation, token, email=email)
    questions = {q.position: q for q in consultation.questions.all()}
    client.post(reverse("answer_question", args=[token, questions[4].pk]), {})
    client.post(reverse("answer_question", args=[token, questions[5].pk]), {"answer": ""})


def test_anonymous_respondent_completes_the_journey_and_gets_a_receipt(client, django_capture_on_commit_callbacks):
    consultation = make_consultation()
    questions = list(consultation.questions.all())

    started = client.post(reverse("start_response", args=[consultation.slug]), {"start_key": "k"})
    assert started.status_code == 302
    token = token_from(started["Location"])
    assert started["Location"] == reverse("about_you", args=[token])

    page = client.get(reverse("about_you", args=[token]))
    assert b"Are you responding as an individual" in page.content

    moved = client.post(
        reverse("about_you", args=[token]),
        {"respondent_type": "individual", "email": "a@example.com", "is_publication_consented": "no"},
    )
    assert moved["Location"] == reverse("answer_question", args=[token, questions[0].pk])

    moved = client.post(reverse("answer_question", args=[token, questions[0].pk]), {"answer": Agreement.AGREE})
    assert moved["Location"] == reverse("answer_question", args=[token, questions[1].pk])
    why_page = client.get(moved["Location"])
    assert b"You answered" in why_page.content and b"Agree" in why_page.content

    client.post(reverse("answer_question", args=[token, questions[1].pk]), {"answer": "It would be quicker."})
    option = questions[2].options.get(label="Online")
    client.post(reverse("answer_question", args=[token, questions[2].pk]), {"answer": option.pk})
    worries = list(questions[3].options.all()[:2])
    client.post(reverse("answer_question", args=[token, questions[3].pk]), {"answer": [o.pk for o in worries]})
    last = client.post(reverse("answer_question", args=[token, questions[4].pk]), {"answer": ""})
    assert last["Location"] == reverse("check_answers", args=[token])

    check = client.get(reverse("check_answers", args=[token]))
    text = check.content.decode()
    assert "It would be quicker." in text
    assert "Online" in text and "Wrong answers" in text and "Privacy" in text
    assert "Not answered" in text  # the optional question left blank

    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(reverse("check_answers", args=[token]))
    assert sent["Location"] == reverse("equality_information", args=[token])

    response = Response.objects.get()
    assert response.status == Response.Status.SUBMITTED
    assert response.submitted_at is not None
    assert response.answers.count() == 4

    confirmation = client.get(reverse("confirmation", args=[token]))
    assert response.reference.encode() in confirmation.content

    assert len(mail.outbox) == 1
    receipt = mail.outbox[0]
    assert receipt.to == ["a@example.com"]
    assert response.reference in receipt.subject
    assert response.reference in receipt.body
    assert reverse("response_detail", args=[token]) in receipt.body


def test_reference_is_human_friendly_and_unique():
    consultation = make_consultation()
    references = {Response.objects.create(consultation=consultation, start_key=str(n)).reference for n in range(200)}
    assert len(references) == 200
    for reference in references:
        assert re.fullmatch(r"R-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}", reference)


def test_signed_in_respondent_resumes_their_draft_from_the_consultation_page(client):
    consultation = make_consultation()
    user = make_user()
    client.force_login(user)
    token = start(client, consultation, "first")

    page = client.get(consultation.get_absolute_url())
    assert b"Continue your response" in page.content
    assert reverse("check_answers", args=[token]).encode() in page.content

    # Starting again resumes the same draft rather than making a second one.
    assert start(client, consultation, "second") == token
    assert Response.objects.filter(user=user).count() == 1


def test_signed_in_respondent_is_not_asked_for_an_email_and_gets_the_receipt_at_their_account(
    client, django_capture_on_commit_callbacks
):
    consultation = make_consultation()
    user = make_user("member@example.com")
    client.force_login(user)
    token = start(client, consultation)
    assert b'name="email"' not in client.get(reverse("about_you", args=[token])).content
    answer_all(client, consultation, token)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("check_answers", args=[token]))
    assert [m.to for m in mail.outbox] == [["member@example.com"]]
    listing = client.get(reverse("your_responses"))
    assert Response.objects.get().reference.encode() in listing.content


def test_consultation_requiring_an_account_sends_anonymous_people_to_sign_in(client):
    consultation = make_consultation(allows_anonymous_responses=False)
    refused = client.post(reverse("start_response", args=[consultation.slug]), {"start_key": "k"})
    assert refused["Location"].startswith(reverse("account_login"))
    assert not Response.objects.exists()


def test_organisation_response_needs_the_organisation_name(client):
    consultation = make_consultation()
    token = start(client, consultation)
    page = client.post(reverse("about_you", args=[token]), {"respondent_type": "organisation"})
    assert page.status_code == 200
    assert b"Enter the name of the organisation" in page.content
    assert b"govuk-error-summary" in page.content
    assert page.content.count(b"Error:") >= 1
    client.post(
        reverse("about_you", args=[token]),
        {"respondent_type": "organisation", "organisation_name": "Age Voices", "is_publication_consented": "no"},
    )
    assert Response.objects.get().organisation_name == "Age Voices"


def test_sending_with_required_questions_unanswered_lists_them(client):
    consultation = make_consultation()
    token = start(client, consultation)
    client.post(reverse("about_you", args=[token]), {"respondent_type": "individual", "is_publication_consented": "no"})
    page = client.post(reverse("check_answers", args=[token]))
    assert page.status_code == 200
    assert b"There is a problem" in page.content
    for question in consultation.questions.filter(is_required=True):
        assert question.text.encode() in page.content
    assert Response.objects.get().status == Response.Status.DRAFT


def test_changing_an_answer_from_check_answers_returns_there(client):
    consultation = make_consultation()
    token = start(client, consultation)
    answer_all(client, consultation, token)
    why = consultation.questions.get(position=2)
    url = reverse("answer_question", args=[token, why.pk]) + "?change=1"
    assert b"People need a person." in client.get(url).content
    moved = client.post(url, {"answer": "Changed my mind."})
    assert moved["Location"] == reverse("check_answers", args=[token])
    assert b"Changed my mind." in client.get(moved["Location"]).content


def test_equality_information_is_optional_and_stored_apart_from_answers(client):
    consultation = make_consultation()
    token = start(client, consultation)
    answer_all(client, consultation, token)
    client.post(reverse("check_answers", args=[token]))
    page = client.get(reverse("equality_information", args=[token]))
    assert b"Prefer not to say" in page.content
    done = client.post(reverse("equality_information", args=[token]), {"age_band": "25_34", "region": "prefer_not"})
    assert done["Location"] == reverse("confirmation", args=[token])
    equality = Response.objects.get().equality
    assert (equality.age_band, equality.region, equality.disability) == ("25_34", "prefer_not", "")


def test_skipping_equality_questions_stores_nothing(client):
    consultation = make_consultation()
    token = start(client, consultation)
    answer_all(client, consultation, token)
    client.post(reverse("check_answers", args=[token]))
    client.post(reverse("equality_information", args=[token]), {})
    assert not EqualityInformation.objects.exists()


def test_response_token_cannot_be_forged_from_the_reference(client):
    consultation = make_consultation()
    token = start(client, consultation)
    response = Response.objects.get()
    assert token == response_token(response)
    forged = response.reference + ":not-the-signature"
    assert client.get(reverse("response_detail", args=[forged])).status_code == 404
    assert client.get(reverse("response_detail", args=[response.reference])).status_code == 404


def test_multiple_choice_question_offers_checkboxes(client):
    consultation = make_consultation()
    token = start(client, consultation)
    worries = consultation.questions.get(position=4)
    page = client.get(reverse("answer_question", args=[token, worries.pk])).content.decode()
    assert page.count('type="checkbox"') == worries.options.count()
    assert 'type="radio"' not in page


def test_invalid_equality_answer_is_shown_as_an_error_not_dropped(client):
    consultation = make_consultation()
    token = start(client, consultation)
    answer_all(client, consultation, token)
    client.post(reverse("check_answers", args=[token]))
    page = client.post(reverse("equality_information", args=[token]), {"age_band": "200_plus"})
    assert page.status_code == 200
    assert b"Select one of the options shown, or leave this question" in page.content
    assert not EqualityInformation.objects.exists()


def test_saving_a_changed_answer_reads_and_writes_only_what_it_needs(client, django_assert_max_num_queries):
    """Saving an answer is the step every respondent repeats: it reads the response, the questions
    and their options, then reads and writes the one answer and touches the response. Six
    statements, plus the savepoint pair that the test's own transaction makes of the service's."""
    consultation = make_consultation()
    token = start(client, consultation)
    why = consultation.questions.get(position=2)
    address = reverse("answer_question", args=[token, why.pk])
    client.post(address, {"answer": "First thoughts."})
    with django_assert_max_num_queries(8):
        client.post(address, {"answer": "Second thoughts."})
    assert Answer.objects.get(question=why).text == "Second thoughts."


def test_a_multiple_choice_question_says_select_all_that_apply_and_so_does_its_preview(client):
    from tests.factories import make_official

    consultation = make_consultation()
    token = start(client, consultation)
    worries = consultation.questions.get(position=4)
    page = client.get(reverse("answer_question", args=[token, worries.pk]))
    assert "Select all that apply." in page.content.decode()

    client.force_login(make_official(consultation.department, role="analyst"))
    preview = client.get(reverse("workspace_preview_question", args=[consultation.slug, worries.pk]))
    assert "Select all that apply." in preview.content.decode()


@pytest.mark.parametrize(
    ("hint", "shown"),
    [
        ("", "Select all that apply."),
        ("Think of the last year.", "Think of the last year.\n\nSelect all that apply."),
        ("Select all that apply.", "Select all that apply."),
        ("select all that apply", "select all that apply"),
        ("Tick any you have used. Select all that apply.", "Tick any you have used. Select all that apply."),
    ],
)
def test_select_all_that_apply_is_said_once_whatever_the_official_wrote(hint, shown):
    consultation = make_consultation()
    worries = consultation.questions.get(position=4)
    worries.hint = hint
    assert worries.hint_for_respondents == shown


def test_accept_and_send_is_one_read_and_one_conditional_write(client, django_assert_max_num_queries):
    """The response by its token, then one UPDATE that sends it only if it may be sent (plus the
    savepoint pair the test's own transaction makes of the service's)."""
    consultation = make_consultation()
    token = start(client, consultation)
    answer_required(client, consultation, token, why="Because it helps.")
    with django_assert_max_num_queries(4):
        sent = client.post(reverse("check_answers", args=[token]))
    assert sent["Location"] == reverse("equality_information", args=[token])
    assert Response.objects.get().status == Response.Status.SUBMITTED

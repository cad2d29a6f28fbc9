"""The receipt carries a plain-text copy of the response as sent: each question, then its answer
(closed questions' chosen options, "Not answered" where left blank), whole however long, in the
respondent's language, to the respondent's own address only, beside the links it always had."""

from email import message_from_bytes

import pytest
from django.core import mail
from django.urls import reverse

from consult.models import Response
from tests.factories import add_welsh_versions, make_consultation
from tests.journey import answer_required, send, start, token_from
from tests.welsh_support import cy

pytestmark = pytest.mark.django_db

# Over the 998 characters an email line may hold: the message must fold or encode it, never cut it.
LONG_ANSWER = " ".join(f"Sentence {n} of what I think about the assistant and my benefits." for n in range(1, 36))


def _sent_with_every_kind_of_answer(client, consultation, token: str, email: str = "citizen@example.com") -> None:
    questions = {q.position: q for q in consultation.questions.all()}
    answer_required(client, consultation, token, email=email, why="It would be quicker.\nAnd kinder.")
    worries = [questions[4].options.get(label=label).pk for label in ("Wrong answers", "No way to reach a person")]
    client.post(reverse("answer_question", args=[token, questions[4].pk]), {"answer": worries})
    client.post(reverse("answer_question", args=[token, questions[5].pk]), {"answer": ""})
    send(client, token)


def _body_of(message: mail.EmailMessage) -> str:
    """The text as a mail program reads it, after the transfer encoding the message was sent with."""
    parsed = message_from_bytes(message.message().as_bytes())
    return parsed.get_payload(decode=True).decode(parsed.get_content_charset())


def test_the_receipt_lists_each_question_then_the_answer_as_sent(client, django_capture_on_commit_callbacks):
    consultation = make_consultation()
    token = start(client, consultation)
    with django_capture_on_commit_callbacks(execute=True):
        _sent_with_every_kind_of_answer(client, consultation, token)
    [receipt] = mail.outbox
    copy = receipt.body[receipt.body.index("Your answers, as you sent them:") :]
    assert (
        "1. Do you agree that the assistant should answer benefit enquiries?\nDisagree\n\n"
        "2. Why do you say that?\nIt would be quicker.\nAnd kinder.\n\n"
        "3. How do you usually contact us?\nBy phone\n\n"
        "4. What worries you about the assistant?\n- Wrong answers\n- No way to reach a person\n\n"
        "5. Is there anything else you want to tell us?\n(Not answered)\n"
    ) in copy
    assert "Privacy" not in copy  # an option not chosen
    # The links it always carried are still there.
    assert reverse("response_detail", args=[token]) in receipt.body
    assert reverse("new_response_link") in receipt.body


def test_a_long_answer_arrives_whole(client, django_capture_on_commit_callbacks):
    consultation = make_consultation()
    anything = consultation.questions.get(position=5)
    assert len(LONG_ANSWER) > 2000
    token = start(client, consultation)
    answer_required(client, consultation, token, email="citizen@example.com")
    client.post(reverse("answer_question", args=[token, anything.pk]), {"answer": LONG_ANSWER})
    with django_capture_on_commit_callbacks(execute=True):
        send(client, token)
    [receipt] = mail.outbox
    assert f"5. Is there anything else you want to tell us?\n{LONG_ANSWER}\n" in receipt.body
    assert LONG_ANSWER in _body_of(receipt)


def test_the_copy_goes_to_the_respondents_own_address_only(client, django_capture_on_commit_callbacks):
    consultation = make_consultation()
    token = start(client, consultation)
    with django_capture_on_commit_callbacks(execute=True):
        _sent_with_every_kind_of_answer(client, consultation, token, email="me@example.com")
    [receipt] = mail.outbox
    assert (receipt.to, receipt.cc, receipt.bcc) == (["me@example.com"], [], [])
    assert "It would be quicker." in receipt.body


def test_a_response_without_an_email_address_sends_no_copy(client, django_capture_on_commit_callbacks):
    consultation = make_consultation()
    token = start(client, consultation)
    with django_capture_on_commit_callbacks(execute=True):
        _sent_with_every_kind_of_answer(client, consultation, token, email="")
    assert Response.objects.get().is_submitted
    assert mail.outbox == []


def test_a_response_made_in_welsh_gets_its_copy_in_welsh(client, django_capture_on_commit_callbacks):
    consultation = add_welsh_versions(make_consultation())
    # Started from the Welsh page: the response, and so its emails, are in Welsh.
    token = token_from(client.post(cy("start_response", consultation.slug), {"start_key": "cy"})["Location"])
    with django_capture_on_commit_callbacks(execute=True):
        _sent_with_every_kind_of_answer(client, consultation, token)
    [receipt] = mail.outbox
    copy = receipt.body[receipt.body.index("Eich atebion, fel y gwnaethoch eu hanfon:") :]
    assert (
        "1. Ydych chi'n cytuno y dylai'r cynorthwyydd ateb ymholiadau am fudd-daliadau?\nAnghytuno\n\n"
        "2. Pam rydych chi'n dweud hynny?\nIt would be quicker.\nAnd kinder.\n\n"
        "3. Sut rydych chi'n cysylltu â ni fel arfer?\nDros y ffôn\n\n"
        "4. Beth sy'n eich poeni am y cynorthwyydd?\n- Atebion anghywir\n- Dim ffordd o gyrraedd person\n\n"
        "5. A oes unrhyw beth arall yr hoffech ei ddweud wrthym?\n(Heb ei ateb)\n"
    ) in copy

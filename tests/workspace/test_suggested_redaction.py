""" "Redact" opens with the suggested redaction: the answer's text with the personal data the
flag found replaced by the redaction step's own placeholders, for the moderator to check and edit,
for every kind of personal data the redaction finds."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from consult import tasks
from consult.analysis import redaction
from consult.models import Consultation, Flag, Question, RedactedOriginal
from tests.factories import make_consultation, make_response
from tests.workspace.moderation_world import flagged_answer, sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def consultation() -> Consultation:
    return make_consultation(phase="open")


@pytest.fixture
def why(consultation: Consultation) -> Question:
    return consultation.questions.get(position=2)


# Each kind of personal data the redaction finds, in an answer, with the text the redaction form
# should open with.
PERSONAL_DATA = {
    redaction.EMAIL: ("Write to jo.marsh.demo@example.com about it.", "Write to [email address] about it."),
    redaction.PHONE: ("Ring me on 07700 900123 any time.", "Ring me on [phone number] any time."),
    redaction.POSTCODE: ("The office near SW1A 1AA has closed.", "The office near [postcode] has closed."),
    redaction.NI_NUMBER: (
        "My NI number is QQ 12 34 56 C, for your records.",
        "My NI number is [National Insurance number], for your records.",
    ),
    redaction.NHS_NUMBER: ("My NHS number is 943 476 5919 if it helps.", "My NHS number is [NHS number] if it helps."),
    redaction.CARD_NUMBER: ("I paid with 4111 1111 1111 1111 last week.", "I paid with [card number] last week."),
    redaction.STREET_ADDRESS: ("Write to me at 14 Ferncliffe Road please.", "Write to me at [street address] please."),
    redaction.NAME: (
        "My name is Delyth Parry-Rowe and I have waited nine weeks.",
        "My name is [name] and I have waited nine weeks.",
    ),
    redaction.DATE_OF_BIRTH: (
        "I was born on 3 March 1961 and I have never used a chatbot.",
        "I was born on [date of birth] and I have never used a chatbot.",
    ),
    redaction.SORT_CODE: ("Pay it to sort code 12-34-56 please.", "Pay it to sort code [sort code] please."),
    redaction.ACCOUNT_NUMBER: (
        "Bank account no. 12345678 at the building society.",
        "Bank account no. [bank account number] at the building society.",
    ),
}


def test_every_kind_of_personal_data_the_redaction_finds_has_a_case_below() -> None:
    assert set(PERSONAL_DATA) == set(redaction.PLACEHOLDERS)


@pytest.mark.parametrize("kind", sorted(PERSONAL_DATA))
def test_redact_opens_with_the_suggested_redaction_of_the_personal_data_the_flag_found(
    client: Client, why: Question, kind: str
) -> None:
    text, suggested = PERSONAL_DATA[kind]
    response = make_response(why.consultation, {why: text})
    tasks.process_response.delay(response.pk)
    flag = Flag.objects.get(answer__response=response, reason=Flag.Reason.PERSONAL_DATA)
    placeholder = redaction.PLACEHOLDERS[kind]
    assert flag.detail == f"Personal data: {placeholder.strip('[]')}."
    sign_in(client, why.consultation, "moderator")

    page = client.get(reverse("workspace_flag", args=[why.consultation.slug, flag.pk]))
    assert page.context["forms"]["redact"]["text"].value() == suggested
    html = page.content.decode()
    assert f">{suggested}</textarea>" in html
    assert f"already replaced with <strong>{placeholder}</strong>." in html
    assert text in html  # the answer as sent is still shown above, to compare


def test_the_suggested_redaction_is_sent_as_it_stands_or_as_the_moderator_edits_it(
    client: Client, why: Question
) -> None:
    text = "Ring 07700 900123 or write to jo.marsh.demo@example.com, says Jo from next door."
    response = make_response(why.consultation, {why: text})
    tasks.process_response.delay(response.pk)
    answer = response.answers.get(question=why)
    flag = answer.flags.get(reason=Flag.Reason.PERSONAL_DATA)
    sign_in(client, why.consultation, "moderator")
    address = reverse("workspace_flag", args=[why.consultation.slug, flag.pk])
    page = client.get(address)
    suggested = page.context["forms"]["redact"]["text"].value()
    assert suggested == "Ring [phone number] or write to [email address], says Jo from next door."
    assert "already replaced with <strong>[phone number]</strong> and <strong>[email address]</strong>." in (
        page.content.decode()
    )

    # The moderator removes a name the redaction does not look for in running text.
    edited = suggested.replace("Jo from next door", "[name] from next door")
    response = client.post(address, {"decision": "redact", "redact-text": edited, "redact-reason": "Contact details."})
    assert response.status_code == 302
    answer.refresh_from_db()
    assert (answer.text, answer.redacted_text, answer.has_personal_data) == (edited, edited, False)
    assert RedactedOriginal.objects.get(answer=answer).original_text == text


def test_redact_opens_with_the_answer_as_it_stands_when_no_personal_data_is_found(
    client: Client, why: Question
) -> None:
    answer, flags = flagged_answer(why, "You idiots never listen to anyone.", Flag.Reason.ABUSE)
    sign_in(client, why.consultation, "moderator")
    page = client.get(reverse("workspace_flag", args=[why.consultation.slug, flags[0].pk]))
    assert page.context["forms"]["redact"]["text"].value() == answer.text
    assert page.context["suggestion"] is None
    assert "suggested redaction" not in page.content.decode()

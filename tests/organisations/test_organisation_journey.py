"""Responding on behalf of an organisation, registered here or named on the about-you page: the
questions about a person (equality monitoring) are not asked after sending, and the publication
question is worded for an organisation. A person's journey is unchanged."""

from __future__ import annotations

import html

import pytest
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse

from consult.models import Answer, Consultation, EqualityInformation, Option, Organisation, OrganisationMember, User
from tests.factories import make_consultation, make_user
from tests.journey import answer_required, start, token_from

pytestmark = pytest.mark.django_db

PERSON_YES = "Yes, publish my answers without my name"
ORGANISATION_YES = "Yes, publish the organisation's answers without its name"
EQUALITY_HEADING = "Questions about you"


@pytest.fixture
def consultation() -> Consultation:
    return make_consultation()


@pytest.fixture
def admin() -> User:
    organisation = Organisation.objects.create(
        name="Testshire Disability Forum", represents="Disabled people in Testshire.", how_views_gathered="A survey."
    )
    user = make_user("admin@forum.example")
    OrganisationMember.objects.create(organisation=organisation, user=user, role="admin")
    return user


def _text(page: HttpResponse) -> str:
    """The page's HTML with its character references read, as a person sees the words."""
    return html.unescape(page.content.decode())


def _signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _start_for_the_organisation(client: Client, admin: User, consultation: Consultation) -> str:
    organisation = admin.organisation_members.get().organisation
    started = client.post(
        reverse("start_organisation_response", args=[organisation.pk]), {"consultation": consultation.pk}
    )
    return token_from(started["Location"])


def _answer_the_required_questions(client: Client, consultation: Consultation, token: str) -> None:
    questions = {q.position: q for q in consultation.questions.all()}
    client.post(reverse("answer_question", args=[token, questions[1].pk]), {"answer": 2, "version": ""})
    client.post(reverse("answer_question", args=[token, questions[2].pk]), {"answer": "Our members", "version": ""})
    option = questions[3].options.first()
    client.post(reverse("answer_question", args=[token, questions[3].pk]), {"answer": option.pk, "version": ""})


def _about_an_unregistered_organisation(client: Client, token: str, publish: str = "yes") -> object:
    return client.post(
        reverse("about_you", args=[token]),
        {
            "respondent_type": "organisation",
            "organisation_name": "Testshire Tenants",
            "email": "",
            "is_publication_consented": publish,
        },
    )


# --- Equality questions ---------------------------------------------------------------------


def test_a_person_is_asked_the_equality_questions_after_sending(client: Client, consultation: Consultation) -> None:
    token = start(client, consultation)
    answer_required(client, consultation, token)
    sent = client.post(reverse("check_answers", args=[token]), follow=True)
    assert sent.redirect_chain[-1][0] == reverse("equality_information", args=[token])
    assert EQUALITY_HEADING in sent.content.decode()


def test_a_registered_organisation_goes_from_sending_to_the_confirmation(
    admin: User, consultation: Consultation
) -> None:
    client = _signed_in(admin)
    token = _start_for_the_organisation(client, admin, consultation)
    client.post(
        reverse("organisation_consent", args=[token]),
        {"may_name_organisation": "yes", "is_publication_consented": "no"},
    )
    _answer_the_required_questions(client, consultation, token)
    sent = client.post(reverse("check_answers", args=[token]))
    assert sent["Location"] == reverse("confirmation", args=[token])
    assert client.get(reverse("equality_information", args=[token]))["Location"] == reverse(
        "confirmation", args=[token]
    )


def test_someone_answering_for_an_unregistered_organisation_is_not_asked_about_themselves(
    client: Client, consultation: Consultation
) -> None:
    token = start(client, consultation)
    answer_required(client, consultation, token)
    _about_an_unregistered_organisation(client, token)
    sent = client.post(reverse("check_answers", args=[token]), follow=True)
    assert sent.redirect_chain[-1][0] == reverse("confirmation", args=[token])
    page = sent.content.decode()
    assert EQUALITY_HEADING not in page and "Response sent" in page
    # Posting the equality form by hand stores nothing either.
    posted = client.post(reverse("equality_information", args=[token]), {"age_band": "25_34"})
    assert posted["Location"] == reverse("confirmation", args=[token])
    assert not EqualityInformation.objects.exists()


# --- The publication question ---------------------------------------------------------------


def test_a_person_is_asked_to_publish_my_answers_without_my_name(client: Client, consultation: Consultation) -> None:
    token = start(client, consultation)
    page = _text(client.get(reverse("about_you", args=[token])))
    assert PERSON_YES in page and ORGANISATION_YES not in page
    answer_required(client, consultation, token, publish="yes")
    check = _text(client.get(reverse("check_answers", args=[token])))
    assert PERSON_YES in check and ORGANISATION_YES not in check


def test_a_registered_organisation_is_asked_in_words_for_an_organisation(
    admin: User, consultation: Consultation
) -> None:
    client = _signed_in(admin)
    token = _start_for_the_organisation(client, admin, consultation)
    page = _text(client.get(reverse("organisation_consent", args=[token])))
    assert ORGANISATION_YES in page and PERSON_YES not in page
    assert "We publish them as an organisation's response, without the organisation's name" in page
    client.post(
        reverse("organisation_consent", args=[token]),
        {"may_name_organisation": "no", "is_publication_consented": "yes"},
    )
    check = _text(client.get(reverse("check_answers", args=[token])))
    assert ORGANISATION_YES in check and PERSON_YES not in check


def test_an_unregistered_organisation_is_worded_for_once_the_page_knows_it(
    client: Client, consultation: Consultation
) -> None:
    token = start(client, consultation)
    # Sent back with an error: the page now knows it is answering for an organisation.
    refused = _text(
        client.post(
            reverse("about_you", args=[token]),
            {"respondent_type": "organisation", "organisation_name": "", "is_publication_consented": "yes"},
        )
    )
    assert "Enter the name of the organisation" in refused
    assert ORGANISATION_YES in refused and PERSON_YES not in refused
    _about_an_unregistered_organisation(client, token)
    again = _text(client.get(reverse("about_you", args=[token]) + "?change=1"))
    assert ORGANISATION_YES in again and PERSON_YES not in again
    check = _text(client.get(reverse("check_answers", args=[token])))
    assert ORGANISATION_YES in check and PERSON_YES not in check


# --- The exclusive option ---------------------------------------------------------------------


def test_an_organisations_shared_draft_refuses_nothing_worries_me_with_a_worry(
    admin: User, consultation: Consultation
) -> None:
    """An organisation's draft saves on the full path, which checks the same form."""
    worries = consultation.questions.get(position=4)
    nothing = Option.objects.create(question=worries, position=4, label="Nothing worries me", is_exclusive=True)
    client = _signed_in(admin)
    token = _start_for_the_organisation(client, admin, consultation)
    privacy = worries.options.get(label="Privacy")
    page = client.post(
        reverse("answer_question", args=[token, worries.pk]), {"answer": [privacy.pk, nothing.pk], "version": ""}
    )
    assert page.status_code == 200
    assert "Select “Nothing worries me”, or select the answers that apply" in page.content.decode()
    assert not Answer.objects.filter(question=worries).exists()
    saved = client.post(reverse("answer_question", args=[token, worries.pk]), {"answer": [nothing.pk], "version": ""})
    assert saved.status_code == 302
    assert [o.label for o in Answer.objects.get(question=worries).options.all()] == ["Nothing worries me"]

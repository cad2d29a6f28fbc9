"""An organisation's response: its members share one draft, nobody overwrites another's answer
unseen, only an admin signs it off and sends it, and it is labelled as an organisation's response
in the workspace, the exports and the published outcome."""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.test import Client
from django.urls import reverse

from consult.models import Agreement, Consultation, Organisation, OrganisationMember, Question, Response, User
from tests.factories import make_consultation, make_official, make_response, make_user
from tests.journey import token_from

pytestmark = pytest.mark.django_db


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def organisation() -> Organisation:
    organisation = Organisation.objects.create(
        name="Testshire Disability Forum", represents="Disabled people in Testshire.", how_views_gathered="A survey."
    )
    return organisation


@pytest.fixture
def admin(organisation: Organisation) -> User:
    user = make_user("admin@forum.example")
    OrganisationMember.objects.create(organisation=organisation, user=user, role="admin")
    return user


@pytest.fixture
def member(organisation: Organisation) -> User:
    user = make_user("volunteer@forum.example")
    OrganisationMember.objects.create(organisation=organisation, user=user, role="member")
    return user


@pytest.fixture
def consultation() -> Consultation:
    return make_consultation()


def _questions(consultation: Consultation) -> dict[int, Question]:
    return {q.position: q for q in consultation.questions.all()}


def _start(client: Client, organisation: Organisation, consultation: Consultation) -> str:
    response = client.post(
        reverse("start_organisation_response", args=[organisation.pk]), {"consultation": consultation.pk}
    )
    assert response.status_code == 302, response.content.decode()
    return token_from(response["Location"])


def _about(client: Client, token: str, may_name: str = "yes", publish: str = "no") -> object:
    return client.post(
        reverse("organisation_consent", args=[token]),
        {"may_name_organisation": may_name, "is_publication_consented": publish},
    )


def _version_on(page: str) -> str:
    return re.search(r'name="version" value="([^"]*)"', page).group(1)


def _answer_everything(client: Client, consultation: Consultation, token: str) -> None:
    questions = _questions(consultation)
    client.post(
        reverse("answer_question", args=[token, questions[1].pk]), {"answer": Agreement.DISAGREE, "version": ""}
    )
    client.post(reverse("answer_question", args=[token, questions[2].pk]), {"answer": "Our members", "version": ""})
    option = questions[3].options.first()
    client.post(reverse("answer_question", args=[token, questions[3].pk]), {"answer": option.pk, "version": ""})


# --- One shared draft -------------------------------------------------------------------------


def test_members_share_one_draft_per_consultation(
    organisation: Organisation, admin: User, member: User, consultation: Consultation
) -> None:
    token = _start(_client(member), organisation, consultation)
    assert _start(_client(admin), organisation, consultation) == token
    response = Response.objects.get()
    assert (response.organisation, response.respondent_type, response.user) == (organisation, "organisation", None)
    assert response.organisation_name == organisation.name
    # Each member reaches it from the organisation's page.
    page = _client(admin).get(reverse("organisation_detail", args=[organisation.pk])).content.decode()
    assert reverse("check_answers", args=[token]) in page
    # It is not in the starter's own responses.
    assert response.reference not in _client(member).get(reverse("your_responses")).content.decode()


def test_the_first_step_asks_whether_the_organisation_may_be_named(
    organisation: Organisation, member: User, consultation: Consultation
) -> None:
    client = _client(member)
    token = _start(client, organisation, consultation)
    refused = _about(client, token, may_name="")
    assert "Select yes if we may name your organisation" in refused.content.decode()
    moved_on = _about(client, token, may_name="yes", publish="yes")
    first = _questions(consultation)[1]
    assert moved_on["Location"] == reverse("answer_question", args=[token, first.pk])
    response = Response.objects.get()
    assert response.may_name_organisation is True and response.is_publication_consented is True
    # The individual's about-you page leads an organisation's response back to its own step.
    assert client.get(reverse("about_you", args=[token]))["Location"].startswith(
        reverse("organisation_consent", args=[token])
    )


def test_only_signed_in_members_open_the_organisations_draft(
    organisation: Organisation, member: User, consultation: Consultation
) -> None:
    token = _start(_client(member), organisation, consultation)
    question = _questions(consultation)[2]
    address = reverse("answer_question", args=[token, question.pk])
    assert Client().get(address)["Location"].startswith(reverse("account_login"))
    assert _client(make_user()).get(address).status_code == 404
    assert _client(make_user()).get(reverse("check_answers", args=[token])).status_code == 404
    assert _client(member).get(address).status_code == 200


def test_a_removed_member_can_no_longer_open_the_draft(
    organisation: Organisation, admin: User, member: User, consultation: Consultation
) -> None:
    token = _start(_client(member), organisation, consultation)
    membership = OrganisationMember.objects.get(user=member)
    _client(admin).post(reverse("remove_member", args=[organisation.pk, membership.pk]))
    assert _client(member).get(reverse("check_answers", args=[token])).status_code == 404
    assert _client(member).get(reverse("response_detail", args=[token])).status_code == 404


# --- Nobody overwrites another's work ---------------------------------------------------------


def test_a_second_save_of_the_same_answer_shows_the_conflict_and_loses_nothing(
    organisation: Organisation, admin: User, member: User, consultation: Consultation
) -> None:
    first, second = _client(admin), _client(member)
    token = _start(first, organisation, consultation)
    question = _questions(consultation)[2]
    address = reverse("answer_question", args=[token, question.pk])
    # Both open the page before either saves.
    version_first = _version_on(first.get(address).content.decode())
    version_second = _version_on(second.get(address).content.decode())
    assert version_first == version_second == ""

    saved = first.post(address, {"answer": "The admin's careful wording.", "version": version_first})
    assert saved.status_code == 302
    clash = second.post(address, {"answer": "The volunteer's draft paragraph.", "version": version_second})
    page = clash.content.decode()
    assert clash.status_code == 200
    assert "govuk-error-summary" in page
    assert "Someone else saved an answer to this question" in page
    assert "The admin&#x27;s careful wording." in page  # the other person's saved text, shown
    assert "The volunteer&#x27;s draft paragraph." in page  # what this person typed, kept in the form
    answer = Response.objects.get().answers.get(question=question)
    assert answer.text == "The admin's careful wording."

    # Saving again from the conflict page replaces it on purpose.
    again = second.post(address, {"answer": "Both, combined.", "version": _version_on(page)})
    assert again.status_code == 302
    answer.refresh_from_db()
    assert answer.text == "Both, combined."


def test_saving_different_questions_at_once_does_not_conflict(
    organisation: Organisation, admin: User, member: User, consultation: Consultation
) -> None:
    first, second = _client(admin), _client(member)
    token = _start(first, organisation, consultation)
    questions = _questions(consultation)
    why, anything = questions[2], questions[5]
    why_version = _version_on(first.get(reverse("answer_question", args=[token, why.pk])).content.decode())
    other_version = _version_on(second.get(reverse("answer_question", args=[token, anything.pk])).content.decode())
    assert first.post(reverse("answer_question", args=[token, why.pk]), {"answer": "A", "version": why_version})[
        "Location"
    ]
    assert second.post(
        reverse("answer_question", args=[token, anything.pk]), {"answer": "B", "version": other_version}
    )["Location"]
    assert set(Response.objects.get().answers.values_list("text", flat=True)) == {"A", "B"}


def test_an_individuals_answer_page_carries_no_version(consultation: Consultation) -> None:
    client = Client()
    start = client.post(reverse("start_response", args=[consultation.slug]), {"start_key": "k"})
    token = token_from(start["Location"])
    page = client.get(reverse("answer_question", args=[token, _questions(consultation)[2].pk])).content.decode()
    assert 'name="version"' not in page


# --- Sign-off ---------------------------------------------------------------------------------


def test_a_member_cannot_send_and_is_told_an_admin_must_sign_off(
    organisation: Organisation, member: User, consultation: Consultation
) -> None:
    client = _client(member)
    token = _start(client, organisation, consultation)
    _about(client, token)
    _answer_everything(client, consultation, token)
    check = client.get(reverse("check_answers", args=[token])).content.decode()
    assert "must sign off this response" in check
    assert "Accept and send" not in check
    refused = client.post(reverse("check_answers", args=[token]))
    assert refused.status_code == 200
    assert "Only an admin of Testshire Disability Forum can sign off" in refused.content.decode()
    assert Response.objects.get().is_draft


def test_an_admin_signs_off_and_sends_and_is_recorded(
    organisation: Organisation,
    admin: User,
    member: User,
    consultation: Consultation,
    django_capture_on_commit_callbacks,
) -> None:
    from django.core import mail

    token = _start(_client(member), organisation, consultation)
    _about(_client(member), token)
    _answer_everything(_client(member), consultation, token)
    client = _client(admin)
    assert "Accept and send" in client.get(reverse("check_answers", args=[token])).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(reverse("check_answers", args=[token]))
    assert sent.status_code == 302
    response = Response.objects.get()
    assert response.is_submitted
    assert response.signed_off_by == admin
    assert [message.to for message in mail.outbox] == [[admin.email]]
    page = _client(member).get(reverse("organisation_detail", args=[organisation.pk])).content.decode()
    assert f"Signed off by {admin.email}" in page


def test_only_an_admin_withdraws_the_organisations_sent_response(
    organisation: Organisation, admin: User, member: User, consultation: Consultation
) -> None:
    token = _start(_client(member), organisation, consultation)
    _about(_client(member), token)
    _answer_everything(_client(member), consultation, token)
    _client(admin).post(reverse("check_answers", args=[token]))
    assert Response.objects.get().is_submitted
    address = reverse("withdraw", args=[token])
    # A member is not offered the button, and posting anyway is refused.
    assert address not in _client(member).get(reverse("response_detail", args=[token])).content.decode()
    assert address in _client(admin).get(reverse("response_detail", args=[token])).content.decode()
    assert _client(member).post(address, {"confirm": "yes"}).status_code == 403
    assert Response.objects.get().is_submitted
    assert _client(admin).post(address, {"confirm": "yes"}).status_code == 302
    assert Response.objects.get().is_withdrawn


# --- Labels in the workspace and exports ------------------------------------------------------


def _sent_organisation_response(consultation: Consultation, organisation: Organisation) -> Response:
    why = _questions(consultation)[2]
    response = make_response(
        consultation,
        {why: "On behalf of our members."},
        respondent_type="organisation",
        organisation_name=organisation.name,
    )
    Response.objects.filter(pk=response.pk).update(organisation=organisation)
    return response


def test_the_drill_down_and_response_page_label_verified_organisations(
    organisation: Organisation, consultation: Consultation
) -> None:
    Organisation.objects.filter(pk=organisation.pk).update(status="verified")
    response = _sent_organisation_response(consultation, organisation)
    make_response(consultation, {_questions(consultation)[2]: "Just me."})
    client = _client(make_official(consultation.department, role="analyst"))
    listing = client.get(reverse("workspace_responses", args=[consultation.slug])).content.decode()
    assert "On behalf of Testshire Disability Forum" in listing
    assert listing.count("Verified organisation") == 1
    detail = client.get(reverse("workspace_response", args=[consultation.slug, response.reference])).content.decode()
    assert "Verified organisation" in detail
    dashboard = client.get(reverse("workspace_analysis", args=[consultation.slug])).content.decode()
    assert "Organisations' responses by verification" in dashboard


def test_an_unverified_organisation_carries_no_badge(organisation: Organisation, consultation: Consultation) -> None:
    response = _sent_organisation_response(consultation, organisation)
    client = _client(make_official(consultation.department, role="analyst"))
    detail = client.get(reverse("workspace_response", args=[consultation.slug, response.reference])).content.decode()
    assert "On behalf of Testshire Disability Forum" in detail
    assert "Verified organisation" not in detail


def test_the_export_has_the_organisation_columns_after_the_existing_ones(
    organisation: Organisation, consultation: Consultation
) -> None:
    Organisation.objects.filter(pk=organisation.pk).update(status="verified")
    response = _sent_organisation_response(consultation, organisation)
    individual = make_response(consultation, {})
    client = _client(make_official(consultation.department, role="analyst"))
    export = client.get(reverse("workspace_export_csv", args=[consultation.slug]))
    rows = list(csv.DictReader(io.StringIO(b"".join(export.streaming_content).decode("utf-8-sig"))))
    header = list(rows[0])
    assert header[:7] == [
        "reference",
        "external_id",
        "status",
        "submitted_at",
        "withdrawn_at",
        "respondent_type",
        "organisation",
    ]
    assert header.index("organisation_id") > header.index("Q5 visibility")
    by_reference = {row["reference"]: row for row in rows}
    assert by_reference[response.reference]["organisation_id"] == str(organisation.pk)
    assert by_reference[response.reference]["organisation_verified"] == "yes"
    assert by_reference[response.reference]["organisation"] == organisation.name
    assert by_reference[individual.reference]["organisation_id"] == ""
    assert by_reference[individual.reference]["organisation_verified"] == ""

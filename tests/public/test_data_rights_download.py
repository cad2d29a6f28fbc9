"""A signed-in person downloads everything held about them as a JSON file, and nothing about anyone
else: no secrets, no other people's responses, no moderators' notes."""

import json

import pytest
from allauth.mfa.models import Authenticator
from django.urls import reverse

from consult.models import (
    Agreement,
    EqualityInformation,
    FalseSubmissionReport,
    Flag,
    Follow,
    NotificationPreference,
    Organisation,
    OrganisationInvitation,
    OrganisationMember,
    OutcomeReceipt,
    RedactedOriginal,
    Response,
)
from tests.factories import TEST_TOTP_SECRET, add_two_factor, make_consultation, make_user
from tests.journey import answer_required, send, start

pytestmark = pytest.mark.django_db


def download(client) -> dict:
    page = client.get(reverse("download_your_data"))
    assert page.status_code == 200
    assert page["Content-Type"].startswith("application/json")
    assert page["Content-Disposition"].startswith('attachment; filename="your-data-')
    assert "no-store" in page["Cache-Control"] or "no-cache" in page["Cache-Control"]
    return json.loads(page.content)


def test_the_download_needs_the_person_to_be_signed_in(client):
    page = client.get(reverse("download_your_data"))
    assert page.status_code == 302
    assert page["Location"].startswith(reverse("account_login"))


def test_the_download_holds_the_account_and_every_response_with_answers_and_equality_information(client):
    user = make_user("holder@example.com", first_name="Ada", last_name="Lovelace")
    add_two_factor(user)
    client.force_login(user)
    consultation = make_consultation(title="Using AI to answer benefit enquiries")
    q = {question.position: question for question in consultation.questions.all()}
    token = start(client, consultation, start_key="sent")
    answer_required(client, consultation, token, why="People need a person to talk to.")
    client.post(reverse("answer_question", args=[token, q[4].pk]), {"answer": [q[4].options.get(label="Privacy").pk]})
    send(client, token)
    client.post(
        reverse("equality_information", args=[token]),
        {"age_band": "35_44", "region": "wales", "disability": "no", "ethnicity": "prefer_not"},
    )
    sent = Response.objects.get(user=user)
    OutcomeReceipt.objects.create(response=sent, themes={str(q[2].pk): ["Keep a person on the phone"]})
    draft_consultation = make_consultation(title="Using AI to triage casework")
    start(client, draft_consultation, start_key="draft")

    data = download(client)

    account = data["account"]
    assert account["email"] == "holder@example.com"
    assert (account["first_name"], account["last_name"]) == ("Ada", "Lovelace")
    assert account["date_joined"] and "last_login" in account
    assert account["has_two_factor_authentication"] is True
    assert account["email_addresses"] == [{"email": "holder@example.com", "is_verified": True, "is_primary": True}]
    by_title = {response["consultation"]: response for response in data["responses"]}
    assert set(by_title) == {"Using AI to answer benefit enquiries", "Using AI to triage casework"}
    assert by_title["Using AI to triage casework"]["status"] == "draft"

    mine = by_title["Using AI to answer benefit enquiries"]
    assert mine["reference"] == sent.reference
    assert mine["status"] == "submitted"
    assert mine["respondent_type"] == "individual"
    assert mine["sent_at"] and mine["started_at"] and mine["withdrawn_at"] is None
    assert mine["response_url"].startswith("http") and "/respond/" in mine["response_url"]
    answers = {answer["question"]: answer for answer in mine["answers"]}
    assert answers[q[1].text]["agreement"] == Agreement.DISAGREE.label
    assert answers[q[2].text]["text"] == "People need a person to talk to."
    assert answers[q[3].text]["options"] == ["By phone"]
    assert answers[q[4].text]["options"] == ["Privacy"]
    assert mine["equality_information"]["age"] == "35 to 44"
    assert mine["equality_information"]["region"] == "Wales"
    assert mine["published_themes_by_question"] == {str(q[2].pk): ["Keep a person on the phone"]}


def test_the_download_never_holds_secrets_other_peoples_data_or_moderators_notes(client):
    user = make_user("holder@example.com")
    add_two_factor(user)
    consultation = make_consultation()
    q = {question.position: question for question in consultation.questions.all()}
    client.force_login(user)
    token = start(client, consultation)
    answer_required(client, consultation, token, why="Ring me on 07700 900123 about it.")
    send(client, token)
    mine = Response.objects.get(user=user).answers.get(question=q[2])
    RedactedOriginal.objects.create(
        answer=mine, original_text=mine.text, reason="MODERATOR NOTE: a phone number about this person"
    )
    mine.text = "Ring me on [phone number] about it."
    mine.save()
    Flag.objects.create(answer=mine, reason=Flag.Reason.PERSONAL_DATA, detail="FLAG DETAIL about this person")

    # Someone else, who typed the same email address into an anonymous response.
    other = Response.objects.create(
        consultation=consultation, start_key="other", status="submitted", email="holder@example.com"
    )
    other.answers.create(question=q[2], text="SOMEONE ELSE'S WORDS")
    EqualityInformation.objects.create(response=other, age_band="75_over")
    someone = make_user("someone@example.com")
    Response.objects.create(consultation=consultation, start_key="someone", user=someone, status="submitted")

    data = download(client)
    text = json.dumps(data)
    assert len(data["responses"]) == 1
    answer = next(a for a in data["responses"][0]["answers"] if a["question"] == q[2].text)
    assert answer["text"] == "Ring me on [phone number] about it."
    # The person's own words, which a moderator redacted, are theirs to see; the moderator's note is not.
    assert answer["original_text_before_a_moderator_redacted_it"] == "Ring me on 07700 900123 about it."
    for absent in (
        "MODERATOR NOTE",
        "FLAG DETAIL",
        "SOMEONE ELSE'S WORDS",
        "75 or over",
        "someone@example.com",
        other.reference,
        user.password,
        TEST_TOTP_SECRET,
    ):
        assert absent not in text, absent
    secrets = [v for a in Authenticator.objects.filter(user=user) for v in a.data.values() if isinstance(v, str)]
    assert secrets and not any(secret in text for secret in secrets if len(secret) >= 8)


def test_the_download_holds_the_persons_organisations_follows_and_notification_preferences(client):
    user = make_user("member@example.com")
    someone = make_user("someone@example.com")
    consultation = make_consultation(title="Using AI to answer benefit enquiries")
    organisation = Organisation.objects.create(
        name="Citizens Advice Testshire", represents="People in Testshire", how_views_gathered="A survey"
    )
    OrganisationMember.objects.create(organisation=organisation, user=user, role=OrganisationMember.Role.ADMIN)
    OrganisationMember.objects.create(organisation=organisation, user=someone)
    invited_elsewhere = Organisation.objects.create(
        name="Age Concern Testshire", represents="x", how_views_gathered="y"
    )
    OrganisationInvitation.objects.create(
        organisation=invited_elsewhere, email="member@example.com", invited_by=someone
    )
    OrganisationInvitation.objects.create(organisation=invited_elsewhere, email="someone@example.com")
    Follow.objects.create(user=user, consultation=consultation)
    Follow.objects.create(user=user, department=consultation.department)
    Follow.objects.create(user=someone, consultation=make_consultation(title="SOMEONE ELSE'S FOLLOW"))
    NotificationPreference.objects.create(user=user, notify_closing=False, frequency="daily")
    FalseSubmissionReport.objects.create(
        consultation=consultation, email="someone@example.com", what_happened="SOMEONE ELSE'S REPORT"
    )
    client.force_login(user)

    data = download(client)

    [membership] = data["organisations"]["memberships"]
    assert membership["organisation"] == "Citizens Advice Testshire"
    assert membership["role"] == "admin"
    [invitation] = data["organisations"]["invitations_to_you"]
    assert (invitation["organisation"], invitation["email"]) == ("Age Concern Testshire", "member@example.com")
    follows = data["following"]["follows"]
    assert {(f["consultation"], f["department"]) for f in follows} == {
        ("Using AI to answer benefit enquiries", None),
        (None, consultation.department.name),
    }
    preferences = data["following"]["notification_preferences"]
    assert preferences["seven_days_before_it_closes"] is False and preferences["frequency"] == "daily"
    text = json.dumps(data)
    for absent in ("someone@example.com", "SOMEONE ELSE'S FOLLOW", "SOMEONE ELSE'S REPORT"):
        assert absent not in text, absent

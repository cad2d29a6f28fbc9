"""Officials run consultations in the workspace: the questions' order and their lock once people
have answered, previewing as a respondent, and sharing with officials of other departments."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from consult.models import AuditEvent, ConsultationShare, Option, Question, Response
from tests.factories import make_consultation, make_department, make_official, make_response, make_user
from tests.workspace_forms import details_form, error_summary, lead_of, positions, question_form

pytestmark = pytest.mark.django_db


# --- Questions: order and the lock ------------------------------------------------------------


def test_questions_move_up_and_down_and_keep_their_positions_unique(client: Client) -> None:
    consultation = make_consultation(phase="draft")
    lead_of(client, consultation)
    before = positions(consultation)
    third = consultation.questions.get(position=3)
    move = reverse("workspace_question_move", args=[consultation.slug, third.pk])
    client.post(move, {"direction": "up"})
    client.post(move, {"direction": "up"})
    assert positions(consultation) == [before[2], before[0], before[1], before[3], before[4]]
    client.post(move, {"direction": "up"})  # already first: nothing happens
    client.post(move, {"direction": "down"})
    assert positions(consultation) == [before[0], before[2], before[1], before[3], before[4]]
    assert sorted(consultation.questions.values_list("position", flat=True)) == [1, 2, 3, 4, 5]
    event = AuditEvent.objects.filter(consultation=consultation, action="question.move").first()
    assert event.before == {"position": 1} and event.after == {"position": 2}


def test_deleting_a_question_closes_the_gap(client: Client) -> None:
    consultation = make_consultation(phase="draft")
    lead_of(client, consultation)
    second = consultation.questions.get(position=2)
    delete = reverse("workspace_question_delete", args=[consultation.slug, second.pk])
    assert "Delete question 2?" in client.get(delete).content.decode()
    client.post(delete)
    assert not Question.objects.filter(pk=second.pk).exists()
    assert sorted(consultation.questions.values_list("position", flat=True)) == [1, 2, 3, 4]
    event = AuditEvent.objects.get(consultation=consultation, action="question.delete")
    assert event.before["text"] == "Why do you say that?"


def test_once_people_have_answered_questions_keep_their_shape_but_wording_can_be_fixed(client: Client) -> None:
    consultation = make_consultation(phase="open")
    channel = consultation.questions.get(position=3)
    make_response(consultation, {channel: ["Online"]})
    lead_of(client, consultation)

    listing = client.get(reverse("workspace_questions", args=[consultation.slug])).content.decode()
    assert "People have already sent responses, so questions cannot be deleted" in listing

    delete = reverse("workspace_question_delete", args=[consultation.slug, channel.pk])
    refused = client.post(delete)
    assert error_summary(refused) == ["People have already answered, so questions can no longer be deleted"]
    assert Question.objects.filter(pk=channel.pk).exists()

    edit = reverse("workspace_question_edit", args=[consultation.slug, channel.pk])
    # The kind and the options are locked: what is sent for them is ignored, the wording is saved.
    client.post(edit, question_form(text="How do you usually contact us today?", kind="free_text", options="A\nB"))
    channel.refresh_from_db()
    assert channel.text == "How do you usually contact us today?"
    assert channel.kind == "single_choice"
    assert [o.label for o in channel.options.all()] == ["By phone", "Online", "In person"]
    assert Option.objects.get(label="Online").answers.count() == 1

    why = consultation.questions.get(position=2)
    edit_why = reverse("workspace_question_edit", args=[consultation.slug, why.pk])
    shorter = client.post(edit_why, question_form(text=why.text, kind="free_text", options="", max_length=100))
    assert error_summary(shorter) == ["People have already answered, so the most characters can only go up"]


def test_an_analyst_sees_the_questions_but_cannot_change_them(client: Client) -> None:
    consultation = make_consultation(phase="draft")
    client.force_login(make_official(consultation.department, role="analyst"))
    listing = client.get(reverse("workspace_questions", args=[consultation.slug]))
    assert listing.status_code == 200
    assert "Add a question" not in listing.content.decode()
    question = consultation.questions.first()
    edit = reverse("workspace_question_edit", args=[consultation.slug, question.pk])
    assert client.get(edit).status_code == 403
    assert client.post(edit, question_form(text="Changed")).status_code == 403
    details = reverse("workspace_consultation_edit", args=[consultation.slug])
    assert client.post(details, details_form(title="Changed")).status_code == 403
    question.refresh_from_db()
    assert question.text != "Changed"
    assert not AuditEvent.objects.exists()


# --- Preview ----------------------------------------------------------------------------------


def test_previewing_a_draft_shows_the_respondent_pages_and_creates_no_response(client: Client) -> None:
    consultation = make_consultation(phase="draft")
    client.force_login(make_official(consultation.department, role="analyst"))
    page = client.get(reverse("workspace_preview", args=[consultation.slug]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Preview" in html and "Benefit enquiry assistant" in html
    assert reverse("start_response", args=[consultation.slug]) not in html

    first, second = consultation.questions.order_by("position")[:2]
    address = reverse("workspace_preview_question", args=[consultation.slug, first.pk])
    question_page = client.get(address).content.decode()
    assert "Question 1 of 5" in question_page and "Nothing you enter is saved" in question_page
    assert error_summary(client.post(address, {})) == ["Select how much you agree or disagree"]
    moved_on = client.post(address, {"answer": "4"})
    assert moved_on["Location"] == reverse("workspace_preview_question", args=[consultation.slug, second.pk])
    assert not Response.objects.exists()


# --- Sharing ----------------------------------------------------------------------------------


def test_sharing_shows_the_consultation_to_an_official_of_another_department_until_removed() -> None:
    consultation = make_consultation(phase="draft", title="Shared housing consultation")
    lead, guest = Client(), Client()
    lead.force_login(make_official(consultation.department, role="lead"))
    outsider = make_official(make_department("Cabinet Office"), role="analyst", email="guest@example.gov.uk")
    guest.force_login(outsider)
    overview = reverse("workspace_consultation", args=[consultation.slug])
    assert guest.get(overview).status_code == 404

    sharing = reverse("workspace_sharing", args=[consultation.slug])
    added = lead.post(sharing, {"email": "GUEST@example.gov.uk", "role": "analyst"})
    assert added.status_code == 302
    assert "Shared housing consultation" in guest.get(reverse("workspace_home")).content.decode()
    assert guest.get(overview).status_code == 200
    assert guest.get(reverse("workspace_consultation_edit", args=[consultation.slug])).status_code == 403

    share = ConsultationShare.objects.get()
    assert "guest@example.gov.uk" in lead.get(sharing).content.decode()
    lead.post(sharing, {"remove": share.pk})
    assert not ConsultationShare.objects.exists()
    assert guest.get(overview).status_code == 404
    actions = list(AuditEvent.objects.filter(consultation=consultation).values_list("action", flat=True))
    assert sorted(actions) == ["share.create", "share.remove"]


def test_sharing_refuses_people_who_are_not_officials_or_already_see_it(client: Client) -> None:
    consultation = make_consultation(phase="draft")
    colleague = make_official(consultation.department, role="analyst")
    lead_of(client, consultation)
    make_user("citizen@example.com")
    sharing = reverse("workspace_sharing", args=[consultation.slug])
    assert error_summary(client.post(sharing, {"email": "citizen@example.com", "role": "analyst"})) == [
        "There is no official with this email address: they must have an official account"
    ]
    assert error_summary(client.post(sharing, {"email": colleague.email, "role": "lead"})) == [
        "This official is in the department running the consultation: they already see it"
    ]
    assert error_summary(client.post(sharing, {})) == [
        "Enter the email address of the official",
        "Select what they may do",
    ]
    assert not ConsultationShare.objects.exists()

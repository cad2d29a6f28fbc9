"""Officials run consultations in the workspace: create and edit them, the AI tool record and the
questions; schedule, preview, publish and share them. Every change lands in the audit trail."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from consult.models import (
    AuditEvent,
    Consultation,
    ConsultationShare,
    Option,
    Question,
    Response,
)
from tests.factories import (
    make_consultation,
    make_department,
    make_official,
    make_response,
    make_user,
)

pytestmark = pytest.mark.django_db

TOOL = {
    "tool_name": "Housing triage assistant",
    "description": "It sorts housing applications by urgency.",
    "purpose": "To shorten the wait for people in urgent need.",
    "decision_role": "It recommends an order; an officer decides.",
    "human_oversight": "Officers check every recommendation.",
    "how_to_challenge": "Ask for a review by a senior officer.",
    "data_used": "The application form only.",
    "risks": "It could rank some groups lower.",
    "mitigations": "Monthly fairness checks.",
    "owner": "Housing Services",
    "supplier": "",
}


def _when(field: str, moment: datetime) -> dict[str, str]:
    """The date and time inputs of one schedule field, as a browser sends them (UK time)."""
    local = timezone.localtime(moment)
    return {
        f"{field}-day": str(local.day),
        f"{field}-month": str(local.month),
        f"{field}-year": str(local.year),
        f"{field}-time": local.strftime("%H:%M"),
    }


def _details(**overrides: object) -> dict[str, str]:
    now = timezone.now()
    data = {
        "title": "Using AI to triage housing applications",
        "slug": "",
        "summary": "We propose to use an AI tool to sort housing applications.",
        "contact_name": "Housing team",
        "contact_email": "housing@example.gov.uk",
        "allows_anonymous_responses": "yes",
        **_when("opens_at", now + timedelta(days=7)),
        **_when("closes_at", now + timedelta(days=60)),
    }
    data.update({key: str(value) for key, value in overrides.items()})
    return data


def _question(**overrides: object) -> dict[str, str]:
    data = {
        "text": "How do you usually apply?",
        "hint": "",
        "kind": "single_choice",
        "options": "Online\nBy post\nIn person",
        "max_length": "2500",
        "is_required": "yes",
        "explains": "none",
    }
    data.update({key: str(value) for key, value in overrides.items()})
    return data


def _error_summary(response: object) -> list[str]:
    """The messages in the page's GOV.UK error summary (empty when there is none)."""
    html = response.content.decode()
    if "govuk-error-summary" not in html:
        return []
    summary = html.split("govuk-error-summary__list", 1)[1].split("</ul>", 1)[0]
    return [re.sub(r"<[^>]+>", "", item).strip() for item in re.findall(r"<li>(.*?)</li>", summary, re.S)]


@pytest.fixture
def lead_client(client: Client) -> Client:
    department = make_department("Department for Housing")
    client.force_login(make_official(department, role="lead"))
    client.department = department  # type: ignore[attr-defined]
    return client


def _lead_of(client: Client, consultation: Consultation) -> Client:
    client.force_login(make_official(consultation.department, role="lead"))
    return client


def _positions(consultation: Consultation) -> list[str]:
    return list(consultation.questions.order_by("position").values_list("text", flat=True))


# --- Creating a consultation ------------------------------------------------------------------


def test_a_lead_creates_a_consultation_end_to_end_and_publishes_it(lead_client: Client) -> None:
    page = lead_client.get(reverse("workspace_consultation_create"))
    assert page.status_code == 200
    assert "Department for Housing" in page.content.decode()

    created = lead_client.post(reverse("workspace_consultation_create"), _details())
    consultation = Consultation.objects.get()
    assert consultation.slug == "using-ai-to-triage-housing-applications"
    assert consultation.department == lead_client.department  # type: ignore[attr-defined]
    assert not consultation.is_published
    assert created["Location"] == reverse("workspace_ai_tool_edit", args=[consultation.slug])

    tool = lead_client.post(created["Location"], TOOL)
    assert tool["Location"] == reverse("workspace_question_create", args=[consultation.slug])
    add = reverse("workspace_question_create", args=[consultation.slug])
    lead_client.post(add, _question(kind="agreement", text="Do you agree with the proposal?", options=""))
    agree = consultation.questions.get(position=1)
    lead_client.post(
        add, _question(kind="free_text", text="Why do you say that?", options="", max_length=800, explains=agree.pk)
    )
    lead_client.post(add, _question())
    questions = list(consultation.questions.order_by("position"))
    assert [q.kind for q in questions] == ["agreement", "free_text", "single_choice"]
    assert questions[1].explains == agree and questions[1].max_length == 800
    assert [o.label for o in questions[2].options.all()] == ["Online", "By post", "In person"]

    published = lead_client.post(reverse("workspace_publish", args=[consultation.slug]), {"action": "publish"})
    assert published.status_code == 302
    consultation.refresh_from_db()
    assert consultation.is_published
    public = lead_client.get(consultation.get_absolute_url())
    assert public.status_code == 200
    assert "Housing triage assistant" in public.content.decode()
    actions = set(AuditEvent.objects.filter(consultation=consultation).values_list("action", flat=True))
    assert actions == {"consultation.create", "ai_tool.create", "question.create", "consultation.publish"}


def test_a_lead_of_two_departments_chooses_the_department(client: Client) -> None:
    housing, transport = make_department("Housing"), make_department("Transport")
    lead = make_official(housing, role="lead")
    lead.memberships.create(department=transport, role="lead")
    client.force_login(lead)
    missing = client.post(reverse("workspace_consultation_create"), _details())
    assert "Select the department running this consultation" in _error_summary(missing)
    client.post(reverse("workspace_consultation_create"), _details(department=transport.pk))
    assert Consultation.objects.get().department == transport


def test_only_leads_may_create_consultations(client: Client) -> None:
    client.force_login(make_official(make_department(), role="analyst"))
    assert client.get(reverse("workspace_consultation_create")).status_code == 403
    assert client.post(reverse("workspace_consultation_create"), _details()).status_code == 403
    assert not Consultation.objects.exists()


# --- Validation -------------------------------------------------------------------------------


def test_the_details_form_lists_each_problem_in_an_error_summary(lead_client: Client) -> None:
    Consultation.objects.filter(pk=make_consultation().pk).update(slug="taken")
    data = _details(title="", slug="Not A Slug!", contact_email="not-an-email", summary="")
    data.update({"opens_at-day": "31", "opens_at-month": "2", "opens_at-year": "2027", "closes_at-time": "25:99"})
    errors = _error_summary(lead_client.post(reverse("workspace_consultation_create"), data))
    assert "Enter a title" in errors
    assert "Enter a summary" in errors
    assert "Web address must only include lowercase letters, numbers and single hyphens" in errors
    assert "Enter an email address in the correct format, like name@example.gov.uk" in errors
    assert "The opening date must be a real date" in errors
    assert "Enter the closing time in the correct format, like 9am, 5:30pm or 17:30" in errors
    taken = _error_summary(lead_client.post(reverse("workspace_consultation_create"), _details(slug="taken")))
    assert taken == ["Another consultation already uses this web address: choose a different one"]
    partial = _details()
    partial["opens_at-month"] = ""
    assert _error_summary(lead_client.post(reverse("workspace_consultation_create"), partial)) == [
        "The opening date must include a month"
    ]
    assert Consultation.objects.count() == 1


def test_the_closing_time_must_come_after_the_opening_time(lead_client: Client) -> None:
    now = timezone.now()
    data = _details()
    data.update(_when("opens_at", now + timedelta(days=10)))
    data.update(_when("closes_at", now + timedelta(days=9)))
    response = lead_client.post(reverse("workspace_consultation_create"), data)
    assert _error_summary(response) == ["The closing date and time must be after the opening date and time"]
    assert response.content.decode().startswith("<!DOCTYPE html>")
    assert "<title>Error: " in response.content.decode()


def test_the_ai_tool_form_asks_for_every_required_section(client: Client) -> None:
    consultation = make_consultation(phase="draft")
    _lead_of(client, consultation)
    errors = _error_summary(client.post(reverse("workspace_ai_tool_edit", args=[consultation.slug]), {}))
    assert "Enter the name of the tool" in errors
    assert "Enter what the tool does" in errors
    assert "Enter how the risks are reduced" in errors
    assert len(errors) == 10  # every field but the supplier


def test_the_question_form_checks_the_options(client: Client) -> None:
    consultation = make_consultation(phase="draft", with_questions=False)
    _lead_of(client, consultation)
    add = reverse("workspace_question_create", args=[consultation.slug])
    assert _error_summary(client.post(add, _question(options="Only one"))) == [
        "Enter at least two options, each on its own line"
    ]
    assert _error_summary(client.post(add, _question(options="Yes\nyes"))) == [
        "“yes” is given more than once: each option must be different"
    ]
    assert _error_summary(client.post(add, _question(options="Yes\n\nNo"))) == [
        "Option 2 is empty: remove the empty line or write the option"
    ]
    assert _error_summary(client.post(add, _question(kind="free_text", options="A\nB"))) == [
        "Only single and multiple choice questions have options: remove them"
    ]
    assert "Enter the question" in _error_summary(client.post(add, _question(text="")))
    assert not consultation.questions.exists()


def test_only_a_free_text_question_can_explain_a_closed_one(client: Client) -> None:
    consultation = make_consultation(phase="draft")
    _lead_of(client, consultation)
    agree = consultation.questions.get(position=1)
    add = reverse("workspace_question_create", args=[consultation.slug])
    response = client.post(add, _question(explains=agree.pk))
    assert _error_summary(response) == ["Only a free-text question can explain another question."]


# --- Scheduling -------------------------------------------------------------------------------


def test_the_schedule_is_read_in_uk_time_and_shown_on_the_overview(client: Client) -> None:
    consultation = make_consultation(phase="draft")
    _lead_of(client, consultation)
    data = _details(
        title=consultation.title,
        slug=consultation.slug,
        summary=consultation.summary,
        contact_name=consultation.contact_name,
        contact_email=consultation.contact_email,
    )
    data.update({"opens_at-day": "1", "opens_at-month": "7", "opens_at-year": "2027", "opens_at-time": "9am"})
    data.update({"closes_at-day": "30", "closes_at-month": "9", "closes_at-year": "2027", "closes_at-time": "5:30pm"})
    saved = client.post(reverse("workspace_consultation_edit", args=[consultation.slug]), data)
    assert saved.status_code == 302
    consultation.refresh_from_db()
    # British Summer Time: 9am in London is 8am UTC.
    assert consultation.opens_at == datetime(2027, 7, 1, 8, 0, tzinfo=UTC)
    assert consultation.closes_at == datetime(2027, 9, 30, 16, 30, tzinfo=UTC)
    overview = client.get(reverse("workspace_consultation", args=[consultation.slug])).content.decode()
    assert "9am on Thursday 1 July 2027" in overview
    # The outcome is due 12 weeks after closing (by then the clocks have gone back to GMT).
    assert "4:30pm on Thursday 23 December 2027" in overview
    event = AuditEvent.objects.get(consultation=consultation, action="consultation.update")
    assert set(event.after) == {"opens_at", "closes_at"}
    assert event.after["opens_at"] == "2027-07-01T08:00:00+00:00"


def test_saving_the_details_unchanged_records_nothing(client: Client) -> None:
    consultation = make_consultation(phase="draft")
    _lead_of(client, consultation)
    data = _details(
        title=consultation.title,
        slug=consultation.slug,
        summary=consultation.summary,
        contact_name=consultation.contact_name,
        contact_email=consultation.contact_email,
    )
    data.update(_when("opens_at", consultation.opens_at))
    data.update(_when("closes_at", consultation.closes_at))
    saved = client.post(reverse("workspace_consultation_edit", args=[consultation.slug]), data, follow=True)
    assert "Nothing changed." in saved.content.decode()
    assert not AuditEvent.objects.exists()


def test_once_a_consultation_has_opened_its_opening_time_stays(client: Client) -> None:
    consultation = make_consultation(phase="open")
    opened_at = consultation.opens_at
    _lead_of(client, consultation)
    data = _details(title=consultation.title, slug="a-new-address")
    new_close = timezone.now() + timedelta(days=90)
    data.update(_when("closes_at", new_close))
    page = client.get(reverse("workspace_consultation_edit", args=[consultation.slug])).content.decode()
    assert "The consultation has opened, so its opening time cannot change." in page
    client.post(reverse("workspace_consultation_edit", args=[consultation.slug]), data)
    consultation.refresh_from_db()
    assert consultation.opens_at == opened_at
    assert consultation.slug != "a-new-address"  # a published address does not move
    assert abs(consultation.closes_at - new_close) < timedelta(minutes=1)


# --- Publishing -------------------------------------------------------------------------------


def test_a_draft_without_a_tool_record_or_questions_cannot_be_published(client: Client) -> None:
    consultation = make_consultation(phase="draft", with_questions=False)
    consultation.ai_tool.delete()
    _lead_of(client, consultation)
    response = client.post(reverse("workspace_publish", args=[consultation.slug]), {"action": "publish"})
    assert _error_summary(response) == [
        "Add the AI tool record before you publish",
        "Add at least one question before you publish",
    ]
    consultation.refresh_from_db()
    assert not consultation.is_published


def test_a_draft_that_has_already_closed_cannot_be_published(client: Client) -> None:
    consultation = make_consultation(phase="draft")
    Consultation.objects.filter(pk=consultation.pk).update(
        opens_at=timezone.now() - timedelta(days=10), closes_at=timezone.now() - timedelta(days=1)
    )
    _lead_of(client, consultation)
    response = client.post(reverse("workspace_publish", args=[consultation.slug]), {"action": "publish"})
    assert _error_summary(response) == [
        "The closing date has passed: set a closing date in the future before you publish"
    ]
    assert not Consultation.objects.get(pk=consultation.pk).is_published


def test_a_consultation_goes_back_to_draft_only_while_nobody_has_responded(client: Client) -> None:
    consultation = make_consultation(phase="upcoming")
    _lead_of(client, consultation)
    publish = reverse("workspace_publish", args=[consultation.slug])
    assert client.post(publish, {"action": "unpublish"}).status_code == 302
    assert not Consultation.objects.get(pk=consultation.pk).is_published
    assert client.post(publish, {"action": "publish"}).status_code == 302

    open_one = make_consultation(phase="open")
    make_response(open_one, {}, status=Response.Status.DRAFT)
    _lead_of(client, open_one)
    refused = client.post(reverse("workspace_publish", args=[open_one.slug]), {"action": "unpublish"})
    assert _error_summary(refused) == ["People have started responding, so the consultation cannot go back to draft"]
    assert Consultation.objects.get(pk=open_one.pk).is_published
    actions = list(AuditEvent.objects.filter(consultation=consultation).values_list("action", flat=True))
    assert sorted(actions) == ["consultation.publish", "consultation.unpublish"]


# --- Questions: order and the lock ------------------------------------------------------------


def test_questions_move_up_and_down_and_keep_their_positions_unique(client: Client) -> None:
    consultation = make_consultation(phase="draft")
    _lead_of(client, consultation)
    before = _positions(consultation)
    third = consultation.questions.get(position=3)
    move = reverse("workspace_question_move", args=[consultation.slug, third.pk])
    client.post(move, {"direction": "up"})
    client.post(move, {"direction": "up"})
    assert _positions(consultation) == [before[2], before[0], before[1], before[3], before[4]]
    client.post(move, {"direction": "up"})  # already first: nothing happens
    client.post(move, {"direction": "down"})
    assert _positions(consultation) == [before[0], before[2], before[1], before[3], before[4]]
    assert sorted(consultation.questions.values_list("position", flat=True)) == [1, 2, 3, 4, 5]
    event = AuditEvent.objects.filter(consultation=consultation, action="question.move").first()
    assert event.before == {"position": 1} and event.after == {"position": 2}


def test_deleting_a_question_closes_the_gap(client: Client) -> None:
    consultation = make_consultation(phase="draft")
    _lead_of(client, consultation)
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
    _lead_of(client, consultation)

    listing = client.get(reverse("workspace_questions", args=[consultation.slug])).content.decode()
    assert "People have already sent responses, so questions cannot be deleted" in listing

    delete = reverse("workspace_question_delete", args=[consultation.slug, channel.pk])
    refused = client.post(delete)
    assert _error_summary(refused) == ["People have already answered, so questions can no longer be deleted"]
    assert Question.objects.filter(pk=channel.pk).exists()

    edit = reverse("workspace_question_edit", args=[consultation.slug, channel.pk])
    # The kind and the options are locked: what is sent for them is ignored, the wording is saved.
    client.post(edit, _question(text="How do you usually contact us today?", kind="free_text", options="A\nB"))
    channel.refresh_from_db()
    assert channel.text == "How do you usually contact us today?"
    assert channel.kind == "single_choice"
    assert [o.label for o in channel.options.all()] == ["By phone", "Online", "In person"]
    assert Option.objects.get(label="Online").answers.count() == 1

    why = consultation.questions.get(position=2)
    edit_why = reverse("workspace_question_edit", args=[consultation.slug, why.pk])
    shorter = client.post(edit_why, _question(text=why.text, kind="free_text", options="", max_length=100))
    assert _error_summary(shorter) == ["People have already answered, so the most characters can only go up"]


def test_an_analyst_sees_the_questions_but_cannot_change_them(client: Client) -> None:
    consultation = make_consultation(phase="draft")
    client.force_login(make_official(consultation.department, role="analyst"))
    listing = client.get(reverse("workspace_questions", args=[consultation.slug]))
    assert listing.status_code == 200
    assert "Add a question" not in listing.content.decode()
    question = consultation.questions.first()
    edit = reverse("workspace_question_edit", args=[consultation.slug, question.pk])
    assert client.get(edit).status_code == 403
    assert client.post(edit, _question(text="Changed")).status_code == 403
    details = reverse("workspace_consultation_edit", args=[consultation.slug])
    assert client.post(details, _details(title="Changed")).status_code == 403
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
    assert _error_summary(client.post(address, {})) == ["Select how much you agree or disagree"]
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
    _lead_of(client, consultation)
    make_user("citizen@example.com")
    sharing = reverse("workspace_sharing", args=[consultation.slug])
    assert _error_summary(client.post(sharing, {"email": "citizen@example.com", "role": "analyst"})) == [
        "There is no official with this email address: they must have an official account"
    ]
    assert _error_summary(client.post(sharing, {"email": colleague.email, "role": "lead"})) == [
        "This official is in the department running the consultation: they already see it"
    ]
    assert _error_summary(client.post(sharing, {})) == [
        "Enter the email address of the official",
        "Select what they may do",
    ]
    assert not ConsultationShare.objects.exists()

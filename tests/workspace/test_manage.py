"""Officials run consultations in the workspace: create and edit them, the AI tool record and the
questions; schedule and publish them (questions' order and lock, preview and sharing: in
`test_workspace_questions_and_sharing`). Every change lands in the audit trail."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from consult.models import (
    AuditEvent,
    Consultation,
    Response,
)
from tests.factories import (
    make_consultation,
    make_department,
    make_official,
    make_response,
)
from tests.workspace_forms import TOOL, details_form, error_summary, lead_of, question_form, when

pytestmark = pytest.mark.django_db


@pytest.fixture
def lead_client(client: Client) -> Client:
    department = make_department("Department for Housing")
    client.force_login(make_official(department, role="lead"))
    client.department = department  # type: ignore[attr-defined]
    return client


# --- The AI tool record: public, so every role reads it ----------------------------------------


@pytest.mark.parametrize("role", ["analyst", "moderator", "lead"])
def test_every_role_reads_the_ai_tool_record_and_only_leads_edit_it(client: Client, role: str) -> None:
    consultation = make_consultation()
    client.force_login(make_official(consultation.department, role=role))
    address = reverse("workspace_ai_tool_edit", args=[consultation.slug])
    page = client.get(address)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Benefit enquiry assistant" in html
    assert ('<form method="post"' in html) == (role == "lead")
    overview = client.get(reverse("workspace_consultation", args=[consultation.slug])).content.decode()
    assert address in overview

    changed = client.post(address, {"tool_name": "Something else"})
    if role == "lead":
        assert changed.status_code == 200  # the form, with its errors: the rest is required
    else:
        assert changed.status_code == 403
    consultation.ai_tool.refresh_from_db()
    assert consultation.ai_tool.tool_name == "Benefit enquiry assistant"
    assert not AuditEvent.objects.filter(action__startswith="ai_tool.").exists()


# --- Creating a consultation ------------------------------------------------------------------


def test_a_lead_creates_a_consultation_end_to_end_and_publishes_it(lead_client: Client) -> None:
    page = lead_client.get(reverse("workspace_consultation_create"))
    assert page.status_code == 200
    assert "Department for Housing" in page.content.decode()

    created = lead_client.post(reverse("workspace_consultation_create"), details_form())
    consultation = Consultation.objects.get()
    assert consultation.slug == "using-ai-to-triage-housing-applications"
    assert consultation.department == lead_client.department  # type: ignore[attr-defined]
    assert not consultation.is_published
    assert created["Location"] == reverse("workspace_ai_tool_edit", args=[consultation.slug])

    tool = lead_client.post(created["Location"], TOOL)
    assert tool["Location"] == reverse("workspace_question_create", args=[consultation.slug])
    add = reverse("workspace_question_create", args=[consultation.slug])
    lead_client.post(add, question_form(kind="agreement", text="Do you agree with the proposal?", options=""))
    agree = consultation.questions.get(position=1)
    lead_client.post(
        add, question_form(kind="free_text", text="Why do you say that?", options="", max_length=800, explains=agree.pk)
    )
    lead_client.post(add, question_form())
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
    missing = client.post(reverse("workspace_consultation_create"), details_form())
    assert "Select the department running this consultation" in error_summary(missing)
    client.post(reverse("workspace_consultation_create"), details_form(department=transport.pk))
    assert Consultation.objects.get().department == transport


def test_only_leads_may_create_consultations(client: Client) -> None:
    client.force_login(make_official(make_department(), role="analyst"))
    assert client.get(reverse("workspace_consultation_create")).status_code == 403
    assert client.post(reverse("workspace_consultation_create"), details_form()).status_code == 403
    assert not Consultation.objects.exists()


# --- Validation -------------------------------------------------------------------------------


def test_the_details_form_lists_each_problem_in_an_error_summary(lead_client: Client) -> None:
    Consultation.objects.filter(pk=make_consultation().pk).update(slug="taken")
    data = details_form(title="", slug="Not A Slug!", contact_email="not-an-email", summary="")
    data.update({"opens_at-day": "31", "opens_at-month": "2", "opens_at-year": "2027", "closes_at-time": "25:99"})
    errors = error_summary(lead_client.post(reverse("workspace_consultation_create"), data))
    assert "Enter a title" in errors
    assert "Enter a summary" in errors
    assert "Web address must only include lowercase letters, numbers and single hyphens" in errors
    assert "Enter an email address in the correct format, like name@example.gov.uk" in errors
    assert "The opening date must be a real date" in errors
    assert "Enter the closing time in the correct format, like 9am, 5:30pm or 17:30" in errors
    taken = error_summary(lead_client.post(reverse("workspace_consultation_create"), details_form(slug="taken")))
    assert taken == ["Another consultation already uses this web address: choose a different one"]
    partial = details_form()
    partial["opens_at-month"] = ""
    assert error_summary(lead_client.post(reverse("workspace_consultation_create"), partial)) == [
        "The opening date must include a month"
    ]
    assert Consultation.objects.count() == 1


def test_the_closing_time_must_come_after_the_opening_time(lead_client: Client) -> None:
    now = timezone.now()
    data = details_form()
    data.update(when("opens_at", now + timedelta(days=10)))
    data.update(when("closes_at", now + timedelta(days=9)))
    response = lead_client.post(reverse("workspace_consultation_create"), data)
    assert error_summary(response) == ["The closing date and time must be after the opening date and time"]
    assert response.content.decode().startswith("<!DOCTYPE html>")
    assert "<title>Error: " in response.content.decode()


def test_the_ai_tool_form_asks_for_every_required_section(client: Client) -> None:
    consultation = make_consultation(phase="draft")
    lead_of(client, consultation)
    errors = error_summary(client.post(reverse("workspace_ai_tool_edit", args=[consultation.slug]), {}))
    assert "Enter the name of the tool" in errors
    assert "Enter what the tool does" in errors
    assert "Enter how the risks are reduced" in errors
    assert len(errors) == 10  # every field but the supplier


def test_the_question_form_checks_the_options(client: Client) -> None:
    consultation = make_consultation(phase="draft", with_questions=False)
    lead_of(client, consultation)
    add = reverse("workspace_question_create", args=[consultation.slug])
    assert error_summary(client.post(add, question_form(options="Only one"))) == [
        "Enter at least two options, each on its own line"
    ]
    assert error_summary(client.post(add, question_form(options="Yes\nyes"))) == [
        "“yes” is given more than once: each option must be different"
    ]
    assert error_summary(client.post(add, question_form(options="Yes\n\nNo"))) == [
        "Option 2 is empty: remove the empty line or write the option"
    ]
    assert error_summary(client.post(add, question_form(kind="free_text", options="A\nB"))) == [
        "Only single and multiple choice questions have options: remove them"
    ]
    assert "Enter the question" in error_summary(client.post(add, question_form(text="")))
    assert not consultation.questions.exists()


def test_only_a_free_text_question_can_explain_a_closed_one(client: Client) -> None:
    consultation = make_consultation(phase="draft")
    lead_of(client, consultation)
    agree = consultation.questions.get(position=1)
    add = reverse("workspace_question_create", args=[consultation.slug])
    response = client.post(add, question_form(explains=agree.pk))
    assert error_summary(response) == ["Only a free-text question can explain another question."]


# --- Scheduling -------------------------------------------------------------------------------


def test_the_schedule_is_read_in_uk_time_and_shown_on_the_overview(client: Client) -> None:
    consultation = make_consultation(phase="draft")
    lead_of(client, consultation)
    data = details_form(
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
    # The outcome is due 12 weeks after closing, at the UK time it closed, though the clocks have
    # gone back to GMT by then.
    assert "5:30pm on Thursday 23 December 2027" in overview
    event = AuditEvent.objects.get(consultation=consultation, action="consultation.update")
    assert set(event.after) == {"opens_at", "closes_at"}
    assert event.after["opens_at"] == "2027-07-01T08:00:00+00:00"


def test_saving_the_details_unchanged_records_nothing(client: Client) -> None:
    consultation = make_consultation(phase="draft")
    lead_of(client, consultation)
    data = details_form(
        title=consultation.title,
        slug=consultation.slug,
        summary=consultation.summary,
        contact_name=consultation.contact_name,
        contact_email=consultation.contact_email,
    )
    data.update(when("opens_at", consultation.opens_at))
    data.update(when("closes_at", consultation.closes_at))
    saved = client.post(reverse("workspace_consultation_edit", args=[consultation.slug]), data, follow=True)
    assert "Nothing changed." in saved.content.decode()
    assert not AuditEvent.objects.exists()


def test_once_a_consultation_has_opened_its_opening_time_stays(client: Client) -> None:
    consultation = make_consultation(phase="open")
    opened_at = consultation.opens_at
    lead_of(client, consultation)
    data = details_form(title=consultation.title, slug="a-new-address")
    new_close = timezone.now() + timedelta(days=90)
    data.update(when("closes_at", new_close))
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
    lead_of(client, consultation)
    response = client.post(reverse("workspace_publish", args=[consultation.slug]), {"action": "publish"})
    assert error_summary(response) == [
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
    lead_of(client, consultation)
    response = client.post(reverse("workspace_publish", args=[consultation.slug]), {"action": "publish"})
    assert error_summary(response) == [
        "The closing date has passed: set a closing date in the future before you publish"
    ]
    assert not Consultation.objects.get(pk=consultation.pk).is_published


def test_a_consultation_goes_back_to_draft_only_while_nobody_has_responded(client: Client) -> None:
    consultation = make_consultation(phase="upcoming")
    lead_of(client, consultation)
    publish = reverse("workspace_publish", args=[consultation.slug])
    assert client.post(publish, {"action": "unpublish"}).status_code == 302
    assert not Consultation.objects.get(pk=consultation.pk).is_published
    assert client.post(publish, {"action": "publish"}).status_code == 302

    open_one = make_consultation(phase="open")
    make_response(open_one, {}, status=Response.Status.DRAFT)
    lead_of(client, open_one)
    refused = client.post(reverse("workspace_publish", args=[open_one.slug]), {"action": "unpublish"})
    assert error_summary(refused) == ["People have started responding, so the consultation cannot go back to draft"]
    assert Consultation.objects.get(pk=open_one.pk).is_published
    actions = list(AuditEvent.objects.filter(consultation=consultation).values_list("action", flat=True))
    assert sorted(actions) == ["consultation.publish", "consultation.unpublish"]

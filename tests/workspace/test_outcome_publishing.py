"""Drafting, approving and publishing the outcome, the public page, the emails and the receipt."""

from __future__ import annotations

import html as html_module
import re

import pytest
from celery.exceptions import Retry
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.test import Client, override_settings
from django.urls import reverse

from consult import tasks
from consult.access import response_token
from consult.models import (
    AuditEvent,
    Outcome,
    Phase,
    ThemeMapping,
    ThemeSet,
)
from tests.factories import make_consultation, make_official
from tests.outcome_world import HIDDEN_TEXT, World, build_world, draft, outcome_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> World:
    return build_world()


def _save_approve_publish(client: Client, world: World, django_capture_on_commit_callbacks: object) -> None:
    assert client.post(outcome_url(world), draft(world)).status_code == 302
    assert client.post(outcome_url(world, "workspace_outcome_approve"), {"version": 1}).status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(outcome_url(world, "workspace_outcome_publish"), {"version": 1})
    assert response.status_code == 302, response.content.decode()


def test_the_outcome_page_is_not_found_until_it_is_published(client: Client, world: World) -> None:
    assert client.get(reverse("consultation_outcome", args=[world.consultation.slug])).status_code == 404
    client.force_login(world.lead)
    client.post(outcome_url(world), draft(world))
    client.post(outcome_url(world, "workspace_outcome_approve"), {"version": 1})
    client.logout()
    assert client.get(reverse("consultation_outcome", args=[world.consultation.slug])).status_code == 404


def test_a_lead_publishes_the_outcome_and_the_public_page_shows_it(
    client: Client, world: World, django_capture_on_commit_callbacks: object
) -> None:
    client.force_login(world.lead)
    _save_approve_publish(client, world, django_capture_on_commit_callbacks)
    client.logout()

    world.consultation.refresh_from_db()
    assert world.consultation.phase is Phase.OUTCOME_PUBLISHED
    page = client.get(reverse("consultation_outcome", args=[world.consultation.slug]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Most of you want quicker answers" in html
    assert "We will run a six-month pilot" in html
    assert "The pilot will measure waiting times." in html
    assert "Advisers will check every answer during the pilot." in html
    assert "We used the analysis described here." in html
    outcome = Outcome.objects.get(consultation=world.consultation)
    day = outcome.published_at.astimezone().day
    assert re.search(rf"Published</dt>\s*<dd[^>]*>{day} ", html)
    assert (
        "Read what we heard and what we will do" in client.get(world.consultation.get_absolute_url()).content.decode()
    )
    actions = set(AuditEvent.objects.filter(consultation=world.consultation).values_list("action", flat=True))
    assert {"outcome.save", "outcome.approve", "outcome.publish"} <= actions


def test_hidden_answers_are_never_published_or_counted(
    client: Client, world: World, django_capture_on_commit_callbacks: object
) -> None:
    client.force_login(world.lead)
    _save_approve_publish(client, world, django_capture_on_commit_callbacks)
    client.logout()

    snapshot = Outcome.objects.get(consultation=world.consultation).published_snapshot
    assert snapshot["response_count"] == 3  # the spam response, hidden whole, is not counted
    why = next(q for q in snapshot["questions"] if q["id"] == world.why.pk)
    assert why["answered"] == 3
    assert {t["label"]: t["count"] for t in why["themes"]} == {"Quicker answers": 2, "Wrong answers": 1, "Other": 0}
    html = client.get(reverse("consultation_outcome", args=[world.consultation.slug])).content.decode()
    assert HIDDEN_TEXT not in html
    assert re.search(r"Responses</dt>\s*<dd[^>]*>3</dd>", html)
    assert "spammer@example.com" not in [m.to[0] for m in mail.outbox]


def test_respondents_with_an_email_address_are_told_once_even_when_the_task_runs_again(
    client: Client, world: World, django_capture_on_commit_callbacks: object
) -> None:
    client.force_login(world.lead)
    _save_approve_publish(client, world, django_capture_on_commit_callbacks)

    assert sorted(m.to[0] for m in mail.outbox) == ["a@example.com", "b@example.com"]
    first = next(m for m in mail.outbox if m.to == ["a@example.com"])
    assert reverse("consultation_outcome", args=[world.consultation.slug]) in first.body
    assert "Quicker answers" in first.body and "People want it soon" in first.body
    assert world.consultation.title in first.subject

    tasks.send_outcome_emails(world.consultation.pk)
    tasks.send_outcome_emails.delay(world.consultation.pk)
    assert len(mail.outbox) == 2
    assert Outcome.objects.get(consultation=world.consultation).emails_sent_at is not None


class FailingAfterOneBackend(EmailBackend):
    """The email provider goes down after accepting one message."""

    accepted = 0

    def send_messages(self, messages: list[object]) -> int:
        if FailingAfterOneBackend.accepted >= 1:
            raise OSError("Connection refused")
        FailingAfterOneBackend.accepted += 1
        return super().send_messages(messages)


def test_a_retry_after_the_email_provider_failed_sends_only_what_was_not_sent(
    client: Client, world: World, django_capture_on_commit_callbacks: object
) -> None:
    client.force_login(world.lead)
    FailingAfterOneBackend.accepted = 0
    with override_settings(EMAIL_BACKEND="tests.workspace.test_outcome_publishing.FailingAfterOneBackend"):
        assert client.post(outcome_url(world), draft(world)).status_code == 302
        client.post(outcome_url(world, "workspace_outcome_approve"), {"version": 1})
        # In eager mode the task's automatic retry surfaces as Celery's Retry; a worker would wait.
        with pytest.raises((OSError, Retry)), django_capture_on_commit_callbacks(execute=True):
            client.post(outcome_url(world, "workspace_outcome_publish"), {"version": 1})
    assert len(mail.outbox) == 1

    tasks.send_outcome_emails(world.consultation.pk)  # the retry, with the provider back
    assert sorted(m.to[0] for m in mail.outbox) == ["a@example.com", "b@example.com"]


def test_the_receipt_shows_the_published_themes_the_response_counted_towards_frozen_at_publication(
    client: Client, world: World, django_capture_on_commit_callbacks: object
) -> None:
    receipt_url = reverse("response_detail", args=[response_token(world.responses[0])])
    assert "counted towards" not in client.get(receipt_url).content.decode()
    client.force_login(world.lead)
    _save_approve_publish(client, world, django_capture_on_commit_callbacks)
    client.logout()

    html = client.get(receipt_url).content.decode()
    assert "Your response counted towards these published themes" in html
    assert "Quicker answers" in html and "People want it soon" in html
    assert "Wrong answers" not in html

    # An official corrects the mapping after publication: the published record does not move.
    ThemeMapping.objects.filter(theme=world.quicker, answer__response=world.responses[0]).update(is_active=False)
    assert "Quicker answers" in client.get(receipt_url).content.decode()


def test_publishing_explains_everything_that_is_missing(client: Client) -> None:
    consultation = make_consultation(phase="open")
    lead = make_official(consultation.department, role="lead")
    client.force_login(lead)
    assert client.post(reverse("workspace_outcome", args=[consultation.slug]), {"version": 0}).status_code == 302

    response = client.post(reverse("workspace_outcome_publish", args=[consultation.slug]), {"version": 1})
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html
    assert "The consultation must close before its outcome is published" in html
    assert "has no reviewed themes" in html
    assert "Enter a summary of what the consultation heard" in html
    assert "A lead must approve this version of the outcome" in html
    consultation.refresh_from_db()
    assert consultation.outcome_published_at is None


def test_themes_not_signed_off_or_not_mapped_stop_publication(client: Client, world: World) -> None:
    ThemeSet.objects.filter(question=world.why).update(status=ThemeSet.Status.DRAFT)
    ThemeSet.objects.filter(question=world.anything).update(mapping_status=ThemeSet.MappingStatus.RUNNING)
    client.force_login(world.lead)
    client.post(outcome_url(world), draft(world))
    client.post(outcome_url(world, "workspace_outcome_approve"), {"version": 1})

    html = client.post(outcome_url(world, "workspace_outcome_publish"), {"version": 1}).content.decode()
    assert "its themes have not been signed off" in html
    assert "its answers are not yet mapped to the signed-off themes" in html
    assert not Outcome.objects.get(consultation=world.consultation).is_published


def test_approval_needs_a_complete_draft_and_saving_again_withdraws_it(client: Client, world: World) -> None:
    client.force_login(world.lead)
    client.post(outcome_url(world), draft(world, **{f"theme_{world.wrong.pk}": ""}))
    html = html_module.unescape(
        client.post(outcome_url(world, "workspace_outcome_approve"), {"version": 1}).content.decode()
    )
    assert "Enter the government's response to the theme “Wrong answers”" in html
    assert Outcome.objects.get(consultation=world.consultation).approved_at is None

    client.post(outcome_url(world), draft(world, version=1))
    assert client.post(outcome_url(world, "workspace_outcome_approve"), {"version": 2}).status_code == 302
    assert Outcome.objects.get(consultation=world.consultation).approved_by == world.lead

    client.post(outcome_url(world), draft(world, version=2, summary="A different summary."))
    outcome = Outcome.objects.get(consultation=world.consultation)
    assert outcome.approved_at is None
    assert "A lead must approve this version" in client.get(outcome_url(world)).content.decode()


def test_a_lead_saving_a_stale_form_is_told_and_overwrites_nothing(client: Client, world: World) -> None:
    other_lead = make_official(world.consultation.department, role="lead")
    first, second = Client(), Client()
    first.force_login(world.lead)
    second.force_login(other_lead)
    assert first.post(outcome_url(world), draft(world, summary="The first lead's summary.")).status_code == 302

    refused = second.post(outcome_url(world), draft(world, summary="The second lead's summary."))
    assert refused.status_code == 409
    html = refused.content.decode()
    assert "Another lead changed this outcome after you opened it" in html
    assert "The second lead&#x27;s summary." in html  # shown back, so nothing typed is lost
    assert Outcome.objects.get(consultation=world.consultation).summary == "The first lead's summary."

    assert second.post(outcome_url(world, "workspace_outcome_approve"), {"version": 0}).status_code == 409
    assert Outcome.objects.get(consultation=world.consultation).approved_at is None


def test_an_update_after_publication_needs_a_note_and_is_shown_as_updated(
    client: Client, world: World, django_capture_on_commit_callbacks: object
) -> None:
    client.force_login(world.lead)
    _save_approve_publish(client, world, django_capture_on_commit_callbacks)
    published_at = Outcome.objects.get(consultation=world.consultation).published_at
    client.post(outcome_url(world), draft(world, version=1, decision="We will run a twelve-month pilot."))
    public_url = reverse("consultation_outcome", args=[world.consultation.slug])
    assert "six-month pilot" in client.get(public_url).content.decode()  # not public until published

    client.post(outcome_url(world, "workspace_outcome_approve"), {"version": 2})
    refused = client.post(outcome_url(world, "workspace_outcome_publish"), {"version": 2})
    assert "Enter what changed since the outcome was last published" in refused.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            outcome_url(world, "workspace_outcome_publish"),
            {"version": 2, "update_note": "The pilot is now twelve months long."},
        )
    html = client.get(public_url).content.decode()
    assert "twelve-month pilot" in html
    assert "The pilot is now twelve months long." in html
    assert "Last updated" in html
    outcome = Outcome.objects.get(consultation=world.consultation)
    assert outcome.published_at == published_at
    assert len(mail.outbox) == 2  # respondents are emailed at the first publication only
    assert AuditEvent.objects.filter(action="outcome.update_published").count() == 1


def test_the_method_note_is_drawn_from_the_analysis_run_and_the_officials_changes(client: Client, world: World) -> None:
    ThemeMapping.objects.filter(theme=world.wrong).update(is_active=False)
    ThemeMapping.objects.create(
        theme=world.other, answer=world.responses[2].answers.get(question=world.why), source="official"
    )
    client.force_login(world.lead)
    html = client.get(outcome_url(world)).content.decode()
    assert "embedding model test" in html
    assert "Question 2: officials changed the themes of 1 of the 4 answers the analysis mapped (25%)." in html
    assert "Preview of the public page" in html


def test_analysts_may_export_but_not_touch_the_outcome(client: Client, world: World) -> None:
    client.force_login(make_official(world.consultation.department, role="analyst"))
    assert client.get(outcome_url(world)).status_code == 403
    assert client.post(outcome_url(world, "workspace_outcome_publish"), {"version": 0}).status_code == 403
    assert client.get(reverse("workspace_report", args=[world.consultation.slug])).status_code == 200

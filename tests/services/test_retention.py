"""Respondents' personal data is purged RETENTION_DAYS_AFTER_OUTCOME days after a consultation's
outcome is published, by `manage.py purge_personal_data` and its daily Celery beat task; the
anonymised answers, themes and counts stay for the record."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from consult import tasks
from consult.analysis.redaction import REDACTION_VERSION
from consult.models import (
    Answer,
    AuditEvent,
    Consultation,
    EqualityInformation,
    FalseSubmissionReport,
    RedactedOriginal,
    Response,
    Theme,
    ThemeAssignment,
)
from tests.factories import make_consultation, make_official, make_response, make_run_with_themes, make_user

pytestmark = pytest.mark.django_db

PHONE = "07700 900123"


@dataclass
class World:
    due: Consultation
    recent: Consultation
    individual: Response
    organisation: Response
    withdrawn: Response
    draft: Response
    phoned: Answer
    unprocessed: Answer
    moderated: Answer


def published_days_ago(days: int) -> Consultation:
    consultation = make_consultation(phase="outcome_published")
    Consultation.objects.filter(pk=consultation.pk).update(outcome_published_at=timezone.now() - timedelta(days=days))
    consultation.refresh_from_db()
    return consultation


@pytest.fixture
def world() -> World:
    due = published_days_ago(settings.RETENTION_DAYS_AFTER_OUTCOME + 30)
    q = {question.position: question for question in due.questions.all()}
    individual = make_response(
        due,
        {q[1]: 4, q[2]: f"Call me on {PHONE} about it.", q[5]: "Nothing else."},
        email="person@example.com",
        organisation_name="Left over from an import",
    )
    Response.objects.filter(pk=individual.pk).update(user=make_user("person@example.com"), external_id="row-17")
    phoned = individual.answers.get(question=q[2])
    Answer.objects.filter(pk=phoned.pk).update(
        redacted_text="Call me on [phone number] about it.", redaction_version=REDACTION_VERSION, has_personal_data=True
    )
    EqualityInformation.objects.create(response=individual, age_band="25_34", region="wales")
    FalseSubmissionReport.objects.create(consultation=due, email="reporter@example.com", what_happened="Not me.")
    organisation = make_response(
        due,
        {q[1]: 2, q[2]: "Our members want a person to talk to."},
        respondent_type="organisation",
        organisation_name="Citizens Advice Testshire",
        email="policy@example.org",
    )
    Response.objects.filter(pk=organisation.pk).update(signed_off_by=make_user("signer@example.org"))
    # An answer the analysis never read: the purge redacts it first.
    unprocessed = organisation.answers.create(question=q[5], text=f"Ring our office on {PHONE}.")
    withdrawn = make_response(due, {q[2]: "I changed my mind."}, status="withdrawn", email="withdrew@example.com")
    draft = make_response(due, {q[2]: "Never sent"}, status="draft", email="draft@example.com")
    moderated = withdrawn.answers.get(question=q[2])
    RedactedOriginal.objects.create(answer=moderated, original_text="I changed my mind, says Jo Bloggs.", reason="Name")
    make_run_with_themes(q[2], {"A person to talk to": [phoned, organisation.answers.get(question=q[2])]})

    recent = published_days_ago(10)
    make_response(recent, {recent.questions.get(position=2): "Recent answer."}, email="recent@example.com")
    return World(due, recent, individual, organisation, withdrawn, draft, phoned, unprocessed, moderated)


def purge(*args: str) -> str:
    out = io.StringIO()
    call_command("purge_personal_data", *args, stdout=out)
    return out.getvalue()


def test_a_dry_run_says_what_would_be_purged_and_changes_nothing(world: World) -> None:
    output = purge("--dry-run")
    assert f"Would purge {world.due.slug}:" in output
    assert "1 drafts deleted" in output
    assert "3 email addresses cleared" in output
    assert "2 answers replaced by their redacted text" in output
    assert "Dry run: nothing was changed." in output
    assert world.recent.slug not in output
    world.individual.refresh_from_db()
    assert world.individual.email == "person@example.com" and world.individual.user_id
    assert Response.objects.filter(pk=world.draft.pk).exists()
    assert not AuditEvent.objects.exists()
    assert Consultation.objects.get(pk=world.due.pk).personal_data_purged_at is None


def test_purging_removes_personal_data_and_keeps_the_anonymised_answers(world: World) -> None:
    output = purge()
    assert f"Purged {world.due.slug}:" in output

    individual = Response.objects.get(pk=world.individual.pk)
    assert (individual.email, individual.user_id, individual.external_id) == ("", None, "")
    assert individual.organisation_name == ""
    assert individual.status == Response.Status.SUBMITTED and individual.reference == world.individual.reference
    organisation = Response.objects.get(pk=world.organisation.pk)
    assert organisation.organisation_name == "Citizens Advice Testshire"  # an organisation is not a person
    assert organisation.email == "" and organisation.signed_off_by_id is None
    assert FalseSubmissionReport.objects.get().email == ""
    assert Response.objects.get(pk=world.withdrawn.pk).email == ""
    assert not Response.objects.filter(pk=world.draft.pk).exists()
    assert not EqualityInformation.objects.filter(response__consultation=world.due).exists()
    assert not RedactedOriginal.objects.exists()

    phoned = Answer.objects.get(pk=world.phoned.pk)
    assert phoned.text == "Call me on [phone number] about it." and PHONE not in phoned.redacted_text
    unprocessed = Answer.objects.get(pk=world.unprocessed.pk)
    assert PHONE not in unprocessed.text and unprocessed.text == unprocessed.redacted_text
    assert Answer.objects.get(question__position=5, response=world.individual).text == "Nothing else."
    assert not Answer.objects.filter(response__consultation=world.due, text__contains=PHONE).exists()

    due = Consultation.objects.get(pk=world.due.pk)
    assert due.personal_data_purged_at is not None
    event = AuditEvent.objects.get(consultation=due)
    assert event.action == "personal_data.purge"
    assert event.after["emails_cleared"] == 3 and event.after["drafts_deleted"] == 1

    # The consultation whose outcome is recent keeps everything.
    assert Response.objects.get(consultation=world.recent).email == "recent@example.com"
    assert Consultation.objects.get(pk=world.recent.pk).personal_data_purged_at is None


def test_purging_again_changes_and_records_nothing(world: World) -> None:
    purge()
    purged_at = Consultation.objects.get(pk=world.due.pk).personal_data_purged_at
    output = purge()
    assert "No consultation" in output
    assert AuditEvent.objects.filter(action="personal_data.purge").count() == 1
    assert Consultation.objects.get(pk=world.due.pk).personal_data_purged_at == purged_at


def test_the_retention_period_comes_from_the_setting(world: World) -> None:
    with override_settings(RETENTION_DAYS_AFTER_OUTCOME=5):
        output = purge("--dry-run")
    assert world.due.slug in output and world.recent.slug in output


def test_the_daily_task_runs_the_purge_and_beat_schedules_it_daily(world: World) -> None:
    entry = next(e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == "consult.tasks.purge_personal_data")
    assert (entry["schedule"].hour, entry["schedule"].minute, entry["schedule"].day_of_month) == (
        {3},
        {30},
        set(range(1, 32)),
    )
    assert tasks.purge_personal_data.delay().get() == 1
    assert Consultation.objects.get(pk=world.due.pk).personal_data_purged_at is not None
    assert tasks.purge_personal_data.delay().get() == 0


def test_themes_counts_and_the_outcome_stay_valid_after_the_purge(client: Client, world: World) -> None:
    official = make_official(world.due.department, role="analyst")
    client.force_login(official)
    themes_before = list(Theme.objects.values_list("pk", "label", "answer_count"))
    assignments_before = set(ThemeAssignment.objects.values_list("theme_id", "answer_id"))
    before = client.get(reverse("workspace_analysis", args=[world.due.slug])).context["submitted_count"]

    purge()

    cache.clear()  # the dashboards keep their counts for a minute
    page = client.get(reverse("workspace_analysis", args=[world.due.slug]))
    assert page.status_code == 200
    assert page.context["submitted_count"] == before == 2
    assert list(Theme.objects.values_list("pk", "label", "answer_count")) == themes_before
    assert set(ThemeAssignment.objects.values_list("theme_id", "answer_id")) == assignments_before
    html = page.content.decode()
    assert PHONE not in html
    client.logout()
    assert client.get(world.due.get_absolute_url()).status_code == 200

"""Moderation: answers flagged on arrival and by runs land in a queue; moderators approve, redact
or hide them, every decision audited; originals of redacted answers stay with moderators; hidden
answers leave the next run; a decided flag stays decided until the answer changes. The suggested
redaction is in test_suggested_redaction.py, one decision for many answers in
test_moderation_bulk.py."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse

from consult import tasks
from consult.models import (
    AnalysisRun,
    Answer,
    AuditEvent,
    CampaignMember,
    Consultation,
    Flag,
    Question,
    RedactedOriginal,
    ThemeAssignment,
)
from consult.services import runs
from consult.services.responses import save_answer
from tests.factories import make_consultation, make_response
from tests.workspace.moderation_world import analyse_with_a_campaign, flagged_answer, open_reasons, sign_in

pytestmark = pytest.mark.django_db

ABUSIVE_WITH_PHONE = "Ring me on 07700 900123 and I will tell you why you idiots are wrong."


@pytest.fixture
def consultation() -> Consultation:
    return make_consultation(phase="open")


@pytest.fixture
def why(consultation: Consultation) -> Question:
    return consultation.questions.get(position=2)


# --- Flags raised by the analysis ---------------------------------------------------------------


def test_an_answer_arriving_with_a_phone_number_and_abuse_is_flagged_once(why: Question) -> None:
    response = make_response(why.consultation, {why: ABUSIVE_WITH_PHONE})
    tasks.process_response.delay(response.pk)
    tasks.process_response.delay(response.pk)  # a changed response is processed again
    answer = response.answers.get(question=why)
    flags = {flag.reason: flag for flag in answer.flags.all()}
    assert set(flags) == {Flag.Reason.PERSONAL_DATA, Flag.Reason.ABUSE}
    assert flags[Flag.Reason.PERSONAL_DATA].detail == "Personal data: phone number."
    assert '"idiots"' in flags[Flag.Reason.ABUSE].detail
    assert all(flag.status == Flag.Status.OPEN for flag in flags.values())


def test_a_decided_flag_is_not_raised_again_until_the_answer_changes(client: Client, why: Question) -> None:
    response = make_response(why.consultation, {why: ABUSIVE_WITH_PHONE})
    tasks.process_response.delay(response.pk)
    answer = response.answers.get(question=why)
    sign_in(client, why.consultation, "moderator")
    flag = answer.flags.first()
    client.post(reverse("workspace_flag", args=[why.consultation.slug, flag.pk]), {"decision": "approve"})
    tasks.process_response.delay(response.pk)
    assert open_reasons(answer) == set()
    assert answer.flags.count() == 2

    save_answer(response, why, text="You idiots still have not rung me on 07700 900456.")
    tasks.process_response.delay(response.pk)
    assert open_reasons(answer) == {Flag.Reason.PERSONAL_DATA, Flag.Reason.ABUSE}
    assert answer.flags.count() == 4


@pytest.fixture
def analysed(why: Question, django_capture_on_commit_callbacks) -> AnalysisRun:
    return analyse_with_a_campaign(why, django_capture_on_commit_callbacks)


def test_a_run_flags_the_copies_of_a_campaign_but_not_its_original(analysed: AnalysisRun) -> None:
    members = CampaignMember.objects.filter(campaign__run=analysed).select_related("campaign")
    assert members.count() >= 5
    for member in members:
        reasons = open_reasons(member.answer)
        if member.answer_id == member.campaign.canonical_answer_id:
            assert Flag.Reason.CAMPAIGN not in reasons
        else:
            assert Flag.Reason.CAMPAIGN in reasons
            flag = member.answer.flags.get(reason=Flag.Reason.CAMPAIGN)
            assert flag.detail == f"A copy of a campaign text that {member.campaign.member_count} answers share."


def test_the_next_run_leaves_hidden_answers_out_and_raises_no_decided_flag_again(
    client: Client, why: Question, analysed: AnalysisRun, django_capture_on_commit_callbacks
) -> None:
    copies = list(Flag.objects.filter(reason=Flag.Reason.CAMPAIGN, status=Flag.Status.OPEN).order_by("pk"))
    approved, hidden = copies[0], copies[1]
    sign_in(client, why.consultation, "moderator")
    client.post(reverse("workspace_flag", args=[why.consultation.slug, approved.pk]), {"decision": "approve"})
    client.post(
        reverse("workspace_flag", args=[why.consultation.slug, hidden.pk]),
        {"decision": "hide", "hide-reason": "Sent twice by the same person."},
    )
    assert hidden.answer_id not in {answer.pk for answer in runs.analysable_answers(why.consultation)}

    with django_capture_on_commit_callbacks(execute=True):
        second = runs.request_analysis(why.consultation)
    second.refresh_from_db()
    assert second.status == AnalysisRun.Status.SUCCEEDED, second.error
    assert second.answers_analysed == analysed.answers_analysed - 1
    assert not ThemeAssignment.objects.filter(theme__run=second, answer_id=hidden.answer_id).exists()
    assert not CampaignMember.objects.filter(campaign__run=second, answer_id=hidden.answer_id).exists()
    assert Flag.objects.filter(answer_id=approved.answer_id, reason=Flag.Reason.CAMPAIGN).count() == 1
    assert Flag.objects.filter(answer_id=hidden.answer_id).exclude(status=Flag.Status.HIDDEN).count() == 0


# --- The queue ----------------------------------------------------------------------------------


def test_the_queue_shows_answers_with_open_flags_oldest_first_with_counts_per_reason(
    client: Client, why: Question
) -> None:
    older, _ = flagged_answer(why, "An older answer with a phone number.", Flag.Reason.PERSONAL_DATA)
    newer, _ = flagged_answer(why, "A newer abusive and spammy answer.", Flag.Reason.ABUSE, Flag.Reason.SPAM)
    _, flags = flagged_answer(why, "An answer already approved.", Flag.Reason.SPAM)
    Flag.objects.filter(pk=flags[0].pk).update(status=Flag.Status.APPROVED)
    sign_in(client, why.consultation, "lead")

    page = client.get(reverse("workspace_moderation", args=[why.consultation.slug]))
    assert page.status_code == 200
    rows = [row["answer"] for row in page.context["rows"]]
    assert rows == [older, newer]
    counts = {item["reason"]: item["count"] for item in page.context["counts"]}
    assert counts[Flag.Reason.PERSONAL_DATA] == 1
    assert counts[Flag.Reason.SPAM] == 1  # the approved one no longer waits
    assert counts[Flag.Reason.CAMPAIGN] == 0
    html = page.content.decode()
    assert "An older answer" in html and "A newer abusive" in html
    assert "An answer already approved" not in html


def test_the_queue_filters_by_reason_and_links_to_the_flag_of_that_reason(client: Client, why: Question) -> None:
    flagged_answer(why, "Only personal data here.", Flag.Reason.PERSONAL_DATA)
    answer, flags = flagged_answer(why, "Abusive and spam.", Flag.Reason.ABUSE, Flag.Reason.SPAM)
    sign_in(client, why.consultation, "moderator")

    page = client.get(reverse("workspace_moderation", args=[why.consultation.slug]), {"reason": "spam"})
    assert [row["answer"] for row in page.context["rows"]] == [answer]
    assert page.context["rows"][0]["flag"] == flags[1]
    assert reverse("workspace_flag", args=[why.consultation.slug, flags[1].pk]) in page.content.decode()
    unknown = client.get(reverse("workspace_moderation", args=[why.consultation.slug]), {"reason": "nonsense"})
    assert len(unknown.context["rows"]) == 2


def test_the_queue_is_paginated_and_keeps_its_filter(client: Client, why: Question) -> None:
    for n in range(27):
        flagged_answer(why, f"Spam answer number {n}.", Flag.Reason.SPAM)
    sign_in(client, why.consultation, "moderator")
    first = client.get(reverse("workspace_moderation", args=[why.consultation.slug]), {"reason": "spam"})
    assert len(first.context["rows"]) == 25
    assert "?reason=spam&amp;page=2" in first.content.decode()
    second = client.get(reverse("workspace_moderation", args=[why.consultation.slug]), {"reason": "spam", "page": 2})
    assert len(second.context["rows"]) == 2


# --- Decisions ----------------------------------------------------------------------------------


def test_approving_closes_every_open_flag_on_the_answer_and_is_audited(client: Client, why: Question) -> None:
    answer, flags = flagged_answer(why, "Abusive and spam.", Flag.Reason.ABUSE, Flag.Reason.SPAM)
    moderator = sign_in(client, why.consultation, "moderator")
    page = client.get(reverse("workspace_flag", args=[why.consultation.slug, flags[0].pk]))
    assert page.status_code == 200
    assert why.text in page.content.decode() and answer.response.reference in page.content.decode()

    response = client.post(
        reverse("workspace_flag", args=[why.consultation.slug, flags[0].pk]),
        {"decision": "approve", "approve-reason": "Robust, but fair comment."},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("workspace_moderation", args=[why.consultation.slug])
    for flag in Flag.objects.filter(answer=answer):
        assert (flag.status, flag.decided_by, flag.decision_reason) == (
            Flag.Status.APPROVED,
            moderator,
            "Robust, but fair comment.",
        )
        assert flag.decided_at is not None
    answer.refresh_from_db()
    assert answer.visibility == Answer.Visibility.VISIBLE
    event = AuditEvent.objects.get(action="answer.approve")
    assert (event.actor, event.object_id) == (moderator, str(answer.pk))
    assert event.after["reason"] == "Robust, but fair comment."
    assert {flag["status"] for flag in event.after["flags"]} == {"approved"}


def test_redacting_keeps_the_original_apart_and_redacts_personal_data_in_the_new_text(
    client: Client, why: Question
) -> None:
    original = "My neighbour Jo Bloggs, 07700 900123, says you idiots never listen."
    answer, flags = flagged_answer(why, original, Flag.Reason.ABUSE, Flag.Reason.PERSONAL_DATA)
    moderator = sign_in(client, why.consultation, "moderator")
    page = client.get(reverse("workspace_flag", args=[why.consultation.slug, flags[0].pk]))
    # Prefilled with the suggested redaction: the number the redaction found is replaced.
    assert page.context["forms"]["redact"]["text"].value() == original.replace("07700 900123", "[phone number]")

    redacted = "My neighbour [name removed], 07700 900123, says [insult removed] never listen."
    response = client.post(
        reverse("workspace_flag", args=[why.consultation.slug, flags[0].pk]),
        {"decision": "redact", "redact-text": redacted, "redact-reason": "Names a third party."},
    )
    assert response.status_code == 302
    answer.refresh_from_db()
    assert answer.text == redacted
    assert answer.redacted_text == "My neighbour [name removed], [phone number], says [insult removed] never listen."
    assert answer.has_personal_data is True
    assert answer.visibility == Answer.Visibility.REDACTED
    kept = RedactedOriginal.objects.get(answer=answer)
    assert (kept.original_text, kept.reason, kept.redacted_by) == (original, "Names a third party.", moderator)
    assert set(Flag.objects.filter(answer=answer).values_list("status", flat=True)) == {Flag.Status.REDACTED}
    event = AuditEvent.objects.get(action="answer.redact")
    assert event.after["visibility"] == "redacted"
    assert "Jo Bloggs" not in json.dumps([event.before, event.after])  # the audit never holds the original


def test_hiding_sets_the_answer_hidden_and_is_audited(client: Client, why: Question) -> None:
    answer, flags = flagged_answer(why, "Buy now at cheapdeals.com!", Flag.Reason.SPAM)
    moderator = sign_in(client, why.consultation, "lead")
    response = client.post(
        reverse("workspace_flag", args=[why.consultation.slug, flags[0].pk]),
        {"decision": "hide", "hide-reason": "Advertising."},
    )
    assert response.status_code == 302
    answer.refresh_from_db()
    assert answer.visibility == Answer.Visibility.HIDDEN
    flag = Flag.objects.get(pk=flags[0].pk)
    assert (flag.status, flag.decision_reason, flag.decided_by) == (Flag.Status.HIDDEN, "Advertising.", moderator)
    event = AuditEvent.objects.get(action="answer.hide")
    assert (event.before["visibility"], event.after["visibility"]) == ("visible", "hidden")


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"decision": "hide"}, "Enter the reason for hiding the answer"),
        ({"decision": "hide", "hide-reason": "x" * 1001}, "Reason must be 1000 characters or fewer"),
        ({"decision": "redact", "redact-text": "Changed."}, "Enter the reason for redacting the answer"),
        ({"decision": "redact", "redact-reason": "Why"}, "Enter the answer&#x27;s text after redaction"),
        (
            {"decision": "redact", "redact-text": "Spam text here.", "redact-reason": "No change"},
            "Change the text to redact it, or approve the answer as it is",
        ),
    ],
)
def test_a_decision_with_errors_changes_nothing_and_says_what_is_wrong(
    client: Client, why: Question, data: dict[str, str], error: str
) -> None:
    answer, flags = flagged_answer(why, "Spam text here.", Flag.Reason.SPAM)
    sign_in(client, why.consultation, "moderator")
    response = client.post(reverse("workspace_flag", args=[why.consultation.slug, flags[0].pk]), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html and error in html
    assert Flag.objects.get(pk=flags[0].pk).status == Flag.Status.OPEN
    answer.refresh_from_db()
    assert (answer.text, answer.visibility) == ("Spam text here.", Answer.Visibility.VISIBLE)
    assert not AuditEvent.objects.exists()


def test_a_post_without_a_decision_is_refused(client: Client, why: Question) -> None:
    _, flags = flagged_answer(why, "Spam text here.", Flag.Reason.SPAM)
    sign_in(client, why.consultation, "moderator")
    response = client.post(reverse("workspace_flag", args=[why.consultation.slug, flags[0].pk]), {"decision": "x"})
    assert response.status_code == 400
    assert Flag.objects.get(pk=flags[0].pk).status == Flag.Status.OPEN


def test_a_second_decision_on_an_answer_already_decided_changes_nothing(client: Client, why: Question) -> None:
    answer, flags = flagged_answer(why, "Spam text here.", Flag.Reason.SPAM)
    first = sign_in(client, why.consultation, "moderator")
    address = reverse("workspace_flag", args=[why.consultation.slug, flags[0].pk])
    client.post(address, {"decision": "approve"})
    response = client.post(address, {"decision": "hide", "hide-reason": "Too late."}, follow=True)
    assert "Another moderator decided on this answer first" in response.content.decode()
    flag = Flag.objects.get(pk=flags[0].pk)
    assert (flag.status, flag.decided_by) == (Flag.Status.APPROVED, first)
    answer.refresh_from_db()
    assert answer.visibility == Answer.Visibility.VISIBLE
    assert "Your decision" not in response.content.decode()


# --- Who sees the original ----------------------------------------------------------------------


@pytest.fixture
def redacted(client: Client, why: Question) -> Flag:
    """A flag on an answer a moderator has redacted; the client is signed out again."""
    _, flags = flagged_answer(why, "Jo Bloggs of Flat 2 says hello.", Flag.Reason.PERSONAL_DATA)
    sign_in(client, why.consultation, "moderator")
    client.post(
        reverse("workspace_flag", args=[why.consultation.slug, flags[0].pk]),
        {"decision": "redact", "redact-text": "[name removed] says hello.", "redact-reason": "A name."},
    )
    client.logout()
    return flags[0]


def test_a_moderator_can_read_the_original_of_a_redacted_answer(client: Client, redacted: Flag) -> None:
    consultation = redacted.answer.response.consultation
    sign_in(client, consultation, "moderator")
    html = client.get(reverse("workspace_flag", args=[consultation.slug, redacted.pk])).content.decode()
    assert "Jo Bloggs of Flat 2" in html
    assert "[name removed] says hello." in html


def test_a_lead_sees_that_an_original_exists_but_not_its_text(client: Client, redacted: Flag) -> None:
    consultation = redacted.answer.response.consultation
    sign_in(client, consultation, "lead")
    page = client.get(reverse("workspace_flag", args=[consultation.slug, redacted.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Jo Bloggs" not in html
    assert "The original text of this answer is kept. Only moderators can read it." in html


def test_an_analyst_can_neither_moderate_nor_read_the_original(client: Client, redacted: Flag) -> None:
    consultation = redacted.answer.response.consultation
    sign_in(client, consultation, "analyst")
    assert client.get(reverse("workspace_flag", args=[consultation.slug, redacted.pk])).status_code == 403
    report = client.get(reverse("workspace_answer_report", args=[consultation.slug, redacted.answer_id]))
    assert report.status_code == 200
    assert "Jo Bloggs" not in report.content.decode()


# --- Reporting ----------------------------------------------------------------------------------


def test_any_official_can_report_an_answer_with_a_reason(client: Client, why: Question) -> None:
    answer = make_response(why.consultation, {why: "Something odd."}).answers.get(question=why)
    analyst = sign_in(client, why.consultation, "analyst")
    address = reverse("workspace_answer_report", args=[why.consultation.slug, answer.pk])
    form = client.get(address)
    assert "You can enter up to 1000 characters" in form.content.decode()

    response = client.post(address, {"reason": "It names a member of staff."})
    assert response.status_code == 302
    flag = Flag.objects.get(answer=answer)
    assert (flag.reason, flag.status, flag.reported_by, flag.detail) == (
        Flag.Reason.REPORTED,
        Flag.Status.OPEN,
        analyst,
        "It names a member of staff.",
    )
    event = AuditEvent.objects.get(action="answer.report")
    assert (event.actor, event.after["flag"]) == (analyst, flag.pk)


def test_a_second_report_adds_its_reason_to_the_waiting_one(client: Client, why: Question) -> None:
    answer = make_response(why.consultation, {why: "Something odd."}).answers.get(question=why)
    sign_in(client, why.consultation, "analyst")
    address = reverse("workspace_answer_report", args=[why.consultation.slug, answer.pk])
    client.post(address, {"reason": "First reason."})
    client.post(address, {"reason": "Second reason."})
    flag = Flag.objects.get(answer=answer)
    assert flag.detail == "First reason.\n\nSecond reason."
    assert AuditEvent.objects.filter(action="answer.report").count() == 2


@pytest.mark.parametrize(
    ("reason", "error"),
    [("", "Enter why a moderator should look at this answer"), ("y" * 1001, "Reason must be 1000 characters or fewer")],
)
def test_a_report_without_a_valid_reason_is_refused(client: Client, why: Question, reason: str, error: str) -> None:
    answer = make_response(why.consultation, {why: "Something odd."}).answers.get(question=why)
    sign_in(client, why.consultation, "analyst")
    response = client.post(
        reverse("workspace_answer_report", args=[why.consultation.slug, answer.pk]), {"reason": reason}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html and error in html
    assert reason in html  # what was typed is shown again, not cut short
    assert not Flag.objects.filter(answer=answer).exists()

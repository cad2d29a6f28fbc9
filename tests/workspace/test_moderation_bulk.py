"""One decision for many answers: a moderator ticks answers in the queue and approves or hides
them all at once, or decides for every copy of a campaign. Each answer is decided and audited as on
its own page, one "flag.bulk_resolved" event records the action, a selection that someone else
decided meanwhile changes nothing, and a form sent twice decides once."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse

from consult.models import AnalysisRun, Answer, AuditEvent, CampaignMember, Consultation, Flag, Question
from tests.factories import make_consultation
from tests.workspace.moderation_world import analyse_with_a_campaign, flagged_answer, open_reasons, sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def consultation() -> Consultation:
    return make_consultation(phase="open")


@pytest.fixture
def why(consultation: Consultation) -> Question:
    return consultation.questions.get(position=2)


def queue(consultation: Consultation) -> str:
    return reverse("workspace_moderation", args=[consultation.slug])


def answer_text_in_audit(answers: list[Answer]) -> bool:
    events = json.dumps([[event.before, event.after] for event in AuditEvent.objects.all()])
    return any(answer.text in events for answer in answers)


# --- A selection in the queue --------------------------------------------------------------------


def test_the_queue_has_a_checkbox_for_each_answer_and_one_decision_for_the_selected(
    client: Client, why: Question
) -> None:
    answer, flags = flagged_answer(why, "Buy cheap watches now.", Flag.Reason.SPAM)
    sign_in(client, why.consultation, "moderator")
    html = client.get(queue(why.consultation)).content.decode()
    assert f'id="id_flags_0" name="flags" type="checkbox" value="{flags[0].pk}"' in html
    assert f"Select the answer in response {answer.response.reference}" in html
    assert 'name="decision" type="radio" value="approve"' in html
    assert 'name="decision" type="radio" value="hide"' in html
    assert "Apply to the selected answers" in html


def test_a_moderator_hides_the_selected_answers_in_one_action_each_audited(client: Client, why: Question) -> None:
    first, first_flags = flagged_answer(why, "Buy cheap watches now at watches.example.", Flag.Reason.SPAM)
    second, second_flags = flagged_answer(why, "You idiots, buy my book.", Flag.Reason.ABUSE, Flag.Reason.SPAM)
    left, _ = flagged_answer(why, "A fair answer someone reported.", Flag.Reason.REPORTED)
    moderator = sign_in(client, why.consultation, "moderator")

    response = client.post(
        queue(why.consultation) + "?reason=spam",
        {"flags": [first_flags[0].pk, second_flags[1].pk], "decision": "hide", "reason": "Advertising."},
    )
    assert response.status_code == 302
    assert response["Location"] == queue(why.consultation) + "?reason=spam"  # the filter is kept
    for answer in (first, second):
        answer.refresh_from_db()
        assert answer.visibility == Answer.Visibility.HIDDEN
    closed = [*first_flags, *second_flags]
    for flag in Flag.objects.filter(pk__in=[flag.pk for flag in closed]):
        assert (flag.status, flag.decided_by, flag.decision_reason) == (Flag.Status.HIDDEN, moderator, "Advertising.")
    assert open_reasons(left) == {Flag.Reason.REPORTED}  # not selected, not touched

    # Each answer audited as on its own page, and one event for the whole action.
    assert set(AuditEvent.objects.filter(action="answer.hide").values_list("object_id", flat=True)) == {
        str(first.pk),
        str(second.pk),
    }
    event = AuditEvent.objects.get(action="flag.bulk_resolved")
    assert event.actor == moderator and event.consultation == why.consultation
    assert sorted(event.before["flags"]) == sorted(event.after["flags"]) == sorted(flag.pk for flag in closed)
    assert (event.before["status"], event.after["status"], event.after["decision"]) == ("open", "hidden", "hide")
    assert (event.after["answers"], event.after["reason"]) == (2, "Advertising.")
    assert not answer_text_in_audit([first, second, left])

    page = client.get(response["Location"]).content.decode()
    assert "2 answers hidden." in page


def test_approving_a_selection_needs_no_reason(client: Client, why: Question) -> None:
    answer, flags = flagged_answer(why, "A long answer that read as generated.", Flag.Reason.GENERATED)
    sign_in(client, why.consultation, "lead")
    response = client.post(queue(why.consultation), {"flags": [flags[0].pk], "decision": "approve"}, follow=True)
    assert "1 answer approved." in response.content.decode()
    assert Flag.objects.get(pk=flags[0].pk).status == Flag.Status.APPROVED
    answer.refresh_from_db()
    assert answer.visibility == Answer.Visibility.VISIBLE
    event = AuditEvent.objects.get(action="flag.bulk_resolved")
    assert (event.after["flags"], event.after["decision"], event.after["reason"]) == ([flags[0].pk], "approve", "")
    assert AuditEvent.objects.filter(action="answer.approve").count() == 1


@pytest.mark.parametrize(
    ("data", "error", "anchor"),
    [
        ({"decision": "hide", "reason": "Spam."}, "Select at least one answer", "#id_flags_0"),
        ({"flags": "SELECTED"}, "Select whether to approve or hide the selected answers", "#id_decision_0"),
        ({"flags": "SELECTED", "decision": "hide"}, "Enter the reason for hiding the answers", "#id_reason"),
        (
            {"flags": "SELECTED", "decision": "hide", "reason": "x" * 1001},
            "Reason must be 1000 characters or fewer",
            "#id_reason",
        ),
        (
            {"flags": "SELECTED", "decision": "redact", "reason": "Spam."},
            "Select whether to approve or hide",
            "#id_decision_0",
        ),
        (
            {"flags": "FOREIGN", "decision": "hide", "reason": "Spam."},
            "Select answers from the moderation queue",
            "#id_flags_0",
        ),
        ({"flags": "not-a-number", "decision": "approve"}, "Select answers from the moderation queue", "#id_flags_0"),
    ],
)
def test_a_bulk_decision_with_errors_changes_nothing_and_says_what_is_wrong(
    client: Client, why: Question, data: dict[str, str], error: str, anchor: str
) -> None:
    answer, flags = flagged_answer(why, "Buy cheap watches now.", Flag.Reason.SPAM)
    other = make_consultation(phase="open", department=why.consultation.department)
    _, foreign = flagged_answer(other.questions.get(position=2), "Another consultation's spam.", Flag.Reason.SPAM)
    sign_in(client, why.consultation, "moderator")
    stand_ins = {"SELECTED": flags[0].pk, "FOREIGN": foreign[0].pk}
    data = {name: stand_ins.get(value, value) for name, value in data.items()}

    response = client.post(queue(why.consultation), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html and error in html
    assert f'href="{anchor}"' in html
    assert html.count("<title>Error: ") == 1
    if data.get("flags") == flags[0].pk:  # what was ticked stays ticked
        assert f'value="{flags[0].pk}" checked' in html
    assert Flag.objects.filter(status=Flag.Status.OPEN).count() == 2
    answer.refresh_from_db()
    assert answer.visibility == Answer.Visibility.VISIBLE
    assert not AuditEvent.objects.exists()


def test_when_another_moderator_decided_a_selected_answer_meanwhile_nothing_changes(
    client: Client, why: Question
) -> None:
    first, first_flags = flagged_answer(why, "Buy cheap watches now.", Flag.Reason.SPAM)
    taken, taken_flags = flagged_answer(why, "Buy cheap shoes now.", Flag.Reason.SPAM)
    sign_in(client, why.consultation, "moderator")
    other = Client()
    other_moderator = sign_in(other, why.consultation, "moderator")
    # The other moderator approves one of the answers after the queue was shown to the first.
    other.post(reverse("workspace_flag", args=[why.consultation.slug, taken_flags[0].pk]), {"decision": "approve"})

    selection = {"flags": [first_flags[0].pk, taken_flags[0].pk], "decision": "hide", "reason": "Advertising."}
    response = client.post(queue(why.consultation), selection)
    assert response.status_code == 409
    html = response.content.decode()
    assert "There is a problem" in html
    assert (
        f"The answer in response {taken.response.reference} was decided by another moderator after you selected it, "
        "so nothing was changed" in html
    )
    assert f'value="{first_flags[0].pk}" checked' in html  # the rest stays selected, to apply again
    assert f'value="{taken_flags[0].pk}"' not in html  # no longer waiting
    assert open_reasons(first) == {Flag.Reason.SPAM}
    flag = Flag.objects.get(pk=taken_flags[0].pk)
    assert (flag.status, flag.decided_by) == (Flag.Status.APPROVED, other_moderator)
    assert not AuditEvent.objects.filter(action__in=["answer.hide", "flag.bulk_resolved"]).exists()

    again = client.post(queue(why.consultation), {**selection, "flags": [first_flags[0].pk]})
    assert again.status_code == 302
    assert open_reasons(first) == set()


def test_when_every_selected_answer_was_decided_meanwhile_the_empty_queue_still_says_so(
    client: Client, why: Question
) -> None:
    answer, flags = flagged_answer(why, "Buy cheap watches now.", Flag.Reason.SPAM)
    sign_in(client, why.consultation, "moderator")
    other = Client()
    sign_in(other, why.consultation, "lead")
    other.post(
        reverse("workspace_flag", args=[why.consultation.slug, flags[0].pk]),
        {"decision": "hide", "hide-reason": "Advertising."},
    )
    response = client.post(queue(why.consultation), {"flags": [flags[0].pk], "decision": "approve"})
    assert response.status_code == 409
    html = response.content.decode()
    assert 'href="#id_flags_0"' in html and 'id="id_flags_0"' in html
    assert f"The answer in response {answer.response.reference} was decided by another moderator" in html
    assert "No answers are waiting" in html
    assert Flag.objects.get(pk=flags[0].pk).status == Flag.Status.HIDDEN


def test_the_same_selection_decided_differently_in_another_window_changes_nothing(
    client: Client, why: Question
) -> None:
    answer, flags = flagged_answer(why, "Buy cheap watches now.", Flag.Reason.SPAM)
    sign_in(client, why.consultation, "moderator")
    client.post(queue(why.consultation), {"flags": [flags[0].pk], "decision": "approve"})
    response = client.post(queue(why.consultation), {"flags": [flags[0].pk], "decision": "hide", "reason": "Spam."})
    assert response.status_code == 409
    assert Flag.objects.get(pk=flags[0].pk).status == Flag.Status.APPROVED
    answer.refresh_from_db()
    assert answer.visibility == Answer.Visibility.VISIBLE
    assert AuditEvent.objects.filter(action="flag.bulk_resolved").count() == 1


def test_a_selection_sent_twice_is_decided_once(client: Client, why: Question) -> None:
    answers = [flagged_answer(why, f"Buy cheap watches number {n}.", Flag.Reason.SPAM) for n in range(3)]
    moderator = sign_in(client, why.consultation, "moderator")
    selection = {"flags": [flags[0].pk for _, flags in answers], "decision": "hide", "reason": "Advertising."}
    first = client.post(queue(why.consultation), selection)
    decided_at = {flag.pk: flag.decided_at for flag in Flag.objects.all()}

    second = client.post(queue(why.consultation), selection, follow=True)
    assert first.status_code == 302 and second.status_code == 200
    assert "You had already decided these answers. Nothing changed." in second.content.decode()
    assert {flag.pk: flag.decided_at for flag in Flag.objects.all()} == decided_at
    assert AuditEvent.objects.filter(action="flag.bulk_resolved", actor=moderator).count() == 1
    assert AuditEvent.objects.filter(action="answer.hide", actor=moderator).count() == 3


def test_an_analyst_cannot_decide_for_a_selection(client: Client, why: Question) -> None:
    _, flags = flagged_answer(why, "Buy cheap watches now.", Flag.Reason.SPAM)
    sign_in(client, why.consultation, "analyst")
    response = client.post(queue(why.consultation), {"flags": [flags[0].pk], "decision": "approve"})
    assert response.status_code == 403
    assert Flag.objects.get(pk=flags[0].pk).status == Flag.Status.OPEN


# --- A whole campaign ----------------------------------------------------------------------------


@pytest.fixture
def analysed(why: Question, django_capture_on_commit_callbacks) -> AnalysisRun:
    return analyse_with_a_campaign(why, django_capture_on_commit_callbacks)


def test_a_moderator_hides_a_whole_campaign_in_one_decision_leaving_copies_with_other_flags(
    client: Client, why: Question, analysed: AnalysisRun
) -> None:
    copies = list(Flag.objects.filter(reason=Flag.Reason.CAMPAIGN, status=Flag.Status.OPEN).order_by("pk"))
    assert len(copies) >= 4
    also_personal = copies[0].answer
    Flag.objects.create(answer=also_personal, reason=Flag.Reason.PERSONAL_DATA, detail="Personal data: name.")
    campaign = CampaignMember.objects.get(answer=also_personal, campaign__run=analysed).campaign
    moderator = sign_in(client, why.consultation, "moderator")

    queue = client.get(reverse("workspace_moderation", args=[why.consultation.slug]))
    page = queue.content.decode()
    assert "Campaigns waiting" in page
    assert f"{len(copies)} of {campaign.member_count}" in page
    url = reverse("workspace_campaign", args=[why.consultation.slug, campaign.pk])
    assert url in page

    refused = client.post(url, {"decision": "hide"})
    assert refused.status_code == 400
    assert "Enter the reason for your decision" in refused.content.decode()
    assert Flag.objects.filter(reason=Flag.Reason.CAMPAIGN, status=Flag.Status.OPEN).count() == len(copies)

    done = client.post(url, {"decision": "hide", "reason": "An organised copy-paste: counted once already."})
    assert done.status_code == 302
    hidden = Answer.objects.filter(visibility=Answer.Visibility.HIDDEN)
    assert {answer.pk for answer in hidden} == {flag.answer_id for flag in copies[1:]}
    # The copy flagged for personal data too waits for a decision of its own.
    assert open_reasons(also_personal) == {Flag.Reason.CAMPAIGN, Flag.Reason.PERSONAL_DATA}
    assert AuditEvent.objects.filter(action="answer.hide", actor=moderator).count() == len(copies) - 1
    event = AuditEvent.objects.get(action="flag.bulk_resolved")
    assert (event.object_type, event.object_id) == ("campaign", str(campaign.pk))
    assert sorted(event.after["flags"]) == [flag.pk for flag in copies[1:]]
    assert (event.after["decision"], event.after["answers"], event.after["reason"]) == (
        "hide",
        len(copies) - 1,
        "An organised copy-paste: counted once already.",
    )
    assert not answer_text_in_audit(list(Answer.objects.all()))
    left = client.get(url).content.decode()
    assert also_personal.response.reference in left


def test_an_analyst_cannot_decide_for_a_campaign(client: Client, why: Question, analysed: AnalysisRun) -> None:
    campaign = CampaignMember.objects.filter(campaign__run=analysed).first().campaign
    sign_in(client, why.consultation, "analyst")
    url = reverse("workspace_campaign", args=[why.consultation.slug, campaign.pk])
    assert client.post(url, {"decision": "approve", "reason": "Fine."}).status_code == 403
    assert Flag.objects.filter(reason=Flag.Reason.CAMPAIGN, status=Flag.Status.OPEN).count() >= 4


def test_a_campaign_decision_sent_twice_is_decided_once(client: Client, why: Question, analysed: AnalysisRun) -> None:
    campaign = CampaignMember.objects.filter(campaign__run=analysed).first().campaign
    moderator = sign_in(client, why.consultation, "moderator")
    url = reverse("workspace_campaign", args=[why.consultation.slug, campaign.pk])
    decision = {"decision": "approve", "reason": "A campaign is a fair way to be heard."}
    first = client.post(url, decision, follow=True)
    copies = AuditEvent.objects.filter(action="answer.approve", actor=moderator).count()
    assert copies >= 4
    assert f"{copies} copies of the campaign approved." in first.content.decode()

    second = client.post(url, decision, follow=True)
    assert "No copy of the campaign was waiting for a decision. Nothing changed." in second.content.decode()
    assert AuditEvent.objects.filter(action="answer.approve", actor=moderator).count() == copies
    assert AuditEvent.objects.filter(action="flag.bulk_resolved").count() == 1
    assert not Flag.objects.filter(reason=Flag.Reason.CAMPAIGN, status=Flag.Status.OPEN).exists()

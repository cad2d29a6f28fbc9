"""Moderation: raising flags on answers, and moderators' decisions on them.

The analysis raises flags by itself (`flag_answers`) when an answer arrives and during every run;
any official may report an answer (`report_answer`). A moderator then approves, redacts or hides
the answer, which closes every open flag on it with that decision.

A flag the analysis raises is raised once: while it is open it is not raised again, and once a
moderator has decided it, the same reason is not raised again on the same answer unless the
answer changed after the decision. "Changed" is read from `Answer.updated_at`, which every save of
an answer moves (a respondent's edit, a moderator's redaction); decisions are stamped after the
moderator's own save, so their own change never counts. See docs/decisions/0005-moderation.md.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from consult.analysis import moderation as detectors
from consult.analysis import redaction
from consult.json_types import JSONObject
from consult.models import Answer, Campaign, Consultation, Flag, RedactedOriginal, User
from consult.queries.workspace.moderation import campaign_copies_waiting
from consult.services.audit import record

# The reasons the analysis raises by itself; `reported` comes only from people.
AUTOMATIC_REASONS = (
    Flag.Reason.PERSONAL_DATA,
    Flag.Reason.ABUSE,
    Flag.Reason.SPAM,
    Flag.Reason.GENERATED,
    Flag.Reason.CAMPAIGN,
)
# Existing flags are read back for this many answers at a time.
_CHUNK = 2000


class AlreadyDecided(Exception):
    """The answer has no open flag left: another moderator decided it first."""


# --- Flags the analysis raises ------------------------------------------------------------------


def automatic_findings(answer: Answer) -> list[detectors.ModerationFinding]:
    """What the analysis finds in one answer: personal data (as the redaction recorded it), and
    abuse, spam or generated text in its redacted text."""
    text = answer.redacted_text or answer.text
    findings = []
    if answer.has_personal_data:
        findings.append(
            detectors.describe_personal_data(answer.redacted_text)
            or detectors.ModerationFinding(detectors.Concern.PERSONAL_DATA, "Personal data found.")
        )
    findings.extend(detectors.screen(text))
    return findings


def flag_answers(
    answers: Iterable[Answer], *, campaign_copies: Mapping[int, str] | None = None, screen: bool = True
) -> int:
    """Raise the automatic flags the answers call for. Returns how many new flags were raised.

    `answers` must have been redacted (see `consult.services.runs.redact_answers`).
    `campaign_copies` maps the id of an answer that copies a campaign's text (never the campaign's
    own original) to the detail to show; those answers must be among `answers`. Hidden answers
    and answers of responses that are not submitted are left alone. Idempotent: see the module's
    docstring for when a reason is raised again. `screen=False` raises only the campaign flags
    (the answers were screened already).
    """
    answers = [answer for answer in answers if not answer.is_hidden and answer.response.is_submitted]
    updated_at = {answer.pk: answer.updated_at for answer in answers}
    wanted: dict[tuple[int, str], str] = {}
    for answer in answers if screen else ():
        for finding in automatic_findings(answer):
            wanted[(answer.pk, finding.concern.value)] = finding.detail
    for answer_id, detail in (campaign_copies or {}).items():
        if answer_id in updated_at:
            wanted[(answer_id, Flag.Reason.CAMPAIGN.value)] = detail
    if not wanted:
        return 0
    settled = _settled(list({answer_id for answer_id, _ in wanted}), updated_at)
    new = [
        Flag(answer_id=answer_id, reason=reason, detail=detail)
        for (answer_id, reason), detail in wanted.items()
        if (answer_id, reason) not in settled
    ]
    # A flag raised at the same moment by another worker (a run and an arrival) is left to it.
    created = Flag.objects.bulk_create(new, batch_size=1000, ignore_conflicts=True)
    return len(created)


def _settled(answer_ids: list[int], updated_at: Mapping[int, datetime]) -> set[tuple[int, str]]:
    """The (answer, reason) pairs not to raise: open already, or decided since the answer last
    changed."""
    settled: set[tuple[int, str]] = set()
    for start in range(0, len(answer_ids), _CHUNK):
        rows = Flag.objects.filter(answer_id__in=answer_ids[start : start + _CHUNK], reason__in=AUTOMATIC_REASONS)
        for answer_id, reason, status, decided_at in rows.values_list("answer_id", "reason", "status", "decided_at"):
            if status == Flag.Status.OPEN or (decided_at is not None and updated_at[answer_id] <= decided_at):
                settled.add((answer_id, reason))
    return settled


def campaign_copy_detail(member_count: int) -> str:
    """What a campaign flag says about the copy it is on."""
    return f"A copy of a campaign text that {member_count} answers share."


# --- What people do -----------------------------------------------------------------------------


def report_answer(answer: Answer, actor: User, reason: str) -> Flag:
    """Report an answer to the moderators, with the official's reason.

    An answer already reported and waiting has one open report: a second report adds its reason
    to that one's detail, so that no reason is lost.
    """
    consultation = answer.response.consultation
    with transaction.atomic():
        existing = (
            Flag.objects.select_for_update()
            .filter(answer=answer, reason=Flag.Reason.REPORTED, status=Flag.Status.OPEN)
            .first()
        )
        if existing is None:
            try:
                with transaction.atomic():
                    flag = Flag.objects.create(
                        answer=answer, reason=Flag.Reason.REPORTED, detail=reason, reported_by=actor
                    )
            except IntegrityError:
                # Another official reported it in the same instant: join their report.
                existing = Flag.objects.select_for_update().get(
                    answer=answer, reason=Flag.Reason.REPORTED, status=Flag.Status.OPEN
                )
        if existing is not None:
            existing.detail = f"{existing.detail}\n\n{reason}"
            existing.save(update_fields=["detail"])
            flag = existing
        record(consultation, actor, "answer.report", answer, after={"flag": flag.pk, "reason": reason})
    return flag


def approve_answer(answer: Answer, actor: User, reason: str = "") -> list[Flag]:
    """Approve an answer as it stands: every open flag on it is closed as approved."""
    with transaction.atomic():
        # Locked as every decision locks it, so that two decisions on one answer wait in turn.
        Answer.objects.select_for_update().values_list("pk", flat=True).get(pk=answer.pk)
        flags = _open_flags(answer)
        _close(flags, Flag.Status.APPROVED, actor, reason)
        record(
            answer.response.consultation,
            actor,
            "answer.approve",
            answer,
            before={"flags": _flag_states(flags, Flag.Status.OPEN)},
            after={"flags": _flag_states(flags, Flag.Status.APPROVED), "reason": reason},
        )
    return flags


def redact_answer(answer: Answer, actor: User, text: str, reason: str) -> list[Flag]:
    """Replace an answer's text with the moderator's redacted `text`, keeping the original apart.

    The original goes to `RedactedOriginal` (only the first: redacting again keeps the
    respondent's own words, not an earlier redaction), which only officials allowed to see
    originals can read. The new text is redacted for personal data again, as on arrival, so the
    analysis reads it at its next run. The audit records the decision, never either text.
    """
    with transaction.atomic():
        locked = Answer.objects.select_for_update().get(pk=answer.pk)
        flags = _open_flags(locked)
        before = {"visibility": locked.visibility, "flags": _flag_states(flags, Flag.Status.OPEN)}
        RedactedOriginal.objects.get_or_create(
            answer=locked, defaults={"original_text": locked.text, "reason": reason, "redacted_by": actor}
        )
        result = redaction.redact(text)
        locked.text = text
        locked.redacted_text = result.text
        locked.has_personal_data = result.has_personal_data
        locked.redaction_version = redaction.REDACTION_VERSION
        locked.visibility = Answer.Visibility.REDACTED
        locked.save(
            update_fields=[
                "text",
                "redacted_text",
                "has_personal_data",
                "redaction_version",
                "visibility",
                "updated_at",
            ]
        )
        _close(flags, Flag.Status.REDACTED, actor, reason)
        record(
            locked.response.consultation,
            actor,
            "answer.redact",
            locked,
            before=before,
            after={
                "visibility": locked.visibility,
                "flags": _flag_states(flags, Flag.Status.REDACTED),
                "reason": reason,
            },
        )
    _refresh(answer, locked)
    return flags


def hide_answer(answer: Answer, actor: User, reason: str) -> list[Flag]:
    """Hide an answer: it leaves the analysis at the next run and is never published."""
    with transaction.atomic():
        locked = Answer.objects.select_for_update().get(pk=answer.pk)
        flags = _open_flags(locked)
        before = {"visibility": locked.visibility, "flags": _flag_states(flags, Flag.Status.OPEN)}
        locked.visibility = Answer.Visibility.HIDDEN
        locked.save(update_fields=["visibility", "updated_at"])
        _close(flags, Flag.Status.HIDDEN, actor, reason)
        record(
            locked.response.consultation,
            actor,
            "answer.hide",
            locked,
            before=before,
            after={"visibility": locked.visibility, "flags": _flag_states(flags, Flag.Status.HIDDEN), "reason": reason},
        )
    _refresh(answer, locked)
    return flags


# The decisions one action can take for many answers at once: redacting needs each answer's text.
BULK_DECISIONS: dict[str, str] = {"approve": Flag.Status.APPROVED, "hide": Flag.Status.HIDDEN}


class DecidedMeanwhile(Exception):
    """Some of the selected flags were decided since the official chose them, by someone else or
    differently: nothing was changed."""

    def __init__(self, flags: list[Flag]) -> None:
        super().__init__([flag.pk for flag in flags])
        self.flags = flags


def decide_flags(
    consultation: Consultation, flag_ids: Iterable[int], actor: User, decision: str, reason: str
) -> list[Flag]:
    """Approve or hide, in one action, the answers of the flags an official selected in the queue.

    All or nothing, in one transaction: when any selected flag was decided meanwhile by someone
    else, or with another decision, nothing changes and `DecidedMeanwhile` names those flags, for
    the official to check the selection again. A flag this official already closed with this same
    decision counts as done, so that a form sent twice decides once. Each answer's decision closes
    every open flag on it and is audited as if taken on its own page; one "flag.bulk_resolved"
    event records the action. Returns the flags closed now (none when the action was done already).
    """
    status = _bulk_status(decision)
    flag_ids = list(flag_ids)
    with transaction.atomic():
        answer_ids = Flag.objects.filter(pk__in=flag_ids, answer__response__consultation=consultation).values(
            "answer_id"
        )
        # Answers before flags, each in id order: the order every decision locks them in.
        answers = _locked_answers(Answer.objects.filter(pk__in=answer_ids))
        selected = list(
            Flag.objects.select_for_update(of=("self",))
            .filter(pk__in=flag_ids, answer__in=answers)
            .select_related("answer__response")
            .order_by("pk")
        )
        taken = [
            flag
            for flag in selected
            if flag.status != Flag.Status.OPEN and not (flag.status == status and flag.decided_by_id == actor.pk)
        ]
        if taken:
            raise DecidedMeanwhile(taken)
        waiting = {flag.answer_id for flag in selected if flag.status == Flag.Status.OPEN}
        return _decide_answers(
            consultation, [answer for answer in answers if answer.pk in waiting], actor, decision, reason
        )


def decide_campaign(campaign: Campaign, actor: User, decision: str, reason: str) -> int:
    """Approve or hide, in one decision, every copy of a campaign whose only open flags are campaign
    flags; copies flagged for something else too (personal data, abuse) are left for a decision
    of their own, and copies another moderator decided meanwhile keep that decision. Each copy's
    decision is audited as if taken on its own page, and one "flag.bulk_resolved" event records
    the campaign decision. Returns how many copies were decided: none when no copy waits, as when
    the form is sent twice."""
    _bulk_status(decision)
    consultation = campaign.question.consultation
    alone, _ = campaign_copies_waiting(campaign)
    with transaction.atomic():
        answers = _locked_answers(Answer.objects.filter(pk__in=alone))
        waiting = set(
            Flag.objects.filter(answer__in=answers, status=Flag.Status.OPEN).values_list("answer_id", flat=True)
        )
        answers = [answer for answer in answers if answer.pk in waiting]
        _decide_answers(consultation, answers, actor, decision, reason, campaign)
    return len(answers)


def _bulk_status(decision: str) -> str:
    if decision not in BULK_DECISIONS:
        raise ValueError(f"unknown decision {decision!r}")
    return BULK_DECISIONS[decision]


def _locked_answers(answers: QuerySet[Answer]) -> list[Answer]:
    return list(
        answers.select_for_update(of=("self",)).select_related("response__consultation", "question").order_by("pk")
    )


def _decide_answers(
    consultation: Consultation,
    answers: list[Answer],
    actor: User,
    decision: str,
    reason: str,
    target: Campaign | None = None,
) -> list[Flag]:
    """Decide each answer as its own page would, and record the whole as one bulk action (nothing
    when there was nothing to decide). Runs inside the caller's transaction, the answers locked."""
    decide = approve_answer if decision == "approve" else hide_answer
    closed: list[Flag] = []
    for answer in answers:
        closed.extend(decide(answer, actor, reason))
    if closed:
        ids = [flag.pk for flag in closed]
        record(
            consultation,
            actor,
            "flag.bulk_resolved",
            target,
            before={"flags": ids, "status": str(Flag.Status.OPEN)},
            after={
                "flags": ids,
                "status": str(BULK_DECISIONS[decision]),
                "decision": decision,
                "answers": len(answers),
                "reason": reason,
            },
        )
    return closed


def _open_flags(answer: Answer) -> list[Flag]:
    """The answer's open flags, locked; none left means another moderator decided first."""
    flags = list(Flag.objects.select_for_update().filter(answer=answer, status=Flag.Status.OPEN).order_by("pk"))
    if not flags:
        raise AlreadyDecided(answer.pk)
    return flags


def _close(flags: list[Flag], status: str, actor: User, reason: str) -> None:
    # Stamped after any save of the answer above, so that the decision is never older than the
    # answer it decided: the analysis reads a later `Answer.updated_at` as a changed answer.
    now = timezone.now()
    Flag.objects.filter(pk__in=[flag.pk for flag in flags]).update(
        status=status, decided_by=actor, decided_at=now, decision_reason=reason
    )
    for flag in flags:
        flag.status, flag.decided_by, flag.decided_at, flag.decision_reason = status, actor, now, reason


def _flag_states(flags: list[Flag], status: str) -> list[JSONObject]:
    return [{"id": flag.pk, "reason": flag.reason, "status": str(status)} for flag in flags]


def _refresh(answer: Answer, saved: Answer) -> None:
    """Bring the caller's copy of the answer up to date with what was saved."""
    for name in ("text", "redacted_text", "has_personal_data", "redaction_version", "visibility", "updated_at"):
        setattr(answer, name, getattr(saved, name))

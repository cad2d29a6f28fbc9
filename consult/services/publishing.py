"""The outcome ("You said, we did"): draft it, approve it, publish it, tell respondents.

A lead writes the draft (summary, what the government will do, method note, and the government's
response to each reviewed theme); every save bumps `Outcome.version`, and a save, approval or
publication against an older version is refused (`StaleOutcome`), so two leads cannot silently
overwrite each other. Saving clears any approval: a lead approves the exact text that is
published. Publishing needs the consultation closed, every free-text question's themes signed
off and mapped, the content complete and approved.

Publishing freezes `Outcome.published_snapshot` (counts, themes with their government responses,
summary, decision, method note, dates) and one `OutcomeReceipt` per counted response; the public
page and receipts read only those. Later edits change nothing public until a lead approves and
publishes again with a note of what changed: the page then shows "Updated on <date>: <note>"
under the original publication date, and respondents are not emailed again.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation

from consult import emails, task_names
from consult.json_types import JSONObject
from consult.models import (
    Answer,
    Consultation,
    Outcome,
    OutcomeReceipt,
    Response,
    ReviewTheme,
    User,
)
from consult.queries.outcome import (
    SnapshotUpdate,
    build_snapshot,
    content_problems,
    counted_responses,
    outcome_version,
    published_outcome,
    publishing_problems,
    review_themes,
    themes_by_question,
)
from consult.queries.themes import answer_themes
from consult.services import outbox
from consult.services.audit import record

UPDATE_NOTE_MISSING = "Enter what changed since the outcome was last published: the public page shows it"


class StaleOutcome(Exception):
    """Someone saved the outcome after the form was drawn: its version no longer matches."""


class OutcomeNotReady(Exception):
    """The outcome cannot be approved or published yet; `problems` says what is missing."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


# --- Writes -----------------------------------------------------------------------------------


def _locked_outcome(consultation: Consultation, version: int) -> Outcome | None:
    outcome = Outcome.objects.select_for_update().filter(consultation=consultation).first()
    if outcome_version(outcome) != version:
        raise StaleOutcome(consultation.slug)
    return outcome


# The outcome's own text, in English and Welsh: what a draft saves and the audit records.
OUTCOME_TEXT = ("summary", "decision", "method_note", "summary_cy", "decision_cy", "method_note_cy")


def _draft_state(outcome: Outcome) -> JSONObject:
    return {**{name: getattr(outcome, name) for name in OUTCOME_TEXT}, "version": outcome.version}


def save_outcome_draft(
    consultation: Consultation,
    actor: User,
    *,
    version: int,
    summary: str,
    decision: str,
    method_note: str,
    government_responses: dict[int, str],
    welsh: dict[str, str] | None = None,
    theme_welsh: dict[int, dict[str, str]] | None = None,
) -> Outcome:
    """Save the draft and the government's responses to themes, with their Welsh versions; any
    approval is withdrawn, since a lead approves the exact text that is published."""
    with transaction.atomic():
        outcome = _locked_outcome(consultation, version)
        if outcome is None:
            outcome = Outcome(consultation=consultation, version=0)
            before: JSONObject = {}
        else:
            before = _draft_state(outcome)
        themes = {t.pk: t for t in review_themes(consultation)}
        changed: dict[int, dict[str, str]] = {}  # per theme, the fields whose text changes
        for pk, response in government_responses.items():
            if pk not in themes:
                continue
            wanted = {"government_response": response, **(theme_welsh or {}).get(pk, {})}
            fields = {name: text for name, text in wanted.items() if getattr(themes[pk], name) != text}
            if fields:
                # Only these fields: the theme's English label and description belong to the review.
                ReviewTheme.objects.filter(pk=pk).update(**fields)
                changed[pk] = fields
        was_approved = outcome.approved_at is not None
        outcome.summary, outcome.decision, outcome.method_note = summary, decision, method_note
        for name, text in (welsh or {}).items():
            setattr(outcome, name, text)
        outcome.version += 1
        outcome.approved_by = outcome.approved_at = None
        outcome.save()
        if changed:
            before["themes"] = {
                str(pk): {name: getattr(themes[pk], name) for name in fields} for pk, fields in changed.items()
            }
        after = {**_draft_state(outcome), "approval_withdrawn": was_approved}
        if changed:
            after["themes"] = {str(pk): fields for pk, fields in changed.items()}
        record(consultation, actor, "outcome.save", outcome, before=before, after=after)
    return outcome


def approve_outcome(consultation: Consultation, actor: User, *, version: int) -> Outcome:
    with transaction.atomic():
        outcome = _locked_outcome(consultation, version)
        problems = content_problems(consultation, outcome)
        if problems:
            raise OutcomeNotReady(problems)
        outcome.approved_by = actor  # type: ignore[assignment]
        outcome.approved_at = timezone.now()
        outcome.save(update_fields=["approved_by", "approved_at", "updated_at"])
        record(consultation, actor, "outcome.approve", outcome, after={"version": outcome.version})
    return outcome


def publish_outcome(
    consultation: Consultation, actor: User, *, version: int, update_note: str = "", update_note_cy: str = ""
) -> Outcome:
    """Publish the approved outcome, or publish an update of it with a note of what changed (and,
    optionally, its Welsh version).

    The first publication sets the consultation's `outcome_published_at` (its phase becomes
    "outcome published") and emails respondents once the transaction commits.
    """
    with transaction.atomic():
        consultation = Consultation.objects.select_for_update().get(pk=consultation.pk)
        outcome = _locked_outcome(consultation, version)
        problems = publishing_problems(consultation, outcome)
        is_update = outcome is not None and outcome.is_published
        if is_update and not update_note.strip():
            problems.append(UPDATE_NOTE_MISSING)
        if problems:
            raise OutcomeNotReady(problems)
        assert outcome is not None
        now = timezone.now()
        before = outcome.published_snapshot
        snapshot = build_snapshot(consultation, outcome)
        if is_update:
            snapshot["published_at"] = before["published_at"]
            update: SnapshotUpdate = {
                "at": now.isoformat(),
                "note": update_note.strip(),
                "note_cy": update_note_cy.strip(),
            }
            snapshot["updates"] = [*before.get("updates", []), update]
        else:
            snapshot["published_at"] = now.isoformat()
            snapshot["updates"] = []
            outcome.published_at = now
            outcome.published_by = actor  # type: ignore[assignment]
        outcome.published_snapshot = snapshot
        outcome.save()
        if consultation.outcome_published_at is None:
            consultation.outcome_published_at = now
            consultation.save(update_fields=["outcome_published_at", "updated_at"])
        _freeze_receipts(consultation, now)
        record(
            consultation,
            actor,
            "outcome.update_published" if is_update else "outcome.publish",
            outcome,
            before=before,
            after=snapshot,
        )
        if not is_update:
            outbox.enqueue(task_names.SEND_OUTCOME_EMAILS, consultation.pk)
    return outcome


def _freeze_receipts(consultation: Consultation, now: datetime) -> None:
    """Write, for every counted response, the published themes its visible answers counted
    towards; a response no longer counted keeps its row (its email marker) with no themes."""
    themes_of = answer_themes(consultation)
    per_response: dict[int, dict[str, list[str]]] = {}
    for response_id in counted_responses(consultation).values_list("pk", flat=True).iterator(chunk_size=5000):
        per_response[response_id] = {}
    answers = (
        Answer.objects.filter(response_id__in=counted_responses(consultation).values("pk"), question__kind="free_text")
        .visible()
        .values_list("pk", "response_id", "question_id")
    )
    for answer_id, response_id, question_id in answers.iterator(chunk_size=5000):
        labels = themes_of.get(answer_id)
        if labels:
            per_response[response_id][str(question_id)] = labels
    OutcomeReceipt.objects.bulk_create(
        [OutcomeReceipt(response_id=pk, themes=themes) for pk, themes in per_response.items()],
        batch_size=2000,
        update_conflicts=True,
        unique_fields=["response"],
        update_fields=["themes", "updated_at"],
    )
    OutcomeReceipt.objects.filter(response__consultation=consultation, updated_at__lt=now).update(themes={})


def record_export(consultation: Consultation, actor: User, export_format: str, response_count: int) -> None:
    """Put an export in the audit trail: who took which responses out of the service, when."""
    record(consultation, actor, f"export.{export_format}", after={"format": export_format, "responses": response_count})


# --- Emails -----------------------------------------------------------------------------------


def send_outcome_emails(consultation_id: int) -> int:
    """Email every counted respondent who gave an address that the outcome is published, once.

    Each email is sent inside the transaction that marks its receipt as sent, one receipt at a
    time and with the row locked: a retried or duplicated task skips what was sent, and a
    failure to send rolls the mark back, so the retry sends it. Returns how many were sent.
    """
    consultation = Consultation.objects.select_related("department").get(pk=consultation_id)
    page = published_outcome(consultation)
    if page is None:
        return 0
    pending = list(
        OutcomeReceipt.objects.filter(
            Response.submitted_q("response__"),
            response__consultation=consultation,
            email_sent_at__isnull=True,
        )
        .exclude(response__email="")
        .values_list("pk", flat=True)
    )
    sent = 0
    for receipt_id in pending:
        with transaction.atomic():
            receipt = (
                OutcomeReceipt.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("response")
                .filter(pk=receipt_id, email_sent_at__isnull=True)
                .first()
            )
            if receipt is None:
                continue  # sent meanwhile, or being sent by another worker
            receipt.response.consultation = consultation
            with translation.override(receipt.response.language or settings.LANGUAGE_CODE):
                themes = themes_by_question(page.snapshot, receipt.themes)  # in the email's language
            emails.send_outcome_published(receipt.response, themes)
            receipt.email_sent_at = timezone.now()
            receipt.save(update_fields=["email_sent_at", "updated_at"])
            sent += 1
    Outcome.objects.filter(consultation=consultation, emails_sent_at__isnull=True).update(emails_sent_at=timezone.now())
    return sent

"""Writes for citizens' data rights: deleting an account, and purging respondents' personal data
once a consultation's outcome has been public for `RETENTION_DAYS_AFTER_OUTCOME` days.

Both keep the answers people sent, anonymised, because the record of what a consultation heard is
part of how the government must account for its decision (docs/decisions/0010-retention.md).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.template.loader import render_to_string
from django.utils import timezone, translation

from consult.analysis import redaction
from consult.analysis.redaction import REDACTION_VERSION
from consult.models import (
    Answer,
    Consultation,
    ConsultationQuerySet,
    EqualityInformation,
    FalseSubmissionReport,
    OrganisationInvitation,
    RedactedOriginal,
    Response,
    User,
)
from consult.queries.data_rights import verified_addresses, why_account_cannot_be_deleted
from consult.services.audit import record


class AccountNotDeletable(Exception):
    """The account may not be deleted by its owner; the message says why and what to do."""


# --- Deleting an account ----------------------------------------------------------------------


def delete_account(user: User) -> None:
    """Delete the person's account: drafts go, sent and withdrawn responses stay anonymised, and
    their equality information goes.

    The user row itself is deleted, which ends every session it had on any device: Django finds no
    user behind them at their next request. The confirmation email goes to the address being
    forgotten once the deletion has committed; it is sent from here, not by a task, because a task
    would have to carry the address through the broker after the account is gone.
    """
    reason = why_account_cannot_be_deleted(user)
    if reason:
        raise AccountNotDeletable(reason)
    address = user.email
    language = translation.get_language()
    given_anywhere = Q()
    for each in verified_addresses(user):
        given_anywhere |= Q(email__iexact=each)
    with transaction.atomic():
        responses = Response.objects.filter(user=user)
        EqualityInformation.objects.filter(response__in=responses).delete()
        # An organisation's shared draft belongs to the organisation, not to whoever started it.
        responses.filter(status=Response.Status.DRAFT, organisation__isnull=True).delete()
        responses.update(user=None, email="", updated_at=timezone.now())
        # The address is forgotten wherever it was given: a response sent before the account
        # existed, an organisation's response the person started, an invitation to join one.
        Response.objects.filter(given_anywhere).update(email="")
        OrganisationInvitation.objects.filter(given_anywhere).delete()
        # Follows, notification preferences and organisation memberships go with the user row.
        User.objects.filter(pk=user.pk).delete()
    transaction.on_commit(lambda: _send_account_deleted(address, language))


def _send_account_deleted(address: str, language: str | None) -> None:
    with translation.override(language):
        context = {"site_name": settings.SITE_NAME, "site_url": settings.SITE_URL}
        subject = render_to_string("emails/account_deleted_subject.txt", context).strip()
        body = render_to_string("emails/account_deleted.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [address])


# --- Retention --------------------------------------------------------------------------------


@dataclass(frozen=True)
class PurgeCounts:
    """What a purge removed (or, in a dry run, would remove) from one consultation."""

    drafts_deleted: int = 0
    emails_cleared: int = 0
    accounts_unlinked: int = 0
    external_ids_cleared: int = 0
    equality_information_deleted: int = 0
    individual_organisation_names_cleared: int = 0
    answers_replaced_by_redacted_text: int = 0
    moderator_originals_deleted: int = 0
    report_emails_cleared: int = 0

    @property
    def total(self) -> int:
        return sum(asdict(self).values())


def consultations_due_for_purge(now: datetime | None = None) -> ConsultationQuerySet:
    """Consultations whose outcome was published more than the retention period ago and whose
    personal data has not been purged yet."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.RETENTION_DAYS_AFTER_OUTCOME)
    return Consultation.objects.filter(
        outcome_published_at__isnull=False,
        outcome_published_at__lte=cutoff,
        personal_data_purged_at__isnull=True,
    ).order_by("outcome_published_at", "pk")


def _answers_to_replace(consultation: Consultation) -> QuerySet[Answer]:
    """Answers whose text still differs from their redacted text: the redacted text, which the
    analysis and every published theme and summary were made from, replaces the original."""
    return (
        Answer.objects.filter(response__consultation=consultation)
        .exclude(redaction_version="")
        .exclude(redacted_text="")
        .exclude(text=F("redacted_text"))
    )


def _unredacted(consultation: Consultation) -> QuerySet[Answer]:
    """Answers kept by the purge that the current redaction rules have not read yet."""
    return (
        Answer.objects.filter(response__consultation=consultation)
        .exclude(response__status=Response.Status.DRAFT)
        .exclude(text="")
        .exclude(redaction_version=REDACTION_VERSION)
    )


def purge_counts(consultation: Consultation) -> PurgeCounts:
    """What purging the consultation would remove now (the dry run's numbers)."""
    responses = Response.objects.filter(consultation=consultation)
    kept = responses.exclude(status=Response.Status.DRAFT)
    return PurgeCounts(
        drafts_deleted=responses.filter(status=Response.Status.DRAFT).count(),
        emails_cleared=kept.exclude(email="").count(),
        accounts_unlinked=kept.filter(Q(user__isnull=False) | Q(signed_off_by__isnull=False)).count(),
        external_ids_cleared=kept.exclude(external_id="").count(),
        equality_information_deleted=EqualityInformation.objects.filter(response__in=kept).count(),
        individual_organisation_names_cleared=kept.filter(respondent_type=Response.RespondentType.INDIVIDUAL)
        .exclude(organisation_name="")
        .count(),
        answers_replaced_by_redacted_text=_answers_to_replace(consultation)
        .filter(redaction_version=REDACTION_VERSION)
        .count()
        + sum(redaction.redact(text).text != text for text in _unredacted(consultation).values_list("text", flat=True)),
        moderator_originals_deleted=RedactedOriginal.objects.filter(
            answer__response__consultation=consultation
        ).count(),
        report_emails_cleared=FalseSubmissionReport.objects.filter(consultation=consultation).exclude(email="").count(),
    )


def purge_personal_data(consultation: Consultation, *, now: datetime | None = None) -> PurgeCounts:
    """Remove respondents' personal data from one consultation, keeping its anonymised answers.

    Answers not yet redacted by the current rules are redacted first (as the analysis would), so
    that every answer with personal data has a redacted text to keep. Themes, summaries, campaigns
    and counts were made from redacted text and answers stay where they are, so they stay valid.
    Idempotent: a second purge finds nothing left to remove, and records nothing.
    """
    from consult.services.runs import redact_answers  # numpy, loaded only by the command

    now = now or timezone.now()
    with transaction.atomic():
        locked = Consultation.objects.select_for_update().get(pk=consultation.pk)
        counts = purge_counts(locked)
        redact_answers(_unredacted(locked))
        responses = Response.objects.filter(consultation=locked)
        responses.filter(status=Response.Status.DRAFT).delete()
        EqualityInformation.objects.filter(response__consultation=locked).delete()
        RedactedOriginal.objects.filter(answer__response__consultation=locked).delete()
        # Whoever reported a false submission gave an address to be answered at; it has been.
        FalseSubmissionReport.objects.filter(consultation=locked).exclude(email="").update(email="")
        _answers_to_replace(locked).update(text=F("redacted_text"))
        responses.filter(respondent_type=Response.RespondentType.INDIVIDUAL).exclude(organisation_name="").update(
            organisation_name=""
        )
        responses.filter(
            ~Q(email="") | Q(user__isnull=False) | ~Q(external_id="") | Q(signed_off_by__isnull=False)
        ).update(email="", user=None, external_id="", signed_off_by=None)
        # Recorded the first time, and again only if something was left to remove.
        if locked.personal_data_purged_at is None or counts.total:
            Consultation.objects.filter(pk=locked.pk).update(personal_data_purged_at=now)
            record(locked, None, "personal_data.purge", locked, after={**asdict(counts), "purged_at": now.isoformat()})
            consultation.personal_data_purged_at = now
    return counts


def purge_due_consultations(
    *, dry_run: bool = False, now: datetime | None = None
) -> list[tuple[Consultation, PurgeCounts]]:
    """Purge (or, with `dry_run`, count) every consultation due for it. What Celery beat runs daily."""
    purged = []
    for consultation in consultations_due_for_purge(now):
        counts = purge_counts(consultation) if dry_run else purge_personal_data(consultation, now=now)
        purged.append((consultation, counts))
    return purged


def describe(counts: PurgeCounts) -> str:
    """The counts in words, for the command's output."""
    return (
        f"{counts.drafts_deleted} drafts deleted, {counts.emails_cleared} email addresses cleared, "
        f"{counts.accounts_unlinked} accounts unlinked, {counts.external_ids_cleared} external ids cleared, "
        f"{counts.equality_information_deleted} equality records deleted, "
        f"{counts.individual_organisation_names_cleared} individuals' organisation names cleared, "
        f"{counts.answers_replaced_by_redacted_text} answers replaced by their redacted text, "
        f"{counts.moderator_originals_deleted} moderators' copies of original text deleted, "
        f"{counts.report_emails_cleared} email addresses of people who reported a false submission cleared"
    )

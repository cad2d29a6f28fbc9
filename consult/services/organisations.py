"""Writes for organisations: registering one, officials' verification, members and invitations,
the organisation's shared response and its sign-off, and reports of falsely sent responses."""

from __future__ import annotations

import secrets
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import signing
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from consult.json_types import JSONObject
from consult.models import (
    Consultation,
    FalseSubmissionReport,
    Organisation,
    OrganisationInvitation,
    OrganisationMember,
    Response,
    User,
)
from consult.services import audit
from consult.services import responses as response_services

# How long an invitation link works. Long enough for a busy volunteer, short enough that a link
# forwarded or found in an old mailbox does not open the organisation's draft for ever.
INVITATION_MAX_AGE = timedelta(days=7)
_INVITATION_SALT = "consult.organisation-invitation"


class InvitationInvalid(Exception):
    """The invitation link is forged, expired or already used."""


class InvitationForAnotherAddress(Exception):
    """The signed-in person does not hold the invited email address (verified): a forwarded or
    leaked link does not let someone else join, and so send responses in the organisation's name."""


def holds_invited_address(invitation: OrganisationInvitation, user: User) -> bool:
    return EmailAddress.objects.filter(user=user, email__iexact=invitation.email, verified=True).exists()


class NotAnAdmin(Exception):
    """Only an admin of the organisation may do this."""


class LastAdmin(Exception):
    """An organisation keeps at least one admin."""


# --- Registration and verification ------------------------------------------------------------


def register_organisation(user: User, **fields: str) -> Organisation:
    """Register an organisation; the person registering it becomes its first admin."""
    with transaction.atomic():
        organisation = Organisation.objects.create(registered_by=user, **fields)
        OrganisationMember.objects.create(organisation=organisation, user=user, role=OrganisationMember.Role.ADMIN)
    return organisation


def _decision_state(organisation: Organisation) -> JSONObject:
    return {"status": organisation.status, "reason": organisation.decision_reason}


def decide_organisation(organisation: Organisation, official: User, *, is_verified: bool, reason: str) -> None:
    """Verify or reject an organisation, with the official's reason, and audit the decision."""
    with transaction.atomic():
        locked = Organisation.objects.select_for_update().get(pk=organisation.pk)
        before = _decision_state(locked)
        locked.status = Organisation.Status.VERIFIED if is_verified else Organisation.Status.REJECTED
        locked.decision_reason = reason
        locked.decided_by = official
        locked.decided_at = timezone.now()
        locked.save(update_fields=["status", "decision_reason", "decided_by", "decided_at", "updated_at"])
        audit.record(
            None,
            official,
            "organisation.verify" if is_verified else "organisation.reject",
            locked,
            before=before,
            after=_decision_state(locked),
        )
    organisation.refresh_from_db()


# --- Members and invitations ------------------------------------------------------------------


def invitation_token(invitation: OrganisationInvitation) -> str:
    return signing.TimestampSigner(salt=_INVITATION_SALT).sign(str(invitation.pk))


def invitation_for_token(token: str) -> OrganisationInvitation:
    """The unused invitation a link opens; InvitationInvalid for a forged, expired or used link."""
    try:
        pk = signing.TimestampSigner(salt=_INVITATION_SALT).unsign(token, max_age=INVITATION_MAX_AGE)
    except signing.BadSignature:  # SignatureExpired is a BadSignature too
        raise InvitationInvalid(token) from None
    invitation = OrganisationInvitation.objects.select_related("organisation", "invited_by").filter(pk=int(pk)).first()
    if invitation is None or invitation.is_used:
        raise InvitationInvalid(token)
    return invitation


def invite_member(organisation: Organisation, inviter: User, email: str, role: str) -> OrganisationInvitation:
    """Invite someone by email; the email goes once the invitation is saved."""
    invitation = OrganisationInvitation.objects.create(
        organisation=organisation, email=email, role=role, invited_by=inviter
    )
    language = translation.get_language()
    transaction.on_commit(lambda: _send_invitation(invitation, language))
    return invitation


def _send_invitation(invitation: OrganisationInvitation, language: str | None) -> None:
    # Sent in the language of the page the inviter used.
    with translation.override(language):
        context = {
            "invitation": invitation,
            "organisation": invitation.organisation,
            "accept_url": settings.SITE_URL + reverse("accept_invitation", args=[invitation_token(invitation)]),
            "days": INVITATION_MAX_AGE.days,
            "site_name": settings.SITE_NAME,
        }
        body = render_to_string("emails/organisation_invitation.txt", context)
        subject = _("You are invited to join %(organisation)s") % {"organisation": invitation.organisation.name}
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [invitation.email])


def accept_invitation(invitation: OrganisationInvitation, user: User) -> OrganisationMember:
    """Make the signed-in person a member, if the invitation was sent to one of their verified email
    addresses (else InvitationForAnotherAddress). An invitation works once: a second use, even
    racing the first, raises InvitationInvalid. Someone already a member keeps the higher of the
    two roles."""
    if not holds_invited_address(invitation, user):
        raise InvitationForAnotherAddress(str(invitation.pk))
    with transaction.atomic():
        locked = OrganisationInvitation.objects.select_for_update().get(pk=invitation.pk)
        if locked.is_used:
            raise InvitationInvalid(str(invitation.pk))
        locked.accepted_at = timezone.now()
        locked.accepted_by = user
        locked.save(update_fields=["accepted_at", "accepted_by"])
        member, created = OrganisationMember.objects.get_or_create(
            organisation_id=locked.organisation_id, user=user, defaults={"role": locked.role}
        )
        if not created and locked.role == OrganisationMember.Role.ADMIN and not member.is_admin:
            member.role = OrganisationMember.Role.ADMIN
            member.save(update_fields=["role"])
    return member


def change_member_role(member: OrganisationMember, role: str) -> None:
    """Make a member an admin, or an admin a member. The last admin stays one (LastAdmin)."""
    with transaction.atomic():
        admins = list(
            OrganisationMember.objects.select_for_update()
            .filter(organisation_id=member.organisation_id, role=OrganisationMember.Role.ADMIN)
            .values_list("pk", flat=True)
        )
        if role != OrganisationMember.Role.ADMIN and admins == [member.pk]:
            raise LastAdmin(str(member.pk))
        OrganisationMember.objects.filter(pk=member.pk).update(role=role)
    member.role = role


def remove_member(member: OrganisationMember) -> None:
    """Remove a member. The last admin cannot be removed: someone must be able to sign off."""
    with transaction.atomic():
        admins = list(
            OrganisationMember.objects.select_for_update()
            .filter(organisation_id=member.organisation_id, role=OrganisationMember.Role.ADMIN)
            .values_list("pk", flat=True)
        )
        if admins == [member.pk]:
            raise LastAdmin(str(member.pk))
        OrganisationMember.objects.filter(pk=member.pk).delete()


# --- The organisation's response --------------------------------------------------------------


def start_organisation_response(organisation: Organisation, consultation: Consultation, user: User) -> Response:
    """The organisation's one response to a consultation: the one already started (by anyone in
    the organisation), or a new draft. It belongs to the organisation, not to the member who
    started it, so it stays out of that person's own responses."""
    if not consultation.is_open:
        raise response_services.ResponseLocked(consultation.slug)
    existing = _current_response(organisation, consultation)
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return Response.objects.create(
                consultation=consultation,
                organisation=organisation,
                respondent_type=Response.RespondentType.ORGANISATION,
                organisation_name=organisation.name,
                email=user.email,
                start_key=secrets.token_urlsafe(24),
                language=translation.get_language() or settings.LANGUAGE_CODE,
            )
    except IntegrityError:
        # Two members started it at the same moment; the other one won.
        return _current_response(organisation, consultation)


def _current_response(organisation: Organisation, consultation: Consultation) -> Response | None:
    return (
        Response.objects.filter(organisation=organisation, consultation=consultation)
        .exclude(status=Response.Status.WITHDRAWN)
        .first()
    )


def record_organisation_consent(
    response: Response, *, may_name_organisation: bool, is_publication_consented: bool
) -> None:
    """The organisation's answers to its about step: may the outcome name it, may its answers be
    published."""
    if not response.is_changeable:
        raise response_services.ResponseLocked(response.reference)
    Response.objects.filter(pk=response.pk).update(
        may_name_organisation=may_name_organisation,
        is_publication_consented=is_publication_consented,
        updated_at=timezone.now(),
    )
    response.may_name_organisation = may_name_organisation
    response.is_publication_consented = is_publication_consented


def is_organisation_admin(user: User, organisation_id: int) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return OrganisationMember.objects.filter(
        organisation_id=organisation_id, user=user, role=OrganisationMember.Role.ADMIN
    ).exists()


def sign_off_organisation_response(response: Response, admin: User) -> bool:
    """An admin of the organisation signs off its response and sends it: who signed it off is
    recorded with it, and the receipt goes to them. Returns False when it had already been sent.
    Raises NotAnAdmin for anyone else, and the journey's own errors (incomplete, locked)."""
    if response.organisation_id is None or not is_organisation_admin(admin, response.organisation_id):
        raise NotAnAdmin(response.reference)
    with transaction.atomic():
        # Recorded first, in the same transaction: if sending fails, neither stays.
        Response.objects.filter(pk=response.pk, status=Response.Status.DRAFT).update(
            signed_off_by=admin, email=admin.email
        )
        response.email = admin.email
        sent = response_services.submit_response(response)
    if sent:
        response.signed_off_by = admin
    return sent


# --- Reports of falsely sent responses --------------------------------------------------------


def report_false_submission(
    consultation: Consultation, *, reference: str, what_happened: str, email: str
) -> FalseSubmissionReport:
    """Record a report. A reference that names one of this consultation's responses is linked to
    it, so officials can open that response; any other reference is kept as it was typed."""
    response = consultation.responses.filter(reference=reference).first() if reference else None
    return FalseSubmissionReport.objects.create(
        consultation=consultation, reference=reference, response=response, what_happened=what_happened, email=email
    )


def resolve_false_submission_report(report: FalseSubmissionReport, official: User, note: str) -> None:
    with transaction.atomic():
        locked = FalseSubmissionReport.objects.select_for_update().get(pk=report.pk)
        before = {"resolved": locked.is_resolved, "note": locked.resolution_note}
        locked.resolved_at = timezone.now()
        locked.resolved_by = official
        locked.resolution_note = note
        locked.save(update_fields=["resolved_at", "resolved_by", "resolution_note"])
        audit.record(
            locked.consultation,
            official,
            "false_submission.resolve",
            locked,
            before=before,
            after={"resolved": True, "note": note},
        )
    report.refresh_from_db()

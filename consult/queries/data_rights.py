"""Reads for citizens' data rights: everything the service holds about one person, as the JSON
file "Download everything we hold about you" gives them, and whether they may delete their account.

Only the person's own rows are read: their account, the responses linked to it, and what hangs
off those responses. Responses sent without an account are not matched by email address, because
anyone can type anyone's address into a response; they stay reachable through their receipt link.
Moderators' notes and officials' records are never included.
"""

from __future__ import annotations

from datetime import datetime
from typing import TypedDict

from allauth.account.models import EmailAddress
from django.conf import settings
from django.db.models import Exists, OuterRef, Prefetch
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from consult.access import has_two_factor, is_official, response_token
from consult.models import (
    Answer,
    EqualityInformation,
    Follow,
    Notification,
    NotificationDigest,
    NotificationPreference,
    OrganisationInvitation,
    OrganisationMember,
    OutcomeReceipt,
    RedactedOriginal,
    Response,
    User,
)

# Bumped when the shape of the file changes, so that anyone reading several files can tell.
FORMAT_VERSION = 1


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


class EmailAddressData(TypedDict):
    email: str
    is_verified: bool
    is_primary: bool


class AccountData(TypedDict):
    email: str
    first_name: str
    last_name: str
    date_joined: str | None
    last_login: str | None
    has_two_factor_authentication: bool
    email_addresses: list[EmailAddressData]


def _account(user: User) -> AccountData:
    """The account itself: never the password hash, two-factor secrets or recovery codes."""
    return {
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "date_joined": _iso(user.date_joined),
        "last_login": _iso(user.last_login),
        "has_two_factor_authentication": has_two_factor(user),
        "email_addresses": [
            {"email": address.email, "is_verified": address.verified, "is_primary": address.primary}
            for address in EmailAddress.objects.filter(user=user).order_by("-primary", "email")
        ],
    }


class AnswerData(TypedDict):
    question: str
    question_position: int
    text: str
    original_text_before_a_moderator_redacted_it: str | None
    options: list[str]
    agreement: str | None
    updated_at: str | None


def _answer(answer: Answer) -> AnswerData:
    question = answer.question
    original = getattr(answer, "redacted_original", None)
    return {
        "question": question.text,
        "question_position": question.position,
        "text": answer.text,
        # A moderator replaced personal data or abuse in the text; the person's own words are theirs.
        "original_text_before_a_moderator_redacted_it": original.original_text if original else None,
        "options": [option.label for option in answer.options.all()],
        "agreement": answer.get_agreement_display() if answer.agreement is not None else None,
        "updated_at": _iso(answer.updated_at),
    }


class EqualityData(TypedDict):
    age: str
    region: str
    disability: str
    ethnicity: str
    given_at: str | None


def _equality(response: Response) -> EqualityData | None:
    equality = getattr(response, "equality", None)
    if equality is None:
        return None
    return {
        "age": equality.get_age_band_display(),
        "region": equality.get_region_display(),
        "disability": equality.get_disability_display(),
        "ethnicity": equality.get_ethnicity_display(),
        "given_at": _iso(equality.created_at),
    }


class ResponseData(TypedDict):
    reference: str
    consultation: str
    consultation_url: str
    response_url: str
    status: str
    respondent_type: str
    organisation_name: str
    email: str
    started_at: str | None
    updated_at: str | None
    sent_at: str | None
    withdrawn_at: str | None
    answers: list[AnswerData]
    language: str
    agreed_to_publication_without_name: bool
    equality_information: EqualityData | None
    published_themes_by_question: dict[str, list[str]] | None  # the outcome receipt's themes


def _response(response: Response) -> ResponseData:
    consultation = response.consultation
    receipt = getattr(response, "outcome_receipt", None)
    return {
        "reference": response.reference,
        "consultation": consultation.title,
        "consultation_url": settings.SITE_URL + consultation.get_absolute_url(),
        # The link that opens the response again, as the receipt email gives it.
        "response_url": settings.SITE_URL + reverse("response_detail", args=[response_token(response)]),
        "status": response.status,
        "respondent_type": response.respondent_type,
        "organisation_name": response.organisation_name,
        "email": response.email,
        "started_at": _iso(response.created_at),
        "updated_at": _iso(response.updated_at),
        "sent_at": _iso(response.submitted_at),
        "withdrawn_at": _iso(response.withdrawn_at),
        "answers": [_answer(answer) for answer in response.answers.all()],
        "language": response.language,
        "agreed_to_publication_without_name": response.is_publication_consented,
        "equality_information": _equality(response),
        # What the published outcome told the person their response counted towards.
        "published_themes_by_question": receipt.themes if receipt else None,
    }


def responses_held_for(user: User) -> list[Response]:
    """The person's responses with everything the download shows, in a fixed number of queries."""
    answers = (
        Answer.objects.select_related("question")
        .prefetch_related("options", Prefetch("redacted_original", queryset=RedactedOriginal.objects.all()))
        .order_by("question__position")
    )
    return list(
        Response.objects.filter(user=user)
        .select_related("consultation")
        .prefetch_related(
            Prefetch("answers", queryset=answers),
            Prefetch("equality", queryset=EqualityInformation.objects.all()),
            Prefetch("outcome_receipt", queryset=OutcomeReceipt.objects.all()),
        )
        .order_by("created_at", "pk")
    )


class MembershipData(TypedDict):
    organisation: str
    role: str
    organisation_status: str
    registered_by_you: bool
    joined_at: str | None


class InvitationData(TypedDict):
    organisation: str
    email: str
    role: str
    sent_at: str | None
    accepted_at: str | None


class OrganisationsData(TypedDict):
    memberships: list[MembershipData]
    invitations_to_you: list[InvitationData]


def _organisations(user: User) -> OrganisationsData:
    """The organisations the person belongs to and the invitations addressed to them. Not the
    organisations' responses, which belong to the organisation, nor who invited them."""
    memberships = OrganisationMember.objects.filter(user=user).select_related("organisation")
    invitations = OrganisationInvitation.objects.filter(email__in=verified_addresses(user)).select_related(
        "organisation"
    )
    return {
        "memberships": [
            {
                "organisation": member.organisation.name,
                "role": member.role,
                "organisation_status": member.organisation.status,
                "registered_by_you": member.organisation.registered_by_id == user.pk,
                "joined_at": _iso(member.created_at),
            }
            for member in memberships
        ],
        "invitations_to_you": [
            {
                "organisation": invitation.organisation.name,
                "email": invitation.email,
                "role": invitation.role,
                "sent_at": _iso(invitation.created_at),
                "accepted_at": _iso(invitation.accepted_at),
            }
            for invitation in invitations
        ],
    }


class FollowData(TypedDict):
    consultation: str | None
    department: str | None
    since: str | None


class NotificationPreferencesData(TypedDict):
    when_a_consultation_opens: bool
    seven_days_before_it_closes: bool
    when_the_outcome_is_published: bool
    frequency: str
    language_of_emails: str
    updated_at: str | None


class NotificationData(TypedDict):
    consultation: str
    kind: str
    event_at: str | None
    sent_at: str | None


class DigestData(TypedDict):
    date: str
    sent_at: str | None


class FollowingData(TypedDict):
    follows: list[FollowData]
    notification_preferences: NotificationPreferencesData | None
    notifications: list[NotificationData]
    daily_digests: list[DigestData]


def _following(user: User) -> FollowingData:
    preference = NotificationPreference.objects.filter(user=user).first()
    return {
        "follows": [
            {
                "consultation": follow.consultation.title if follow.consultation else None,
                "department": follow.department.name if follow.department else None,
                "since": _iso(follow.created_at),
            }
            for follow in Follow.objects.filter(user=user).select_related("consultation", "department")
        ],
        "notification_preferences": {
            "when_a_consultation_opens": preference.notify_opening,
            "seven_days_before_it_closes": preference.notify_closing,
            "when_the_outcome_is_published": preference.notify_outcome,
            "frequency": preference.frequency,
            "language_of_emails": preference.language,
            "updated_at": _iso(preference.updated_at),
        }
        if preference
        else None,
        "notifications": [
            {
                "consultation": notification.consultation.title,
                "kind": notification.kind,
                "event_at": _iso(notification.event_at),
                "sent_at": _iso(notification.sent_at),
            }
            for notification in Notification.objects.filter(user=user).select_related("consultation")
        ],
        "daily_digests": [
            {"date": digest.date.isoformat(), "sent_at": _iso(digest.sent_at)}
            for digest in NotificationDigest.objects.filter(user=user)
        ],
    }


def verified_addresses(user: User) -> list[str]:
    """The email addresses the person has proved are theirs."""
    addresses = set(EmailAddress.objects.filter(user=user, verified=True).values_list("email", flat=True))
    return sorted(addresses | {user.email})


class PersonalData(TypedDict):
    format_version: int
    service: str
    generated_at: str
    account: AccountData
    responses: list[ResponseData]
    organisations: OrganisationsData
    following: FollowingData


def personal_data(user: User) -> PersonalData:
    """Everything held about the person, ready for `json.dumps`."""
    return {
        "format_version": FORMAT_VERSION,
        "service": settings.SITE_NAME,
        "generated_at": timezone.now().isoformat(),
        "account": _account(user),
        "responses": [_response(response) for response in responses_held_for(user)],
        "organisations": _organisations(user),
        "following": _following(user),
    }


def why_account_cannot_be_deleted(user: User) -> str | None:
    """A reason to refuse deleting the account here, or None when the person may delete it.

    Officials' names stand in audit trails and sign-offs: an administrator removes their access
    instead, so that the record of who did what stays whole."""
    if user.is_staff or user.is_superuser or is_official(user):
        return str(
            _(
                "You cannot delete this account yourself because you work on consultations as an "
                "official. Ask an administrator in your department to remove your access."
            )
        )
    sole_admin_of = organisations_left_without_an_admin(user)
    if sole_admin_of:
        return str(
            _(
                "You are the only admin of %(organisations)s. Make another member an admin first, from the "
                "organisation's page, so that someone can still sign off the organisation's responses."
            )
        ) % {"organisations": ", ".join(sole_admin_of)}
    return None


def organisations_left_without_an_admin(user: User) -> list[str]:
    """Names of the organisations whose other members would be left without an admin: the person
    is its only admin and others belong to it. (An organisation of one keeps its record, with no
    members, when that person goes.)"""
    other_members = OrganisationMember.objects.filter(organisation=OuterRef("organisation")).exclude(user=user)
    return list(
        OrganisationMember.objects.filter(user=user, role=OrganisationMember.Role.ADMIN)
        .filter(Exists(other_members))
        .exclude(Exists(other_members.filter(role=OrganisationMember.Role.ADMIN)))
        .order_by("organisation__name")
        .values_list("organisation__name", flat=True)
    )

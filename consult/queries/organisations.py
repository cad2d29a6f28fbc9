"""Reads for organisations' own pages (their members, invitations and responses, the
consultations they may start a response to) and the organisations named on a published outcome.
Officials' verification pages and the reports of falsely sent responses read through
`queries.workspace.organisations`."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from consult.access import response_token
from consult.models import (
    Consultation,
    Organisation,
    OrganisationInvitation,
    OrganisationMember,
    Response,
    User,
)


def memberships_of(user: User) -> QuerySet[OrganisationMember]:
    return OrganisationMember.objects.filter(user=user).select_related("organisation").order_by("organisation__name")


@dataclass(frozen=True)
class OrganisationResponse:
    response: Response
    token: str


@dataclass(frozen=True)
class OrganisationPage:
    organisation: Organisation
    members: list[OrganisationMember]
    invitations: list[OrganisationInvitation]
    responses: list[OrganisationResponse]
    consultations_to_start: QuerySet[Consultation]


def open_consultations() -> QuerySet[Consultation]:
    return Consultation.objects.taking_responses().order_by("closes_at", "pk")


def consultations_open_to(organisation: Organisation) -> QuerySet[Consultation]:
    """Open consultations the organisation has not started a response to."""
    started = Response.objects.filter(organisation=organisation).exclude(status=Response.Status.WITHDRAWN)
    return open_consultations().exclude(pk__in=started.values("consultation_id"))


def organisation_page(organisation: Organisation) -> OrganisationPage:
    responses = (
        Response.objects.filter(organisation=organisation)
        .select_related("consultation", "signed_off_by")
        .order_by("-created_at")
    )
    return OrganisationPage(
        organisation=organisation,
        members=list(organisation.members.select_related("user").order_by("role", "user__email")),
        invitations=list(organisation.invitations.filter(accepted_at__isnull=True).order_by("-created_at")),
        responses=[OrganisationResponse(response, response_token(response)) for response in responses],
        consultations_to_start=consultations_open_to(organisation),
    )


# --- The published outcome --------------------------------------------------------------------


def named_organisations(consultation: Consultation) -> list[Organisation]:
    """The organisations that sent a response and agreed to be named, by name."""
    return list(
        Organisation.objects.filter(
            Response.submitted_q("responses__"),
            responses__consultation=consultation,
            responses__may_name_organisation=True,
        )
        .distinct()
        .order_by("name", "pk")
    )

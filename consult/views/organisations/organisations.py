"""Organisations' pages: registering one, its members and invitations, starting its shared
response and the naming consent, and anyone's report of a falsely sent response."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_ratelimit.decorators import ratelimit

from consult.access import (
    get_organisation_membership,
    get_public_consultation,
    response_token,
)
from consult.forms.organisations import (
    FalseSubmissionReportForm,
    InvitationForm,
    MemberRoleForm,
    OrganisationConsentForm,
    OrganisationForm,
    StartOrganisationResponseForm,
)
from consult.models import OrganisationMember, Response
from consult.queries import organisations as queries_organisations
from consult.services import organisations as services
from consult.services.responses import ResponseLocked
from consult.views.public.respond import changeable_response
from consult.views.ratelimits import response_rate


@login_required
def your_organisations(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "organisations/your_organisations.html",
        {"memberships": queries_organisations.memberships_of(request.user)},
    )


@login_required
@require_http_methods(["GET", "POST"])
@ratelimit(group="organisations", key="user", rate=response_rate, method="POST", block=True)
def register_organisation(request: HttpRequest) -> HttpResponse:
    form = OrganisationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        organisation = services.register_organisation(request.user, **form.cleaned_data)
        messages.success(
            request,
            _("%(name)s is registered. We will check it before it shows as verified.") % {"name": organisation.name},
        )
        return redirect("organisation_detail", organisation.pk)
    return render(
        request,
        "organisations/register_organisation.html",
        {"form": form, "form_has_errors": form.is_bound and not form.is_valid()},
    )


@login_required
def organisation_detail(request: HttpRequest, organisation_id: int) -> HttpResponse:
    membership = get_organisation_membership(request, organisation_id)
    page = queries_organisations.organisation_page(membership.organisation)
    return render(
        request,
        "organisations/organisation_detail.html",
        {
            "membership": membership,
            "organisation": membership.organisation,
            "page": page,
            "start_form": StartOrganisationResponseForm(consultations=page.consultations_to_start),
        },
    )


@login_required
@require_POST
@ratelimit(group="responses", key="ip", rate=response_rate, method="POST", block=True)
def start_organisation_response(request: HttpRequest, organisation_id: int) -> HttpResponse:
    membership = get_organisation_membership(request, organisation_id)
    organisation = membership.organisation
    # Any open consultation: one the organisation already started (by another member, or in
    # another tab) opens the response it has rather than refusing.
    form = StartOrganisationResponseForm(request.POST, consultations=queries_organisations.open_consultations())
    if not form.is_valid():
        page = queries_organisations.organisation_page(organisation)
        return render(
            request,
            "organisations/organisation_detail.html",
            {
                "membership": membership,
                "organisation": organisation,
                "page": page,
                "start_form": form,
                "form_has_errors": True,
            },
        )
    try:
        response = services.start_organisation_response(organisation, form.cleaned_data["consultation"], request.user)
    except ResponseLocked:
        return render(request, "consult/not_open.html", {"consultation": form.cleaned_data["consultation"]})
    return redirect("organisation_consent", response_token(response))


@login_required
@require_http_methods(["GET", "POST"])
@ratelimit(group="organisations", key="user", rate=response_rate, method="POST", block=True)
def invite_member(request: HttpRequest, organisation_id: int) -> HttpResponse:
    membership = get_organisation_membership(request, organisation_id, admin=True)
    organisation = membership.organisation
    form = InvitationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        services.invite_member(organisation, request.user, form.cleaned_data["email"], form.cleaned_data["role"])
        messages.success(request, _("We have sent an invitation to %(email)s.") % {"email": form.cleaned_data["email"]})
        return redirect("organisation_detail", organisation.pk)
    return render(
        request,
        "organisations/invite_member.html",
        {"organisation": organisation, "form": form, "form_has_errors": form.is_bound and not form.is_valid()},
    )


@login_required
@require_http_methods(["GET", "POST"])
def change_member_role(request: HttpRequest, organisation_id: int, member_id: int) -> HttpResponse:
    """An admin makes a member an admin, or an admin a member (never the last admin)."""
    membership = get_organisation_membership(request, organisation_id, admin=True)
    organisation = membership.organisation
    member = get_object_or_404(
        OrganisationMember.objects.select_related("user"), pk=member_id, organisation=organisation
    )
    form = MemberRoleForm(request.POST if request.method == "POST" else None, initial={"role": member.role})
    if request.method == "POST" and form.is_valid():
        try:
            services.change_member_role(member, form.cleaned_data["role"])
        except services.LastAdmin:
            form.add_error("role", _("An organisation needs an admin. Make another member an admin first."))
        else:
            messages.success(
                request,
                _("%(email)s is now: %(role)s.") % {"email": member.user.email, "role": member.get_role_display()},
            )
            return redirect("organisation_detail", organisation.pk)
    return render(
        request,
        "organisations/change_member_role.html",
        {
            "organisation": organisation,
            "member": member,
            "form": form,
            "form_has_errors": form.is_bound and bool(form.errors),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def remove_member(request: HttpRequest, organisation_id: int, member_id: int) -> HttpResponse:
    """An admin removes a member; any member may remove themselves (leave the organisation)."""
    membership = get_organisation_membership(request, organisation_id)
    organisation = membership.organisation
    member = get_object_or_404(
        OrganisationMember.objects.select_related("user"), pk=member_id, organisation=organisation
    )
    if member.pk != membership.pk and not membership.is_admin:
        raise PermissionDenied("Only an admin of the organisation can remove another member.")
    is_last_admin = False
    if request.method == "POST":
        try:
            services.remove_member(member)
        except services.LastAdmin:
            is_last_admin = True
        else:
            if member.pk == membership.pk:
                messages.success(request, _("You have left %(name)s.") % {"name": organisation.name})
                return redirect("your_organisations")
            messages.success(request, _("%(email)s is no longer a member.") % {"email": member.user.email})
            return redirect("organisation_detail", organisation.pk)
    return render(
        request,
        "organisations/remove_member.html",
        {
            "organisation": organisation,
            "member": member,
            "is_self": member.pk == membership.pk,
            "is_last_admin": is_last_admin,
            "form_has_errors": is_last_admin,
        },
    )


@require_http_methods(["GET", "POST"])
def accept_invitation(request: HttpRequest, token: str) -> HttpResponse:
    """The link in an invitation email. The invitee signs in (or creates an account) first; the
    link brings them back here, and accepting it makes them a member."""
    try:
        invitation = services.invitation_for_token(token)
    except services.InvitationInvalid:
        return render(request, "organisations/invitation_invalid.html", status=410)
    context = {
        "invitation": invitation,
        "organisation": invitation.organisation,
        "next": request.get_full_path(),
        "email_url": reverse("account_email"),
    }
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        try:
            services.accept_invitation(invitation, request.user)
        except services.InvitationInvalid:
            return render(request, "organisations/invitation_invalid.html", status=410)
        except services.InvitationForAnotherAddress:
            return render(
                request, "organisations/accept_invitation.html", {**context, "other_address": True}, status=403
            )
        messages.success(request, _("You are now a member of %(name)s.") % {"name": invitation.organisation.name})
        return redirect("organisation_detail", invitation.organisation_id)
    other_address = request.user.is_authenticated and not services.holds_invited_address(invitation, request.user)
    return render(request, "organisations/accept_invitation.html", {**context, "other_address": other_address})


# --- The organisation's response: the naming question -----------------------------------------


@changeable_response
def organisation_consent(request: HttpRequest, response: Response, token: str) -> HttpResponse:
    """Asked once per organisation response, before its questions: may the outcome name it?"""
    # `changeable_response` has let in only the organisation's signed-in members.
    if response.organisation_id is None:
        raise Http404("Only an organisation's response asks this.")
    is_change = request.GET.get("change") == "1" or not response.is_draft
    if request.method == "POST":
        form = OrganisationConsentForm(request.POST)
        if form.is_valid():
            services.record_organisation_consent(
                response,
                may_name_organisation=form.cleaned_data["may_name_organisation"],
                is_publication_consented=form.cleaned_data["is_publication_consented"],
            )
            if is_change:
                return redirect("check_answers", token)
            first = response.consultation.questions.order_by("position").first()
            if first is None:
                return redirect("check_answers", token)
            return redirect("answer_question", token, first.pk)
    else:
        # Neither is asked before the organisation has been through this page once.
        was_asked = response.may_name_organisation is not None
        form = OrganisationConsentForm(
            initial={
                "may_name_organisation": ("yes" if response.may_name_organisation else "no") if was_asked else None,
                "is_publication_consented": ("yes" if response.is_publication_consented else "no")
                if was_asked
                else None,
            }
        )
    return render(
        request,
        "organisations/organisation_consent.html",
        {
            "response": response,
            "consultation": response.consultation,
            "organisation": response.organisation,
            "token": token,
            "form": form,
            "form_has_errors": form.is_bound and not form.is_valid(),
            "back_url": reverse("check_answers", args=[token])
            if is_change
            else reverse("organisation_detail", args=[response.organisation_id]),
        },
    )


# --- Reports of falsely sent responses --------------------------------------------------------


@require_http_methods(["GET", "POST"])
@ratelimit(group="reports", key="ip", rate=response_rate, method="POST", block=True)
def report_false_response(request: HttpRequest, slug: str) -> HttpResponse:
    consultation = get_public_consultation(slug)
    form = FalseSubmissionReportForm(
        request.POST if request.method == "POST" else None, initial={"reference": request.GET.get("reference", "")}
    )
    if request.method == "POST" and form.is_valid():
        services.report_false_submission(consultation, **form.cleaned_data)
        return redirect("false_response_reported", consultation.slug)
    return render(
        request,
        "organisations/report_false_response.html",
        {"consultation": consultation, "form": form, "form_has_errors": form.is_bound and not form.is_valid()},
    )


def false_response_reported(request: HttpRequest, slug: str) -> HttpResponse:
    consultation = get_public_consultation(slug)
    return render(request, "organisations/false_response_reported.html", {"consultation": consultation})

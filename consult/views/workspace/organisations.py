"""Workspace: verifying registered organisations, and the reports that a response to a
consultation was sent in someone's name without their agreement."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path

from consult.access import (
    departments_with_permission,
    get_workspace_consultation,
    get_workspace_false_submission_report,
    get_workspace_organisation,
)
from consult.forms.organisations import OrganisationDecisionForm, ResolveReportForm
from consult.models import Organisation, Permission
from consult.queries.workspace import organisations as queries_organisations
from consult.services import organisations as services
from consult.views.workspace.base import official_required


@official_required
def workspace_organisations(request: HttpRequest) -> HttpResponse:
    departments_with_permission(request, Permission.VERIFY_ORGANISATIONS)
    status = request.GET.get("status", Organisation.Status.PENDING)
    if status not in Organisation.Status.values:
        status = ""
    counts = queries_organisations.organisation_counts()
    return render(
        request,
        "workspace/organisations/workspace_organisations.html",
        {
            "organisations": queries_organisations.organisations_for_review(status)[:200],
            "status": status,
            "statuses": [(value, label, counts[value]) for value, label in Organisation.Status.choices],
        },
    )


@official_required
def workspace_organisation(request: HttpRequest, organisation_id: int) -> HttpResponse:
    organisation = get_workspace_organisation(request, organisation_id)
    form = OrganisationDecisionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        is_verified = form.cleaned_data["decision"] == "verify"
        services.decide_organisation(
            organisation, request.user, is_verified=is_verified, reason=form.cleaned_data["reason"]
        )
        messages.success(request, f"{organisation.name} is {'verified' if is_verified else 'rejected'}.")
        return redirect("workspace_organisation", organisation.pk)
    return render(
        request,
        "workspace/organisations/workspace_organisation.html",
        {
            "organisation": organisation,
            "members": organisation.members.select_related("user").order_by("role", "user__email"),
            "decisions": queries_organisations.organisation_decisions(organisation),
            "form": form,
            "form_has_errors": form.is_bound and not form.is_valid(),
        },
    )


@official_required
def workspace_false_submission_reports(request: HttpRequest, slug: str) -> HttpResponse:
    consultation = get_workspace_consultation(request, slug, Permission.VIEW)
    return render(
        request,
        "workspace/organisations/workspace_false_submission_reports.html",
        {
            "consultation": consultation,
            "workspace_section": "analysis",
            "reports": queries_organisations.false_submission_reports(consultation),
        },
    )


@official_required
def workspace_false_submission_report(request: HttpRequest, slug: str, report_id: int) -> HttpResponse:
    # Reading a report is for every official of the consultation; resolving it is moderators' and
    # leads' work, as other decisions about responses are.
    permission = Permission.MODERATE if request.method == "POST" else Permission.VIEW
    report = get_workspace_false_submission_report(request, slug, report_id, permission)
    form = ResolveReportForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        services.resolve_false_submission_report(report, request.user, form.cleaned_data["note"])
        messages.success(request, "The report is marked as resolved.")
        return redirect("workspace_false_submission_reports", report.consultation.slug)
    return render(
        request,
        "workspace/organisations/workspace_false_submission_report.html",
        {
            "consultation": report.consultation,
            "workspace_section": "analysis",
            "report": report,
            "may_resolve": Permission.MODERATE in request.workspace_permissions,
            "form": form,
            "form_has_errors": form.is_bound and not form.is_valid(),
        },
    )


urlpatterns: list[URLPattern] = [
    path("organisations/", workspace_organisations, name="workspace_organisations"),
    path("organisations/<int:organisation_id>/", workspace_organisation, name="workspace_organisation"),
    path(
        "consultations/<slug:slug>/false-submission-reports/",
        workspace_false_submission_reports,
        name="workspace_false_submission_reports",
    ),
    path(
        "consultations/<slug:slug>/false-submission-reports/<int:report_id>/",
        workspace_false_submission_report,
        name="workspace_false_submission_report",
    ),
]

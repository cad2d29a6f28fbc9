"""Workspace: the consultation's audit trail, in plain English, filtered, and as a CSV download.
Every official who can see the consultation reads it (VIEW)."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse

from consult.access import get_workspace_consultation
from consult.forms.workspace.audit import PAGE_PARAMETERS, AuditFilterForm
from consult.models import Consultation, Permission
from consult.queries.workspace import audit as queries
from consult.services import audit as services
from consult.views.workspace.base import official_required

ENTRIES_PER_PAGE = 50


def _form(request: HttpRequest, consultation: Consultation) -> AuditFilterForm:
    return AuditFilterForm(request.GET, actors=queries.actor_choices(consultation), kinds=queries.kind_choices())


def _query_string(request: HttpRequest) -> str:
    query = request.GET.copy()
    for name in PAGE_PARAMETERS:
        query.pop(name, None)
    return query.urlencode()


@official_required
def workspace_audit(request: HttpRequest, slug: str) -> HttpResponse:
    consultation = get_workspace_consultation(request, slug, Permission.VIEW)
    form = _form(request, consultation)
    page, entries = None, []
    if form.is_valid():
        events = queries.audit_trail(consultation, form.filters())
        page = Paginator(events, ENTRIES_PER_PAGE).get_page(request.GET.get("page"))
        entries = queries.entries(page.object_list)
    return render(
        request,
        "workspace/audit.html",
        {
            "consultation": consultation,
            "workspace_section": "audit",
            "form": form,
            "form_has_errors": bool(form.errors),
            "page": page,
            "entries": entries,
            "query_string": _query_string(request),
        },
    )


@official_required
def workspace_audit_csv(request: HttpRequest, slug: str) -> HttpResponse:
    """The filtered trail as CSV; filters with a mistake go back to the page, which says what."""
    consultation = get_workspace_consultation(request, slug, Permission.VIEW)
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    form = _form(request, consultation)
    if not form.is_valid():
        query = _query_string(request)
        return redirect(f"{reverse('workspace_audit', args=[consultation.slug])}?{query}")
    events = queries.audit_trail(consultation, form.filters())
    # The download is on the trail too, after the entries it holds.
    download = services.record_trail_download(consultation, request.user, events.count(), form.used)
    lines = queries.csv_lines(events.filter(pk__lt=download.pk))
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{queries.csv_filename(consultation)}"'
    return response


urlpatterns: list[URLPattern] = [
    path("consultations/<slug:slug>/audit/", workspace_audit, name="workspace_audit"),
    path("consultations/<slug:slug>/audit/download/", workspace_audit_csv, name="workspace_audit_csv"),
]

"""The workspace's front page and each consultation's overview."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from consult.access import get_workspace_consultation, permissions_on
from consult.models import ROLE_PERMISSIONS, Permission
from consult.queries.workspace import home as queries_workspace
from consult.views.workspace.base import official_required


@official_required
def workspace_home(request: HttpRequest) -> HttpResponse:
    consultations = list(queries_workspace.workspace_home(request.user))
    now = timezone.now()
    rows = [(consultation, consultation.next_due_at(now)) for consultation in consultations]
    roles = set(request.user.memberships.values_list("role", flat=True))
    can_create = "lead" in roles or any(Permission.MANAGE in permissions_on(request.user, c) for c in consultations)
    can_verify = any(Permission.VERIFY_ORGANISATIONS in ROLE_PERMISSIONS[role] for role in roles)
    return render(
        request, "workspace/home.html", {"rows": rows, "can_create": can_create, "can_verify": can_verify, "now": now}
    )


@official_required
def workspace_consultation(request: HttpRequest, slug: str) -> HttpResponse:
    consultation = get_workspace_consultation(request, slug, Permission.VIEW)
    now = timezone.now()
    return render(
        request,
        "workspace/consultation.html",
        {
            "consultation": consultation,
            "phase": consultation.phase_at(now),
            "next_due": consultation.next_due_at(now),
            "is_outcome_overdue": consultation.phase_at(now) == "closed" and now > consultation.outcome_due_at,
            **queries_workspace.consultation_overview(consultation),
        },
    )

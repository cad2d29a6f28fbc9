"""Reads for the workspace's own pages: the list of consultations and one consultation's overview.
Its audit trail reads through `queries.workspace.audit`, the dashboards through
`queries.workspace.dashboard`."""

from __future__ import annotations

from typing import TypedDict

from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from consult.access import workspace_consultations
from consult.models import Consultation, Flag, Response, User


def workspace_home(user: User) -> QuerySet[Consultation]:
    """The official's consultations with their response counts, newest first, in one query.

    Each count is a subquery per consultation, which PostgreSQL answers from the response index on
    (consultation, status, submitted_at) alone, instead of joining every response before grouping.
    """
    submitted = (
        Response.objects.filter(consultation=OuterRef("pk"))
        .submitted()
        .order_by()
        .values("consultation")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        workspace_consultations(user)
        .select_related("department")
        .annotate(submitted_count=Coalesce(Subquery(submitted), 0))
        .order_by("-opens_at", "pk")
    )


class ConsultationOverview(TypedDict):
    submitted_count: int
    withdrawn_count: int
    draft_count: int
    open_flag_count: int
    question_count: int


def consultation_overview(consultation: Consultation) -> ConsultationOverview:
    """The counts an overview page shows: responses by status and open moderation flags."""
    by_status = dict(consultation.responses.values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
    return {
        "submitted_count": by_status.get(Response.Status.SUBMITTED, 0),
        "withdrawn_count": by_status.get(Response.Status.WITHDRAWN, 0),
        "draft_count": by_status.get(Response.Status.DRAFT, 0),
        "open_flag_count": Flag.objects.filter(
            answer__response__consultation=consultation, status=Flag.Status.OPEN
        ).count(),
        "question_count": consultation.questions.count(),
    }

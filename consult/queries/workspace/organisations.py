"""Reads for officials' organisation pages: the organisations waiting for verification and the
decisions taken on each, and the reports of responses falsely sent in an organisation's name."""

from __future__ import annotations

from django.db.models import Case, Count, F, QuerySet, Value, When

from consult.models import AuditEvent, Consultation, FalseSubmissionReport, Organisation


def organisations_for_review(status: str) -> QuerySet[Organisation]:
    organisations = Organisation.objects.annotate(member_count=Count("members"))
    if status:
        organisations = organisations.filter(status=status)
    # Those waiting for a decision first, oldest first: they have waited longest.
    waiting_first = Case(When(status=Organisation.Status.PENDING, then=Value(0)), default=Value(1))
    return organisations.order_by(waiting_first, "created_at", "pk")


def organisation_counts() -> dict[str, int]:
    counts = dict(Organisation.objects.values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
    return {value: counts.get(value, 0) for value in Organisation.Status.values}


def organisation_decisions(organisation: Organisation) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(object_type="organisation", object_id=str(organisation.pk)).select_related("actor")


def false_submission_reports(consultation: Consultation) -> QuerySet[FalseSubmissionReport]:
    # Unresolved reports first, newest first within each.
    return consultation.false_submission_reports.select_related("response", "resolved_by").order_by(
        F("resolved_at").desc(nulls_first=True), "-created_at", "-pk"
    )

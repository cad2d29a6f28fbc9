"""Reads for the following pages: a department's public consultations, and what a person follows."""

from __future__ import annotations

from dataclasses import dataclass

from django.shortcuts import get_object_or_404

from consult.models import Consultation, Department, Follow, NotificationPreference, User


@dataclass(frozen=True)
class DepartmentConsultations:
    open: list[Consultation]
    upcoming: list[Consultation]
    closed: list[Consultation]


def get_public_department(slug: str) -> Department:
    """Any department: their names are public, and the page shows only published consultations."""
    return get_object_or_404(Department, slug=slug)


def department_consultations(department: Department) -> DepartmentConsultations:
    consultations = Consultation.objects.filter(department=department).select_related("department")
    return DepartmentConsultations(
        open=list(consultations.taking_responses().order_by("closes_at")),
        upcoming=list(consultations.upcoming_at().order_by("opens_at")),
        closed=list(consultations.closed_at().order_by("-closes_at")),
    )


def follows_consultation(user: User, consultation: Consultation) -> bool:
    return user.is_authenticated and Follow.objects.filter(user=user, consultation=consultation).exists()


def follows_department(user: User, department: Department) -> bool:
    return user.is_authenticated and Follow.objects.filter(user=user, department=department).exists()


@dataclass(frozen=True)
class Following:
    consultations: list[Consultation]
    departments: list[Department]
    preference: NotificationPreference


def following_of(user: User) -> Following:
    """What the person follows, newest first, and how they are told about it."""
    follows = Follow.objects.filter(user=user).select_related("consultation", "consultation__department", "department")
    return Following(
        # A consultation taken back to draft stays followed but is not shown until it is public again.
        consultations=[f.consultation for f in follows if f.consultation and f.consultation.is_published],
        departments=[f.department for f in follows if f.department],
        preference=NotificationPreference.for_user(user),
    )

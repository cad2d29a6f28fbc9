"""People and what officials may do: accounts (signed in by email address), the roles officials
hold on a department's consultations and what each role permits, and consultations shared with an
official of another department."""

from __future__ import annotations

from enum import StrEnum

from django.conf import settings
from django.contrib.auth.base_user import BaseUserManager
from django.contrib.auth.models import AbstractUser
from django.db import models

from consult.models.consultations import Consultation, Department


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra: object) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: object) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: object) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra)


class User(AbstractUser):
    """A person with an account. They sign in with their email address; there is no username."""

    username = None  # type: ignore[assignment]
    email = models.EmailField("email address", unique=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()  # type: ignore[misc]

    def __str__(self) -> str:
        return self.email


class Role(models.TextChoices):
    ANALYST = "analyst", "Analyst"
    LEAD = "lead", "Lead"
    MODERATOR = "moderator", "Moderator"


class Permission(StrEnum):
    """What an official may do with a consultation. Roles grant sets of these (ROLE_PERMISSIONS)."""

    VIEW = "view"  # dashboards, responses, exports
    CODE = "code"  # move an answer between signed-off themes, add one
    EDIT_THEMES = "edit_themes"  # rename, merge, split, create, delete themes
    SIGN_OFF = "sign_off"  # sign off a theme set and start the mapping
    MANAGE = "manage"  # create and edit consultations, questions, the AI tool record
    PUBLISH = "publish"  # approve and publish the outcome
    MODERATE = "moderate"  # decide on flagged answers
    SEE_ORIGINAL = "see_original"  # read the original of an answer a moderator redacted
    VERIFY_ORGANISATIONS = "verify_organisations"  # verify or reject a registered organisation


ROLE_PERMISSIONS: dict[str, frozenset[Permission]] = {
    Role.ANALYST: frozenset({Permission.VIEW, Permission.CODE}),
    Role.LEAD: frozenset(
        {
            Permission.VIEW,
            Permission.CODE,
            Permission.EDIT_THEMES,
            Permission.SIGN_OFF,
            Permission.MANAGE,
            Permission.PUBLISH,
            Permission.MODERATE,
            Permission.VERIFY_ORGANISATIONS,
        }
    ),
    Role.MODERATOR: frozenset({Permission.VIEW, Permission.MODERATE, Permission.SEE_ORIGINAL}),
}


class DepartmentMembership(models.Model):
    """An official of a department, with one role on all of that department's consultations."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    department = models.ForeignKey(Department, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "department"], name="membership_once")]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()}, {self.department})"


class ConsultationShare(models.Model):
    """A consultation shared with an official of another department, with a role on it alone."""

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="shares")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="shares")
    role = models.CharField(max_length=10, choices=Role.choices)
    shared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["consultation", "user"], name="share_once")]

    def __str__(self) -> str:
        return f"{self.consultation} shared with {self.user}"

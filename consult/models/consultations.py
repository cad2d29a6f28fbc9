"""Consultations on proposed AI deployments, their AI tool records and questions, and the people
and departments behind them. People's responses are in `responses`."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from django.contrib.auth.base_user import BaseUserManager
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

# --- People -----------------------------------------------------------------------------------


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


class Department(models.Model):
    """A government department or public body that runs consultations."""

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=100, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


# --- Consultations ----------------------------------------------------------------------------

OUTCOME_DUE_AFTER = timedelta(weeks=12)


class Phase(StrEnum):
    """Where a consultation is in its life, worked out from its times so they apply by themselves."""

    DRAFT = "draft"
    UPCOMING = "upcoming"
    OPEN = "open"
    CLOSED = "closed"
    OUTCOME_PUBLISHED = "outcome_published"

    @property
    def label(self) -> str:
        return {
            Phase.DRAFT: "Draft",
            Phase.UPCOMING: "Opening soon",
            Phase.OPEN: "Open",
            Phase.CLOSED: "Closed",
            Phase.OUTCOME_PUBLISHED: "Outcome published",
        }[self]


class ConsultationQuerySet(models.QuerySet["Consultation"]):
    def published(self) -> ConsultationQuerySet:
        """Those the public may see: every phase but draft."""
        return self.filter(is_published=True)

    def open_at(self, moment: object = None) -> ConsultationQuerySet:
        now = moment or timezone.now()
        return self.published().filter(opens_at__lte=now, closes_at__gt=now)

    def upcoming_at(self, moment: object = None) -> ConsultationQuerySet:
        now = moment or timezone.now()
        return self.published().filter(opens_at__gt=now)

    def closed_at(self, moment: object = None) -> ConsultationQuerySet:
        now = moment or timezone.now()
        return self.published().filter(closes_at__lte=now)

    def search(self, words: str) -> ConsultationQuerySet:
        """Consultations whose title, summary, department or AI tool mention every word given."""
        queryset = self
        for word in words.split():
            queryset = queryset.filter(
                Q(title__icontains=word)
                | Q(summary__icontains=word)
                | Q(department__name__icontains=word)
                | Q(ai_tool__tool_name__icontains=word)
                | Q(ai_tool__description__icontains=word)
            )
        return queryset


class Consultation(models.Model):
    """A public consultation about a proposed deployment of AI in a public service.

    Its phase follows from `is_published` and its times: it opens at `opens_at` and closes at
    `closes_at` without anyone having to press a button, and reaches "outcome published" once
    the government's response is out.
    """

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=100, unique=True)
    summary = models.TextField(help_text="A plain-English summary of what is proposed and what you are asking.")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="consultations")
    contact_name = models.CharField(max_length=200, blank=True)
    contact_email = models.EmailField()
    is_published = models.BooleanField(
        default=False, help_text="Unpublished consultations are drafts and the public cannot see them."
    )
    opens_at = models.DateTimeField()
    closes_at = models.DateTimeField()
    outcome_published_at = models.DateTimeField(null=True, blank=True)
    allows_anonymous_responses = models.BooleanField(
        default=True, help_text="If not, respondents must sign in before they respond."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ConsultationQuerySet.as_manager()

    class Meta:
        ordering = ["-opens_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")), name="consultation_closes_after_opening"
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("consultation_detail", args=[self.slug])

    def clean(self) -> None:
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            raise ValidationError({"closes_at": "The closing time must be after the opening time."})

    def phase_at(self, moment: object = None) -> Phase:
        now = moment or timezone.now()
        if not self.is_published:
            return Phase.DRAFT
        if self.outcome_published_at and self.outcome_published_at <= now:
            return Phase.OUTCOME_PUBLISHED
        if now < self.opens_at:
            return Phase.UPCOMING
        if now < self.closes_at:
            return Phase.OPEN
        return Phase.CLOSED

    @property
    def phase(self) -> Phase:
        return self.phase_at()

    @property
    def is_open(self) -> bool:
        return self.phase is Phase.OPEN

    @property
    def outcome_due_at(self) -> datetime:
        """When the government's response is due: UK consultation principles ask for it within
        12 weeks of closing."""
        return self.closes_at + OUTCOME_DUE_AFTER

    def next_due_at(self, moment: datetime | None = None) -> tuple[str, datetime | None]:
        """What happens next in the consultation's life, and when: for the officials' workspace."""
        now = moment or timezone.now()
        phase = self.phase_at(now)
        if phase is Phase.DRAFT:
            return "Publish the consultation before it is due to open", self.opens_at
        if phase is Phase.UPCOMING:
            return "Opens", self.opens_at
        if phase is Phase.OPEN:
            return "Closes", self.closes_at
        if phase is Phase.CLOSED:
            if now > self.outcome_due_at:
                return "The outcome is overdue: it was due", self.outcome_due_at
            return "Publish the outcome by", self.outcome_due_at
        return "Outcome published", self.outcome_published_at


class AIToolRecord(models.Model):
    """A plain-English description of the AI tool, shaped like a UK Algorithmic Transparency
    Recording Standard (ATRS) record."""

    consultation = models.OneToOneField(Consultation, on_delete=models.CASCADE, related_name="ai_tool")
    tool_name = models.CharField(max_length=200)
    description = models.TextField("what the tool does")
    purpose = models.TextField("why it is proposed")
    decision_role = models.TextField("how it is used in decisions")
    human_oversight = models.TextField("human oversight")
    how_to_challenge = models.TextField("how to challenge a decision")
    data_used = models.TextField("data the tool uses")
    risks = models.TextField("risks")
    mitigations = models.TextField("how the risks are reduced")
    owner = models.CharField("who is responsible for the tool", max_length=200)
    supplier = models.CharField("who built the tool", max_length=200, blank=True)

    class Meta:
        verbose_name = "AI tool record"

    def __str__(self) -> str:
        return self.tool_name

    def sections(self) -> list[tuple[str, str]]:
        """The record's sections in reading order, as (heading, text) pairs."""
        return [
            ("What the tool does", self.description),
            ("Why it is proposed", self.purpose),
            ("How it is used in decisions", self.decision_role),
            ("Human oversight", self.human_oversight),
            ("How to challenge a decision", self.how_to_challenge),
            ("Data the tool uses", self.data_used),
            ("Risks", self.risks),
            ("How the risks are reduced", self.mitigations),
        ]


# --- Questions --------------------------------------------------------------------------------


class Question(models.Model):
    class Kind(models.TextChoices):
        FREE_TEXT = "free_text", "Free text"
        SINGLE_CHOICE = "single_choice", "Single choice"
        MULTIPLE_CHOICE = "multiple_choice", "Multiple choice"
        AGREEMENT = "agreement", "Agreement scale (five points)"

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveIntegerField(help_text="Questions are asked in this order.")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    text = models.CharField(max_length=500)
    hint = models.TextField(blank=True)
    is_required = models.BooleanField(default=True)
    max_length = models.PositiveIntegerField(
        default=2500, help_text="For free-text questions: the most characters an answer may have."
    )
    explains = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="explained_by",
        help_text="For a free-text question: the closed question whose answer it explains (a 'Why?').",
    )

    class Meta:
        ordering = ["consultation", "position"]
        constraints = [
            models.UniqueConstraint(fields=["consultation", "position"], name="question_position_unique"),
        ]

    def __str__(self) -> str:
        return self.text

    def clean(self) -> None:
        if self.explains_id is None:
            return
        if self.kind != self.Kind.FREE_TEXT:
            raise ValidationError({"explains": "Only a free-text question can explain another question."})
        if self.explains.is_free_text:
            raise ValidationError({"explains": "A free-text question can only explain a closed question."})
        if self.explains.consultation_id != self.consultation_id:
            raise ValidationError({"explains": "The question it explains must be in the same consultation."})

    @property
    def is_free_text(self) -> bool:
        return self.kind == self.Kind.FREE_TEXT

    @property
    def has_options(self) -> bool:
        return self.kind in (self.Kind.SINGLE_CHOICE, self.Kind.MULTIPLE_CHOICE)

    @property
    def hint_for_respondents(self) -> str:
        """The hint as the question page shows it: with GOV.UK's "Select all that apply." for a
        multiple-choice question."""
        if self.kind == self.Kind.MULTIPLE_CHOICE:
            return f"{self.hint}\n\nSelect all that apply." if self.hint else "Select all that apply."
        return self.hint


class Option(models.Model):
    """One of the answers offered by a single- or multiple-choice question."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="options")
    position = models.PositiveIntegerField()
    label = models.CharField(max_length=200)

    class Meta:
        ordering = ["question", "position"]
        constraints = [
            models.UniqueConstraint(fields=["question", "position"], name="option_position_unique"),
        ]

    def __str__(self) -> str:
        return self.label


class Agreement(models.IntegerChoices):
    """The five-point agreement scale, stored as numbers so that results can be averaged."""

    STRONGLY_AGREE = 5, "Strongly agree"
    AGREE = 4, "Agree"
    NEITHER = 3, "Neither agree nor disagree"
    DISAGREE = 2, "Disagree"
    STRONGLY_DISAGREE = 1, "Strongly disagree"

"""The domain: consultations on proposed AI deployments, their questions, and people's responses."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from enum import StrEnum

from django.conf import settings
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


# --- Responses --------------------------------------------------------------------------------

# Crockford's base 32 without I, L, O and U, so a reference read out over the phone is unambiguous.
REFERENCE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_reference() -> str:
    """An unguessable reference such as `R-7KX4-M9PT-2HQD` (60 random bits)."""
    chars = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(12))
    return f"R-{chars[0:4]}-{chars[4:8]}-{chars[8:12]}"


class ResponseQuerySet(models.QuerySet["Response"]):
    def submitted(self) -> ResponseQuerySet:
        return self.filter(status=Response.Status.SUBMITTED)

    def drafts(self) -> ResponseQuerySet:
        return self.filter(status=Response.Status.DRAFT)


class Response(models.Model):
    """One person's or organisation's response to a consultation."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"
        WITHDRAWN = "withdrawn", "Withdrawn"

    class RespondentType(models.TextChoices):
        INDIVIDUAL = "individual", "As an individual"
        ORGANISATION = "organisation", "On behalf of an organisation"

    reference = models.CharField(max_length=20, unique=True, default=new_reference, editable=False)
    consultation = models.ForeignKey(Consultation, on_delete=models.PROTECT, related_name="responses")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="responses"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    respondent_type = models.CharField(max_length=20, choices=RespondentType.choices, blank=True)
    organisation_name = models.CharField(max_length=200, blank=True)
    email = models.EmailField(blank=True, help_text="Where the receipt and resume links go.")
    # The identifier a response had in the file it was imported from, if it was imported.
    external_id = models.CharField(max_length=100, blank=True)
    # A random key sent with the form that starts a response, so that a double-posted form
    # finds the response it already made instead of making a second one.
    start_key = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    objects = ResponseQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["consultation", "start_key"], name="response_start_key_unique"),
        ]
        # Serves the workspace: counts by status, and the drill-down and charts by date sent.
        indexes = [models.Index(fields=["consultation", "status", "submitted_at"], name="response_status_sent_idx")]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def is_submitted(self) -> bool:
        return self.status == self.Status.SUBMITTED

    @property
    def is_withdrawn(self) -> bool:
        return self.status == self.Status.WITHDRAWN

    @property
    def is_changeable(self) -> bool:
        """Whether the respondent may still change it: not withdrawn, consultation still open."""
        return not self.is_withdrawn and self.consultation.is_open

    @property
    def respondent_label(self) -> str:
        if self.respondent_type == self.RespondentType.ORGANISATION:
            return f"On behalf of {self.organisation_name}"
        return "As an individual" if self.respondent_type else ""


class Answer(models.Model):
    """A response's answer to one question: text, chosen options or a point on the scale."""

    class Visibility(models.TextChoices):
        VISIBLE = "visible", "Visible"
        REDACTED = "redacted", "Redacted by a moderator"
        HIDDEN = "hidden", "Hidden by a moderator"

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    text = models.TextField(blank=True)
    options = models.ManyToManyField(Option, blank=True, related_name="answers")
    agreement = models.PositiveSmallIntegerField(choices=Agreement.choices, null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The text with personal data replaced by placeholders: the only text the analysis and any
    # language model ever see. Empty until the answer has been processed.
    redacted_text = models.TextField(blank=True)
    redaction_version = models.CharField(max_length=20, blank=True)
    has_personal_data = models.BooleanField(default=False)
    # A moderator's decision: a hidden answer leaves the analysis at its next run and is never
    # published; a redacted one keeps its original in `RedactedOriginal`.
    visibility = models.CharField(max_length=10, choices=Visibility.choices, default=Visibility.VISIBLE)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["response", "question"], name="answer_once_per_question"),
        ]

    def __str__(self) -> str:
        return f"{self.response} / {self.question_id}"


class EqualityInformation(models.Model):
    """Optional information about the respondent, kept apart from their answers and used only to
    check that the consultation reaches, and the analysis serves, everyone."""

    class AgeBand(models.TextChoices):
        UNDER_18 = "under_18", "Under 18"
        AGE_18_24 = "18_24", "18 to 24"
        AGE_25_34 = "25_34", "25 to 34"
        AGE_35_44 = "35_44", "35 to 44"
        AGE_45_54 = "45_54", "45 to 54"
        AGE_55_64 = "55_64", "55 to 64"
        AGE_65_74 = "65_74", "65 to 74"
        AGE_75_OVER = "75_over", "75 or over"
        PREFER_NOT = "prefer_not", "Prefer not to say"

    class Region(models.TextChoices):
        NORTH_EAST = "north_east", "North East England"
        NORTH_WEST = "north_west", "North West England"
        YORKSHIRE = "yorkshire", "Yorkshire and the Humber"
        EAST_MIDLANDS = "east_midlands", "East Midlands"
        WEST_MIDLANDS = "west_midlands", "West Midlands"
        EAST = "east", "East of England"
        LONDON = "london", "London"
        SOUTH_EAST = "south_east", "South East England"
        SOUTH_WEST = "south_west", "South West England"
        WALES = "wales", "Wales"
        SCOTLAND = "scotland", "Scotland"
        NORTHERN_IRELAND = "northern_ireland", "Northern Ireland"
        OUTSIDE_UK = "outside_uk", "Outside the UK"
        PREFER_NOT = "prefer_not", "Prefer not to say"

    class Disability(models.TextChoices):
        YES_A_LOT = "yes_a_lot", "Yes, limited a lot"
        YES_A_LITTLE = "yes_a_little", "Yes, limited a little"
        NO = "no", "No"
        PREFER_NOT = "prefer_not", "Prefer not to say"

    class Ethnicity(models.TextChoices):
        ASIAN = "asian", "Asian or Asian British"
        BLACK = "black", "Black, African, Caribbean or Black British"
        MIXED = "mixed", "Mixed or multiple ethnic groups"
        WHITE = "white", "White"
        OTHER = "other", "Another ethnic group"
        PREFER_NOT = "prefer_not", "Prefer not to say"

    response = models.OneToOneField(Response, on_delete=models.CASCADE, related_name="equality")
    age_band = models.CharField(max_length=20, choices=AgeBand.choices, blank=True)
    region = models.CharField(max_length=20, choices=Region.choices, blank=True)
    disability = models.CharField(max_length=20, choices=Disability.choices, blank=True)
    ethnicity = models.CharField(max_length=20, choices=Ethnicity.choices, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "equality information"

    def __str__(self) -> str:
        return f"Equality information for {self.response}"

"""Consultations on proposed AI deployments, their AI tool records and questions, and the
departments behind them. Accounts are in `accounts`, people's responses in `responses`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

# --- Welsh versions ---------------------------------------------------------------------------


class HasWelshVersion:
    """A model whose public text fields may have a Welsh twin named `<field>_cy`.

    The one place that decides which version a page shows: the Welsh one when the page is in
    Welsh and the Welsh version exists, the English one otherwise.
    """

    def localised(self, name: str) -> str:
        if get_language() == "cy":
            welsh = getattr(self, f"{name}_cy", "")
            if welsh:
                return welsh
        return getattr(self, name)

    def shows_english_for(self, name: str) -> bool:
        """Whether a Welsh page falls back to the English text (marked `lang="en"` for screen readers)."""
        return get_language() == "cy" and not getattr(self, f"{name}_cy", "") and bool(getattr(self, name))


class Department(HasWelshVersion, models.Model):
    """A government department or public body that runs consultations."""

    name = models.CharField(max_length=200, unique=True)
    # Its official Welsh name, shown on the Welsh pages when given (`localised`).
    name_cy = models.CharField("name in Welsh", max_length=200, blank=True)
    slug = models.SlugField(max_length=100, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


# --- Consultations ----------------------------------------------------------------------------

OUTCOME_DUE_AFTER = timedelta(weeks=12)
# UK consultation principles count the weeks on the UK's calendar, whatever the server's zone.
UK_TIME = ZoneInfo("Europe/London")


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
            Phase.DRAFT: _("Draft"),
            Phase.UPCOMING: _("Opening soon"),
            Phase.OPEN: _("Open"),
            Phase.CLOSED: _("Closed"),
            Phase.OUTCOME_PUBLISHED: _("Outcome published"),
        }[self]


def _no_outcome_yet(now: datetime) -> Q:
    return Q(outcome_published_at__isnull=True) | Q(outcome_published_at__gt=now)


class ConsultationQuerySet(models.QuerySet["Consultation"]):
    def published(self) -> ConsultationQuerySet:
        """Those the public may see: every phase but draft."""
        return self.filter(is_published=True)

    def taking_responses(self, moment: datetime | None = None) -> ConsultationQuerySet:
        """Those taking responses at `moment` (now by default): the open phase of
        `Consultation.phase_at`, as a filter. The one statement of the rule: the one-statement
        intake compiles its SQL from it (`consult.services.intake`)."""
        now = moment or timezone.now()
        return self.published().filter(opens_at__lte=now, closes_at__gt=now).filter(_no_outcome_yet(now))

    def upcoming_at(self, moment: datetime | None = None) -> ConsultationQuerySet:
        now = moment or timezone.now()
        return self.published().filter(opens_at__gt=now).filter(_no_outcome_yet(now))

    def closed_at(self, moment: datetime | None = None) -> ConsultationQuerySet:
        """Those no longer taking responses, with or without a published outcome (the public
        list's "Closed" filter)."""
        now = moment or timezone.now()
        return self.published().filter(closes_at__lte=now)

    def search(self, words: str) -> ConsultationQuerySet:
        """Consultations whose title, summary, department or AI tool mention every word given, in
        English or in Welsh."""
        queryset = self
        fields = [
            "title",
            "summary",
            "department__name",
            "ai_tool__tool_name",
            "ai_tool__description",
        ]
        for word in words.split():
            found = Q()
            for field in fields:
                found |= Q(**{f"{field}__icontains": word}) | Q(**{f"{field}_cy__icontains": word})
            queryset = queryset.filter(found)
        return queryset


class Consultation(HasWelshVersion, models.Model):
    """A public consultation about a proposed deployment of AI in a public service.

    Its phase follows from `is_published` and its times: it opens at `opens_at` and closes at
    `closes_at` without anyone having to press a button, and reaches "outcome published" once
    the government's response is out.
    """

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=100, unique=True)
    summary = models.TextField(help_text="A plain-English summary of what is proposed and what you are asking.")
    # Welsh versions, shown on the Welsh pages when given (`localised`).
    title_cy = models.CharField("title in Welsh", max_length=200, blank=True)
    summary_cy = models.TextField("summary in Welsh", blank=True)
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="consultations")
    contact_name = models.CharField(max_length=200, blank=True)
    contact_email = models.EmailField()
    is_published = models.BooleanField(
        default=False, help_text="Unpublished consultations are drafts and the public cannot see them."
    )
    opens_at = models.DateTimeField()
    closes_at = models.DateTimeField()
    outcome_published_at = models.DateTimeField(null=True, blank=True)
    # When the retention command purged respondents' personal data (`purge_personal_data`).
    personal_data_purged_at = models.DateTimeField(null=True, blank=True)
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

    def phase_at(self, moment: datetime | None = None) -> Phase:
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
        12 weeks of closing. The weeks are counted on the UK's calendar, so the outcome is due at
        the same time of day as the consultation closed, across a change of the clocks (a
        consultation closing at 11:59pm on 15 January is due at 11:59pm on 9 April, not 12:59am
        on 10 April); returned in UTC, as the database gives times."""
        closed_in_the_uk = self.closes_at.astimezone(UK_TIME)
        # Adding to an aware datetime moves its wall-clock time; the zone then gives the offset
        # of the new date (GMT or BST).
        return (closed_in_the_uk + OUTCOME_DUE_AFTER).astimezone(UTC)

    @property
    def is_outcome_overdue(self) -> bool:
        """Closed, and the 12 weeks for its outcome have passed without one."""
        now = timezone.now()
        return self.phase_at(now) is Phase.CLOSED and now > self.outcome_due_at

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


class AIToolRecord(HasWelshVersion, models.Model):
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
    # Welsh versions of the record's text, shown on the Welsh pages when given.
    tool_name_cy = models.CharField("name of the tool in Welsh", max_length=200, blank=True)
    description_cy = models.TextField("what the tool does, in Welsh", blank=True)
    purpose_cy = models.TextField("why it is proposed, in Welsh", blank=True)
    decision_role_cy = models.TextField("how it is used in decisions, in Welsh", blank=True)
    human_oversight_cy = models.TextField("human oversight, in Welsh", blank=True)
    how_to_challenge_cy = models.TextField("how to challenge a decision, in Welsh", blank=True)
    data_used_cy = models.TextField("data the tool uses, in Welsh", blank=True)
    risks_cy = models.TextField("risks, in Welsh", blank=True)
    mitigations_cy = models.TextField("how the risks are reduced, in Welsh", blank=True)
    owner_cy = models.CharField("who is responsible for the tool, in Welsh", max_length=200, blank=True)
    supplier_cy = models.CharField("who built the tool, in Welsh", max_length=200, blank=True)

    class Meta:
        verbose_name = "AI tool record"

    def __str__(self) -> str:
        return self.tool_name

    # The record's sections in reading order: (heading, field).
    SECTIONS = [
        (_("What the tool does"), "description"),
        (_("Why it is proposed"), "purpose"),
        (_("How it is used in decisions"), "decision_role"),
        (_("Human oversight"), "human_oversight"),
        (_("How to challenge a decision"), "how_to_challenge"),
        (_("Data the tool uses"), "data_used"),
        (_("Risks"), "risks"),
        (_("How the risks are reduced"), "mitigations"),
    ]

    def sections(self) -> list[tuple[str, str]]:
        """The record's sections in reading order, as (heading, text) pairs."""
        return [(str(heading), getattr(self, name)) for heading, name in self.SECTIONS]

    def localised_sections(self) -> list[tuple[str, str, bool]]:
        """The sections in the page's language where a Welsh version exists, as (heading, text,
        shows_english) triples: the last says the Welsh page falls back to the English text."""
        return [(heading, self.localised(name), self.shows_english_for(name)) for heading, name in self.SECTIONS]


# --- Questions --------------------------------------------------------------------------------


class Question(HasWelshVersion, models.Model):
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
    text_cy = models.CharField("question in Welsh", max_length=500, blank=True)
    hint_cy = models.TextField("hint in Welsh", blank=True)
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
        multiple-choice question, once, even where the official's own hint already says it."""
        hint = self.localised("hint")
        if self.kind == self.Kind.MULTIPLE_CHOICE:
            select_all = str(_("Select all that apply."))
            if select_all.rstrip(".").casefold() in hint.casefold():
                return hint
            return f"{hint}\n\n{select_all}" if hint else select_all
        return hint


class Option(HasWelshVersion, models.Model):
    """One of the answers offered by a single- or multiple-choice question."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="options")
    position = models.PositiveIntegerField()
    label = models.CharField(max_length=200)
    label_cy = models.CharField("label in Welsh", max_length=200, blank=True)
    # GOV.UK's exclusive option ("None of these", "Nothing worries me"): on a multiple-choice
    # question it cannot be chosen together with any other option.
    is_exclusive = models.BooleanField(
        "cannot be chosen with other options",
        default=False,
        help_text="For multiple choice: an answer such as “None of these”, shown last after “or”.",
    )

    class Meta:
        ordering = ["question", "position"]
        constraints = [
            models.UniqueConstraint(fields=["question", "position"], name="option_position_unique"),
        ]

    def __str__(self) -> str:
        # Forms and answer summaries show an option through str(): in the page's language.
        return self.localised("label")


class Agreement(models.IntegerChoices):
    """The five-point agreement scale, stored as numbers so that results can be averaged."""

    STRONGLY_AGREE = 5, _("Strongly agree")
    AGREE = 4, _("Agree")
    NEITHER = 3, _("Neither agree nor disagree")
    DISAGREE = 2, _("Disagree")
    STRONGLY_DISAGREE = 1, _("Strongly disagree")

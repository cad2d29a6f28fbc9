"""The officials' side: who may work on which consultation, the themes officials review and sign
off, the mapping of answers to those themes, moderation, the audit trail and the published outcome.

The AI proposes (a run's `Theme` rows are candidates and stay as the run wrote them); people
decide (a `ThemeSet` of `ReviewTheme` rows per free-text question, edited, signed off, then
every answer mapped to it). Every human change is an `AuditEvent` with its before and after.
"""

from __future__ import annotations

from enum import StrEnum

from django.conf import settings
from django.db import models
from django.db.models import Q

from consult.models.analysis import AnalysisRun, Theme
from consult.models.consultations import Consultation, Department, Question
from consult.models.responses import Answer, Response

# --- Who may do what --------------------------------------------------------------------------


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


# --- Themes officials review ------------------------------------------------------------------


class ThemeSet(models.Model):
    """Officials' themes for one free-text question.

    It starts as a copy of a run's candidate themes (`source_run`), is edited, signed off by a lead,
    and then every answer is mapped to it. `version` goes up with every change to the set or its
    themes, so that two officials editing at once cannot silently overwrite each other: a form
    carries the version it was drawn from, and a save against an older version is refused.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", "In review"
        SIGNED_OFF = "signed_off", "Signed off"

    class MappingStatus(models.TextChoices):
        NOT_STARTED = "not_started", "Not mapped"
        QUEUED = "queued", "Waiting for a worker"
        RUNNING = "running", "Mapping"
        DONE = "done", "Mapped"
        FAILED = "failed", "Mapping failed"

    question = models.OneToOneField(Question, on_delete=models.CASCADE, related_name="theme_set")
    source_run = models.ForeignKey(AnalysisRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    version = models.PositiveIntegerField(default=1)
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    signed_off_at = models.DateTimeField(null=True, blank=True)
    mapping_status = models.CharField(max_length=12, choices=MappingStatus.choices, default=MappingStatus.NOT_STARTED)
    mapping_error = models.TextField(blank=True)
    mapped_at = models.DateTimeField(null=True, blank=True)
    # The mapping's trained classifier (consult.analysis.mapping.Classifier.to_dict()), kept so
    # that answers arriving after a mapping are mapped on arrival with the same model.
    classifier = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Themes of {self.question}"

    @property
    def is_signed_off(self) -> bool:
        return self.status == self.Status.SIGNED_OFF


class ReviewTheme(models.Model):
    """A theme as officials hold it. `candidates` are the AI themes it came from (several after a
    merge, none for a theme an official created); `is_other` marks the set's "Other" theme, where
    answers that fit no theme go."""

    class Source(models.TextChoices):
        AI = "ai", "Found by the analysis"
        OFFICIAL = "official", "Added by an official"
        FRAMEWORK = "framework", "From an imported coding framework"

    theme_set = models.ForeignKey(ThemeSet, on_delete=models.CASCADE, related_name="themes")
    position = models.PositiveIntegerField()
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.AI)
    label = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    candidates = models.ManyToManyField(Theme, blank=True, related_name="review_themes")
    is_other = models.BooleanField(default=False)
    # The government's response to this theme, published on the outcome page.
    government_response = models.TextField(blank=True)
    # Welsh versions for the Welsh outcome page, written with the outcome (blank when there is none).
    label_cy = models.CharField("label in Welsh", max_length=200, blank=True)
    description_cy = models.TextField("description in Welsh", blank=True)
    government_response_cy = models.TextField("the government's response in Welsh", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["theme_set", "is_other", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["theme_set"], condition=Q(is_other=True), name="review_theme_one_other_per_set"
            ),
        ]

    def __str__(self) -> str:
        return self.label


class ThemeMapping(models.Model):
    """An answer's place in a reviewed theme.

    Rows the mapping wrote have `source=ai` and are never deleted: when an official takes an
    answer out of a theme the row is marked removed, so the AI's original assignment is kept and
    the share of AI assignments that officials changed can be reported.
    """

    class Source(models.TextChoices):
        AI = "ai", "Mapped by the analysis"
        OFFICIAL = "official", "Added by an official"

    theme = models.ForeignKey(ReviewTheme, on_delete=models.CASCADE, related_name="mappings")
    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="theme_mappings")
    source = models.CharField(max_length=10, choices=Source.choices)
    similarity = models.FloatField(null=True, blank=True, help_text="How close the answer was, for AI rows.")
    is_active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["theme", "answer"], name="mapping_once_per_theme")]
        indexes = [models.Index(fields=["answer", "is_active"]), models.Index(fields=["theme", "is_active"])]

    def __str__(self) -> str:
        return f"{self.answer_id} in {self.theme_id} ({self.source})"


class MappingCheck(models.Model):
    """An answer the mapping asked officials to check, and what they decided.

    `reason` says why it was asked: the answers the classifier is least sure of teach it most;
    answers drawn at random measure its accuracy without bias. `proposed_theme_ids` is what the
    mapping said (reviewed theme ids, best first; empty for Other); `decided_theme_ids` what the
    official said, and `is_correct` whether the two were the same.
    """

    class Reason(models.TextChoices):
        UNSURE = "unsure", "The mapping was least sure of it"
        RANDOM = "random", "Drawn at random to measure accuracy"

    theme_set = models.ForeignKey(ThemeSet, on_delete=models.CASCADE, related_name="checks")
    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(max_length=10, choices=Reason.choices)
    proposed_theme_ids = models.JSONField(default=list)
    confidence = models.FloatField(null=True, blank=True, help_text="The mapping's probability for its proposal.")
    decided_theme_ids = models.JSONField(null=True, blank=True)
    is_correct = models.BooleanField(null=True, blank=True)
    requested_at = models.DateTimeField(auto_now_add=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    checked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["theme_set", "answer"], name="mapping_check_once")]

    def __str__(self) -> str:
        return f"check of answer {self.answer_id} in {self.theme_set_id}"


# --- Moderation -------------------------------------------------------------------------------


class Flag(models.Model):
    """A reason to look at an answer again, raised by the analysis or reported by an official.

    An open flag waits in the moderation queue; a moderator's decision closes every open flag on
    the answer and sets the answer's `visibility`.
    """

    class Reason(models.TextChoices):
        PERSONAL_DATA = "personal_data", "Personal data found"
        ABUSE = "abuse", "Abusive language"
        SPAM = "spam", "Likely spam"
        GENERATED = "generated", "Likely generated text"
        CAMPAIGN = "campaign", "Campaign copy"
        REPORTED = "reported", "Reported by an official"

    class Status(models.TextChoices):
        OPEN = "open", "Waiting for a moderator"
        APPROVED = "approved", "Approved"
        REDACTED = "redacted", "Redacted"
        HIDDEN = "hidden", "Hidden"

    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="flags")
    reason = models.CharField(max_length=16, choices=Reason.choices)
    detail = models.TextField(blank=True, help_text="What was found, or why it was reported.")
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            # The analysis raises each kind of flag once per answer while it is open.
            models.UniqueConstraint(
                fields=["answer", "reason"], condition=Q(status="open"), name="flag_open_once_per_reason"
            ),
        ]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.get_reason_display()} on answer {self.answer_id}"


class RedactedOriginal(models.Model):
    """The original text of an answer a moderator redacted, kept under stricter access
    (Permission.SEE_ORIGINAL): `Answer.text` holds the redacted text everyone else sees."""

    answer = models.OneToOneField(Answer, on_delete=models.CASCADE, related_name="redacted_original")
    original_text = models.TextField()
    reason = models.TextField()
    redacted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    redacted_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Original of answer {self.answer_id}"


class ResponseRead(models.Model):
    """That an official has read a response, for the "unread" filter."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="reads")
    read_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "response"], name="read_once")]

    def __str__(self) -> str:
        return f"{self.user_id} read {self.response_id}"


# --- The record of what people did ------------------------------------------------------------


class AuditEvent(models.Model):
    """One human change: who, when, what, and the state before and after it."""

    # Empty for decisions about no one consultation, such as verifying an organisation.
    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, null=True, blank=True, related_name="audit_events"
    )
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    action = models.CharField(max_length=50, help_text="What was done, such as 'theme.merge'.")
    object_type = models.CharField(max_length=50)
    object_id = models.CharField(max_length=50, blank=True)
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["consultation", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.action} by {self.actor} at {self.created_at:%Y-%m-%d %H:%M}"


# --- The published outcome --------------------------------------------------------------------


class Outcome(models.Model):
    """The government's "You said, we did" for one consultation.

    A lead approves it; publishing sets `Consultation.outcome_published_at`, after which the
    public outcome page shows it and respondents are told by email.
    """

    consultation = models.OneToOneField(Consultation, on_delete=models.CASCADE, related_name="outcome")
    summary = models.TextField(blank=True, help_text="What the consultation heard, in plain English.")
    decision = models.TextField(blank=True, help_text="What the government will do.")
    method_note = models.TextField(blank=True, help_text="How the responses were analysed.")
    # Welsh versions for the Welsh outcome page (blank when there is none: it then shows the English).
    summary_cy = models.TextField("summary in Welsh", blank=True)
    decision_cy = models.TextField("decision in Welsh", blank=True)
    method_note_cy = models.TextField("how the responses were analysed, in Welsh", blank=True)
    version = models.PositiveIntegerField(default=1)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    # What the page showed when it was published: counts and themes, frozen, so that a later
    # edit or analysis run cannot change a published record silently.
    published_snapshot = models.JSONField(default=dict, blank=True)
    emails_sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Outcome of {self.consultation}"

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

"""The themes officials review and sign off, and the mapping of answers to them.

The AI proposes (a run's `Theme` rows are candidates and stay as the run wrote them); people
decide (a `ThemeSet` of `ReviewTheme` rows per free-text question, edited, signed off, then
every answer mapped to it, with `MappingCheck`s of that mapping). `ResponseRead` marks the
responses an official has read."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from consult.models.analysis import AnalysisRun, SubTheme, Theme
from consult.models.consultations import Question
from consult.models.responses import Answer, Response


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
    # A mapping in progress (consult.services.mapping): the classifier it trained and what its
    # audit record will say, kept here until every chunk is mapped and the result is switched in.
    pending_mapping = models.JSONField(default=dict, blank=True)
    # Its pieces of work sent to the workers, and how many of them are done, for progress.
    mapping_chunks_total = models.PositiveIntegerField(default=0)
    mapping_chunks_done = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Themes of {self.question}"

    @property
    def is_signed_off(self) -> bool:
        return self.status == self.Status.SIGNED_OFF


class ReviewTheme(models.Model):
    """A theme as officials hold it. `candidates` are the AI themes it came from (several after a
    merge, none for a theme an official created), and `sub_theme_candidates` the AI sub-themes an
    official added as themes of their own; the members of both are evidence for the mapping.
    `is_other` marks the set's "Other" theme, where answers that fit no theme go."""

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
    sub_theme_candidates = models.ManyToManyField(SubTheme, blank=True, related_name="review_themes")
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


class MappingChunk(models.Model):
    """One piece of a mapping in progress: the mappable answers of the question with ids from
    `first_id` to `last_id`, mapped by one task on a worker. `version` is the set's version when
    the mapping split its work; `done_at` is set once, so a chunk delivered twice counts once.
    A new mapping of the set deletes the chunks of the one before, and their proposals with them."""

    theme_set = models.ForeignKey(ThemeSet, on_delete=models.CASCADE, related_name="mapping_chunks")
    version = models.PositiveIntegerField()
    number = models.PositiveIntegerField()
    first_id = models.BigIntegerField()
    last_id = models.BigIntegerField()
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["theme_set", "number"], name="mapping_chunk_once")]

    def __str__(self) -> str:
        return f"chunk {self.number} of the mapping of {self.theme_set_id}"


class MappingProposal(models.Model):
    """What a chunk of a mapping proposes for one answer and one theme, staged out of sight until
    the whole mapping is switched in (then these rows are cleared).

    `rank` orders an answer's themes, best first (0 for its Other row when it fits no theme);
    `probability` is the classifier's (none for Other); `uncertainty` is the answer's, on each of
    its rows. When switching in, `is_refused` marks a proposal an official's decision stands
    against, and a row with no rank is the Other row of an answer whose proposals were all refused.
    """

    chunk = models.ForeignKey(MappingChunk, on_delete=models.CASCADE, related_name="proposals")
    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="+", db_index=False)
    theme = models.ForeignKey(ReviewTheme, on_delete=models.CASCADE, related_name="+", db_index=False)
    rank = models.PositiveSmallIntegerField(null=True, blank=True)
    probability = models.FloatField(null=True, blank=True)
    uncertainty = models.FloatField(null=True, blank=True)
    is_refused = models.BooleanField(default=False)

    class Meta:
        indexes = [models.Index(fields=["answer", "theme"])]

    def __str__(self) -> str:
        return f"{self.answer_id} proposed for {self.theme_id}"


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


class ResponseRead(models.Model):
    """That an official has read a response, for the "unread" filter."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="reads")
    read_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "response"], name="read_once")]

    def __str__(self) -> str:
        return f"{self.user_id} read {self.response_id}"

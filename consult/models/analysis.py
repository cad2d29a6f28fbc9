"""Analysis runs and their results.

The database is the source of truth for the pipeline: a run is a row with a status, a stage and
progress, its parameters, model versions, timings and costs. Its results (themes, assignments,
campaigns, sub-themes, summaries) belong to the run. They are written while it runs, by the run and
its pieces on the workers (consult.services.run_chunks), and switched in by the transaction that
marks it succeeded: pages read only succeeded runs, so a half-finished run is never visible, and
pages keep showing the last succeeded run until the next one succeeds. A run that fails removes
what it wrote.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TypedDict

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from consult.models.consultations import Consultation, Question
from consult.models.responses import Answer


class AnswerEmbedding(models.Model):
    """An answer's embedding by one model, computed once.

    `text_hash` is the hash of the redacted text that was embedded, so an edited answer is
    embedded again, and an unchanged one never is.
    """

    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="embeddings")
    model_name = models.CharField(max_length=200)
    dimensions = models.PositiveIntegerField()
    vector = models.BinaryField()
    text_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["answer", "model_name"], name="embedding_once_per_model"),
        ]

    def __str__(self) -> str:
        return f"{self.model_name} embedding of answer {self.answer_id}"


class AnalysisRunQuerySet(models.QuerySet["AnalysisRun"]):
    def succeeded(self) -> AnalysisRunQuerySet:
        return self.filter(status=AnalysisRun.Status.SUCCEEDED)

    def latest_succeeded_for(self, consultation: Consultation) -> AnalysisRun | None:
        return self.succeeded().filter(consultation=consultation).order_by("-finished_at", "-pk").first()


class AnalysisRun(models.Model):
    """One run of the analysis over one consultation's responses."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    class Stage(models.TextChoices):
        WAITING = "waiting", "Waiting for a worker"
        REDACTING = "redacting", "Redacting personal data"
        EMBEDDING = "embedding", "Embedding answers"
        CAMPAIGNS = "campaigns", "Finding campaigns"
        THEMES = "themes", "Finding themes"
        LABELS = "labels", "Labelling themes"
        PLACING = "placing", "Placing answers in themes"
        SUB_THEMES = "sub_themes", "Finding sub-themes"
        SUMMARIES = "summaries", "Writing summaries"
        SAVING = "saving", "Saving results"
        DONE = "done", "Done"

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="analysis_runs")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    stage = models.CharField(max_length=12, choices=Stage.choices, default=Stage.WAITING)
    progress = models.PositiveSmallIntegerField(default=0, help_text="Per cent done, for a progress bar.")
    parameters = models.JSONField(default=dict)
    versions = models.JSONField(default=dict, help_text="Models, prompt and code versions used.")
    timings = models.JSONField(default=dict, help_text="Seconds spent in each stage.")
    answers_analysed = models.PositiveIntegerField(default=0)
    llm_calls = models.PositiveIntegerField(default=0)
    prompt_tokens = models.PositiveIntegerField(default=0)
    completion_tokens = models.PositiveIntegerField(default=0)
    estimated_cost = models.DecimalField(max_digits=10, decimal_places=4, default=0)
    dropped_quotes = models.PositiveIntegerField(default=0)
    # Summary sentences left out because a figure in them matched none of the counts.
    dropped_figures = models.PositiveIntegerField(default=0)
    # Summary sentences left out for markup, instructions, addresses or a demand in the service's
    # own voice; and the model's labels (with their descriptions) that broke a label rule and were
    # replaced by offline ones.
    dropped_unsafe = models.PositiveIntegerField(default=0)
    rejected_labels = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    # The pieces of work the run sent out to the workers at its current stage (placing answers,
    # sub-themes), and how many of them are done: the piece that finishes the last sends the next
    # stage (consult.services.run_chunks).
    chunks_total = models.PositiveIntegerField(default=0)
    chunks_done = models.PositiveIntegerField(default=0)
    # Which pieces of the current stage are done, so that a piece delivered twice counts once.
    chunks_finished = models.JSONField(default=list, blank=True)
    # The pieces to send as the next stage, gathered while this one runs: the first step leaves
    # each question's themes piece (and the moderation screening) here while the campaigns are
    # scanned; each themes piece adds its question's placing pieces.
    next_pieces = models.JSONField(default=list, blank=True)
    # The execution that holds the run, set when a worker claims it: every later write of the run
    # names it, so an execution whose claim was taken over (its worker went silent, another claimed
    # the run) can no longer write, and stops.
    execution = models.CharField(max_length=32, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = AnalysisRunQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["consultation", "status"])]

    def __str__(self) -> str:
        return f"Analysis run {self.pk} of {self.consultation} ({self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.SUCCEEDED, self.Status.FAILED)

    # The stages in which a run's pieces are out with the workers (consult.services.run_chunks).
    PIECES_STAGES = ("campaigns", "themes", "placing", "sub_themes", "summaries")

    @classmethod
    def claimable(cls) -> Q:
        """Runs a worker may claim: queued ones, and running ones whose worker went silent."""
        # A running run whose worker has not reported for this long was abandoned (its worker was
        # killed), and the redelivered task may claim it again.
        now = timezone.now()
        stale = now - timedelta(seconds=settings.ANALYSIS_STALE_SECONDS)
        # A run whose pieces wait in the queue behind other work reports only when a piece starts.
        pieces_stale = now - timedelta(seconds=settings.ANALYSIS_PIECES_STALE_SECONDS)
        waiting = Q(stage__in=cls.PIECES_STAGES)
        return (
            Q(status=cls.Status.QUEUED)
            | Q(status=cls.Status.RUNNING, heartbeat_at__lt=stale) & ~waiting
            | Q(status=cls.Status.RUNNING, heartbeat_at__lt=pieces_stale) & waiting
        )


class Theme(models.Model):
    """A theme of one question's answers, as found (and later labelled) by one run."""

    class LabelSource(models.TextChoices):
        MODEL = "model", "Written by a language model"
        EXTRACTIVE = "extractive", "Taken from the answers (not written by AI)"

    run = models.ForeignKey(AnalysisRun, on_delete=models.CASCADE, related_name="themes")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="themes")
    key = models.PositiveIntegerField(help_text="1 for the largest theme of the question in this run.")
    label = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    label_source = models.CharField(max_length=12, choices=LabelSource.choices)
    keywords = models.JSONField(default=list)
    answer_count = models.PositiveIntegerField(help_text="Answers whose primary or secondary theme this is.")
    campaign_once_count = models.PositiveIntegerField(help_text="The same, counting each campaign once.")
    centroid = models.BinaryField(help_text="Where late answers are compared, as float32.")
    threshold = models.FloatField(help_text="Least similarity for a late answer to join.")
    representatives = models.ManyToManyField(Answer, related_name="+", blank=True)
    # Agreement-scale answers of the members, when the question explains one: {"1": n, ..., "5": n}.
    agreement_counts = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["run", "question", "key"]
        constraints = [models.UniqueConstraint(fields=["run", "question", "key"], name="theme_key_unique")]

    def __str__(self) -> str:
        return self.label


class ThemeAssignment(models.Model):
    """An answer's place in a theme: rank 0 is its primary theme."""

    theme = models.ForeignKey(Theme, on_delete=models.CASCADE, related_name="assignments")
    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="theme_assignments")
    rank = models.PositiveSmallIntegerField(default=0)
    # Assigned on arrival to a finished run's themes, rather than by the run itself.
    is_late = models.BooleanField(default=False)

    class Meta:
        ordering = ["answer", "rank"]
        constraints = [models.UniqueConstraint(fields=["theme", "answer"], name="assignment_once_per_theme")]

    def __str__(self) -> str:
        return f"{self.answer_id} in {self.theme_id} (rank {self.rank})"


class SubTheme(models.Model):
    """A narrower view inside one theme of a large question, found by one run among the theme's
    own answers; or, with no `parent`, a small view among the answers that fit no theme. Each
    answer belongs to at most one sub-theme of its primary theme."""

    run = models.ForeignKey(AnalysisRun, on_delete=models.CASCADE, related_name="sub_themes")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="sub_themes")
    parent = models.ForeignKey(Theme, on_delete=models.CASCADE, null=True, blank=True, related_name="sub_themes")
    key = models.PositiveIntegerField(help_text="1 for the largest sub-theme of the question in this run.")
    label = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    label_source = models.CharField(max_length=12, choices=Theme.LabelSource.choices)
    keywords = models.JSONField(default=list)
    answer_count = models.PositiveIntegerField()
    centroid = models.BinaryField(help_text="Where the parent's answers are compared, as float32.")
    threshold = models.FloatField(help_text="Least similarity for an answer to join.")
    representatives = models.ManyToManyField(Answer, related_name="+", blank=True)

    class Meta:
        ordering = ["run", "question", "key"]
        constraints = [models.UniqueConstraint(fields=["run", "question", "key"], name="sub_theme_key_unique")]

    def __str__(self) -> str:
        return self.label


class SubThemeAssignment(models.Model):
    """An answer's place in a sub-theme."""

    sub_theme = models.ForeignKey(SubTheme, on_delete=models.CASCADE, related_name="assignments")
    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="sub_theme_assignments")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["sub_theme", "answer"], name="sub_theme_assignment_once")]

    def __str__(self) -> str:
        return f"{self.answer_id} in sub-theme {self.sub_theme_id}"


class LateAnswer(models.Model):
    """An answer that arrived after a run and was compared with its themes: fits_none records
    that it matched no theme, so the run can show what share of new answers fits nothing."""

    run = models.ForeignKey(AnalysisRun, on_delete=models.CASCADE, related_name="late_answers")
    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="+")
    fits_none = models.BooleanField()
    assigned_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["run", "answer"], name="late_answer_once_per_run")]

    def __str__(self) -> str:
        return f"late answer {self.answer_id} of run {self.run_id}"


class Campaign(models.Model):
    """Copies and near-copies of one text among a question's answers, found by one run."""

    run = models.ForeignKey(AnalysisRun, on_delete=models.CASCADE, related_name="campaigns")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="campaigns")
    key = models.PositiveIntegerField()
    canonical_answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="+")
    member_count = models.PositiveIntegerField()

    class Meta:
        ordering = ["run", "question", "key"]
        constraints = [models.UniqueConstraint(fields=["run", "question", "key"], name="campaign_key_unique")]

    def __str__(self) -> str:
        return f"Campaign {self.key} of {self.member_count}"


class CampaignMember(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="members")
    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="campaign_memberships")
    # What this copy added to the campaign text, kept so that unique additions are not lost.
    addition = models.TextField(blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["campaign", "answer"], name="campaign_member_once")]

    def __str__(self) -> str:
        return f"{self.answer_id} in campaign {self.campaign_id}"


class CampaignScan(models.Model):
    """One range of a question's answers scanned for campaigns by a piece of a run
    (`consult.analysis.near_copies.Scan`), kept until the question's themes piece merges the
    scans into its campaigns."""

    run = models.ForeignKey(AnalysisRun, on_delete=models.CASCADE, related_name="campaign_scans")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="+")
    number = models.PositiveIntegerField(help_text="The piece that scanned it.")
    data = models.BinaryField()
    # Its texts' MinHash signatures, apart: only those of texts that resemble another are read.
    signatures = models.BinaryField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["run", "number"], name="campaign_scan_once")]

    def __str__(self) -> str:
        return f"Campaign scan {self.number} of run {self.run_id}"


class SummarySentence(TypedDict):
    """One sentence of `QuestionSummary.sentences`."""

    text: str
    references: list[str]  # response references


class QuestionSummary(models.Model):
    """A run's summary of one question, or of the whole consultation when `question` is empty.

    `sentences` is a list of {"text": ..., "references": [response references]}: every sentence
    cites the responses behind it.
    """

    run = models.ForeignKey(AnalysisRun, on_delete=models.CASCADE, related_name="summaries")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    sentences = models.JSONField(default=list)
    source = models.CharField(max_length=12, choices=Theme.LabelSource.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["run", "question"], name="summary_once_per_question"),
            models.UniqueConstraint(
                fields=["run"], condition=Q(question__isnull=True), name="summary_once_per_consultation"
            ),
        ]

    def __str__(self) -> str:
        return f"Summary in run {self.run_id}"

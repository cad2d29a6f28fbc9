"""People's responses to consultations: the response, its answers, and the optional equality
information kept apart from them."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from consult.models.consultations import Agreement, Consultation, Option, Question

# --- Responses --------------------------------------------------------------------------------

# Crockford's base 32 without I, L, O and U, so a reference read out over the phone is unambiguous.
REFERENCE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_reference() -> str:
    """An unguessable reference such as `R-7KX4-M9PT-2HQD` (60 random bits)."""
    chars = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(12))
    return f"R-{chars[0:4]}-{chars[4:8]}-{chars[8:12]}"


class ResponseQuerySet(models.QuerySet["Response"]):
    def submitted(self) -> ResponseQuerySet:
        """Responses that were sent (withdrawn ones are not): the only ones that count."""
        return self.filter(Response.submitted_q())

    def drafts(self) -> ResponseQuerySet:
        return self.filter(status=Response.Status.DRAFT)

    def withdrawn(self) -> ResponseQuerySet:
        """Responses their authors withdrew: kept on record, counted nowhere."""
        return self.filter(status=Response.Status.WITHDRAWN)


class Response(models.Model):
    """One person's or organisation's response to a consultation."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class RespondentType(models.TextChoices):
        INDIVIDUAL = "individual", _("As an individual")
        ORGANISATION = "organisation", _("On behalf of an organisation")

    reference = models.CharField(max_length=20, unique=True, default=new_reference, editable=False)
    consultation = models.ForeignKey(Consultation, on_delete=models.PROTECT, related_name="responses")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="responses"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    respondent_type = models.CharField(max_length=20, choices=RespondentType.choices, blank=True)
    organisation_name = models.CharField(max_length=200, blank=True)
    email = models.EmailField(blank=True, help_text="Where the receipt and resume links go.")
    # Asked on the about-you page. False until the respondent says yes, so a response that was
    # never asked (imported, or started before the question existed) is never published.
    is_publication_consented = models.BooleanField(
        default=False, help_text="The respondent agreed that their answers may be published without their name."
    )
    # The identifier a response had in the file it was imported from, if it was imported.
    external_id = models.CharField(max_length=100, blank=True)
    # Derived from the random key the start form carries and the browser's own secret, so that a
    # double-posted form finds the response it already made instead of making a second one, and
    # another browser posting the same form (a copied or cached page) never finds it.
    start_key = models.CharField(max_length=64, editable=False)
    # Which link opens the response: a new link (`services.response_links.reissue_link`) moves it
    # on, and every older link stops working. 0 is the link every response had before links could
    # be replaced, so links already emailed keep working.
    link_generation = models.PositiveIntegerField(default=0, editable=False)
    # When a link to the response was last sent: a link opens the response until
    # RESPONSE_LINK_DAYS_AFTER_CLOSE days after this or the consultation's close, whichever is later.
    link_issued_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    # The language of the pages the response was started in ("en-gb" or "cy"): its emails follow it.
    language = models.CharField(max_length=10, default=settings.LANGUAGE_CODE)
    # A response on behalf of a registered organisation: its members share this one draft, and
    # an admin of the organisation signs it off and sends it.
    organisation = models.ForeignKey(
        "consult.Organisation", on_delete=models.PROTECT, null=True, blank=True, related_name="responses"
    )
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Whether the organisation agreed to be named in the published outcome; None: not answered.
    may_name_organisation = models.BooleanField(null=True, blank=True)

    objects = ResponseQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["consultation", "start_key"], name="response_start_key_unique"),
            # One response per organisation per consultation (a withdrawn one aside).
            models.UniqueConstraint(
                fields=["consultation", "organisation"],
                condition=models.Q(organisation__isnull=False) & ~models.Q(status="withdrawn"),
                name="response_once_per_organisation",
            ),
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

    @staticmethod
    def submitted_q(prefix: str = "") -> Q:
        """The rule of `ResponseQuerySet.submitted` as a filter; `prefix` ("response__") for
        querying from a related model."""
        return Q(**{f"{prefix}status": Response.Status.SUBMITTED})

    @property
    def is_withdrawn(self) -> bool:
        return self.status == self.Status.WITHDRAWN

    @property
    def is_changeable(self) -> bool:
        """Whether the respondent may still change it: not withdrawn, consultation still open."""
        return not self.is_withdrawn and self.consultation.is_open

    @property
    def link_expires_at(self) -> datetime:
        """When a link stops opening the response: RESPONSE_LINK_DAYS_AFTER_CLOSE days after the
        consultation closes or a link was last sent, whichever is later. An outcome email sent
        months after closing carries a link that opens, and a lost link can always be replaced."""
        closes_at = self.consultation.closes_at
        last = max(closes_at, self.link_issued_at) if self.link_issued_at else closes_at
        return last + timedelta(days=settings.RESPONSE_LINK_DAYS_AFTER_CLOSE)

    @property
    def is_for_organisation(self) -> bool:
        """Sent on behalf of an organisation, registered here or named by the respondent: the
        questions about a person (the equality questions) are not asked of it."""
        return self.organisation_id is not None or self.respondent_type == self.RespondentType.ORGANISATION

    @property
    def respondent_label(self) -> str:
        if self.respondent_type == self.RespondentType.ORGANISATION:
            return _("On behalf of %(organisation)s") % {"organisation": self.organisation_name}
        return str(_("As an individual")) if self.respondent_type else ""


class AnswerQuerySet(models.QuerySet["Answer"]):
    def non_answers(self) -> AnswerQuerySet:
        """Answers with nothing to say ("Nothing", "N/A", "See above"): as the rule found them,
        unless an official decided otherwise."""
        return self.filter(Answer.non_answer_q())

    def substantive(self) -> AnswerQuerySet:
        """Answers with something to say: the only ones clustered, mapped, or quoted as evidence."""
        return self.exclude(Answer.non_answer_q())

    def submitted(self) -> AnswerQuerySet:
        """Answers in sent responses."""
        return self.filter(Response.submitted_q("response__"))

    def visible(self) -> AnswerQuerySet:
        """Answers a moderator has not hidden."""
        return self.exclude(Answer.hidden_q())

    def counted(self) -> AnswerQuerySet:
        """Answers that count: in sent responses, not hidden by a moderator (`Answer.counted_q`),
        and not left blank (a blank answer is a question not answered)."""
        return self.filter(Answer.counted_q()).exclude(text="")


class Answer(models.Model):
    """A response's answer to one question: text, chosen options or a point on the scale."""

    class Visibility(models.TextChoices):
        VISIBLE = "visible", "Visible"
        REDACTED = "redacted", "Redacted by a moderator"
        HIDDEN = "hidden", "Hidden by a moderator"

    class Language(models.TextChoices):
        ENGLISH = "en", "English"
        WELSH = "cy", "Welsh"
        UNKNOWN = "", "Not known"

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
    # The language the text is written in, detected when it is redacted: empty until then, and for
    # text too short to tell.
    language = models.CharField(max_length=2, choices=Language.choices, blank=True, default="")
    # Whether the answer says nothing of substance ("N/A", "No comment", "As above"), as the rule in
    # consult.analysis.non_answers found it when the answer was redacted (`non_answer_version`)...
    non_answer_detected = models.BooleanField(default=False)
    non_answer_version = models.CharField(max_length=20, blank=True)
    # ...unless an official decided otherwise: True, it is a non-answer; False, it is substantive.
    non_answer_override = models.BooleanField(null=True, blank=True)

    objects = AnswerQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["response", "question"], name="answer_once_per_question"),
        ]

    def __str__(self) -> str:
        return f"{self.response} / {self.question_id}"

    @property
    def is_hidden(self) -> bool:
        """`hidden_q` for one answer in hand."""
        return self.visibility == self.Visibility.HIDDEN

    @property
    def is_non_answer(self) -> bool:
        """An official's decision when there is one, else the rule's."""
        if self.non_answer_override is not None:
            return self.non_answer_override
        return self.non_answer_detected

    @staticmethod
    def hidden_q(prefix: str = "") -> Q:
        """A moderator hid the answer; `prefix` ("answer__") for querying from a related model."""
        return Q(**{f"{prefix}visibility": Answer.Visibility.HIDDEN})

    @staticmethod
    def counted_q(prefix: str = "") -> Q:
        """An answer that counts towards the analysis: in a sent response and not hidden by a
        moderator. `prefix` ("answer__", "mappings__answer__") for querying from a related model,
        such as a theme's assignments."""
        return Response.submitted_q(f"{prefix}response__") & ~Answer.hidden_q(prefix)

    @staticmethod
    def non_answer_q(prefix: str = "") -> Q:
        """The non-answer rule as a filter; `prefix` ("answer__") for querying from a related model."""
        return Q(**{f"{prefix}non_answer_override": True}) | Q(
            **{f"{prefix}non_answer_override__isnull": True, f"{prefix}non_answer_detected": True}
        )


class EqualityInformation(models.Model):
    """Optional information about the respondent, kept apart from their answers and used only to
    check that the consultation reaches, and the analysis serves, everyone."""

    class AgeBand(models.TextChoices):
        UNDER_18 = "under_18", _("Under 18")
        AGE_18_24 = "18_24", _("18 to 24")
        AGE_25_34 = "25_34", _("25 to 34")
        AGE_35_44 = "35_44", _("35 to 44")
        AGE_45_54 = "45_54", _("45 to 54")
        AGE_55_64 = "55_64", _("55 to 64")
        AGE_65_74 = "65_74", _("65 to 74")
        AGE_75_OVER = "75_over", _("75 or over")
        PREFER_NOT = "prefer_not", _("Prefer not to say")

    class Region(models.TextChoices):
        NORTH_EAST = "north_east", _("North East England")
        NORTH_WEST = "north_west", _("North West England")
        YORKSHIRE = "yorkshire", _("Yorkshire and the Humber")
        EAST_MIDLANDS = "east_midlands", _("East Midlands")
        WEST_MIDLANDS = "west_midlands", _("West Midlands")
        EAST = "east", _("East of England")
        LONDON = "london", _("London")
        SOUTH_EAST = "south_east", _("South East England")
        SOUTH_WEST = "south_west", _("South West England")
        WALES = "wales", _("Wales")
        SCOTLAND = "scotland", _("Scotland")
        NORTHERN_IRELAND = "northern_ireland", _("Northern Ireland")
        OUTSIDE_UK = "outside_uk", _("Outside the UK")
        PREFER_NOT = "prefer_not", _("Prefer not to say")

    class Disability(models.TextChoices):
        YES_A_LOT = "yes_a_lot", _("Yes, limited a lot")
        YES_A_LITTLE = "yes_a_little", _("Yes, limited a little")
        NO = "no", _("No")
        PREFER_NOT = "prefer_not", _("Prefer not to say")

    class Ethnicity(models.TextChoices):
        ASIAN = "asian", _("Asian or Asian British")
        BLACK = "black", _("Black, African, Caribbean or Black British")
        MIXED = "mixed", _("Mixed or multiple ethnic groups")
        WHITE = "white", _("White")
        OTHER = "other", _("Another ethnic group")
        PREFER_NOT = "prefer_not", _("Prefer not to say")

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

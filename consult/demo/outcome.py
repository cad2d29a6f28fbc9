"""The closed demo consultation's published outcome: the whole loop, visible in `make demo`.

Run after the analysis has finished (`manage.py publish_demo_outcome`), it does what the demo lead
would do in the workspace, through the same services: start the review of each free-text
question from the run's candidate themes, sign them off, map every answer to them, write the
government's response to each theme, approve and publish. It changes nothing once the outcome is
published, so running it twice is harmless.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.db import transaction

from consult.demo import welsh
from consult.demo.catalogue import OFFICIAL_EMAIL
from consult.demo.housing import HOUSING
from consult.models import Consultation, Outcome, Question, ReviewTheme, ThemeSet, User
from consult.queries import outcome as queries_outcome
from consult.queries.themes import consultation_themes
from consult.services import mapping, publishing, review

SUMMARY = (
    "Views were divided. Many people who responded accept that software could help sort repair "
    "requests, as long as a person still decides on anything urgent, tenants can always speak to someone, and the "
    "council explains how the tool ranks a request. Many worried that the tool would misjudge "
    "requests written in plain or non-standard English, and that damp and mould would be treated "
    "as less urgent than they are."
)
DECISION = (
    "We will use the tool only to suggest an order for routine repairs. A housing officer will "
    "check every request the tool marks as not urgent before it is scheduled, and every request "
    "about damp, mould, heating, water or electrics will go straight to a person. We will publish "
    "how the tool ranks requests and report every six months how often officers changed its "
    "suggestions, broken down by how the request was made."
)


# The concerns the demo lead finds in the answers to "Why do you say that?" (the demo's topics,
# `consult.demo.housing.TOPICS`, in an official's words).
THEME_NAMES = {
    "urgency": ("Urgent repairs could be missed", "Damp, mould, leaks and heating judged less urgent than they are."),
    "checking": ("A person must still check", "Officers should check the tool's suggestions and keep deciding."),
    "photos": ("Photos of people's homes", "Worries about the tool looking at, and keeping, photos of homes."),
    "fairness": ("Fairness between tenants", "Some tenants, estates or ways of writing could be served worse."),
    "trust": ("Fix the repairs service first", "The repairs service and its contractors are the real problem."),
}


def _define_themes(theme_set: ThemeSet, lead: User) -> None:
    """What the demo lead does with the first question's candidate themes after reading them: the
    offline run's clusters of short answers mix several concerns each, so the lead replaces
    them with the five concerns the answers raise, and the mapping places every answer in those
    it fits (several allowed, or Other). The deleted candidates stay in the audit record."""
    for theme in theme_set.themes.filter(is_other=False):
        theme_set.refresh_from_db(fields=["version"])
        review.delete_theme(theme, lead, version=theme_set.version)
    for label, description in THEME_NAMES.values():
        theme_set.refresh_from_db(fields=["version"])
        review.create_theme(theme_set, lead, version=theme_set.version, label=label, description=description)


def government_response(theme: ReviewTheme, answer_count: int) -> str:
    """What the council says to a theme: the demo's own words, naming the theme and its size."""
    if theme.is_other and not answer_count:
        return "Every answer to this question fitted one of the themes above."
    if theme.is_other:
        return (
            "We read every answer that fitted none of the themes above. Several raised points about "
            "contractors and appointment times, which we have passed to the repairs service."
        )
    return (
        f"{answer_count:,} answers raised “{theme.label}”. Officers will review this point with "
        "tenants' representatives before the pilot starts, and the six-monthly report will say "
        "what changed because of it."
    )


def _mapped(theme_set: ThemeSet, *, patience_seconds: float = 600) -> None:
    """See the set's answers mapped: signing off queued the mapping, which the worker does (with
    tasks in-process it has run already, or is run here)."""
    if not settings.HAS_BROKER:
        mapping.map_answers(theme_set.pk)
        return
    deadline = time.monotonic() + patience_seconds
    while time.monotonic() < deadline:
        theme_set.refresh_from_db()
        if theme_set.mapping_status == ThemeSet.MappingStatus.DONE:
            return
        if theme_set.mapping_status == ThemeSet.MappingStatus.FAILED:
            raise RuntimeError(f"Mapping the answers to {theme_set} failed: {theme_set.mapping_error}")
        time.sleep(0.5)
    raise RuntimeError(f"No worker mapped the answers to {theme_set} within {patience_seconds:.0f} s.")


def publish_demo_outcome() -> Outcome:
    """Review, sign off, map and publish the closed demo consultation's outcome as its lead."""
    consultation = Consultation.objects.get(slug=HOUSING.slug)
    existing = Outcome.objects.filter(consultation=consultation).first()
    if existing is not None and existing.is_published:
        return existing
    lead = User.objects.get(email=OFFICIAL_EMAIL)
    for question in consultation.questions.filter(kind=Question.Kind.FREE_TEXT):
        theme_set = ThemeSet.objects.filter(question=question).first() or review.start_review(question, lead)
        if theme_set.status == ThemeSet.Status.DRAFT:
            if question.explains_id is not None:  # "Why do you say that?"
                _define_themes(theme_set, lead)
            theme_set.refresh_from_db()
            theme_set = review.sign_off(theme_set, lead, version=theme_set.version)
        if theme_set.mapping_status != ThemeSet.MappingStatus.DONE:
            _mapped(theme_set)
    themes = queries_outcome.review_themes(consultation)
    counts = {
        theme.id: theme.count
        for question in consultation_themes(consultation).values()
        if question.source == "reviewed"
        for theme in question.themes
    }
    with transaction.atomic():
        outcome = publishing.save_outcome_draft(
            consultation,
            lead,
            version=existing.version if existing else 0,
            summary=SUMMARY,
            decision=DECISION,
            method_note=queries_outcome.default_method_note(consultation),
            government_responses={theme.pk: government_response(theme, counts.get(theme.pk, 0)) for theme in themes},
            welsh={**welsh.OUTCOME, "method_note_cy": queries_outcome.default_method_note(consultation, "cy")},
            theme_welsh={theme.pk: welsh.theme_welsh(theme, counts.get(theme.pk, 0)) for theme in themes},
        )
        outcome = publishing.approve_outcome(consultation, lead, version=outcome.version)
        return publishing.publish_outcome(consultation, lead, version=outcome.version)

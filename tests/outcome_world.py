"""A closed consultation with signed-off, mapped themes and a lead, ready for its outcome to be
drafted, approved and published: shared by the outcome's tests in English and in Welsh."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse

from consult.models import Answer, Consultation, Question, Response, ReviewTheme, ThemeMapping, ThemeSet
from tests.factories import make_consultation, make_official, make_response, make_run_with_themes

HIDDEN_TEXT = "Buy cheap watches at spam.example"


@dataclass
class World:
    consultation: Consultation
    why: Question
    anything: Question
    quicker: ReviewTheme
    wrong: ReviewTheme
    other: ReviewTheme
    later: ReviewTheme
    responses: list[Response]
    spam: Response
    lead: object


def signed_off(question: Question, run: object, themes: dict[str, list[Answer]]) -> list[ReviewTheme]:
    """A theme set signed off and mapped: what the review leaves behind."""
    theme_set = ThemeSet.objects.create(
        question=question,
        source_run=run,
        status=ThemeSet.Status.SIGNED_OFF,
        mapping_status=ThemeSet.MappingStatus.DONE,
    )
    made = []
    for position, (label, answers) in enumerate(themes.items(), start=1):
        theme = ReviewTheme.objects.create(
            theme_set=theme_set, position=position, label=label, is_other=label == "Other"
        )
        ThemeMapping.objects.bulk_create(
            ThemeMapping(theme=theme, answer=answer, source=ThemeMapping.Source.AI, similarity=0.8)
            for answer in answers
        )
        made.append(theme)
    return made


def build_world() -> World:
    consultation = make_consultation(phase="closed")
    q = {question.position: question for question in consultation.questions.all()}
    why, anything = q[2], q[5]
    responses = [
        make_response(
            consultation, {q[1]: 4, why: "It would be quicker.", anything: "Please hurry."}, email="a@example.com"
        ),
        make_response(consultation, {q[1]: 4, why: "Quicker, I hope."}, email="b@example.com"),
        make_response(consultation, {q[1]: 1, why: "It will get things wrong."}),
    ]
    spam = make_response(consultation, {why: HIDDEN_TEXT}, email="spammer@example.com")
    Answer.objects.filter(response=spam).update(visibility=Answer.Visibility.HIDDEN)
    answers = [r.answers.get(question=why) for r in responses]
    spam_answer = spam.answers.get(question=why)
    run = make_run_with_themes(why, {"Quicker": [*answers[:2], spam_answer], "Wrong": answers[2:]})
    quicker, wrong, other = signed_off(
        why, run, {"Quicker answers": [*answers[:2], spam_answer], "Wrong answers": answers[2:], "Other": []}
    )
    (later,) = signed_off(anything, run, {"People want it soon": [responses[0].answers.get(question=anything)]})
    lead = make_official(consultation.department, role="lead")
    return World(consultation, why, anything, quicker, wrong, other, later, responses, spam, lead)


def draft(world: World, version: int = 0, **changes: str) -> dict[str, object]:
    data = {
        "version": version,
        "summary": "Most of you want quicker answers; some worry about mistakes.",
        "decision": "We will run a six-month pilot with a person checking every answer.",
        "method_note": "We used the analysis described here.",
        f"theme_{world.quicker.pk}": "The pilot will measure waiting times.",
        f"theme_{world.wrong.pk}": "Advisers will check every answer during the pilot.",
        f"theme_{world.later.pk}": "The pilot starts in the spring.",
    }
    data.update(changes)
    return data


def outcome_url(world: World, name: str = "workspace_outcome") -> str:
    return reverse(name, args=[world.consultation.slug])

"""Officials mark the option of a multiple-choice question that cannot be chosen with the others
("None of these") where they write its options; it is recorded in the audit trail, shown to
respondents after "or", and, like the options, stays as it is once people have answered."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from consult.models import AuditEvent, Option, Question
from tests.factories import make_consultation, make_response
from tests.journey import start
from tests.workspace_forms import error_summary, lead_of, question_form

pytestmark = pytest.mark.django_db

WORRIES = "Wrong answers\nPrivacy\nNone of these"


def _exclusive(question: Question) -> list[str]:
    return list(question.options.filter(is_exclusive=True).values_list("label", flat=True))


def test_a_lead_adds_a_multiple_choice_question_with_an_exclusive_option(client: Client) -> None:
    consultation = make_consultation(phase="draft")
    lead_of(client, consultation)
    added = client.post(
        reverse("workspace_question_create", args=[consultation.slug]),
        question_form(
            text="What worries you?", kind="multiple_choice", options=WORRIES, exclusive_option="none of these"
        ),
    )
    assert added.status_code == 302
    question = consultation.questions.get(text="What worries you?")
    assert _exclusive(question) == ["None of these"]
    event = AuditEvent.objects.get(consultation=consultation, action="question.create")
    assert event.after["exclusive_option"] == "None of these"


def test_the_form_shows_the_exclusive_option_and_a_change_moves_it(client: Client) -> None:
    consultation = make_consultation(phase="draft")
    worries = consultation.questions.get(position=4)
    Option.objects.filter(question=worries, label="No way to reach a person").update(is_exclusive=True)
    lead_of(client, consultation)
    edit = reverse("workspace_question_edit", args=[consultation.slug, worries.pk])
    assert 'name="exclusive_option" type="text" value="No way to reach a person"' in client.get(edit).content.decode()
    options = "Wrong answers\nPrivacy\nNo way to reach a person"
    client.post(
        edit, question_form(text=worries.text, kind="multiple_choice", options=options, exclusive_option="Privacy")
    )
    assert _exclusive(worries) == ["Privacy"]
    client.post(edit, question_form(text=worries.text, kind="multiple_choice", options=options, exclusive_option=""))
    assert _exclusive(worries) == []
    changes = AuditEvent.objects.filter(consultation=consultation, action="question.update").order_by("pk")
    assert [(e.before["exclusive_option"], e.after["exclusive_option"]) for e in changes] == [
        ("No way to reach a person", "Privacy"),
        ("Privacy", ""),
    ]


@pytest.mark.parametrize(
    ("kind", "options", "exclusive", "error"),
    [
        (
            "multiple_choice",
            WORRIES,
            "Nothing",
            "Write the option exactly as it is in the options, or leave this empty",
        ),
        (
            "single_choice",
            WORRIES,
            "None of these",
            "Only a multiple choice question can have an option that excludes the others",
        ),
    ],
)
def test_an_exclusive_option_must_be_one_of_a_multiple_choice_questions_options(
    client: Client, kind: str, options: str, exclusive: str, error: str
) -> None:
    consultation = make_consultation(phase="draft")
    lead_of(client, consultation)
    refused = client.post(
        reverse("workspace_question_create", args=[consultation.slug]),
        question_form(text="What worries you?", kind=kind, options=options, exclusive_option=exclusive),
    )
    assert error_summary(refused) == [error]
    assert not consultation.questions.filter(text="What worries you?").exists()


def test_once_people_have_answered_the_exclusive_option_stays_as_it_is(client: Client) -> None:
    consultation = make_consultation(phase="open")
    worries = consultation.questions.get(position=4)
    Option.objects.filter(question=worries, label="No way to reach a person").update(is_exclusive=True)
    make_response(consultation, {worries: ["Privacy"]})
    lead_of(client, consultation)
    edit = reverse("workspace_question_edit", args=[consultation.slug, worries.pk])
    page = client.get(edit).content.decode()
    assert "No way to reach a person (cannot be chosen with the others)" in page
    client.post(edit, question_form(text="What worries you now?", kind="multiple_choice", exclusive_option="Privacy"))
    worries.refresh_from_db()
    assert worries.text == "What worries you now?"
    assert _exclusive(worries) == ["No way to reach a person"]


def test_respondents_see_the_option_the_official_marked_last_after_or(client: Client) -> None:
    consultation = make_consultation(phase="open")
    worries = consultation.questions.get(position=4)
    lead_of(client, consultation)
    client.post(
        reverse("workspace_question_edit", args=[consultation.slug, worries.pk]),
        question_form(
            text=worries.text,
            kind="multiple_choice",
            options="None of these\nWrong answers\nPrivacy",
            exclusive_option="None of these",
        ),
    )
    citizen = Client()
    token = start(citizen, consultation)
    page = citizen.get(reverse("answer_question", args=[token, worries.pk])).content.decode()
    assert page.index("Privacy") < page.index("govuk-checkboxes__divider") < page.index("None of these")
    assert page.count('data-behaviour="exclusive"') == 1

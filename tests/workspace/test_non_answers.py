"""Answers with nothing to say ("N/A", "Nothing", "See above", "No comment") are counted apart:
never clustered, never a theme, a campaign or a quote; each question shows "No substantive
answer: N" beside its themes on every page that counts them; officials override the rule either
way, audited, and the next run respects their decision.

Only clear-cut non-answers and clearly substantive answers are used: the rule's borderline cases
belong to the rule's own tests (tests/analysis/).
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from consult import tasks
from consult.models import (
    AnalysisRun,
    Answer,
    AuditEvent,
    CampaignMember,
    Consultation,
    Flag,
    LateAnswer,
    Question,
    Response,
    ReviewTheme,
    Theme,
    ThemeAssignment,
    User,
)
from tests import corpus
from tests.factories import (
    make_consultation,
    make_official,
    make_response,
    make_run_with_themes,
    publish_outcome_with_themes,
)
from tests.welsh_support import cy, en, visible_text

API = "/api"

SUBSTANTIVE = [
    "It would be quicker than waiting on the phone for an hour.",
    "People need a real person to talk to about their benefits.",
    "My personal data would not be safe with a computer.",
    "Quicker answers at night would help me with my shifts.",
]
NON_ANSWERS = ["N/A", "Nothing", "See above", "No comment"]


def _text(response: object) -> str:
    """The page's text without tags, spaces squeezed, as a person reads it."""
    return visible_text(response.content.decode())  # type: ignore[attr-defined]


def _references(response: object) -> set[str]:
    return set(re.findall(r"R-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", response.content.decode()))  # type: ignore[attr-defined]


def _decide(client: Client, consultation: Consultation, answer: Answer, decision: str) -> object:
    return client.post(
        reverse("workspace_answer_non_answer", args=[consultation.slug, answer.pk]), {"decision": decision}
    )


# --- Pages, exports and the API ---------------------------------------------------------------


@dataclass
class World:
    consultation: Consultation
    why: Question
    substantive: list[Answer]
    non_answers: list[Answer]
    speed: Theme
    lead: User


@pytest.fixture
def world(db: object, client: Client) -> World:
    """Four substantive answers and four non-answers to "why", each processed on arrival as a
    worker does, and a run whose themes hold three of the substantive ones (one fits none)."""
    consultation = make_consultation(phase="closed")
    why = consultation.questions.get(position=2)
    responses = [make_response(consultation, {why: text}) for text in SUBSTANTIVE + NON_ANSWERS]
    for response in responses:
        tasks.process_response(response.pk)
    answers = [response.answers.get(question=why) for response in responses]
    substantive, non_answers = answers[:4], answers[4:]
    run = make_run_with_themes(why, {"Speed": [substantive[0], substantive[3]], "Human contact": [substantive[1]]})
    lead = make_official(consultation.department, role="lead")
    client.force_login(lead)
    return World(consultation, why, substantive, non_answers, Theme.objects.get(run=run, label="Speed"), lead)


def test_answers_with_nothing_to_say_are_found_when_they_are_processed(world: World) -> None:
    for answer in world.non_answers:
        answer.refresh_from_db()
        assert answer.is_non_answer, answer.text
        assert answer.non_answer_version
    for answer in world.substantive:
        answer.refresh_from_db()
        assert not answer.is_non_answer, answer.text
        assert answer.non_answer_version


def test_the_dashboard_shows_no_substantive_answers_beside_the_themes(client: Client, world: World) -> None:
    for page in (
        reverse("workspace_analysis", args=[world.consultation.slug]),
        reverse("workspace_question_analysis", args=[world.consultation.slug, world.why.pk]),
    ):
        text = _text(client.get(page))
        assert "No substantive answer: 4" in text
        # Shares are of the substantive answers: Speed holds 2 of 4, and 1 of 4 fits no theme.
        assert "Shares are of the 4 substantive answers" in text
        assert "Speed 2 50%" in text
        assert "Fits no theme 1 25%" in text


def test_the_drill_down_lists_exactly_the_non_answers_and_the_theme_filter_still_works(
    client: Client, world: World
) -> None:
    url = reverse("workspace_responses", args=[world.consultation.slug])

    def listed(**filters: object) -> set[str]:
        response = client.get(url, {"question": world.why.pk, **filters})
        assert response.status_code == 200
        return _references(response)

    def references(answers: list[Answer]) -> set[str]:
        return {answer.response.reference for answer in answers}

    none = client.get(url, {"question": world.why.pk, "substance": "none"})
    assert "4 answers" in _text(none)
    assert "No substantive answer" in _text(none)
    assert _references(none) == references(world.non_answers)
    assert listed(substance="substantive") == references(world.substantive)
    assert listed(theme=world.speed.pk) == references([world.substantive[0], world.substantive[3]])
    # "Fits no theme" is the substantive answer no theme holds: non-answers are counted apart.
    assert listed(theme="none") == references([world.substantive[2]])
    assert listed(theme=world.speed.pk, substance="none") == set()


def test_the_report_counts_non_answers_apart_and_shares_themes_of_substantive_answers(
    client: Client, world: World
) -> None:
    text = _text(client.get(reverse("workspace_report", args=[world.consultation.slug])))
    assert "8 written answers. No substantive answer: 4." in text
    assert "Share of substantive answers" in text
    assert "Speed 2 50%" in text


def test_the_exports_say_whether_each_answer_is_substantive(client: Client, world: World) -> None:
    response = client.get(reverse("workspace_export_csv", args=[world.consultation.slug]))
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    header, body = rows[0], rows[1:]
    substantive_of = {row[0]: dict(zip(header, row, strict=True))["Q2 substantive"] for row in body}
    assert {substantive_of[a.response.reference] for a in world.non_answers} == {"no"}
    assert {substantive_of[a.response.reference] for a in world.substantive} == {"yes"}

    from openpyxl import load_workbook

    response = client.get(reverse("workspace_export_xlsx", args=[world.consultation.slug]))
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content)))["Responses"]
    header = [cell.value for cell in sheet[1]]
    cells = {row[0].value: dict(zip(header, [c.value for c in row], strict=True)) for row in sheet.iter_rows(min_row=2)}
    assert cells[world.non_answers[0].response.reference]["Q2 substantive"] == "no"
    assert cells[world.substantive[0].response.reference]["Q2 substantive"] == "yes"


def test_the_published_outcome_and_the_api_count_non_answers_apart_in_english_and_welsh(
    client: Client, world: World
) -> None:
    # Even where a mapping placed a non-answer in a theme, the theme does not count it.
    publish_outcome_with_themes(
        world.consultation, {world.why: {"Speed": [world.substantive[0], world.substantive[3], world.non_answers[0]]}}
    )
    english = _text(client.get(en("consultation_outcome", world.consultation.slug)))
    assert "8 written answers." in english
    assert "No substantive answer: 4" in english
    assert "Speed (2 answers)" in english
    welsh = _text(client.get(cy("consultation_outcome", world.consultation.slug)))
    assert "Dim ateb o sylwedd: 4" in welsh
    assert "No substantive answer" not in welsh

    body = client.get(f"{API}/consultations/{world.consultation.slug}/outcome").json()
    [question] = [q for q in body["questions"] if q["id"] == world.why.pk]
    assert question["answered"] == 8
    assert question["non_answers"] == 4
    assert [theme["count"] for theme in question["themes"] if theme["label"] == "Speed"] == [2]

    # Nor is it listed in the theme, or exported with it.
    speed = ReviewTheme.objects.get(theme_set__question=world.why, label="Speed")
    listed = client.get(
        reverse("workspace_responses", args=[world.consultation.slug]), {"question": world.why.pk, "theme": speed.pk}
    )
    assert _references(listed) == {world.substantive[0].response.reference, world.substantive[3].response.reference}
    response = client.get(reverse("workspace_export_csv", args=[world.consultation.slug]))
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    themes_of = {row[0]: dict(zip(rows[0], row, strict=True))["Q2 themes"] for row in rows[1:]}
    assert themes_of[world.non_answers[0].response.reference] == ""
    assert themes_of[world.substantive[0].response.reference] == "Speed"


# --- Officials' decisions ---------------------------------------------------------------------


def test_an_official_overrides_the_rule_either_way_and_the_counts_follow_at_once(client: Client, world: World) -> None:
    dashboard = reverse("workspace_analysis", args=[world.consultation.slug])
    assert "No substantive answer: 4" in _text(client.get(dashboard))  # counted, and kept

    said_nothing = world.substantive[2]
    response = _decide(client, world.consultation, said_nothing, "non_answer")
    assert response.status_code == 302
    assert "No substantive answer: 5" in _text(client.get(dashboard))

    said_something = world.non_answers[0]
    assert _decide(client, world.consultation, said_something, "substantive").status_code == 302
    text = _text(client.get(dashboard))
    assert "No substantive answer: 4" in text
    assert "Fits no theme 1 25%" in text  # the N/A now counted as substantive, in no theme until the next run

    page = _text(
        client.get(reverse("workspace_response", args=[world.consultation.slug, said_nothing.response.reference]))
    )
    assert "Marked by an official as no substantive answer" in page
    assert "Count as a substantive answer" in page

    events = list(AuditEvent.objects.filter(consultation=world.consultation, action="answer.non_answer").order_by("pk"))
    assert [(e.actor, e.object_id, e.before["is_non_answer"], e.after["is_non_answer"]) for e in events] == [
        (world.lead, str(said_nothing.pk), False, True),
        (world.lead, str(said_something.pk), True, False),
    ]
    assert events[0].after["non_answer_override"] is True

    # Letting the rule decide again puts the N/A back among the non-answers.
    assert _decide(client, world.consultation, said_something, "rule").status_code == 302
    assert "No substantive answer: 5" in _text(client.get(dashboard))
    said_something.refresh_from_db()
    assert said_something.non_answer_override is None and said_something.is_non_answer


def test_a_moderator_may_decide_and_an_analyst_may_not(client: Client, world: World) -> None:
    answer = world.non_answers[1]
    client.force_login(make_official(world.consultation.department, role="analyst"))
    assert _decide(client, world.consultation, answer, "substantive").status_code == 403
    page = client.get(reverse("workspace_response", args=[world.consultation.slug, answer.response.reference]))
    assert "Count as a substantive answer" not in _text(page)
    answer.refresh_from_db()
    assert answer.non_answer_override is None
    assert not AuditEvent.objects.filter(action="answer.non_answer").exists()

    client.force_login(make_official(world.consultation.department, role="moderator"))
    assert _decide(client, world.consultation, answer, "substantive").status_code == 302
    answer.refresh_from_db()
    assert answer.non_answer_override is False


def test_a_decision_is_a_post_with_a_known_choice(client: Client, world: World) -> None:
    answer = world.non_answers[1]
    url = reverse("workspace_answer_non_answer", args=[world.consultation.slug, answer.pk])
    assert client.get(url).status_code == 405
    response = client.post(url, {"decision": "maybe"})
    assert response.status_code == 400
    assert "There is a problem" in _text(response)
    answer.refresh_from_db()
    assert answer.non_answer_override is None


# --- The whole analysis, from the command line ------------------------------------------------


def _non_answer_rows() -> list[tuple[str, str]]:
    # Repeated as a campaign would be: without the rule, eight copies of "N/A" make a campaign.
    texts = ["N/A"] * 8 + ["Nothing"] * 6 + ["See above"] * 4 + ["No comment"] * 4 + ["..."] * 3
    return [(f"n{n}", text) for n, text in enumerate(texts)]


@pytest.mark.django_db(transaction=True)
def test_a_run_leaves_non_answers_out_of_themes_campaigns_and_quotes_and_respects_officials(
    tmp_path: object, client: Client
) -> None:
    rows = [(f"e{n}", text) for n, (_, text) in enumerate(corpus.answers(per_subject=20))] + _non_answer_rows()
    path = tmp_path / "answers.csv"  # type: ignore[operator]
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "text"])
        writer.writerows(rows)
    call_command(
        "import_responses",
        str(path),
        "--consultation",
        "nothing-to-say",
        "--text-column",
        "text",
        "--id-column",
        "id",
        "--question",
        "What would make the service better?",
        stdout=io.StringIO(),
    )
    call_command("analyse", "nothing-to-say", "--wait", stdout=io.StringIO())
    consultation = Consultation.objects.get(slug="nothing-to-say")
    run = AnalysisRun.objects.latest_succeeded_for(consultation)
    non_answers = Answer.objects.filter(response__external_id__startswith="n")
    assert non_answers.count() == 25
    assert all(answer.is_non_answer for answer in non_answers)
    assert Theme.objects.filter(run=run).exists()
    assert ThemeAssignment.objects.filter(theme__run=run).exists()
    assert not ThemeAssignment.objects.filter(answer__in=non_answers).exists()
    assert not CampaignMember.objects.filter(answer__in=non_answers).exists()
    assert not Theme.representatives.through.objects.filter(answer__in=non_answers).exists()
    assert not Flag.objects.filter(answer__in=non_answers, reason=Flag.Reason.CAMPAIGN).exists()

    exported = io.StringIO()
    call_command("export_analysis", "nothing-to-say", "--format", "json", stdout=exported)
    [question] = json.loads(exported.getvalue())["questions"]
    assert question["non_answers"] == 25
    substantive_of = {response["external_id"]: response["substantive"] for response in question["responses"]}
    assert {substantive_of[answer.response.external_id] for answer in non_answers} == {False}
    assert set(substantive_of.values()) == {True, False} and list(substantive_of.values()).count(True) == 80

    lead = make_official(consultation.department, role="lead")
    client.force_login(lead)
    dashboard = reverse("workspace_analysis", args=[consultation.slug])
    assert "No substantive answer: 25" in _text(client.get(dashboard))

    # An official decides a substantive answer in a theme says nothing, and an N/A says something.
    in_a_theme = Answer.objects.filter(theme_assignments__theme__run=run, response__external_id__startswith="e").first()
    an_na = non_answers.filter(text="N/A").first()
    assert _decide(client, consultation, in_a_theme, "non_answer").status_code == 302
    assert _decide(client, consultation, an_na, "substantive").status_code == 302
    assert "No substantive answer: 25" in _text(client.get(dashboard))

    call_command("analyse", "nothing-to-say", "--wait", stdout=io.StringIO())
    rerun = AnalysisRun.objects.latest_succeeded_for(consultation)
    assert rerun.pk != run.pk
    assert not ThemeAssignment.objects.filter(theme__run=rerun, answer=in_a_theme).exists()
    assert not ThemeAssignment.objects.filter(theme__run=rerun, answer__in=non_answers.exclude(pk=an_na.pk)).exists()
    in_a_theme.refresh_from_db()
    an_na.refresh_from_db()
    assert in_a_theme.non_answer_override is True and an_na.non_answer_override is False
    assert "No substantive answer: 25" in _text(client.get(dashboard))

    # Arriving after the run: an N/A is not placed in its themes; a substantive answer is.
    question = consultation.questions.get()
    late = {}
    for text in ("N/A", corpus.answers(per_subject=1)[0][1]):
        response = make_response(consultation, {question: text})
        tasks.process_response(response.pk)
        late[text] = response.answers.get()
    assert not ThemeAssignment.objects.filter(answer=late["N/A"]).exists()
    assert not LateAnswer.objects.filter(answer=late["N/A"]).exists()
    assert LateAnswer.objects.filter(run=rerun, answer=late[corpus.answers(per_subject=1)[0][1]]).exists()
    assert Response.objects.filter(consultation=consultation).count() == len(rows) + 2

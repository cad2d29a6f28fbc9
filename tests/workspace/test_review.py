"""Officials review the AI's themes: edit, merge, split, create, delete, sign off, map, correct.

Through the HTTP client as a lead and an analyst; the mapping runs in-process (Celery eager) on the
real packaged embedding model once the sign-off commits.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.test import Client
from django.urls import reverse

from consult.models import (
    Answer,
    AuditEvent,
    Consultation,
    MappingCheck,
    Question,
    Response,
    ReviewTheme,
    ThemeMapping,
    ThemeSet,
    User,
)
from consult.queries.themes import consultation_themes
from tests.factories import make_consultation, make_official, make_response, make_run_with_themes

pytestmark = pytest.mark.django_db

PEOPLE = [
    "I want to be able to talk to a real person on the phone.",
    "Please keep human advisers available for people who need them.",
    "A chatbot cannot replace a trained member of staff.",
    "There must always be a way to reach a human being.",
    "Let me speak to a person rather than a computer.",
    "Older people need a human adviser they can call.",
]
DATA = [
    "I do not trust the government to keep my personal data safe.",
    "Who will see the questions I type into the assistant?",
    "My information could be shared with private companies.",
    "How long will my messages be stored for?",
    "I worry about what happens to my personal details.",
    "The assistant must not keep records of my private information.",
]
WEATHER = "The weather was lovely at the seaside last summer."


@dataclass
class Review:
    consultation: Consultation
    question: Question
    answers: dict[str, Answer]
    hidden: Answer
    withdrawn: Answer
    lead: User
    analyst: User

    def url(self, name: str, **kwargs: object) -> str:
        if name.startswith(("workspace_theme_set", "workspace_theme_create", "workspace_themes_merge")):
            kwargs.setdefault("question_id", self.question.pk)
        return reverse(name, kwargs={"slug": self.consultation.slug, **kwargs})

    @property
    def theme_set(self) -> ThemeSet:
        return ThemeSet.objects.get(question=self.question)

    def theme(self, label: str) -> ReviewTheme:
        return self.theme_set.themes.get(label=label)


@pytest.fixture
def world() -> Review:
    consultation = make_consultation(phase="closed")
    why = consultation.questions.get(position=2)
    answers = {text: make_response(consultation, {why: text}).answers.get() for text in [*PEOPLE, *DATA, WEATHER]}
    hidden = make_response(consultation, {why: "Keep the advisers, they are people I trust."}).answers.get()
    Answer.objects.filter(pk=hidden.pk).update(visibility=Answer.Visibility.HIDDEN)
    withdrawn = make_response(
        consultation, {why: "A person should answer."}, status=Response.Status.WITHDRAWN
    ).answers.get()
    make_run_with_themes(
        why,
        {
            "person adviser human": [answers[t] for t in PEOPLE],
            # The weather answer is in no candidate: the mapping learns from the candidates' members
            # (docs/decisions/0004), so a stranger among them would be learnt as one of them.
            "data personal information": [answers[t] for t in DATA],
        },
    )
    return Review(
        consultation=consultation,
        question=why,
        answers=answers,
        hidden=hidden,
        withdrawn=withdrawn,
        lead=make_official(consultation.department, role="lead"),
        analyst=make_official(consultation.department, role="analyst"),
    )


@pytest.fixture
def lead(client: Client, world: Review) -> Client:
    client.force_login(world.lead)
    return client


def _start(client: Client, world: Review) -> ThemeSet:
    response = client.post(world.url("workspace_theme_set_start"))
    assert response.status_code == 302
    return world.theme_set


def _sign_off(client: Client, world: Review, capture: object) -> ThemeSet:
    with capture(execute=True):  # type: ignore[operator]
        response = client.post(world.url("workspace_theme_set_sign_off"), {"version": world.theme_set.version})
    assert response.status_code == 302, response.content.decode()
    return world.theme_set


def _active(world: Review, text: str) -> list[tuple[str, str]]:
    rows = ThemeMapping.objects.filter(answer=world.answers[text], is_active=True).order_by("theme__position")
    return list(rows.values_list("theme__label", "source"))


def test_a_review_starts_from_the_run_with_real_quotes_and_an_other_theme(lead: Client, world: Review) -> None:
    page = lead.get(world.url("workspace_theme_set")).content.decode()
    assert "Start reviewing the themes" in page

    theme_set = _start(lead, world)
    assert [(t.label, t.is_other) for t in theme_set.themes.order_by("is_other", "position")] == [
        ("person adviser human", False),
        ("data personal information", False),
        ("Other", True),
    ]
    page = lead.get(world.url("workspace_theme_set")).content.decode()
    assert PEOPLE[0] in page and DATA[0] in page
    assert "6 in the evidence" in page
    event = AuditEvent.objects.get(action="theme_set.start")
    assert event.actor == world.lead and len(event.after["themes"]) == 3
    overview = lead.get(world.url("workspace_review")).content.decode()
    assert "In review" in overview


def test_renaming_a_theme_records_who_and_the_label_before_and_after(lead: Client, world: Review) -> None:
    theme_set = _start(lead, world)
    theme = world.theme("person adviser human")
    edit = world.url("workspace_theme_edit", theme_id=theme.pk)
    assert "person adviser human" in lead.get(edit).content.decode()

    response = lead.post(edit, {"version": theme_set.version, "label": "Keep human advisers", "description": "Staff"})
    assert response.status_code == 302
    theme.refresh_from_db()
    assert (theme.label, theme.description) == ("Keep human advisers", "Staff")
    assert world.theme_set.version == theme_set.version + 1
    event = AuditEvent.objects.get(action="theme.edit")
    assert (event.actor, event.before["label"], event.after["label"]) == (
        world.lead,
        "person adviser human",
        "Keep human advisers",
    )


def test_an_empty_name_is_refused_with_a_govuk_error(lead: Client, world: Review) -> None:
    theme_set = _start(lead, world)
    theme = world.theme("person adviser human")
    response = lead.post(
        world.url("workspace_theme_edit", theme_id=theme.pk), {"version": theme_set.version, "label": " "}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in page and "Enter a name for the theme" in page
    assert world.theme("person adviser human")


def test_two_officials_editing_at_once_cannot_overwrite_each_other(world: Review) -> None:
    first, second = Client(), Client()
    first.force_login(world.lead)
    second.force_login(make_official(world.consultation.department, role="lead"))
    theme_set = _start(first, world)
    theme = world.theme("person adviser human")
    edit = world.url("workspace_theme_edit", theme_id=theme.pk)
    # Both open the edit page while the set is at the same version.
    for client in (first, second):
        assert f'name="version" value="{theme_set.version}"' in client.get(edit).content.decode()

    assert first.post(edit, {"version": theme_set.version, "label": "Human advisers"}).status_code == 302
    refused = second.post(edit, {"version": theme_set.version, "label": "People"})

    page = refused.content.decode()
    assert refused.status_code == 409
    assert "Someone else changed these themes since you opened this page: here is the current version" in page
    assert "Human advisers" in page  # the current version is shown
    assert world.theme_set.themes.filter(label="Human advisers").exists()
    assert not world.theme_set.themes.filter(label="People").exists()
    assert AuditEvent.objects.filter(action="theme.edit").count() == 1


def test_merging_themes_keeps_the_candidates_of_each_and_records_both(lead: Client, world: Review) -> None:
    theme_set = _start(lead, world)
    people, data = world.theme("person adviser human"), world.theme("data personal information")
    response = lead.post(
        world.url("workspace_themes_merge"),
        {"version": theme_set.version, "themes": [people.pk, data.pk], "label": "Everything", "description": ""},
    )
    assert response.status_code == 302
    merged = world.theme("Everything")
    assert merged.pk == people.pk
    assert merged.candidates.count() == 2
    assert not ReviewTheme.objects.filter(pk=data.pk).exists()
    event = AuditEvent.objects.get(action="theme.merge")
    assert [t["label"] for t in event.before["themes"]] == ["person adviser human", "data personal information"]


def test_merging_fewer_than_two_themes_is_refused(lead: Client, world: Review) -> None:
    theme_set = _start(lead, world)
    people = world.theme("person adviser human")
    response = lead.post(
        world.url("workspace_themes_merge"), {"version": theme_set.version, "themes": [people.pk], "label": "X"}
    )
    assert "Select at least 2 themes to merge" in response.content.decode()
    assert world.theme_set.themes.count() == 3


def test_sign_off_maps_every_visible_sent_answer_and_is_least_sure_of_strangers(
    lead: Client, world: Review, django_capture_on_commit_callbacks: object
) -> None:
    _start(lead, world)
    theme_set = _sign_off(lead, world, django_capture_on_commit_callbacks)

    assert (theme_set.status, theme_set.mapping_status) == ("signed_off", "done")
    for text in PEOPLE:
        assert ("person adviser human", "ai") in _active(world, text), text
    for text in DATA:
        assert ("data personal information", "ai") in _active(world, text), text
    # With two themes and nothing officials put in Other to learn from, the classifier still places
    # an answer like neither, but less sure of it than of any answer it has evidence for: it is
    # the first the mapping asks officials to check.
    rows = ThemeMapping.objects.filter(source="ai", is_active=True, theme__is_other=False)
    stranger = rows.filter(answer=world.answers[WEATHER]).values_list("similarity", flat=True)
    members = rows.exclude(answer=world.answers[WEATHER]).values_list("similarity", flat=True)
    assert max(stranger, default=0) < min(members)
    first_check = MappingCheck.objects.filter(theme_set=theme_set).order_by("confidence").first()
    assert first_check.answer == world.answers[WEATHER]
    assert not ThemeMapping.objects.filter(answer__in=[world.hidden, world.withdrawn]).exists()
    in_force = consultation_themes(world.consultation)[world.question.pk]
    assert in_force.source == "reviewed"
    assert AuditEvent.objects.filter(action="theme_set.mapped", actor=None).exists()
    assert "Mapped" in lead.get(world.url("workspace_review")).content.decode()


def test_a_theme_created_from_a_label_alone_takes_the_answers_it_describes(
    lead: Client, world: Review, django_capture_on_commit_callbacks: object
) -> None:
    theme_set = _start(lead, world)
    response = lead.post(
        world.url("workspace_theme_create"),
        {"version": theme_set.version, "label": "Weather and holidays", "description": "Sunny days at the seaside"},
    )
    assert response.status_code == 302
    _sign_off(lead, world, django_capture_on_commit_callbacks)
    assert ("Weather and holidays", "ai") in _active(world, WEATHER)
    assert ("Weather and holidays", "ai") not in _active(world, PEOPLE[0])


def test_split_answers_stay_where_the_official_put_them_after_mapping(
    lead: Client, world: Review, django_capture_on_commit_callbacks: object
) -> None:
    theme_set = _start(lead, world)
    people = world.theme("person adviser human")
    split = world.url("workspace_theme_split", theme_id=people.pk)
    assert PEOPLE[0] in lead.get(split).content.decode()
    moved = [world.answers[PEOPLE[0]].pk, world.answers[PEOPLE[4]].pk]
    response = lead.post(split, {"version": theme_set.version, "answers": moved, "label": "Phone calls"})
    assert response.status_code == 302

    _sign_off(lead, world, django_capture_on_commit_callbacks)
    for text in (PEOPLE[0], PEOPLE[4]):
        active = _active(world, text)
        assert ("Phone calls", "official") in active
        assert all(label != "person adviser human" for label, _ in active)
    assert ("person adviser human", "ai") in _active(world, PEOPLE[1])
    assert AuditEvent.objects.get(action="theme.split").after["moved_answers"] == sorted(moved)


def test_an_analyst_moves_an_answer_and_the_ai_original_is_kept_and_counted(
    client: Client, world: Review, django_capture_on_commit_callbacks: object
) -> None:
    client.force_login(world.lead)
    _start(client, world)
    _sign_off(client, world, django_capture_on_commit_callbacks)
    client.force_login(world.analyst)
    answer = world.answers[DATA[2]]
    page = world.url("workspace_response_themes", reference=answer.response.reference)
    data, other = world.theme("data personal information"), world.theme("Other")
    assert "What the AI assigned: data personal information" in client.get(page).content.decode()

    response = client.post(page, {"answer": answer.pk, "theme": data.pk, "action": "remove"})
    assert response.status_code == 302
    assert _active(world, DATA[2]) == [("Other", "official")]
    row = ThemeMapping.objects.get(answer=answer, theme=data)
    assert (row.source, row.is_active, row.removed_by) == ("ai", False, world.analyst)
    shown = client.get(page).content.decode()
    assert "What the AI assigned: data personal information" in shown
    assert "An official" in shown
    assert "1 of 13 answers" in client.get(world.url("workspace_review")).content.decode()

    # Placing it in a theme takes it out of Other again.
    assert client.post(page, {"answer": answer.pk, "theme": data.pk, "action": "add"}).status_code == 302
    assert _active(world, DATA[2]) == [("data personal information", "ai")]
    assert ThemeMapping.objects.get(answer=answer, theme=other).is_active is False
    assert [e.action for e in AuditEvent.objects.filter(actor=world.analyst).order_by("pk")] == [
        "mapping.remove",
        "mapping.add",
    ]
    # Taken out and put back: the AI's assignment stands again, so nothing counts as changed.
    assert "0 of 13 answers" in client.get(world.url("workspace_review")).content.decode()


def test_a_moderator_may_read_but_not_change_an_answers_themes(
    client: Client, world: Review, django_capture_on_commit_callbacks: object
) -> None:
    client.force_login(world.lead)
    _start(client, world)
    _sign_off(client, world, django_capture_on_commit_callbacks)
    client.force_login(make_official(world.consultation.department, role="moderator"))
    answer = world.answers[DATA[2]]
    page = world.url("workspace_response_themes", reference=answer.response.reference)
    assert "Remove" not in client.get(page).content.decode()
    data = world.theme("data personal information")
    assert client.post(page, {"answer": answer.pk, "theme": data.pk, "action": "remove"}).status_code == 403
    assert ("data personal information", "ai") in _active(world, DATA[2])


def test_signed_off_themes_must_be_reopened_before_they_change_and_remapping_keeps_corrections(
    client: Client, world: Review, django_capture_on_commit_callbacks: object
) -> None:
    client.force_login(world.lead)
    _start(client, world)
    theme_set = _sign_off(client, world, django_capture_on_commit_callbacks)
    people = world.theme("person adviser human")
    edit = world.url("workspace_theme_edit", theme_id=people.pk)
    refused = client.post(edit, {"version": theme_set.version, "label": "Too late"})
    assert refused.status_code == 409
    assert "Reopen them before you change them" in refused.content.decode()

    # An official takes one answer out of its theme, then the themes are reopened and renamed.
    answer = world.answers[PEOPLE[2]]
    client.post(
        world.url("workspace_response_themes", reference=answer.response.reference),
        {"answer": answer.pk, "theme": people.pk, "action": "remove"},
    )
    response = client.post(world.url("workspace_theme_set_reopen"), {"version": world.theme_set.version})
    assert response.status_code == 302
    assert world.theme_set.status == "draft"
    assert consultation_themes(world.consultation)[world.question.pk].source == "candidate"
    client.post(edit, {"version": world.theme_set.version, "label": "Human advisers"})
    ai_rows_before = ThemeMapping.objects.filter(source="ai").count()

    _sign_off(client, world, django_capture_on_commit_callbacks)
    assert ("Human advisers", "ai") in _active(world, PEOPLE[0])
    assert all(label != "Human advisers" for label, _ in _active(world, PEOPLE[2]))
    assert ThemeMapping.objects.filter(source="ai").count() >= ai_rows_before  # nothing deleted


def test_a_failed_mapping_leaves_the_previous_one_and_says_failed(
    lead: Client, world: Review, django_capture_on_commit_callbacks: object, settings: object, monkeypatch: object
) -> None:
    _start(lead, world)
    _sign_off(lead, world, django_capture_on_commit_callbacks)
    before = set(ThemeMapping.objects.filter(is_active=True).values_list("pk", "theme_id", "answer_id"))

    # The embedding model cannot be loaded (the edge of the system): the mapping fails.
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")  # type: ignore[attr-defined]
    settings.EMBEDDING_MODEL = "/no/such/embedding/model"  # type: ignore[attr-defined]
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        assert lead.post(world.url("workspace_theme_set_map")).status_code == 302

    theme_set = world.theme_set
    assert theme_set.mapping_status == "failed" and theme_set.mapping_error
    assert set(ThemeMapping.objects.filter(is_active=True).values_list("pk", "theme_id", "answer_id")) == before
    assert "Mapping failed" in lead.get(world.url("workspace_theme_set")).content.decode()


def test_deleting_a_theme_asks_first_and_keeps_what_it_held_in_the_audit(lead: Client, world: Review) -> None:
    theme_set = _start(lead, world)
    data = world.theme("data personal information")
    delete = world.url("workspace_theme_delete", theme_id=data.pk)
    assert "Are you sure you want to delete" in lead.get(delete).content.decode()
    assert lead.post(delete, {"version": theme_set.version}).status_code == 302
    assert not ReviewTheme.objects.filter(pk=data.pk).exists()
    assert AuditEvent.objects.get(action="theme.delete").before["label"] == "data personal information"
    other = world.theme("Other")
    refused = lead.post(world.url("workspace_theme_delete", theme_id=other.pk), {"version": world.theme_set.version})
    assert refused.status_code == 409
    assert "The Other theme cannot be deleted" in refused.content.decode()


def test_an_analyst_reads_the_themes_but_cannot_edit_or_sign_them_off(client: Client, world: Review) -> None:
    client.force_login(world.lead)
    theme_set = _start(client, world)
    client.force_login(world.analyst)
    page = client.get(world.url("workspace_theme_set")).content.decode()
    assert "person adviser human" in page
    assert "Sign off these themes" not in page and "Merge themes" not in page
    assert client.post(world.url("workspace_theme_set_sign_off"), {"version": theme_set.version}).status_code == 403


def test_a_draft_starts_again_from_a_newer_run_but_a_mapped_set_does_not(
    lead: Client, world: Review, django_capture_on_commit_callbacks: object
) -> None:
    theme_set = _start(lead, world)
    newer = make_run_with_themes(world.question, {"everything at once": list(world.answers.values())})
    assert "Start again from its themes" in lead.get(world.url("workspace_theme_set")).content.decode()
    assert "Start the review again" in lead.get(world.url("workspace_theme_set_start")).content.decode()

    response = lead.post(world.url("workspace_theme_set_start"), {"version": theme_set.version})
    assert response.status_code == 302
    theme_set = world.theme_set
    assert theme_set.source_run == newer
    assert list(theme_set.themes.values_list("label", flat=True)) == ["everything at once", "Other"]
    assert AuditEvent.objects.get(action="theme_set.rebase").before["themes"]

    _sign_off(lead, world, django_capture_on_commit_callbacks)
    lead.post(world.url("workspace_theme_set_reopen"), {"version": world.theme_set.version})
    refused = lead.post(world.url("workspace_theme_set_start"), {"version": world.theme_set.version})
    assert refused.status_code == 409
    assert "cannot be started again" in refused.content.decode()

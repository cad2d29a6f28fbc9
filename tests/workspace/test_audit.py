"""The audit trail: every action officials take is recorded in plain English (never a dict or a
code name), filtered by who, what and when, paginated, and downloadable as a safe CSV."""

from __future__ import annotations

import ast
import csv
import io
import json
import re
from datetime import timedelta
from html import unescape
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from consult.models import Answer, AuditEvent, Flag, ReviewTheme, ThemeSet, User
from consult.queries.workspace.audit_sentences import ACTIONS, KINDS, sentence_of
from consult.services import consultations, mapping, moderation, review
from consult.services.audit import UnknownAction, record
from tests.factories import add_two_factor, make_official
from tests.workspace_forms import error_summary
from tests.workspace_world import World, build_world

pytestmark = pytest.mark.django_db

CONSULT = Path(__file__).resolve().parents[2] / "consult"


# --- The registry -------------------------------------------------------------------------------


def _is_record_call(node: ast.Call) -> bool:
    func = node.func
    if isinstance(func, ast.Name):
        return func.id == "record"
    return isinstance(func, ast.Attribute) and func.attr == "record" and getattr(func.value, "id", "") == "audit"


def _module_constants() -> dict[str, set[str]]:
    """Every module-level NAME = "string" in consult/, for action names kept in a constant."""
    constants: dict[str, set[str]] = {}
    for path in CONSULT.rglob("*.py"):
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant):
                for target in node.targets:
                    if isinstance(target, ast.Name) and isinstance(node.value.value, str):
                        constants.setdefault(target.id, set()).add(node.value.value)
    return constants


def _values(node: ast.expr, function: ast.AST | None, constants: dict[str, set[str]]) -> set[str] | None:
    """The action names an argument can hold, or None when it cannot be read from the code.
    An f-string becomes a pattern (its holes match any name part), checked against the registry."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, ast.IfExp):
        body, orelse = _values(node.body, function, constants), _values(node.orelse, function, constants)
        return None if body is None or orelse is None else body | orelse
    if isinstance(node, ast.JoinedStr):
        pattern = "".join(
            re.escape(part.value) if isinstance(part, ast.Constant) else "[a-z_]+" for part in node.values
        )
        return {f"re:{pattern}"}
    if isinstance(node, ast.Name):
        assigned = set()
        for inner in ast.walk(function) if function is not None else []:
            if isinstance(inner, ast.Assign) and any(getattr(t, "id", "") == node.id for t in inner.targets):
                values = _values(inner.value, None, constants)
                if values is None:
                    return None
                assigned |= values
        return assigned or constants.get(node.id)
    return None


def _recorded_actions() -> dict[str, list[str]]:
    """Every action name `record` is called with anywhere in consult/, with where."""
    constants = _module_constants()
    found: dict[str, list[str]] = {}
    for path in CONSULT.rglob("*.py"):
        tree = ast.parse(path.read_text())
        functions = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)]
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and _is_record_call(node)):
                continue
            action = node.args[2] if len(node.args) > 2 else next(k.value for k in node.keywords if k.arg == "action")
            function = next(
                (f for f in functions if f.lineno <= node.lineno <= (f.end_lineno or f.lineno) and f.name != "record"),
                None,
            )
            where = f"{path.relative_to(CONSULT.parent)}:{node.lineno}"
            values = _values(action, function, constants)
            assert values, f"{where}: write the action as a string the trail can read (or a constant)"
            for value in values:
                found.setdefault(value, []).append(where)
    return found


def test_every_action_recorded_anywhere_in_the_code_has_a_plain_english_sentence() -> None:
    recorded = _recorded_actions()
    assert len(recorded) > 35, sorted(recorded)  # the walk finds the calls, not a handful of them
    missing = []
    for name, places in recorded.items():
        if name.startswith("re:"):
            if not any(re.fullmatch(name[3:], action) for action in ACTIONS):
                missing.append((name, places))
        elif name not in ACTIONS:
            missing.append((name, places))
    assert missing == [], f"add these to consult.queries.workspace.audit_sentences.ACTIONS: {missing}"
    assert "analysis.request" in recorded  # a re-run is on the trail


def test_recording_an_action_without_a_sentence_is_refused() -> None:
    world = build_world()
    with pytest.raises(UnknownAction):
        record(world.consultation, None, "theme.rename_secretly")
    assert not AuditEvent.objects.filter(action="theme.rename_secretly").exists()


@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_every_sentence_reads_as_words_even_with_nothing_recorded_beside_it(action: str) -> None:
    sentence = sentence_of(AuditEvent(action=action, before={}, after={}, object_id=""))
    assert sentence[0].isupper() and sentence.endswith((".", "”", "?")), sentence
    assert not re.search(r"[{}\[\]]|None|_|\b[a-z]+\.[a-z]+\b", sentence), sentence
    assert ACTIONS[action].kind in KINDS


# --- The page -----------------------------------------------------------------------------------


@pytest.fixture
def world() -> World:
    return build_world()


def _named_lead(world: World, first: str = "Alex", last: str = "Smith") -> User:
    lead = make_official(world.consultation.department, role="lead", email=f"{first.lower()}@example.gov.uk")
    lead.first_name, lead.last_name = first, last
    lead.save()
    return lead


def _main(response: object) -> str:
    html = response.content.decode()  # type: ignore[attr-defined]
    return html.split("<main", 1)[1].split("</main>", 1)[0]


def _entries(response: object) -> list[str]:
    """The sentences on the page, as text."""
    return [
        unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", item)).strip())
        for item in re.findall(r'consult-audit__sentence">(.*?)</p>', _main(response), re.S)
    ]


def test_the_trail_reads_as_plain_english_with_readable_changes(client: Client, world: World) -> None:
    lead = _named_lead(world)
    moderator = _named_lead(world, "Sam", "Jones")
    consultation = world.consultation
    old_close = consultation.closes_at
    consultations.update_consultation(lead, consultation, {"closes_at": old_close + timedelta(days=7)})
    theme = ReviewTheme.objects.get(pk=world.kwargs["theme_id"])
    theme_set = theme.theme_set
    review.update_theme(theme, lead, version=theme_set.version, label="Faster answers", description="Speed.")
    theme_set.refresh_from_db()
    review.sign_off(theme_set, lead, version=theme_set.version)
    flag = Flag.objects.get(pk=world.kwargs["flag_id"])
    moderation.hide_answer(flag.answer, moderator, "An address")

    client.force_login(lead)
    page = client.get(reverse("workspace_audit", args=[consultation.slug]))
    assert page.status_code == 200
    why = f"question 2, “{theme_set.question.text}”"
    reference = flag.answer.response.reference
    assert _entries(page) == [
        f"Sam Jones hid an answer to question 2 in response {reference} from the analysis and the published "
        "outcome, closing 1 flag: “An address”.",
        f"Alex Smith signed off 1 theme for {why} and asked for the responses to be mapped to them.",
        f"Alex Smith changed the theme “Quicker answers” of {why}",
        "Alex Smith changed the consultation's closing date.",
    ]
    main = _main(page)
    assert "<strong>Name</strong>: changed from “Quicker answers” to “Faster answers”" in main
    assert "<strong>Description</strong>: set to “Speed.”" in main
    # A date as people write it, not ISO 8601.
    assert re.search(r"<strong>Closing date</strong>: changed from “\d+ \w+ \d{4} at [^”]+” to “\d+ \w+ \d{4} at", main)
    # Never a raw dict, nor an internal name.
    assert not re.search(r"\{&#x27;|\{'|theme_set\.|theme\.edit|answer\.hide|reviewtheme", main)


def test_a_rerun_is_recorded_in_the_transaction_that_queues_it(client: Client, world: World) -> None:
    lead = _named_lead(world)
    client.force_login(lead)
    client.post(reverse("workspace_analysis_start", args=[world.consultation.slug]))
    event = AuditEvent.objects.get(action="analysis.request")
    assert event.actor == lead
    assert event.after["previous_run"] == world.kwargs["run_id"]
    # A second press while the first run is queued queues nothing, and records nothing.
    client.post(reverse("workspace_analysis_start", args=[world.consultation.slug]))
    assert AuditEvent.objects.filter(action="analysis.request").count() == 1

    page = client.get(reverse("workspace_audit", args=[world.consultation.slug]))
    assert f"Alex Smith asked for the analysis to run again (run {event.after['run']})." in _entries(page)


def test_a_run_started_from_the_command_line_says_so(client: Client, world: World) -> None:
    call_command("analyse", world.consultation.slug, stdout=io.StringIO())
    event = AuditEvent.objects.get(action="analysis.request")
    assert event.actor is None
    assert (
        sentence_of(event)
        == f"Someone asked for the analysis to run again from the command line (run {event.after['run']})."
    )


def _trail_of_three(world: World) -> tuple[User, User]:
    """A consultation change by Alex two days ago, an export by Sam today, the system's mapping."""
    alex, sam = _named_lead(world), _named_lead(world, "Sam", "Jones")
    consultation = world.consultation
    consultations.update_consultation(alex, consultation, {"summary": "A clearer summary."})
    AuditEvent.objects.filter(action="consultation.update").update(created_at=timezone.now() - timedelta(days=2))
    record(consultation, sam, "export.csv", after={"format": "csv", "responses": 4})
    theme_set = ThemeSet.objects.get(question_id=world.kwargs["question_id"])
    record(consultation, None, "theme_set.mapped", theme_set, after={"answers": 1204, "checks_requested": 0})
    return alex, sam


def test_the_trail_filters_by_who_what_and_when(client: Client, world: World) -> None:
    alex, sam = _trail_of_three(world)
    client.force_login(alex)
    address = reverse("workspace_audit", args=[world.consultation.slug])

    by_sam = _entries(client.get(address, {"who": sam.pk}))
    assert by_sam == ["Sam Jones downloaded the responses as CSV (4 responses)."]
    by_system = _entries(client.get(address, {"who": "system"}))
    assert len(by_system) == 1 and by_system[0].startswith("The system mapped 1,204 answers")
    themes_and_mapping = _entries(client.get(address, {"what": "consultation"}))
    assert themes_and_mapping == ["Alex Smith changed the consultation's summary."]

    today = timezone.localdate()
    since_yesterday = {"from_day": (today - timedelta(days=1)).day, "from_month": (today - timedelta(days=1)).month}
    since_yesterday["from_year"] = (today - timedelta(days=1)).year
    assert len(_entries(client.get(address, since_yesterday))) == 2
    two_days_ago = today - timedelta(days=2)
    only_then = {
        "from_day": two_days_ago.day,
        "from_month": two_days_ago.month,
        "from_year": two_days_ago.year,
        "to_day": two_days_ago.day,
        "to_month": two_days_ago.month,
        "to_year": two_days_ago.year,
    }
    assert _entries(client.get(address, only_then)) == ["Alex Smith changed the consultation's summary."]


def test_the_who_filter_offers_the_people_on_the_trail_by_name(client: Client, world: World) -> None:
    alex, sam = _trail_of_three(world)
    client.force_login(alex)
    html = client.get(reverse("workspace_audit", args=[world.consultation.slug])).content.decode()
    assert f'<option value="{sam.pk}">Sam Jones (sam@example.gov.uk)</option>' in html
    assert '<option value="system">The system' in html


@pytest.mark.parametrize(
    ("dates", "message"),
    [
        ({"from_day": "31", "from_month": "2", "from_year": "2026"}, "Date from must be a real date"),
        ({"from_day": "3", "from_year": "2026"}, "Date from must include a month"),
        (
            {
                "from_day": "5",
                "from_month": "3",
                "from_year": "2026",
                "to_day": "4",
                "to_month": "3",
                "to_year": "2026",
            },
            "Date to must be the same as or after date from",
        ),
    ],
)
def test_dates_with_a_mistake_are_shown_in_an_error_summary(
    client: Client, world: World, dates: dict[str, str], message: str
) -> None:
    alex, _ = _trail_of_three(world)
    client.force_login(alex)
    page = client.get(reverse("workspace_audit", args=[world.consultation.slug]), dates)
    assert page.status_code == 200
    assert error_summary(page) == [message]
    assert page.content.decode().startswith("<!DOCTYPE html>") and "<title>Error:" in page.content.decode()
    assert _entries(page) == []


def test_the_trail_is_paginated_and_the_pages_keep_the_filters(client: Client, world: World) -> None:
    alex = _named_lead(world)
    for n in range(55):
        record(world.consultation, alex, "export.csv", after={"format": "csv", "responses": n})
    record(world.consultation, None, "consultation.publish", world.consultation)
    client.force_login(alex)
    address = reverse("workspace_audit", args=[world.consultation.slug])
    first = client.get(address, {"what": "exports"})
    assert len(_entries(first)) == 50
    assert "55 entries" in first.content.decode()
    assert "?what=exports&amp;page=2" in first.content.decode()
    second = client.get(address, {"what": "exports", "page": 2})
    assert _entries(second)[-2:] == [
        "Alex Smith downloaded the responses as CSV (1 response).",
        "Alex Smith downloaded the responses as CSV (0 responses).",
    ]
    assert len(_entries(second)) == 5


# --- The CSV ------------------------------------------------------------------------------------


def _csv(response: object) -> list[dict[str, str]]:
    body = b"".join(response.streaming_content).decode("utf-8-sig")  # type: ignore[attr-defined]
    return list(csv.DictReader(io.StringIO(body)))


def test_the_csv_holds_the_filtered_trail_in_words_and_raw_and_is_formula_safe(client: Client, world: World) -> None:
    alex, sam = _trail_of_three(world)
    theme = ReviewTheme.objects.get(pk=world.kwargs["theme_id"])
    theme_set = theme.theme_set
    review.update_theme(theme, sam, version=theme_set.version, label='=HYPERLINK("http://x")', description="")
    client.force_login(alex)
    response = client.get(reverse("workspace_audit_csv", args=[world.consultation.slug]), {"who": sam.pk})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="')
    rows = _csv(response)
    assert [row["action"] for row in rows] == ["theme.edit", "export.csv"]
    edit = rows[0]
    assert edit["who"] == "Sam Jones" and edit["who_email"] == "sam@example.gov.uk"
    assert edit["kind"] == "Theme review"
    assert edit["description"].startswith("Sam Jones changed the theme “Quicker answers”")
    assert "Name: from “Quicker answers” to “=HYPERLINK" in edit["changes"]
    assert json.loads(edit["after"])["label"] == '=HYPERLINK("http://x")'
    cells = [cell for row in rows for cell in row.values()]
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in cells)

    # The download is on the trail, with how many entries it held and the filters used.
    download = AuditEvent.objects.get(action="export.audit_trail")
    assert download.actor == alex
    assert download.after == {"format": "csv", "entries": 2, "filters": {"who": str(sam.pk)}}


def test_a_csv_asked_for_with_a_mistake_in_the_dates_goes_back_to_the_page(client: Client, world: World) -> None:
    alex, _ = _trail_of_three(world)
    client.force_login(alex)
    response = client.get(
        reverse("workspace_audit_csv", args=[world.consultation.slug]),
        {"from_day": "40", "from_month": "1", "from_year": "2026"},
    )
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("workspace_audit", args=[world.consultation.slug]) + "?")
    assert not AuditEvent.objects.filter(action="export.audit_trail").exists()


def test_an_answer_sentence_names_its_question_and_response(world: World) -> None:
    answer = Answer.objects.get(pk=world.kwargs["answer_id"])
    lead = _named_lead(world)
    moderation.report_answer(answer, lead, "It names a neighbour")
    event = AuditEvent.objects.get(action="answer.report")
    from consult.queries.workspace.audit import entries

    [entry] = entries([event])
    assert entry.sentence == (
        f"Alex Smith reported an answer to question 2 in response {answer.response.reference} "
        "to the moderators: “It names a neighbour”."
    )


# --- Officials' roles, given in the Django admin --------------------------------------------------


def test_giving_changing_and_removing_a_role_in_the_admin_is_on_the_trail(client: Client) -> None:
    from consult.models import Department, DepartmentMembership

    root = User.objects.create_superuser("root@example.gov.uk", "a-long-test-password")
    root.first_name, root.last_name = "Ops", "Team"
    root.save()
    add_two_factor(root)  # the admin opens only with an authenticator
    department = Department.objects.create(name="Department for Housing", slug="housing")
    kept = make_official(department, role="analyst", email="kept@example.gov.uk")
    leaving = make_official(department, role="moderator", email="leaving@example.gov.uk")
    joining = make_official(email="joining@example.gov.uk")
    memberships = {m.user_id: m for m in DepartmentMembership.objects.filter(department=department)}
    client.force_login(root)

    def row(n: int, membership: DepartmentMembership | None, user: User, role: str, delete: bool = False) -> dict:
        data = {f"memberships-{n}-user": user.pk, f"memberships-{n}-role": role}
        data[f"memberships-{n}-department"] = department.pk
        if membership is not None:
            data[f"memberships-{n}-id"] = membership.pk
        if delete:
            data[f"memberships-{n}-DELETE"] = "on"
        return data

    response = client.post(
        reverse("admin:consult_department_change", args=[department.pk]),
        {
            "name": department.name,
            "name_cy": "",
            "slug": department.slug,
            "memberships-TOTAL_FORMS": 3,
            "memberships-INITIAL_FORMS": 2,
            "memberships-MIN_NUM_FORMS": 0,
            "memberships-MAX_NUM_FORMS": 1000,
            **row(0, memberships[kept.pk], kept, "lead"),
            **row(1, memberships[leaving.pk], leaving, "moderator", delete=True),
            **row(2, None, joining, "analyst"),
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:consult_department_changelist")
    events = AuditEvent.objects.filter(action__startswith="membership.").order_by("pk")
    assert {sentence_of(event) for event in events} == {
        "Ops Team changed kept@example.gov.uk's role in Department for Housing from analyst to lead.",
        "Ops Team removed leaving@example.gov.uk from the officials of Department for Housing.",
        "Ops Team gave joining@example.gov.uk the analyst role in Department for Housing.",
    }
    assert all(event.consultation is None and event.actor == root for event in events)
    # Operators read them in the admin's audit list, as words.
    listing = client.get(reverse("admin:consult_auditevent_changelist")).content.decode()
    assert "Ops Team gave joining@example.gov.uk the analyst role in Department for Housing." in listing


def test_the_page_makes_as_many_queries_for_fifty_entries_as_for_five(client: Client, world: World) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    lead = _named_lead(world)
    theme = ReviewTheme.objects.get(pk=world.kwargs["theme_id"])
    answer = Answer.objects.get(pk=world.kwargs["answer_id"])
    client.force_login(lead)
    address = reverse("workspace_audit", args=[world.consultation.slug])

    def add_entries(n: int) -> None:
        for _ in range(n):
            record(world.consultation, lead, "theme.edit", theme, before={"label": "A"}, after={"label": "B"})
            record(world.consultation, lead, "answer.report", answer, after={"reason": "Why"})
            record(world.consultation, None, "theme_set.mapped", theme.theme_set, after={"answers": 3})

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(address).status_code == 200
        return len(captured)

    add_entries(2)
    few = queries()
    add_entries(20)
    assert queries() == few


def test_a_real_mapping_reads_as_a_sentence_with_the_checks_it_set_aside(client: Client, world: World) -> None:
    """The shape the mapping itself records (checks by kind), not one written for the test: the
    demo's trail failed on it once."""
    lead = _named_lead(world)
    theme_set = ReviewTheme.objects.get(pk=world.kwargs["theme_id"]).theme_set
    review.sign_off(theme_set, lead, version=theme_set.version)
    mapping.map_answers(theme_set.pk)  # what the task queued by signing off does
    mapped = AuditEvent.objects.get(action="theme_set.mapped")
    assert isinstance(mapped.after["checks_requested"], dict)

    client.force_login(lead)
    page = client.get(reverse("workspace_audit", args=[world.consultation.slug]))

    assert page.status_code == 200
    sentence = next(entry for entry in _entries(page) if entry.startswith("The system mapped"))
    assert re.search(r"mapped \d+ answers? to the signed-off themes of question \d", sentence)
    if sum(mapped.after["checks_requested"].get(kind, 0) for kind in ("unsure", "random")):
        assert re.search(r"set aside \d+ answers? for an official to check \(\d+ it was least sure of", sentence)


def test_an_event_whose_details_its_sentence_cannot_read_still_shows(client: Client, world: World) -> None:
    lead = _named_lead(world)
    theme_set = ReviewTheme.objects.get(pk=world.kwargs["theme_id"]).theme_set
    record(world.consultation, None, "theme_set.mapped", theme_set, after={"answers": "many", "checks_requested": []})

    client.force_login(lead)
    page = client.get(reverse("workspace_audit", args=[world.consultation.slug]))

    assert page.status_code == 200
    assert "The system: theme set: mapped." in _entries(page)

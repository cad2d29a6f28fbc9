"""Exports of a consultation's responses (CSV and XLSX) and its printable summary report.

One row per response that was sent (withdrawn ones too, marked as such: they stay on record),
identified by its reference, with every answer in full: choices joined, agreement as its label,
free text untruncated. Each free-text answer carries its themes in force (read through
`queries.themes`, the one place that decides them), its campaign, its moderation flags, its
visibility and whether it is substantive ("yes"; "no" for an answer with nothing to say, such as
"N/A" or "See above", which is in no theme; empty when the question was not answered).
Respondents' email addresses and equality information are never exported: they are personal data
the analysis does not need, and an export leaves the service's access control.

Rows are built a batch of responses at a time, with a fixed number of queries per batch, so a
consultation of 100,000 responses streams without being held in memory.
"""

from __future__ import annotations

import csv
import re
import tempfile
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import IO, TypedDict

from django.db.models import Count, F, Q, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from consult.models import (
    Agreement,
    AnalysisRun,
    Answer,
    CampaignMember,
    Consultation,
    Flag,
    Option,
    Outcome,
    Question,
    QuestionSummary,
    Response,
    Theme,
    ThemeMapping,
)
from consult.models.analysis import SummarySentence
from consult.queries.counting import answer_counts
from consult.queries.outcome import default_method_note
from consult.queries.themes import QuestionThemes, answer_themes, consultation_themes

BATCH_SIZE = 1000

# A spreadsheet reads a cell starting with one of these as a formula (tab and carriage return
# too, in some programs): a respondent could otherwise write "=HYPERLINK(...)" into an export.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

# The most characters an Excel cell holds; longer text is written in parts on its own sheet.
XLSX_CELL_LIMIT = 32767
LONG_TEXT_PART = 32000
LONG_TEXT_SHEET = "Long answers"

# Characters XML 1.0 (and so XLSX) cannot hold; written as visible escapes rather than dropped.
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def neutralise_formula(value: str) -> str:
    """Prefix a cell that a spreadsheet would run as a formula with an apostrophe, so that it is
    shown as the text the respondent wrote (OWASP's advice for CSV)."""
    return "'" + value if value.startswith(FORMULA_PREFIXES) else value


def iso(moment: datetime | None) -> str:
    """A time as ISO 8601 in the site's time zone, with its offset, so it is unambiguous."""
    if moment is None:
        return ""
    return timezone.localtime(moment).isoformat(timespec="seconds")


# --- The table of responses -------------------------------------------------------------------


@dataclass(frozen=True)
class ExportTable:
    """The header and a generator of rows (lists of strings), not yet neutralised for a format."""

    header: list[str]
    rows: Iterator[list[str]]
    response_count: int
    run_id: int | None


def _questions(consultation: Consultation) -> list[Question]:
    return list(consultation.questions.order_by("position"))


def export_header(questions: list[Question]) -> list[str]:
    header = [
        "reference",
        "external_id",
        "status",
        "submitted_at",
        "withdrawn_at",
        "respondent_type",
        "organisation",
    ]
    for question in questions:
        prefix = f"Q{question.position}"
        header.append(f"{prefix}: {question.text}")
        if question.is_free_text:
            header += [
                f"{prefix} themes",
                f"{prefix} campaign",
                f"{prefix} flags",
                f"{prefix} visibility",
                f"{prefix} substantive",
            ]
    # Added after the question columns, so that the columns before them keep their places.
    return [*header, *ORGANISATION_COLUMNS, *LANGUAGE_COLUMNS]


# A registered organisation's id and whether officials verified it; empty for everyone else.
ORGANISATION_COLUMNS = ["organisation_id", "organisation_verified"]
# The language of the pages the response was given in (en-gb or cy), and the languages its written
# answers were detected in ("en", "cy", or both as "en; cy"; empty before the analysis reads them).
LANGUAGE_COLUMNS = ["language", "answer_languages"]


def exported_responses(consultation: Consultation) -> Iterable[int]:
    """The ids of the responses an export holds, in the order it lists them: every sent response
    (withdrawn ones included, marked), never a draft, which is still the respondent's own."""
    return (
        consultation.responses.exclude(status=Response.Status.DRAFT)
        .order_by(F("submitted_at").asc(nulls_last=True), "pk")
        .values_list("pk", flat=True)
    )


def export_table(consultation: Consultation, batch_size: int = BATCH_SIZE) -> ExportTable:
    questions = _questions(consultation)
    response_ids = list(exported_responses(consultation))
    run = AnalysisRun.objects.latest_succeeded_for(consultation)

    def rows() -> Iterator[list[str]]:
        for start in range(0, len(response_ids), batch_size):
            yield from _batch_rows(consultation, questions, response_ids[start : start + batch_size], run)

    return ExportTable(export_header(questions), rows(), len(response_ids), run.pk if run else None)


def _flag_text(reason: str, status: str, decision_reason: str) -> str:
    text = f"{Flag.Reason(reason).label} ({Flag.Status(status).label.lower()})"
    return f"{text}: {decision_reason}" if decision_reason else text


def _batch_rows(
    consultation: Consultation, questions: list[Question], response_ids: list[int], run: AnalysisRun | None
) -> list[list[str]]:
    """Rows for one batch of responses, in the order of `response_ids`, in a fixed number of queries."""
    responses = Response.objects.select_related("organisation").in_bulk(response_ids)
    answers: dict[int, dict[int, Answer]] = defaultdict(dict)
    answer_rows = Answer.objects.filter(response_id__in=response_ids).only(
        "pk",
        "response_id",
        "question_id",
        "text",
        "agreement",
        "visibility",
        "language",
        "non_answer_detected",
        "non_answer_override",
    )
    for answer in answer_rows:
        answers[answer.response_id][answer.question_id] = answer
    answer_ids = [a.pk for by_question in answers.values() for a in by_question.values()]

    chosen: dict[int, list[str]] = defaultdict(list)
    for answer_id, label in (
        Option.answers.through.objects.filter(answer_id__in=answer_ids)
        .order_by("answer_id", "option__position")
        .values_list("answer_id", "option__label")
    ):
        chosen[answer_id].append(label)

    free_text_questions = {q.pk for q in questions if q.is_free_text}
    free_text_ids = [
        a.pk for by_question in answers.values() for qid, a in by_question.items() if qid in free_text_questions
    ]
    themes = answer_themes(consultation, free_text_ids)

    campaigns: dict[int, str] = {}
    if run is not None:
        for answer_id, campaign_id, size in CampaignMember.objects.filter(
            campaign__run=run, answer_id__in=free_text_ids
        ).values_list("answer_id", "campaign_id", "campaign__member_count"):
            campaigns[answer_id] = f"campaign {campaign_id} ({size} copies)"

    flags: dict[int, list[str]] = defaultdict(list)
    for answer_id, reason, status, decision_reason in (
        Flag.objects.filter(answer_id__in=free_text_ids)
        .order_by("answer_id", "created_at", "pk")
        .values_list("answer_id", "reason", "status", "decision_reason")
    ):
        flags[answer_id].append(_flag_text(reason, status, decision_reason))

    rows = []
    for response_id in response_ids:
        response = responses[response_id]
        row = [
            response.reference,
            response.external_id,
            response.status,
            iso(response.submitted_at),
            iso(response.withdrawn_at),
            response.respondent_type,
            response.organisation_name,
        ]
        for question in questions:
            answer = answers[response_id].get(question.pk)
            row.append(_answer_text(question, answer, chosen))
            if question.is_free_text:
                if answer is None:
                    row += ["", "", "", "", ""]
                    continue
                row += [
                    "; ".join(themes.get(answer.pk, [])),
                    campaigns.get(answer.pk, ""),
                    "; ".join(flags.get(answer.pk, [])),
                    answer.visibility,
                    ("no" if answer.is_non_answer else "yes") if answer.text else "",
                ]
        organisation = response.organisation
        row += [str(organisation.pk), "yes" if organisation.is_verified else "no"] if organisation else ["", ""]
        written_in = {a.language for qid, a in answers[response_id].items() if qid in free_text_questions}
        row += [response.language, "; ".join(sorted(written_in - {""}))]
        rows.append(row)
    return rows


def _answer_text(question: Question, answer: Answer | None, chosen: dict[int, list[str]]) -> str:
    if answer is None:
        return ""
    if question.is_free_text:
        return answer.text
    if question.kind == Question.Kind.AGREEMENT:
        return str(Agreement(answer.agreement).label) if answer.agreement else ""
    return "; ".join(chosen.get(answer.pk, []))


# --- CSV and XLSX -----------------------------------------------------------------------------


class _Echo:
    """A file-like object whose write returns the line, for streaming csv.writer's output."""

    def write(self, value: str) -> str:
        return value


def csv_lines(table: ExportTable) -> Iterator[str]:
    """The table as CSV lines, formula-neutralised, starting with a byte-order mark so that
    Excel reads the file as UTF-8."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(table.header)
    for row in table.rows:
        yield writer.writerow([neutralise_formula(value) for value in row])


def _xlsx_text(value: str) -> str:
    return _XML_ILLEGAL.sub(lambda m: f"\\x{ord(m.group()):02x}", value)


def write_xlsx(table: ExportTable, sheet_title: str = "Responses") -> IO[bytes]:
    """The table as an XLSX workbook in a temporary file, rewound for reading.

    Every cell is written as text (never a formula), with Excel's quote prefix on cells that would
    otherwise read as one, so the respondent's words are kept exactly. Text longer than a cell
    holds is written in parts on the "Long answers" sheet, and its cell says so: nothing is cut.
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_title)
    long_texts: list[list[str]] = []

    def cell(value: str) -> WriteOnlyCell:
        written = WriteOnlyCell(sheet, value=_xlsx_text(value))
        written.data_type = "s"
        if value.startswith(FORMULA_PREFIXES):
            written.quotePrefix = True
        return written

    sheet.append([cell(value) for value in table.header])
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
            cells.append(cell(value))
        sheet.append(cells)
    if long_texts:
        sheet = workbook.create_sheet(LONG_TEXT_SHEET)
        width = max(len(row) for row in long_texts) - 2
        sheet.append([cell(v) for v in ["reference", "column", *[f"part {n}" for n in range(1, width + 1)]]])
        for row in long_texts:
            sheet.append([cell(value) for value in row])
    output = tempfile.TemporaryFile()  # noqa: SIM115 - handed to the response, which closes it
    workbook.save(output)
    output.seek(0)
    return output


def export_filename(consultation: Consultation, extension: str) -> str:
    return f"{consultation.slug}-responses-{timezone.localdate():%Y-%m-%d}.{extension}"


# --- The printable summary report -------------------------------------------------------------


@dataclass
class ClosedResult:
    question: Question
    answered: int
    rows: list[tuple[str, int, float]]  # (label, count, share of those who answered)


@dataclass
class ReportTheme:
    label: str
    description: str
    count: int
    share: float
    is_other: bool
    quotes: list[tuple[str, str]] = field(default_factory=list)  # (reference, text)


@dataclass
class FreeTextResult:
    question: Question
    answered: int
    non_answers: int  # of those answered, answers with nothing to say: in no theme
    source: str | None
    themes: list[ReportTheme]
    summary: list[SummarySentence]
    campaign_count: int

    @property
    def substantive(self) -> int:
        return self.answered - self.non_answers


_COUNTED = Q(response__status=Response.Status.SUBMITTED) & ~Q(visibility=Answer.Visibility.HIDDEN)
QUOTES_PER_THEME = 3


def _quote_text(text: str, redacted_text: str, visibility: str) -> str:
    """The text a report may quote: a moderator's redaction when there is one, else the text with
    personal data replaced by the analysis, else (not yet processed) the text as sent."""
    if visibility == Answer.Visibility.REDACTED:
        return text
    return redacted_text or text


class ConsultationReport(TypedDict):
    submitted_count: int
    withdrawn_count: int
    individual_count: int
    organisation_count: int
    closed_results: list[ClosedResult]
    free_text_results: list[FreeTextResult]
    overall_summary: list[SummarySentence]
    run: AnalysisRun | None
    method_note: str
    generated_at: datetime


def consultation_report(consultation: Consultation) -> ConsultationReport:
    """Everything the printable report shows, in a fixed number of queries."""
    questions = _questions(consultation)
    by_status = dict(consultation.responses.values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
    submitted = consultation.responses.filter(status=Response.Status.SUBMITTED)
    by_type = dict(submitted.values_list("respondent_type").annotate(n=Count("pk")).values_list("respondent_type", "n"))
    answered = dict(
        Answer.objects.filter(_COUNTED, question__in=questions)
        .filter(Q(text__gt="") | Q(agreement__isnull=False) | Q(options__isnull=False))
        .values_list("question_id")
        .annotate(n=Count("pk", distinct=True))
        .values_list("question_id", "n")
    )
    option_counts = dict(
        Option.objects.filter(question__in=questions)
        .annotate(n=Count("answers", filter=Q(answers__response__status=Response.Status.SUBMITTED)))
        .values_list("pk", "n")
    )
    options: dict[int, list[Option]] = defaultdict(list)
    for option in Option.objects.filter(question__in=questions).order_by("position"):
        options[option.question_id].append(option)
    agreements: dict[int, dict[int, int]] = defaultdict(dict)
    for question_id, level, n in (
        Answer.objects.filter(_COUNTED, question__in=questions, agreement__isnull=False)
        .values_list("question_id", "agreement")
        .annotate(n=Count("pk"))
        .values_list("question_id", "agreement", "n")
    ):
        agreements[question_id][level] = n

    free_text_counts = answer_counts([q.pk for q in questions if q.is_free_text])
    run = AnalysisRun.objects.latest_succeeded_for(consultation)
    in_force = consultation_themes(consultation)
    quotes = _theme_quotes(in_force)
    summaries: dict[int | None, list[SummarySentence]] = {}
    campaign_counts: dict[int, int] = {}
    if run is not None:
        summaries = {s.question_id: s.sentences for s in QuestionSummary.objects.filter(run=run)}
        campaign_counts = dict(
            run.campaigns.values_list("question_id").annotate(n=Count("pk")).values_list("question_id", "n")
        )

    closed, free_text = [], []
    for question in questions:
        n = answered.get(question.pk, 0)
        if question.is_free_text:
            counts = free_text_counts[question.pk]
            question_themes = in_force.get(question.pk)
            themes = [
                ReportTheme(
                    t.label,
                    t.description,
                    t.count,
                    t.count / counts.substantive if counts.substantive else 0.0,
                    t.is_other,
                    quotes.get((t.source, t.id), []),
                )
                for t in (question_themes.themes if question_themes else [])
            ]
            free_text.append(
                FreeTextResult(
                    question,
                    counts.answered,
                    counts.non_answers,
                    question_themes.source if question_themes else None,
                    themes,
                    summaries.get(question.pk, []),
                    campaign_counts.get(question.pk, 0),
                )
            )
        elif question.kind == Question.Kind.AGREEMENT:
            rows = [(str(level.label), agreements[question.pk].get(level.value, 0)) for level in Agreement]
            closed.append(ClosedResult(question, n, [(label, c, c / n if n else 0.0) for label, c in rows]))
        else:
            rows = [(o.label, option_counts.get(o.pk, 0)) for o in options[question.pk]]
            closed.append(ClosedResult(question, n, [(label, c, c / n if n else 0.0) for label, c in rows]))

    outcome = Outcome.objects.filter(consultation=consultation).first()
    return {
        "submitted_count": by_status.get(Response.Status.SUBMITTED, 0),
        "withdrawn_count": by_status.get(Response.Status.WITHDRAWN, 0),
        "individual_count": by_type.get(Response.RespondentType.INDIVIDUAL, 0),
        "organisation_count": by_type.get(Response.RespondentType.ORGANISATION, 0),
        "closed_results": closed,
        "free_text_results": free_text,
        "overall_summary": summaries.get(None, []),
        "run": run,
        "method_note": outcome.method_note if outcome and outcome.method_note else default_method_note(consultation),
        "generated_at": timezone.now(),
    }


def _theme_quotes(in_force: dict[int, QuestionThemes]) -> dict[tuple[str, int], list[tuple[str, str]]]:
    """Up to three real answers per theme in force, never a hidden one: for reviewed themes the
    closest mapped answers, for candidates the run's representatives."""
    reviewed_ids = [t.id for qt in in_force.values() for t in qt.themes if t.source == "reviewed"]
    candidate_ids = [t.id for qt in in_force.values() for t in qt.themes if t.source == "candidate"]
    quotes: dict[tuple[str, int], list[tuple[str, str]]] = defaultdict(list)
    if reviewed_ids:
        rows = (
            ThemeMapping.objects.filter(
                theme_id__in=reviewed_ids,
                is_active=True,
                answer__response__status=Response.Status.SUBMITTED,
            )
            .exclude(answer__visibility=Answer.Visibility.HIDDEN)
            .exclude(Answer.non_answer_q("answer__"))
            .annotate(
                rank=Window(
                    RowNumber(),
                    partition_by=[F("theme_id")],
                    order_by=[F("similarity").desc(nulls_last=True), F("pk").asc()],
                )
            )
            .filter(rank__lte=QUOTES_PER_THEME)
            .order_by("theme_id", "rank")
            .values_list(
                "theme_id", "answer__response__reference", "answer__text", "answer__redacted_text", "answer__visibility"
            )
        )
        for theme_id, reference, text, redacted, visibility in rows:
            quotes[("reviewed", theme_id)].append((reference, _quote_text(text, redacted, visibility)))
    if candidate_ids:
        through = Theme.representatives.through
        rows = (
            through.objects.filter(theme_id__in=candidate_ids, answer__response__status=Response.Status.SUBMITTED)
            .exclude(answer__visibility=Answer.Visibility.HIDDEN)
            .exclude(Answer.non_answer_q("answer__"))
            .order_by("theme_id", "pk")
            .values_list(
                "theme_id", "answer__response__reference", "answer__text", "answer__redacted_text", "answer__visibility"
            )
        )
        for theme_id, reference, text, redacted, visibility in rows:
            if len(quotes[("candidate", theme_id)]) < QUOTES_PER_THEME:
                quotes[("candidate", theme_id)].append((reference, _quote_text(text, redacted, visibility)))
    return quotes

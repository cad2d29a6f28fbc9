"""Exports of a consultation's responses (CSV and XLSX). The Excel workbook is written by
`workbook`, the printable report read by `report`.

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
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime

from django.db.models import F
from django.utils import timezone

from consult.models import (
    Agreement,
    AnalysisRun,
    Answer,
    CampaignMember,
    Consultation,
    Flag,
    Option,
    Question,
    Response,
)
from consult.queries.themes import answer_themes

BATCH_SIZE = 1000

# A spreadsheet reads a cell starting with one of these as a formula (tab and carriage return
# too, in some programs): a respondent could otherwise write "=HYPERLINK(...)" into an export.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


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


# --- CSV -----------------------------------------------------------------------------


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


def export_filename(consultation: Consultation, extension: str) -> str:
    return f"{consultation.slug}-responses-{timezone.localdate():%Y-%m-%d}.{extension}"

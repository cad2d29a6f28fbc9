"""Reads of the outcome ("You said, we did") that the workspace and the public pages share: the
draft, the default method note, the snapshot publishing freezes, the published page and each
response's published themes, and what still stands in the way of publishing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import NotRequired, TypedDict

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import get_language, gettext, ngettext

from consult.analysis.mapping import estimate_accuracy
from consult.models import (
    Agreement,
    AnalysisRun,
    Answer,
    AuditEvent,
    Consultation,
    MappingCheck,
    Outcome,
    OutcomeReceipt,
    Question,
    Response,
    ReviewTheme,
    ThemeSet,
)
from consult.queries.counting import Bar, answer_counts, bars
from consult.queries.organisations import named_organisations
from consult.queries.themes import consultation_themes, is_reviewed_in_force, mapping_changes
from consult.queries.workspace.dashboard import closed_results
from consult.queries.workspace.review import accuracy_sentence, mapping_accuracy


def outcome_of(consultation: Consultation) -> Outcome | None:
    return Outcome.objects.filter(consultation=consultation).select_related("approved_by", "published_by").first()


def outcome_version(outcome: Outcome | None) -> int:
    """The version a form carries: 0 while no draft has been saved."""
    return outcome.version if outcome is not None else 0


def review_themes(consultation: Consultation) -> list[ReviewTheme]:
    """Every reviewed theme of the consultation's free-text questions, in question order."""
    return list(
        ReviewTheme.objects.filter(theme_set__question__consultation=consultation)
        .select_related("theme_set__question")
        .order_by("theme_set__question__position", "is_other", "position")
    )


def counted_responses(consultation: Consultation) -> QuerySet[Response]:
    """The responses a published outcome counts: sent, and not hidden whole by moderators (a
    response with answers, every one of them hidden, was spam or abuse and is not counted)."""
    visible = Answer.objects.filter(response=OuterRef("pk")).visible()
    any_answer = Answer.objects.filter(response=OuterRef("pk"))
    return consultation.responses.submitted().filter(Q(Exists(visible)) | ~Q(Exists(any_answer)))


def published_responses(consultation: Consultation) -> QuerySet[Response]:
    """Responses the open data download may hold: counted by the outcome (sent, not withdrawn, not
    hidden whole) and their authors agreed to publication. Ordered by the response's creation,
    which no later change alters."""
    return counted_responses(consultation).filter(is_publication_consented=True).order_by("pk")


def default_method_note(consultation: Consultation, language: str = settings.LANGUAGE_CODE) -> str:
    """A method note drawn from the latest run's versions and parameters and from how much
    officials changed the AI's mapping, in the language given (English, or Welsh for the Welsh
    version); the lead edits it before publishing."""
    with translation.override(language):
        return "\n\n".join(_method_note_lines(consultation))


def _method_note_lines(consultation: Consultation) -> list[str]:
    run = AnalysisRun.objects.latest_succeeded_for(consultation)
    questions = {q.pk: q for q in consultation.questions.filter(kind=Question.Kind.FREE_TEXT)}
    lines = []
    if run is None:
        lines.append(gettext("The responses have not been analysed yet."))
    else:
        versions = run.versions or {}
        model = versions.get("language_model") or ""
        unknown = gettext("unknown")
        lines.append(
            ngettext(
                "We analysed %(count)s free-text answer on %(date)s. Personal data was removed from every "
                "answer before it was analysed.",
                "We analysed %(count)s free-text answers on %(date)s. Personal data was removed from every "
                "answer before it was analysed.",
                run.answers_analysed,
            )
            % {"count": f"{run.answers_analysed:,}", "date": date_format(timezone.localtime(run.finished_at), "j F Y")}
        )
        if (run.parameters or {}).get("count_campaigns_once", True):
            campaigns = gettext("Copies of the same text sent by a campaign were found and counted once.")
        else:
            campaigns = gettext("Copies of the same text sent by a campaign were found and counted every time.")
        lines.append(
            gettext("Answers were compared using the embedding model %(model)s.")
            % {"model": versions.get("embedding_model") or gettext("named in the run")}
            + " "
            + campaigns
            + " "
            + gettext(
                "Candidate themes were found with BERTopic (themes version %(themes)s, redaction version "
                "%(redaction)s)."
            )
            % {"themes": versions.get("themes") or unknown, "redaction": versions.get("redaction") or unknown}
        )
        if model:
            lines.append(
                gettext(
                    "The language model %(model)s (prompt version %(prompt)s) suggested names for the themes and "
                    "wrote summaries citing the responses behind each sentence."
                )
                % {"model": model, "prompt": versions.get("prompt") or unknown}
            )
        else:
            lines.append(
                gettext("No language model was used: theme names and summaries were taken from the answers themselves.")
            )
    lines.append(
        gettext(
            "Officials read the candidate themes with real answers, edited, merged, split or added themes and "
            "signed them off. Every answer was then mapped to the signed-off themes (an answer may count "
            "towards several), and officials corrected the mapping where needed."
        )
    )
    changes = mapping_changes(consultation)
    for question_id, change in sorted(changes.items(), key=lambda item: questions[item[0]].position):
        if change.changed_share is not None:
            lines.append(
                gettext(
                    "Question %(position)s: officials changed the themes of %(changed)s of the %(mapped)s answers "
                    "the analysis mapped (%(share)s)."
                )
                % {
                    "position": questions[question_id].position,
                    "changed": f"{change.changed_answers:,}",
                    "mapped": f"{change.ai_mapped_answers:,}",
                    "share": f"{change.changed_share:.0%}",
                }
            )
    lines.extend(_accuracy_lines(consultation, questions))
    theme_changes = AuditEvent.objects.filter(
        consultation=consultation, object_type__in=["themeset", "reviewtheme", "thememapping"]
    ).count()
    if theme_changes:
        lines.append(
            ngettext(
                "The audit trail records %(count)s change officials made to themes and mappings.",
                "The audit trail records %(count)s changes officials made to themes and mappings.",
                theme_changes,
            )
            % {"count": f"{theme_changes:,}"}
        )
    lines.append(gettext("Answers that moderators hid (for example spam or abuse) are not counted."))
    return lines


def _accuracy_lines(consultation: Consultation, questions: dict[int, Question]) -> list[str]:
    """The mapping's accuracy as officials' spot checks of answers drawn at random measured it:
    for the question, or overall and then per question when several have signed-off themes."""
    signed_off = sorted(
        ThemeSet.objects.filter(question__consultation=consultation, status=ThemeSet.Status.SIGNED_OFF).values_list(
            "question_id", flat=True
        ),
        key=lambda question_id: questions[question_id].position,
    )
    if not signed_off:
        return []
    accuracy = mapping_accuracy(signed_off)
    if len(signed_off) == 1:
        return [accuracy_sentence(accuracy[signed_off[0]])]
    outcomes = [
        is_correct
        for is_correct in MappingCheck.objects.filter(
            theme_set__question_id__in=signed_off, reason=MappingCheck.Reason.RANDOM, is_correct__isnull=False
        ).values_list("is_correct", flat=True)
    ]
    lines = [
        gettext("Across all questions: %(sentence)s") % {"sentence": accuracy_sentence(estimate_accuracy(outcomes))}
    ]
    for question_id in signed_off:
        lines.append(
            gettext("Question %(position)s: %(sentence)s")
            % {"position": questions[question_id].position, "sentence": accuracy_sentence(accuracy[question_id])}
        )
    return lines


class SnapshotTheme(TypedDict):
    id: int
    label: str
    description: str
    count: int
    is_other: bool
    government_response: str  # empty for a run's candidate themes
    label_cy: str
    description_cy: str
    government_response_cy: str


class SnapshotQuestion(TypedDict):
    id: int
    position: int
    text: str
    text_cy: str
    answered: int
    non_answers: int
    is_reviewed: bool
    themes: list[SnapshotTheme]


class SnapshotChoice(TypedDict):
    """One option of a choice question, or one point of an agreement scale, with how many chose it."""

    position: int  # the option's position; for the scale, 1 (strongly agree) to 5
    point: int | None  # the agreement scale's value, 5 (strongly agree) to 1; None for an option
    label: str
    label_cy: str
    count: int


class SnapshotClosedQuestion(TypedDict):
    """A closed question's results as the workspace dashboard counts them (`dashboard.closed_results`)."""

    id: int
    position: int
    kind: str  # Question.Kind: agreement, single_choice or multiple_choice
    text: str
    text_cy: str
    answered: int  # the people who answered it: each share's base
    choices: list[SnapshotChoice]


class SnapshotOrganisation(TypedDict):
    name: str
    is_verified: bool


class SnapshotUpdate(TypedDict):
    at: str  # ISO 8601
    note: str
    note_cy: str


class OutcomeSnapshot(TypedDict):
    """What the public page shows, frozen in `Outcome.published_snapshot` when it is published."""

    version: int
    response_count: int
    summary: str
    decision: str
    method_note: str
    summary_cy: str
    decision_cy: str
    method_note_cy: str
    questions: list[SnapshotQuestion]
    # Missing from an outcome published before closed questions' results were published with it.
    closed_questions: NotRequired[list[SnapshotClosedQuestion]]
    organisations: list[SnapshotOrganisation]
    # Added by `services.publishing.publish_outcome`, not by `build_snapshot`.
    published_at: NotRequired[str]  # ISO 8601
    updates: NotRequired[list[SnapshotUpdate]]


def build_snapshot(consultation: Consultation, outcome: Outcome) -> OutcomeSnapshot:
    """What the public page shows, from the themes in force and the draft, without dates."""
    free_text = list(consultation.questions.filter(kind=Question.Kind.FREE_TEXT).order_by("position"))
    in_force = consultation_themes(consultation)
    # What the outcome's draft wrote about each reviewed theme: the response, and the Welsh versions.
    written = {
        theme["pk"]: theme
        for theme in ReviewTheme.objects.filter(theme_set__question__consultation=consultation).values(
            "pk", "government_response", "label_cy", "description_cy", "government_response_cy"
        )
    }
    counts = answer_counts([question.pk for question in free_text])
    questions: list[SnapshotQuestion] = []
    for question in free_text:
        themes = in_force[question.pk]
        questions.append(
            {
                "id": question.pk,
                "position": question.position,
                "text": question.text,
                "text_cy": question.text_cy,
                "answered": counts[question.pk].answered,
                # Answers with nothing to say ("N/A", "See above"), counted apart and in no theme.
                "non_answers": counts[question.pk].non_answers,
                "is_reviewed": themes.source == "reviewed",
                "themes": [
                    {
                        "id": theme.id,
                        "label": theme.label,
                        "description": theme.description,
                        "count": theme.count,
                        "is_other": theme.is_other,
                        **{
                            name: written.get(theme.id, {}).get(name, "") if theme.source == "reviewed" else ""
                            for name in ("government_response", "label_cy", "description_cy", "government_response_cy")
                        },
                    }
                    for theme in themes.themes
                ],
            }
        )
    return {
        "version": outcome.version,
        "response_count": counted_responses(consultation).count(),
        "summary": outcome.summary,
        "decision": outcome.decision,
        "method_note": outcome.method_note,
        "summary_cy": outcome.summary_cy,
        "decision_cy": outcome.decision_cy,
        "method_note_cy": outcome.method_note_cy,
        "questions": questions,
        "closed_questions": closed_snapshot(consultation),
        # Organisations that responded and agreed to be named, as they stood at publication.
        "organisations": [
            {"name": organisation.name, "is_verified": organisation.is_verified}
            for organisation in named_organisations(consultation)
        ],
    }


def closed_snapshot(consultation: Consultation) -> list[SnapshotClosedQuestion]:
    """The closed questions' results, counted as the dashboard counts them, with the Welsh label of
    each option (as officials wrote it) and of each point of the scale (from the Welsh catalogue)."""
    questions = list(consultation.questions.prefetch_related("options").order_by("position"))
    welsh_points = {}
    with translation.override("cy"):
        for value, label in Agreement.choices:
            welsh_points[value] = str(label)
    frozen: list[SnapshotClosedQuestion] = []
    for result in closed_results(consultation, questions):
        question = result.question
        if question.kind == Question.Kind.AGREEMENT:
            labels = [
                (position, value, str(label), welsh_points[value])
                for position, (value, label) in enumerate(Agreement.choices, start=1)
            ]
        else:
            labels = [(option.position, None, option.label, option.label_cy) for option in question.options.all()]
        frozen.append(
            {
                "id": question.pk,
                "position": question.position,
                "kind": question.kind,
                "text": question.text,
                "text_cy": question.text_cy,
                "answered": result.answered,
                # The dashboard's bars are in the same order as the scale's points or the options.
                "choices": [
                    {"position": position, "point": point, "label": label, "label_cy": label_cy, "count": bar.count}
                    for (position, point, label, label_cy), bar in zip(labels, result.bars, strict=True)
                ],
            }
        )
    return frozen


@dataclass(frozen=True)
class ClosedPart:
    """A closed question of a published outcome, ready for a template: each choice with its bar
    (its share of the people who answered, and its length beside the most chosen)."""

    question: SnapshotClosedQuestion
    rows: list[tuple[SnapshotChoice, Bar]]

    @property
    def is_closed(self) -> bool:
        return True

    @property
    def is_multiple(self) -> bool:
        return self.question["kind"] == Question.Kind.MULTIPLE_CHOICE


class PageUpdate(TypedDict):
    at: datetime
    note: str
    note_cy: str


@dataclass(frozen=True)
class OutcomePage:
    """A snapshot ready for a template, with its dates as datetimes."""

    snapshot: OutcomeSnapshot
    published_at: datetime | None
    updates: list[PageUpdate]

    @property
    def last_updated_at(self) -> datetime | None:
        return self.updates[-1]["at"] if self.updates else None

    @property
    def parts(self) -> list[SnapshotQuestion | ClosedPart]:
        """Every question the outcome reports on, in the order they were asked: free-text ones
        with their themes, closed ones with their results (`ClosedPart`)."""
        closed = []
        for question in self.snapshot.get("closed_questions", []):
            choices = question["choices"]
            drawn = bars([(choice["label"], choice["count"], "") for choice in choices], question["answered"])
            closed.append(ClosedPart(question, list(zip(choices, drawn, strict=True))))
        parts: list[SnapshotQuestion | ClosedPart] = [*self.snapshot["questions"], *closed]
        return sorted(
            parts, key=lambda part: part.question["position"] if isinstance(part, ClosedPart) else part["position"]
        )


def outcome_page(snapshot: OutcomeSnapshot, published_at: datetime | None = None) -> OutcomePage:
    stored = snapshot.get("published_at")
    updates: list[PageUpdate] = [
        {"at": datetime.fromisoformat(update["at"]), "note": update["note"], "note_cy": update.get("note_cy", "")}
        for update in snapshot.get("updates", [])
    ]
    return OutcomePage(snapshot, datetime.fromisoformat(stored) if stored else published_at, updates)


def published_outcome(consultation: Consultation) -> OutcomePage | None:
    """The published record of a consultation's outcome, or None until it is published."""
    if consultation.outcome_published_at is None:
        return None
    outcome = Outcome.objects.filter(consultation=consultation, published_at__isnull=False).first()
    if outcome is None or not outcome.published_snapshot:
        return None
    return outcome_page(outcome.published_snapshot)


def published_themes_of(response: Response) -> list[tuple[str, list[str]]] | None:
    """For the receipt page: the published themes the response counted towards, per question, as
    frozen at publication. None while no outcome is published."""
    page = published_outcome(response.consultation)
    if page is None:
        return None
    receipt = OutcomeReceipt.objects.filter(response=response).first()
    return themes_by_question(page.snapshot, receipt.themes if receipt is not None else {})


def themes_by_question(snapshot: OutcomeSnapshot, themes: dict[str, list[str]]) -> list[tuple[str, list[str]]]:
    """A receipt's themes as (question text, labels), in the published order of the questions, in
    Welsh where the language is Welsh and the outcome has Welsh versions."""
    welsh = get_language() == "cy"
    found = []
    for question in snapshot["questions"]:
        labels = themes.get(str(question["id"]))
        if not labels:
            continue
        text = question["text"]
        if welsh:
            text = question.get("text_cy") or text
            label_cy = {
                theme["label"]: theme.get("label_cy") or (gettext("Other") if theme.get("is_other") else "")
                for theme in question["themes"]
            }
            labels = [label_cy.get(label) or label for label in labels]
        found.append((text, labels))
    return found


# --- Checks -----------------------------------------------------------------------------------


def content_problems(consultation: Consultation, outcome: Outcome | None) -> list[str]:
    """What the draft still lacks before a lead can approve it."""
    if outcome is None:
        return ["Save the outcome before you approve it"]
    problems = []
    if not outcome.summary.strip():
        problems.append("Enter a summary of what the consultation heard")
    if not outcome.decision.strip():
        problems.append("Enter what the government will do")
    if not outcome.method_note.strip():
        problems.append("Enter a method note saying how the responses were analysed")
    for theme in review_themes(consultation):
        if not theme.is_other and not theme.government_response.strip():
            problems.append(
                f"Enter the government's response to the theme “{theme.label}” "
                f"(question {theme.theme_set.question.position})"
            )
    return problems


def publishing_problems(consultation: Consultation, outcome: Outcome | None) -> list[str]:
    """Everything that stops the outcome being published, in plain words."""
    problems = []
    now = timezone.now()
    if not consultation.is_published or now < consultation.closes_at:
        problems.append(
            "The consultation must close before its outcome is published: it closes "
            f"{timezone.localtime(consultation.closes_at):%-d %B %Y}"
        )
    theme_sets = {ts.question_id: ts for ts in ThemeSet.objects.filter(question__consultation=consultation)}
    for question in consultation.questions.filter(kind=Question.Kind.FREE_TEXT).order_by("position"):
        theme_set = theme_sets.get(question.pk)
        name = f"Question {question.position} (“{question.text}”)"
        if theme_set is None:
            problems.append(f"{name} has no reviewed themes: review its themes and sign them off")
        elif not theme_set.is_signed_off:
            problems.append(f"{name}: its themes have not been signed off")
        elif not is_reviewed_in_force(theme_set):
            problems.append(
                f"{name}: its answers are not yet mapped to the signed-off themes "
                f"({theme_set.get_mapping_status_display().lower()})"
            )
    problems += content_problems(consultation, outcome)
    if outcome is not None and outcome.approved_at is None:
        problems.append("A lead must approve this version of the outcome before it is published")
    return problems

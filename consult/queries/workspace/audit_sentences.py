"""What each audit event reads as: the registry of every action name `services.audit.record`
accepts (`ACTIONS`), each with its kind (what the trail's "What" filter offers) and the sentence it
reads as, and its recorded changes as readable "changed from ... to ..." lines. `record` refuses a
name that is not here, and a test reads every call of it in the code, so no entry shows raw.
The trail itself (filters, pages, the CSV) reads these in `queries.workspace.audit`.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.utils.text import capfirst

from consult.dates import govuk_date_time
from consult.models import (
    AIToolRecord,
    AuditEvent,
    Role,
    User,
)

logger = logging.getLogger(__name__)

SYSTEM = "system"  # the "Who" filter's value for what nobody signed in did
LONGEST_VALUE = 300  # characters of a changed text shown on the page; the CSV keeps it whole

KINDS: dict[str, str] = {
    "consultation": "The consultation, its questions and AI tool record",
    "sharing": "Sharing and officials' roles",
    "analysis": "Analysis runs",
    "themes": "Theme review",
    "mapping": "Mapping responses to themes",
    "moderation": "Moderation",
    "outcome": "The outcome",
    "exports": "Exports and downloads",
    "organisations": "Organisations",
    "personal_data": "Personal data",
}


# --- What a sentence reads ----------------------------------------------------------------------


@dataclass(frozen=True)
class Subjects:
    """Names of what the events on a page were about, looked up once for the whole page."""

    questions: dict[int, str] = field(default_factory=dict)  # question id -> 'question 2 “Why?”'
    theme_sets: dict[int, str] = field(default_factory=dict)  # theme set id -> its question
    themes: dict[int, str] = field(default_factory=dict)  # review theme id -> its question
    answers: dict[int, str] = field(default_factory=dict)  # answer id -> 'an answer in response AB12'


@dataclass(frozen=True)
class Said:
    """One event as its sentence reads it."""

    who: str
    before: Mapping[str, Any]
    after: Mapping[str, Any]
    object_id: str
    subjects: Subjects

    def _id(self) -> int | None:
        return int(self.object_id) if self.object_id.isdigit() else None

    def question(self, fallback: str = "a question") -> str:
        """The question the event's theme set, theme or question belongs to."""
        key = self._id()
        for names in (self.subjects.theme_sets, self.subjects.themes, self.subjects.questions):
            if key in names:
                return names[key]
        return fallback

    def answer(self, answer_id: object = None) -> str:
        key = answer_id if isinstance(answer_id, int) else self._id()
        return self.subjects.answers.get(key, "an answer") if key is not None else "an answer"


def _count(number: int, one: str, many: str | None = None) -> str:
    return f"{number:,} {one if number == 1 else (many or one + 's')}"


def quoted(text: object) -> str:
    return f"“{text}”"


def _listed(items: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


def _in_brackets(label: str, value: object) -> str:
    """' (run 5)', or nothing when the value was not recorded."""
    return f" ({label} {value})" if value not in (None, "") else ""


def _with_reason(sentence: str, reason: object) -> str:
    return f"{sentence}: {quoted(reason)}" if reason else sentence


def _themes(value: object) -> list[Mapping[str, Any]]:
    return [theme for theme in value if isinstance(theme, Mapping)] if isinstance(value, list) else []


def _named_themes(value: object) -> list[Mapping[str, Any]]:
    """The themes of a set, without Other (which every set has)."""
    return [theme for theme in _themes(value) if not theme.get("is_other")]


def _flags(said: Said) -> str:
    flags = said.after.get("flags") or said.before.get("flags") or []
    return _count(len(flags), "flag") if isinstance(flags, list) else ""


# --- The sentences --------------------------------------------------------------------------------

Sentence = Callable[[Said], str]


def _changed_fields(labels: Mapping[str, str]) -> Sentence:
    """'changed the closing date and summary' from the fields in `after`."""

    def names(said: Said) -> str:
        changed = [labels.get(name, name.replace("_", " ")).lower() for name in said.after if name in labels]
        return _listed(changed) or "details"

    return names


CONSULTATION_LABELS = {
    "title": "Title",
    "title_cy": "Title in Welsh",
    "slug": "Web address",
    "summary": "Summary",
    "summary_cy": "Summary in Welsh",
    "contact_name": "Contact name",
    "contact_email": "Contact email",
    "allows_anonymous_responses": "Responses without an account",
    "opens_at": "Opening date",
    "closes_at": "Closing date",
}
# The record's own field names: "What the tool does", "What the tool does, in Welsh", ...
AI_TOOL_LABELS = {
    f.name: capfirst(str(f.verbose_name))
    for f in AIToolRecord._meta.concrete_fields
    if f.name not in ("id", "consultation")
}
AI_TOOL_LABELS["tool_name"] = "Name of the tool"
QUESTION_LABELS = {
    "text": "Question",
    "text_cy": "Question in Welsh",
    "hint": "Hint",
    "hint_cy": "Hint in Welsh",
    "kind": "Type of answer",
    "max_length": "Most characters",
    "is_required": "Must be answered",
    "explains": "Explains the answer to",
    "options": "Options",
    "options_cy": "Options in Welsh",
}
THEME_LABELS = {"label": "Name", "description": "Description"}
OUTCOME_LABELS = {
    "summary": "Summary",
    "summary_cy": "Summary in Welsh",
    "decision": "Decision",
    "decision_cy": "Decision in Welsh",
    "method_note": "How the responses were analysed",
    "method_note_cy": "How the responses were analysed, in Welsh",
}
ORGANISATION_LABELS = {"status": "Status", "reason": "Reason"}
NON_ANSWER_LABELS = {"is_non_answer": "Has nothing of substance"}


def _consultation_created(s: Said) -> str:
    department = s.after.get("department")
    return f"{s.who} created the consultation as a draft" + (f" for {department}" if department else "")


def _question_text(s: Said) -> str:
    text = s.after.get("text") or s.before.get("text")
    return quoted(text) if text else s.question()


def _question_moved(s: Said) -> str:
    before, after = s.before.get("position"), s.after.get("position")
    if before is None or after is None:
        return f"{s.who} moved {s.question()}"
    return f"{s.who} moved {s.question()} from position {before} to {after}"


def _share(s: Said, verb: str) -> str:
    state = s.after or s.before
    role = str(dict(Role.choices).get(state.get("role", ""), state.get("role", ""))).lower()
    user = state.get("user") or "an official"
    if verb == "shared":
        return f"{s.who} shared the consultation with {user}" + (f" as {role}" if role else "")
    return f"{s.who} stopped sharing the consultation with {user}" + (f" ({role})" if role else "")


def _role(state: Mapping[str, Any]) -> str:
    """'lead', or '' when no role was recorded."""
    return str(dict(Role.choices).get(state.get("role", ""), state.get("role") or "")).lower()


def _membership(s: Said, change: str) -> str:
    state = s.after or s.before
    user, department = state.get("user") or "an official", state.get("department") or "a department"
    if change == "update" and _role(s.before) and _role(s.after):
        return f"{s.who} changed {user}'s role in {department} from {_role(s.before)} to {_role(s.after)}"
    if change == "remove":
        return f"{s.who} removed {user} from the officials of {department}"
    role = f"the {_role(state)} role" if _role(state) else "a role"
    return f"{s.who} gave {user} {role} in {department}"


def _purge(s: Said) -> str:
    removed = sum(value for name, value in s.after.items() if isinstance(value, int) and name != "purged_at")
    return (
        f"{s.who} removed respondents' personal data at the end of the retention period "
        f"({_count(removed, 'item')} removed or cleared)"
    )


def _analysis_requested(s: Said) -> str:
    run = _in_brackets("run", s.after.get("run"))
    who = s.who if s.who != "The system" else "Someone"
    place = "" if s.who != "The system" else " from the command line"
    again = " again" if s.after.get("previous_run") else ""
    return f"{who} asked for the analysis to run{again}{place}{run}"


def _review_started(s: Said, again: bool) -> str:
    themes = _named_themes(s.after.get("themes"))
    start = "started the review of the themes again from the latest analysis" if again else "started the review"
    run = _in_brackets("run", s.after.get("source_run"))
    return f"{s.who} {start} for {s.question()}, with {_count(len(themes), 'theme')} the AI proposed{run}"


def _theme_label(s: Said) -> str:
    return quoted(s.after.get("label") or s.before.get("label") or "a theme")


def _theme_edited(s: Said) -> str:
    return f"{s.who} changed the theme {quoted(s.before.get('label', ''))} of {s.question()}"


def _theme_deleted(s: Said) -> str:
    answers = s.before.get("answers")
    held = f", which held {_count(len(answers), 'answer')}" if isinstance(answers, list) and answers else ""
    return f"{s.who} deleted the theme {_theme_label(s)} of {s.question('its question')}{held}"


def _themes_merged(s: Said) -> str:
    merged = [quoted(theme.get("label", "")) for theme in _themes(s.before.get("themes"))]
    return f"{s.who} merged {len(merged)} themes ({_listed(merged)}) into {quoted(s.after.get('label', ''))}"


def _theme_split(s: Said) -> str:
    theme = s.after.get("theme") or {}
    new = s.after.get("new_theme") or {}
    moved = s.after.get("moved_answers") or []
    return (
        f"{s.who} split {quoted(s.before.get('label') or theme.get('label', ''))} into "
        f"{quoted(theme.get('label', ''))} and {quoted(new.get('label', ''))}, moving {_count(len(moved), 'answer')}"
    )


def _signed_off(s: Said) -> str:
    themes = _named_themes(s.after.get("themes"))
    return (
        f"{s.who} signed off {_count(len(themes), 'theme')} for {s.question()} "
        "and asked for the responses to be mapped to them"
    )


def _mapped(s: Said) -> str:
    answers = s.after.get("answers", 0)
    sentence = f"{s.who} mapped {_count(answers, 'answer')} to the signed-off themes of {s.question()}"
    checks = s.after.get("checks_requested")
    if isinstance(checks, Mapping):  # as the mapping records it: {"unsure": 15, "random": 5, ...}
        unsure, at_random = int(checks.get("unsure") or 0), int(checks.get("random") or 0)
        if unsure or at_random:
            sentence += (
                f", and set aside {_count(unsure + at_random, 'answer')} for an official to check "
                f"({unsure:,} it was least sure of, {at_random:,} at random)"
            )
    elif checks:
        sentence += f", and set aside {_count(int(checks), 'answer')} it was least sure of for an official to check"
    return sentence


def _framework(s: Said) -> str:
    themes = _named_themes(s.after.get("themes"))
    examples = s.after.get("examples") or {}
    placed = sum(len(ids) for ids in examples.values()) if isinstance(examples, Mapping) else 0
    sentence = f"{s.who} imported a coding framework of {_count(len(themes), 'theme')} for {s.question()}"
    return sentence + (f", placing {_count(placed, 'example answer')}" if placed else "")


def _checked(s: Said) -> str:
    return (
        f"{s.who} checked {_count(s.after.get('checked', 0), 'answer')} the mapping was unsure of for "
        f"{s.question()}, agreeing with it on {s.after.get('agreed', 0):,}"
    )


def _placed(s: Said, verb: str) -> str:
    before, after = set(s.before.get("themes") or []), set(s.after.get("themes") or [])
    changed = sorted(after - before) if verb == "placed" else sorted(before - after)
    answer = s.answer(s.after.get("answer") or s.before.get("answer"))
    where = _listed([quoted(label) for label in changed]) or "a theme"
    if verb == "placed":
        return f"{s.who} placed {answer} in {where}"
    return f"{s.who} took {answer} out of {where}"


def _moderated(verb: str, outcome: str = "") -> Sentence:
    def sentence(s: Said) -> str:
        flags = _flags(s)
        closing = f", closing {flags}" if flags else ""
        return _with_reason(f"{s.who} {verb} {s.answer()}{outcome}{closing}", s.after.get("reason"))

    return sentence


def _reported(s: Said) -> str:
    return _with_reason(f"{s.who} reported {s.answer()} to the moderators", s.after.get("reason"))


def _non_answer(s: Said) -> str:
    decision = s.after.get("non_answer_override")
    answer = s.answer(s.after.get("answer"))
    if decision is True:
        return f"{s.who} marked {answer} as saying nothing of substance"
    if decision is False:
        return f"{s.who} counted {answer} as a substantive answer"
    return f"{s.who} let the rule decide again whether {answer} says anything of substance"


def _campaign(verb: str) -> Sentence:
    def sentence(s: Said) -> str:
        copies = _count(s.after.get("copies", 0), "copy", "copies")
        return _with_reason(f"{s.who} {verb} {copies} of a campaign's answer at once", s.after.get("reason"))

    return sentence


BULK_DECISIONS = {"approve": "approving the answers", "hide": "hiding the answers", "redact": "redacting the answers"}


def _bulk_resolved(s: Said) -> str:
    """The moderation page's bulk action: many flags resolved with one decision."""
    flags = s.after.get("flags", 0)
    count = len(flags) if isinstance(flags, list) else int(flags or 0)
    decision = s.after.get("decision", "")
    deciding = BULK_DECISIONS.get(decision, f"deciding {decision}" if decision else "")
    sentence = f"{s.who} resolved {_count(count, 'flag')} at once" + (f", {deciding}" if deciding else "")
    return _with_reason(sentence, s.after.get("reason"))


def _outcome_saved(s: Said) -> str:
    sentence = f"{s.who} saved the outcome's draft{_in_brackets('version', s.after.get('version'))}"
    themes = s.after.get("themes")
    if isinstance(themes, Mapping) and themes:
        sentence += f", with the government's response to {_count(len(themes), 'theme')}"
    if s.after.get("approval_withdrawn"):
        sentence += "; its approval was withdrawn, since the text changed"
    return sentence


def _outcome_update(s: Said) -> str:
    updates = s.after.get("updates") or [{}]
    note = updates[-1].get("note", "") if isinstance(updates[-1], Mapping) else ""
    return _with_reason(f"{s.who} published an update to the outcome", note)


def _export(what: str, unit: str, many: str | None = None) -> Sentence:
    def sentence(s: Said) -> str:
        number = s.after.get("responses", s.after.get("entries", 0))
        fmt = str(s.after.get("format", "")).upper()
        return f"{s.who} downloaded {what} as {fmt} ({_count(number, unit, many)})"

    return sentence


@dataclass(frozen=True)
class Action:
    kind: str
    sentence: Sentence
    # The fields whose change the trail shows as "from … to …", with their names; none for
    # actions whose sentence says it all (or whose state is too large to show, such as a snapshot).
    changes: Mapping[str, str] | None = None


ACTIONS: dict[str, Action] = {
    # The consultation and its questions (services.consultations)
    "consultation.create": Action("consultation", _consultation_created),
    "consultation.update": Action(
        "consultation",
        lambda s: f"{s.who} changed the consultation's {_changed_fields(CONSULTATION_LABELS)(s)}",
        CONSULTATION_LABELS,
    ),
    "consultation.publish": Action(
        "consultation", lambda s: f"{s.who} published the consultation: it opens and closes at the times set"
    ),
    "consultation.unpublish": Action("consultation", lambda s: f"{s.who} took the consultation back to draft"),
    "ai_tool.create": Action(
        "consultation", lambda s: f"{s.who} wrote the AI tool record for {quoted(s.after.get('tool_name', ''))}"
    ),
    "ai_tool.update": Action(
        "consultation",
        lambda s: f"{s.who} changed the AI tool record: {_changed_fields(AI_TOOL_LABELS)(s)}",
        AI_TOOL_LABELS,
    ),
    "question.create": Action("consultation", lambda s: f"{s.who} added the question {_question_text(s)}"),
    "question.update": Action(
        "consultation",
        lambda s: f"{s.who} changed {s.question()}: {_changed_fields(QUESTION_LABELS)(s)}",
        QUESTION_LABELS,
    ),
    "question.delete": Action(
        "consultation",
        lambda s: f"{s.who} deleted the question{_in_brackets('number', s.before.get('position'))} {_question_text(s)}",
    ),
    "question.move": Action("consultation", _question_moved),
    "share.create": Action("sharing", lambda s: _share(s, "shared")),
    "share.remove": Action("sharing", lambda s: _share(s, "stopped")),
    # Officials' roles in a department (the Django admin): about no one consultation
    "membership.create": Action("sharing", lambda s: _membership(s, "create")),
    "membership.update": Action("sharing", lambda s: _membership(s, "update")),
    "membership.remove": Action("sharing", lambda s: _membership(s, "remove")),
    # Analysis (services.runs) and answers with nothing to say (services.non_answers)
    "analysis.request": Action("analysis", _analysis_requested),
    "answer.non_answer": Action("analysis", _non_answer),
    # Theme review (services.review, services.frameworks)
    "theme_set.start": Action("themes", lambda s: _review_started(s, again=False)),
    "theme_set.rebase": Action("themes", lambda s: _review_started(s, again=True)),
    "theme_set.import_framework": Action("themes", _framework),
    "theme.create": Action("themes", lambda s: f"{s.who} added the theme {_theme_label(s)} to {s.question()}"),
    "theme.edit": Action("themes", _theme_edited, THEME_LABELS),
    "theme.delete": Action("themes", _theme_deleted),
    "theme.merge": Action("themes", _themes_merged),
    "theme.split": Action("themes", _theme_split),
    "theme.add_sub_theme": Action(
        "themes", lambda s: f"{s.who} added the AI's sub-theme {_theme_label(s)} as a theme of {s.question()}"
    ),
    "theme_set.sign_off": Action("themes", _signed_off),
    "theme_set.reopen": Action("themes", lambda s: f"{s.who} reopened the themes of {s.question()} for review"),
    # Mapping responses to the themes (services.review, services.mapping)
    "theme_set.map": Action(
        "mapping", lambda s: f"{s.who} asked for the responses to {s.question()} to be mapped to its themes again"
    ),
    "theme_set.mapped": Action("mapping", _mapped),
    "mapping.check": Action("mapping", _checked),
    "mapping.add": Action("mapping", lambda s: _placed(s, "placed")),
    "mapping.remove": Action("mapping", lambda s: _placed(s, "took")),
    # Moderation (services.moderation, services.organisations)
    "answer.report": Action("moderation", _reported),
    "answer.approve": Action("moderation", _moderated("approved", " as it stands")),
    "answer.redact": Action("moderation", _moderated("redacted")),
    "answer.hide": Action("moderation", _moderated("hid", " from the analysis and the published outcome")),
    "campaign.approve": Action("moderation", _campaign("approved")),
    "campaign.hide": Action("moderation", _campaign("hid")),
    "flag.bulk_resolved": Action("moderation", _bulk_resolved),
    "false_submission.resolve": Action(
        "moderation",
        lambda s: _with_reason(f"{s.who} resolved a report that a response was sent falsely", s.after.get("note")),
    ),
    # The outcome (services.publishing)
    "outcome.save": Action("outcome", _outcome_saved, OUTCOME_LABELS),
    "outcome.approve": Action(
        "outcome",
        lambda s: f"{s.who} approved the outcome{_in_brackets('version', s.after.get('version'))} for publication",
    ),
    "outcome.publish": Action("outcome", lambda s: f"{s.who} published the outcome, “You said, we did”"),
    "outcome.update_published": Action("outcome", _outcome_update),
    # Exports and downloads (services.publishing, services.audit)
    "export.csv": Action("exports", _export("the responses", "response")),
    "export.xlsx": Action("exports", _export("the responses", "response")),
    "export.audit_trail": Action("exports", _export("the audit trail", "entry", "entries")),
    # Organisations (services.organisations): about no one consultation
    "organisation.verify": Action(
        "organisations", lambda s: _with_reason(f"{s.who} verified an organisation", s.after.get("reason"))
    ),
    "organisation.reject": Action(
        "organisations", lambda s: _with_reason(f"{s.who} rejected an organisation", s.after.get("reason"))
    ),
    # Personal data (services.data_rights)
    "personal_data.purge": Action("personal_data", _purge),
}


# --- Readable changes ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """One field's change, as words: 'Closing date' from '5 May 2027 at 11:59pm' to '12 May …'."""

    field: str
    before: str
    after: str


def _readable(value: object, *, whole: bool = False) -> str:
    if value is None or value == "" or value == []:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, int | float):
        return f"{value:,}"
    if isinstance(value, list):
        return ", ".join(_readable(item, whole=whole) for item in value)
    if isinstance(value, Mapping):
        return json.dumps(value, ensure_ascii=False)
    text = str(value)
    if len(text) >= 20 and text[4:5] == "-" and "T" in text:
        try:
            return govuk_date_time(datetime.fromisoformat(text))
        except ValueError:
            pass
    if not whole and len(text) > LONGEST_VALUE:
        return text[:LONGEST_VALUE].rstrip() + "…"
    return text


def changes_of(event: AuditEvent, *, whole: bool = False) -> list[Change]:
    action = ACTIONS.get(event.action)
    if action is None or action.changes is None:
        return []
    before, after = event.before or {}, event.after or {}
    names = [name for name in action.changes if name in after or name in before]
    return [
        Change(action.changes[name], _readable(before.get(name), whole=whole), _readable(after.get(name), whole=whole))
        for name in names
        if before.get(name) != after.get(name)
    ]


# --- The trail ----------------------------------------------------------------------------------


def who(user: User | None) -> str:
    """How the trail names whoever did something: their name, else their email address."""
    if user is None:
        return "The system"
    return user.get_full_name() or user.email


def humanised(action: str) -> str:
    """What an action without an entry reads as (an old name in the database): never a code."""
    return action.replace("_", " ").replace(".", ": ")


def _full_stop(sentence: str) -> str:
    return sentence if sentence.endswith((".", "?", "!", ".”", "?”", "!”")) else sentence + "."


def sentence_of(event: AuditEvent, subjects: Subjects | None = None) -> str:
    """The event as a sentence: 'Alex Smith signed off 12 themes for question 2, “Why?”, …'. An
    event whose recorded details have a shape its sentence does not expect (an older record, say)
    still reads as who did what kind of thing, and is logged: the trail never fails to show."""
    try:
        return _full_stop(_sentence(event, subjects))
    except (TypeError, ValueError, KeyError, AttributeError, IndexError):
        logger.warning(
            "audit event %s (%s) has details its sentence cannot read", event.pk, event.action, exc_info=True
        )
        return _full_stop(f"{who(event.actor)}: {humanised(event.action)}")


def _sentence(event: AuditEvent, subjects: Subjects | None) -> str:
    said = Said(
        who=who(event.actor),
        before=event.before or {},
        after=event.after or {},
        object_id=event.object_id,
        subjects=subjects or Subjects(),
    )
    action = ACTIONS.get(event.action)
    if action is None:
        return f"{said.who}: {humanised(event.action)}"
    return action.sentence(said)


def kind_of(event: AuditEvent) -> str:
    action = ACTIONS.get(event.action)
    return KINDS[action.kind] if action else ""

"""Running a consultation from the workspace: its details and schedule, the AI tool record, its
questions, publishing and sharing. Every change is recorded in the audit trail, in the
transaction that makes it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.db import transaction
from django.db.models import F, Max, Model, QuerySet
from django.utils import timezone

from consult.json_types import JSONObject
from consult.models import (
    AIToolRecord,
    Answer,
    Consultation,
    ConsultationShare,
    Department,
    Option,
    Question,
    Response,
    User,
)
from consult.services.audit import record

QUESTION_FIELDS = ("text", "hint", "kind", "max_length", "is_required", "explains", "text_cy", "hint_cy")
# Answers depend on these: once people have sent responses they stay as they are.
LOCKED_QUESTION_FIELDS = ("kind", "explains")


class ChangeRefused(Exception):
    """A change the consultation's state does not allow; its messages say why, for the page."""

    def __init__(self, *messages: str) -> None:
        super().__init__(" ".join(messages))
        self.messages = list(messages)


def _json(value: object) -> object:
    """A field's value as the audit trail stores it (JSON)."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, Model):
        return value.pk
    return value


def _snapshot(instance: Model, fields: tuple[str, ...] | list[str]) -> JSONObject:
    return {name: _json(getattr(instance, name)) for name in fields}


def _diff(before: JSONObject, after: JSONObject) -> tuple[JSONObject, JSONObject]:
    """Only the fields that changed, before and after."""
    changed = [name for name in after if before.get(name) != after[name]]
    return {name: before.get(name) for name in changed}, {name: after[name] for name in changed}


def has_sent_responses(consultation: Consultation) -> bool:
    """Whether anyone has sent a response (withdrawn ones count: they were answers to these
    questions). From then on, questions cannot be deleted nor their kind or options changed."""
    return consultation.responses.exclude(status=Response.Status.DRAFT).exists()


# --- The consultation -------------------------------------------------------------------------

CONSULTATION_FIELDS = (
    "title_cy",
    "summary_cy",
    "title",
    "slug",
    "summary",
    "contact_name",
    "contact_email",
    "allows_anonymous_responses",
    "opens_at",
    "closes_at",
)


def create_consultation(actor: User, department: Department, values: dict[str, Any]) -> Consultation:
    """A new draft consultation of `department`."""
    with transaction.atomic():
        consultation = Consultation.objects.create(
            department=department,
            is_published=False,
            **{name: values[name] for name in CONSULTATION_FIELDS},
        )
        record(
            consultation,
            actor,
            "consultation.create",
            consultation,
            after={"department": department.name, **_snapshot(consultation, CONSULTATION_FIELDS)},
        )
    return consultation


def update_consultation(actor: User, consultation: Consultation, values: dict[str, Any]) -> list[str]:
    """Change the consultation's details and schedule; the names of the fields that changed."""
    with transaction.atomic():
        before = _snapshot(consultation, CONSULTATION_FIELDS)
        for name in CONSULTATION_FIELDS:
            if name in values:
                setattr(consultation, name, values[name])
        before, after = _diff(before, _snapshot(consultation, CONSULTATION_FIELDS))
        if not after:
            return []
        consultation.save()
        record(consultation, actor, "consultation.update", consultation, before=before, after=after)
    return list(after)


def publication_problems(consultation: Consultation, now: datetime | None = None) -> list[str]:
    """What stops a draft from being published, in plain words; empty when nothing does."""
    now = now or timezone.now()
    problems = []
    if not AIToolRecord.objects.filter(consultation=consultation).exists():
        problems.append("Add the AI tool record before you publish")
    questions = list(consultation.questions.prefetch_related("options"))
    if not questions:
        problems.append("Add at least one question before you publish")
    for number, question in enumerate(questions, start=1):
        if question.has_options and len(question.options.all()) < 2:
            problems.append(f"Question {number} needs at least two options")
    if consultation.closes_at <= now:
        problems.append("The closing date has passed: set a closing date in the future before you publish")
    return problems


def publish_consultation(actor: User, consultation: Consultation) -> None:
    """Make a draft public. It opens and closes by itself at its scheduled times."""
    with transaction.atomic():
        locked = Consultation.objects.select_for_update().get(pk=consultation.pk)
        if locked.is_published:
            raise ChangeRefused("The consultation is already published")
        problems = publication_problems(locked)
        if problems:
            raise ChangeRefused(*problems)
        locked.is_published = True
        locked.save(update_fields=["is_published", "updated_at"])
        record(
            locked, actor, "consultation.publish", locked, before={"is_published": False}, after={"is_published": True}
        )
    consultation.is_published = True


def unpublish_consultation(actor: User, consultation: Consultation) -> None:
    """Take a consultation back to draft, while nobody has started a response to it."""
    with transaction.atomic():
        locked = Consultation.objects.select_for_update().get(pk=consultation.pk)
        if not locked.is_published:
            raise ChangeRefused("The consultation is not published")
        if locked.responses.exists():
            raise ChangeRefused("People have started responding, so the consultation cannot go back to draft")
        locked.is_published = False
        locked.save(update_fields=["is_published", "updated_at"])
        record(
            locked,
            actor,
            "consultation.unpublish",
            locked,
            before={"is_published": True},
            after={"is_published": False},
        )
    consultation.is_published = False


# --- The AI tool record -----------------------------------------------------------------------

AI_TOOL_FIELDS = (
    "tool_name",
    "description",
    "purpose",
    "decision_role",
    "human_oversight",
    "how_to_challenge",
    "data_used",
    "risks",
    "mitigations",
    "owner",
    "supplier",
    # Their Welsh versions, shown on the Welsh public pages.
    "tool_name_cy",
    "description_cy",
    "purpose_cy",
    "decision_role_cy",
    "human_oversight_cy",
    "how_to_challenge_cy",
    "data_used_cy",
    "risks_cy",
    "mitigations_cy",
    "owner_cy",
    "supplier_cy",
)


def save_ai_tool_record(actor: User, consultation: Consultation, values: dict[str, Any]) -> AIToolRecord:
    """Create the consultation's AI tool record, or change it."""
    with transaction.atomic():
        tool = AIToolRecord.objects.select_for_update().filter(consultation=consultation).first()
        if tool is None:
            tool = AIToolRecord.objects.create(consultation=consultation, **{n: values[n] for n in AI_TOOL_FIELDS})
            record(consultation, actor, "ai_tool.create", tool, after=_snapshot(tool, AI_TOOL_FIELDS))
            return tool
        before = _snapshot(tool, AI_TOOL_FIELDS)
        for name in AI_TOOL_FIELDS:
            setattr(tool, name, values[name])
        before, after = _diff(before, _snapshot(tool, AI_TOOL_FIELDS))
        if after:
            tool.save()
            record(consultation, actor, "ai_tool.update", tool, before=before, after=after)
    return tool


# --- Questions --------------------------------------------------------------------------------


def lock_for_question_change(consultation: Consultation) -> None:
    """Lock the consultation's row until the transaction ends, and move its `updated_at` on: the
    respondent's journey keeps questions in memory by that version (`services.intake`), so any
    change to a question, its options or their order must come through here."""
    Consultation.objects.filter(pk=consultation.pk).update(updated_at=timezone.now())


def _question_snapshot(question: Question) -> JSONObject:
    options = question.options.all()
    return {
        **_snapshot(question, QUESTION_FIELDS),
        "options": [o.label for o in options],
        "options_cy": [o.label_cy for o in options],
        "exclusive_option": next((o.label for o in options if o.is_exclusive), ""),
    }


def _set_options(question: Question, labels: list[str]) -> None:
    question.options.all().delete()
    Option.objects.bulk_create(
        Option(question=question, position=position, label=label) for position, label in enumerate(labels, start=1)
    )


def _set_exclusive_option(question: Question, label: str) -> None:
    """Mark the option that excludes the others (none where `label` is empty)."""
    question.options.exclude(label=label).filter(is_exclusive=True).update(is_exclusive=False)
    if label:
        question.options.filter(label=label).update(is_exclusive=True)


def _set_welsh_option_labels(question: Question, labels_cy: list[str]) -> None:
    """Welsh labels for the options, in their order; none clears them. The options themselves stay,
    so the labels can change even after people have answered."""
    options = list(question.options.all())
    for index, option in enumerate(options):
        option.label_cy = labels_cy[index] if index < len(labels_cy) else ""
    Option.objects.bulk_update(options, ["label_cy"])


def add_question(
    actor: User,
    consultation: Consultation,
    values: dict[str, Any],
    options: list[str],
    options_cy: list[str] = (),
    exclusive_option: str = "",
) -> Question:
    """A new question at the end of the consultation."""
    with transaction.atomic():
        # Locking the consultation row makes two officials adding at once take turns for a position.
        lock_for_question_change(consultation)
        last = consultation.questions.aggregate(last=Max("position"))["last"] or 0
        question = Question.objects.create(
            consultation=consultation, position=last + 1, **{name: values[name] for name in QUESTION_FIELDS}
        )
        if question.has_options:
            _set_options(question, options)
            _set_welsh_option_labels(question, list(options_cy))
            _set_exclusive_option(question, exclusive_option)
        record(consultation, actor, "question.create", question, after=_question_snapshot(question))
    return question


def update_question(
    actor: User,
    question: Question,
    values: dict[str, Any],
    options: list[str],
    options_cy: list[str] = (),
    exclusive_option: str = "",
) -> None:
    """Change a question. Once people have sent responses only its wording, whether it must be
    answered, and a longer answer limit may change: their answers depend on the rest."""
    consultation = question.consultation
    with transaction.atomic():
        lock_for_question_change(consultation)
        before = _question_snapshot(question)
        wanted_options = (
            options if values["kind"] in (Question.Kind.SINGLE_CHOICE, Question.Kind.MULTIPLE_CHOICE) else []
        )
        if has_sent_responses(consultation):
            problems = []
            if any(_json(values[name]) != before[name] for name in LOCKED_QUESTION_FIELDS) or (
                wanted_options != before["options"] or exclusive_option != before["exclusive_option"]
            ):
                problems.append(
                    "People have already answered, so the type of answer, options and pairing stay as they are"
                )
            if int(values["max_length"]) < question.max_length:
                problems.append("People have already answered, so the most characters can only go up")
            if problems:
                raise ChangeRefused(*problems)
        shape_changes = values["kind"] != question.kind or wanted_options != before["options"]
        for name in QUESTION_FIELDS:
            setattr(question, name, values[name])
        question.save()
        if shape_changes:
            # Only unsent answers can exist here; they no longer fit the question.
            Answer.objects.filter(question=question, response__status=Response.Status.DRAFT).delete()
            _set_options(question, wanted_options)
        _set_welsh_option_labels(question, list(options_cy))
        _set_exclusive_option(question, exclusive_option)
        before, after = _diff(before, _question_snapshot(question))
        if after:
            record(consultation, actor, "question.update", question, before=before, after=after)


def delete_question(actor: User, question: Question) -> None:
    """Delete a question nobody has sent an answer to, and close the gap in the order."""
    consultation = question.consultation
    with transaction.atomic():
        lock_for_question_change(consultation)
        if has_sent_responses(consultation):
            raise ChangeRefused("People have already answered, so questions can no longer be deleted")
        snapshot = {"position": question.position, **_question_snapshot(question)}
        # Answers in unsent responses go with it (an answer cannot outlive its question).
        Answer.objects.filter(question=question).delete()
        position = question.position
        record(consultation, actor, "question.delete", question, before=snapshot)
        question.delete()
        _shift_positions(consultation.questions.filter(position__gt=position), -1)


def _shift_positions(questions: QuerySet[Question], by: int) -> None:
    """Move questions by `by` places without ever holding two at one position: a position is
    unique per consultation and PostgreSQL checks that row by row, so the rows first go far out of
    the way, then come back."""
    ids = list(questions.values_list("pk", flat=True))
    if not ids:
        return
    offset = 1_000_000
    Question.objects.filter(pk__in=ids).update(position=F("position") + offset)
    Question.objects.filter(pk__in=ids).update(position=F("position") - offset + by)


def move_question(actor: User, question: Question, direction: str) -> bool:
    """Swap a question with the one above (`up`) or below (`down`); False at either end."""
    consultation = question.consultation
    with transaction.atomic():
        lock_for_question_change(consultation)
        question.refresh_from_db(fields=["position"])
        siblings = consultation.questions.exclude(pk=question.pk)
        if direction == "up":
            neighbour = siblings.filter(position__lt=question.position).order_by("-position").first()
        else:
            neighbour = siblings.filter(position__gt=question.position).order_by("position").first()
        if neighbour is None:
            return False
        mine, theirs = question.position, neighbour.position
        Question.objects.filter(pk=question.pk).update(position=theirs + 1_000_000)
        Question.objects.filter(pk=neighbour.pk).update(position=mine)
        Question.objects.filter(pk=question.pk).update(position=theirs)
        question.position = theirs
        record(consultation, actor, "question.move", question, before={"position": mine}, after={"position": theirs})
    return True


# --- Sharing ----------------------------------------------------------------------------------


def share_consultation(actor: User, consultation: Consultation, user: User, role: str) -> ConsultationShare:
    """Let an official of another department work on this consultation, with `role`."""
    with transaction.atomic():
        share = ConsultationShare.objects.create(consultation=consultation, user=user, role=role, shared_by=actor)
        record(consultation, actor, "share.create", share, after={"user": user.email, "role": role})
    return share


def remove_share(actor: User, share: ConsultationShare) -> None:
    with transaction.atomic():
        record(share.consultation, actor, "share.remove", share, before={"user": share.user.email, "role": share.role})
        share.delete()

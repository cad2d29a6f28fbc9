"""Loads the demo into the database, replacing whatever an earlier load left there."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP
from django.db import transaction
from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone

from consult.demo.catalogue import (
    DEMO_OFFICIALS,
    DEMO_TOTP_SECRET,
    DEPARTMENTS,
    OFFICIAL_EMAIL,
    OFFICIAL_PASSWORD,
    PLANS,
    Plan,
)
from consult.demo.specs import ConsultationSpec, DepartmentSpec
from consult.demo.welsh import add_welsh_versions
from consult.demo.writer import Voice, write_voices
from consult.models import (
    AIToolRecord,
    Answer,
    Consultation,
    Department,
    DepartmentMembership,
    EqualityInformation,
    Option,
    Question,
    Response,
    User,
)


@dataclass(frozen=True)
class Loaded:
    """What one consultation of the demo holds once loaded."""

    title: str
    phase: str
    submitted: int
    other: int


def load_demo(now: datetime | None = None) -> list[Loaded]:
    """Load the demo departments, consultations, responses and official, all in one transaction.

    The demo consultations are found by their slugs and recreated, so loading twice leaves the
    same data as loading once.
    """
    now = now or timezone.now()
    with transaction.atomic():
        departments = {spec.slug: _department(spec) for spec in DEPARTMENTS}
        slugs = [plan.spec.slug for plan in PLANS]
        Response.objects.filter(consultation__slug__in=slugs).delete()
        Consultation.objects.filter(slug__in=slugs).delete()
        loaded = [_load(plan, departments[plan.spec.department], now) for plan in PLANS]
        for email, role in DEMO_OFFICIALS:
            _official(email, role, departments.values())
    return loaded


def _department(spec: DepartmentSpec) -> Department:
    department = Department.objects.filter(Q(slug=spec.slug) | Q(name=spec.name)).first()
    if department is None:
        return Department.objects.create(slug=spec.slug, name=spec.name)
    return department


def _official(email: str, role: str, departments: Iterable[Department]) -> None:
    """A demo official with the role in every demo department and the published TOTP secret.
    The lead is also a Django admin superuser."""
    user = User.objects.filter(email=email).first() or User(email=email)
    user.first_name, user.last_name = "Demo", role.capitalize()
    user.is_active = True
    user.is_staff = user.is_superuser = email == OFFICIAL_EMAIL
    user.set_password(OFFICIAL_PASSWORD)
    user.save()
    EmailAddress.objects.update_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
    for department in departments:
        DepartmentMembership.objects.update_or_create(user=user, department=department, defaults={"role": role})
    Authenticator.objects.filter(user=user).delete()
    TOTP.activate(user, DEMO_TOTP_SECRET)
    RecoveryCodes.activate(user)


def _load(plan: Plan, department: Department, now: datetime) -> Loaded:
    consultation = _consultation(plan.spec, department, now)
    questions = _questions(consultation, plan.spec)
    add_welsh_versions(consultation)
    voices: list[Voice] = []
    if plan.book is not None:
        voices = write_voices(
            plan.spec,
            plan.book,
            submitted=plan.submitted,
            seed=plan.seed,
            campaign_size=plan.campaign_size,
            drafts=plan.drafts,
            withdrawn=plan.withdrawn,
        )
        _responses(consultation, questions, voices, now)
    submitted = sum(voice.status == Response.Status.SUBMITTED for voice in voices)
    return Loaded(consultation.title, consultation.phase_at(now).label, submitted, len(voices) - submitted)


def _at(moment: datetime, *, hour: int, minute: int) -> datetime:
    """The same day at a round local time, as real consultations open and close."""
    return timezone.localtime(moment).replace(hour=hour, minute=minute, second=0, microsecond=0)


def _consultation(spec: ConsultationSpec, department: Department, now: datetime) -> Consultation:
    consultation = Consultation.objects.create(
        title=spec.title,
        slug=spec.slug,
        summary=spec.summary,
        department=department,
        contact_name=spec.contact_name,
        contact_email=spec.contact_email,
        is_published=spec.is_published,
        opens_at=_at(now + spec.opens_in, hour=9, minute=0),
        closes_at=_at(now + spec.closes_in, hour=23, minute=59),
        allows_anonymous_responses=spec.allows_anonymous_responses,
    )
    AIToolRecord.objects.create(consultation=consultation, **asdict(spec.tool))
    return consultation


def _questions(consultation: Consultation, spec: ConsultationSpec) -> dict[str, Question]:
    questions: dict[str, Question] = {}
    for position, question_spec in enumerate(spec.questions, start=1):
        question = Question.objects.create(
            consultation=consultation,
            position=position,
            kind=question_spec.kind,
            text=question_spec.text,
            hint=question_spec.hint,
            is_required=question_spec.is_required,
            max_length=question_spec.max_length,
            explains=questions[question_spec.explains] if question_spec.explains else None,
        )
        Option.objects.bulk_create(
            Option(
                question=question,
                position=index,
                label=label,
                is_exclusive=label in question_spec.exclusive_options,
            )
            for index, label in enumerate(question_spec.options, start=1)
        )
        questions[question_spec.role] = question
    return questions


def _responses(consultation: Consultation, questions: dict[str, Question], voices: list[Voice], now: datetime) -> None:
    start = consultation.opens_at
    span = min(now, consultation.closes_at) - timedelta(minutes=10) - start
    responses = []
    started_at = []
    for voice in voices:
        arrived_at = start + span * voice.moment
        # Between a few minutes and most of an hour spent writing, never starting before it opened.
        started_at.append(max(start, arrived_at - timedelta(minutes=4 + voice.number * 7 % 41)))
        responses.append(
            Response(
                consultation=consultation,
                start_key=f"demo-{voice.number}",
                status=voice.status,
                respondent_type=voice.respondent_type,
                organisation_name=voice.organisation_name,
                email=voice.email,
                submitted_at=None if voice.status == Response.Status.DRAFT else arrived_at,
                withdrawn_at=min(now, consultation.closes_at, arrived_at + timedelta(days=1))
                if voice.status == Response.Status.WITHDRAWN
                else None,
            )
        )
    Response.objects.bulk_create(responses)
    # created_at and updated_at are set by the database layer on insert; put the story's times back.
    for response, created_at in zip(responses, started_at, strict=True):
        response.created_at = created_at
        response.updated_at = response.withdrawn_at or response.submitted_at or response.created_at
    Response.objects.bulk_update(responses, ["created_at", "updated_at"], batch_size=200)
    _answers(questions, list(zip(responses, voices, strict=True)))
    Answer.objects.filter(response__consultation=consultation).update(
        updated_at=Subquery(Response.objects.filter(pk=OuterRef("response_id")).values("updated_at")[:1])
    )
    equality = [
        EqualityInformation(response=response, **voice.equality)
        for response, voice in zip(responses, voices, strict=True)
        if voice.equality is not None and voice.status != Response.Status.DRAFT
    ]
    EqualityInformation.objects.bulk_create(equality)
    for row in equality:
        row.created_at = row.response.submitted_at
    EqualityInformation.objects.bulk_update(equality, ["created_at"], batch_size=200)


def _answers(questions: dict[str, Question], pairs: list[tuple[Response, Voice]]) -> None:
    options = {
        (question.pk, option.label): option.pk for question in questions.values() for option in question.options.all()
    }
    answers: list[Answer] = []
    chosen: list[list[int]] = []
    for response, voice in pairs:
        # A draft stops part-way through the questions.
        roles = ["agree", "why"][: 1 + voice.number % 2] if voice.status == Response.Status.DRAFT else list(questions)
        for role in roles:
            question = questions.get(role)
            if question is None:
                continue
            text, agreement, labels = _answer_to(role, voice)
            if not (text or agreement or labels):
                continue
            answers.append(Answer(response=response, question=question, text=text, agreement=agreement))
            chosen.append([options[(question.pk, label)] for label in labels])
    Answer.objects.bulk_create(answers, batch_size=500)
    Through = Answer.options.through
    Through.objects.bulk_create(
        (
            Through(answer_id=answer.pk, option_id=option_id)
            for answer, ids in zip(answers, chosen, strict=True)
            for option_id in ids
        ),
        batch_size=500,
    )


def _answer_to(role: str, voice: Voice) -> tuple[str, int | None, tuple[str, ...]]:
    """What the voice says to the question with this role: (text, agreement, option labels)."""
    if role == "agree":
        return "", voice.agreement, ()
    if role == "channel":
        return "", None, (voice.channel,) if voice.channel else ()
    if role == "worries":
        return "", None, voice.worries
    text = {"why": voice.why, "trust": voice.trust, "extra": voice.extra}.get(role, "")
    return text, None, ()

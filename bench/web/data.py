"""The benchmark's data: a closed consultation of 100,000 sent responses with a finished analysis,
an open one whose drafts the load test fills in and sends, and a lead official.

Rows are written with PostgreSQL's COPY (hundreds of thousands a second) rather than the ORM, in
one transaction, so a half-built data set is never left behind. A marker (the analysis run's
`parameters["bench_web"]`) records the data version, and a later run reuses the data as it is.
Everything is drawn from a seeded random generator: the same version builds the same data.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from importlib import import_module

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.db import connection, transaction
from django.utils import timezone

from bench.web.fill import fill_big, fill_open, reset_sequence
from bench.web.spec import BIG_SLUG, DATA_VERSION, OFFICIAL_EMAIL, OPEN_SLUG, RESPONSES, SEED, TOTP_SECRET, Pools
from consult.demo.benefit_topics import TOPICS
from consult.models import (
    AIToolRecord,
    AnalysisRun,
    Answer,
    Consultation,
    Department,
    DepartmentMembership,
    Option,
    Question,
    Response,
    Role,
    Theme,
    User,
)

# --- The marker ---------------------------------------------------------------------------------


def current_pools() -> Pools | None:
    """The pools of a data set of this version, or None when it must be (re)built."""
    run = (
        AnalysisRun.objects.filter(consultation__slug=BIG_SLUG, status=AnalysisRun.Status.SUCCEEDED)
        .order_by("-pk")
        .first()
    )
    if run is None or run.parameters.get("bench_web") != DATA_VERSION:
        return None
    return _pools()


def has_any_bench_rows() -> bool:
    return Consultation.objects.filter(slug__in=[BIG_SLUG, OPEN_SLUG]).exists()


def _pools() -> Pools:
    big = Consultation.objects.get(slug=BIG_SLUG)
    open_ = Consultation.objects.get(slug=OPEN_SLUG)
    questions = list(open_.questions.order_by("position"))
    run = AnalysisRun.objects.filter(consultation=big).order_by("-pk").first()
    theme_ids: dict[int, list[int]] = {}
    for question_id, theme_id in (
        Theme.objects.filter(run=run).order_by("question__position", "key").values_list("question_id", "pk")
    ):
        theme_ids.setdefault(question_id, []).append(theme_id)
    drafts = Response.objects.filter(consultation=open_).order_by("pk")
    return Pools(
        official_id=User.objects.get(email=OFFICIAL_EMAIL).pk,
        big_slug=BIG_SLUG,
        open_slug=OPEN_SLUG,
        question_ids=[q.pk for q in questions],
        free_text_ids=[q.pk for q in big.questions.filter(kind=Question.Kind.FREE_TEXT).order_by("position")],
        option_ids={
            q.pk: list(Option.objects.filter(question=q).order_by("position").values_list("pk", flat=True))
            for q in questions
            if q.has_options
        },
        answer_draft_ids=list(drafts.filter(start_key__startswith="bench-answer-").values_list("pk", flat=True)),
        submit_draft_ids=list(drafts.filter(start_key__startswith="bench-submit-").values_list("pk", flat=True)),
        theme_ids=theme_ids,
        sample_references=list(
            big.responses.filter(status=Response.Status.SUBMITTED)
            .order_by("pk")
            .values_list("reference", flat=True)[:: RESPONSES // 50]
        ),
    )


def reset_submit_drafts() -> int:
    """Put the complete drafts back to draft, so "Accept and send" has work in every run."""
    return Response.objects.filter(consultation__slug=OPEN_SLUG, start_key__startswith="bench-submit-").update(
        status=Response.Status.DRAFT, submitted_at=None
    )


def keep_open() -> None:
    """The open consultation stays open however long ago the data was built."""
    now = timezone.now()
    Consultation.objects.filter(slug=OPEN_SLUG).update(
        opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=60)
    )


def official_session_key(official_id: int) -> str:
    """A signed-in session for the lead official, made as `django.contrib.auth.login` would make it.

    The workspace asks only that the official has an authenticator app (consult.access
    .has_two_factor); allauth's two-factor step belongs to signing in, which the load test skips.
    """
    user = User.objects.get(pk=official_id)
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = user._meta.pk.value_to_string(user)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return store.session_key


def end_session(session_key: str) -> None:
    """Sign the benchmark's official out again once the run is over."""
    import_module(settings.SESSION_ENGINE).SessionStore(session_key).delete()


# --- Building -----------------------------------------------------------------------------------


def _add_questions(consultation: Consultation) -> list[Question]:
    """The five questions of the factories and the demo: agreement, its 'Why?', one choice,
    several choices (optional) and anything else (optional)."""
    agree = Question.objects.create(
        consultation=consultation,
        position=1,
        kind=Question.Kind.AGREEMENT,
        text="Do you agree that the assistant should answer benefit enquiries?",
    )
    why = Question.objects.create(
        consultation=consultation,
        position=2,
        kind=Question.Kind.FREE_TEXT,
        text="Why do you say that?",
        hint="Tell us in your own words.",
        max_length=1000,
        explains=agree,
    )
    channel = Question.objects.create(
        consultation=consultation, position=3, kind=Question.Kind.SINGLE_CHOICE, text="How do you usually contact us?"
    )
    Option.objects.bulk_create(
        Option(question=channel, position=i, label=label)
        for i, label in enumerate(["By phone", "Online", "In person", "Through an adviser"], start=1)
    )
    worries = Question.objects.create(
        consultation=consultation,
        position=4,
        kind=Question.Kind.MULTIPLE_CHOICE,
        text="What worries you about the assistant?",
        is_required=False,
    )
    Option.objects.bulk_create(
        Option(question=worries, position=i, label=topic.worry[:200]) for i, topic in enumerate(TOPICS[:9], start=1)
    )
    anything = Question.objects.create(
        consultation=consultation,
        position=5,
        kind=Question.Kind.FREE_TEXT,
        text="Is there anything else you want to tell us?",
        is_required=False,
        max_length=2500,
    )
    return [agree, why, channel, worries, anything]


def _make_consultation(
    department: Department, slug: str, title: str, opens_at: datetime, closes_at: datetime
) -> Consultation:
    consultation = Consultation.objects.create(
        title=title,
        slug=slug,
        summary="We propose to use an AI assistant to answer written questions about benefits.",
        department=department,
        contact_email="consultation@example.gov.uk",
        is_published=True,
        opens_at=opens_at,
        closes_at=closes_at,
    )
    AIToolRecord.objects.create(
        consultation=consultation,
        tool_name="Benefit enquiry assistant",
        description="Answers written questions about benefits.",
        purpose="To shorten waiting times on the phone line.",
        decision_role="It does not decide claims; it gives general information.",
        human_oversight="Advisers review a sample of answers each week.",
        how_to_challenge="Ask for a person at any time.",
        data_used="The question asked and published guidance.",
        risks="It could give wrong information.",
        mitigations="It cites the guidance it used and hands over to a person when unsure.",
        owner="Department for Benchmarks",
        supplier="In-house team",
    )
    return consultation


def _make_official(department: Department) -> User:
    from allauth.account.models import EmailAddress
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
    from allauth.mfa.totp.internal.auth import TOTP

    user = User.objects.create_user(email=OFFICIAL_EMAIL, password="bench-official-password")  # noqa: S106
    EmailAddress.objects.create(user=user, email=OFFICIAL_EMAIL, verified=True, primary=True)
    DepartmentMembership.objects.create(user=user, department=department, role=Role.LEAD)
    # Through allauth's own API, as tests/factories.add_two_factor does.
    TOTP.activate(user, TOTP_SECRET)
    RecoveryCodes.activate(user)
    return user


def build(log: Callable[[str], None] = print) -> Pools:
    """Build the whole data set in one transaction and return its pools."""
    rng = random.Random(SEED)
    clock = time.perf_counter()
    now = timezone.now()
    with transaction.atomic():
        department = Department.objects.create(name="Department for Benchmarks", slug="department-for-benchmarks")
        official = _make_official(department)
        opens = now - timedelta(days=100)
        big = _make_consultation(
            department,
            BIG_SLUG,
            "Using AI to answer benefit enquiries (100,000 responses)",
            opens,
            now - timedelta(days=10),
        )
        open_ = _make_consultation(
            department,
            OPEN_SLUG,
            "Using AI to answer benefit enquiries (open)",
            now - timedelta(days=1),
            now + timedelta(days=60),
        )
        big_questions = _add_questions(big)
        open_questions = _add_questions(open_)
        fill_big(rng, big, big_questions, official, opens, log)
        fill_open(rng, open_, open_questions, now)
        for model in (Response, Answer):
            reset_sequence(model)
    # As autovacuum would leave a table that has settled: statistics for the planner, and the
    # visibility map that lets counts read an index alone.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")
    log(f"built the data in {time.perf_counter() - clock:.0f} s")
    return _pools()


__all__ = [
    "DATA_VERSION",
    "Pools",
    "build",
    "current_pools",
    "end_session",
    "has_any_bench_rows",
    "keep_open",
    "official_session_key",
    "reset_submit_drafts",
]

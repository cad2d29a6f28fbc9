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
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from importlib import import_module

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.db import connection, models, transaction
from django.utils import timezone
from psycopg.types.json import Jsonb

from consult.demo.benefit_topics import TOPICS
from consult.models import (
    AIToolRecord,
    AnalysisRun,
    Answer,
    Campaign,
    CampaignMember,
    Consultation,
    Department,
    DepartmentMembership,
    EqualityInformation,
    Flag,
    Option,
    Question,
    QuestionSummary,
    Response,
    Role,
    Theme,
    ThemeAssignment,
    User,
)

# Bump when the shape of the data changes: a data set with another version is rebuilt.
DATA_VERSION = 1
RESPONSES = 100_000
WITHDRAWN = 600
DRAFTS = 1_500
THEMES_PER_QUESTION = 20
CAMPAIGN_COPIES = 3_000
OPEN_FLAGS = 150
DECIDED_FLAGS = 150
# Drafts on the open consultation: one per simulated respondent saving answers, and complete
# ones that "Accept and send" submits (each run puts them back to draft first).
ANSWER_DRAFTS = 64
SUBMIT_DRAFTS = 20_000

BIG_SLUG = "bench-web-100k"
OPEN_SLUG = "bench-web-open"
OFFICIAL_EMAIL = "bench-lead@example.gov.uk"
# The tests' shared TOTP secret: the benchmark never signs in through it, but the workspace asks
# that the official has an authenticator app.
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # noqa: S105
SEED = 20261127

TOPIC_TITLES = {
    "accuracy": "wrong or misleading answers",
    "person": "reaching a person",
    "waiting": "waiting times",
    "privacy": "what happens to what people type",
    "data_sharing": "sharing data between services",
    "disability": "disabled people",
    "older": "older people",
    "digital": "people who are not online",
    "language": "Welsh and other languages",
    "jobs": "advisers' jobs",
    "appeals": "challenging decisions",
    "bias": "unfair treatment",
    "cost": "what it will cost",
}
CAMPAIGN_TEXT = (
    "I am writing as a supporter of Keep Benefits Human. Benefit enquiries must always be answered by a "
    "trained person, and no one should have to talk to a computer to get the money they are entitled to."
)
FIRST_WORDS = ["North", "South", "East", "West", "Central", "Greater", "Coastal", "Rural", "City", "County"]
MIDDLE_WORDS = ["Advice", "Carers", "Disability", "Tenants", "Pensioners", "Welfare", "Families", "Community"]
LAST_WORDS = ["Network", "Forum", "Trust", "Alliance", "Centre", "Association", "Project"]


@dataclass(frozen=True)
class Pools:
    """What the load test needs from the data: ids, never tokens (the runner signs those)."""

    official_id: int
    big_slug: str
    open_slug: str
    question_ids: list[int]
    free_text_ids: list[int]
    option_ids: dict[int, list[int]]
    answer_draft_ids: list[int]
    submit_draft_ids: list[int]
    theme_ids: dict[int, list[int]]
    sample_references: list[str]


@dataclass
class ThemePlan:
    """A theme to be written and what its answers say."""

    label: str
    description: str
    keywords: list[str]
    sentences: list[str]
    weight: float
    against: bool
    answer_ids: list[int] = field(default_factory=list)
    agreement: Counter = field(default_factory=Counter)


# --- Writing rows fast --------------------------------------------------------------------------


def _field_default(model_field: models.Field, now: datetime) -> object:
    """The value the ORM would store for a column the generator does not set, so that a column
    someone adds later (with a default) does not break the COPY."""
    if isinstance(model_field, models.DateTimeField) and (model_field.auto_now or model_field.auto_now_add):
        return now
    value = model_field.get_default()
    if isinstance(model_field, models.JSONField):
        return Jsonb(value)
    return value


def copy_rows(model: type[models.Model], columns: Sequence[str], rows: Iterable[Sequence[object]]) -> int:
    """COPY rows into the model's table. Columns not given take the model's defaults; `id` is
    given only when rows elsewhere refer to it."""
    now = timezone.now()
    fields = model._meta.concrete_fields
    missing = [f for f in fields if f.column not in columns and not f.primary_key]
    extra_columns = [f.column for f in missing]
    extra_values = tuple(_field_default(f, now) for f in missing)
    names = ", ".join(f'"{c}"' for c in [*columns, *extra_columns])
    count = 0
    statement = f'COPY "{model._meta.db_table}" ({names}) FROM STDIN'
    with connection.connection.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row((*row, *extra_values))
            count += 1
    return count


def _next_id(model: type[models.Model]) -> int:
    with connection.cursor() as cursor:
        # The table name comes from the model, never from input.
        cursor.execute(f'SELECT COALESCE(MAX(id), 0) + 1 FROM "{model._meta.db_table}"')  # noqa: S608
        return cursor.fetchone()[0]


def _reset_sequence(model: type[models.Model]) -> None:
    """After rows with explicit ids, move the table's id sequence past them."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        sql = f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), (SELECT MAX(id) FROM \"{table}\"))"  # noqa: S608
        cursor.execute(sql)  # the table name comes from the model, never from input


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


def _theme_plans() -> list[ThemePlan]:
    """Twenty themes: every topic's worries, then the supportive side of the largest topics."""
    plans = []
    for topic in TOPICS:
        title = TOPIC_TITLES.get(topic.key, topic.key.replace("_", " "))
        plans.append(
            ThemePlan(
                label=f"Worried about {title}"[:200],
                description=f"Answers worried about {title}.",
                keywords=[word for word in title.split() if len(word) > 3][:3],
                sentences=[*topic.against, *topic.lived_against],
                weight=getattr(topic, "weight", 1.0),
                against=True,
            )
        )
    for topic in TOPICS:
        if len(plans) == THEMES_PER_QUESTION:
            break
        if not topic.for_:
            continue
        title = TOPIC_TITLES.get(topic.key, topic.key.replace("_", " "))
        plans.append(
            ThemePlan(
                label=f"Reassured about {title}"[:200],
                description=f"Answers that think the assistant would help with {title}.",
                keywords=[word for word in title.split() if len(word) > 3][:3],
                sentences=[*topic.for_, *topic.lived_for],
                weight=0.6 * getattr(topic, "weight", 1.0),
                against=False,
            )
        )
    return plans


def _agreement_for(rng: random.Random, against: bool) -> int:
    if against:
        return rng.choices([1, 2, 3, 4, 5], weights=[45, 30, 12, 8, 5])[0]
    return rng.choices([1, 2, 3, 4, 5], weights=[4, 6, 12, 38, 40])[0]


def _text(rng: random.Random, plan: ThemePlan, second: ThemePlan | None) -> str:
    sentences = rng.sample(plan.sentences, k=min(len(plan.sentences), rng.choice([1, 1, 2, 2, 3])))
    if second is not None:
        sentences.append(rng.choice(second.sentences))
    return " ".join(sentences)


def _reference(rng: random.Random, used: set[str]) -> str:
    alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
    while True:
        chars = "".join(rng.choice(alphabet) for _ in range(12))
        reference = f"R-{chars[0:4]}-{chars[4:8]}-{chars[8:12]}"
        if reference not in used:
            used.add(reference)
            return reference


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
        _fill_big(rng, big, big_questions, official, opens, log)
        _fill_open(rng, open_, open_questions, now)
        for model in (Response, Answer):
            _reset_sequence(model)
    # As autovacuum would leave a table that has settled: statistics for the planner, and the
    # visibility map that lets counts read an index alone.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")
    log(f"built the data in {time.perf_counter() - clock:.0f} s")
    return _pools()


def _fill_big(
    rng: random.Random,
    big: Consultation,
    questions: list[Question],
    official: User,
    opens: datetime,
    log: Callable[[str], None],
) -> None:
    agree, why, channel, worries, anything = questions
    channel_options = list(channel.options.order_by("position").values_list("pk", flat=True))
    worry_options = list(worries.options.order_by("position").values_list("pk", flat=True))
    plans = {why.pk: _theme_plans(), anything.pk: _theme_plans()}
    weights = [plan.weight / (rank + 1) ** 0.5 for rank, plan in enumerate(plans[why.pk])]
    org_names = [f"{a} {b} {c}" for a in FIRST_WORDS for b in MIDDLE_WORDS for c in LAST_WORDS]
    total = RESPONSES + WITHDRAWN + DRAFTS
    span = (big.closes_at - opens).total_seconds()

    response_id = _next_id(Response)
    answer_id = _next_id(Answer)
    used_references: set[str] = set()
    responses, answers, answer_options, equality = [], [], [], []
    assignments: list[tuple[int, int, int, int]] = []  # (question id, theme plan index, answer id, rank)
    campaign_members: list[int] = []
    submitted_free_text: list[int] = []

    for i in range(total):
        status = Response.Status.SUBMITTED
        if i >= RESPONSES + WITHDRAWN:
            status = Response.Status.DRAFT
        elif i >= RESPONSES:
            status = Response.Status.WITHDRAWN
        created = opens + timedelta(seconds=span * i / total)
        organisation = rng.random() < 0.12
        responses.append(
            (
                response_id,
                _reference(rng, used_references),
                big.pk,
                status,
                Response.RespondentType.ORGANISATION if organisation else Response.RespondentType.INDIVIDUAL,
                rng.choice(org_names) if organisation else "",
                f"person{i}@example.com" if rng.random() < 0.6 else "",
                f"bench-{i}",
                created,
                created + timedelta(minutes=12),
                created + timedelta(minutes=12) if status != Response.Status.DRAFT else None,
                created + timedelta(days=2) if status == Response.Status.WITHDRAWN else None,
            )
        )
        is_draft = status == Response.Status.DRAFT
        # The answers: the 'Why?' picks a theme, whose side decides the agreement.
        plan_index = rng.choices(range(len(weights)), weights=weights)[0]
        plan = plans[why.pk][plan_index]
        in_campaign = status == Response.Status.SUBMITTED and len(campaign_members) < CAMPAIGN_COPIES and i % 31 == 7
        agreement = rng.choice([1, 1, 2]) if in_campaign else _agreement_for(rng, plan.against)
        answers.append((answer_id, response_id, agree.pk, "", agreement, created))
        answer_id += 1
        second_index = rng.randrange(len(weights)) if rng.random() < 0.15 else None
        if second_index == plan_index:
            second_index = None
        if in_campaign:
            text = CAMPAIGN_TEXT + (" " + rng.choice(plan.sentences) if rng.random() < 0.3 else "")
            campaign_members.append(answer_id)
        else:
            text = _text(rng, plan, plans[why.pk][second_index] if second_index is not None else None)
        answers.append((answer_id, response_id, why.pk, text, None, created))
        if status == Response.Status.SUBMITTED:
            submitted_free_text.append(answer_id)
            assignments.append((why.pk, plan_index, answer_id, 0))
            plan.answer_ids.append(answer_id)
            plan.agreement[str(agreement)] += 1
            if second_index is not None:
                assignments.append((why.pk, second_index, answer_id, 1))
                plans[why.pk][second_index].answer_ids.append(answer_id)
        answer_id += 1
        if is_draft and rng.random() < 0.5:
            response_id += 1
            continue
        answers.append((answer_id, response_id, channel.pk, "", None, created))
        answer_options.append((answer_id, rng.choices(channel_options, weights=[40, 35, 10, 15])[0]))
        answer_id += 1
        if rng.random() < 0.7:
            answers.append((answer_id, response_id, worries.pk, "", None, created))
            for option in rng.sample(worry_options, k=rng.choice([1, 1, 2, 2, 3])):
                answer_options.append((answer_id, option))
            answer_id += 1
        if rng.random() < 0.35:
            other_index = rng.choices(range(len(weights)), weights=weights)[0]
            other = plans[anything.pk][other_index]
            answers.append((answer_id, response_id, anything.pk, _text(rng, other, None), None, created))
            if status == Response.Status.SUBMITTED:
                submitted_free_text.append(answer_id)
                assignments.append((anything.pk, other_index, answer_id, 0))
                other.answer_ids.append(answer_id)
            answer_id += 1
        if status == Response.Status.SUBMITTED and rng.random() < 0.4:
            equality.append(
                (
                    response_id,
                    rng.choice(EqualityInformation.AgeBand.values),
                    rng.choice(EqualityInformation.Region.values),
                    rng.choice(EqualityInformation.Disability.values),
                    rng.choice(EqualityInformation.Ethnicity.values),
                    created + timedelta(minutes=13),
                )
            )
        response_id += 1
    log(f"generated {len(responses):,} responses and {len(answers):,} answers; writing them")

    copy_rows(
        Response,
        [
            "id",
            "reference",
            "consultation_id",
            "status",
            "respondent_type",
            "organisation_name",
            "email",
            "start_key",
            "created_at",
            "updated_at",
            "submitted_at",
            "withdrawn_at",
        ],
        responses,
    )
    copy_rows(
        Answer,
        ["id", "response_id", "question_id", "text", "agreement", "updated_at", "redacted_text", "redaction_version"],
        ((*row, row[3], "bench") for row in answers),
    )
    copy_rows(Answer.options.through, ["answer_id", "option_id"], answer_options)
    copy_rows(
        EqualityInformation, ["response_id", "age_band", "region", "disability", "ethnicity", "created_at"], equality
    )

    # The analysis: a succeeded run, its themes with their counts, every sent answer's themes.
    finished = big.closes_at + timedelta(hours=2)
    run = AnalysisRun.objects.create(
        consultation=big,
        status=AnalysisRun.Status.SUCCEEDED,
        stage=AnalysisRun.Stage.DONE,
        progress=100,
        parameters={"bench_web": DATA_VERSION, "count_campaigns_once": True},
        versions={"embedding_model": "bench-web (generated, not embedded)"},
        timings={"themes": 0.0},
        answers_analysed=len(submitted_free_text),
        started_at=finished - timedelta(minutes=6),
        heartbeat_at=finished,
        finished_at=finished,
    )
    theme_ids: dict[tuple[int, int], int] = {}
    campaign_set = set(campaign_members)
    for question_id, question_plans in plans.items():
        order = sorted(range(len(question_plans)), key=lambda k: -len(question_plans[k].answer_ids))
        for key, index in enumerate(order, start=1):
            plan = question_plans[index]
            in_campaign = sum(1 for a in plan.answer_ids if a in campaign_set)
            theme = Theme.objects.create(
                run=run,
                question_id=question_id,
                key=key,
                label=plan.label,
                description=plan.description,
                label_source=Theme.LabelSource.EXTRACTIVE,
                keywords=plan.keywords,
                answer_count=len(plan.answer_ids),
                campaign_once_count=len(plan.answer_ids) - in_campaign + (1 if in_campaign else 0),
                centroid=bytes(384 * 4),
                threshold=0.45,
                agreement_counts=dict(plan.agreement) if question_id == why.pk else {},
            )
            theme.representatives.set(plan.answer_ids[:3])
            theme_ids[(question_id, index)] = theme.pk
    copy_rows(
        ThemeAssignment,
        ["theme_id", "answer_id", "rank", "is_late"],
        ((theme_ids[(q, index)], answer, rank, False) for q, index, answer, rank in assignments),
    )
    campaign = Campaign.objects.create(
        run=run, question=why, key=1, canonical_answer_id=campaign_members[0], member_count=len(campaign_members)
    )
    copy_rows(
        CampaignMember,
        ["campaign_id", "answer_id", "addition"],
        ((campaign.pk, member, "") for member in campaign_members),
    )
    references = [row[1] for row in responses[:6]]
    QuestionSummary.objects.bulk_create(
        [
            QuestionSummary(
                run=run,
                question_id=question_id,
                source=Theme.LabelSource.EXTRACTIVE,
                sentences=[{"text": plan.sentences[0], "references": references[:3]} for plan in question_plans[:5]],
            )
            for question_id, question_plans in plans.items()
        ]
        + [
            QuestionSummary(
                run=run,
                question=None,
                source=Theme.LabelSource.EXTRACTIVE,
                sentences=[{"text": "Most respondents worried about wrong answers.", "references": references}],
            )
        ]
    )
    flagged = rng.sample(submitted_free_text, OPEN_FLAGS + DECIDED_FLAGS)
    reasons = [Flag.Reason.PERSONAL_DATA, Flag.Reason.ABUSE, Flag.Reason.SPAM, Flag.Reason.GENERATED]
    Flag.objects.bulk_create(
        Flag(
            answer_id=answer,
            reason=reasons[n % len(reasons)],
            detail="Found by the benchmark's generator.",
            status=Flag.Status.OPEN if n < OPEN_FLAGS else Flag.Status.APPROVED,
            decided_by=None if n < OPEN_FLAGS else official,
            decided_at=None if n < OPEN_FLAGS else finished,
        )
        for n, answer in enumerate(flagged)
    )
    log(f"wrote {len(assignments):,} theme assignments and {len(campaign_members):,} campaign members")


def _fill_open(rng: random.Random, open_: Consultation, questions: list[Question], now: datetime) -> None:
    """Drafts for the load test: empty ones to save answers into, complete ones to send."""
    agree, why, channel, worries, _anything = questions
    channel_options = list(channel.options.values_list("pk", flat=True))
    worry_options = list(worries.options.values_list("pk", flat=True))
    plans = _theme_plans()
    response_id = _next_id(Response)
    answer_id = _next_id(Answer)
    used: set[str] = set(Response.objects.values_list("reference", flat=True))
    responses, answers, answer_options = [], [], []
    for kind, count in (("answer", ANSWER_DRAFTS), ("submit", SUBMIT_DRAFTS)):
        for i in range(count):
            responses.append(
                (
                    response_id,
                    _reference(rng, used),
                    open_.pk,
                    Response.Status.DRAFT,
                    "individual",
                    f"bench-{kind}-{i}",
                    now,
                    now,
                )
            )
            if kind == "submit":
                plan = rng.choice(plans)
                answers.append((answer_id, response_id, agree.pk, "", _agreement_for(rng, plan.against), now))
                answers.append((answer_id + 1, response_id, why.pk, _text(rng, plan, None), None, now))
                answers.append((answer_id + 2, response_id, channel.pk, "", None, now))
                answer_options.append((answer_id + 2, rng.choice(channel_options)))
                answers.append((answer_id + 3, response_id, worries.pk, "", None, now))
                answer_options.append((answer_id + 3, rng.choice(worry_options)))
                answer_id += 4
            response_id += 1
    copy_rows(
        Response,
        ["id", "reference", "consultation_id", "status", "respondent_type", "start_key", "created_at", "updated_at"],
        responses,
    )
    copy_rows(Answer, ["id", "response_id", "question_id", "text", "agreement", "updated_at"], answers)
    copy_rows(Answer.options.through, ["answer_id", "option_id"], answer_options)


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

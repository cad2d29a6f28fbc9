"""Writing the benchmark's data fast: PostgreSQL's COPY, and the two consultations' rows."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta

from django.db import connection, models
from django.utils import timezone
from psycopg.types.json import Jsonb

from bench.web.spec import (
    ANSWER_DRAFTS,
    CAMPAIGN_COPIES,
    CAMPAIGN_TEXT,
    DATA_VERSION,
    DECIDED_FLAGS,
    DRAFTS,
    FIRST_WORDS,
    LAST_WORDS,
    MIDDLE_WORDS,
    OPEN_FLAGS,
    RESPONSES,
    SUBMIT_DRAFTS,
    WITHDRAWN,
    agreement_for,
    answer_text,
    theme_plans,
    unique_reference,
)
from consult.models import (
    AnalysisRun,
    Answer,
    Campaign,
    CampaignMember,
    Consultation,
    EqualityInformation,
    Flag,
    Question,
    QuestionSummary,
    Response,
    Theme,
    ThemeAssignment,
    User,
)

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


def next_id(model: type[models.Model]) -> int:
    with connection.cursor() as cursor:
        # The table name comes from the model, never from input.
        cursor.execute(f'SELECT COALESCE(MAX(id), 0) + 1 FROM "{model._meta.db_table}"')  # noqa: S608
        return cursor.fetchone()[0]


def reset_sequence(model: type[models.Model]) -> None:
    """After rows with explicit ids, move the table's id sequence past them."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        sql = f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), (SELECT MAX(id) FROM \"{table}\"))"  # noqa: S608
        cursor.execute(sql)  # the table name comes from the model, never from input


def fill_big(
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
    plans = {why.pk: theme_plans(), anything.pk: theme_plans()}
    weights = [plan.weight / (rank + 1) ** 0.5 for rank, plan in enumerate(plans[why.pk])]
    org_names = [f"{a} {b} {c}" for a in FIRST_WORDS for b in MIDDLE_WORDS for c in LAST_WORDS]
    total = RESPONSES + WITHDRAWN + DRAFTS
    span = (big.closes_at - opens).total_seconds()

    response_id = next_id(Response)
    answer_id = next_id(Answer)
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
                unique_reference(rng, used_references),
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
        agreement = rng.choice([1, 1, 2]) if in_campaign else agreement_for(rng, plan.against)
        answers.append((answer_id, response_id, agree.pk, "", agreement, created))
        answer_id += 1
        second_index = rng.randrange(len(weights)) if rng.random() < 0.15 else None
        if second_index == plan_index:
            second_index = None
        if in_campaign:
            text = CAMPAIGN_TEXT + (" " + rng.choice(plan.sentences) if rng.random() < 0.3 else "")
            campaign_members.append(answer_id)
        else:
            text = answer_text(rng, plan, plans[why.pk][second_index] if second_index is not None else None)
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
            answers.append((answer_id, response_id, anything.pk, answer_text(rng, other, None), None, created))
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


def fill_open(rng: random.Random, open_: Consultation, questions: list[Question], now: datetime) -> None:
    """Drafts for the load test: empty ones to save answers into, complete ones to send."""
    agree, why, channel, worries, _anything = questions
    channel_options = list(channel.options.values_list("pk", flat=True))
    worry_options = list(worries.options.values_list("pk", flat=True))
    plans = theme_plans()
    response_id = next_id(Response)
    answer_id = next_id(Answer)
    used: set[str] = set(Response.objects.values_list("reference", flat=True))
    responses, answers, answer_options = [], [], []
    for kind, count in (("answer", ANSWER_DRAFTS), ("submit", SUBMIT_DRAFTS)):
        for i in range(count):
            responses.append(
                (
                    response_id,
                    unique_reference(rng, used),
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
                answers.append((answer_id, response_id, agree.pk, "", agreement_for(rng, plan.against), now))
                answers.append((answer_id + 1, response_id, why.pk, answer_text(rng, plan, None), None, now))
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

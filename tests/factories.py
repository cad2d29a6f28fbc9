"""Plain functions that make the rows tests need, with sensible defaults."""

from __future__ import annotations

import itertools
from datetime import timedelta

from django.utils import timezone

from consult.models import (
    AIToolRecord,
    AnalysisRun,
    Answer,
    Consultation,
    Department,
    Option,
    Question,
    Response,
    Theme,
    ThemeAssignment,
    User,
)

_counter = itertools.count(1)


def make_department(name: str = "") -> Department:
    n = next(_counter)
    name = name or f"Department for Testing {n}"
    return Department.objects.create(name=name, slug=f"department-{n}")


def make_consultation(
    *,
    phase: str = "open",
    title: str = "",
    department: Department | None = None,
    allows_anonymous_responses: bool = True,
    with_questions: bool = True,
    summary: str = "We propose to use an AI assistant to answer questions about benefits.",
) -> Consultation:
    """A consultation in the given phase: draft, upcoming, open, closed or outcome_published."""
    now = timezone.now()
    n = next(_counter)
    opens_at, closes_at = {
        "draft": (now - timedelta(days=1), now + timedelta(days=30)),
        "upcoming": (now + timedelta(days=2), now + timedelta(days=30)),
        "open": (now - timedelta(days=1), now + timedelta(days=30)),
        "closed": (now - timedelta(days=30), now - timedelta(days=1)),
        "outcome_published": (now - timedelta(days=60), now - timedelta(days=30)),
    }[phase]
    consultation = Consultation.objects.create(
        title=title or f"Using AI to answer benefit enquiries {n}",
        slug=f"consultation-{n}",
        summary=summary,
        department=department or make_department(),
        contact_email="consultation@example.gov.uk",
        is_published=phase != "draft",
        opens_at=opens_at,
        closes_at=closes_at,
        outcome_published_at=now - timedelta(days=1) if phase == "outcome_published" else None,
        allows_anonymous_responses=allows_anonymous_responses,
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
        owner="Department for Testing",
        supplier="In-house team",
    )
    if with_questions:
        add_standard_questions(consultation)
    return consultation


def add_standard_questions(consultation: Consultation) -> dict[str, Question]:
    """Five questions, one of each kind plus a 'Why?' paired with the agreement scale."""
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
        max_length=500,
        explains=agree,
    )
    channel = Question.objects.create(
        consultation=consultation,
        position=3,
        kind=Question.Kind.SINGLE_CHOICE,
        text="How do you usually contact us?",
    )
    for position, label in enumerate(["By phone", "Online", "In person"], start=1):
        Option.objects.create(question=channel, position=position, label=label)
    worries = Question.objects.create(
        consultation=consultation,
        position=4,
        kind=Question.Kind.MULTIPLE_CHOICE,
        text="What worries you about the assistant?",
        is_required=False,
    )
    for position, label in enumerate(["Wrong answers", "Privacy", "No way to reach a person"], start=1):
        Option.objects.create(question=worries, position=position, label=label)
    anything = Question.objects.create(
        consultation=consultation,
        position=5,
        kind=Question.Kind.FREE_TEXT,
        text="Is there anything else you want to tell us?",
        is_required=False,
        max_length=2500,
    )
    return {"agree": agree, "why": why, "channel": channel, "worries": worries, "anything": anything}


def make_user(email: str = "", password: str = "a-long-test-password", **extra: object) -> User:
    email = email or f"person{next(_counter)}@example.com"
    user = User.objects.create_user(email=email, password=password, **extra)
    from allauth.account.models import EmailAddress

    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


# A TOTP secret tests share: any authenticator app (or `totp_code`) turns it into codes.
TEST_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def add_two_factor(user: User, secret: str = TEST_TOTP_SECRET) -> None:
    """Give a user an authenticator app (TOTP) and recovery codes, through allauth's own API."""
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
    from allauth.mfa.totp.internal.auth import TOTP

    TOTP.activate(user, secret)
    RecoveryCodes.activate(user)


def totp_code(secret: str = TEST_TOTP_SECRET) -> str:
    """The code an authenticator app would show for the secret now. allauth accepts only the
    current period's code (MFA_TOTP_TOLERANCE is 0), so within two seconds of the period's end this
    waits for the next period: otherwise the code could expire before the request reaches allauth."""
    import time

    from allauth.mfa import app_settings
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    left = app_settings.TOTP_PERIOD - time.time() % app_settings.TOTP_PERIOD
    if left < 2:
        time.sleep(left + 0.05)
    return format_hotp_value(hotp_value(secret, int(time.time()) // app_settings.TOTP_PERIOD))


def make_official(
    department: Department | None = None, role: str = "lead", *, email: str = "", two_factor: bool = True
) -> User:
    """An official of the department with the role (analyst, lead or moderator)."""
    from consult.models import DepartmentMembership

    user = make_user(email)
    DepartmentMembership.objects.create(user=user, department=department or make_department(), role=role)
    if two_factor:
        add_two_factor(user)
    return user


def make_response(
    consultation: Consultation,
    answers: dict[Question, object],
    *,
    status: str = "submitted",
    respondent_type: str = "individual",
    organisation_name: str = "",
    email: str = "",
    submitted_at: object = None,
) -> Response:
    """A response with its answers: text for free-text questions, an `Agreement` value for the
    scale, a list of option labels for choice questions."""
    response = Response.objects.create(
        consultation=consultation,
        status=status,
        respondent_type=respondent_type,
        organisation_name=organisation_name,
        email=email,
        start_key=f"factory-{next(_counter)}",
        submitted_at=(submitted_at or timezone.now()) if status != "draft" else None,
    )
    for question, value in answers.items():
        answer = Answer.objects.create(response=response, question=question)
        if question.is_free_text:
            answer.text = str(value)
            answer.redacted_text = str(value)
        elif question.kind == Question.Kind.AGREEMENT:
            answer.agreement = int(value)  # type: ignore[call-overload]
        else:
            answer.options.set(question.options.filter(label__in=list(value)))  # type: ignore[call-overload]
        answer.save()
    return response


def make_run_with_themes(question: Question, members: dict[str, list[Answer]]) -> AnalysisRun:
    """A succeeded analysis run whose candidate themes for the question are `members`' labels,
    each with the answers given as members (rank 0) and as representatives. For tests that need
    a run's results without running the pipeline."""
    now = timezone.now()
    run = AnalysisRun.objects.create(
        consultation=question.consultation,
        status=AnalysisRun.Status.SUCCEEDED,
        stage=AnalysisRun.Stage.DONE,
        progress=100,
        started_at=now,
        finished_at=now,
        parameters={"count_campaigns_once": True},
        versions={"embedding_model": "test"},
    )
    for key, (label, answers) in enumerate(members.items(), start=1):
        theme = Theme.objects.create(
            run=run,
            question=question,
            key=key,
            label=label,
            label_source=Theme.LabelSource.EXTRACTIVE,
            keywords=label.lower().split()[:3],
            answer_count=len(answers),
            campaign_once_count=len(answers),
            centroid=b"",
            threshold=0.5,
        )
        theme.representatives.set(answers[:3])
        ThemeAssignment.objects.bulk_create(ThemeAssignment(theme=theme, answer=a, rank=0) for a in answers)
    return run


def publish_outcome_with_themes(consultation: Consultation, themes: dict[Question, dict[str, list[Answer]]]) -> object:
    """Publish the closed consultation's outcome through the publishing services, as a lead would,
    after signing off and mapping `themes` (per free-text question: label -> answers) and an
    "Other" theme for each. Free-text questions not given get an empty signed-off set."""
    from consult.models import ReviewTheme, ThemeMapping, ThemeSet
    from consult.services import publishing

    for question in consultation.questions.filter(kind=Question.Kind.FREE_TEXT):
        theme_set = ThemeSet.objects.create(
            question=question, status=ThemeSet.Status.SIGNED_OFF, mapping_status=ThemeSet.MappingStatus.DONE
        )
        labelled = {**themes.get(question, {}), "Other": []}
        for position, (label, answers) in enumerate(labelled.items(), start=1):
            theme = ReviewTheme.objects.create(
                theme_set=theme_set,
                position=position,
                label=label,
                is_other=label == "Other",
                government_response="" if label == "Other" else f"We heard “{label}”.",
            )
            ThemeMapping.objects.bulk_create(
                ThemeMapping(theme=theme, answer=answer, source=ThemeMapping.Source.AI) for answer in answers
            )
    lead = make_official(consultation.department, role="lead")
    outcome = publishing.save_outcome_draft(
        consultation,
        lead,
        version=0,
        summary="Most people want quicker answers.",
        decision="We will run a pilot.",
        method_note="We read every answer.",
        government_responses={},
    )
    publishing.approve_outcome(consultation, lead, version=outcome.version)
    return publishing.publish_outcome(consultation, lead, version=outcome.version)


def add_welsh_versions(consultation: Consultation) -> Consultation:
    """Welsh versions of the consultation's title, summary, AI tool record and standard questions."""
    consultation.title_cy = "Defnyddio AI i ateb ymholiadau am fudd-daliadau"
    consultation.summary_cy = "Rydym yn cynnig defnyddio cynorthwyydd AI i ateb cwestiynau am fudd-daliadau."
    consultation.save(update_fields=["title_cy", "summary_cy"])
    consultation.department.name_cy = f"Adran Brofi {consultation.department.pk}"
    consultation.department.save(update_fields=["name_cy"])
    AIToolRecord.objects.filter(consultation=consultation).update(
        tool_name_cy="Cynorthwyydd ymholiadau budd-daliadau",
        description_cy="Mae'n ateb cwestiynau ysgrifenedig am fudd-daliadau.",
        purpose_cy="Byrhau'r amser aros ar y llinell ffôn.",
        decision_role_cy="Nid yw'n penderfynu ar hawliadau; mae'n rhoi gwybodaeth gyffredinol.",
        human_oversight_cy="Mae cynghorwyr yn adolygu sampl o atebion bob wythnos.",
        how_to_challenge_cy="Gofynnwch am gael siarad â pherson unrhyw bryd.",
        data_used_cy="Y cwestiwn a ofynnwyd a chanllawiau cyhoeddedig.",
        risks_cy="Gallai roi gwybodaeth anghywir.",
        mitigations_cy="Mae'n dyfynnu'r canllawiau a ddefnyddiodd ac yn trosglwyddo i berson pan nad yw'n siŵr.",
        owner_cy="Adran Brofi",
        supplier_cy="Tîm mewnol",
    )
    welsh = {
        "Do you agree that the assistant should answer benefit enquiries?": (
            "Ydych chi'n cytuno y dylai'r cynorthwyydd ateb ymholiadau am fudd-daliadau?"
        ),
        "Why do you say that?": "Pam rydych chi'n dweud hynny?",
        "How do you usually contact us?": "Sut rydych chi'n cysylltu â ni fel arfer?",
        "What worries you about the assistant?": "Beth sy'n eich poeni am y cynorthwyydd?",
        "Is there anything else you want to tell us?": "A oes unrhyw beth arall yr hoffech ei ddweud wrthym?",
    }
    options = {
        "By phone": "Dros y ffôn",
        "Online": "Ar-lein",
        "In person": "Wyneb yn wyneb",
        "Wrong answers": "Atebion anghywir",
        "Privacy": "Preifatrwydd",
        "No way to reach a person": "Dim ffordd o gyrraedd person",
    }
    for question in consultation.questions.all():
        question.text_cy = welsh.get(question.text, "")
        question.hint_cy = "Dywedwch wrthym yn eich geiriau eich hun." if question.hint else ""
        question.save(update_fields=["text_cy", "hint_cy"])
        for option in question.options.all():
            option.label_cy = options.get(option.label, "")
            option.save(update_fields=["label_cy"])
    return consultation

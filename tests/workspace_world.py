"""A small consultation with everything the workspace shows: responses of each kind, a run with
candidate themes, a theme set in review, a flag, a campaign, equality information. Used by the
access walk and the browser walk, which visit every workspace address with its values."""

from __future__ import annotations

from dataclasses import dataclass

from consult.models import (
    Campaign,
    CampaignMember,
    Consultation,
    EqualityInformation,
    Flag,
    Response,
    ReviewTheme,
    SubTheme,
    SubThemeAssignment,
    Theme,
    ThemeSet,
)
from tests.factories import make_consultation, make_department, make_response, make_run_with_themes

SECRET_TITLE = "Using AI to rank social housing applications"


@dataclass
class World:
    consultation: Consultation
    kwargs: dict[str, object]


def build_world() -> World:
    department = make_department("Department for Housing")
    consultation = make_consultation(phase="closed", department=department, title=SECRET_TITLE)
    questions = {q.position: q for q in consultation.questions.all()}
    why = questions[2]
    reasons = [
        "It would be quicker than waiting on the phone for an hour.",
        "Quicker answers at any time of day would help me.",
        "I do not trust a computer to understand my situation.",
        "Please write to me at 12 High Street, I have no internet.",
    ]
    responses = [
        make_response(
            consultation,
            {questions[1]: 4 - n % 3, why: reason, questions[3]: ["Online"], questions[4]: ["Privacy"]},
            respondent_type="organisation" if n == 2 else "individual",
            organisation_name="Citizens Advice Testshire" if n == 2 else "",
        )
        for n, reason in enumerate(reasons)
    ]
    EqualityInformation.objects.create(response=responses[0], age_band="25_34", region="wales")
    make_response(consultation, {why: "I changed my mind."}, status=Response.Status.WITHDRAWN)
    answers = [r.answers.get(question=why) for r in responses]
    run = make_run_with_themes(why, {"Quicker answers": answers[:2], "Trust in computers": answers[2:]})
    campaign = Campaign.objects.create(run=run, question=why, key=1, canonical_answer=answers[0], member_count=2)
    CampaignMember.objects.create(campaign=campaign, answer=answers[0])
    CampaignMember.objects.create(campaign=campaign, answer=answers[1], addition="at any time of day")
    theme_set = ThemeSet.objects.create(question=why, source_run=run)
    review_theme = ReviewTheme.objects.create(theme_set=theme_set, position=1, label="Quicker answers")
    other = ReviewTheme.objects.create(theme_set=theme_set, position=2, label="Other", is_other=True)
    review_theme.candidates.add(run.themes.get(label="Quicker answers"))
    sub_theme = SubTheme.objects.create(
        run=run,
        question=why,
        parent=run.themes.get(label="Quicker answers"),
        key=1,
        label="Answers at any time of day",
        label_source=Theme.LabelSource.EXTRACTIVE,
        answer_count=1,
        centroid=b"",
        threshold=0.5,
    )
    SubThemeAssignment.objects.create(sub_theme=sub_theme, answer=answers[1])
    flag = Flag.objects.create(answer=answers[3], reason=Flag.Reason.PERSONAL_DATA, detail="A street address")
    kwargs: dict[str, object] = {
        "slug": consultation.slug,
        "question_id": why.pk,
        "reference": responses[0].reference,
        "answer_id": answers[0].pk,
        "theme_id": review_theme.pk,
        "other_theme_id": other.pk,
        "flag_id": flag.pk,
        "campaign_id": campaign.pk,
        "sub_theme_id": sub_theme.pk,
        "run_id": run.pk,
        "option_id": questions[3].options.first().pk,
        **_organisation_samples(consultation, responses[2]),
    }
    return World(consultation=consultation, kwargs=kwargs)


def _organisation_samples(consultation: Consultation, response: Response) -> dict[str, object]:
    """An organisation waiting for verification, and a report of a falsely sent response."""
    from consult.models import FalseSubmissionReport, Organisation

    organisation = Organisation.objects.create(
        name="Citizens Advice Testshire", represents="People in Testshire.", how_views_gathered="A survey."
    )
    report = FalseSubmissionReport.objects.create(
        consultation=consultation,
        reference=response.reference,
        response=response,
        what_happened="I never sent this.",
        email="someone@example.com",
    )
    return {"organisation_id": organisation.pk, "report_id": report.pk}

"""The world the analysis pages' tests read: four sent responses, a withdrawn one, a run with
two themes, a campaign and an open flag; and helpers to read a page as a person would."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

from django.test import Client
from django.utils import timezone

from consult.models import (
    AnalysisRun,
    Answer,
    Campaign,
    CampaignMember,
    Consultation,
    Flag,
    Question,
    Response,
    Theme,
    User,
)
from tests.factories import make_consultation, make_official, make_response, make_run_with_themes


@dataclass
class World:
    consultation: Consultation
    questions: dict[str, Question]
    responses: list[Response]
    answers: list[Answer]  # answers to "why", in the order of `responses`
    run: AnalysisRun
    campaign: Campaign
    official: User


def build_world(client: Client) -> World:
    """Four sent responses (two individuals, two organisations) on two days, a withdrawn one, a
    run with two themes (one answer fits none), a campaign of two copies and an open flag."""
    consultation = make_consultation(phase="closed")
    questions = {q.position: q for q in consultation.questions.all()}
    agree, why, channel, worries = questions[1], questions[2], questions[3], questions[4]
    now = timezone.now()
    rows = [
        ({agree: 5, why: "Quicker answers, charging ahead", channel: ["By phone"], worries: ["Privacy"]}, "", 2),
        ({agree: 4, why: "It would be quicker", channel: ["Online"], worries: ["Privacy", "Wrong answers"]}, "", 2),
        ({agree: 1, why: "People need a person to talk to", channel: ["By phone"]}, "Citizens Advice Leeds", 1),
        ({agree: 2, why: "My data would not be safe", channel: ["In person"]}, "Age Concern", 1),
    ]
    responses = [
        make_response(
            consultation,
            answers,
            respondent_type="organisation" if organisation else "individual",
            organisation_name=organisation,
            submitted_at=now - timedelta(days=days),
        )
        for answers, organisation, days in rows
    ]
    make_response(consultation, {why: "I changed my mind"}, status=Response.Status.WITHDRAWN)
    answers = [r.answers.get(question=why) for r in responses]
    run = make_run_with_themes(why, {"Speed": answers[:2], "Human contact": answers[2:3]})
    Theme.objects.filter(run=run, label="Speed").update(agreement_counts={"5": 1, "4": 1})
    Theme.objects.filter(run=run, label="Human contact").update(agreement_counts={"1": 1})
    campaign = Campaign.objects.create(run=run, question=why, key=1, canonical_answer=answers[1], member_count=2)
    for answer in answers[:2]:
        CampaignMember.objects.create(campaign=campaign, answer=answer)
    Flag.objects.create(answer=answers[3], reason=Flag.Reason.PERSONAL_DATA, detail="A data worry")
    official = make_official(consultation.department, role="analyst")
    client.force_login(official)
    return World(
        consultation,
        {"agree": agree, "why": why, "channel": channel, "worries": worries, "anything": questions[5]},
        responses,
        answers,
        run,
        campaign,
        official,
    )


def page_text(response: object) -> str:
    """The page's text without tags, spaces squeezed, for reading numbers as a person would."""
    html = response.content.decode()  # type: ignore[attr-defined]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def references_in(response: object) -> set[str]:
    return set(re.findall(r"R-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", response.content.decode()))  # type: ignore[attr-defined]

"""The forms officials fill in to run a consultation, as a browser posts them, shared by the
workspace tests of running consultations."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from django.test import Client
from django.utils import timezone

from consult.models import Consultation
from tests.factories import make_official

TOOL = {
    "tool_name": "Housing triage assistant",
    "description": "It sorts housing applications by urgency.",
    "purpose": "To shorten the wait for people in urgent need.",
    "decision_role": "It recommends an order; an officer decides.",
    "human_oversight": "Officers check every recommendation.",
    "how_to_challenge": "Ask for a review by a senior officer.",
    "data_used": "The application form only.",
    "risks": "It could rank some groups lower.",
    "mitigations": "Monthly fairness checks.",
    "owner": "Housing Services",
    "supplier": "",
}


def when(field: str, moment: datetime) -> dict[str, str]:
    """The date and time inputs of one schedule field, as a browser sends them (UK time)."""
    local = timezone.localtime(moment)
    return {
        f"{field}-day": str(local.day),
        f"{field}-month": str(local.month),
        f"{field}-year": str(local.year),
        f"{field}-time": local.strftime("%H:%M"),
    }


def details_form(**overrides: object) -> dict[str, str]:
    now = timezone.now()
    data = {
        "title": "Using AI to triage housing applications",
        "slug": "",
        "summary": "We propose to use an AI tool to sort housing applications.",
        "contact_name": "Housing team",
        "contact_email": "housing@example.gov.uk",
        "allows_anonymous_responses": "yes",
        **when("opens_at", now + timedelta(days=7)),
        **when("closes_at", now + timedelta(days=60)),
    }
    data.update({key: str(value) for key, value in overrides.items()})
    return data


def question_form(**overrides: object) -> dict[str, str]:
    data = {
        "text": "How do you usually apply?",
        "hint": "",
        "kind": "single_choice",
        "options": "Online\nBy post\nIn person",
        "max_length": "2500",
        "is_required": "yes",
        "explains": "none",
    }
    data.update({key: str(value) for key, value in overrides.items()})
    return data


def error_summary(response: object) -> list[str]:
    """The messages in the page's GOV.UK error summary (empty when there is none)."""
    html = response.content.decode()
    if "govuk-error-summary" not in html:
        return []
    summary = html.split("govuk-error-summary__list", 1)[1].split("</ul>", 1)[0]
    return [re.sub(r"<[^>]+>", "", item).strip() for item in re.findall(r"<li>(.*?)</li>", summary, re.S)]


def lead_of(client: Client, consultation: Consultation) -> Client:
    client.force_login(make_official(consultation.department, role="lead"))
    return client


def positions(consultation: Consultation) -> list[str]:
    return list(consultation.questions.order_by("position").values_list("text", flat=True))

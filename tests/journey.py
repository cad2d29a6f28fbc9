"""Steps of the respondent's journey through the HTTP client, shared by the tests that need a
response in a given state."""

from __future__ import annotations

import re

from django.test import Client
from django.urls import reverse

from consult.models import Agreement, Consultation


def start(client: Client, consultation: Consultation, start_key: str = "key-1") -> str:
    """Press "Respond to this consultation" and return the token from the journey's URL."""
    location = client.post(reverse("start_response", args=[consultation.slug]), {"start_key": start_key})["Location"]
    return token_from(location)


def token_from(location: str) -> str:
    return re.search(r"/respond/([^/]+)/", location).group(1)


def link_in(body: str) -> str:
    """The first link in an email, as a path the test client can follow."""
    return re.sub(r"^https?://[^/]+", "", re.search(r"https?://\S+", body).group(0))


def answer_required(
    client: Client,
    consultation: Consultation,
    token: str,
    email: str = "",
    why: str = "People need a person.",
    publish: str = "no",
) -> None:
    """Answer 'about you' and every required question of the standard questions in factories.
    `publish` answers "Can we publish your response?" ("yes" or "no")."""
    questions = {q.position: q for q in consultation.questions.all()}
    client.post(
        reverse("about_you", args=[token]),
        {"respondent_type": "individual", "email": email, "is_publication_consented": publish},
    )
    client.post(reverse("answer_question", args=[token, questions[1].pk]), {"answer": Agreement.DISAGREE})
    client.post(reverse("answer_question", args=[token, questions[2].pk]), {"answer": why})
    option = questions[3].options.first()
    client.post(reverse("answer_question", args=[token, questions[3].pk]), {"answer": option.pk})


def send(client: Client, token: str) -> None:
    client.post(reverse("check_answers", args=[token]))

"""Respondents say on the about-you page whether their answers may be published; only a yes
puts a response in the open data."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from consult.models import Consultation, Response
from tests.factories import make_consultation, publish_outcome_with_themes
from tests.journey import answer_required, send, start

pytestmark = pytest.mark.django_db

QUESTION = "Can we publish your response?"
YES = "Yes, publish my answers without my name"
NO = "No, do not publish them"


def test_about_you_asks_and_nothing_is_chosen_for_the_respondent(client: Client):
    token = start(client, make_consultation())
    page = client.get(reverse("about_you", args=[token])).content.decode()
    assert QUESTION in page
    assert YES in page and NO in page
    assert 'name="is_publication_consented" type="radio" value="yes"' in page
    assert " checked" not in page.split('name="is_publication_consented"', 1)[1].split("</fieldset>")[0]


@pytest.mark.parametrize("answer", [None, "maybe"])
def test_the_question_must_be_answered(client: Client, answer: str | None):
    token = start(client, make_consultation())
    data = {"respondent_type": "individual"}
    if answer is not None:
        data["is_publication_consented"] = answer
    page = client.post(reverse("about_you", args=[token]), data)
    assert page.status_code == 200
    html = page.content.decode()
    assert "govuk-error-summary" in html
    assert 'href="#id_is_publication_consented_0"' in html
    assert html.count("Select whether we can publish your response") == 2  # summary and field
    assert Response.objects.get().respondent_type == ""


def test_the_answer_is_kept_shown_on_check_answers_and_can_be_changed(client: Client):
    consultation = make_consultation()
    token = start(client, consultation)
    answer_required(client, consultation, token, publish="yes")
    assert Response.objects.get().is_publication_consented is True

    check = client.get(reverse("check_answers", args=[token])).content.decode()
    assert QUESTION in check and YES in check
    change = f"{reverse('about_you', args=[token])}?change=1"
    assert f'href="{change}"' in check

    again = client.get(change).content.decode()
    assert 'value="yes" checked' in again
    moved = client.post(change, {"respondent_type": "individual", "is_publication_consented": "no"})
    assert moved["Location"] == reverse("check_answers", args=[token])
    assert Response.objects.get().is_publication_consented is False
    assert NO in client.get(reverse("check_answers", args=[token])).content.decode()


def test_responses_not_asked_are_not_published():
    consultation = make_consultation()
    response = Response.objects.create(consultation=consultation, start_key="imported")
    assert response.is_publication_consented is False


def _close(consultation: Consultation) -> None:
    now = timezone.now()
    Consultation.objects.filter(pk=consultation.pk).update(
        opens_at=now - timedelta(days=30), closes_at=now - timedelta(days=1)
    )
    consultation.refresh_from_db()


def test_only_a_yes_reaches_the_bulk_download(client: Client):
    consultation = make_consultation()
    for key, publish, why in [("a", "yes", "Publish me, please."), ("b", "no", "Keep this to yourselves.")]:
        respondent = Client()
        token = start(respondent, consultation, start_key=key)
        answer_required(respondent, consultation, token, publish=publish, why=why)
        send(respondent, token)
    assert Response.objects.submitted().count() == 2
    _close(consultation)
    why = consultation.questions.get(position=2)
    publish_outcome_with_themes(consultation, {why: {"Reasons": list(why.answers.all())}})

    page = client.get(reverse("outcome_download_json", args=[consultation.slug]))
    published = json.loads(b"".join(page.streaming_content))
    texts = [answer["text"] for response in published["responses"] for answer in response["answers"]]
    assert "Publish me, please." in texts
    assert "Keep this to yourselves." not in json.dumps(published)
    assert published["response_count"] == 2

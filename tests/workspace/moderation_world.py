"""Helpers the moderation tests share: officials signed in by role, answers with flags of chosen
reasons, and a finished run over distinct answers and a campaign of six copies of one text."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager

from django.test import Client

from consult.models import AnalysisRun, Answer, Consultation, Flag, Question, User
from consult.services import runs
from tests import corpus
from tests.factories import make_official, make_response

CAMPAIGN_TEXT = "I object to this plan because a computer cannot understand people like me and my family."


def sign_in(client: Client, consultation: Consultation, role: str) -> User:
    official = make_official(consultation.department, role=role)
    client.force_login(official)
    return official


def flagged_answer(why: Question, text: str, *reasons: str) -> tuple[Answer, list[Flag]]:
    answer = make_response(why.consultation, {why: text}).answers.get(question=why)
    return answer, [Flag.objects.create(answer=answer, reason=reason, detail=f"Found: {reason}") for reason in reasons]


def open_reasons(answer: Answer) -> set[str]:
    return set(answer.flags.filter(status=Flag.Status.OPEN).values_list("reason", flat=True))


def analyse_with_a_campaign(
    why: Question, capture_on_commit: Callable[..., AbstractContextManager[object]]
) -> AnalysisRun:
    """Distinct answers and six copies of one campaign text (two with additions of their own),
    analysed by a finished run. `capture_on_commit` is pytest-django's
    `django_capture_on_commit_callbacks`, so that the run queued on commit runs here."""
    for _, text in corpus.answers(per_subject=10):
        make_response(why.consultation, {why: text})
    for ending in ["", "", "", " Please listen.", "", " Keep the phone line open for us."]:
        make_response(why.consultation, {why: CAMPAIGN_TEXT + ending})
    with capture_on_commit(execute=True):
        run = runs.request_analysis(why.consultation)
    run.refresh_from_db()
    assert run.status == AnalysisRun.Status.SUCCEEDED, run.error
    return run

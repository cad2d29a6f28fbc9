"""A response withdrawn by its respondent leaves every count: the workspace dashboard, the report,
the exports (where it stays on record, marked withdrawn), the next analysis run, and the published
outcome."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from consult.access import response_token
from consult.models import (
    AnalysisRun,
    Answer,
    Consultation,
    Outcome,
    Response,
    ReviewTheme,
    ThemeAssignment,
    ThemeMapping,
    ThemeSet,
)
from consult.services import runs
from tests import corpus
from tests.factories import make_consultation, make_official, make_response, make_run_with_themes


def withdraw(response: Response) -> None:
    """The respondent withdraws it through the link in their receipt, in their own browser."""
    respondent = Client()
    page = respondent.post(reverse("withdraw", args=[response_token(response)]), {"confirm": "yes"})
    assert page.status_code == 302
    response.refresh_from_db()
    assert response.status == Response.Status.WITHDRAWN


def dashboard(official: Client, consultation: Consultation) -> dict:
    # The dashboards keep their counts for a minute (the page says when it counted them): a
    # minute passes.
    cache.clear()
    page = official.get(reverse("workspace_analysis", args=[consultation.slug]))
    assert page.status_code == 200
    return page.context


def chosen(context: dict, question: object, label: str) -> int:
    """How many the dashboard says chose `label` in answer to a closed question."""
    [result] = [result for result in context["closed_results"] if result.question == question]
    return next(bar.count for bar in result.bars if bar.label == label)


def csv_statuses(official: Client, consultation: Consultation) -> dict[str, str]:
    page = official.get(reverse("workspace_export_csv", args=[consultation.slug]))
    rows = list(csv.reader(io.StringIO(b"".join(page.streaming_content).decode("utf-8-sig"))))
    header = rows[0]
    return {row[0]: row[header.index("status")] for row in rows[1:]}


def close(consultation: Consultation) -> None:
    now = timezone.now()
    Consultation.objects.filter(pk=consultation.pk).update(
        opens_at=now - timedelta(days=30), closes_at=now - timedelta(minutes=1)
    )


@pytest.mark.django_db(transaction=True)
def test_a_withdrawn_response_leaves_the_dashboard_the_report_the_exports_and_the_next_run(
    django_capture_on_commit_callbacks,
):
    consultation = make_consultation()
    q = {question.position: question for question in consultation.questions.all()}
    responses = [
        make_response(consultation, {q[1]: 4, q[2]: text, q[3]: ["Online"]}, email=f"person{n}@example.com")
        for n, (_, text) in enumerate(corpus.answers(per_subject=15))
    ]
    total = len(responses)
    with django_capture_on_commit_callbacks(execute=True):
        first = runs.request_analysis(consultation)
    first.refresh_from_db()
    assert first.status == AnalysisRun.Status.SUCCEEDED
    assert first.answers_analysed == total

    official = Client()
    official.force_login(make_official(consultation.department, role="lead"))
    before = dashboard(official, consultation)
    assert before["submitted_count"] == total
    assert chosen(before, q[3], "Online") == total

    gone = responses[0]
    gone_answer = gone.answers.get(question=q[2])
    assert ThemeAssignment.objects.filter(answer=gone_answer, theme__run=first).exists()
    withdraw(gone)

    after = dashboard(official, consultation)
    assert after["submitted_count"] == total - 1
    assert chosen(after, q[3], "Online") == total - 1
    [why] = [result for result in after["free_text_results"] if result.question == q[2]]
    assert why.answered == total - 1
    # Quotes are never taken from a withdrawn response.
    assert all(quote.answer_id != gone_answer.pk for row in why.themes for quote in row.quotes)

    report = official.get(reverse("workspace_report", args=[consultation.slug])).context
    assert report["submitted_count"] == total - 1
    assert report["withdrawn_count"] == 1

    statuses = csv_statuses(official, consultation)
    assert statuses[gone.reference] == "withdrawn"  # on record, marked as such
    assert sum(status == "submitted" for status in statuses.values()) == total - 1

    with django_capture_on_commit_callbacks(execute=True):
        official.post(reverse("workspace_analysis_start", args=[consultation.slug]))
    second = AnalysisRun.objects.latest_succeeded_for(consultation)
    assert second.pk != first.pk
    assert second.answers_analysed == total - 1
    assert not ThemeAssignment.objects.filter(answer=gone_answer, theme__run=second).exists()
    theme_counts = dashboard(official, consultation)
    [why] = [result for result in theme_counts["free_text_results"] if result.question == q[2]]
    assigned = ThemeAssignment.objects.filter(theme__run=second, rank=0).values("answer").distinct().count()
    assert why.unassigned == total - 1 - assigned


def _signed_off(question, run, themes: dict[str, list[Answer]]) -> None:
    theme_set = ThemeSet.objects.create(
        question=question, source_run=run, status=ThemeSet.Status.SIGNED_OFF, mapping_status=ThemeSet.MappingStatus.DONE
    )
    for position, (label, answers) in enumerate(themes.items(), start=1):
        theme = ReviewTheme.objects.create(theme_set=theme_set, position=position, label=label)
        ThemeMapping.objects.bulk_create(
            ThemeMapping(theme=theme, answer=answer, source=ThemeMapping.Source.AI, similarity=0.8)
            for answer in answers
        )


@pytest.mark.django_db
def test_a_response_withdrawn_before_closing_is_not_counted_or_told_about_the_published_outcome(
    client, django_capture_on_commit_callbacks
):
    consultation = make_consultation()
    q = {question.position: question for question in consultation.questions.all()}
    kept = [
        make_response(consultation, {q[1]: 4, q[2]: "It would be quicker."}, email="kept@example.com"),
        make_response(consultation, {q[1]: 1, q[2]: "It will get things wrong."}),
    ]
    gone = make_response(consultation, {q[1]: 4, q[2]: "Quicker, I think."}, email="gone@example.com")
    answers = [response.answers.get(question=q[2]) for response in [*kept, gone]]
    # The themes were signed off, with every answer mapped, before the respondent changed their mind.
    run = make_run_with_themes(q[2], {"Quicker": [answers[0], answers[2]], "Wrong": [answers[1]]})
    withdraw(gone)
    close(consultation)
    _signed_off(q[2], run, {"Quicker answers": [answers[0], answers[2]], "Wrong answers": [answers[1]]})
    _signed_off(q[5], run, {"Nothing else": []})
    themes = ReviewTheme.objects.filter(theme_set__question__consultation=consultation)

    client.force_login(make_official(consultation.department, role="lead"))
    outcome_url = reverse("workspace_outcome", args=[consultation.slug])
    draft = {
        "version": 0,
        "summary": "Most of you want quicker answers.",
        "decision": "We will run a pilot.",
        "method_note": "We used the analysis described here.",
        **{f"theme_{theme.pk}": "We will look at this." for theme in themes},
    }
    assert client.post(outcome_url, draft).status_code == 302
    assert (
        client.post(reverse("workspace_outcome_approve", args=[consultation.slug]), {"version": 1}).status_code == 302
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        published = client.post(reverse("workspace_outcome_publish", args=[consultation.slug]), {"version": 1})
    assert published.status_code == 302, published.content.decode()
    client.logout()

    snapshot = Outcome.objects.get(consultation=consultation).published_snapshot
    assert snapshot["response_count"] == 2
    why = next(question for question in snapshot["questions"] if question["id"] == q[2].pk)
    assert {theme["label"]: theme["count"] for theme in why["themes"]} == {"Quicker answers": 1, "Wrong answers": 1}
    html = client.get(reverse("consultation_outcome", args=[consultation.slug])).content.decode()
    assert re.search(r"Responses</dt>\s*<dd[^>]*>2</dd>", html)
    assert [message.to for message in mail.outbox] == [["kept@example.com"]]

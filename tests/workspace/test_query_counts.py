"""The analysis pages make the same number of queries whatever the size of the consultation: a
page that makes one more query per response or per theme would not survive 100,000 responses."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from consult.analysis.embedding import to_bytes
from consult.models import (
    AnswerEmbedding,
    Campaign,
    CampaignMember,
    Consultation,
    EqualityInformation,
    Flag,
    Response,
    ReviewTheme,
    Theme,
    ThemeMapping,
    ThemeSet,
)
from consult.queries.themes import consultation_themes
from tests.factories import make_consultation, make_official, make_response, make_run_with_themes

pytestmark = pytest.mark.django_db

REGIONS = ["london", "wales", "scotland"]


def _build(size: int, *, reviewed: bool) -> tuple[Consultation, list[Response]]:
    """A consultation with `size` responses per theme across three themes, campaigns, flags,
    equality information, and (if `reviewed`) signed-off themes with mappings for one question."""
    consultation = make_consultation(phase="closed")
    questions = {q.position: q for q in consultation.questions.all()}
    agree, why, channel, worries, anything = (questions[p] for p in range(1, 6))
    responses = []
    for n in range(size * 3):
        response = make_response(
            consultation,
            {
                agree: 1 + n % 5,
                why: f"Reason number {n} about speed and people",
                channel: [["By phone", "Online", "In person"][n % 3]],
                worries: ["Privacy"] if n % 2 else ["Privacy", "Wrong answers"],
                anything: f"Something else {n}",
            },
            respondent_type="organisation" if n % 4 == 0 else "individual",
            organisation_name="Advice Network" if n % 4 == 0 else "",
        )
        EqualityInformation.objects.create(response=response, region=REGIONS[n % 3], age_band="25_34")
        responses.append(response)
    whys = [r.answers.get(question=why) for r in responses]
    run = make_run_with_themes(
        why, {"Speed": whys[:size], "People": whys[size : 2 * size], "Privacy": whys[2 * size : 3 * size - 1]}
    )
    for key, members in enumerate([whys[:size], whys[size : 2 * size]], start=1):
        campaign = Campaign.objects.create(
            run=run, question=why, key=key, canonical_answer=members[0], member_count=len(members)
        )
        CampaignMember.objects.bulk_create(CampaignMember(campaign=campaign, answer=a) for a in members)
    for answer in whys[::3]:
        Flag.objects.create(answer=answer, reason=Flag.Reason.SPAM)
    AnswerEmbedding.objects.bulk_create(
        AnswerEmbedding(
            answer=a, model_name="test", dimensions=3, vector=to_bytes([n % 3, n % 5, n % 7]), text_hash="x"
        )
        for n, a in enumerate(whys)
    )
    if reviewed:
        theme_set = ThemeSet.objects.create(question=why, source_run=run, status="signed_off", mapping_status="done")
        fast = ReviewTheme.objects.create(theme_set=theme_set, position=1, label="Fast")
        other = ReviewTheme.objects.create(theme_set=theme_set, position=2, label="Other", is_other=True)
        fast.candidates.set(Theme.objects.filter(run=run, label="Speed"))
        ThemeMapping.objects.bulk_create(ThemeMapping(theme=fast, answer=a, source="ai") for a in whys[:size])
        ThemeMapping.objects.bulk_create(ThemeMapping(theme=other, answer=a, source="ai") for a in whys[size:])
    return consultation, responses


def _pages(consultation: Consultation, responses: list[Response]) -> dict[str, str]:
    why = consultation.questions.get(position=2)
    theme = consultation_themes(consultation)[why.pk].themes[0]
    slug = consultation.slug
    responses_url = reverse("workspace_responses", args=[slug])
    option = consultation.questions.get(position=3).options.first()
    agree = consultation.questions.get(position=1)
    return {
        "dashboard": reverse("workspace_analysis", args=[slug]),
        "question": reverse("workspace_question_analysis", args=[slug, why.pk]),
        "drill-down": responses_url,
        "drill-down by theme": f"{responses_url}?question={why.pk}&theme={theme.id}",
        "drill-down in no theme": f"{responses_url}?question={why.pk}&theme=none",
        "drill-down filtered": (
            f"{responses_url}?respondent_type=individual&closed=option:{option.pk}&campaign=no"
            "&flagged=1&unread=1&from_day=1&from_month=1&from_year=2020"
        ),
        "drill-down by organisation": f"{responses_url}?organisation=net&closed=agreement:{agree.pk}:1",
        "drill-down searched": f"{responses_url}?q=reasons",
        "drill-down page 2": f"{responses_url}?page=2",
        "response": reverse("workspace_response", args=[slug, responses[-1].reference]),
        "fairness": reverse("workspace_fairness", args=[slug]),
        "topic map": reverse("workspace_topic_map", args=[slug, why.pk]),
        "progress": reverse("workspace_analysis_progress", args=[slug]),
    }


def _query_counts(client: Client, size: int, *, reviewed: bool) -> dict[str, int]:
    consultation, responses = _build(size, reviewed=reviewed)
    client.force_login(make_official(consultation.department, role="analyst"))
    counts = {}
    for name, address in _pages(consultation, responses).items():
        with CaptureQueriesContext(connection) as queries:
            page = client.get(address)
        assert page.status_code == 200, name
        # Every drill-down here finds answers, so that the count includes a page of rows.
        if name.startswith("drill-down"):
            assert page.context["rows"], name
        counts[name] = len(queries)
    return counts


@pytest.mark.parametrize("reviewed", [False, True], ids=["candidate themes", "reviewed themes"])
def test_analysis_pages_make_the_same_number_of_queries_for_five_times_the_responses(
    client: Client, reviewed: bool
) -> None:
    # 30 and 150 responses: enough for the drill-down to have a second page in both.
    small = _query_counts(client, 10, reviewed=reviewed)
    large = _query_counts(client, 50, reviewed=reviewed)
    assert small == large

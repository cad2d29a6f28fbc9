"""Reading the analysis in the workspace: the dashboard, one question in depth, the drill-down
into responses with its filters and search, one response, the fairness check, and starting a run
and following its progress."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from consult.models import (
    AnalysisRun,
    Answer,
    AnswerEmbedding,
    Campaign,
    CampaignMember,
    Consultation,
    EqualityInformation,
    Flag,
    Question,
    Response,
    ResponseRead,
    ReviewTheme,
    Theme,
    ThemeMapping,
    ThemeSet,
    User,
)
from consult.services.runs import AnalysisAlreadyRunning, request_analysis
from tests.factories import make_consultation, make_official, make_response, make_run_with_themes

pytestmark = pytest.mark.django_db


@dataclass
class World:
    consultation: Consultation
    questions: dict[str, Question]
    responses: list[Response]
    answers: list[Answer]  # answers to "why", in the order of `responses`
    run: AnalysisRun
    campaign: Campaign
    official: User


@pytest.fixture
def world(client: Client) -> World:
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


def _text(response: object) -> str:
    """The page's text without tags, spaces squeezed, for reading numbers as a person would."""
    html = response.content.decode()  # type: ignore[attr-defined]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _references(response: object) -> set[str]:
    return set(re.findall(r"R-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", response.content.decode()))  # type: ignore[attr-defined]


# --- The dashboard ----------------------------------------------------------------------------


def test_the_dashboard_counts_responses_by_day_and_by_respondent_type(client: Client, world: World) -> None:
    response = client.get(reverse("workspace_analysis", args=[world.consultation.slug]))
    assert response.status_code == 200
    text = _text(response)
    assert "4 responses sent" in text  # the withdrawn one is not counted
    assert "As an individual 2 50%" in text
    assert "On behalf of an organisation 2 50%" in text
    assert len(response.context["days"]) == 2
    assert [day.count for day in response.context["days"]] == [2, 2]


def test_the_dashboard_shows_each_closed_question_as_a_chart_and_a_table(client: Client, world: World) -> None:
    response = client.get(reverse("workspace_analysis", args=[world.consultation.slug]))
    text = _text(response)
    html = response.content.decode()
    assert "By phone 2 50%" in text and "Online 1 25%" in text and "In person 1 25%" in text
    assert "Privacy 2 100%" in text and "Wrong answers 1 50%" in text  # of the two who answered
    assert "Strongly agree 1 25%" in text and "Strongly disagree 1 25%" in text
    assert '<table class="govuk-table">' in html and 'class="consult-chart" aria-hidden="true"' in html
    # Each row of the table leads to the responses that gave that answer.
    by_phone = world.questions["channel"].options.get(label="By phone")
    assert f"?closed=option%3A{by_phone.pk}" in html


def test_the_dashboard_shows_themes_with_shares_agreement_quotes_and_campaigns(client: Client, world: World) -> None:
    response = client.get(reverse("workspace_analysis", args=[world.consultation.slug]))
    text = _text(response)
    # Four answers, two of them one campaign: three when each campaign counts once.
    assert "Shares are of the 3 substantive answers, counting each campaign once" in text
    assert "Speed 2 67%" in text
    assert "2 agree, 0 neither, 0 disagree" in text
    assert "0 agree, 0 neither, 1 disagree" in text
    assert "“People need a person to talk to”" in text  # a representative quote
    assert "Fits no theme 1" in text
    assert "1 campaign: 2 answers that copy the same text" in text
    assert "It would be quicker" in text


def test_agreement_within_reviewed_themes_comes_from_the_mapped_answers(client: Client, world: World) -> None:
    theme_set = ThemeSet.objects.create(
        question=world.questions["why"],
        source_run=world.run,
        status=ThemeSet.Status.SIGNED_OFF,
        mapping_status=ThemeSet.MappingStatus.DONE,
    )
    worried = ReviewTheme.objects.create(theme_set=theme_set, position=1, label="Worried about people and data")
    ReviewTheme.objects.create(theme_set=theme_set, position=2, label="Other", is_other=True)
    worried.candidates.set(Theme.objects.filter(run=world.run, label="Human contact"))
    for answer in world.answers[2:]:
        ThemeMapping.objects.create(theme=worried, answer=answer, source=ThemeMapping.Source.AI)

    text = _text(client.get(reverse("workspace_analysis", args=[world.consultation.slug])))
    assert "Themes signed off by officials" in text
    assert "Worried about people and data 2 50%" in text
    assert "0 agree, 0 neither, 2 disagree" in text  # strongly disagree and disagree
    assert "“People need a person to talk to”" in text  # the quote of the AI theme it came from


def test_the_dashboard_shows_answers_arrived_since_the_last_run(client: Client, world: World) -> None:
    make_response(world.consultation, {world.questions["why"]: "A late answer"})
    text = _text(client.get(reverse("workspace_analysis", args=[world.consultation.slug])))
    assert "Since then 1 answer arrived or changed" in text


def test_the_question_page_links_each_theme_to_its_answers(client: Client, world: World) -> None:
    why = world.questions["why"]
    response = client.get(reverse("workspace_question_analysis", args=[world.consultation.slug, why.pk]))
    assert response.status_code == 200
    speed = Theme.objects.get(run=world.run, label="Speed")
    html = response.content.decode()
    assert f"?question={why.pk}&amp;theme={speed.pk}" in html
    assert f"?question={why.pk}&amp;campaign={world.campaign.pk}" in html
    assert "Agreement with question 1" in html


# --- Runs: progress and starting ---------------------------------------------------------------


def test_the_progress_address_reports_the_latest_run(client: Client, world: World) -> None:
    AnalysisRun.objects.create(
        consultation=world.consultation,
        status=AnalysisRun.Status.RUNNING,
        stage=AnalysisRun.Stage.EMBEDDING,
        progress=35,
    )
    response = client.get(reverse("workspace_analysis_progress", args=[world.consultation.slug]))
    assert response.json() == {
        "status": "running",
        "stage": "embedding",
        "stage_label": "Embedding answers",
        "progress": 35,
        "finished": False,
    }
    page = client.get(reverse("workspace_analysis", args=[world.consultation.slug])).content.decode()
    assert '<progress class="consult-progress" id="run-progress" max="100" value="35"' in page
    assert "Embedding answers: 35% done." in page
    assert "Run the analysis again" not in page


def test_running_the_analysis_again_queues_one_run_and_refuses_a_second(client: Client, world: World) -> None:
    start = reverse("workspace_analysis_start", args=[world.consultation.slug])
    response = client.post(start, follow=True)
    assert AnalysisRun.objects.filter(consultation=world.consultation, status="queued").count() == 1
    assert "The analysis will run again" in response.content.decode()

    response = client.post(start, follow=True)
    assert AnalysisRun.objects.filter(consultation=world.consultation, status="queued").count() == 1
    assert "The analysis is already running" in response.content.decode()


def test_the_command_keeps_the_one_run_rule_and_follows_the_run_under_way(client: Client, world: World) -> None:
    """`manage.py analyse` asks the same service as the button: while a run is queued it queues
    no second one, and says which run is under way."""
    client.post(reverse("workspace_analysis_start", args=[world.consultation.slug]))
    queued = AnalysisRun.objects.get(consultation=world.consultation, status="queued")
    with pytest.raises(AnalysisAlreadyRunning) as refused:
        request_analysis(world.consultation)
    assert refused.value.run == queued
    out = io.StringIO()
    call_command("analyse", world.consultation.slug, stdout=out)
    assert f"Analysis run {queued.pk} is already queued for {world.consultation.slug}." in out.getvalue()
    assert list(AnalysisRun.objects.filter(consultation=world.consultation, status="queued")) == [queued]


def test_a_moderator_may_read_the_dashboard_but_not_start_a_run(client: Client, world: World) -> None:
    client.force_login(make_official(world.consultation.department, role="moderator"))
    page = client.get(reverse("workspace_analysis", args=[world.consultation.slug]))
    assert "Run the analysis again" not in page.content.decode()
    assert client.post(reverse("workspace_analysis_start", args=[world.consultation.slug])).status_code == 403


# --- The drill-down ---------------------------------------------------------------------------


def _drill(client: Client, world: World, **params: object) -> object:
    return client.get(reverse("workspace_responses", args=[world.consultation.slug]), params)


def _refs(world: World, *indexes: int) -> set[str]:
    return {world.responses[i].reference for i in indexes}


def test_the_drill_down_lists_every_free_text_answer_of_sent_responses(client: Client, world: World) -> None:
    response = _drill(client, world)
    assert response.status_code == 200
    assert _references(response) == _refs(world, 0, 1, 2, 3)
    assert "4 answers" in _text(response)


def test_each_filter_narrows_the_answers(client: Client, world: World) -> None:
    why = world.questions["why"]
    speed = Theme.objects.get(run=world.run, label="Speed")
    by_phone = world.questions["channel"].options.get(label="By phone")
    agree = world.questions["agree"]
    today = timezone.localdate()
    yesterday = today - timedelta(days=1)
    cases: list[tuple[dict[str, object], set[int]]] = [
        ({"question": why.pk, "theme": speed.pk}, {0, 1}),
        ({"question": why.pk, "theme": "none"}, {3}),
        ({"respondent_type": "organisation"}, {2, 3}),
        ({"organisation": "advice"}, {2}),
        ({"closed": f"option:{by_phone.pk}"}, {0, 2}),
        ({"closed": f"agreement:{agree.pk}:2"}, {3}),
        ({"from_day": yesterday.day, "from_month": yesterday.month, "from_year": yesterday.year}, {2, 3}),
        ({"to_day": yesterday.day, "to_month": yesterday.month, "to_year": yesterday.year}, {0, 1, 2, 3}),
        ({"campaign": "yes"}, {0, 1}),
        ({"campaign": "no"}, {2, 3}),
        ({"campaign": world.campaign.pk}, {0, 1}),
        ({"flagged": "1"}, {3}),
    ]
    for params, expected in cases:
        assert _references(_drill(client, world, **params)) == _refs(world, *expected), params
    two_days_ago = today - timedelta(days=2)
    to_two_days_ago = {"to_day": two_days_ago.day, "to_month": two_days_ago.month, "to_year": two_days_ago.year}
    assert _references(_drill(client, world, **to_two_days_ago)) == _refs(world, 0, 1)


def test_the_unread_filter_leaves_out_responses_the_official_has_read(client: Client, world: World) -> None:
    read = world.responses[2]
    client.get(reverse("workspace_response", args=[world.consultation.slug, read.reference]))
    assert ResponseRead.objects.filter(user=world.official, response=read).exists()
    assert _references(_drill(client, world, unread="1")) == _refs(world, 0, 1, 3)
    # Another official has read nothing yet.
    client.force_login(make_official(world.consultation.department, role="analyst"))
    assert _references(_drill(client, world, unread="1")) == _refs(world, 0, 1, 2, 3)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="full-text search is PostgreSQL's")
def test_search_finds_other_forms_of_a_word(client: Client, world: World) -> None:
    assert _references(_drill(client, world, q="charges")) == _refs(world, 0)  # "charging"
    assert _references(_drill(client, world, q="talking")) == _refs(world, 2)  # "talk"
    assert _references(_drill(client, world, q="answer")) == _refs(world, 0)  # "answers"
    assert _references(_drill(client, world, q='"person to talk"')) == _refs(world, 2)
    assert _references(_drill(client, world, q="safe -data")) == set()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="full-text search is PostgreSQL's")
def test_search_uses_the_full_text_index(world: World) -> None:
    from consult.queries.workspace.responses import search_answers

    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    plan = search_answers(Answer.objects.all(), "quick").explain()
    assert "consult_answer_text_fts" in plan or "Bitmap Index Scan" in plan, plan


def test_an_impossible_date_is_explained_in_an_error_summary(client: Client, world: World) -> None:
    response = _drill(client, world, from_day="31", from_month="2", from_year="2027")
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html
    assert '<a href="#id_from_day">Date from must be a real date</a>' in html
    assert _references(response) == set()

    response = _drill(client, world, to_day="3", to_year="2027")
    assert '<a href="#id_to_month">Date to must include a month</a>' in response.content.decode()

    response = _drill(
        client, world, from_day="3", from_month="3", from_year="2027", to_day="2", to_month="3", to_year="2027"
    )
    assert "Date to must be the same as or after date from" in response.content.decode()


def test_a_long_answer_is_shown_as_a_marked_excerpt_linking_to_the_whole(client: Client, world: World) -> None:
    long_text = "This is a long answer. " * 40 + "The very end."
    response_row = make_response(world.consultation, {world.questions["anything"]: long_text})
    answer = response_row.answers.get()
    html = _drill(client, world, question=world.questions["anything"].pk).content.decode()
    assert "The very end." not in html
    assert "This is the start of a longer answer." in html
    assert f"#answer-{answer.pk}" in html
    full = client.get(reverse("workspace_response", args=[world.consultation.slug, response_row.reference]))
    assert "The very end." in full.content.decode()


def test_the_drill_down_pages_on_the_server_keeping_its_filters(client: Client, world: World) -> None:
    for n in range(30):
        make_response(world.consultation, {world.questions["anything"]: f"More to say {n}"})
    response = _drill(client, world, question=world.questions["anything"].pk)
    assert "30 answers" in _text(response)
    assert len(_references(response)) == 25
    assert f"?question={world.questions['anything'].pk}&amp;page=2" in response.content.decode()
    assert len(_references(_drill(client, world, question=world.questions["anything"].pk, page=2))) == 5


# --- One response -----------------------------------------------------------------------------


def test_a_response_shows_every_answer_with_its_themes_flags_and_campaign(client: Client, world: World) -> None:
    EqualityInformation.objects.create(response=world.responses[0], region="wales")
    page = client.get(reverse("workspace_response", args=[world.consultation.slug, world.responses[0].reference]))
    text = _text(page)
    assert "Quicker answers, charging ahead" in text
    assert "Themes: Speed" in text
    assert "One of 2 copies in campaign 1" in text
    assert "Strongly agree" in text and "By phone" in text and "Privacy" in text
    assert "Wales" not in text  # equality information is never shown beside answers

    flagged = client.get(reverse("workspace_response", args=[world.consultation.slug, world.responses[3].reference]))
    assert "Personal data found" in flagged.content.decode()


# --- Fairness ---------------------------------------------------------------------------------


def test_fairness_shows_shares_unassigned_and_flagged_per_group_and_hides_small_groups(
    client: Client, world: World
) -> None:
    why = world.questions["why"]
    london, wales = [], []
    for n in range(12):
        response = make_response(world.consultation, {why: f"Londoner {n}"})
        EqualityInformation.objects.create(response=response, region="london", age_band="25_34")
        london.append(response.answers.get())
    for n in range(3):
        response = make_response(world.consultation, {why: f"Welsh {n}"})
        EqualityInformation.objects.create(response=response, region="wales")
        wales.append(response.answers.get())
    # Three of London's twelve answers are in a theme; two are flagged.
    Theme.objects.get(run=world.run, label="Speed").assignments.create(answer=london[0])
    Theme.objects.get(run=world.run, label="Speed").assignments.create(answer=london[1])
    Theme.objects.get(run=world.run, label="Human contact").assignments.create(answer=london[2])
    Flag.objects.create(answer=london[0], reason=Flag.Reason.SPAM)
    Flag.objects.create(answer=london[3], reason=Flag.Reason.GENERATED, status=Flag.Status.APPROVED)

    text = _text(client.get(reverse("workspace_fairness", args=[world.consultation.slug])))
    assert "London 12 12 75% 17%" in text
    assert "Wales fewer than 10" in text
    assert "Welsh" not in text
    # Respondent type: individuals are the two in the world plus the fifteen above.
    assert "As an individual 17 17 71% 12%" in text  # 12 of 17 fit no theme, 2 flagged
    assert "On behalf of an organisation fewer than 10" in text
    # Too few people gave a disability for it to be shown at all.
    assert "Fewer than 10 people gave this information, so it is not shown." in text


def test_a_theme_from_an_older_run_is_refused_in_plain_words(client: Client, world: World) -> None:
    response = _drill(client, world, question=world.questions["why"].pk, theme=999999)
    assert '<a href="#id_theme">Choose a theme from the list</a>' in response.content.decode()


def test_the_dashboard_of_a_consultation_without_responses_or_runs_explains_itself(client: Client) -> None:
    consultation = make_consultation(phase="open")
    client.force_login(make_official(consultation.department, role="lead"))
    text = _text(client.get(reverse("workspace_analysis", args=[consultation.slug])))
    assert "No responses have been sent yet." in text
    assert "No analysis has finished yet" in text
    assert "Run the analysis again" in text


def test_the_dashboard_shows_a_new_runs_themes_at_once_though_counts_are_kept(client: Client, world: World) -> None:
    address = reverse("workspace_analysis", args=[world.consultation.slug])
    assert "Speed" in _text(client.get(address))
    make_run_with_themes(world.questions["why"], {"Brand new theme": world.answers})
    text = _text(client.get(address))
    assert "Brand new theme" in text and "Speed" not in text


# --- The topic map ----------------------------------------------------------------------------


def test_the_topic_map_draws_each_answer_coloured_by_theme_with_a_table_alternative(
    client: Client, world: World
) -> None:
    from consult.analysis.embedding import to_bytes

    vectors = [[1.0, 0.0, 0.0], [0.9, 0.1, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]
    for answer, vector in zip(world.answers, vectors, strict=True):
        AnswerEmbedding.objects.create(
            answer=answer, model_name="test", dimensions=3, vector=to_bytes(vector), text_hash="x"
        )
    why = world.questions["why"]
    response = client.get(reverse("workspace_topic_map", args=[world.consultation.slug, why.pk]))
    html = response.content.decode()
    assert html.count('<circle class="consult-map--') == 4 + 3  # four answers, three keys in the table
    assert f"{world.responses[3].reference}: Fits no theme" in html
    text = _text(response)
    assert "All 4 answers are drawn." in text
    assert re.search(r"Speed 2 \d+ \d+", text) and re.search(r"Fits no theme 1 \d+ \d+", text)


def test_the_topic_map_waits_for_a_finished_analysis(client: Client) -> None:
    consultation = make_consultation(phase="open")
    client.force_login(make_official(consultation.department, role="analyst"))
    why = consultation.questions.get(position=2)
    response = client.get(reverse("workspace_topic_map", args=[consultation.slug, why.pk]))
    assert "There is nothing to draw yet" in response.content.decode()


# --- In a browser: the live progress bar -------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_progress_bar_follows_a_running_analysis_until_it_finishes(live_server: object, browser: object) -> None:
    from django.conf import settings
    from playwright.sync_api import expect

    consultation = make_consultation(phase="closed")
    official = make_official(consultation.department, role="analyst")
    run = AnalysisRun.objects.create(
        consultation=consultation, status=AnalysisRun.Status.RUNNING, stage=AnalysisRun.Stage.EMBEDDING, progress=20
    )
    client = Client()
    client.force_login(official)
    context = browser.new_context()  # type: ignore[attr-defined]
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]  # type: ignore[attr-defined]
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(live_server.url + reverse("workspace_analysis", args=[consultation.slug]))  # type: ignore[attr-defined]
    progress = page.locator("#run-progress")
    expect(progress).to_have_attribute("value", "20")
    expect(page.get_by_role("link", name="Refresh the page")).to_be_hidden()  # the script polls instead

    AnalysisRun.objects.filter(pk=run.pk).update(stage=AnalysisRun.Stage.THEMES, progress=60)
    expect(page.get_by_text("Finding themes: 60% done.")).to_be_visible(timeout=10_000)
    assert progress.evaluate("bar => bar.value") == 60

    AnalysisRun.objects.filter(pk=run.pk).update(status=AnalysisRun.Status.SUCCEEDED, progress=100)
    expect(page.get_by_text("The analysis has finished.")).to_be_visible(timeout=10_000)
    expect(page.get_by_role("link", name="Reload the page")).to_be_visible()
    context.close()
    assert errors == [], errors

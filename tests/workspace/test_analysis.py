"""Reading the analysis in the workspace: the dashboard, one question in depth, the drill-down
into responses with its filters and search, one response, the fairness check, and starting a run
and following its progress."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from consult.models import (
    AnalysisRun,
    Answer,
    EqualityInformation,
    Flag,
    ReviewTheme,
    Theme,
    ThemeMapping,
    ThemeSet,
)
from consult.services.runs import AnalysisAlreadyRunning, request_analysis
from tests.factories import make_consultation, make_official, make_response, make_run_with_themes
from tests.workspace.analysis_world import World, build_world, page_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(client: Client) -> World:
    return build_world(client)


# --- The dashboard ----------------------------------------------------------------------------


def test_the_dashboard_counts_responses_by_day_and_by_respondent_type(client: Client, world: World) -> None:
    response = client.get(reverse("workspace_analysis", args=[world.consultation.slug]))
    assert response.status_code == 200
    text = page_text(response)
    assert "4 responses sent" in text  # the withdrawn one is not counted
    assert "As an individual 2 50%" in text
    assert "On behalf of an organisation 2 50%" in text
    assert len(response.context["days"]) == 2
    assert [day.count for day in response.context["days"]] == [2, 2]


def test_the_dashboard_shows_each_closed_question_as_a_chart_and_a_table(client: Client, world: World) -> None:
    response = client.get(reverse("workspace_analysis", args=[world.consultation.slug]))
    text = page_text(response)
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
    text = page_text(response)
    # Four answers, two of them one campaign: three when each campaign counts once.
    assert "Shares are of the 3 substantive answers, counting each campaign once" in text
    assert "Speed 2 67%" in text
    assert "2 agree, 0 neither, 0 disagree" in text
    assert "0 agree, 0 neither, 1 disagree" in text
    assert "“People need a person to talk to”" in text  # a representative quote
    assert "Fits no theme 1" in text
    assert "1 campaign: 2 answers that copy the same text" in text
    assert "It would be quicker" in text


def test_the_overview_lists_themes_largest_first_with_a_short_preview_and_the_evidence_folded(
    client: Client, world: World
) -> None:
    long_text = "I would rather speak to a person who knows my case " + "and can follow it through " * 8 + "to the end."
    Answer.objects.filter(pk=world.answers[3].pk).update(text=long_text)
    # A newer run whose first theme (by its key) is the smaller one.
    run = make_run_with_themes(
        world.questions["why"], {"Small theme": [world.answers[0]], "Large theme": world.answers[1:]}
    )
    large = run.themes.get(label="Large theme")
    Theme.representatives.through.objects.filter(theme=large).delete()
    # One at a time: the quotes keep the order they were added in (set() adds in no set order).
    large.representatives.add(world.answers[3])
    large.representatives.add(world.answers[2])

    html = client.get(reverse("workspace_analysis", args=[world.consultation.slug])).content.decode()
    text = page_text(client.get(reverse("workspace_analysis", args=[world.consultation.slug])))
    assert "Themes are listed largest first." in text
    assert text.index("Large theme 3") < text.index("Small theme 1") < text.index("Fits no theme")
    # The preview: the first quote cut at a word boundary, with an ellipsis; the whole of it is in
    # the evidence, behind a details component that is closed until opened.
    preview = re.search(r"“(I would rather speak to a person[^”]*)” R-", text)
    assert preview and preview.group(1).endswith("…") and len(preview.group(1)) <= 121
    assert preview.group(1)[:-1] in long_text and long_text.startswith(preview.group(1)[:-1])
    assert long_text[len(preview.group(1)) - 1] == " "  # cut where a word ends
    evidence = re.search(
        r'<details class="govuk-details[^"]*">(?:(?!</details>).)*Large theme(?:(?!</details>).)*</details>', html, re.S
    )
    assert evidence and f"“{long_text}”" in evidence.group(0)
    assert "Evidence: 2 quotes" in page_text_of(evidence.group(0))
    assert "Read all 3 answers in this theme" in page_text_of(evidence.group(0))
    assert not re.search(r"<details[^>]*\bopen\b", html)


def page_text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


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

    text = page_text(client.get(reverse("workspace_analysis", args=[world.consultation.slug])))
    assert "Themes signed off by officials" in text
    assert "Worried about people and data 2 50%" in text
    assert "0 agree, 0 neither, 2 disagree" in text  # strongly disagree and disagree
    assert "“People need a person to talk to”" in text  # the quote of the AI theme it came from


def test_the_dashboard_shows_answers_arrived_since_the_last_run(client: Client, world: World) -> None:
    make_response(world.consultation, {world.questions["why"]: "A late answer"})
    text = page_text(client.get(reverse("workspace_analysis", args=[world.consultation.slug])))
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
        response = make_response(world.consultation, {why: f"Written in Wales {n}"})
        EqualityInformation.objects.create(response=response, region="wales")
        wales.append(response.answers.get())
    # Three of London's twelve answers are in a theme; two are flagged.
    Theme.objects.get(run=world.run, label="Speed").assignments.create(answer=london[0])
    Theme.objects.get(run=world.run, label="Speed").assignments.create(answer=london[1])
    Theme.objects.get(run=world.run, label="Human contact").assignments.create(answer=london[2])
    Flag.objects.create(answer=london[0], reason=Flag.Reason.SPAM)
    Flag.objects.create(answer=london[3], reason=Flag.Reason.GENERATED, status=Flag.Status.APPROVED)

    text = page_text(client.get(reverse("workspace_fairness", args=[world.consultation.slug])))
    assert "London 12 12 75% 17%" in text
    assert "Wales fewer than 10" in text
    assert "Written in Wales" not in text  # no answer is quoted
    # Respondent type: individuals are the two in the world plus the fifteen above.
    assert "As an individual 17 17 71% 12%" in text  # 12 of 17 fit no theme, 2 flagged
    assert "On behalf of an organisation fewer than 10" in text
    # Too few people gave a disability for it to be shown at all.
    assert "Fewer than 10 people gave this information, so it is not shown." in text


def test_the_dashboard_of_a_consultation_without_responses_or_runs_explains_itself(client: Client) -> None:
    consultation = make_consultation(phase="open")
    client.force_login(make_official(consultation.department, role="lead"))
    text = page_text(client.get(reverse("workspace_analysis", args=[consultation.slug])))
    assert "No responses have been sent yet." in text
    assert "No analysis has finished yet" in text
    assert "Run the analysis again" in text


def test_the_dashboard_shows_a_new_runs_themes_at_once_though_counts_are_kept(client: Client, world: World) -> None:
    address = reverse("workspace_analysis", args=[world.consultation.slug])
    assert "Speed" in page_text(client.get(address))
    make_run_with_themes(world.questions["why"], {"Brand new theme": world.answers})
    text = page_text(client.get(address))
    assert "Brand new theme" in text and "Speed" not in text


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

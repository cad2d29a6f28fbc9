"""The drill-down into responses and one response in full, as an official reads them."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from consult.models import (
    Answer,
    EqualityInformation,
    ResponseRead,
    Theme,
)
from tests.factories import make_official, make_response
from tests.workspace.analysis_world import World, build_world, page_text, references_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(client: Client) -> World:
    return build_world(client)


# --- The drill-down ---------------------------------------------------------------------------


def _drill(client: Client, world: World, **params: object) -> object:
    return client.get(reverse("workspace_responses", args=[world.consultation.slug]), params)


def _refs(world: World, *indexes: int) -> set[str]:
    return {world.responses[i].reference for i in indexes}


def test_the_drill_down_lists_every_free_text_answer_of_sent_responses(client: Client, world: World) -> None:
    response = _drill(client, world)
    assert response.status_code == 200
    assert references_in(response) == _refs(world, 0, 1, 2, 3)
    assert "4 answers" in page_text(response)


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
        assert references_in(_drill(client, world, **params)) == _refs(world, *expected), params
    two_days_ago = today - timedelta(days=2)
    to_two_days_ago = {"to_day": two_days_ago.day, "to_month": two_days_ago.month, "to_year": two_days_ago.year}
    assert references_in(_drill(client, world, **to_two_days_ago)) == _refs(world, 0, 1)


def test_the_unread_filter_leaves_out_responses_the_official_has_read(client: Client, world: World) -> None:
    read = world.responses[2]
    client.get(reverse("workspace_response", args=[world.consultation.slug, read.reference]))
    assert ResponseRead.objects.filter(user=world.official, response=read).exists()
    assert references_in(_drill(client, world, unread="1")) == _refs(world, 0, 1, 3)
    # Another official has read nothing yet.
    client.force_login(make_official(world.consultation.department, role="analyst"))
    assert references_in(_drill(client, world, unread="1")) == _refs(world, 0, 1, 2, 3)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="full-text search is PostgreSQL's")
def test_search_finds_other_forms_of_a_word(client: Client, world: World) -> None:
    assert references_in(_drill(client, world, q="charges")) == _refs(world, 0)  # "charging"
    assert references_in(_drill(client, world, q="talking")) == _refs(world, 2)  # "talk"
    assert references_in(_drill(client, world, q="answer")) == _refs(world, 0)  # "answers"
    assert references_in(_drill(client, world, q='"person to talk"')) == _refs(world, 2)
    assert references_in(_drill(client, world, q="safe -data")) == set()


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
    assert references_in(response) == set()

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
    assert "30 answers" in page_text(response)
    assert len(references_in(response)) == 25
    assert f"?question={world.questions['anything'].pk}&amp;page=2" in response.content.decode()
    assert len(references_in(_drill(client, world, question=world.questions["anything"].pk, page=2))) == 5


def test_a_theme_from_an_older_run_is_refused_in_plain_words(client: Client, world: World) -> None:
    response = _drill(client, world, question=world.questions["why"].pk, theme=999999)
    assert '<a href="#id_theme">Choose a theme from the list</a>' in response.content.decode()


# --- One response -----------------------------------------------------------------------------


def test_a_response_shows_every_answer_with_its_themes_flags_and_campaign(client: Client, world: World) -> None:
    EqualityInformation.objects.create(response=world.responses[0], region="wales")
    page = client.get(reverse("workspace_response", args=[world.consultation.slug, world.responses[0].reference]))
    text = page_text(page)
    assert "Quicker answers, charging ahead" in text
    assert "Themes: Speed" in text
    assert "One of 2 copies in campaign 1" in text
    assert "Strongly agree" in text and "By phone" in text and "Privacy" in text
    assert "Wales" not in text  # equality information is never shown beside answers

    flagged = client.get(reverse("workspace_response", args=[world.consultation.slug, world.responses[3].reference]))
    assert "Personal data found" in flagged.content.decode()


# --- Answers not analysed yet -----------------------------------------------------------------


def _theme_line(client: Client, world: World, response: object) -> str:
    """What one response's page says of its answer to "why": its themes, or why it has none."""
    answer = response.answers.get(question=world.questions["why"])  # type: ignore[attr-defined]
    html = client.get(reverse("workspace_response", args=[world.consultation.slug, response.reference])).content
    section = re.search(rf'id="answer-{answer.pk}".*?</section>', html.decode(), re.S)
    assert section, html
    line = re.search(r'<p class="govuk-body-s">(.*?)</p>', section.group(0), re.S)
    assert line, section.group(0)
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", line.group(1))).strip()
    return re.sub(r"^Written in \w+ · ", "", text).split(" · ")[0].split(" Sent or changed")[0].strip()


def _place_late(world: World, answer: Answer, vector: list[float]) -> None:
    """Place an answer in the run's themes as it is placed on arrival, by the stored centroids: the
    two themes sit along the first two axes of a three-dimensional space."""
    import numpy as np

    from consult.analysis.embedding import to_bytes
    from consult.services import runs

    for label, centroid in (("Speed", [1.0, 0.0, 0.0]), ("Human contact", [0.0, 1.0, 0.0])):
        Theme.objects.filter(run=world.run, label=label).update(centroid=to_bytes(centroid), threshold=0.8)
    runs.place_late_answers(world.run, [answer], np.array([vector], dtype=np.float32))


def test_an_answer_sent_after_the_analysis_is_not_analysed_yet_rather_than_fitting_no_theme(
    client: Client, world: World
) -> None:
    late = make_response(world.consultation, {world.questions["why"]: "Sent after the analysis ran"})
    drill = page_text(_drill(client, world, question=world.questions["why"].pk))
    assert re.search(rf"{late.reference} .*?Sent after the analysis ran Not analysed yet", drill)
    assert _theme_line(client, world, late) == "Not analysed yet"
    # The answer the run itself read and found to fit no theme still says so.
    assert re.search(rf"{world.responses[3].reference} .*?My data would not be safe Fits no theme", drill)
    assert _theme_line(client, world, world.responses[3]) == "Fits no theme"


def test_once_a_late_answer_is_placed_it_shows_its_theme_or_that_it_fits_none(client: Client, world: World) -> None:
    why = world.questions["why"]
    fits = make_response(world.consultation, {why: "Faster, please"})
    fits_none = make_response(world.consultation, {why: "Something else entirely"})
    _place_late(world, fits.answers.get(question=why), [0.95, 0.05, 0.0])
    _place_late(world, fits_none.answers.get(question=why), [0.0, 0.0, 1.0])
    assert _theme_line(client, world, fits) == "Themes: Speed"
    assert _theme_line(client, world, fits_none) == "Fits no theme"
    # Changed again after it was placed, and not placed since: it waits again.
    answer = fits_none.answers.get(question=why)
    Answer.objects.filter(pk=answer.pk).update(text="Changed my mind", updated_at=timezone.now() + timedelta(seconds=1))
    assert _theme_line(client, world, fits_none) == "Not analysed yet"


def test_an_answer_saved_before_the_analysis_and_sent_after_it_is_not_analysed_yet(
    client: Client, world: World
) -> None:
    draft = make_response(world.consultation, {world.questions["why"]: "Saved early"}, status="draft")
    Answer.objects.filter(response=draft).update(updated_at=world.run.started_at - timedelta(hours=1))
    draft.status, draft.submitted_at = "submitted", timezone.now()
    draft.save(update_fields=["status", "submitted_at"])
    assert _theme_line(client, world, draft) == "Not analysed yet"


def test_the_overview_counts_answers_not_analysed_yet_apart_from_those_fitting_no_theme(
    client: Client, world: World
) -> None:
    why = world.questions["why"]
    late = make_response(world.consultation, {why: "Sent after the analysis ran"})
    text = page_text(client.get(reverse("workspace_analysis", args=[world.consultation.slug])))
    assert re.search(r"Fits no theme 1 \d+%", text)  # the answer the run read, as before
    assert "Not analysed yet Sent or changed since the analysis ran" in text
    assert re.search(r"placed shortly, or at the next analysis\. 1 \u2013", text)  # counted, no share
    # The drill-down's "Fits no theme" lists what the overview counts there, and no more.
    listed = references_in(_drill(client, world, question=why.pk, theme="none"))
    assert listed == {world.responses[3].reference}
    assert late.reference not in listed

"""The topic map of a free-text question: every answer drawn as a marker that links to it, each
theme with its own colour and shape and a link to its answers, and the table of themes beside it."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from consult.analysis.embedding import to_bytes
from consult.models import Answer, AnswerEmbedding
from tests.factories import make_consultation, make_official, make_response, make_run_with_themes
from tests.workspace.analysis_world import World, build_world, page_text

pytestmark = pytest.mark.django_db

STYLESHEET = Path(__file__).resolve().parents[2] / "static" / "css" / "consult.css"


@pytest.fixture
def world(client: Client) -> World:
    return build_world(client)


def _embed(answers: list[Answer], vectors: list[list[float]]) -> None:
    for answer, vector in zip(answers, vectors, strict=True):
        AnswerEmbedding.objects.create(
            answer=answer, model_name="test", dimensions=len(vector), vector=to_bytes(vector), text_hash="x"
        )


def _map(client: Client, consultation: object, question: object) -> str:
    return client.get(reverse("workspace_topic_map", args=[consultation.slug, question.pk])).content.decode()  # type: ignore[attr-defined]


def _table_rows(html: str) -> list[str]:
    """The table of themes beside the map, one line of text per theme."""
    body = re.search(r'id="map-themes".*?<tbody class="govuk-table__body">(.*?)</tbody>', html, re.S)
    assert body, html
    return [
        re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip()
        for row in re.findall(r"<tr.*?</tr>", body.group(1), re.S)
    ]


def test_each_marker_links_to_its_answer_and_each_theme_to_its_answers(client: Client, world: World) -> None:
    _embed(world.answers, [[1.0, 0.0, 0.0], [0.9, 0.1, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]])
    why = world.questions["why"]
    html = _map(client, world.consultation, why)

    links = re.findall(r'<a class="consult-map__point" href="([^"]+)"[^>]*><title>([^<]+)</title>', html)
    expected = {
        (reverse("workspace_response", args=[world.consultation.slug, r.reference]) + f"#answer-{a.pk}")
        for r, a in zip(world.responses, world.answers, strict=True)
    }
    assert {href for href, _ in links} == expected
    assert f"{world.responses[3].reference}: Fits no theme" in {name for _, name in links}
    assert "All 4 answers are drawn." in page_text(
        client.get(reverse("workspace_topic_map", args=[world.consultation.slug, why.pk]))
    )

    # The table beside the map: themes largest first, numbered as on the map, each linking to
    # the drill-down of its answers, which lists exactly the answers the map drew in it.
    rows = _table_rows(html)
    assert re.fullmatch(r"1\. Speed 2 \d+ \d+", rows[0]) and re.fullmatch(r"2\. Human contact 1 \d+ \d+", rows[1])
    assert re.fullmatch(r"Fits no theme 1 \d+ \d+", rows[2])
    drill = reverse("workspace_responses", args=[world.consultation.slug])
    speed = world.run.themes.get(label="Speed")
    assert f'href="{drill}?question={why.pk}&amp;theme={speed.pk}">Speed</a>' in html
    assert f'href="{drill}?question={why.pk}&amp;theme=none">Fits no theme</a>' in html
    listed = client.get(drill, {"question": why.pk, "theme": speed.pk}).content.decode()
    assert {r.reference for r in world.responses[:2]} <= set(re.findall(r"R-[0-9A-Z-]{14}", listed))
    assert world.responses[2].reference not in listed


def test_twenty_themes_each_have_their_own_colour_and_shape_and_neighbours_differ_in_both(client: Client) -> None:
    consultation = make_consultation(phase="closed")
    client.force_login(make_official(consultation.department, role="analyst"))
    why = consultation.questions.get(position=2)
    answers = [make_response(consultation, {why: f"Answer {n}"}).answers.get(question=why) for n in range(20)]
    make_run_with_themes(why, {f"Theme {n:02}": [answers[n]] for n in range(20)})
    _embed(answers, [[float(n == d) + 0.01 * n for d in range(20)] for n in range(20)])
    html = _map(client, consultation, why)

    key = r'<svg class="consult-map__key"[^>]*><use class="consult-map--(\w+)" href="#consult-marker-([\w-]+)">'
    keys = re.findall(key, html)
    assert len(keys) == 20
    assert len(set(keys)) == 20  # no two themes look alike
    for (colour, shape), (next_colour, next_shape) in itertools.pairwise(keys):
        assert colour != next_colour and shape != next_shape
    # Colour is never the only cue: each theme's number is written on the map where its answers sit.
    numbers = re.findall(r'<text class="consult-map__number"[^>]*>(\d+)</text>', html)
    assert sorted(map(int, numbers)) == list(range(1, 21))


def _contrast(colour: str, background: str = "#ffffff") -> float:
    def luminance(hex_colour: str) -> float:
        channels = [int(hex_colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    lighter, darker = sorted((luminance(colour), luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def test_every_theme_colour_has_three_to_one_contrast_against_the_map() -> None:
    from consult.queries.workspace.topic_map import MAP_COLOURS

    css = STYLESHEET.read_text()
    colours = dict(re.findall(r"\.consult-map--(\d+) \{ fill: (#[0-9a-fA-F]{6}); \}", css))
    assert sorted(colours) == [str(n) for n in range(MAP_COLOURS)]
    assert len(set(colours.values())) == MAP_COLOURS
    low = {n: round(_contrast(c), 2) for n, c in colours.items() if _contrast(c) < 3}
    assert low == {}  # WCAG 1.4.11: graphical objects need 3:1 against what is around them


def test_the_topic_map_waits_for_a_finished_analysis(client: Client) -> None:
    consultation = make_consultation(phase="open")
    client.force_login(make_official(consultation.department, role="analyst"))
    why = consultation.questions.get(position=2)
    response = client.get(reverse("workspace_topic_map", args=[consultation.slug, why.pk]))
    assert "There is nothing to draw yet" in response.content.decode()


def test_an_answer_sent_after_the_analysis_is_drawn_as_not_analysed_yet(client: Client, world: World) -> None:
    why = world.questions["why"]
    late = make_response(world.consultation, {why: "Sent after the analysis ran"})
    late_answer = late.answers.get(question=why)
    _embed([*world.answers, late_answer], [[1.0, 0, 0], [0.9, 0.1, 0], [0, 1.0, 0], [0, 0, 1.0], [0, 0.5, 0.5]])
    html = _map(client, world.consultation, why)
    assert f"<title>{late.reference}: Not analysed yet</title>" in html
    assert f"<title>{world.responses[3].reference}: Fits no theme</title>" in html
    assert any(re.fullmatch(r"Not analysed yet 1 \d+ \d+", row) for row in _table_rows(html))

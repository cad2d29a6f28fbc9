"""Sub-themes as officials meet them: under their theme on the question's analysis page, as a
filter of the answers (refusing any sub-theme but the latest run's of the chosen question), beside
an answer's themes on one response, and in the workbook. A question without sub-themes looks as
it always did."""

from __future__ import annotations

import io
import re

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from consult.models import Answer, ReviewTheme, SubTheme, ThemeMapping, ThemeSet
from tests.factories import make_consultation, make_department, make_official, make_response, make_run_with_themes
from tests.workspace.analysis_world import page_text
from tests.workspace.sub_theme_world import SubThemeWorld, build_sub_theme_world, make_sub_theme

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> SubThemeWorld:
    return build_sub_theme_world()


@pytest.fixture
def analyst(client: Client, world: SubThemeWorld) -> Client:
    client.force_login(world.analyst)
    return client


def _question_page(client: Client, world: SubThemeWorld) -> str:
    response = client.get(reverse("workspace_question_analysis", args=[world.consultation.slug, world.why.pk]))
    assert response.status_code == 200
    return response.content.decode()


def _answers(client: Client, world: SubThemeWorld, **query: object) -> tuple[int, str]:
    response = client.get(reverse("workspace_responses", args=[world.consultation.slug]), query)
    return response.status_code, response.content.decode()


def _listed_texts(html: str) -> set[str]:
    return {text for text in re.findall(r"consult-answer-text[^>]*>([^<]*)", html)}


# --- The question's analysis page ---------------------------------------------------------------


def test_each_theme_lists_its_sub_themes_largest_first_with_their_share_of_the_theme(
    analyst: Client, world: SubThemeWorld
) -> None:
    html = _question_page(analyst, world)
    text = page_text_of(html)

    assert text.count("narrower views inside a theme") == 1  # said once, before the first
    assert "Sub-themes: 2 inside Speed" in text
    by_phone = html.index("Answers by phone")
    assert by_phone < html.index("Out of office hours")
    assert "Answers by phone Quicker answers on the phone line. 2 50%" in text
    assert "Out of office hours 1 25%" in text
    # Each links to its answers.
    assert f"?question={world.why.pk}&amp;sub_theme={world.by_phone.pk}" in html
    # "Human contact" has none: no sub-theme section under it.
    assert "inside Human contact" not in text


def test_small_views_among_answers_that_fit_no_theme_are_shown_apart(analyst: Client, world: SubThemeWorld) -> None:
    text = page_text_of(_question_page(analyst, world))
    assert "Smaller views among answers that fit no theme: 1" in text
    assert "Data safety Worries about their data. 1 100%" in text


def test_a_question_without_sub_themes_looks_as_it_always_did(client: Client) -> None:
    world = build_sub_theme_world(with_sub_themes=False)
    client.force_login(world.analyst)
    html = _question_page(client, world)
    assert "consult-sub-themes" not in html
    assert "Sub-theme" not in html and "sub_theme" not in html and "narrower views" not in html
    assert "Smaller views" not in html
    _, answers = _answers(client, world, question=world.why.pk)
    assert 'name="sub_theme"' not in answers


def test_under_officials_signed_off_themes_the_runs_sub_themes_are_not_shown(
    analyst: Client, world: SubThemeWorld
) -> None:
    theme_set = ThemeSet.objects.create(
        question=world.why,
        source_run=world.run,
        status=ThemeSet.Status.SIGNED_OFF,
        mapping_status=ThemeSet.MappingStatus.DONE,
    )
    theme = ReviewTheme.objects.create(theme_set=theme_set, position=1, label="Speed of answers")
    ThemeMapping.objects.bulk_create(
        ThemeMapping(theme=theme, answer=a, source=ThemeMapping.Source.AI) for a in world.answers[:4]
    )
    html = _question_page(analyst, world)
    assert "Speed of answers" in html
    assert "consult-sub-themes" not in html and "Answers by phone" not in html


# --- The answers' filter ------------------------------------------------------------------------


def test_the_answers_filter_to_one_sub_theme_and_say_which(analyst: Client, world: SubThemeWorld) -> None:
    status, html = _answers(analyst, world, question=world.why.pk, sub_theme=world.by_phone.pk)
    assert status == 200
    assert _listed_texts(html) == set(world.answers[i].text for i in (0, 1))
    text = page_text_of(html)
    assert "Answers in the sub-theme “Answers by phone”, a narrower view inside the theme “Speed”." in text
    # The filter offers the question's sub-themes grouped by their theme, the chosen one selected.
    assert re.search(r'<optgroup label="Inside “Speed”">', html)
    assert re.search(rf'<option value="{world.by_phone.pk}" selected>Answers by phone</option>', html)
    assert '<optgroup label="Among answers that fit no theme">' in html

    _, html = _answers(analyst, world, question=world.why.pk, sub_theme=world.data_safety.pk)
    assert _listed_texts(html) == {world.answers[5].text}
    assert "a smaller view among answers that fit no theme" in page_text_of(html)


def test_another_departments_sub_theme_is_a_form_error_and_shows_none_of_its_answers(
    analyst: Client, world: SubThemeWorld
) -> None:
    elsewhere = make_consultation(phase="closed", department=make_department("Home Office"))
    their_why = elsewhere.questions.get(position=2)
    secret = make_response(elsewhere, {their_why: "A secret about the border"}).answers.get(question=their_why)
    their_run = make_run_with_themes(their_why, {"Borders": [secret]})
    theirs = make_sub_theme(their_run, their_why, their_run.themes.get(), 1, "Border secrets", [secret])

    for question in (world.why.pk, their_why.pk):
        status, html = _answers(analyst, world, question=question, sub_theme=theirs.pk)
        assert status == 200
        assert "There is a problem" in html
        assert "A secret about the border" not in html and "Border secrets" not in html
        assert _listed_texts(html) == set()


def test_a_sub_theme_of_an_older_run_or_another_question_or_no_question_is_refused_in_plain_words(
    analyst: Client, world: SubThemeWorld
) -> None:
    anything = world.consultation.questions.get(position=5)
    other_answer = Answer.objects.create(response=world.answers[0].response, question=anything, text="More to say")
    newer = make_run_with_themes(world.why, {"Speed": world.answers[:4]})
    # The world's run is now the older one: its sub-themes are stale links.
    _, html = _answers(analyst, world, question=world.why.pk, sub_theme=world.by_phone.pk)
    assert "Choose a sub-theme from the list" in html and _listed_texts(html) == set()

    of_newer = make_sub_theme(newer, world.why, newer.themes.get(), 1, "Phone", world.answers[:1])
    of_anything = make_sub_theme(newer, anything, None, 2, "More", [other_answer])
    _, html = _answers(analyst, world, question=world.why.pk, sub_theme=of_anything.pk)
    assert "Choose a sub-theme from the list" in html and _listed_texts(html) == set()
    _, html = _answers(analyst, world, sub_theme=of_newer.pk)
    assert "Choose the question the sub-theme belongs to" in html and _listed_texts(html) == set()
    for mangled in ("abc", "99999999999999999999", "-1"):
        status, html = _answers(analyst, world, question=world.why.pk, sub_theme=mangled)
        assert status == 200 and "Choose a sub-theme from the list" in html
    _, html = _answers(analyst, world, question=world.why.pk, sub_theme=of_newer.pk)
    assert _listed_texts(html) == {world.answers[0].text}


# --- One response -------------------------------------------------------------------------------


def test_one_response_shows_its_answers_sub_theme_beside_its_theme(analyst: Client, world: SubThemeWorld) -> None:
    def answer_line(answer: Answer) -> str:
        url = reverse("workspace_response", args=[world.consultation.slug, answer.response.reference])
        text = page_text(analyst.get(url))
        return text[text.index(answer.text) :]

    themes = answer_line(world.answers[1]).split("Themes:", 1)[1].strip()
    assert themes.startswith("Speed · Sub-theme: Answers by phone")
    assert "Fits no theme · Sub-theme: Data safety" in answer_line(world.answers[5])
    assert "Sub-theme" not in answer_line(world.answers[3])  # in Speed, in none of its sub-themes


# --- The workbook -------------------------------------------------------------------------------


def test_the_workbook_lists_sub_themes_under_their_theme_with_counts(analyst: Client, world: SubThemeWorld) -> None:
    response = analyst.get(reverse("workspace_export_xlsx", args=[world.consultation.slug]))
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    [name] = [name for name in workbook.sheetnames if name.startswith("Q2 ")]
    rows = [[cell.value for cell in row] for row in workbook[name].iter_rows()]
    [start] = [n for n, row in enumerate(rows) if row[0] == "Theme"]
    header = rows[start]
    assert header[-2:] == ["Sub-theme of", "Share of its theme"]
    table = [row for row in rows[start + 1 :] if row[0] is not None]
    assert [(row[0], row[1], row[-2]) for row in table] == [
        ("Speed", 4, None),
        ("Answers by phone", 2, "Speed"),
        ("Out of office hours", 1, "Speed"),
        ("Human contact", 1, None),
        ("Fits no theme", 1, None),
        ("Data safety", 1, "Fits no theme"),
    ]
    assert table[1][-1] == pytest.approx(0.5) and table[2][-1] == pytest.approx(0.25)
    assert table[1][3] == "Quicker answers on the phone line."
    about = {row[0].value: row[1].value for row in workbook["About"].iter_rows() if row[0].value == name}
    assert "sub-themes" in about[name]


def test_the_workbook_of_a_question_without_sub_themes_has_no_sub_theme_columns(client: Client) -> None:
    world = build_sub_theme_world(with_sub_themes=False)
    client.force_login(world.analyst)
    response = client.get(reverse("workspace_export_xlsx", args=[world.consultation.slug]))
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    [name] = [name for name in workbook.sheetnames if name.startswith("Q2 ")]
    values = {cell.value for row in workbook[name].iter_rows() for cell in row}
    assert "Sub-theme of" not in values and "Share of its theme" not in values
    assert not SubTheme.objects.exists()


def page_text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace(" .", ".")


def test_an_outsider_never_reaches_the_sub_theme_filter(client: Client, world: SubThemeWorld) -> None:
    client.force_login(make_official(make_department("Cabinet Office"), role="lead"))
    response = client.get(
        reverse("workspace_responses", args=[world.consultation.slug]),
        {"question": world.why.pk, "sub_theme": world.by_phone.pk},
    )
    assert response.status_code == 404

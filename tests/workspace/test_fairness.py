"""The fairness check's languages and agreement by group: the language of the pages and of the
answers as groups, and how each group answered the agreement questions, small groups withheld.
(Its first breakdowns, by respondent type and equality group, are tested with the other analysis
pages in test_analysis.py.)"""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from consult.models import Consultation, Question
from tests.factories import make_consultation, make_official, make_response
from tests.workspace.analysis_world import page_text
from tests.workspace.fairness_world import Groups, build_groups

pytestmark = pytest.mark.django_db


@pytest.fixture
def groups(client: Client) -> Groups:
    groups = build_groups()
    client.force_login(make_official(groups.consultation.department, role="analyst"))
    return groups


def _fairness_text(client: Client, consultation: Consultation) -> str:
    response = client.get(reverse("workspace_fairness", args=[consultation.slug]))
    assert response.status_code == 200
    return page_text(response)


def _sections(client: Client, consultation: Consultation) -> dict[str, str]:
    """The fairness page's text under each heading, keyed by the heading ("Agreement by group",
    "Language of the answer", ...); a heading used in both halves of the page is keyed by the
    half it is in, as in "Agreement by group / Language of the pages"."""
    html = client.get(reverse("workspace_fairness", args=[consultation.slug])).content.decode()
    parts = re.split(r"<h([23])[^>]*>(.*?)</h[23]>", html)
    sections, half = {}, ""
    for level, heading, body in zip(parts[1::3], parts[2::3], parts[3::3], strict=True):
        if level == "2":
            half = heading
        sections[heading if level == "2" else f"{half} / {heading}"] = re.sub(
            r"\s+", " ", re.sub(r"<[^>]+>", " ", body)
        )
    return sections


def test_fairness_compares_the_language_of_the_answers_and_of_the_pages(client: Client, groups: Groups) -> None:
    sections = _sections(client, groups.consultation)
    by_answer = sections["Written answers that fit no theme or were flagged / Language of the answer"]
    by_pages = sections["Written answers that fit no theme or were flagged / Language of the pages"]

    # The Londoners' 12 answers and the two Welsh-page answers written in English: 6 of 14 fit no
    # theme. The ten answers in Welsh: 8 fit no theme, 1 flagged. The organisations' three
    # answers, not read yet, are too few to show.
    assert "English 14 14 43% 0%" in by_answer
    assert "Welsh 10 10 80% 10%" in by_answer
    assert "Not known fewer than 10" in by_answer
    # By the pages: 15 on the English pages (9 fit no theme), 12 on the Welsh pages (8).
    assert "English 15 15 60% 0%" in by_pages
    assert "Welsh 12 12 67% 8%" in by_pages


def test_agreement_by_group_shows_each_groups_split_beside_everyones(client: Client, groups: Groups) -> None:
    sections = _sections(client, groups.consultation)
    question = sections[f"Agreement by group / Question 1: {groups.agree.text}"]

    tables = dict(table.split(" ", 1) for table in question.split("Question 1 by ")[1:])
    by_type, by_pages, by_region = tables["respondent"], tables["language"], tables["region"]
    # Everyone: 27 answered (the withdrawn response is not counted), 14 agree, 1 neither, 12 disagree,
    # in each table shown, beside the groups.
    assert list(tables) == ["respondent", "language", "region"]
    for table in tables.values():
        assert "Everyone who answered 27 14 (52%) 1 (4%) 12 (44%)" in table
    assert "As an individual 24 11 (46%) 1 (4%) 12 (50%)" in by_type
    assert "On behalf of an organisation fewer than 10" in by_type
    assert "English 15 12 (80%) 0 (0%) 3 (20%)" in by_pages
    assert "Welsh 12 2 (17%) 1 (8%) 9 (75%)" in by_pages
    assert "London 12 9 (75%) 0 (0%) 3 (25%)" in by_region
    assert "Wales 12 2 (17%) 1 (8%) 9 (75%)" in by_region
    assert "Not given fewer than 10" in by_region  # the organisations gave no region
    assert "Age: fewer than 10 of the people who answered gave this information" in question


def test_agreement_by_group_counts_what_the_dashboard_counts(client: Client, groups: Groups) -> None:
    dashboard = client.get(reverse("workspace_analysis", args=[groups.consultation.slug])).context
    [closed] = [result for result in dashboard["closed_results"] if result.question == groups.agree]
    by_label = {bar.label: bar.count for bar in closed.bars}

    fairness = client.get(reverse("workspace_fairness", args=[groups.consultation.slug])).context
    [result] = fairness["agreement"]
    assert result.everyone.answered == closed.answered
    assert result.everyone.split.agree == by_label["Strongly agree"] + by_label["Agree"]
    assert result.everyone.split.disagree == by_label["Disagree"] + by_label["Strongly disagree"]
    # Every characteristic's groups add up to everyone who answered.
    for breakdown in result.breakdowns:
        assert sum(group.answered for group in breakdown.groups) == closed.answered, breakdown.title


def test_a_question_too_few_answered_is_not_broken_down(client: Client) -> None:
    consultation = make_consultation(phase="closed")
    agree = consultation.questions.get(position=1)
    for point in [5, 5, 1]:
        make_response(consultation, {agree: point})
    client.force_login(make_official(consultation.department, role="analyst"))
    text = _fairness_text(client, consultation)
    assert "Fewer than 10 people answered this question, so it is not broken down by group." in text
    assert "(67%)" not in text and "(33%)" not in text


def test_a_consultation_without_agreement_questions_says_so(client: Client) -> None:
    consultation = make_consultation(phase="closed")
    consultation.questions.filter(kind=Question.Kind.AGREEMENT).update(kind=Question.Kind.SINGLE_CHOICE)
    client.force_login(make_official(consultation.department, role="analyst"))
    assert "This consultation has no agreement questions." in _fairness_text(client, consultation)

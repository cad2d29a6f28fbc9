"""The drill-down's pages: Next, Previous and the numbered links carry a cursor (keyset
pagination), so every page costs the same however deep; following them reaches exactly the rows
that the numbered pages list, in the same order, with nothing skipped or repeated, even when many
responses share the same moment of sending."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from consult.models import Consultation, Question, Response
from tests.factories import make_consultation, make_official, make_response

pytestmark = pytest.mark.django_db

ANSWERS = 62  # three pages of 25, the last one short


@pytest.fixture
def consultation(client: Client) -> Consultation:
    """62 answers to a free-text question; groups of four responses share their sending time, so
    the order within a group depends on the answers' ids alone."""
    consultation = make_consultation(phase="closed")
    question = consultation.questions.get(position=5)
    assert question.kind == Question.Kind.FREE_TEXT
    start = timezone.now() - timedelta(days=3)
    for n in range(ANSWERS):
        make_response(consultation, {question: f"Answer number {n}"}, submitted_at=start + timedelta(minutes=n // 4))
    client.force_login(make_official(consultation.department, role="analyst"))
    return consultation


def _get(client: Client, consultation: Consultation, query: str = "") -> str:
    url = reverse("workspace_responses", args=[consultation.slug])
    response = client.get(url + query)
    assert response.status_code == 200
    return response.content.decode()


def _references(page: str) -> list[str]:
    return re.findall(r'<span class="consult-reference">([^<]+)</span>', page)


def _link(page: str, rel: str) -> str | None:
    match = re.search(rf'href="([^"]+)" rel="{rel}"', page)
    return html.unescape(match.group(1)) if match else None


def _numbered(page: str, number: int) -> str | None:
    match = re.search(rf'href="([^"]+)" aria-label="Page {number}"', page)
    return html.unescape(match.group(1)) if match else None


def _newest_first(consultation: Consultation) -> list[str]:
    return list(
        Response.objects.filter(consultation=consultation, status=Response.Status.SUBMITTED)
        .order_by("-submitted_at", "-answers__pk")
        .values_list("reference", flat=True)
    )


def test_following_next_reaches_every_answer_once_in_the_order_of_the_numbered_pages(
    client: Client, consultation: Consultation
) -> None:
    numbered = [ref for n in (1, 2, 3) for ref in _references(_get(client, consultation, f"?page={n}"))]
    assert numbered == _newest_first(consultation)

    followed, page, pages = [], _get(client, consultation), 0
    while True:
        followed += _references(page)
        pages += 1
        following = _link(page, "next")
        if following is None:
            break
        assert "after=" in following  # a cursor, not an offset
        page = _get(client, consultation, following)
    assert pages == 3
    assert followed == numbered


def test_following_previous_from_the_last_page_goes_back_through_the_same_pages(
    client: Client, consultation: Consultation
) -> None:
    last = _get(client, consultation, "?page=3")
    assert "Showing 51 to 62" in " ".join(re.sub(r"<[^>]+>", " ", last).split())
    second = _get(client, consultation, _link(last, "prev") or "")
    assert "before=" in (_link(last, "prev") or "")
    assert _references(second) == _references(_get(client, consultation, "?page=2"))
    first = _get(client, consultation, _link(second, "prev") or "")
    assert _references(first) == _references(_get(client, consultation, "?page=1"))
    assert _link(first, "prev") is None


def test_numbered_links_near_the_current_page_show_the_same_rows_as_the_page_numbers(
    client: Client, consultation: Consultation
) -> None:
    first = _get(client, consultation)
    third_link = _numbered(first, 3)
    assert third_link is not None and "after=" in third_link and "skip=1" in third_link
    assert _references(_get(client, consultation, third_link)) == _references(_get(client, consultation, "?page=3"))

    third = _get(client, consultation, third_link)
    first_link = _numbered(third, 1)
    assert _references(_get(client, consultation, first_link or "")) == _references(first)
    assert _references(_get(client, consultation, _numbered(third, 2) or "")) == _references(
        _get(client, consultation, "?page=2")
    )


def test_a_page_past_the_end_shows_the_last_page_and_filters_survive_paging(
    client: Client, consultation: Consultation
) -> None:
    deepest = _get(client, consultation, "?page=100000")
    assert _references(deepest) == _newest_first(consultation)[50:]
    assert _link(deepest, "next") is None

    filtered = _get(client, consultation, "?respondent_type=individual")
    following = _link(filtered, "next") or ""
    assert following.startswith("?respondent_type=individual&page=2&after=")


def test_a_mangled_page_position_falls_back_to_the_first_page(client: Client, consultation: Consultation) -> None:
    assert _references(_get(client, consultation, "?page=x&after=y&skip=-1")) == _newest_first(consultation)[:25]

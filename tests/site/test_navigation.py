"""The header's navigation follows who is signed in and where they are.

An official's account is a work account (an official is whoever holds a role in a department or
on a shared consultation; `is_staff` is only for the Django admin): their header never offers a
citizen's items (their responses, organisations, following). On workspace pages it is the
workspace's own navigation; on public pages it leads back to the workspace. Citizens keep their
items and never see the workspace.
"""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import make_consultation, make_official, make_user

pytestmark = pytest.mark.django_db

CITIZENS_ITEMS = ["Your responses", "Your organisations", "Following"]


def _header(response: object) -> list[str]:
    """The service name and navigation links of the page's header, as text."""
    html = response.content.decode()  # type: ignore[attr-defined]
    header = html.split('<header class="govuk-template__header">', 1)[1].split("</header>", 1)[0]
    navigation = header.split("govuk-service-navigation", 1)[1].split("</section>", 1)[0]
    return [re.sub(r"\s+", " ", text).strip() for text in re.findall(r"<a [^>]*>(.*?)</a>", navigation, re.S)]


def _footer(response: object) -> str:
    return response.content.decode().split('<footer class="govuk-footer">', 1)[1]  # type: ignore[attr-defined]


@pytest.mark.parametrize(("role", "may_verify"), [("lead", True), ("analyst", False), ("moderator", False)])
def test_an_official_on_a_workspace_page_sees_the_workspace_navigation_only(
    client: Client, role: str, may_verify: bool
) -> None:
    consultation = make_consultation()
    client.force_login(make_official(consultation.department, role=role))
    for address in (reverse("workspace_home"), reverse("workspace_audit", args=[consultation.slug])):
        page = client.get(address)
        assert page.status_code == 200
        expected = ["Consult workspace", "Your consultations"]
        expected += ["Organisations"] if may_verify else []
        expected += ["Public site", "Your account", "Sign out"]
        assert _header(page) == expected
        assert not any(item in _footer(page) for item in CITIZENS_ITEMS)


def test_an_official_on_a_public_page_is_led_back_to_the_workspace_not_to_a_citizens_items(
    client: Client,
) -> None:
    client.force_login(make_official())
    page = client.get(reverse("consultation_list"))
    assert _header(page) == ["Consult", "Consultations", "Workspace", "Your account", "Sign out"]
    assert "Your responses" not in _footer(page)


def test_a_citizen_sees_their_own_items_and_never_the_workspace(client: Client) -> None:
    client.force_login(make_user())
    page = client.get(reverse("consultation_list"))
    assert _header(page) == [
        "Consult",
        "Consultations",
        "Your responses",
        "Your organisations",
        "Following",
        "Your account",
        "Sign out",
    ]
    assert "Your responses" in _footer(page)


def test_a_visitor_who_is_not_signed_in_is_offered_sign_in(client: Client) -> None:
    assert _header(client.get(reverse("consultation_list"))) == ["Consult", "Consultations", "Sign in"]

"""Sub-themes in the review of themes: listed under the theme their candidate became, and added by
a lead as a theme of its own, audited, whose answers the mapping then learns from."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.test import Client
from django.urls import reverse

from consult.models import AuditEvent, ReviewTheme, ThemeSet
from consult.queries.workspace.review import mapping_evidence
from consult.services import review
from tests.factories import make_run_with_themes
from tests.workspace.analysis_world import page_text
from tests.workspace.sub_theme_world import SubThemeWorld, build_sub_theme_world, make_sub_theme

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> SubThemeWorld:
    return build_sub_theme_world()


@pytest.fixture
def lead(client: Client, world: SubThemeWorld) -> Client:
    client.force_login(world.lead)
    response = client.post(reverse("workspace_theme_set_start", args=[world.consultation.slug, world.why.pk]))
    assert response.status_code == 302
    return client


def _theme_set(world: SubThemeWorld) -> ThemeSet:
    return ThemeSet.objects.get(question=world.why)


def _add_url(world: SubThemeWorld, sub_theme_id: int) -> str:
    return reverse("workspace_sub_theme_add", args=[world.consultation.slug, sub_theme_id])


def _set_page(client: Client, world: SubThemeWorld) -> str:
    response = client.get(reverse("workspace_theme_set", args=[world.consultation.slug, world.why.pk]))
    assert response.status_code == 200
    return page_text(response)


def test_each_theme_in_review_lists_its_candidates_sub_themes_and_other_those_that_fit_none(
    lead: Client, world: SubThemeWorld
) -> None:
    text = _set_page(lead, world)
    speed, human, other = text.index("Speed"), text.index("Human contact"), text.rindex("Other")
    sub_themes = re.findall(
        r"(Answers by phone|Out of office hours|Data safety)\b[^0-9]*? (\d+) Add as a theme : \1", text
    )
    assert sub_themes == [("Answers by phone", "2"), ("Out of office hours", "1"), ("Data safety", "1")]
    assert speed < text.index("Answers by phone") < human  # under Speed's card
    assert other < text.index("Data safety")  # under Other's
    assert "Sub-themes: narrower views inside this theme" in text
    assert "Smaller views among answers that fit no theme" in text


def test_a_lead_adds_a_sub_theme_as_a_theme_and_the_audit_trail_says_so(lead: Client, world: SubThemeWorld) -> None:
    confirm = lead.get(_add_url(world, world.by_phone.pk))
    assert confirm.status_code == 200
    assert "2 answers share this narrower view" in page_text(confirm)
    version = _theme_set(world).version

    response = lead.post(_add_url(world, world.by_phone.pk), {"version": version})
    assert response.status_code == 302

    theme = _theme_set(world).themes.get(label="Answers by phone")
    assert theme.description == "Quicker answers on the phone line."
    assert theme.source == ReviewTheme.Source.AI and theme.created_by == world.lead
    assert list(theme.sub_theme_candidates.all()) == [world.by_phone]
    assert _theme_set(world).version == version + 1
    event = AuditEvent.objects.get(action="theme.add_sub_theme")
    assert (event.object_type, event.object_id, event.actor) == ("reviewtheme", str(theme.pk), world.lead)
    assert event.after["sub_theme"] == world.by_phone.pk and event.after["sub_theme_answers"] == 2
    trail = unescape(page_text(lead.get(reverse("workspace_audit", args=[world.consultation.slug]))))
    assert "added the AI's sub-theme “Answers by phone” as a theme of question 2" in trail

    # Listed as added, said where it came from, and not added twice.
    page = unescape(_set_page(lead, world))
    assert "Added as the theme “Answers by phone”" in page
    assert "Came from The AI's sub-theme: Answers by phone" in page
    again = lead.post(_add_url(world, world.by_phone.pk), {"version": _theme_set(world).version})
    assert again.status_code == 409 and "“Answers by phone” is already a theme." in page_text(again)
    assert _theme_set(world).themes.filter(label="Answers by phone").count() == 1


def test_the_mapping_learns_from_the_sub_themes_answers(lead: Client, world: SubThemeWorld) -> None:
    theme_set = _theme_set(world)
    from_sub_theme = review.add_sub_theme_as_theme(theme_set, world.data_safety, world.lead, version=theme_set.version)
    by_hand = review.create_theme(
        theme_set, world.lead, version=theme_set.version, label="Data safety", description="Worries about their data."
    )
    evidence = mapping_evidence(theme_set, list(theme_set.themes.all()))
    assert evidence[from_sub_theme.pk].positives == {world.answers[5].pk}
    assert evidence[by_hand.pk].positives == frozenset()  # the same words, without the sub-theme's answers
    # A merged theme keeps the sub-theme's answers as evidence.
    speed = theme_set.themes.get(label="Speed")
    merged = review.merge_themes(
        theme_set,
        world.lead,
        version=theme_set.version,
        theme_ids=[speed.pk, from_sub_theme.pk],
        label="Speed and data",
        description="",
    )
    assert list(merged.sub_theme_candidates.all()) == [world.data_safety]
    merged_evidence = mapping_evidence(theme_set, [merged])[merged.pk].positives
    assert merged_evidence == {a.pk for a in world.answers[:4]} | {world.answers[5].pk}


def test_a_sub_theme_of_another_run_or_a_stale_page_or_signed_off_themes_adds_nothing(
    lead: Client, world: SubThemeWorld
) -> None:
    theme_set = _theme_set(world)
    newer = make_run_with_themes(world.why, {"Speed": world.answers[:4]})
    of_newer = make_sub_theme(newer, world.why, newer.themes.get(), 1, "Phone", world.answers[:1])
    response = lead.post(_add_url(world, of_newer.pk), {"version": theme_set.version})
    assert "That sub-theme is not one of the analysis run these themes came from." in page_text(response)

    stale = lead.post(_add_url(world, world.by_phone.pk), {"version": theme_set.version + 1})
    assert stale.status_code == 409 and "Someone else changed these themes" in page_text(stale)

    review.sign_off(theme_set, world.lead, version=theme_set.version)
    with pytest.raises(review.ReviewError, match="signed off"):
        review.add_sub_theme_as_theme(theme_set, world.by_phone, world.lead, version=theme_set.version)
    assert not ReviewTheme.objects.filter(sub_theme_candidates__isnull=False).exists()
    assert not AuditEvent.objects.filter(action="theme.add_sub_theme").exists()


def test_an_analyst_reads_the_sub_themes_but_cannot_add_one_as_a_theme(
    lead: Client, client: Client, world: SubThemeWorld
) -> None:
    client.force_login(world.analyst)
    assert "Answers by phone" in _set_page(client, world)
    assert "Add as a theme" not in _set_page(client, world)
    response = client.post(_add_url(world, world.by_phone.pk), {"version": _theme_set(world).version})
    assert response.status_code == 403
    assert not _theme_set(world).themes.filter(label="Answers by phone").exists()


def test_before_the_review_starts_there_is_nothing_to_add_a_sub_theme_to(client: Client, world: SubThemeWorld) -> None:
    client.force_login(world.lead)
    assert client.get(_add_url(world, world.by_phone.pk)).status_code == 404

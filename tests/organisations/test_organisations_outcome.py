"""The published outcome lists the organisations that sent a response and agreed to be named, and
no others."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from consult.models import Organisation, Response
from tests.factories import make_consultation, make_official, make_response

pytestmark = pytest.mark.django_db


def _organisation(name: str, *, status: str = "pending") -> Organisation:
    return Organisation.objects.create(name=name, represents="Members.", how_views_gathered="Asked.", status=status)


def _responded(consultation, organisation: Organisation, *, may_name: bool | None, status: str = "submitted") -> None:
    response = make_response(consultation, {}, respondent_type="organisation", organisation_name=organisation.name)
    Response.objects.filter(pk=response.pk).update(
        organisation=organisation, may_name_organisation=may_name, status=status
    )


def test_the_outcome_names_only_organisations_that_sent_a_response_and_agreed(
    client: Client, django_capture_on_commit_callbacks
) -> None:
    consultation = make_consultation(phase="closed", with_questions=False)
    _responded(consultation, _organisation("Named And Verified", status="verified"), may_name=True)
    _responded(consultation, _organisation("Named Not Yet Verified"), may_name=True)
    _responded(consultation, _organisation("Said No"), may_name=False)
    _responded(consultation, _organisation("Never Answered"), may_name=None)
    _responded(consultation, _organisation("Withdrew"), may_name=True, status="withdrawn")
    # An organisation only typed on the about-you page is not a registered one: never listed.
    make_response(consultation, {}, respondent_type="organisation", organisation_name="Typed Name Only")

    client.force_login(make_official(consultation.department, role="lead"))
    outcome_url = reverse("workspace_outcome", args=[consultation.slug])
    draft = {"version": 0, "summary": "We heard you.", "decision": "We will pilot it.", "method_note": "Read all."}
    assert client.post(outcome_url, draft).status_code == 302
    assert (
        client.post(reverse("workspace_outcome_approve", args=[consultation.slug]), {"version": 1}).status_code == 302
    )
    with django_capture_on_commit_callbacks(execute=True):
        published = client.post(reverse("workspace_outcome_publish", args=[consultation.slug]), {"version": 1})
    assert published.status_code == 302, published.content.decode()
    client.logout()

    page = client.get(reverse("consultation_outcome", args=[consultation.slug])).content.decode()
    assert "Organisations that responded" in page
    assert "Named And Verified" in page
    assert "Named Not Yet Verified" in page
    assert page.count("Verified organisation") == 1
    for absent in ("Said No", "Never Answered", "Withdrew", "Typed Name Only"):
        assert absent not in page

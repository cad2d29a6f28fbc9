"""Anyone can report that a response was sent in their name, or their organisation's, without
their agreement; the officials of the consultation's department, and no one else, read and
resolve these reports."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from consult.models import AuditEvent, FalseSubmissionReport
from tests.factories import make_consultation, make_department, make_official, make_response, make_user

pytestmark = pytest.mark.django_db


def _report(client: Client, consultation, **changes: str) -> object:
    data = {
        "reference": "",
        "what_happened": "I never responded, but my neighbour says they saw my name.",
        "email": "worried@example.com",
        **changes,
    }
    return client.post(reverse("report_false_response", args=[consultation.slug]), data)


def test_a_report_is_recorded_and_linked_to_the_response_it_names(client: Client) -> None:
    consultation = make_consultation()
    sent = make_response(consultation, {})
    form = client.get(reverse("report_false_response", args=[consultation.slug]))
    assert form.status_code == 200
    response = _report(client, consultation, reference=" " + sent.reference.lower())
    assert response["Location"] == reverse("false_response_reported", args=[consultation.slug])
    assert client.get(response["Location"]).status_code == 200
    report = FalseSubmissionReport.objects.get()
    assert (report.consultation, report.response, report.reference) == (consultation, sent, sent.reference)
    assert report.email == "worried@example.com"


def test_a_reference_of_another_consultation_is_kept_but_not_linked(client: Client) -> None:
    consultation = make_consultation()
    elsewhere = make_response(make_consultation(), {})
    _report(client, consultation, reference=elsewhere.reference)
    report = FalseSubmissionReport.objects.get()
    assert report.response is None
    assert report.reference == elsewhere.reference


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"what_happened": ""}, "Enter what happened"),
        ({"email": ""}, "Enter your email address"),
        ({"email": "not-an-email"}, "Enter an email address in the correct format"),
        ({"reference": "R-1234"}, "Enter a reference in the correct format"),
    ],
)
def test_a_report_with_a_mistake_shows_an_error_summary(client: Client, changes: dict, message: str) -> None:
    consultation = make_consultation()
    response = _report(client, consultation, **changes)
    page = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in page and message in page
    assert not FalseSubmissionReport.objects.exists()


@override_settings(RESPONSE_RATE_LIMIT="2/m")
def test_reports_are_rate_limited(client: Client) -> None:
    consultation = make_consultation()
    assert _report(client, consultation).status_code == 302
    assert _report(client, consultation).status_code == 302
    assert _report(client, consultation).status_code == 429
    assert FalseSubmissionReport.objects.count() == 2


def _reported_consultation(client: Client):
    department = make_department()
    consultation = make_consultation(department=department)
    sent = make_response(consultation, {})
    _report(client, consultation, reference=sent.reference, what_happened="Not me: a secret complaint")
    return department, consultation, FalseSubmissionReport.objects.get()


def test_officials_of_the_department_read_the_reports(client: Client) -> None:
    department, consultation, report = _reported_consultation(client)
    client.force_login(make_official(department, role="analyst"))
    listing = client.get(reverse("workspace_false_submission_reports", args=[consultation.slug]))
    assert listing.status_code == 200
    assert "Not me: a secret complaint" in listing.content.decode()
    detail = client.get(reverse("workspace_false_submission_report", args=[consultation.slug, report.pk]))
    assert report.reference in detail.content.decode()
    # An analyst reads it but does not decide on it.
    assert (
        client.post(
            reverse("workspace_false_submission_report", args=[consultation.slug, report.pk]), {"note": "x"}
        ).status_code
        == 403
    )


def test_officials_of_another_department_and_citizens_cannot_see_the_reports(client: Client) -> None:
    _, consultation, report = _reported_consultation(client)
    for user in (make_official(make_department(), role="lead"), make_user()):
        client.force_login(user)
        listing = client.get(reverse("workspace_false_submission_reports", args=[consultation.slug]))
        detail = client.get(reverse("workspace_false_submission_report", args=[consultation.slug, report.pk]))
        assert listing.status_code == detail.status_code == 404
        assert "secret complaint" not in listing.content.decode() + detail.content.decode()


def test_a_report_from_another_consultation_is_not_found_through_this_one(client: Client) -> None:
    department, _, report = _reported_consultation(client)
    other = make_consultation(department=department)
    client.force_login(make_official(department, role="lead"))
    assert client.get(reverse("workspace_false_submission_report", args=[other.slug, report.pk])).status_code == 404


def test_a_moderator_resolves_a_report_with_a_note_and_it_is_audited(client: Client) -> None:
    department, consultation, report = _reported_consultation(client)
    moderator = make_official(department, role="moderator")
    client.force_login(moderator)
    address = reverse("workspace_false_submission_report", args=[consultation.slug, report.pk])
    refused = client.post(address, {"note": ""})
    assert "Enter what was done about the report" in refused.content.decode()
    assert client.post(address, {"note": "Withdrawn after checking with the respondent."}).status_code == 302
    report.refresh_from_db()
    assert report.is_resolved and report.resolved_by == moderator
    event = AuditEvent.objects.get(action="false_submission.resolve")
    assert (event.consultation, event.actor, event.object_id) == (consultation, moderator, str(report.pk))
    assert event.after["note"] == "Withdrawn after checking with the respondent."

"""The pages of citizens' data rights: "Your responses" with what each response allows, and the
privacy notice and accessibility statement, linked from every page and from the journey's start."""

from datetime import timedelta

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from consult.access import response_token
from consult.models import Consultation, Response
from tests.factories import make_consultation, make_response, make_user

pytestmark = pytest.mark.django_db


def _card(html: str, title: str) -> str:
    """The summary card of one consultation's response on "Your responses"."""
    start = html.index(f'<h2 class="govuk-summary-card__title">{title}</h2>')
    end = html.find('<div class="govuk-summary-card">', start)
    return html[start : end if end != -1 else len(html)]


def test_your_responses_shows_each_response_with_its_status_dates_and_what_it_still_allows(client):
    user = make_user()
    client.force_login(user)
    open_one = make_consultation(title="Open consultation")
    closed = make_consultation(title="Closed consultation")
    withdrawn_from = make_consultation(title="Consultation withdrawn from")
    sent = make_response(open_one, {}, email=user.email)
    draft = make_response(make_consultation(title="Draft consultation"), {}, status="draft")
    late = make_response(closed, {})
    withdrawn = make_response(withdrawn_from, {}, status="withdrawn")
    Response.objects.filter(pk=withdrawn.pk).update(withdrawn_at=timezone.now())
    Response.objects.filter(pk__in=[sent.pk, draft.pk, late.pk, withdrawn.pk]).update(user=user)
    Consultation.objects.filter(pk=closed.pk).update(
        opens_at=timezone.now() - timedelta(days=30), closes_at=timezone.now() - timedelta(days=1)
    )
    make_response(open_one, {})  # someone else's

    html = client.get(reverse("your_responses")).content.decode()

    card = _card(html, "Open consultation")
    token = response_token(sent)
    assert sent.reference in card and "Sent" in card and "Started" in card
    assert reverse("response_detail", args=[token]) in card
    assert reverse("check_answers", args=[token]) in card and reverse("withdraw", args=[token]) in card
    assert f"response {sent.reference}" in card  # each link names its response for screen readers
    card = _card(html, "Draft consultation")
    assert "Draft" in card and reverse("check_answers", args=[response_token(draft)]) in card
    assert "withdraw/" not in card
    card = _card(html, "Closed consultation")
    assert reverse("response_detail", args=[response_token(late)]) in card
    assert "check-answers/" not in card and "withdraw/" not in card and "Consultation closed" in card
    card = _card(html, "Consultation withdrawn from")
    assert "Withdrawn" in card and "check-answers/" not in card
    assert html.count('class="govuk-summary-card"') == 4
    assert reverse("download_your_data") in html and reverse("delete_account") in html


def test_the_privacy_notice_says_how_long_data_is_kept_and_how_to_use_each_right(client):
    with override_settings(RETENTION_DAYS_AFTER_OUTCOME=200):
        html = client.get(reverse("privacy_notice")).content.decode()
    assert '<h1 class="govuk-heading-xl">Privacy notice</h1>' in html
    assert "200 days after the consultation's outcome is published" in html
    for heading in ("What we collect", "Why we collect it", "Who sees your data", "How long we keep it", "Your rights"):
        assert heading in html
    assert "ico.org.uk" in html


def test_the_accessibility_statement_follows_the_govuk_model(client):
    html = client.get(reverse("accessibility_statement")).content.decode()
    for heading in (
        "How accessible this website is",
        "Reporting accessibility problems with this website",
        "Enforcement procedure",
        "Compliance status",
        "Non-accessible content",
        "Preparation of this accessibility statement",
    ):
        assert heading in html, heading
    assert "partially compliant" in html and "axe-core" in html and "Chromium" in html
    assert "equalityadvisoryservice.com" in html


def test_every_page_links_to_the_privacy_notice_and_accessibility_statement_and_the_journey_start_too(client):
    consultation = make_consultation()
    for path in (reverse("consultation_list"), consultation.get_absolute_url()):
        html = client.get(path).content.decode()
        footer = html[html.index('<footer class="govuk-footer">') :]
        assert f'href="{reverse("privacy_notice")}"' in footer
        assert f'href="{reverse("accessibility_statement")}"' in footer
    main = client.get(consultation.get_absolute_url()).content.decode().split('<footer class="govuk-footer">')[0]
    form = main[main.index(reverse("start_response", args=[consultation.slug])) :]
    assert f'href="{reverse("privacy_notice")}"' in form

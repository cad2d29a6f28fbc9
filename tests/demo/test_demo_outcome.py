"""`make demo` ends with the closed demo consultation's outcome published by the demo lead, so
the whole loop (responses, analysis, review, sign-off, mapping, "You said, we did") is there to see."""

import io
from html import escape

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import translation

from consult.demo import welsh
from consult.demo.housing import HOUSING
from consult.models import AuditEvent, Consultation, OutcomeReceipt, Phase, ReviewTheme, ThemeSet

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def test_the_closed_demo_consultation_has_a_published_outcome_with_a_response_to_each_theme(
    client: Client, django_capture_on_commit_callbacks: object
) -> None:
    call_command("load_demo", stdout=io.StringIO())
    # Tasks run in place once the transaction "commits" (the end of each block here).
    with django_capture_on_commit_callbacks(execute=True):
        call_command("analyse", HOUSING.slug, stdout=io.StringIO())
    with django_capture_on_commit_callbacks(execute=True):
        call_command("publish_demo_outcome", stdout=io.StringIO())

    consultation = Consultation.objects.get(slug=HOUSING.slug)
    assert consultation.phase is Phase.OUTCOME_PUBLISHED
    theme_sets = ThemeSet.objects.filter(question__consultation=consultation)
    assert theme_sets.exists()
    assert all(ts.is_signed_off and ts.mapping_status == ThemeSet.MappingStatus.DONE for ts in theme_sets)
    themes = ReviewTheme.objects.filter(theme_set__in=theme_sets, is_other=False)
    assert themes.exists() and not themes.filter(government_response="").exists()
    # Done as the lead in the workspace would: every step is on the audit record.
    actions = set(AuditEvent.objects.filter(consultation=consultation).values_list("action", flat=True))
    assert {"theme.delete", "theme.create", "theme_set.sign_off", "outcome.approve", "outcome.publish"} <= actions
    # The lead's own themes for "Why do you say that?", which the mapping filled.
    assert themes.filter(label="A person must still check", mappings__is_active=True).exists()

    page = client.get(reverse("consultation_outcome", args=[HOUSING.slug]))
    assert page.status_code == 200
    html = page.content.decode()
    theme = themes.first()
    assert theme.label in html
    assert f"raised “{theme.label}”" in html  # the government's response to it
    # Each respondent who gave an address was told, and each response knows its themes.
    assert len(mail.outbox) == consultation.responses.exclude(email="").filter(status="submitted").count()
    assert OutcomeReceipt.objects.filter(response__consultation=consultation).exists()

    # In Welsh too: the consultation, the outcome and the lead's themes have Welsh versions, and
    # the untranslated AI tool record shows in English, marked as English.
    with translation.override("cy"):
        welsh_outcome = reverse("consultation_outcome", args=[HOUSING.slug])
        welsh_consultation = reverse("consultation_detail", args=[HOUSING.slug])
    html = client.get(welsh_outcome).content.decode()
    assert escape(welsh.OUTCOME["decision_cy"]) in html
    assert "Rhaid i berson wirio o hyd" in html
    assert "A person must still check" not in html
    assert "Arall" in html
    html = client.get(welsh_consultation).content.decode()
    assert f'<h1 class="govuk-heading-xl">{welsh.HOUSING_TITLE}</h1>' in html
    assert 'lang="en"' in html  # the AI tool record, which the demo council has not translated
    translation.activate("en-gb")

    # Running it again publishes nothing new.
    with django_capture_on_commit_callbacks(execute=True):
        call_command("publish_demo_outcome", stdout=io.StringIO())
    assert AuditEvent.objects.filter(consultation=consultation, action="outcome.publish").count() == 1

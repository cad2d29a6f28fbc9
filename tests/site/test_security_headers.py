"""Headers and limits every page carries: Permissions-Policy, HSTS in production, Retry-After on
429 (JSON for the API), officials' shorter sessions, and the deploy checks on a shared cache."""

import json

import pytest
from django.conf import settings
from django.core import checks
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse
from django_ratelimit.exceptions import Ratelimited

from consult.views.errors import rate_limited
from tests.factories import TEST_TOTP_SECRET, make_department, make_official, make_user, totp_code

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-test-password"


def test_every_page_denies_the_browser_features_no_page_uses(client: Client) -> None:
    for path in (reverse("consultation_list"), reverse("account_login"), "/api/consultations"):
        policy = client.get(path)["Permissions-Policy"]
        for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()", "usb=()"):
            assert feature in policy, (path, feature)


def test_production_defaults_to_a_year_of_hsts_sent_over_https(client: Client) -> None:
    assert settings.SECURE_HSTS_SECONDS == 31_536_000  # the test settings run with DEBUG off
    response = client.get(reverse("consultation_list"), secure=True)
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")
    assert "Strict-Transport-Security" not in client.get(reverse("consultation_list"))  # never over plain HTTP


@override_settings(API_RATE_LIMIT="2/m")
def test_too_many_requests_say_when_to_try_again_and_the_api_answers_json(client: Client) -> None:
    statuses = [client.get("/api/consultations", REMOTE_ADDR="192.0.2.41") for _ in range(3)]
    api_limited = statuses[-1]
    assert api_limited.status_code == 429 and api_limited["Retry-After"] == "60"
    assert api_limited["Content-Type"].startswith("application/json")

    page = rate_limited(RequestFactory().get("/consultations/"), Ratelimited())
    assert page.status_code == 429 and page["Retry-After"] == "60" and b"govuk-heading-l" in page.content
    api_page = rate_limited(RequestFactory().get("/api/other"), Ratelimited())
    assert api_page["Retry-After"] == "60" and "Try again" in json.loads(api_page.content)["detail"]


def test_an_officials_session_ends_after_hours_a_citizens_after_weeks(client: Client) -> None:
    official = make_official(make_department(), role="analyst")
    client.post(reverse("account_login"), {"login": official.email, "password": PASSWORD})
    client.post(reverse("mfa_authenticate"), {"code": totp_code(TEST_TOTP_SECRET)})
    assert client.session.get_expiry_age() == settings.OFFICIAL_SESSION_HOURS * 3600 == 8 * 3600

    citizen = Client()
    make_user("citizen@example.com", PASSWORD)
    citizen.post(reverse("account_login"), {"login": "citizen@example.com", "password": PASSWORD})
    assert citizen.session.get_expiry_age() == settings.SESSION_COOKIE_AGE == 14 * 24 * 3600


@override_settings(DEBUG=False, CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}})
def test_check_deploy_warns_when_rate_limits_are_counted_per_process() -> None:
    found = {m.id: m for m in checks.run_checks(include_deployment_checks=True, tags=["security"])}
    assert found["consult.W002"].level == checks.WARNING
    with override_settings(CACHES={"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache"}}):
        found = {m.id for m in checks.run_checks(include_deployment_checks=True, tags=["security"])}
        assert "consult.W002" not in found


def test_personal_pages_are_never_stored_public_ones_may_be(client: Client) -> None:
    from tests.factories import make_consultation
    from tests.journey import start

    consultation = make_consultation()
    assert "no-store" not in client.get(reverse("consultation_list")).get("Cache-Control", "")
    assert "no-store" not in client.get(consultation.get_absolute_url()).get("Cache-Control", "")

    token = start(client, consultation)
    for path in (reverse("about_you", args=[token]), reverse("account_login"), "/cy" + reverse("account_login")):
        cache_control = client.get(path)["Cache-Control"]
        assert "no-store" in cache_control and "private" in cache_control, path

    make_user("someone@example.com", PASSWORD)
    client.post(reverse("account_login"), {"login": "someone@example.com", "password": PASSWORD})
    assert "no-store" in client.get(reverse("consultation_list"))["Cache-Control"]  # signed in: personal

"""Error pages in the service's own look."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory

from consult.views import errors

pytestmark = pytest.mark.django_db


def test_bad_host_gets_the_400_page(client):
    page = client.get("/", HTTP_HOST="not-a-host-we-serve.example")
    assert page.status_code == 400
    assert b"there is a problem with your request" in page.content
    assert b"govuk-template" in page.content


@pytest.mark.parametrize(
    ("view", "status", "words"),
    [
        (errors.permission_denied, 403, b"You do not have permission to see this page"),
        (errors.page_not_found, 404, b"Page not found"),
        (errors.rate_limited, 429, b"too many answers in a short time"),
    ],
)
def test_error_views_render_the_service_pages(view, status, words):
    request = RequestFactory().get("/somewhere/")
    request.user = AnonymousUser()
    page = view(request, Exception("why"))
    assert page.status_code == status
    assert words in page.content
    assert b"govuk-service-navigation" in page.content


def test_server_error_page_renders_and_promises_nothing_was_lost():
    request = RequestFactory().get("/boom/")
    request.user = AnonymousUser()
    page = errors.server_error(request)
    assert page.status_code == 500
    assert b"Sorry, there is a problem with the service" in page.content


def test_server_error_page_renders_even_when_the_session_cannot_be_read():
    class BrokenUser:
        @property
        def is_authenticated(self) -> bool:
            raise RuntimeError("database unavailable")

    request = RequestFactory().get("/boom/")
    request.user = BrokenUser()
    page = errors.server_error(request)
    assert page.status_code == 500
    assert b"Sorry, there is a problem with the service" in page.content


@pytest.mark.parametrize(
    ("path", "words"),
    [
        ("/nonexistent/", b"Page not found"),
        ("/consultations/no-such-consultation/", b"Page not found"),
        ("/cy/nothing-here/", b"Heb ddod o hyd"),
    ],
)
def test_with_debug_on_a_missing_page_is_the_services_404_not_djangos_list_of_addresses(client, settings, path, words):
    settings.DEBUG = True
    page = client.get(path)
    assert page.status_code == 404
    assert words in page.content
    assert b"govuk-template" in page.content
    assert b"URLconf" not in page.content and b"urlpatterns" not in page.content
    # It passes through the other middleware on its way out, as any page does.
    assert "Permissions-Policy" in page and "X-Frame-Options" in page


def test_with_debug_on_a_missing_api_address_answers_json(client, settings):
    settings.DEBUG = True
    page = client.get("/api/no-such-thing/")
    assert page.status_code == 404
    assert page["Content-Type"].startswith("application/json")
    assert page.json()["detail"]


@pytest.mark.parametrize("path", ["/api/no-such-thing/", "/api/v1/no-such-thing/"])
def test_a_missing_api_address_answers_json_in_production_too(client, path):
    page = client.get(path)
    assert page.status_code == 404
    assert page["Content-Type"].startswith("application/json")

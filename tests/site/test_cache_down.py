"""With the cache (Redis) unreachable the service degrades instead of failing: answers are saved,
rate limits let requests through, the API answers JSON (issue 12: a cache outage was a site outage).
With the database unreachable, pages answer 503 with Retry-After, not 500."""

import logging

import pytest
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse

from consult.models import Answer, Response
from consult.views.errors import server_error
from tests.factories import make_consultation
from tests.journey import answer_required, send, start

pytestmark = pytest.mark.django_db

# Nothing listens on port 1: every Redis call is refused at once.
DEAD_REDIS = {
    "default": {
        "BACKEND": "consult.cache.ResilientRedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.25},
    }
}


@override_settings(CACHES=DEAD_REDIS, RATELIMIT_ENABLE=True)
def test_a_respondent_sends_a_whole_response_while_redis_is_down(client: Client, caplog) -> None:
    consultation = make_consultation()

    with caplog.at_level(logging.WARNING, logger="consult.cache"):
        token = start(client, consultation)
        answer_required(client, consultation, token, email="a@example.com")
        send(client, token)

    response = Response.objects.get(consultation=consultation)
    assert response.status == Response.Status.SUBMITTED
    assert Answer.objects.filter(response=response).exclude(text="").exists()
    assert any("Cache unreachable" in record.message for record in caplog.records)


@override_settings(CACHES=DEAD_REDIS, RATELIMIT_ENABLE=True)
def test_the_api_and_pages_answer_while_redis_is_down(client: Client) -> None:
    make_consultation()

    listing = client.get("/api/consultations")
    assert listing.status_code == 200 and listing["Content-Type"].startswith("application/json")
    assert client.get(reverse("consultation_list")).status_code == 200


def test_the_resilient_cache_reads_as_empty_and_drops_writes_when_unreachable() -> None:
    from consult.cache import ResilientRedisCache

    cache = ResilientRedisCache("redis://127.0.0.1:1/0", {"OPTIONS": {"socket_connect_timeout": 0.25}})
    assert cache.add("k", 1) is False
    assert cache.get("k", "missing") == "missing"
    cache.set("k", 2)
    assert cache.incr("k") is None
    assert cache.get_many(["k"]) == {}
    assert cache.has_key("k") is False
    assert cache.delete("k") is False


def test_while_the_database_cannot_be_reached_pages_say_503_and_when_to_try_again() -> None:
    from unittest import mock

    from django.db import OperationalError
    from django.db.backends.base.base import BaseDatabaseWrapper

    make_consultation()
    client = Client(raise_request_exception=False)
    refused = OperationalError("connection to server at 127.0.0.1, port 5432 failed: Connection refused")
    with mock.patch.object(BaseDatabaseWrapper, "ensure_connection", side_effect=refused):
        page = client.get(reverse("consultation_list"))
        api = client.get("/api/consultations")

    assert page.status_code == 503 and page["Retry-After"] == "30"
    assert b"Sorry, there is a problem with the service" in page.content
    assert api.status_code == 503 and api["Content-Type"].startswith("application/json")
    # Anything else that breaks is still a 500.
    try:
        raise RuntimeError("a bug")
    except RuntimeError:
        assert server_error(RequestFactory().get("/consultations/")).status_code == 500

"""The open data API keeps the promises of its own OpenAPI schema: schemathesis generates requests
for every operation from /api/openapi.json (valid and invalid parameters alike) and checks every
answer against it: no server error, only documented status codes and content types, every body
valid against its documented schema, invalid input refused and valid input accepted.

It runs in-process against the WSGI application, on PostgreSQL, with published data in place.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from config.wsgi import application
from consult.open_data.api import api
from tests.factories import make_consultation, make_response, publish_outcome_with_themes

pytestmark = pytest.mark.django_db

SCHEMA_URL = "/api/openapi.json"
# Werkzeug's test client leaves out the client address that every real server sets, and that the
# rate limit counts by.
CLIENT = {"environ_overrides": {"REMOTE_ADDR": "192.0.2.1"}}


@pytest.fixture
def published_slugs(db: object) -> list[str]:
    """A draft, an open consultation and a closed one with a published outcome."""
    make_consultation(phase="draft")
    open_ = make_consultation(phase="open")
    closed = make_consultation(phase="closed")
    q = {question.position: question for question in closed.questions.all()}
    response = make_response(closed, {q[1]: 4, q[2]: "It would be quicker.", q[3]: ["Online"]})
    publish_outcome_with_themes(closed, {q[2]: {"Quicker answers": [response.answers.get(question=q[2])]}})
    return [open_.slug, closed.slug]


@pytest.fixture
def open_limits(settings: object) -> Iterator[None]:
    """The WSGI application as schemathesis calls it, in the test's database transaction."""
    # Thousands of generated requests come from one address: the limit is tested elsewhere.
    settings.API_RATE_LIMIT = "1000000/m"
    settings.ALLOWED_HOSTS = ["localhost", "testserver"]
    # Django closes the database connection when a request ends, which would end the test's
    # transaction; its own test client stops that in the same way.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


# The schema is the one /api/openapi.json serves (test_served_schema_is_the_one_tested proves it),
# built at collection time, when no request can reach the site yet. (schemathesis's lazy
# `from_fixture` loader does not run under pytest 9.)
SCHEMA = json.loads(json.dumps(api.get_openapi_schema()))
schema = schemathesis.openapi.from_dict(SCHEMA)
schema.app = application


def test_served_schema_is_the_one_tested(client: object) -> None:
    assert client.get(SCHEMA_URL).json() == SCHEMA


@schema.parametrize()
@hypothesis_settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_every_operation_conforms_to_the_schema(case: object, open_limits: None, published_slugs: list[str]) -> None:
    case.call_and_validate(**CLIENT)


def test_every_operation_on_published_data_conforms_to_the_schema(
    open_limits: None, published_slugs: list[str]
) -> None:
    """Generated slugs almost never name a real consultation, so each operation is also called
    with the slugs of the published ones, and the lists with pages that hold them."""
    operations = list(schema.get_all_operations())
    assert len(operations) == 7
    called = 0
    for result in operations:
        operation = result.ok()
        for slug in published_slugs:
            if "{slug}" in operation.path:
                operation.Case(path_parameters={"slug": slug}).call_and_validate(**CLIENT)
                called += 1
        if "{slug}" not in operation.path:
            for query in [{}, {"limit": 1, "offset": 1}, {"limit": 100, "offset": 0}]:
                response = operation.Case(query=query).call_and_validate(**CLIENT)
                assert response.status_code == 200
                called += 1
    assert called == 4 * 2 + 3 * 3

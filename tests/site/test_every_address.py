"""Every address the URL conf knows, visited as every kind of visitor: no server error, and
nobody without access sees a draft consultation, a respondent's words, a report or a flag
(issue 12). The walk reads the resolver, so an address added later is visited too; one whose
parts this file cannot fill in fails the test until a sample is added below."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.resolvers import RoutePattern

from consult.models import Consultation, Organisation, OrganisationMember
from tests.factories import make_consultation, make_department, make_official, make_user
from tests.workspace_world import build_world

pytestmark = pytest.mark.django_db

DRAFT_TITLE = "Draft only: AI to decide housing priority"
# What only the department's officials may see, and where it lives: a draft's title, a
# respondent's words, a false-submission report and its reporter's address.
PRIVATE = [DRAFT_TITLE, "Please write to me at 12 High Street", "I never sent this.", "someone@example.com"]

# Patterns whose parts are secrets the URL conf cannot sample (allauth's one-time keys) or that
# only catch what no other pattern matched: visited with an invented value where possible.
INVENTED = {"key": "invented-key", "uidb36": "zz", "url": "no-such-page", "rest": "no-such-page"}


def _patterns(patterns: list, namespace: str = "") -> list[tuple[str, URLPattern]]:
    """Every named pattern, with the name `reverse` knows it by (its namespaces first). Unnamed
    ones are the admin's catch-all, behind the named admin pages visited here."""
    found: list[tuple[str, URLPattern]] = []
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            found += _patterns(pattern.url_patterns, inner)
        elif pattern.name is not None:
            found.append((f"{namespace}{pattern.name}", pattern))
    return found


def _samples() -> dict[str, object]:
    world = build_world()
    department = world.consultation.department
    make_consultation(phase="draft", department=department, title=DRAFT_TITLE)
    user = make_user("member-sample@example.com")
    organisation = Organisation.objects.get(name="Citizens Advice Testshire")
    member = OrganisationMember.objects.create(organisation=organisation, user=user)
    return {
        **world.kwargs,
        "token": "not-a-real-token",
        "member_id": member.pk,
        "id": user.pk,
        "object_id": user.pk,
        "content_type_id": ContentType.objects.get_for_model(Consultation).pk,
        "app_label": "consult",
        **INVENTED,
    }


def _addresses(samples: dict[str, object]) -> list[tuple[str, str]]:
    addresses = []
    for name, pattern in _patterns(get_resolver().url_patterns):
        if isinstance(pattern.pattern, RoutePattern):
            parts = list(pattern.pattern.converters)
        else:
            parts = list(pattern.pattern.regex.groupindex)
        missing = [part for part in parts if part not in samples]
        assert not missing, f"Add a sample value for {missing} to tests/site/test_every_address.py ({name})."
        addresses.append((name, reverse(name, kwargs={part: samples[part] for part in parts})))
    assert len(addresses) >= 190  # the whole conf: public, respond, organisations, workspace, admin, API
    return addresses


def _body(response: object) -> str:
    """The whole body, streamed (exports) or not."""
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode(errors="replace")


def _visitors() -> dict[str, object | None]:
    outsider_org = make_user("org-admin@example.com")
    other = Organisation.objects.create(name="Another Forum", represents="Others.", how_views_gathered="A meeting.")
    OrganisationMember.objects.create(organisation=other, user=outsider_org, role=OrganisationMember.Role.ADMIN)
    org_member = make_user("org-member@example.com")
    OrganisationMember.objects.create(organisation=other, user=org_member)
    return {
        "anonymous": None,
        "citizen": make_user("citizen@example.com"),
        "organisation admin": outsider_org,
        "organisation member": org_member,
        "lead of another department": make_official(make_department("Department for Transport"), role="lead"),
        "staff without a second factor": make_user("staff@example.gov.uk", is_staff=True),
        "superuser without a second factor": make_user("root@example.gov.uk", is_staff=True, is_superuser=True),
    }


def test_no_address_leaks_or_fails_for_anyone_without_access() -> None:
    samples = _samples()
    addresses = _addresses(samples)
    for role, user in _visitors().items():
        client = Client(raise_request_exception=False)
        if user is not None:
            client.force_login(user)
        for name, address in addresses:
            response = client.get(address)
            assert response.status_code < 500, (role, name, address, response.status_code)
            body = _body(response)
            for private in PRIVATE:
                assert private not in body, (role, name, address, private)


def test_the_departments_own_officials_get_no_server_error_anywhere() -> None:
    samples = _samples()
    addresses = _addresses(samples)
    department = Consultation.objects.get(title=DRAFT_TITLE).department
    seen: set[str] = set()
    for role in ("lead", "analyst", "moderator"):
        client = Client(raise_request_exception=False)
        client.force_login(make_official(department, role=role))
        for name, address in addresses:
            response = client.get(address)
            assert response.status_code < 500, (role, name, address)
            seen.update(private for private in PRIVATE if private in _body(response))
    # What the walk above looks for is really there for those with access: the check is not empty.
    assert seen == set(PRIVATE)

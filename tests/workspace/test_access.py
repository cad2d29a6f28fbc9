"""Every workspace address, walked as every kind of visitor: nothing leaks.

The walk reads the workspace's URL patterns, so an address added later is walked too; an address
with a part this file cannot fill in fails the test until a sample is added to the world in `tests/workspace_world.py`.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import URLPattern, reverse

from consult.models import ROLE_PERMISSIONS, Permission
from consult.views.workspace.urls import urlpatterns
from tests.factories import make_department, make_official, make_user
from tests.workspace_world import SECRET_TITLE, World, build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> World:
    return build_world()


def _addresses(world: World, slug: str | None = None) -> list[tuple[str, str]]:
    """(URL name, address) for every workspace pattern, filled in from the world."""
    addresses = []
    for pattern in urlpatterns:
        assert isinstance(pattern, URLPattern)
        names = list(pattern.pattern.converters)
        missing = [name for name in names if name not in world.kwargs]
        assert not missing, f"Add a sample value for {missing} to tests/workspace_world.py ({pattern.name})."
        kwargs = {name: world.kwargs[name] for name in names}
        if slug is not None and "slug" in kwargs:
            kwargs["slug"] = slug
        addresses.append((pattern.name, reverse(pattern.name, kwargs=kwargs)))
    return addresses


# Addresses without a consultation in them, other than the home page.
_NOT_ABOUT_ONE_CONSULTATION = {
    pattern.name
    for pattern in urlpatterns
    if "slug" not in pattern.pattern.converters and pattern.name != "workspace_home"
}


def test_every_workspace_address_sends_anonymous_visitors_to_sign_in(client: Client, world: World) -> None:
    for name, address in _addresses(world):
        for method in (client.get, client.post):
            response = method(address)
            assert response.status_code == 302, (name, method)
            assert response["Location"].startswith(reverse("account_login")), name


def test_citizens_are_told_the_workspace_does_not_exist(client: Client, world: World) -> None:
    client.force_login(make_user())
    for name, address in _addresses(world):
        for method in (client.get, client.post):
            assert method(address).status_code == 404, (name, method)


def test_officials_of_another_department_cannot_tell_the_consultation_exists(client: Client, world: World) -> None:
    client.force_login(make_official(make_department("Department for Transport"), role="lead"))
    real = dict(_addresses(world))
    invented = dict(_addresses(world, slug="no-such-consultation"))
    for name, address in real.items():
        if name == "workspace_home":
            response = client.get(address)
            assert response.status_code == 200
            assert SECRET_TITLE not in response.content.decode()
            continue
        if name in _NOT_ABOUT_ONE_CONSULTATION:
            # Such a page (creating a consultation) is not about this one: it must only not show it.
            assert SECRET_TITLE not in client.get(address).content.decode(), name
            continue
        for method in (client.get, client.post):
            seen, unseen = method(address), method(invented[name])
            assert seen.status_code == unseen.status_code == 404, (name, method)
            assert SECRET_TITLE not in seen.content.decode()


def test_an_official_without_two_factor_is_sent_to_set_it_up(client: Client, world: World) -> None:
    client.force_login(make_official(world.consultation.department, role="lead", two_factor=False))
    for name, address in _addresses(world):
        response = client.get(address)
        assert response.status_code == 302, name
        assert response["Location"] == reverse("mfa_activate_totp"), name


@pytest.mark.parametrize("role", ["analyst", "lead", "moderator"])
def test_each_role_reaches_what_it_may_and_is_refused_the_rest(client: Client, world: World, role: str) -> None:
    """Every view asks the access helper for a permission; the role's answer follows the table of
    role permissions, for reading (GET) and acting (POST) alike."""
    client.force_login(make_official(world.consultation.department, role=role))
    for name, address in _addresses(world):
        for method in (client.get, client.post):
            response = method(address)
            if name == "workspace_home":
                assert response.status_code == 200
                continue
            asked = getattr(response.wsgi_request, "workspace_permission_asked", None)
            assert isinstance(asked, Permission), f"{name} did not check access through consult.access"
            if asked in ROLE_PERMISSIONS[role]:
                assert response.status_code in (200, 302, 303, 400, 405, 409), (name, method, response.status_code)
            else:
                assert response.status_code == 403, (name, method, role, response.status_code)


def test_a_consultation_shared_with_an_official_of_another_department_opens_for_them(
    client: Client, world: World
) -> None:
    from consult.models import ConsultationShare

    outsider = make_official(make_department("Cabinet Office"), role="analyst")
    ConsultationShare.objects.create(consultation=world.consultation, user=outsider, role="analyst")
    client.force_login(outsider)
    assert SECRET_TITLE in client.get(reverse("workspace_home")).content.decode()
    assert client.get(reverse("workspace_consultation", args=[world.consultation.slug])).status_code == 200

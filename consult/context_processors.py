"""What every template may read: the site's name, whether the visitor is an official, and what
the workspace's header offers them."""

from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from consult.access import has_permission_anywhere, is_official
from consult.models import Permission


def site(request: HttpRequest) -> dict[str, object]:
    return {
        "site_name": settings.SITE_NAME,
        # Asked only by templates that show the workspace's links, so most pages make no query.
        "user_is_official": SimpleLazyObject(lambda: is_official(request.user)),
        "official_may_verify": SimpleLazyObject(
            lambda: has_permission_anywhere(request.user, Permission.VERIFY_ORGANISATIONS)
        ),
    }

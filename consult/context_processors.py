"""What every template may read: the site's name and whether the visitor is an official."""

from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from consult.access import is_official


def site(request: HttpRequest) -> dict[str, object]:
    return {
        "site_name": settings.SITE_NAME,
        # Asked only by templates that show the workspace link, so most pages make no query.
        "user_is_official": SimpleLazyObject(lambda: is_official(request.user)),
    }

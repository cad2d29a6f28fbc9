"""Middleware of our own: GOV.UK Frontend's assets, the admin's two-factor gate, no caching of
personal pages, a clear refusal of NUL characters in addresses, and the service's own 404 page
with DEBUG on."""

from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from whitenoise.middleware import WhiteNoiseMiddleware

from consult.access import has_two_factor


class GovukAssetsMiddleware(WhiteNoiseMiddleware):
    """WhiteNoise, also serving GOV.UK Frontend's fonts and images at /assets/.

    GOV.UK Frontend's precompiled stylesheet refers to its fonts and images at `/assets/...`,
    which is where its documentation says to serve them from.
    """

    def __init__(self, get_response: object = None, settings: object = settings) -> None:
        super().__init__(get_response, settings=settings)
        self.add_files(str(settings.GOVUK_FRONTEND_DIR / "assets"), prefix="assets/")


class AdminTwoFactorMiddleware:
    """The admin behind the same gate as the workspace: a staff account without an authenticator
    app (as `createsuperuser` makes one) is sent to set one up before any admin page, so a password
    alone never opens the admin. Signing in already asks for the code of anyone who has one."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and user.is_staff
            and request.path.startswith(reverse("admin:index"))
            and not has_two_factor(user)
        ):
            messages.info(request, "Set up an authenticator app before you use the admin.")
            return redirect("mfa_activate_totp")
        return self.get_response(request)


# Addresses whose pages belong to one person: a response in progress (its link is its key), an
# account, an organisation's members' pages, the workspace and the admin.
PERSONAL_PREFIXES = (
    "/respond/",
    "/accounts/",
    "/your-responses/",
    "/your-account/",
    "/organisations/",
    "/following/",
    "/unsubscribe/",
    "/workspace/",
    "/admin/",
)


class NoStoreForPersonalPagesMiddleware:
    """`Cache-Control: no-store` (and private) on every personal page and on every page shown to
    someone signed in, so that no shared cache or browser history keeps a copy of someone's
    answers. Public pages seen by anonymous visitors stay cacheable."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        path = request.path.removeprefix("/cy")
        user = getattr(request, "user", None)
        if path.startswith(PERSONAL_PREFIXES) or (user is not None and user.is_authenticated):
            add_never_cache_headers(response)
        return response


class RefuseNulCharactersMiddleware:
    """400 for a NUL character in the address or its query: no browser sends one, PostgreSQL cannot
    store or compare one (a search for it was a server error), and forms already refuse it in what
    they are sent (Django's ProhibitNullCharactersValidator) with a message on the page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "\x00" in request.path or any("\x00" in key or "\x00" in value for key, value in request.GET.items()):
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": "The address holds a NUL character."}, status=400)
            from consult.views.errors import bad_request

            return bad_request(request, ValueError("a NUL character in the address"))
        return self.get_response(request)


class OwnNotFoundPageMiddleware:
    """With DEBUG on (`make demo`, `make serve`), Django answers a missing page with its technical
    404, which lists every address pattern: give the service's own 404 instead, as production
    does, so that a stale link in the demo reads as it would for a citizen. Server errors keep
    Django's debug page, which is what a developer needs."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            settings.DEBUG
            and response.status_code == 404
            and response.get("Content-Type", "").startswith("text/html")
            and not getattr(response, "is_own_not_found_page", False)
        ):
            from consult.views.errors import page_not_found

            return page_not_found(request, Http404())
        return response

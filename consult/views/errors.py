"""Error pages in the service's own look."""

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader

# Every limit counts in fixed windows of a minute or more (django-ratelimit); a minute is when
# trying again may first succeed.
RETRY_AFTER_SECONDS = 60


def rate_limited(request: HttpRequest, exception: Exception) -> HttpResponse:
    """429 with Retry-After: JSON for the open data API, the GOV.UK page for everything else."""
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse(
            {"detail": "Too many requests from this address. Try again in a minute."}, status=429
        )
    else:
        response = render(request, "429.html", status=429)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    return render(request, "400.html", status=400)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    return render(request, "403.html", status=403)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """404: JSON for the open data API, the GOV.UK page for everything else."""
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse({"detail": "Not found. /api/ lists what there is."}, status=404)
    else:
        response = render(request, "404.html", status=404)
    response.is_own_not_found_page = True  # type: ignore[attr-defined] (OwnNotFoundPageMiddleware)
    return response


# While the database cannot be reached, a page asks to be tried again after this many seconds.
DATABASE_RETRY_AFTER_SECONDS = 30


def server_error(request: HttpRequest) -> HttpResponse:
    """500, or 503 with Retry-After when what failed is reaching the database (PostgreSQL restarting
    or down): the service is unavailable for a while, not broken. Django calls this while handling
    the exception, so `sys.exc_info()` names it."""
    if isinstance(sys.exc_info()[1], (OperationalError, InterfaceError)):
        if request.path.startswith("/api/"):
            response: HttpResponse = JsonResponse(
                {"detail": "The service is unavailable for a moment. Try again shortly."}, status=503
            )
        else:
            # The page itself must not need the database (no request context: no session, no user).
            response = HttpResponse(loader.get_template("500.html").render({}), status=503)
        response["Retry-After"] = str(DATABASE_RETRY_AFTER_SECONDS)
        return response
    try:
        return render(request, "500.html", status=500)
    except Exception:
        # What broke may be what the page itself needs (the database behind the session, say):
        # then render it with no request context at all.
        return HttpResponseServerError(loader.get_template("500.html").render({}))


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return render(request, "403_csrf.html", status=403)

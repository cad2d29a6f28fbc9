"""Error pages in the service's own look."""

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
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    try:
        return render(request, "500.html", status=500)
    except Exception:
        # What broke may be what the page itself needs (the database behind the session, say):
        # then render it with no request context at all.
        return HttpResponseServerError(loader.get_template("500.html").render({}))


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return render(request, "403_csrf.html", status=403)

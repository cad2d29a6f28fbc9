"""The baselines: Django views that do (almost) nothing, served by the same gunicorn, settings and
middleware as the pages measured beside them."""

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from consult.models import Response


@require_GET
def bare(request: HttpRequest) -> HttpResponse:
    """The floor: Django's request cycle and middleware, no template, no query."""
    return HttpResponse("ok", content_type="text/plain")


@require_POST
def bare_write(request: HttpRequest, response_id: int) -> HttpResponse:
    """A CSRF-checked POST that makes one small write, like an answer save without the form,
    the checks and the page logic: one UPDATE of one row in its own transaction (autocommit)."""
    Response.objects.filter(pk=response_id).update(updated_at=timezone.now())
    return HttpResponse("saved", content_type="text/plain")

"""Links to responses that no longer work, and the page that sends a new one
(docs/decisions/0015-response-links-expire-and-can-be-reissued.md)."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods
from django_ratelimit.decorators import ratelimit

from consult.access import ResponseLinkGone
from consult.forms.respond import NewResponseLinkForm
from consult.services import response_links as services
from consult.views.ratelimits import response_rate


def response_link_gone(request: HttpRequest, gone: ResponseLinkGone) -> HttpResponse:
    """410: the link was genuine but no longer opens its response. The page says why and offers a
    new link; it names neither the response nor its consultation, since the link may have been
    replaced because someone else had it."""
    return render(
        request,
        "consult/response_link_gone.html",
        {"is_expired": gone.is_expired, "days": settings.RESPONSE_LINK_DAYS_AFTER_CLOSE},
        status=410,
    )


@require_http_methods(["GET", "POST"])
@ratelimit(group="new_response_links", key="ip", rate=response_rate, method="POST", block=True)
def new_response_link(request: HttpRequest) -> HttpResponse:
    form = NewResponseLinkForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        services.reissue_link(form.cleaned_data["reference"], form.cleaned_data["email"])
        # The same page whether or not they matched a response: it never tells anyone which
        # references exist, or whose address goes with one.
        return redirect("new_response_link_sent")
    return render(
        request,
        "consult/new_response_link.html",
        {"form": form, "form_has_errors": form.is_bound and not form.is_valid()},
    )


def new_response_link_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "consult/new_response_link_sent.html")

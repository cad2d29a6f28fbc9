"""Pages anyone can read: the list of consultations and each consultation with its AI tool record."""

import secrets

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from django_ratelimit.decorators import ratelimit

from consult.access import get_public_consultation, response_token
from consult.queries import outcome as queries_outcome
from consult.queries import public as queries
from consult.services import responses as services
from consult.views.ratelimits import response_rate

PHASES = [("open", _("Open")), ("upcoming", _("Opening soon")), ("closed", _("Closed"))]

_START_KEY_SALT = "consult.start-key"


def consultation_list(request: HttpRequest) -> HttpResponse:
    phase = request.GET.get("phase", "")
    if phase not in dict(PHASES):
        phase = ""
    words = request.GET.get("q", "").strip()[:200]
    page = Paginator(queries.consultation_list(phase, words), 20).get_page(request.GET.get("page"))
    return render(
        request,
        "consult/consultation_list.html",
        {"page": page, "phase": phase, "phases": PHASES, "words": words},
    )


def consultation_detail(request: HttpRequest, slug: str) -> HttpResponse:
    consultation = queries.consultation_page(get_public_consultation(slug))
    current = queries.current_response_for(request.user, consultation)
    return render(
        request,
        "consult/consultation_detail.html",
        {
            "consultation": consultation,
            "current_response": current,
            "current_token": response_token(current) if current else "",
            # A fresh key per page view: one browser posting the same start form twice finds one
            # response (see `_start_key`).
            "start_key": secrets.token_urlsafe(24),
        },
    )


@require_POST
@ratelimit(group="responses", key="ip", rate=response_rate, method="POST", block=True)
def start_response(request: HttpRequest, slug: str) -> HttpResponse:
    consultation = get_public_consultation(slug)
    if not consultation.is_open:
        return render(request, "consult/not_open.html", {"consultation": consultation})
    user = request.user if request.user.is_authenticated else None
    if user is None and not consultation.allows_anonymous_responses:
        return redirect(f"{reverse('account_login')}?next={consultation.get_absolute_url()}")
    if user is not None:
        current = queries.current_response_for(user, consultation)
        if current is not None:
            token = response_token(current)
            return redirect("check_answers" if current.is_draft else "response_detail", token)
    response = services.start_response(consultation, user, _start_key(request), language=request.LANGUAGE_CODE)
    return redirect("about_you", response_token(response))


def _start_key(request: HttpRequest) -> str:
    """The key that makes a double-posted start form find the draft it already made, bound to the
    browser that posts it: the form's random key signed with the browser's CSRF secret (64 hex
    characters, the column's width). Another browser posting the same form, from a cached or
    copied page, has another secret and so starts a draft of its own.

    CsrfViewMiddleware refuses a post from a browser without a CSRF cookie, so the secret is there;
    where the check is skipped (the test client), `get_token` gives the browser one, which it keeps
    for its next post. A form without a key makes a draft every time."""
    nonce = request.POST.get("start_key", "")[:64]
    if not nonce:
        return secrets.token_urlsafe(24)
    get_token(request)
    secret = request.META["CSRF_COOKIE"]
    return salted_hmac(_START_KEY_SALT, f"{secret}:{nonce}", algorithm="sha256").hexdigest()


@login_required
def your_responses(request: HttpRequest) -> HttpResponse:
    responses = [(response, response_token(response)) for response in queries.responses_of(request.user)]
    return render(request, "consult/your_responses.html", {"responses": responses})


def consultation_outcome(request: HttpRequest, slug: str) -> HttpResponse:
    """The published "You said, we did" page: what was frozen at publication, never live counts."""
    consultation = get_public_consultation(slug)
    page = queries_outcome.published_outcome(consultation)
    if page is None:
        raise Http404("This consultation's outcome is not published yet.")
    # The published answers are read when downloaded, so whether there are any is read now too.
    has_published_answers = queries_outcome.published_responses(consultation).exists()
    return render(
        request,
        "consult/consultation_outcome.html",
        {"consultation": consultation, "page": page, "has_published_answers": has_published_answers},
    )

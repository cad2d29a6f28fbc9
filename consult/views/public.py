"""Pages anyone can read: the list of consultations and each consultation with its AI tool record."""

import secrets

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from django_ratelimit.decorators import ratelimit

from consult import queries, queries_outcome
from consult.access import get_public_consultation, response_token
from consult.services import responses as services
from consult.views.ratelimits import response_rate

PHASES = [("open", _("Open")), ("upcoming", _("Opening soon")), ("closed", _("Closed"))]


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
            # A fresh key per page view: posting the same start form twice finds one response.
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
    start_key = request.POST.get("start_key", "")[:64] or secrets.token_urlsafe(24)
    response = services.start_response(consultation, user, start_key, language=request.LANGUAGE_CODE)
    return redirect("about_you", response_token(response))


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
    return render(request, "consult/consultation_outcome.html", {"consultation": consultation, "page": page})

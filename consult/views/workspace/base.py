"""What every workspace view needs first: a signed-in official with two-factor authentication."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect

from consult.access import has_two_factor, is_official

View = Callable[..., HttpResponse]


def official_required(view: View) -> View:
    """Only officials reach the workspace, and only with an authenticator app set up.

    Anyone else signed in gets 404, as for an address that does not exist: the workspace does
    not tell citizens what it holds. An official without two-factor authentication is sent to set
    it up first.
    """

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not is_official(request.user):
            raise Http404("No page matches this address.")
        if not has_two_factor(request.user):
            messages.info(request, "Set up an authenticator app before you use the workspace.")
            return redirect("mfa_activate_totp")
        return view(request, *args, **kwargs)

    return wrapper

"""Citizens' data rights, for people signed in: download everything held about them, and delete
their account. "Your responses" (in `public`) lists their responses with view, change and withdraw."""

from __future__ import annotations

import json

from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django_ratelimit.decorators import ratelimit

from consult.forms.data_rights import DeleteAccountForm
from consult.queries import data_rights as queries_data_rights
from consult.services import data_rights


@login_required
@never_cache
def download_your_data(request: HttpRequest) -> HttpResponse:
    """Everything held about the person as a JSON file (the right of access, made self-service)."""
    data = queries_data_rights.personal_data(request.user)
    response = HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    filename = f"your-data-{timezone.localdate():%Y-%m-%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
# Each try checks the password: a handful an hour is plenty for its owner, and too few to guess it.
@ratelimit(group="delete_account", key="user", rate="10/h", method="POST", block=True)
def delete_account(request: HttpRequest) -> HttpResponse:
    refusal = queries_data_rights.why_account_cannot_be_deleted(request.user)
    form = DeleteAccountForm(request.user, request.POST if request.method == "POST" else None)
    if refusal is None and request.method == "POST" and form.is_valid():
        data_rights.delete_account(request.user)
        logout(request)
        return redirect("account_deleted")
    return render(
        request,
        "data_rights/delete_account.html",
        {
            "form": form,
            "refusal": refusal,
            "form_has_errors": form.is_bound and not form.is_valid(),
            "response_count": request.user.responses.count(),
        },
    )


def account_deleted(request: HttpRequest) -> HttpResponse:
    return render(request, "data_rights/account_deleted.html")

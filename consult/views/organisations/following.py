"""Following consultations and departments, the department page, the Following page, notification
preferences, and the unsubscribe link in every notification email."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.functional import Promise as StrPromise
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from consult.access import get_public_consultation
from consult.forms.following import NotificationPreferenceForm
from consult.queries import following as queries
from consult.services import following as services


def _back(request: HttpRequest, default: str) -> HttpResponse:
    """Back to the page the button was on (the Following page sends `next`), or to `default`."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return redirect(target)
    return redirect(default)


def _sign_in_first(page: str) -> HttpResponse:
    # Back to the page, not to this POST-only address: the person presses the button again there.
    return redirect(f"{reverse('account_login')}?next={page}")


def _follow_action(change: Callable[..., None], message: StrPromise) -> Callable[[HttpRequest, str], HttpResponse]:
    @require_POST
    def view(request: HttpRequest, slug: str) -> HttpResponse:
        consultation = get_public_consultation(slug)
        if not request.user.is_authenticated:
            return _sign_in_first(consultation.get_absolute_url())
        change(request.user, consultation)
        services.remember_language(request.user, request.LANGUAGE_CODE)
        messages.success(request, str(message))
        return _back(request, consultation.get_absolute_url())

    return view


def _department_action(change: Callable[..., None], message: StrPromise) -> Callable[[HttpRequest, str], HttpResponse]:
    @require_POST
    def view(request: HttpRequest, slug: str) -> HttpResponse:
        department = queries.get_public_department(slug)
        page = reverse("department_detail", args=[department.slug])
        if not request.user.is_authenticated:
            return _sign_in_first(page)
        change(request.user, department)
        services.remember_language(request.user, request.LANGUAGE_CODE)
        messages.success(request, str(message) % {"department": department.name})
        return _back(request, page)

    return view


# Lazy messages: each is translated into the language of the request that shows it.
follow_consultation = _follow_action(services.follow_consultation, gettext_lazy("You are following this consultation."))
unfollow_consultation = _follow_action(
    services.unfollow_consultation, gettext_lazy("You are no longer following this consultation.")
)
follow_department = _department_action(
    services.follow_department,
    gettext_lazy("You are following %(department)s."),
)
unfollow_department = _department_action(
    services.unfollow_department, gettext_lazy("You are no longer following %(department)s.")
)


def department_detail(request: HttpRequest, slug: str) -> HttpResponse:
    department = queries.get_public_department(slug)
    return render(
        request,
        "following/department_detail.html",
        {
            "department": department,
            "consultations": queries.department_consultations(department),
            "is_following": queries.follows_department(request.user, department),
        },
    )


@login_required
def following(request: HttpRequest) -> HttpResponse:
    return render(request, "following/following.html", {"following": queries.following_of(request.user)})


@login_required
def notification_preferences(request: HttpRequest) -> HttpResponse:
    preference = queries.following_of(request.user).preference
    if request.method == "POST":
        form = NotificationPreferenceForm(request.POST)
        if form.is_valid():
            services.save_notification_preference(
                request.user, kinds=form.cleaned_data["kinds"], frequency=form.cleaned_data["frequency"]
            )
            services.remember_language(request.user, request.LANGUAGE_CODE)
            messages.success(request, _("Your email preferences have been saved."))
            return redirect("following")
    else:
        form = NotificationPreferenceForm(initial=NotificationPreferenceForm.initial_for(preference))
    return render(
        request,
        "following/notification_preferences.html",
        {"form": form, "form_has_errors": form.is_bound and not form.is_valid()},
    )


# Mail clients send the RFC 8058 one-click POST with no cookie and no CSRF token; the signed token
# in the address is what proves the request, and all it can do is stop that person's emails.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def notification_unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks to confirm (link scanners follow links, so a GET must change nothing); POST,
    from the page's button or a mail client's one-click unsubscribe, unsubscribes."""
    user = services.user_for_unsubscribe_token(token)
    if request.method == "POST":
        services.unsubscribe(user)
        return render(request, "following/notification_unsubscribed.html")
    return render(request, "following/notification_unsubscribe.html")

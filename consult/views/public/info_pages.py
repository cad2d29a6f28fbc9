"""Pages of information about the service itself: the privacy notice and the accessibility statement."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def privacy_notice(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "info/privacy_notice.html",
        {"retention_days": settings.RETENTION_DAYS_AFTER_OUTCOME},
    )


def accessibility_statement(request: HttpRequest) -> HttpResponse:
    return render(request, "info/accessibility_statement.html")

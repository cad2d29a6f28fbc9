"""Rates for django-ratelimit, read from settings at request time."""

from django.conf import settings
from django.http import HttpRequest


def response_rate(group: str, request: HttpRequest) -> str:
    """The rate for saves of responses, read at request time so it can be changed in settings."""
    return settings.RESPONSE_RATE_LIMIT

"""System checks: the settings every process needs (at startup), and those for production
(`manage.py check --deploy`): officials' accounts and secrets."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register
from django.db import DatabaseError


@register(Tags.security, deploy=True)
def staff_have_two_factor(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Every active staff account has an authenticator app: the admin asks for one, but an account
    without one is a password away from being someone else's."""
    if settings.DEBUG:
        return []
    from allauth.mfa.models import Authenticator

    from consult.models import User

    try:
        missing = list(
            User.objects.filter(is_staff=True, is_active=True)
            .exclude(authenticator__type=Authenticator.Type.TOTP)
            .values_list("email", flat=True)[:20]
        )
    except DatabaseError:  # no database yet (a first deployment): nothing to check
        return []
    if not missing:
        return []
    return [
        Error(
            f"{len(missing)} staff account(s) without two-factor authentication: {', '.join(missing)}.",
            hint="Each must sign in and set up an authenticator app, or lose staff status.",
            id="consult.E001",
        )
    ]


@register(Tags.security, deploy=True)
def two_factor_secrets_have_their_own_key(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Two-factor secrets are encrypted with MFA_ENCRYPTION_KEYS; derived from SECRET_KEY, rotating
    SECRET_KEY would lock every official out."""
    if settings.DEBUG or settings.MFA_ENCRYPTION_KEYS:
        return []
    return [
        Warning(
            "MFA_ENCRYPTION_KEYS is not set: two-factor secrets are encrypted with a key derived from SECRET_KEY.",
            hint='Set MFA_ENCRYPTION_KEYS to a new key (`manage.py shell -c "from consult.two_factor import '
            'new_key; print(new_key())"`), then run `manage.py reencrypt_two_factor`; secrets stored before '
            "keep working until then.",
            id="consult.W001",
        )
    ]


@register(Tags.security, deploy=True)
def rate_limits_are_shared(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Rate limits count in the cache: a per-process cache gives every web process its own count.
    (django-ratelimit's own check, E003, is silenced so that the single-process demo starts.)"""
    backend = settings.CACHES["default"]["BACKEND"]
    if settings.DEBUG or not backend.endswith(("LocMemCache", "DummyCache")):
        return []
    return [
        Warning(
            "The cache is per process (REDIS_URL is not set): every web process counts rate limits on its own.",
            hint="Set REDIS_URL so that the web processes share one count per client address.",
            id="consult.W002",
        )
    ]


@register()
def embedding_settings_are_valid(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """The embedding settings mean something, checked when any process starts (a worker too), so
    that a typo fails at once rather than at the first answer embedded. Whether a GPU asked for is
    there is known only where the model loads: that fails then, with its own message."""
    from consult.analysis.embedding import DEVICE_PATTERN

    errors: list[CheckMessage] = []
    if not DEVICE_PATTERN.fullmatch(settings.EMBEDDING_DEVICE):
        errors.append(
            Error(
                f"EMBEDDING_DEVICE is {settings.EMBEDDING_DEVICE!r}.",
                hint="Set it to cpu, cuda (cuda:N for the Nth GPU) or auto (the GPU where there is one).",
                id="consult.E010",
            )
        )
    for name, least in (("EMBEDDING_BATCH_SIZE", 1), ("EMBEDDING_TASK_SIZE", 1), ("EMBEDDING_WAIT_SECONDS", 0)):
        value = getattr(settings, name)
        if value < least:
            errors.append(
                Error(
                    f"{name} is {value}; it must be at least {least}.",
                    hint="Unset it to take the default.",
                    id="consult.E011",
                )
            )
    return errors

"""The interface strings the account pages can show that come from django-allauth and Django rather
than from our own sources, which `make messages` extracts. allauth ships no Welsh, and Django's
Welsh leaves its password rules untranslated, so `locale/allauth/cy/LC_MESSAGES/django.po` holds
Welsh for every string listed here (see docs/decisions/0011-welsh.md).

The list is read from the packages' own English catalogues, so upgrading either brings its new
strings into the check in `tests/accounts/test_welsh_accounts.py`."""

from __future__ import annotations

import re
from pathlib import Path

import allauth
import django
import polib

ALLAUTH_CATALOGUE = Path(allauth.__file__).parent / "locale" / "en" / "LC_MESSAGES" / "django.po"
DJANGO_AUTH_CATALOGUE = (
    Path(django.__file__).parent / "contrib" / "auth" / "locale" / "en" / "LC_MESSAGES" / "django.po"
)
DJANGO_CATALOGUE = Path(django.__file__).parent / "conf" / "locale" / "en" / "LC_MESSAGES" / "django.po"

# allauth's account and two-factor pages, forms, messages and emails...
_ALLAUTH_IN_USE = re.compile(r"^(account|mfa)/|^templates/(account|mfa)/")
# ...less what this service does not switch on: security keys and passkeys (MFA_SUPPORTED_TYPES
# has only TOTP and recovery codes), phone numbers, signing in or resetting a password or
# verifying an address by a code sent by email, trusted browsers, and the admin's and the models'
# own names (only officials see the admin).
_ALLAUTH_NOT_IN_USE = re.compile(
    r"webauthn|passkey|phone|login_code|_code\.html|_code_(message|subject)\.txt|mfa/trust\.html"
    r"|/admin\.py|/apps\.py|/models\.py"
)
# Django's own strings that appear on the account pages: the password rules (settings'
# AUTH_PASSWORD_VALIDATORS) and the form errors allauth's fields can raise.
_DJANGO_AUTH_IN_USE = re.compile(r"^contrib/auth/password_validation\.py")
DJANGO_FORM_MESSAGES = (
    "This field is required.",
    "Enter a valid email address.",
    "Ensure this value has at most %(limit_value)d character (it has %(show_value)d).",
)


def _in_use(entry: polib.POEntry, pattern: re.Pattern[str], leave_out: re.Pattern[str] | None = None) -> bool:
    return any(pattern.search(path) and not (leave_out and leave_out.search(path)) for path, _line in entry.occurrences)


def account_entries() -> list[polib.POEntry]:
    """The English catalogue entries (msgid, plural and context) that the account pages can show."""
    entries = [
        entry
        for entry in polib.pofile(str(ALLAUTH_CATALOGUE))
        if not entry.obsolete and _in_use(entry, _ALLAUTH_IN_USE, _ALLAUTH_NOT_IN_USE)
    ]
    entries += [
        entry
        for entry in polib.pofile(str(DJANGO_AUTH_CATALOGUE))
        if not entry.obsolete and _in_use(entry, _DJANGO_AUTH_IN_USE)
    ]
    entries += [entry for entry in polib.pofile(str(DJANGO_CATALOGUE)) if entry.msgid in DJANGO_FORM_MESSAGES]
    return entries

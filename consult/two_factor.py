"""Two-factor secrets encrypted at rest: TOTP keys and recovery-code seeds.

django-allauth stores an authenticator's secret in `Authenticator.data` and passes it through its
MFA adapter's `encrypt`/`decrypt` hooks; `consult.adapters.MFAAdapter` sends them here. Secrets
are Fernet tokens (AES-128-CBC with an HMAC, from the `cryptography` package) under the keys in
`MFA_ENCRYPTION_KEYS`, newest first, so a key can be rotated: new secrets use the first, old ones
still open with any. A key derived from SECRET_KEY always comes last: it is the only key when the
setting is empty (the demo, tests; `manage.py check --deploy` warns), and it keeps secrets stored
before a key was set working after one is. A stored value without the prefix is a secret written
before encryption. `reencrypt_all` (the migration that introduced encryption, and `manage.py
reencrypt_two_factor` after a key change) puts every stored secret under the newest key.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable
from functools import cache
from typing import Any

from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings

PREFIX = "fernet:"


@cache
def _cipher(keys: tuple[str, ...], secret_key: str) -> MultiFernet:
    derived = base64.urlsafe_b64encode(hashlib.sha256(f"consult two-factor secrets\0{secret_key}".encode()).digest())
    return MultiFernet([*(Fernet(key.encode()) for key in keys), Fernet(derived)])


def cipher() -> MultiFernet:
    """The cipher for the keys configured now (cached per set of keys)."""
    return _cipher(tuple(settings.MFA_ENCRYPTION_KEYS), settings.SECRET_KEY)


def encrypt(text: str) -> str:
    """`text` as a prefixed Fernet token under the newest key."""
    return PREFIX + cipher().encrypt(text.encode()).decode()


def decrypt(stored: str) -> str:
    """The secret in `stored`: decrypted with whichever configured key made it, or as it is when it
    predates encryption (no prefix)."""
    if not stored.startswith(PREFIX):
        return stored
    return cipher().decrypt(stored.removeprefix(PREFIX).encode()).decode()


def is_encrypted(stored: object) -> bool:
    return isinstance(stored, str) and stored.startswith(PREFIX)


def new_key() -> str:
    """A fresh key for MFA_ENCRYPTION_KEYS."""
    return Fernet.generate_key().decode()


# The fields of an authenticator's data that allauth passes through the adapter's encrypt().
SECRET_FIELDS = ("secret", "seed")


def reencrypt(data: dict[str, Any]) -> dict[str, Any]:
    """An authenticator's `data` with every secret under the newest key (plain ones encrypted)."""
    updated = dict(data)
    for field in SECRET_FIELDS:
        value = updated.get(field)
        if isinstance(value, str):
            updated[field] = (
                PREFIX + cipher().rotate(value.removeprefix(PREFIX).encode()).decode()
                if is_encrypted(value)
                else encrypt(value)
            )
    codes = updated.get("migrated_codes")
    if isinstance(codes, list):
        updated["migrated_codes"] = [encrypt(decrypt(code)) if isinstance(code, str) else code for code in codes]
    return updated


def reencrypt_all(authenticators: Iterable[Any]) -> int:
    """Put every authenticator's secrets under the newest key; the number changed."""
    changed = 0
    for authenticator in authenticators:
        data = reencrypt(authenticator.data)
        if data != authenticator.data:
            authenticator.data = data
            authenticator.save(update_fields=["data"])
            changed += 1
    return changed

"""`manage.py reencrypt_two_factor`: every stored two-factor secret under the newest key of
MFA_ENCRYPTION_KEYS (after adding or rotating a key)."""

from __future__ import annotations

from allauth.mfa.models import Authenticator
from django.core.management.base import BaseCommand
from django.db import transaction

from consult.two_factor import reencrypt_all


class Command(BaseCommand):
    help = "Re-encrypt every stored two-factor secret under the newest MFA_ENCRYPTION_KEYS key."

    def handle(self, *args: object, **options: object) -> None:
        with transaction.atomic():
            changed = reencrypt_all(Authenticator.objects.select_for_update().order_by("pk"))
        self.stdout.write(f"{changed} authenticator(s) re-encrypted.")

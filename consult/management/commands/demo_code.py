"""`manage.py demo_code`: the code an authenticator app would show now for the demo officials'
published secret, for trying the demo without an app."""

from __future__ import annotations

import time

from allauth.mfa import app_settings
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.core.management.base import BaseCommand

from consult.demo.catalogue import DEMO_TOTP_SECRET


class Command(BaseCommand):
    help = "Print the current two-factor code of the demo officials."

    def handle(self, *args: object, **options: object) -> None:
        now = time.time()
        code = format_hotp_value(hotp_value(DEMO_TOTP_SECRET, int(now) // app_settings.TOTP_PERIOD))
        seconds_left = app_settings.TOTP_PERIOD - int(now) % app_settings.TOTP_PERIOD
        self.stdout.write(f"{code} (valid for {seconds_left} more seconds)")

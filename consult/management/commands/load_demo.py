"""`manage.py load_demo`: load the demo consultations, their responses and the demo official."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from consult.demo.build import load_demo
from consult.demo.catalogue import DEMO_OFFICIALS, DEMO_TOTP_SECRET, OFFICIAL_PASSWORD


class Command(BaseCommand):
    help = "Load the demo consultations and responses, replacing any earlier demo data."

    def handle(self, *args: object, **options: object) -> None:
        for loaded in load_demo():
            counts = (
                f"{loaded.submitted} submitted, {loaded.other} draft or withdrawn"
                if loaded.submitted
                else "no responses"
            )
            self.stdout.write(f"{loaded.phase:<10} {loaded.title} ({counts})")
        for email, role in DEMO_OFFICIALS:
            self.stdout.write(self.style.SUCCESS(f"Demo {role}: {email} / {OFFICIAL_PASSWORD}"))
        self.stdout.write(
            f"Their authenticator app secret: {DEMO_TOTP_SECRET} (add it to any authenticator app, "
            "or run `make demo-code` for the current code)"
        )

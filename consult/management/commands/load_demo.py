"""`manage.py load_demo`: load the demo consultations, their responses and the demo official."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from consult.demo.build import load_demo
from consult.demo.catalogue import OFFICIAL_EMAIL, OFFICIAL_PASSWORD


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
        self.stdout.write(self.style.SUCCESS(f"Demo official: {OFFICIAL_EMAIL} / {OFFICIAL_PASSWORD}"))

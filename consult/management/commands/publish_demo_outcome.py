"""`manage.py publish_demo_outcome`: the closed demo consultation's outcome, reviewed and published
by the demo lead (run by `make demo` after the analysis)."""

from django.core.management.base import BaseCommand

from consult.demo.outcome import publish_demo_outcome


class Command(BaseCommand):
    help = "Review, sign off, map and publish the closed demo consultation's outcome as the demo lead."

    def handle(self, *args: object, **options: object) -> None:
        outcome = publish_demo_outcome()
        self.stdout.write(f"Outcome of {outcome.consultation.slug} published (version {outcome.version}).")

"""Purge respondents' personal data from consultations whose outcome has been public long enough."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from consult.services import data_rights


class Command(BaseCommand):
    help = (
        "Purge respondents' personal data (emails, account links, external ids, equality information, "
        "individuals' organisation names, original text where a redacted text exists, drafts never sent) "
        "from consultations whose outcome was published more than RETENTION_DAYS_AFTER_OUTCOME days ago. "
        "The anonymised answers are kept. Safe to run again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="print what would be purged, change nothing")

    def handle(self, *args: object, **options: object) -> None:
        dry_run = bool(options["dry_run"])
        purged = data_rights.purge_due_consultations(dry_run=dry_run)
        days = settings.RETENTION_DAYS_AFTER_OUTCOME
        if not purged:
            self.stdout.write(f"No consultation's outcome was published more than {days} days ago without a purge.")
            return
        verb = "Would purge" if dry_run else "Purged"
        for consultation, counts in purged:
            self.stdout.write(f"{verb} {consultation.slug}: {data_rights.describe(counts)}.")
        if dry_run:
            self.stdout.write("Dry run: nothing was changed.")

"""Import free-text responses from a CSV file into a (closed) consultation."""

import csv
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from consult.services.imports import ImportError_, import_responses


class Command(BaseCommand):
    help = "Import each non-empty row of a CSV file as a submitted response to a free-text question."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="UTF-8 CSV file, with or without a byte order mark")
        parser.add_argument("--consultation", required=True, help="slug; created (closed) if missing")
        parser.add_argument("--text-column", required=True, help="column holding the answer text")
        parser.add_argument("--id-column", help="column holding each response's own id, kept as its external id")
        parser.add_argument("--question", default="", help="text of the free-text question (created if missing)")

    def handle(self, *args: object, **options: object) -> None:
        path: Path = options["file"]
        try:
            with path.open(encoding="utf-8-sig", newline="") as handle:
                rows = list(csv.DictReader(handle, strict=True))
        except FileNotFoundError:
            raise CommandError(f"No such file: {path}") from None
        except UnicodeDecodeError as error:
            raise CommandError(f"{path} is not UTF-8 text ({error.reason} at byte {error.start}).") from None
        except csv.Error as error:
            raise CommandError(f"{path} is not a well-formed CSV file: {error}") from None
        try:
            result = import_responses(
                rows,
                slug=options["consultation"],
                text_column=options["text_column"],
                id_column=options["id_column"],
                question_text=options["question"],
            )
        except ImportError_ as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"Imported {result.imported} responses into {result.slug} ({result.skipped} empty rows skipped)."
        )

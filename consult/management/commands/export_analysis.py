"""Write the latest finished analysis of a consultation to standard output as JSON or CSV."""

import csv
import json

from django.core.management.base import BaseCommand, CommandError, CommandParser

from consult.models import Consultation
from consult.queries.workspace.analysis_export import analysis_export


class Command(BaseCommand):
    help = "Export the latest succeeded analysis run of a consultation."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug")
        parser.add_argument("--format", choices=["json", "csv"], default="json")

    def handle(self, *args: object, **options: object) -> None:
        consultation = Consultation.objects.filter(slug=options["slug"]).first()
        if consultation is None:
            raise CommandError(f"There is no consultation {options['slug']!r}.")
        export = analysis_export(consultation)
        if export is None:
            raise CommandError(f"{consultation.slug} has no finished analysis yet: run `manage.py analyse` first.")
        if options["format"] == "json":
            self.stdout.write(json.dumps(export, ensure_ascii=False, indent=2))
            return
        writer = csv.writer(self.stdout, lineterminator="\n")
        writer.writerow(
            [
                "consultation",
                "question",
                "reference",
                "external_id",
                "substantive",
                "theme_ids",
                "theme_labels",
                "mapped_theme_ids",
                "mapped_theme_labels",
                "campaign",
            ]
        )
        for question in export["questions"]:
            labels = {theme["id"]: theme["label"] for theme in question["themes"]}
            reviewed = {theme["id"]: theme["label"] for theme in question["reviewed_themes"]}
            for response in question["responses"]:
                writer.writerow(
                    [
                        export["consultation"],
                        question["text"],
                        response["reference"],
                        response["external_id"],
                        "yes" if response["substantive"] else "no",
                        ";".join(str(theme_id) for theme_id in response["themes"]),
                        ";".join(labels[theme_id] for theme_id in response["themes"]),
                        ";".join(str(theme_id) for theme_id in response["mapped_themes"]),
                        ";".join(reviewed[theme_id] for theme_id in response["mapped_themes"]),
                        "" if response["campaign"] is None else response["campaign"],
                    ]
                )

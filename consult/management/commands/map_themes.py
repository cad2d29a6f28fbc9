"""Map every answer of a consultation to its signed-off themes, through the task the workers run."""

import time

from django.core.management.base import BaseCommand, CommandError, CommandParser

from consult.models import Consultation, ThemeSet
from consult.queries.workspace.review import mapping_totals
from consult.services.review import ReviewError, request_mapping

IN_PROGRESS = (ThemeSet.MappingStatus.QUEUED, ThemeSet.MappingStatus.RUNNING)


class Command(BaseCommand):
    help = "Map every answer of a consultation to its signed-off themes (with --wait, wait for the mapping)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug")
        parser.add_argument(
            "--wait", action="store_true", help="wait until every mapping finishes; exit 1 if one fails"
        )

    def handle(self, *args: object, **options: object) -> None:
        consultation = Consultation.objects.filter(slug=options["slug"]).first()
        if consultation is None:
            raise CommandError(f"There is no consultation {options['slug']!r}.")
        theme_sets = list(
            ThemeSet.objects.filter(question__consultation=consultation, status=ThemeSet.Status.SIGNED_OFF)
            .select_related("question")
            .order_by("question__position")
        )
        if not theme_sets:
            raise CommandError(
                f"{consultation.slug} has no signed-off themes: sign them off in the workspace or import a "
                "framework with import_themes."
            )
        for theme_set in theme_sets:
            # With no broker the mapping runs here, in this process, as soon as it is queued.
            try:
                request_mapping(theme_set, None)
            except ReviewError:
                theme_set.refresh_from_db()
                if theme_set.mapping_status not in IN_PROGRESS:
                    raise
                # Already queued (a framework just imported, a sign-off): wait for that mapping.
            self.stdout.write(f"Question {theme_set.question.position}: mapping queued.")
        if not options["wait"]:
            return
        failed = []
        for theme_set in theme_sets:
            theme_set.refresh_from_db()
            while theme_set.mapping_status in IN_PROGRESS:
                time.sleep(1)
                theme_set.refresh_from_db()
            question = theme_set.question
            if theme_set.mapping_status != ThemeSet.MappingStatus.DONE:
                failed.append(f"question {question.position}: {theme_set.mapping_error or 'not mapped'}")
                continue
            totals = mapping_totals(theme_set)
            self.stdout.write(
                f"Question {question.position}: {totals.mapped} answers mapped, "
                f"{totals.other_share:.0%} in Other ({totals.in_other})."
            )
        if failed:
            raise CommandError("The mapping failed for " + "; ".join(failed))
        self.stdout.write(self.style.SUCCESS(f"Every answer of {consultation.slug} is mapped to its themes in force."))

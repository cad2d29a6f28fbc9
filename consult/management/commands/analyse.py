"""Run the analysis of a consultation through the same task the workers run."""

import time

from django.core.management.base import BaseCommand, CommandError, CommandParser

from consult.models import AnalysisRun, Consultation
from consult.services.runs import AnalysisAlreadyRunning, request_analysis


class Command(BaseCommand):
    help = "Queue an analysis run of a consultation (and with --wait, wait for it to finish)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug")
        parser.add_argument("--wait", action="store_true", help="wait until the run finishes; exit 1 if it fails")
        parser.add_argument(
            "--max-themes",
            type=int,
            help="a ceiling on the themes per question, for this run only (below it the answers decide)",
        )
        parser.add_argument(
            "--count-every-copy",
            action="store_true",
            help="count every copy of a campaign in theme counts (by default each campaign counts once)",
        )

    def handle(self, *args: object, **options: object) -> None:
        consultation = Consultation.objects.filter(slug=options["slug"]).first()
        if consultation is None:
            raise CommandError(f"There is no consultation {options['slug']!r}.")
        if options["max_themes"] is not None and options["max_themes"] < 1:
            raise CommandError("--max-themes must be at least 1.")
        # With no broker the task runs here, in this process, as soon as the run is committed.
        try:
            run = request_analysis(
                consultation, max_themes=options["max_themes"], count_campaigns_once=not options["count_every_copy"]
            )
        except AnalysisAlreadyRunning as running:
            # One run at a time, as in the workspace: follow the one already under way.
            run = running.run
            self.stdout.write(f"Analysis run {run.pk} is already {run.status} for {consultation.slug}.")
        except Exception:
            # Without a broker the run happened in this process, and its failure surfaced here;
            # the run's row records the error, reported below.
            run = AnalysisRun.objects.filter(consultation=consultation).latest("created_at")
            self.stdout.write(f"Analysis run {run.pk} queued for {consultation.slug}.")
        else:
            self.stdout.write(f"Analysis run {run.pk} queued for {consultation.slug}.")
        if not options["wait"]:
            return
        last_stage = ""
        while True:
            run.refresh_from_db()
            if run.stage != last_stage:
                self.stdout.write(f"  {run.get_stage_display()} ({run.progress}%)")
                last_stage = run.stage
            if run.is_finished:
                break
            time.sleep(1)
        if run.status != AnalysisRun.Status.SUCCEEDED:
            raise CommandError(f"Analysis run {run.pk} failed: {run.error}")
        timings = ", ".join(f"{stage} {seconds:.1f}s" for stage, seconds in run.timings.items())
        self.stdout.write(
            self.style.SUCCESS(
                f"Analysis run {run.pk} succeeded: {run.answers_analysed} answers, "
                f"{run.themes.count()} themes. {timings}."
            )
        )

"""Run the analysis of a consultation through the same task the workers run."""

import time
from collections.abc import Callable

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
        # With tasks in-process (TASKS_IN_PROCESS) the run happens here, as soon as it is committed.
        try:
            run = request_analysis(
                consultation, max_themes=options["max_themes"], count_campaigns_once=not options["count_every_copy"]
            )
        except AnalysisAlreadyRunning as running:
            # One run at a time, as in the workspace: follow the one already under way.
            run = running.run
            self.stdout.write(f"Analysis run {run.pk} is already {run.status} for {consultation.slug}.")
        except Exception:
            # With tasks in-process the run happened here, and its failure surfaced here;
            # the run's row records the error, reported below.
            run = AnalysisRun.objects.filter(consultation=consultation).latest("created_at")
            self.stdout.write(f"Analysis run {run.pk} queued for {consultation.slug}.")
        else:
            self.stdout.write(f"Analysis run {run.pk} queued for {consultation.slug}.")
        if options["wait"]:
            follow_run(run, self.stdout.write, self.style.SUCCESS)


def follow_run(
    run: AnalysisRun,
    write: Callable[[str], object],
    success: Callable[[str], str] = str,
    *,
    worker_alive: Callable[[], bool] = lambda: True,
    patience_seconds: float = 30,
) -> AnalysisRun:
    """Print a run's stages until it finishes; raise CommandError if it fails. Where no worker
    takes a queued run within `patience_seconds`, say how to start one, and keep waiting."""
    last_stage = ""
    started = time.monotonic()
    told = False
    while True:
        run.refresh_from_db()
        if run.stage != last_stage:
            write(f"  {run.get_stage_display()} ({run.progress}%)")
            last_stage = run.stage
        if run.is_finished:
            break
        if not worker_alive():
            raise CommandError(f"The worker stopped before analysis run {run.pk} finished.")
        if not told and run.status == AnalysisRun.Status.QUEUED and time.monotonic() - started > patience_seconds:
            write("  Still queued: is a worker running? `make serve` starts one beside the site, `make worker` alone.")
            told = True
        time.sleep(0.5)
    if run.status != AnalysisRun.Status.SUCCEEDED:
        raise CommandError(f"Analysis run {run.pk} failed: {run.error}")
    timings = ", ".join(f"{stage} {seconds:.1f}s" for stage, seconds in run.timings.items())
    write(
        success(
            f"Analysis run {run.pk} succeeded: {run.answers_analysed} answers, {run.themes.count()} themes. {timings}."
        )
    )
    return run

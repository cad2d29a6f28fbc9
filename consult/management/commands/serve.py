"""`manage.py serve`: the development server with a real Celery worker beside it (`make serve`;
`make demo` adds --demo). With a broker of the settings' own (no CELERY_BROKER_URL), the worker is
started here and stopped when the server stops; with CELERY_BROKER_URL set, run workers as in
production (`make worker`) and this serves only."""

from __future__ import annotations

import os
import signal
import threading
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from consult.demo.benefits import BENEFITS
from consult.demo.catalogue import DEMO_OFFICIALS, DEMO_TOTP_SECRET, OFFICIAL_PASSWORD
from consult.demo.housing import HOUSING
from consult.management.commands.analyse import follow_run
from consult.management.embedded_worker import EmbeddedWorker
from consult.models import AnalysisRun, Consultation
from consult.services.runs import AnalysisAlreadyRunning, request_analysis


def _stop_serving(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


class Command(BaseCommand):
    help = "Serve the site on the development server, with an embedded Celery worker beside it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")
        parser.add_argument(
            "--demo",
            action="store_true",
            help="first analyse the demo consultations on the worker and publish the closed one's outcome",
        )

    def handle(self, *args: object, **options: object) -> None:
        addrport = str(options["addrport"])
        if settings.CELERY_TASK_ALWAYS_EAGER:
            self.stdout.write("Tasks run inside the web process (TASKS_IN_PROCESS=true): no worker started.")
            worker = None
        elif not settings.EMBEDDED_BROKER:
            self.stdout.write("CELERY_BROKER_URL is set: run the workers yourself (`make worker`, `make beat`).")
            worker = None
        else:
            worker = EmbeddedWorker()
            if options["demo"] and (cleared := worker.clear_queue()):
                self.stdout.write(f"Cleared {cleared} messages left from before the demo was loaded.")
            worker.start()
            # `kill` (SIGTERM) stops the server as Ctrl+C does, so the worker is stopped with it.
            signal.signal(signal.SIGTERM, _stop_serving)
            self.stdout.write(f"Celery worker started (process {worker.process.pid}); its log: {worker.log_path}")
            threading.Thread(target=self._watch, args=(worker,), daemon=True).start()
        try:
            if options["demo"]:
                self._analyse_demo(worker)
            self._banner(addrport, options["demo"])
            # No reloader: it would run this command again in a child, and the worker with it.
            call_command("runserver", addrport, use_reloader=False)
        finally:
            if worker is not None:
                self.stdout.write("Stopping the worker...")
                worker.stop()

    def _watch(self, worker: EmbeddedWorker) -> None:
        """Stop the server if the worker dies: a site whose tasks pile up unseen misleads."""
        while worker.alive():
            time.sleep(1)
        self.stderr.write(
            f"\nThe Celery worker stopped (exit code {worker.exit_code()}). The end of its log:\n{worker.log_tail()}\n"
        )
        os.kill(os.getpid(), signal.SIGTERM)

    def _analyse_demo(self, worker: EmbeddedWorker | None) -> None:
        alive = worker.alive if worker is not None else (lambda: True)
        runs = []
        demo = Consultation.objects.filter(slug__in=[BENEFITS.slug, HOUSING.slug]).order_by("pk")
        if len(demo) != 2:
            raise CommandError("The demo is not loaded: run `manage.py load_demo` first.")
        for consultation in demo:
            try:
                run = request_analysis(consultation)
            except AnalysisAlreadyRunning as running:
                run = running.run
            self.stdout.write(f"Analysing {consultation.slug} on the worker (run {run.pk}).")
            runs.append(run)
        for run in runs:
            self.stdout.write(f"{run.consultation.slug}:")
            follow_run(AnalysisRun.objects.get(pk=run.pk), self.stdout.write, self.style.SUCCESS, worker_alive=alive)
        call_command("publish_demo_outcome", stdout=self.stdout)

    def _banner(self, addrport: str, demo: bool) -> None:
        host, _, port = addrport.rpartition(":")
        self.stdout.write("")
        self.stdout.write(f"  consult is running at http://{host or '127.0.0.1'}:{port}/")
        if demo:
            officials = ", ".join(f"{email} ({role})" for email, role in DEMO_OFFICIALS)
            self.stdout.write(
                f"  Demo officials (workspace at /workspace/): {officials}; password {OFFICIAL_PASSWORD}."
            )
            self.stdout.write(
                f"  They sign in with a two-factor code: add the secret {DEMO_TOTP_SECRET} to an "
                "authenticator app, or run 'make demo-code' for the current code."
            )
        self.stdout.write("")

"""The app: registers the deploy checks and loads the Celery tasks in every process."""

from django.apps import AppConfig


class ConsultConfig(AppConfig):
    name = "consult"
    verbose_name = "Consult"

    def ready(self) -> None:
        from consult import (
            checks,  # noqa: F401 (registers the deploy checks)
            tasks,  # noqa: F401 (registers the tasks services send by name, in every process)
        )

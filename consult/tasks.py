"""Celery tasks: thin, they take ids and call one function.

Work that must not be lost is recorded in the outbox before it is sent
(consult.services.outbox.enqueue); such tasks take the row's id as `queued` (`FromOutbox`).

Services never import this module: they name the task they ask for (`consult.task_names`), and
each task here is declared under that name. This module imports the services it calls, as views do.
"""

from typing import Any

from celery import Task, shared_task
from django.db import InterfaceError, OperationalError

from consult import emails, task_names
from consult.queries.kept_counts import Recount
from consult.services import (
    arrivals,
    data_rights,
    embeddings,
    mapping,
    notifications,
    outbox,
    publishing,
    recounts,
    run_chunks,
    run_claims,
    runs,
)

# A mail server or database that is briefly away (a restart, a dropped connection): retried with a
# growing wait rather than failed, so that a blip does not leave the work to the outbox's sweep.
RETRIED = (OSError, OperationalError, InterfaceError)


class FromOutbox(Task):
    """A task whose message may name its outbox row (consult.services.outbox): the row is checked
    before the work and marked done after it, so a message sent twice does the work once. `once`
    holds the row locked while the work is done, for work that cannot be taken back (emails)."""

    once = False
    typing = False  # messages carry `queued`, which the task's own signature does not name

    def __call__(self, *args: Any, queued: int | None = None, **kwargs: Any) -> Any:
        # `run` directly, not `Task.__call__`, which would push a request without the message's id
        # and kwargs, so that a retry would be sent without `queued`.
        if queued is None:
            return self.run(*args, **kwargs)
        try:
            return outbox.perform(queued, lambda: self.run(*args, **kwargs), once=self.once)
        except (OperationalError, InterfaceError) as error:
            # The database went away while the row was read or marked: later, as `run` would be.
            raise self.retry(exc=error, countdown=min(2**self.request.retries, 60), max_retries=5) from error


class EmailFromOutbox(FromOutbox):
    once = True


@shared_task(
    base=EmailFromOutbox, autoretry_for=RETRIED, retry_backoff=True, max_retries=5, name=task_names.SEND_RECEIPT_EMAIL
)
def send_receipt_email(response_id: int) -> None:
    emails.send_receipt(response_id)


@shared_task(
    base=EmailFromOutbox,
    autoretry_for=RETRIED,
    retry_backoff=True,
    max_retries=5,
    name=task_names.SEND_RESUME_LINK_EMAIL,
)
def send_resume_link_email(response_id: int) -> None:
    emails.send_resume_link(response_id)


@shared_task(
    base=EmailFromOutbox,
    autoretry_for=RETRIED,
    retry_backoff=True,
    max_retries=5,
    name=task_names.SEND_WITHDRAWAL_EMAIL,
)
def send_withdrawal_email(response_id: int) -> None:
    emails.send_withdrawal_confirmation(response_id)


@shared_task(acks_late=True, reject_on_worker_lost=True, name=task_names.RUN_ANALYSIS)
def run_analysis(run_id: int) -> None:
    """A whole analysis run, on the `analysis` queue (see CELERY_TASK_ROUTES)."""
    runs.run_analysis(run_id)


@shared_task(acks_late=True, reject_on_worker_lost=True, name=task_names.RUN_PIECE)
def run_piece(run_id: int, execution: str, number: int, work: dict[str, Any]) -> None:
    """One piece of an analysis run (placing a range of answers, a theme's sub-themes, the
    finishing step), on the `analysis` queue, so a run's pieces spread over every analysis worker."""
    run_chunks.run_piece(run_id, execution, number, work)


@shared_task(
    base=FromOutbox, autoretry_for=RETRIED, retry_backoff=True, max_retries=5, name=task_names.PROCESS_RESPONSE
)
def process_response(response_id: int) -> None:
    """Redact and screen a new or changed response's answers, then queue their embedding (which
    places them in the current themes)."""
    arrivals.process_response(response_id)


@shared_task(
    base=FromOutbox,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=RETRIED,
    retry_backoff=True,
    max_retries=5,
    name=task_names.EMBED_ANSWERS,
)
def embed_answers(answer_ids: list[int], place: bool = False) -> int:
    """Embed a batch of answers on the `embedding` queue (a GPU worker's, where there is one); with
    `place`, then place them in the current themes as arrivals (the task strings the two services
    together, so that embedding never reaches up into arrivals). Returns how many it embedded."""
    embedded = embeddings.embed_answers(answer_ids)
    if place:
        arrivals.place_embedded(answer_ids)
    return embedded


@shared_task(name=task_names.REQUEUE_LOST_RUNS)
def requeue_lost_runs() -> list[int]:
    """Run by Celery beat: send again analysis runs whose message a broker restart lost."""
    return run_claims.requeue_lost_runs()


@shared_task(name=task_names.RESEND_QUEUED_WORK)
def resend_queued_work() -> int:
    """Run by Celery beat: send again queued work that no worker has done (a lost message)."""
    return outbox.resend_due()


@shared_task(base=FromOutbox, acks_late=True, reject_on_worker_lost=True, name=task_names.MAP_THEME_SET)
def map_theme_set(theme_set_id: int) -> None:
    """Map every answer of a question to its signed-off themes, on the `analysis` queue."""
    mapping.map_answers(theme_set_id)


@shared_task(base=FromOutbox, acks_late=True, reject_on_worker_lost=True, name=task_names.MAP_CHUNK)
def map_chunk(chunk_id: int) -> None:
    """Map one range of a question's answers and stage the proposals, on the `analysis` queue."""
    mapping.map_chunk(chunk_id)


@shared_task(base=FromOutbox, acks_late=True, reject_on_worker_lost=True, name=task_names.FINISH_MAPPING)
def finish_mapping(theme_set_id: int, version: int) -> None:
    """Switch a mapping in once every chunk is staged, on the `analysis` queue."""
    mapping.finish_mapping(theme_set_id, version)


@shared_task(
    base=FromOutbox, autoretry_for=RETRIED, retry_backoff=True, max_retries=5, name=task_names.SEND_OUTCOME_EMAILS
)
def send_outcome_emails(consultation_id: int) -> None:
    """Tell every respondent that the outcome is published; sends each person's email once."""
    publishing.send_outcome_emails(consultation_id)


@shared_task(name=task_names.PURGE_PERSONAL_DATA)
def purge_personal_data() -> int:
    """Run daily by Celery beat: purge respondents' personal data from every consultation whose
    outcome has been public longer than RETENTION_DAYS_AFTER_OUTCOME. Returns how many it purged."""
    return len(data_rights.purge_due_consultations())


@shared_task(autoretry_for=RETRIED, retry_backoff=True, max_retries=5, name=task_names.SEND_DUE_NOTIFICATIONS)
def send_due_notifications() -> int:
    """Run by Celery beat: email followers about consultations that opened, close in seven days or
    published their outcome; each email goes at most once (docs/decisions/0008-notifications.md)."""
    return notifications.send_due_notifications()


@shared_task(autoretry_for=RETRIED, retry_backoff=True, max_retries=5, name=task_names.SEND_DAILY_DIGESTS)
def send_daily_digests() -> int:
    """Run by Celery beat once a day: one email per person who chose the daily digest."""
    return notifications.send_daily_digests()


@shared_task(name=task_names.COUNT_ANALYSIS)
def count_analysis(consultation_id: int, page: str = "", question_id: int | None = None) -> None:
    """Count an analysis page's figures into the shared cache, so that no official waits for it."""
    recounts.recount(Recount(consultation_id, page, question_id))


@shared_task(
    base=EmailFromOutbox, autoretry_for=RETRIED, retry_backoff=True, max_retries=5, name=task_names.SEND_NEW_LINK_EMAIL
)
def send_new_link_email(response_id: int) -> None:
    """The new link a respondent asked for (consult.services.response_links)."""
    emails.send_new_link(response_id)

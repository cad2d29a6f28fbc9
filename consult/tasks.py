"""Celery tasks: thin, they take ids and call one function.

Work that must not be lost is recorded in the outbox before it is sent
(consult.services.outbox.enqueue); such tasks take the row's id as `queued` (`FromOutbox`).

Services import this module to enqueue tasks, so the task bodies import the services they call
when they run, not at import time.
"""

from typing import Any

from celery import Task, shared_task
from django.db import InterfaceError, OperationalError

from consult import emails

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
        from consult.services import outbox

        try:
            return outbox.perform(queued, lambda: self.run(*args, **kwargs), once=self.once)
        except (OperationalError, InterfaceError) as error:
            # The database went away while the row was read or marked: later, as `run` would be.
            raise self.retry(exc=error, countdown=min(2**self.request.retries, 60), max_retries=5) from error


class EmailFromOutbox(FromOutbox):
    once = True


@shared_task(base=EmailFromOutbox, autoretry_for=RETRIED, retry_backoff=True, max_retries=5)
def send_receipt_email(response_id: int) -> None:
    emails.send_receipt(response_id)


@shared_task(base=EmailFromOutbox, autoretry_for=RETRIED, retry_backoff=True, max_retries=5)
def send_resume_link_email(response_id: int) -> None:
    emails.send_resume_link(response_id)


@shared_task(base=EmailFromOutbox, autoretry_for=RETRIED, retry_backoff=True, max_retries=5)
def send_withdrawal_email(response_id: int) -> None:
    emails.send_withdrawal_confirmation(response_id)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def run_analysis(run_id: int) -> None:
    """A whole analysis run, on the `analysis` queue (see CELERY_TASK_ROUTES)."""
    from consult.services import runs

    runs.run_analysis(run_id)


@shared_task(base=FromOutbox, autoretry_for=RETRIED, retry_backoff=True, max_retries=5)
def process_response(response_id: int) -> None:
    """Redact, embed and place a new or changed response's answers in the current themes."""
    from consult.services import arrivals

    arrivals.process_response(response_id)


@shared_task
def requeue_lost_runs() -> list[int]:
    """Run by Celery beat: send again analysis runs whose message a broker restart lost."""
    from consult.services import run_claims

    return run_claims.requeue_lost_runs()


@shared_task
def resend_queued_work() -> int:
    """Run by Celery beat: send again queued work that no worker has done (a lost message)."""
    from consult.services import outbox

    return outbox.resend_due()


@shared_task(base=FromOutbox, acks_late=True, reject_on_worker_lost=True)
def map_theme_set(theme_set_id: int) -> None:
    """Map every answer of a question to its signed-off themes, on the `analysis` queue."""
    from consult.services import mapping

    mapping.map_answers(theme_set_id)


@shared_task(base=FromOutbox, autoretry_for=RETRIED, retry_backoff=True, max_retries=5)
def send_outcome_emails(consultation_id: int) -> None:
    """Tell every respondent that the outcome is published; sends each person's email once."""
    from consult.services import publishing

    publishing.send_outcome_emails(consultation_id)


@shared_task
def purge_personal_data() -> int:
    """Run daily by Celery beat: purge respondents' personal data from every consultation whose
    outcome has been public longer than RETENTION_DAYS_AFTER_OUTCOME. Returns how many it purged."""
    from consult.services import data_rights

    return len(data_rights.purge_due_consultations())


@shared_task(autoretry_for=RETRIED, retry_backoff=True, max_retries=5)
def send_due_notifications() -> int:
    """Run by Celery beat: email followers about consultations that opened, close in seven days or
    published their outcome; each email goes at most once (docs/decisions/0008-notifications.md)."""
    from consult.services import notifications

    return notifications.send_due_notifications()


@shared_task(autoretry_for=RETRIED, retry_backoff=True, max_retries=5)
def send_daily_digests() -> int:
    """Run by Celery beat once a day: one email per person who chose the daily digest."""
    from consult.services import notifications

    return notifications.send_daily_digests()


@shared_task
def count_analysis(consultation_id: int, page: str = "", question_id: int | None = None) -> None:
    """Count an analysis page's figures into the shared cache, so that no official waits for it."""
    from consult.queries.workspace import dashboard as queries_dashboard

    queries_dashboard.recount(consultation_id, page, question_id)


@shared_task(base=EmailFromOutbox, autoretry_for=RETRIED, retry_backoff=True, max_retries=5)
def send_new_link_email(response_id: int) -> None:
    """The new link a respondent asked for (consult.services.response_links)."""
    emails.send_new_link(response_id)

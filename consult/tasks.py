"""Celery tasks: thin, they take ids and call one function."""

from celery import shared_task

from consult import emails


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_receipt_email(response_id: int) -> None:
    emails.send_receipt(response_id)


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_resume_link_email(response_id: int) -> None:
    emails.send_resume_link(response_id)


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_withdrawal_email(response_id: int) -> None:
    emails.send_withdrawal_confirmation(response_id)

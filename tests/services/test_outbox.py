"""Queued work survives the broker (issue 12: a Redis restart lost 777 of 2,005 receipts for good).

Work is recorded in the same transaction as the response (consult.services.outbox); beat sends
again what no worker has done; a task handed work already done does nothing. The first tests run
the tasks in-process; the last ones use a real Redis broker, a real worker and a broker that goes
down or forgets its queue.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction
from django.test import Client, override_settings
from django.utils import timezone

from config.celery import app as celery_app
from consult import task_names, tasks
from consult.models import Answer, QueuedTask, Response
from consult.services import outbox
from tests.factories import make_consultation
from tests.journey import answer_required, send, start
from tests.real_workers import BROKER_URL, redis_answers, wait_until


def send_a_response(client: Client, email: str = "r@example.com") -> Response:
    consultation = make_consultation()
    token = start(client, consultation)
    answer_required(client, consultation, token, email=email)
    send(client, token)
    return Response.objects.get(consultation=consultation)


class FlakyEmailBackend:
    """An SMTP server that refuses the first connection of each test, then accepts (Django's
    locmem backend behind it, so the test can read what was sent)."""

    refusals = 0

    def __init__(self, **kwargs: object) -> None:
        from django.core.mail.backends.locmem import EmailBackend

        self.inner = EmailBackend(**kwargs)

    def send_messages(self, messages: list) -> int:
        if FlakyEmailBackend.refusals:
            FlakyEmailBackend.refusals -= 1
            raise ConnectionRefusedError("the SMTP server is restarting")
        return self.inner.send_messages(messages)


@contextmanager
def tasks_retried_as_by_a_worker() -> Iterator[None]:
    """In-process tasks that fail are retried, as a worker retries them, instead of raising."""
    previous = celery_app.conf.task_eager_propagates
    celery_app.conf.task_eager_propagates = False
    try:
        yield
    finally:
        celery_app.conf.task_eager_propagates = previous


# --- In-process -----------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@override_settings(ANALYSE_ON_ARRIVAL=True)
def test_sending_records_the_receipt_and_the_analysis_and_each_is_done_once(client: Client) -> None:
    response = send_a_response(client)

    queued = {row.task: row for row in QueuedTask.objects.all()}
    embedding = queued.pop("consult.tasks.embed_answers")  # the processing hands the answers on
    assert set(queued) == {"consult.tasks.send_receipt_email", "consult.tasks.process_response"}
    assert queued["consult.tasks.send_receipt_email"].key == f"receipt:{response.pk}"
    assert all(row.args == [response.pk] and row.done_at is not None for row in queued.values())
    free_text = Answer.objects.filter(response=response, question__kind="free_text").exclude(text="")
    assert embedding.args == [list(free_text.order_by("pk").values_list("pk", flat=True)), True]
    assert embedding.done_at is not None
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_a_change_rolled_back_leaves_no_queued_work(client: Client) -> None:
    consultation = make_consultation()
    token = start(client, consultation)
    answer_required(client, consultation, token, email="r@example.com")
    response = Response.objects.get()

    with pytest.raises(RuntimeError), transaction.atomic():
        outbox.enqueue(task_names.SEND_RECEIPT_EMAIL, response.pk, key=f"receipt:{response.pk}")
        raise RuntimeError("the sending failed after the receipt was recorded")

    assert not QueuedTask.objects.exists()
    assert mail.outbox == []


@pytest.mark.django_db(transaction=True)
def test_a_receipt_asked_for_twice_is_recorded_and_sent_once(client: Client) -> None:
    response = send_a_response(client)

    outbox.enqueue(task_names.SEND_RECEIPT_EMAIL, response.pk, key=f"receipt:{response.pk}")

    assert QueuedTask.objects.filter(task="consult.tasks.send_receipt_email").count() == 1
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_a_message_delivered_twice_sends_one_email(client: Client) -> None:
    response = send_a_response(client)
    receipt = QueuedTask.objects.get(key=f"receipt:{response.pk}")

    tasks.send_receipt_email.apply(args=[response.pk], kwargs={"queued": receipt.pk})
    tasks.send_receipt_email.apply(args=[response.pk], kwargs={"queued": receipt.pk})

    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
@override_settings(EMAIL_BACKEND="tests.services.test_outbox.FlakyEmailBackend")
def test_a_receipt_retried_after_an_smtp_failure_keeps_its_record_and_goes_once(client: Client) -> None:
    FlakyEmailBackend.refusals = 1
    with tasks_retried_as_by_a_worker():
        response = send_a_response(client)

    receipt = QueuedTask.objects.get(key=f"receipt:{response.pk}")
    assert receipt.done_at is not None, "the retry ran without its outbox row"
    assert len(mail.outbox) == 1
    assert outbox.resend_due() == 0
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
@override_settings(OUTBOX_RESEND_AFTER_SECONDS=60, OUTBOX_MAX_SENDS=3)
def test_beat_sends_lost_work_again_backing_off_and_gives_up_in_the_end(client: Client, caplog) -> None:
    response = send_a_response(client)
    now = timezone.now()
    QueuedTask.objects.all().delete()
    make = QueuedTask.objects.create
    lost = make(task=tasks.send_receipt_email.name, args=[response.pk], sent_at=now - timedelta(seconds=61), sends=1)
    never_sent = make(task=tasks.send_receipt_email.name, args=[response.pk], sent_at=None, sends=1)
    recent = make(task=tasks.send_receipt_email.name, args=[response.pk], sent_at=now - timedelta(seconds=30), sends=1)
    # Sent twice already: waits twice as long before a third time.
    backing_off = make(
        task=tasks.send_receipt_email.name, args=[response.pk], sent_at=now - timedelta(seconds=90), sends=2
    )
    hopeless = make(
        task=tasks.send_receipt_email.name, args=[response.pk], sent_at=now - timedelta(seconds=600), sends=3
    )
    # Its third sending found the broker down: nothing will send it again either.
    hopeless_unsent = make(task=tasks.send_receipt_email.name, args=[response.pk], sent_at=None, sends=3)
    mail.outbox.clear()

    with caplog.at_level(logging.ERROR, logger="consult.services.outbox"):
        assert outbox.resend_due() == 2

    def reread(row: QueuedTask) -> QueuedTask:
        return QueuedTask.objects.get(pk=row.pk)

    assert reread(lost).done_at and reread(lost).sends == 2
    assert reread(never_sent).done_at
    assert not reread(recent).done_at and not reread(backing_off).done_at
    assert reread(hopeless).gave_up_at and not reread(hopeless).done_at
    assert reread(hopeless_unsent).gave_up_at and not reread(hopeless_unsent).done_at
    assert "never done" in caplog.text
    assert len(mail.outbox) == 2


@pytest.mark.django_db(transaction=True)
@override_settings(OUTBOX_KEEP_DAYS=7)
def test_work_done_long_ago_is_forgotten(client: Client) -> None:
    send_a_response(client)
    QueuedTask.objects.update(done_at=timezone.now() - timedelta(days=8))
    kept = QueuedTask.objects.create(task=tasks.process_response.name, args=[1], done_at=timezone.now())

    outbox.resend_due()

    assert list(QueuedTask.objects.values_list("pk", flat=True)) == [kept.pk]


# --- A real broker and a real worker ----------------------------------------------------------


@contextmanager
def web_broker(url: str) -> Iterator[None]:
    """Point this process's Celery app (the web side) at another broker, as if Redis moved or
    went down. The app caches its connection pools, so they are dropped both ways."""
    previous = celery_app.conf.broker_url
    celery_app.conf.broker_url = url
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
    try:
        yield
    finally:
        celery_app.conf.broker_url = previous
        celery_app._pool = None
        celery_app.amqp._producer_pool = None


def receipts_for(folder, reference: str) -> int:
    return sum(reference in path.read_text() for path in folder.glob("*.log")) if folder.exists() else 0


def due_now() -> None:
    """Age every waiting row past OUTBOX_RESEND_AFTER_SECONDS, as the minutes would."""
    QueuedTask.objects.filter(done_at=None).update(sent_at=timezone.now() - timedelta(hours=1))


real_broker = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not redis_answers(), reason=f"no Redis broker answering at {BROKER_URL}"),
]


@pytest.mark.slow
@real_broker[0]
@real_broker[1]
@override_settings(ANALYSE_ON_ARRIVAL=False)
def test_a_broker_that_forgets_its_queue_loses_no_receipt_and_sends_none_twice(client, workers) -> None:
    import redis

    response = send_a_response(client)  # no worker yet: the receipt waits in Redis
    redis.Redis.from_url(BROKER_URL).flushdb()  # Redis restarts without persistence
    due_now()
    assert outbox.resend_due() == 1
    due_now()
    assert outbox.resend_due() == 1  # sent twice now: two messages for one receipt

    workers.start()
    wait_until(lambda: receipts_for(workers.outbox, response.reference) >= 1, 60, workers, "the receipt")
    wait_until(lambda: workers.log().count("succeeded") == 2, 30, workers, "the second message to be handled")
    assert receipts_for(workers.outbox, response.reference) == 1
    assert QueuedTask.objects.get(key=f"receipt:{response.pk}").done_at is not None


@pytest.mark.slow
@real_broker[0]
@real_broker[1]
@override_settings(ANALYSE_ON_ARRIVAL=False)
def test_with_the_broker_down_a_response_is_still_sent_and_its_receipt_follows(client, workers, caplog) -> None:
    with web_broker("redis://127.0.0.1:1/0"), caplog.at_level(logging.WARNING, logger="consult.services.outbox"):
        response = send_a_response(client)

    assert response.status == Response.Status.SUBMITTED
    assert "broker unavailable" in caplog.text
    receipt = QueuedTask.objects.get(key=f"receipt:{response.pk}")
    assert receipt.sent_at is None and receipt.done_at is None

    assert outbox.resend_due() == 1  # the broker is back: beat's next sweep
    workers.start()
    wait_until(lambda: receipts_for(workers.outbox, response.reference) == 1, 60, workers, "the receipt")
    wait_until(lambda: QueuedTask.objects.get(pk=receipt.pk).done_at, 30, workers, "the row to be marked done")


@pytest.mark.django_db(transaction=True)
def test_work_given_up_is_sent_again_when_an_operator_asks(client: Client) -> None:
    response = send_a_response(client)
    QueuedTask.objects.all().delete()
    given_up = QueuedTask.objects.create(
        task=tasks.send_receipt_email.name, args=[response.pk], sends=10, gave_up_at=timezone.now()
    )
    mail.outbox.clear()
    assert outbox.resend_due() == 0

    assert outbox.send_again(QueuedTask.objects.all()) == 1
    assert outbox.resend_due() == 1

    assert QueuedTask.objects.get(pk=given_up.pk).done_at is not None
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("one_statement", [True, False])
def test_changing_a_sent_answer_records_its_analysis_with_the_change(client: Client, one_statement: bool) -> None:
    from django.urls import reverse

    from consult.access import response_token

    response = send_a_response(client)
    why = response.consultation.questions.get(position=2)
    address = reverse("answer_question", args=[response_token(response), why.pk])
    if one_statement:
        client.get(address)  # the journey's questions, remembered by this process
    with override_settings(ANALYSE_ON_ARRIVAL=True):
        assert client.post(address, {"answer": "On reflection, a person should decide."}).status_code == 302

    analysis = QueuedTask.objects.get(task=tasks.process_response.name)
    assert analysis.args == [response.pk] and analysis.done_at is not None
    assert Answer.objects.get(response=response, question=why).redacted_text  # the work was done

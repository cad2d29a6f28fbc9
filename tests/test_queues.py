"""Emails and recovery never wait behind bulk work: each kind of task has its queue (issue 12)."""

import pytest

from config.celery import app
from consult import tasks


@pytest.mark.parametrize(
    ("task", "queue"),
    [
        ("consult.tasks.send_receipt_email", "default"),
        ("consult.tasks.send_resume_link_email", "default"),
        ("consult.tasks.send_new_link_email", "default"),
        ("consult.tasks.send_outcome_emails", "default"),
        ("consult.tasks.requeue_lost_runs", "default"),
        ("consult.tasks.resend_queued_work", "default"),
        ("consult.tasks.process_response", "arrivals"),
        ("consult.tasks.count_analysis", "arrivals"),
        ("consult.tasks.run_analysis", "analysis"),
        ("consult.tasks.map_theme_set", "analysis"),
    ],
)
def test_each_task_goes_to_its_queue(task: str, queue: str) -> None:
    assert getattr(tasks, task.rsplit(".", 1)[1]).name == task
    routed = app.amqp.router.route({}, task)
    assert routed["queue"].name == queue

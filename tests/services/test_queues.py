"""Emails and recovery never wait behind bulk work: each kind of task has its queue (issue 12)."""

import pytest
from celery import Task

from config.celery import app
from consult import task_names, tasks


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
        ("consult.tasks.embed_answers", "embedding"),
        ("consult.tasks.map_chunk", "analysis"),
        ("consult.tasks.finish_mapping", "analysis"),
    ],
)
def test_each_task_goes_to_its_queue(task: str, queue: str) -> None:
    assert getattr(tasks, task.rsplit(".", 1)[1]).name == task
    routed = app.amqp.router.route({}, task)
    assert routed["queue"].name == queue


def test_services_name_only_tasks_that_exist() -> None:
    """Services send tasks by name (consult.task_names): each name is a task of consult.tasks,
    declared under that name, and each task of consult.tasks has its name there."""
    names = {value for key, value in vars(task_names).items() if key.isupper()}
    declared = {task.name for task in vars(tasks).values() if isinstance(task, Task)}
    assert names == declared
    registered = set(app.tasks)
    assert names <= registered
    for name in names:
        assert getattr(tasks, name.rsplit(".", 1)[1]).name == name


def test_the_web_process_knows_every_task_without_importing_them_itself() -> None:
    """The outbox sends by name through the app's registry, so the app must have loaded the tasks
    when Django started (consult.apps), before any service sends one."""
    import subprocess
    import sys

    code = (
        "import django; django.setup(); from celery import current_app; "
        "from consult import task_names; "
        "names = {v for k, v in vars(task_names).items() if k.isupper()}; "
        "missing = names - set(current_app.tasks); "
        "print(sorted(missing)); raise SystemExit(1 if missing else 0)"
    )
    env = {"DJANGO_SETTINGS_MODULE": "config.settings", "DEBUG": "true", "PATH": "/usr/bin:/bin"}
    finished = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert finished.returncode == 0, finished.stdout + finished.stderr

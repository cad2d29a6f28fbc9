"""Settings come only from environment variables, with safe defaults."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PRINT_SETTINGS = (
    "import json, django; from django.conf import settings; django.setup(); "
    "print(json.dumps({'engine': settings.DATABASES['default']['ENGINE'], "
    "'name': str(settings.DATABASES['default']['NAME']), 'eager': settings.CELERY_TASK_ALWAYS_EAGER, "
    "'debug': settings.DEBUG, 'on_arrival': settings.ANALYSE_ON_ARRIVAL, 'broker': settings.CELERY_BROKER_URL, "
    "'folder': str(settings.BROKER_FOLDER)}))"
)


def run_settings(env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {
            "DATABASE_URL",
            "CELERY_BROKER_URL",
            "SECRET_KEY",
            "DEBUG",
            "ANALYSE_ON_ARRIVAL",
            "TASKS_IN_PROCESS",
            "BROKER_FOLDER",
        }
    }
    clean.update({"DJANGO_SETTINGS_MODULE": "config.settings", **env})
    return subprocess.run(
        [sys.executable, "-c", PRINT_SETTINGS], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=60
    )


def test_production_mode_refuses_to_start_without_a_secret_key():
    result = run_settings({"DEBUG": "false"})
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_defaults_are_sqlite_and_a_worker_on_the_embedded_filesystem_broker(tmp_path):
    result = run_settings({"DEBUG": "true", "BROKER_FOLDER": str(tmp_path / "broker")})
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["engine"] == "django.db.backends.sqlite3"
    assert values["name"].endswith("db.sqlite3")
    assert values["broker"].startswith("filesystem://")
    assert values["eager"] is False
    assert values["on_arrival"] is True  # on the worker, never inside a respondent's request
    assert (tmp_path / "broker" / "messages").is_dir() and (tmp_path / "broker" / "control").is_dir()


def test_tasks_in_process_need_no_worker_and_leave_arrivals_alone():
    result = run_settings({"DEBUG": "true", "TASKS_IN_PROCESS": "true"})
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["eager"] is True
    # Nothing embeds answers inside a respondent's web request.
    assert values["on_arrival"] is False


def test_database_url_selects_postgresql_and_a_broker_selects_real_workers():
    result = run_settings(
        {
            "SECRET_KEY": "x" * 50,
            "DATABASE_URL": "postgres://someone@db.internal:5432/consult",
            "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
        }
    )
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["engine"] == "django.db.backends.postgresql"
    assert values["name"] == "consult"
    assert values["eager"] is False
    assert values["debug"] is False
    assert values["on_arrival"] is True


def test_a_mistyped_boolean_is_an_error_not_false():
    result = run_settings({"DEBUG": "ture"})
    assert result.returncode != 0
    assert "DEBUG must be true or false" in result.stderr


def test_every_variable_the_settings_read_is_documented():
    source = (ROOT / "config" / "settings.py").read_text()
    import re

    names = set(re.findall(r'env_(?:str|bool|int|list)\("([A-Z_]+)"', source))
    example = (ROOT / ".env.example").read_text()
    readme = (ROOT / "README.md").read_text()
    assert names, "no variables found"
    missing_example = sorted(n for n in names if f"{n}=" not in example)
    missing_readme = sorted(n for n in names if f"`{n}`" not in readme)
    assert not missing_example, f"not in .env.example: {missing_example}"
    assert not missing_readme, f"not in README.md: {missing_readme}"

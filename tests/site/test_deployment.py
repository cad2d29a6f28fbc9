"""compose.yaml and the Dockerfile agree with the settings: every queue has a worker, one beat,
only variables the settings read, the image built from the pinned packages."""

import re
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]


def compose() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "compose.yaml").read_text())


def services(*, with_optional: bool = False) -> dict[str, dict[str, Any]]:
    """The services `docker compose up` starts; with_optional adds those behind a profile (the GPU
    worker), which a plain `up` leaves out and so cannot be the only consumer of a queue."""
    return {
        name: service for name, service in compose()["services"].items() if with_optional or not service.get("profiles")
    }


def app_services(*, with_optional: bool = False) -> dict[str, dict[str, Any]]:
    """The services that run consult's own image (not PostgreSQL's or Redis's)."""
    return {name: service for name, service in services(with_optional=with_optional).items() if "build" in service}


def option(command: list[str], *names: str) -> str | None:
    """The value of a command-line option given as `--name value` or `--name=value`."""
    for index, word in enumerate(command):
        for name in names:
            if word == name and index + 1 < len(command):
                return command[index + 1]
            if word.startswith(f"{name}="):
                return word.removeprefix(f"{name}=")
    return None


def is_celery(service: dict[str, Any], program: str) -> bool:
    command = service.get("command", [])  # PostgreSQL and Redis run their images' own
    return command[:1] == ["celery"] and program in command


def queues_of(service: dict[str, Any]) -> set[str]:
    if not is_celery(service, "worker"):
        return set()
    # A worker without --queues takes only the default queue.
    given = option(service["command"], "--queues", "-Q") or settings.CELERY_TASK_DEFAULT_QUEUE
    return {queue.strip() for queue in given.split(",")}


def variables_the_settings_read() -> set[str]:
    source = (ROOT / "config" / "settings.py").read_text()
    return set(re.findall(r'env_\w+\("([A-Z0-9_]+)"', source))


def dockerfile_instructions() -> list[str]:
    """The Dockerfile's instructions, each on one line (continuations joined, comments left out)."""
    lines = [line for line in (ROOT / "Dockerfile").read_text().splitlines() if not line.lstrip().startswith("#")]
    return [" ".join(instruction.split()) for instruction in "\n".join(lines).replace("\\\n", " ").splitlines()]


def test_every_queue_that_tasks_are_routed_to_has_a_worker_that_a_plain_up_starts():
    routed = {route["queue"] for route in settings.CELERY_TASK_ROUTES.values()}
    needed = routed | {settings.CELERY_TASK_DEFAULT_QUEUE}  # beat's sweeps and the emails go there
    consumed = set().union(*(queues_of(service) for service in services().values()))
    assert not needed - consumed, f"no worker in compose.yaml takes {sorted(needed - consumed)}"


def test_exactly_one_beat_and_no_worker_runs_beat_inside_it():
    beats = [name for name, service in services(with_optional=True).items() if is_celery(service, "beat")]
    assert beats == ["beat"]
    assert compose()["services"]["beat"].get("deploy", {}).get("replicas", 1) == 1
    embedded = [
        name
        for name, service in services(with_optional=True).items()
        if is_celery(service, "worker") and ({"-B", "--beat"} & set(service["command"]))
    ]
    assert not embedded, f"these workers would run a second beat: {embedded}"


def test_compose_sets_only_variables_that_the_settings_read():
    known = variables_the_settings_read()
    assert known, "no variables found in config/settings.py"
    unknown = {
        name: sorted(set(service.get("environment", {})) - known)
        for name, service in app_services(with_optional=True).items()
        if set(service.get("environment", {})) - known
    }
    assert not unknown, f"set in compose.yaml but read by no setting: {unknown}"


def test_every_container_of_consult_uses_postgresql_the_redis_broker_and_the_shared_cache():
    # Without these a container would fall back, silently, to an SQLite file, the embedded broker
    # (a folder no other container sees) or a cache of its own.
    for name, service in app_services(with_optional=True).items():
        environment = service["environment"]
        assert environment["DATABASE_URL"].startswith("postgres://"), name
        assert environment["DATABASE_URL"].endswith("@postgres:5432/consult"), name
        assert environment["CELERY_BROKER_URL"].startswith("redis://redis:6379/"), name
        assert environment["REDIS_URL"].startswith("redis://redis:6379/"), name
        assert environment["CELERY_BROKER_URL"] != environment["REDIS_URL"], name
        assert service.get("env_file") == ".env", name


def test_migrations_run_once_before_anything_else_of_consult_starts():
    assert compose()["services"]["migrate"]["command"] == ["python", "manage.py", "migrate", "--noinput"]
    for name, service in app_services(with_optional=True).items():
        if name != "migrate":
            assert service["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}, name


def test_analysis_workers_take_one_task_at_a_time_so_that_a_runs_chunks_spread_over_them():
    command = services()["worker-analysis"]["command"]
    assert queues_of(services()["worker-analysis"]) == {"analysis"}
    assert option(command, "--concurrency", "-c") == "1"
    assert settings.CELERY_WORKER_PREFETCH_MULTIPLIER == 1
    assert settings.CELERY_TASK_ACKS_LATE is True


def test_the_gpu_embedding_worker_is_optional_and_embeds_on_cuda_from_the_cuda_image():
    gpu = compose()["services"]["worker-embedding-gpu"]
    assert gpu["profiles"] == ["gpu"]
    assert queues_of(gpu) == {"embedding"}
    assert gpu["environment"]["EMBEDDING_DEVICE"] == "cuda"
    assert gpu["build"]["args"]["TORCH_INDEX_URL"] != compose()["x-app"]["build"]["args"]["TORCH_INDEX_URL"]
    assert gpu["image"] != compose()["x-app"]["image"]
    devices = gpu["deploy"]["resources"]["reservations"]["devices"]
    assert devices and all(device["driver"] == "nvidia" for device in devices)


def test_each_variable_that_compose_requires_is_in_env_example():
    required = set(re.findall(r"\$\{([A-Z0-9_]+):\?", (ROOT / "compose.yaml").read_text()))
    assert "POSTGRES_PASSWORD" in required
    example = (ROOT / ".env.example").read_text()
    assert not {name for name in required if not re.search(rf"^{name}=", example, re.MULTILINE)}


def test_the_image_is_built_from_the_pinned_python_and_npm_packages():
    instructions = dockerfile_instructions()
    copies = [line for line in instructions if line.startswith("COPY ")]
    runs = [line for line in instructions if line.startswith("RUN ")]
    assert any("package-lock.json" in line for line in copies)
    assert any("npm ci" in line for line in runs)
    assert any("requirements.txt" in line for line in copies)
    assert any("pip install -r requirements.txt" in line for line in runs)
    # torch's pin is read from requirements.txt, never written out a second time.
    assert not [line for line in instructions if re.search(r"torch==\d", line)]
    assert [line for line in instructions if line.startswith("FROM python:")] == [
        "FROM python:3.11-slim-bookworm AS build",
        "FROM python:3.11-slim-bookworm",
    ]


def test_the_image_runs_as_a_user_other_than_root_and_never_holds_the_env_file():
    users = [line.split()[1] for line in dockerfile_instructions() if line.startswith("USER ")]
    assert users and users[-1] not in {"root", "0"}
    ignored = (ROOT / ".dockerignore").read_text().splitlines()
    assert ".env" in ignored

"""`make test` without a running PostgreSQL: a throwaway cluster for the run where PostgreSQL is
installed, otherwise a stop at once with the command that installs it."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.throwaway_postgres import free_port, server_programs

ROOT = Path(__file__).resolve().parents[2]
SHOW = (
    "import os, psycopg; url = os.environ['DATABASE_URL']; "
    "print(url); print(psycopg.connect(url.rsplit('/', 1)[0] + '/postgres').execute('select 1').fetchone()[0])"
)


def wrapped(command: list[str], **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "tests.throwaway_postgres", *command],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def nobody_at() -> str:
    return f"postgres://postgres@127.0.0.1:{free_port()}/consult"


def test_without_postgresql_installed_it_stops_at_once_with_the_command_that_installs_it():
    result = wrapped(
        [sys.executable, "-c", "print('the tests ran')"],
        DATABASE_URL=nobody_at(),
        POSTGRES_BIN_SEARCH="/nowhere/*/bin",
        PATH=os.path.dirname(sys.executable),
    )
    assert result.returncode == 1
    assert "the tests ran" not in result.stdout
    assert "sudo apt-get install -y postgresql" in result.stderr


def test_a_server_that_answers_is_used_as_it_is():
    url = os.environ["DATABASE_URL"]
    result = wrapped([sys.executable, "-c", SHOW], DATABASE_URL=url)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [url, "1"]


def test_the_commands_exit_status_is_kept():
    result = wrapped([sys.executable, "-c", "raise SystemExit(3)"], DATABASE_URL=os.environ["DATABASE_URL"])
    assert result.returncode == 3


@pytest.mark.slow
def test_where_postgresql_is_installed_a_throwaway_cluster_serves_the_run_and_is_removed():
    if server_programs() is None:
        pytest.skip("PostgreSQL's server programs are not installed")
    missing = nobody_at()
    result = wrapped([sys.executable, "-c", SHOW], DATABASE_URL=missing)
    assert result.returncode == 0, result.stderr
    assert f"No PostgreSQL answers at {missing}: the tests run on a throwaway PostgreSQL" in result.stdout
    throwaway, one = result.stdout.splitlines()[1:]
    assert throwaway.startswith("postgres://") and throwaway != missing and one == "1"
    # Stopped afterwards: nothing answers at its address any more.
    after = wrapped(
        [sys.executable, "-c", SHOW], DATABASE_URL=throwaway, POSTGRES_BIN_SEARCH="/nowhere/*/bin", PATH="/usr/bin:/bin"
    )
    assert after.returncode == 1

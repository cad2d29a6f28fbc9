"""Run a command (the test suite) against PostgreSQL, starting a throwaway cluster when none answers.

`make test` runs `python -m tests.throwaway_postgres pytest ...`. If the server at DATABASE_URL
answers, the command runs as it is. If not, and PostgreSQL's server programs are installed
(`initdb` and `pg_ctl`, on PATH or in /usr/lib/postgresql/<version>/bin), a cluster is made in a
temporary folder, started on a free port of 127.0.0.1 for this run only, and removed afterwards;
the command runs with DATABASE_URL pointing at it. If they are not installed, it stops at once
with the one command that installs them.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg

INSTALL = "sudo apt-get install -y postgresql"
# Debian and Ubuntu keep the server programs out of PATH, one folder per major version.
SEARCH = "/usr/lib/postgresql/*/bin"


def answers(url: str) -> bool:
    """Whether a PostgreSQL server answers at the URL (its maintenance database, as the tests create
    their own)."""
    parts = urlsplit(url)
    try:
        psycopg.connect(urlunsplit(parts._replace(path="/postgres")), connect_timeout=3).close()
    except psycopg.OperationalError as error:
        # A server that answers but refuses (a wrong password, say) is not replaced behind the
        # user's back: the tests fail with its own message.
        return "password" in str(error) or "does not exist" in str(error)
    return True


def server_programs() -> Path | None:
    """The folder holding initdb and pg_ctl, the newest version first; None if not installed."""
    folders = [Path(p).parent for p in [shutil.which("initdb")] if p]
    searched = os.environ.get("POSTGRES_BIN_SEARCH", SEARCH)
    folders += sorted((Path(p) for p in glob.glob(searched)), key=_version, reverse=True)
    return next((folder for folder in folders if (folder / "initdb").exists() and (folder / "pg_ctl").exists()), None)


def _version(folder: Path) -> float:
    try:
        return float(folder.parent.name)
    except ValueError:
        return 0.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ThrowawayCluster:
    """A PostgreSQL cluster in a temporary folder, trusting local connections, on a free port."""

    def __init__(self, programs: Path) -> None:
        self.programs = programs
        self.folder = Path(tempfile.mkdtemp(prefix="consult-postgres-"))
        self.data = self.folder / "data"
        self.port = free_port()
        # PostgreSQL refuses to run as root: as root, it runs as the postgres user.
        self.as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        self.user = "postgres" if self.as_user else pwd.getpwuid(os.geteuid()).pw_name

    def _run(self, *arguments: str) -> None:
        subprocess.run([*self.as_user, *arguments], check=True, capture_output=True, text=True)

    def start(self) -> str:
        if self.as_user:
            shutil.chown(self.folder, user="postgres")
        self._run(str(self.programs / "initdb"), "-D", str(self.data), "-U", self.user, "--auth=trust", "-E", "UTF8")
        options = (
            f"-c listen_addresses=127.0.0.1 -c port={self.port} -c unix_socket_directories={self.folder} -c fsync=off"
        )
        self._run(
            str(self.programs / "pg_ctl"),
            "-D",
            str(self.data),
            "-o",
            options,
            "-l",
            str(self.folder / "log"),
            "-w",
            "start",
        )
        return f"postgres://{self.user}@127.0.0.1:{self.port}/consult"

    def stop(self) -> None:
        try:
            self._run(str(self.programs / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop")
        except subprocess.CalledProcessError:
            pass
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)


def main(command: list[str]) -> int:
    if not command:
        print("usage: python -m tests.throwaway_postgres COMMAND [ARGUMENTS...]", file=sys.stderr)
        return 2
    url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/consult")
    if answers(url):
        return subprocess.call(command)
    programs = server_programs()
    if programs is None:
        print(
            f"No PostgreSQL answers at {url}, and PostgreSQL is not installed here.\n"
            f"Install it with:  {INSTALL}\n"
            "(or set TEST_DATABASE_URL to a PostgreSQL server the tests may create databases on).",
            file=sys.stderr,
        )
        return 1
    cluster = ThrowawayCluster(programs)
    try:
        throwaway = cluster.start()
    except subprocess.CalledProcessError as error:
        cluster.stop()
        print(
            f"No PostgreSQL answers at {url}, and starting one with {programs} failed:\n{error.stderr}", file=sys.stderr
        )
        return 1
    version = subprocess.run([programs / "initdb", "--version"], capture_output=True, text=True).stdout.split()[-1]
    print(
        f"No PostgreSQL answers at {url}: the tests run on a throwaway PostgreSQL {version} cluster "
        f"started for this run at {throwaway}, removed afterwards.",
        flush=True,
    )
    try:
        return subprocess.call(command, env={**os.environ, "DATABASE_URL": throwaway})
    finally:
        cluster.stop()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

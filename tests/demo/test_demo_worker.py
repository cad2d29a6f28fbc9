"""`make demo` serves beside a real Celery worker on the embedded (filesystem) broker: a response
sent through the browser is redacted, flagged, embedded and placed in the themes by that worker
within seconds, with no new analysis run; stopping the server stops the worker.

This runs `make demo` itself, as a new user would, on a SQLite database and a broker folder of its
own (both in a temporary folder), and reads the results straight from that database."""

from __future__ import annotations

import os
import re
import signal
import socket
import sqlite3
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.browser_support import CHROMIUM_ARGS, CHROMIUM_PATH

pytestmark = [pytest.mark.slow, pytest.mark.browser]

ROOT = Path(__file__).resolve().parents[2]
OPEN_DEMO = "ai-assistant-for-benefit-enquiries"
ANSWER = "A person must check any refusal. Ring me on 07700 900123 if you need to, my name is Jane Doe."
STARTUP_SECONDS = 900  # installs nothing new, loads the demo and analyses both consultations
PROCESSED_WITHIN_SECONDS = 30


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Demo:
    process: subprocess.Popen[str]
    url: str
    database: Path
    broker: Path
    output: list[str] = field(default_factory=list)

    def text(self) -> str:
        return "".join(self.output)

    def query(self, sql: str, *params: object) -> list[tuple]:
        with sqlite3.connect(self.database, timeout=30) as connection:
            return connection.execute(sql, params).fetchall()

    def count_for(self, table: str, answer_ids: list[int], condition: str = "1 = 1") -> int:
        """How many rows of one of our tables are about these answers (and meet the condition)."""
        marks = ",".join("?" * len(answer_ids))
        sql = f"SELECT count(*) FROM {table} WHERE {condition} AND answer_id IN ({marks})"  # noqa: S608 (our names)
        return self.query(sql, *answer_ids)[0][0]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    if not CHROMIUM_PATH.exists():
        pytest.skip("Debian's chromium is not installed")
    folder = tmp_path_factory.mktemp("demo")
    port = free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DJANGO_SETTINGS_MODULE", "CELERY_BROKER_URL", "TASKS_IN_PROCESS", "ANALYSE_ON_ARRIVAL"}
        and not key.startswith("PYTEST")
    }
    env |= {
        "DATABASE_URL": f"sqlite:///{folder / 'demo.sqlite3'}",
        "BROKER_FOLDER": str(folder / "broker"),
        "PYTHONUNBUFFERED": "1",
    }
    process = subprocess.Popen(
        ["make", "--no-print-directory", "demo", f"PORT={port}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its own process group, which Ctrl+C would reach
        preexec_fn=_as_in_a_terminal,
    )
    running = Demo(process, f"http://127.0.0.1:{port}", folder / "demo.sqlite3", folder / "broker")
    ready = threading.Event()

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            running.output.append(line)
            if "Quit the server with" in line:
                ready.set()

    threading.Thread(target=read, daemon=True).start()
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while not ready.is_set() and process.poll() is None and time.monotonic() < deadline:
            ready.wait(1)
        assert ready.is_set(), f"make demo did not start serving:\n{running.text()[-5000:]}"
        yield running
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGINT)  # as Ctrl+C in its terminal
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def _as_in_a_terminal() -> None:
    """Ctrl+C interrupts, as in a terminal, even where this test runs in the background (where a
    shell has its children ignore SIGINT, and they pass that on)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def send_response_through_the_browser(url: str) -> str:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM_PATH), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.goto(f"{url}/consultations/{OPEN_DEMO}/")
            with page.expect_navigation():
                page.get_by_role("button", name="Respond to this consultation").click()
            for _ in range(12):
                send = page.get_by_role("button", name="Accept and send")
                if send.count():
                    with page.expect_navigation():
                        send.click()
                    break
                for box in page.locator("textarea").all():
                    box.fill(ANSWER)
                chosen: set[str | None] = set()
                for radio in page.locator("input[type=radio]").all():
                    if radio.get_attribute("name") not in chosen:
                        chosen.add(radio.get_attribute("name"))
                        radio.check()
                boxes = page.locator("input[type=checkbox]")
                if boxes.count():
                    boxes.first.check()
                onward = page.get_by_role("button", name="Continue", exact=True)
                assert onward.count(), f"{page.url}: {page.locator('main').inner_text()[:1500]}"
                with page.expect_navigation():  # the next page, before looking at it
                    onward.click()
            page.wait_for_load_state()
            assert "Questions about you" in page.content() or "Response sent" in page.content(), page.content()[:2000]
            reference = re.search(r"/respond/(R-[A-Z0-9-]+):", page.url)
            assert reference, page.url
            return reference.group(1)
        finally:
            browser.close()


def test_the_demo_worker_processes_a_response_sent_through_the_browser_without_a_rerun(demo: Demo) -> None:
    runs_before = demo.query("SELECT count(*) FROM consult_analysisrun")[0][0]
    assert runs_before == 2  # make demo analysed both demo consultations on its worker
    assert "Outcome of ai-triage-of-housing-repair-requests published" in demo.text()

    reference = send_response_through_the_browser(demo.url)

    free_text = (
        "SELECT a.id, a.redacted_text FROM consult_answer a JOIN consult_response r ON a.response_id = r.id "
        "JOIN consult_question q ON a.question_id = q.id "
        "WHERE r.reference = ? AND r.status = 'submitted' AND q.kind = 'free_text' AND a.text != ''"
    )
    deadline = time.monotonic() + PROCESSED_WITHIN_SECONDS
    while True:
        answers = demo.query(free_text, reference)
        ids = [answer_id for answer_id, _ in answers]
        embedded = demo.count_for("consult_answerembedding", ids)
        placed = demo.count_for("consult_lateanswer", ids)
        redacted = answers and all("[phone number]" in text for _, text in answers)
        if redacted and embedded == len(ids) and placed == len(ids):
            break
        assert time.monotonic() < deadline, (
            f"not processed within {PROCESSED_WITHIN_SECONDS} s: {answers}, embedded {embedded}, placed {placed}\n"
            + (demo.broker / "worker.log").read_text()[-3000:]
        )
        time.sleep(0.5)

    assert all("07700 900123" not in text and "[name]" in text for _, text in answers)
    assert demo.count_for("consult_flag", ids) >= len(ids)  # the moderators' queue shows the personal data found
    # Placed in the themes of the run the demo made, or found to fit none of them: no re-run.
    in_themes = demo.count_for("consult_themeassignment", ids, "is_late")
    fits_none = demo.count_for("consult_lateanswer", ids, "fits_none")
    assert in_themes + fits_none >= len(ids)
    assert demo.query("SELECT count(*) FROM consult_analysisrun")[0][0] == runs_before
    assert "process_response" in (demo.broker / "worker.log").read_text()


def test_stopping_the_demo_stops_its_worker(demo: Demo) -> None:
    started = re.search(r"Celery worker started \(process (\d+)\)", demo.text())
    assert started, demo.text()[-3000:]
    worker = int(started.group(1))
    os.killpg(demo.process.pid, signal.SIGINT)
    demo.process.wait(timeout=60)
    deadline = time.monotonic() + 30
    while _running(worker) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert not _running(worker), "the worker outlived the server"
    assert "Stopping the worker" in demo.text()


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A process that has ended but not been reaped by its parent is not running.
    status = Path(f"/proc/{pid}/status")
    return status.exists() and "zombie" not in status.read_text()

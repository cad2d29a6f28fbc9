"""The faults of `python -m bench.faults`, injected while respondents are sending responses: the
Celery worker killed (kill -9, its whole process group) every 30 seconds and started again at once,
as a supervisor would; Redis restarted once, losing everything queued in it; PostgreSQL restarted
once with pg_ctl's fast shutdown, which ends every open session; and an analysis run requested
while this goes on, so that a run is killed mid-way and has to be recovered.

Redis and PostgreSQL are restarted at a share of the responses done rather than at a time, so the
quick run and the full one both see each fault with load before and after it.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from bench.faults.journey import Tally
from bench.faults.stack import Stack, say


@dataclass
class Outage:
    """A service down from `start` to `end` (seconds since the load started)."""

    service: str
    start: float
    end: float | None = None


@dataclass
class FaultLog:
    """What was done to the stack, and when."""

    worker_kills: list[float] = field(default_factory=list)
    outages: list[Outage] = field(default_factory=list)
    analysis_runs: list[int] = field(default_factory=list)
    analysis_requested_at: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def outage_at(self, moment: float, grace: float = 15.0) -> str:
        """Which outage a respondent's error falls in: the last one stopped before it, if the error
        came before `grace` seconds after it started again (connections are being re-made); else
        "none"."""
        before = [outage for outage in self.outages if outage.start <= moment]
        if before:
            last = max(before, key=lambda outage: outage.start)
            if last.end is None or moment <= last.end + grace:
                return last.service
        return "none"


class Faults(threading.Thread):
    """Injects the faults on a schedule until `stop()`; runs beside the respondents."""

    def __init__(
        self,
        stack: Stack,
        tally: Tally,
        target: int,
        slug: str,
        *,
        kill_every: float = 30.0,
        down_seconds: float = 5.0,
        gap: float = 20.0,
        analysis_at: float = 0.1,
        redis_at: float = 0.35,
        postgres_at: float = 0.65,
    ) -> None:
        super().__init__(name="faults", daemon=True)
        self.stack = stack
        self.tally = tally
        self.target = target
        self.slug = slug
        self.kill_every = kill_every
        self.down_seconds = down_seconds
        # Seconds between the end of one outage and the next, so each one's errors are its own.
        self.gap = gap
        self.analysis_at, self.redis_at, self.postgres_at = analysis_at, redis_at, postgres_at
        self.log = FaultLog()
        # Set once every fault has happened (a kill, both restarts): the load goes on until then.
        self.injected = threading.Event()
        self._stopping = threading.Event()

    def stop(self) -> None:
        self._stopping.set()
        self.join(timeout=120)

    def _now(self) -> float:
        return time.monotonic() - self.tally.started

    def run(self) -> None:
        last_kill = time.monotonic()
        redis_done = postgres_done = analysis_done = False
        while not self._stopping.wait(0.5):
            share = self.tally.done / self.target
            try:
                if not analysis_done and share >= self.analysis_at:
                    analysis_done = True
                    self._request_analysis()
                if time.monotonic() - last_kill >= self.kill_every:
                    self._kill_worker()
                    last_kill = time.monotonic()
                if not redis_done and share >= self.redis_at:
                    redis_done = True
                    self._outage("Redis", self.stack.stop_redis, self.stack.start_redis)
                last_end = max((outage.end or 0.0 for outage in self.log.outages), default=-self.gap)
                if not postgres_done and share >= self.postgres_at and self._now() - last_end >= self.gap:
                    postgres_done = True
                    self._outage("PostgreSQL", self.stack.stop_postgres, self.stack.start_postgres)
                if redis_done and postgres_done and self.log.worker_kills:
                    self.injected.set()
            except Exception as error:  # a fault that could not be injected is reported, not fatal
                self.log.errors.append(f"{self._now():.0f} s: {type(error).__name__}: {error}")
                say(f"fault injection failed: {error}")

    def _kill_worker(self) -> None:
        self.stack.kill_worker()
        self.log.worker_kills.append(self._now())
        say(f"killed the worker (kill -9 #{len(self.log.worker_kills)}); starting it again")
        self.stack.start_worker()

    def _outage(self, service: str, stop: Callable[[], None], start: Callable[[], None]) -> None:
        outage = Outage(service, self._now())
        self.log.outages.append(outage)
        say(f"stopping {service} for {self.down_seconds:.0f} s")
        stop()
        time.sleep(self.down_seconds)
        start()
        outage.end = self._now()
        say(f"{service} is back after {outage.end - outage.start:.1f} s")

    def _request_analysis(self) -> None:
        """`manage.py analyse <slug>` without --wait, as an official would queue a run: it is
        recorded in the database, then its task goes to the broker."""
        self.log.analysis_requested_at.append(self._now())
        try:
            output = self.stack.manage("analyse", self.slug, timeout=120)
        except RuntimeError as error:
            # The command reports the run it made even when queueing its task failed.
            output = str(error)
        found = re.search(r"Analysis run (\d+) queued", output)
        if found:
            self.log.analysis_runs.append(int(found.group(1)))
            say(f"requested analysis run {found.group(1)}")
        else:
            self.log.errors.append(f"manage.py analyse gave no run: {output[-300:]}")

"""What machine a benchmark ran on, and how much memory a step took."""

from __future__ import annotations

import datetime
import os
import platform
import resource
import threading
import time
from importlib import metadata
from types import TracebackType

PACKAGES = ("bertopic", "umap-learn", "hdbscan", "scikit-learn", "numpy", "torch", "sentence-transformers")


def describe() -> dict[str, object]:
    """CPU model, cores (`nproc`), memory, Python and library versions, and the date."""
    cpu = "unknown"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as file:
            cpu = next((line.split(":", 1)[1].strip() for line in file if line.startswith("model name")), cpu)
    except OSError:
        pass
    memory_gb = 0.0
    try:
        with open("/proc/meminfo", encoding="utf-8") as file:
            kb = next(int(line.split()[1]) for line in file if line.startswith("MemTotal:"))
            memory_gb = round(kb / 1024 / 1024, 1)
    except (OSError, StopIteration):
        pass
    versions = {}
    for package in PACKAGES:
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = "missing"
    return {
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": cpu,
        "nproc": len(os.sched_getaffinity(0)),
        "memory_gb": memory_gb,
        "python": platform.python_version(),
        "versions": versions,
    }


def max_rss_mb() -> float:
    """The peak resident memory of this process so far (getrusage ru_maxrss), in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _rss_mb() -> float:
    with open("/proc/self/statm", encoding="utf-8") as file:
        return int(file.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1024 / 1024


class PeakRss:
    """The highest resident memory of this process while the block ran, sampled every 20 ms from
    /proc/self/statm (ru_maxrss only ever rises, so it cannot show one step's peak)."""

    def __init__(self) -> None:
        self.peak_mb = 0.0
        self._running = False
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while self._running:
            self.peak_mb = max(self.peak_mb, _rss_mb())
            time.sleep(0.02)

    def __enter__(self) -> PeakRss:
        self.peak_mb = _rss_mb()
        self._running = True
        self._thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self._running = False
        self._thread.join()
        self.peak_mb = max(self.peak_mb, _rss_mb())

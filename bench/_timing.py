"""Timing helpers shared by the benchmarks: a command as a user runs it, peak memory in process, ratios.

``run_timed`` runs a command to completion: wall seconds; CPU seconds from the kernel (``wait4``:
user + system, the command's waited-for children included, so ffmpeg started by ``halqa``
counts); and the peak resident memory of the command's process tree, summed and sampled every
20 ms (not ``ru_maxrss``: a forked child inherits its parent's high-water mark, so a benchmark
holding frames in memory would see its own size reported for every command it starts).
``PeakRSS`` samples this process's own resident memory while a block runs.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass

import psutil


@dataclass(frozen=True)
class Timed:
    wall_s: float
    cpu_s: float
    peak_rss_mb: float
    stdout: str


def run_timed(cmd: list[str], *, env: dict[str, str] | None = None) -> Timed:
    """Run ``cmd`` (stdout captured, stderr passed through); raise if it fails."""
    with tempfile.TemporaryFile() as out:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, env=env)
        tree = _TreeRSS(proc.pid)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        peak = tree.stop()
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        stdout = out.read().decode("utf-8", errors="replace")
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} exited {proc.returncode}")
    return Timed(
        round(wall, 3), round(usage.ru_utime + usage.ru_stime, 3), round(peak / 2**20, 1), stdout
    )


class _TreeRSS:
    """Peak of the summed resident memory of a process and its descendants, sampled every 20 ms."""

    def __init__(self, pid: int) -> None:
        self.peak, self._stop = 0, threading.Event()
        try:
            self._root = psutil.Process(pid)
        except psutil.NoSuchProcess:
            self._root = None
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        while self._root is not None and not self._stop.is_set():
            try:
                procs = [self._root, *self._root.children(recursive=True)]
                total = 0
                for p in procs:
                    try:
                        total += p.memory_info().rss
                    except (psutil.NoSuchProcess, psutil.ZombieProcess):
                        continue
                self.peak = max(self.peak, total)
            except (psutil.NoSuchProcess, psutil.ZombieProcess):
                return
            self._stop.wait(0.02)

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.peak


def ratio(a: float, b: float) -> str:
    """``a / b`` as text, e.g. ``"1.52x"`` (``"n/a"`` when b is 0)."""
    return f"{a / b:.2f}x" if b else "n/a"


class PeakRSS:
    """Peak resident memory of this process while the block runs (sampled every 20 ms), in bytes."""

    def __enter__(self) -> PeakRSS:  # noqa: PYI034
        self.proc, self._stop = psutil.Process(), threading.Event()
        self.peak = self.proc.memory_info().rss
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self) -> None:
        while not self._stop.wait(0.02):
            self.peak = max(self.peak, self.proc.memory_info().rss)

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self.proc.memory_info().rss)

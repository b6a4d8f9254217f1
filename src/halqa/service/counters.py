"""Generation counters that make key and consent changes visible to every HTTP worker at once.

Each HTTP process keeps the active keys in memory (a key check costs one hash, no query). With
``--workers N`` a key revoked through one worker, or through `halqa keys revoke`, must stop
working on every other worker before the revoke returns. The store process bumps ``KEYS`` after
the change is committed and before it answers; every worker reads the counter (one shared-memory
load) on each authenticated request and reloads its key ring when the counter moved. Reading the
counter *before* loading the keys means a bump that races with the load only causes one more
reload, never a stale ring.

One process (``--workers 1``, tests, ``create_app``) uses the same class over private memory.
"""

from __future__ import annotations

import threading
from multiprocessing import shared_memory

import numpy as np

KEYS = 0  # API keys created, revoked or changed role
CONSENT = 1  # a member's consent changed (lists cached in workers must be dropped)
_SLOTS = 2


class Generations:
    """A few uint64 counters, in shared memory when ``name`` is given (or ``shared=True``)."""

    def __init__(self, name: str | None = None, *, shared: bool = False) -> None:
        self.shm = None
        self._lock = threading.Lock()  # bumps come from several threads of the one writing process
        if name is not None or shared:
            self.shm = shared_memory.SharedMemory(name=name, create=name is None, size=_SLOTS * 8)
            self.values = np.ndarray((_SLOTS,), dtype=np.uint64, buffer=self.shm.buf)
            if name is None:
                self.values[:] = 0
        else:
            self.values = np.zeros(_SLOTS, dtype=np.uint64)

    @property
    def name(self) -> str | None:
        return self.shm.name if self.shm is not None else None

    def get(self, slot: int) -> int:
        return int(self.values[slot])

    def bump(self, slot: int) -> None:
        # Only the process that owns the store bumps; workers only read (an aligned 8-byte load).
        with self._lock:
            self.values[slot] += 1

    def close(self, unlink: bool = False) -> None:
        if self.shm is None:
            return
        del self.values
        self.shm.close()
        if unlink:
            self.shm.unlink()

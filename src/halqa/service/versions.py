"""Shared version counters that let HTTP worker processes cache lists without asking the store
process.

With ``--workers N``, a list cached inside a worker is valid only while the member's counter
and the global epoch are unchanged. The store process bumps a member's counter before it
acknowledges a committed event of theirs, and the epoch when titles change, so a worker never
serves a list older than the member's last acknowledged event. Counters live in one
shared-memory array of ``SLOTS`` slots indexed by a CRC-32 of the member id; two members sharing
a slot only cost each other extra cache misses.
"""

from __future__ import annotations

import zlib
from multiprocessing import shared_memory

import numpy as np

SLOTS = 1 << 20
EPOCH = SLOTS  # the last slot: bumped when every list may have changed


class Versions:
    def __init__(self, name: str | None = None) -> None:
        size = (SLOTS + 1) * 8
        self.shm = shared_memory.SharedMemory(name=name, create=name is None, size=size)
        self.counters = np.ndarray((SLOTS + 1,), dtype=np.uint64, buffer=self.shm.buf)
        if name is None:
            self.counters[:] = 0

    @property
    def name(self) -> str:
        return self.shm.name

    @staticmethod
    def slot(member_id: str) -> int:
        return zlib.crc32(member_id.encode()) % SLOTS

    def token(self, member_id: str) -> tuple[int, int]:
        return int(self.counters[self.slot(member_id)]), int(self.counters[EPOCH])

    def bump(self, member_ids: set[str] | None) -> None:
        """Invalidate the lists of ``member_ids`` (None: everyone's)."""
        if member_ids is None:
            self.counters[EPOCH] += 1
            return
        for member in member_ids:
            self.counters[self.slot(member)] += 1

    def close(self, unlink: bool = False) -> None:
        del self.counters
        self.shm.close()
        if unlink:
            self.shm.unlink()

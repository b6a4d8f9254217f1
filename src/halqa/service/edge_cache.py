"""The per-worker cache of finished lists, checked against the shared version counters."""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

from halqa.service.versions import Versions

ENTRIES = 100_000


class EdgeCache:
    def __init__(self, versions: Versions) -> None:
        self.versions = versions
        self._entries: OrderedDict[tuple, tuple[tuple[int, int], Any]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple) -> Any:
        """The cached value if the member's counter and the epoch did not move since it was stored."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            if entry[0] != self.versions.token(key[0]):
                del self._entries[key]
                return None
            self._entries.move_to_end(key)
            return entry[1]

    def token(self, member_id: str) -> tuple[int, int]:
        """Read before asking the store process, so a value is stored under the versions it saw."""
        return self.versions.token(member_id)

    def put(self, key: tuple, token: tuple[int, int], value: Any) -> None:
        with self._lock:
            self._entries[key] = (token, value)
            while len(self._entries) > ENTRIES:
                self._entries.popitem(last=False)

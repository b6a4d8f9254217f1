"""Finished lists: their key and JSON body, and the per-worker cache checked against the shared
version counters."""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

import orjson

from halqa.service.versions import Versions

ENTRIES = 100_000


def list_key(
    member_id: str, k: int, filters: list[str], local_share: float | None, lang: str
) -> tuple:
    """The identity of a finished list in every cache (the store's, each worker's)."""
    return (member_id, k, tuple(sorted(filters)), local_share or 0.0, lang)


def list_body(
    member_id: str, k: int, filters: list[str], local_share: float | None, items: Any
) -> bytes:
    """The JSON answer for a list (orjson: a tenth of the standard encoder's time on the hot
    path)."""
    return orjson.dumps(
        {
            "member_id": member_id,
            "k": k,
            "filters": filters,
            "local_share": local_share,
            "items": items,
        }
    )


class EdgeCache:
    def __init__(self, versions: Versions) -> None:
        self.versions = versions
        self._entries: OrderedDict[tuple, tuple[tuple[int, int], Any]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple) -> Any:
        """The cached value if the member's counter and the epoch did not move since it was
        stored."""
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

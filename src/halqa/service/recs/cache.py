"""Finished lists by (member, k, filters, local share, language): the exact response cache.

A member's entries are dropped the moment one of their events is committed, so a hit is what
the model answers now. Not thread-safe by itself: the service calls it holding its lock.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

ENTRIES = 200_000
Lists = list[dict[str, Any]]


class ListCache:
    def __init__(self, *, global_lists: bool, entries: int = ENTRIES) -> None:
        """``global_lists``: every member's list moves with anyone's events (popularity models),
        so forgetting any member forgets everyone."""
        self.global_lists = global_lists
        self.entries = entries
        self._lists: OrderedDict[tuple, Lists] = OrderedDict()
        self._by_member: dict[str, set[tuple]] = {}
        self._version: dict[str, int] = {}  # bumped on every committed event of the member
        self.hits = self.misses = 0

    def __len__(self) -> int:
        return len(self._lists)

    def get(self, key: tuple) -> Lists | None:
        """The cached list for ``key`` (counted as a hit), or None."""
        hit = self._lists.get(key)
        if hit is not None:
            self._lists.move_to_end(key)
            self.hits += 1
        return hit

    def put(self, key: tuple, items: Lists) -> None:
        self._lists[key] = items
        self._by_member.setdefault(key[0], set()).add(key)
        while len(self._lists) > self.entries:
            old, _ = self._lists.popitem(last=False)
            self._by_member.get(old[0], set()).discard(old)

    def version(self, member_id: str) -> int:
        return self._version.get(member_id, 0)

    def events_committed(self, members: set[str]) -> None:
        """New events of ``members``: their lists go, and a list computed meanwhile is not kept."""
        for member in members:
            self._version[member] = self._version.get(member, 0) + 1
        self.forget(members)

    def forget(self, members: set[str] | None) -> None:
        """Drop the cached lists of ``members`` (None: everyone)."""
        if members is None or self.global_lists:
            self._lists.clear()
            self._by_member.clear()
            return
        for member in members:
            for key in self._by_member.pop(member, ()):
                self._lists.pop(key, None)

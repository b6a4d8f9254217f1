"""The service's key ring: the active API keys held in memory, so a check costs one hash.

The keys themselves (the table, creating, revoking, listing) are the catalogue's:
``halqa.catalog.api_keys``. Its names are re-exported here because ``halqa.service.keys`` is
where callers (the tests, the studio's services, ``halqa.service``) have imported them from.
"""

from __future__ import annotations

import hmac
import threading

from halqa.catalog import Store
from halqa.catalog.api_keys import (
    ROLE_DOCS,
    ROLES,
    KeyEntries,
    Principal,
    active_entries,
    create_key,
    digest,
    ensure_table,
    list_keys,
    revoke_key,
    set_role,
)

__all__ = [
    "ROLES",
    "ROLE_DOCS",
    "KeyRing",
    "Principal",
    "create_key",
    "ensure_table",
    "list_keys",
    "revoke_key",
    "set_role",
]


class KeyRing:
    """The active keys held in memory, so checking a key costs one hash and no query."""

    def __init__(self, entries: KeyEntries | None = None) -> None:
        self._entries = entries or {}
        self._lock = threading.Lock()

    @staticmethod
    def load_entries(store: Store) -> KeyEntries:
        return active_entries(store)

    def replace(self, entries: KeyEntries) -> None:
        with self._lock:
            self._entries = dict(entries)

    def verify(self, token: str) -> Principal | None:
        """The principal of a well-formed, active key; None for anything else."""
        if not token.startswith("hq_") or "." not in token:
            return None
        key_id, _, secret = token[3:].partition(".")
        entry = self._entries.get(key_id)
        if entry is None:
            return None
        name, role, salt, stored = entry
        if not hmac.compare_digest(digest(salt, secret), stored):
            return None
        return Principal(key_id, name, role)

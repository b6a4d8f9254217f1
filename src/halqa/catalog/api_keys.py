"""API keys with roles, stored hashed in the ``service_keys`` table.

A key is ``hq_<key_id>.<secret>``: ``key_id`` finds the row, the 256-bit random
secret is checked against ``sha256(salt || secret)``. Because the secret is
random (not a password a person chose), a fast salted hash is as strong as a
slow KDF and keeps authentication off the latency budget. The plain key is
shown once, at creation, and never stored.

The service checks keys in memory (``halqa.service.keys.KeyRing``) from ``active_entries``.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from halqa.catalog import schema
from halqa.catalog.store import Store
from halqa.errors import NotFoundError, UserError

ROLES = ("admin", "analyst", "creator", "service")
ROLE_DOCS = {
    "admin": "everything, including keys and catalogue writes",
    "analyst": "read everything, insights, audiences, exports, recommendations",
    "creator": "aggregated insights and the catalogue only; never member-level data",
    "service": "recommendations, similar titles, catalogue reads and posting events",
}
# key_id -> (name, role, salt, digest) of every active key
KeyEntries = dict[str, tuple[str, str, str, str]]


@dataclass(frozen=True)
class Principal:
    """Who is calling: the key's id, name and role."""

    key_id: str
    name: str
    role: str


def ensure_table(store: Store) -> None:
    store.run(schema.SERVICE_KEYS_SQL)  # owned by the store schema (version 2)


def digest(salt: str, secret: str) -> str:
    """What the table stores of a secret."""
    return hashlib.sha256(bytes.fromhex(salt) + secret.encode()).hexdigest()


def create_key(store: Store, role: str, name: str = "") -> tuple[Principal, str]:
    """Store a new key for ``role``; returns it with the plain token (shown only now)."""
    _known_role(role)
    ensure_table(store)
    key_id, secret, salt = secrets.token_hex(6), secrets.token_urlsafe(32), secrets.token_hex(16)
    store.run(
        "INSERT INTO service_keys VALUES (?, ?, ?, ?, ?, ?, NULL)",
        [key_id, name, role, salt, digest(salt, secret), datetime.now(UTC).replace(tzinfo=None)],
    )
    return Principal(key_id, name, role), f"hq_{key_id}.{secret}"


def revoke_key(store: Store, key_id: str) -> None:
    _active(store, key_id)
    store.run("UPDATE service_keys SET revoked_at = now()::TIMESTAMP WHERE key_id = ?", [key_id])


def set_role(store: Store, key_id: str, role: str) -> None:
    """Give an active key another role (its secret stays the same)."""
    _known_role(role)
    _active(store, key_id)
    store.run("UPDATE service_keys SET role = ? WHERE key_id = ?", [role, key_id])


def list_keys(store: Store) -> list[dict[str, Any]]:
    ensure_table(store)
    columns = ("key_id", "name", "role", "created_at", "revoked_at")
    rows = store.rows(f"SELECT {', '.join(columns)} FROM service_keys ORDER BY created_at")
    return [dict(zip(columns, r)) for r in rows]


def active_entries(store: Store) -> KeyEntries:
    """Every active key, as ``KeyRing`` checks them."""
    ensure_table(store)
    rows = store.rows(
        "SELECT key_id, name, role, salt, hash FROM service_keys WHERE revoked_at IS NULL"
    )
    return {r[0]: (r[1] or "", r[2], r[3], r[4]) for r in rows}


def _known_role(role: str) -> None:
    if role not in ROLES:
        raise UserError(f"unknown role '{role}': use one of {', '.join(ROLES)}")


def _active(store: Store, key_id: str) -> None:
    ensure_table(store)
    if not store.scalar(
        "SELECT count(*) FROM service_keys WHERE key_id = ? AND revoked_at IS NULL", [key_id]
    ):
        raise NotFoundError(f"no active key with id '{key_id}'")

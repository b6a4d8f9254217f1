"""Partial member updates with consent rules, and the consent audit.

Rules (``docs/service.md`` states them for API users):

- **Only the fields sent change.** A member row that exists keeps every field the update leaves
  out; send ``null`` to clear one. A new member gets NULL for what is not sent and ``false`` for
  every consent not sent.
- **Withdrawing** a consent (true -> false) is open to whoever may write members; its
  ``consent_at`` is the date sent, or now.
- **Granting** a consent (anything -> true) needs the date the member gave it (``consent_at``, in
  the same update, not in the future) and a role in ``grant_roles``: a service key alone cannot
  opt people in.
- **Every change** of a consent flag is written to ``consent_audit`` (who, when, which purpose,
  old -> new, the consent date) in the same transaction as the change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from halqa.catalog.schema import CONSENT_PURPOSES, MEMBERS
from halqa.catalog.store import Store
from halqa.errors import UserError

COLUMNS = tuple(c for c in MEMBERS.column_names if c != "auto_created")
FLAGS = tuple(f"consent_{p}" for p in CONSENT_PURPOSES)
CLOCK_SKEW = timedelta(
    minutes=5
)  # a consent date this far ahead of the server's clock is still "now"


class ConsentNotAllowed(UserError):
    """The caller's role may not grant consent (the API answers 403)."""


@dataclass(frozen=True)
class Actor:
    """Who makes the change, as the audit records it."""

    key_id: str | None
    role: str | None
    source: str = "api"


@dataclass
class MemberChanges:
    rows: list[dict[str, Any]]  # the members as stored after the update (every column)
    consent_changed: set[str]  # members whose consent flags moved
    audit: list[tuple[Any, ...]]  # consent_audit rows written


def apply_member_updates(
    store: Store,
    updates: list[dict[str, Any]],
    actor: Actor,
    grant_roles: tuple[str, ...] | list[str],
) -> MemberChanges:
    """Merge ``updates`` (each: member_id plus the fields sent) into ``members``;
    call in a transaction."""
    ids = [u["member_id"] for u in updates]
    stored = _stored(store, ids)
    now = datetime.now(UTC).replace(tzinfo=None)
    merged: dict[str, dict[str, Any]] = {}
    audit: list[tuple[Any, ...]] = []
    for i, update in enumerate(updates):
        member_id = update["member_id"]
        before = merged.get(member_id) or stored.get(member_id)
        after = _merge(before, update)
        audit += _consent_changes(i, before, after, update, actor, grant_roles, now)
        merged[member_id] = after
    rows = list(merged.values())
    store.con.executemany(
        f"INSERT OR REPLACE INTO members ({', '.join(COLUMNS)}, auto_created) "
        f"VALUES ({', '.join('?' * len(COLUMNS))}, false)",
        [[r[c] for c in COLUMNS] for r in rows],
    )
    if audit:
        store.con.executemany("INSERT INTO consent_audit VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", audit)
    return MemberChanges(rows, {a[1] for a in audit}, audit)


def _stored(store: Store, ids: list[str]) -> dict[str, dict[str, Any]]:
    rows = store.rows(
        f"SELECT {', '.join(COLUMNS)} FROM members WHERE member_id IN "
        "(SELECT unnest(?::VARCHAR[]))",
        [ids],
    )
    return {r[0]: dict(zip(COLUMNS, r)) for r in rows}


def _merge(before: dict[str, Any] | None, update: dict[str, Any]) -> dict[str, Any]:
    if before is None:  # a new member: what is not sent is unknown, and no consent is assumed
        before = {c: (False if c in FLAGS else None) for c in COLUMNS}
    return {**before, **{k: v for k, v in update.items() if k in COLUMNS}}


def _consent_changes(
    index: int,
    before: dict[str, Any] | None,
    after: dict[str, Any],
    update: dict[str, Any],
    actor: Actor,
    grant_roles: tuple[str, ...] | list[str],
    now: datetime,
) -> list[tuple[Any, ...]]:
    """Check the consent rules for one update; the audit rows of what it changes."""
    old = {f: bool(before and before.get(f)) for f in FLAGS}
    for flag in FLAGS:
        if after[flag] is None:
            after[flag] = False  # null consent means no consent
    changed = [f for f in FLAGS if bool(after[f]) != old[f]]
    if not changed:
        return []
    granted = [f for f in changed if after[f]]
    where = f"members[{index}] ({after['member_id']})"
    if granted:
        if actor.role not in grant_roles:
            raise ConsentNotAllowed(
                f"{where}: role '{actor.role}' may withdraw consent but not grant it "
                f"({', '.join(granted)}); granting needs one of: {', '.join(grant_roles)}"
            )
        given = update.get("consent_at")
        if given is None:
            raise UserError(
                f"{where}: granting {', '.join(granted)} needs consent_at, "
                "the date the member gave it"
            )
        if given > now + CLOCK_SKEW:
            raise UserError(f"{where}: consent_at {given.isoformat()} is in the future")
    elif update.get("consent_at") is None:
        after["consent_at"] = now  # a withdrawal is dated when it reaches us
    return [
        (
            now,
            after["member_id"],
            flag[len("consent_") :],
            old[flag],
            bool(after[flag]),
            after["consent_at"],
            actor.key_id,
            actor.role,
            actor.source,
        )
        for flag in changed
    ]


def audit_loaded_consents(store: Store, staged: str, ingest_id: int) -> int:
    """Write to ``consent_audit`` the consent flags that the members staged in ``staged`` (about to
    be upserted by ``halqa ingest``, one row per member) change; returns how many rows it wrote.

    Call in the load's transaction, before the upsert, on the rows that differ from the stored ones:
    re-running a file changes nothing and so audits nothing. Who: the ingest run (``key_id`` is
    ``ingest:<id>``, whose file and time the ``ingests`` table holds), role ``operator``, source
    ``ingest``. A new member counts as having had no consent, as on the API path.
    """
    columns = {r[0] for r in store.rows(f"SELECT name FROM pragma_table_info('{staged}')")}
    flags = [f for f in FLAGS if f in columns]
    if not flags:
        return 0
    pairs = ", ".join(
        f"('{f[len('consent_') :]}', coalesce(m.{f}, false), coalesce(s.{f}, false))" for f in flags
    )
    consent_at = "s.consent_at" if "consent_at" in columns else "m.consent_at"
    rows = store.rows(
        f"""INSERT INTO consent_audit
        SELECT now()::TIMESTAMP, s.member_id, c.purpose, c.old, c.new, {consent_at}, ?, \
'operator', 'ingest'
        FROM {staged} s LEFT JOIN members m USING (member_id),
             LATERAL (VALUES {pairs}) c(purpose, old, new)
        WHERE c.old IS DISTINCT FROM c.new""",
        [f"ingest:{ingest_id}"],
    )
    return int(rows[0][0]) if rows else 0

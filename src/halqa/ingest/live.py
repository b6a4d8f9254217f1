"""Live ingest: the SQL of storing events posted one batch at a time (the service's writer).

``halqa ingest`` loads files; the service's single writer (``halqa.service.writer``) stores the
events posted to ``/v1/events`` in batches, with the same bookkeeping: one ``ingests`` row for the
server run, ``quarantine`` rows for rejects, the events' natural key against duplicates. The
writer decides what each posted row is (accepted, duplicate, rejected); these functions are what
it asks of and writes to the store, inside the transaction it holds.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from typing import Any

import duckdb
import pyarrow as pa

from halqa.catalog import Store

EVENT_KEY = ("member_id", "title_id", "event_type", "ts")
EVENT_FIELDS = ("member_id", "title_id", "event_type", "ts", "value", "device", "source")
# A posted batch as DuckDB sees it: ``seq`` is each row's position in the batch.
INCOMING = pa.schema(
    [
        ("seq", pa.int64()),
        ("member_id", pa.string()),
        ("title_id", pa.string()),
        ("event_type", pa.string()),
        ("ts", pa.timestamp("us")),
        ("value", pa.float64()),
        ("device", pa.string()),
        ("source", pa.string()),
    ]
)
_INCOMING_VIEW = "halqa_incoming"
_ACCEPTED_VIEW = "halqa_accepted"
# A rejected row: (its position in the request, the field at fault, the reason, the row).
Reject = tuple[int, str, str, dict[str, Any]]


def incoming_table(rows: list[dict[str, Any]]) -> pa.Table:
    """The batch as an Arrow table (converted once: the accepted rows are taken from it)."""
    return pa.Table.from_pylist(
        [{"seq": i, **{f: r.get(f) for f in EVENT_FIELDS}} for i, r in enumerate(rows)],
        schema=INCOMING,
    )


@contextmanager
def incoming(store: Store, table: pa.Table) -> Iterator[None]:
    """The batch readable by ``stored_keys`` and ``unknown_references`` for the block."""
    with _registered(store.con, _INCOMING_VIEW, table):
        yield


def stored_keys(store: Store, rows: list[dict[str, Any]]) -> set[tuple[Any, ...]]:
    """The natural keys of the batch's events already stored (inside ``incoming``)."""
    lo = min(r["ts"] for r in rows)
    hi = max(r["ts"] for r in rows)
    # The ts range lets DuckDB skip row groups by their min/max: live events are recent.
    return set(
        store.rows(
            "SELECT member_id, title_id, event_type, ts FROM events WHERE ts BETWEEN ? AND ? "
            f"AND member_id IN (SELECT DISTINCT member_id FROM {_INCOMING_VIEW})",
            [lo, hi],
        )
    )


def unknown_references(store: Store) -> list[tuple[int, bool, bool]]:
    """(position, member unknown, title unknown) of the batch's rows naming a missing member or
    title (inside ``incoming``)."""
    return store.rows(
        f"SELECT b.seq, m.member_id IS NULL, t.title_id IS NULL FROM {_INCOMING_VIEW} b "
        "LEFT JOIN members m ON m.member_id = b.member_id "
        "LEFT JOIN titles t ON t.title_id = b.title_id "
        "WHERE m.member_id IS NULL OR t.title_id IS NULL"
    )


def insert_events(store: Store, accepted: pa.Table, ingest_id: int) -> None:
    """Store the accepted rows of ``incoming_table`` (``seq`` dropped) under ``ingest_id``."""
    with _registered(store.con, _ACCEPTED_VIEW, accepted.drop_columns(["seq"])):
        store.run(
            "INSERT INTO events SELECT member_id, title_id, event_type, ts, value, device, "
            f"source, ? FROM {_ACCEPTED_VIEW}",
            [ingest_id],
        )


def quarantine_rejects(store: Store, ingest_id: int, rejected: list[Reject]) -> None:
    """Quarantine each rejected event once, however often it is posted (the rule of
    ``halqa ingest``, where a re-run's bad rows replace the last run's): an event already in
    quarantine from the API with the same field and reason is not added again. ``line`` is
    its position in the first request that brought it."""
    first: dict[tuple[str, str, str], int] = {}
    for line, field, reason, row in rejected:
        first.setdefault((field, reason, json.dumps(row, default=str, ensure_ascii=False)), line)
    stored = set(
        store.rows(
            "SELECT field, reason, raw FROM quarantine WHERE target = 'events' AND file = 'api' "
            "AND raw IN (SELECT unnest(?::VARCHAR[]))",
            [[raw for _, _, raw in first]],
        )
    )
    new = [
        (ingest_id, line, field, reason, raw)
        for (field, reason, raw), line in first.items()
        if (field, reason, raw) not in stored
    ]
    if new:
        store.con.executemany("INSERT INTO quarantine VALUES (?, 'events', 'api', ?, ?, ?, ?)", new)


def open_api_ingest(store: Store) -> int:
    """A new ``ingests`` row for what the API stores in this server run (the Data page shows it)."""
    ingest_id = store.next_ingest_id()
    store.run(
        "INSERT INTO ingests VALUES (?, 'events', 'api', NULL, ?, NULL, 0, 0, 0, 0, 'running')",
        [ingest_id, datetime.now(UTC).replace(tzinfo=None)],
    )
    return ingest_id


def count_batch(
    store: Store, ingest_id: int, *, accepted: int, rejected: int, duplicates: int
) -> None:
    store.run(
        "UPDATE ingests SET accepted = accepted + ?, rejected = rejected + ?, "
        "duplicates = duplicates + ?, finished_at = now()::TIMESTAMP WHERE ingest_id = ?",
        [accepted, rejected, duplicates, ingest_id],
    )


def close_api_ingest(store: Store, ingest_id: int) -> None:
    store.run(
        "UPDATE ingests SET status = 'done', finished_at = now()::TIMESTAMP WHERE ingest_id = ?",
        [ingest_id],
    )


@contextmanager
def _registered(con: duckdb.DuckDBPyConnection, name: str, table: pa.Table) -> Iterator[None]:
    """``table`` as the view ``name`` for the block. When the block failed, the transaction is
    aborted and DuckDB refuses the unregister too: that refusal must not hide the block's error
    (a damaged store would be reported as "transaction is aborted"). The next register replaces
    it."""
    con.register(name, table)
    try:
        yield
    except BaseException:
        with suppress(duckdb.Error):
            con.unregister(name)
        raise
    con.unregister(name)

"""Moving good rows into the store, idempotently.

Events go straight from the file into ``events`` in one streaming scan (no
stage: a 10M-row file would otherwise be written twice). They have no primary
key (an index over hundreds of millions of rows would cost more memory than the
ingest), so their natural key (member_id, title_id, event_type, ts) is enforced
afterwards on the new rows only, inside the same transaction: rows repeated
within the file are collapsed (found through a 64-bit hash of the key, then
confirmed on the key) and rows already stored before are dropped.

Entity tables (small) go through a stage and are upserted by key: a row
identical to the stored one counts as a duplicate and is not rewritten, and
columns the file does not have are left as they are.
"""

from __future__ import annotations

import itertools
import threading
from typing import Any

import duckdb
from duckdb.func import PythonUDFType
from duckdb.sqltypes import BOOLEAN, VARCHAR  # duckdb 2 (pyproject pins >=2): 1.x's duckdb.typing

from halqa.catalog import CONSENT_PURPOSES, ENTITY_TABLES
from halqa.catalog.consent import audit_loaded_consents
from halqa.catalog.store import Store
from halqa.ingest.plan import Plan
from halqa.ingest.sources import Source
from halqa.ingest.sql import ident, lit
from halqa.ingest.stage import STAGE, validated_sql

EVENT_KEY = ENTITY_TABLES["events"].key


def create_missing(store: Store, plan: Plan, consent: frozenset[str], ingest_id: int) -> int:
    """Placeholder rows for ids the good rows refer to but the store lacks; returns how many."""
    created = 0
    if plan.target == "events":
        new_events = f"(SELECT member_id, title_id FROM events WHERE ingest_id = {ingest_id})"
        consents = ", ".join(lit(p in consent) for p in CONSENT_PURPOSES)
        consent_at = "now()::TIMESTAMP" if consent else "NULL"
        if (
            consent
        ):  # placeholders granted consent by the operator's --consent: audited like any grant
            placeholders = (
                f"(SELECT DISTINCT member_id FROM {new_events} WHERE member_id NOT IN "
                f"(SELECT member_id FROM members))"
            )
            granted = ", ".join(f"({lit(p)})" for p in CONSENT_PURPOSES if p in consent)
            store.run(f"""INSERT INTO consent_audit SELECT now()::TIMESTAMP, n.member_id, \
g.purpose, false, true,
                now()::TIMESTAMP, {lit(f"ingest:{ingest_id}")}, 'operator', 'ingest'
                FROM {placeholders} n, (VALUES {granted}) g(purpose)""")
        created += _insert_count(
            store,
            f"""INSERT INTO members (member_id, consent_analytics,
            consent_personalisation, consent_marketing, consent_at, auto_created)
            SELECT DISTINCT member_id, {consents}, {consent_at}, true FROM {new_events}
            WHERE member_id NOT IN (SELECT member_id FROM members)""",
        )
        # A placeholder title is a film named by its id with the genre 'unknown' until its row
        # arrives.
        created += _insert_count(
            store,
            f"""INSERT INTO titles (title_id, kind, name, genres, auto_created)
            SELECT DISTINCT title_id, 'film', title_id, ['unknown'], true FROM {new_events}
            WHERE title_id NOT IN (SELECT title_id FROM titles)""",
        )
    if plan.target == "titles" and "creator_ids" in plan.values:
        created += _insert_count(
            store,
            f"""INSERT INTO creators (creator_id, name)
            SELECT DISTINCT c, c FROM (SELECT unnest(creator_ids) AS c FROM {STAGE} \
WHERE _err IS NULL)
            WHERE c NOT IN (SELECT creator_id FROM creators)""",
        )
    return created


class _BadRowCounter:
    """Counts bad rows as DuckDB streams the file through the insert (an Arrow UDF on ``_err``).

    DuckDB evaluates a CASE branch only for the rows that reach it, so the function runs on
    bad rows alone: a clean file pays nothing for it. Knowing the count tells whether the
    second, numbered pass over the bad rows is needed, without staging the file.
    """

    def __init__(self) -> None:
        self.bad = 0
        self._lock = threading.Lock()

    def __call__(self, errors: Any) -> Any:
        import pyarrow as pa

        with self._lock:  # DuckDB may call from several threads
            self.bad += len(errors)
        return pa.nulls(len(errors), pa.bool_()).fill_null(False)


_FUNCTION_IDS = itertools.count()


def insert_events(
    store: Store, plan: Plan, source: Source, columns: dict[str, str], ingest_id: int
) -> tuple[int, int, int]:
    """Stream the file's good events into ``events``; returns (rows read, bad rows,
    rows inserted)."""
    counter = _BadRowCounter()
    # Unique per call: when an insert fails inside a transaction the function cannot be removed,
    # and the repair pass then loads the same ingest again on the same connection.
    name = f"_halqa_bad_{ingest_id}_{next(_FUNCTION_IDS)}"
    store.con.create_function(
        name, counter, [VARCHAR], BOOLEAN, type=PythonUDFType.ARROW, side_effects=True
    )
    try:
        cols = ", ".join(c.name for c in ENTITY_TABLES["events"].columns if c.name in plan.values)
        validated = validated_sql(plan, source, columns, numbered=False)
        keep = f"CASE WHEN _err IS NULL THEN true ELSE {name}(_err) END"
        inserted = _insert_count(
            store,
            f"INSERT INTO events ({cols}, ingest_id) SELECT {cols}, {ingest_id} "
            f"FROM (SELECT *, {keep} AS _keep FROM ({validated})) WHERE _keep",
        )
    finally:
        try:
            store.con.remove_function(name)
        except (
            duckdb.Error
        ):  # the insert failed and aborted the transaction: its error is the one to see
            pass
    return inserted + counter.bad, counter.bad, inserted


def dedupe_events(store: Store, ingest_id: int, had_events: bool) -> int:
    """Remove this ingest's events already stored before it or repeated within it; returns how many.

    Both run on the new rows only (``ingest_id``): repeats are found through a 64-bit hash of the
    natural key and confirmed on the key itself; stored events are looked up in the new rows'
    time range only, which zone maps on ``ts`` make cheap.
    """
    removed = 0
    key = ", ".join(EVENT_KEY)
    if had_events:
        lo, hi = store.rows("SELECT min(ts), max(ts) FROM events WHERE ingest_id = ?", [ingest_id])[
            0
        ]
        if lo is not None:
            match = " AND ".join(f"o.{c} = e.{c}" for c in EVENT_KEY)
            removed += _insert_count(
                store,
                f"""DELETE FROM events e WHERE e.ingest_id = {ingest_id} AND EXISTS (
                SELECT 1 FROM events o WHERE o.ingest_id IS DISTINCT FROM {ingest_id}
                AND o.ts BETWEEN {lit(str(lo))}::TIMESTAMP AND {lit(str(hi))}::TIMESTAMP \
AND {match})""",
            )
    store.run("DROP TABLE IF EXISTS temp._halqa_dup")
    store.run(
        f"CREATE TEMP TABLE _halqa_dup AS SELECT h FROM (SELECT hash({key}) AS h FROM events "
        f"WHERE ingest_id = {ingest_id}) GROUP BY h HAVING count(*) > 1"
    )
    if store.scalar("SELECT count(*) FROM _halqa_dup"):
        removed += _insert_count(
            store,
            f"""DELETE FROM events WHERE rowid IN (SELECT rid FROM (
            SELECT rowid AS rid, row_number() OVER (PARTITION BY {key} ORDER BY rowid) AS rn \
FROM events
            WHERE ingest_id = {ingest_id} AND hash({key}) IN (SELECT h FROM _halqa_dup)) \
WHERE rn > 1)""",
        )
    return removed


def load_entities(store: Store, plan: Plan, ingest_id: int) -> tuple[int, int, int]:
    """Upsert the stage's good rows; returns (accepted, updated, duplicates)."""
    table = ENTITY_TABLES[plan.target]
    key = list(table.key)
    cols = [c for c in table.column_names if c in plan.present]
    # The last occurrence of a key in the file wins; earlier ones are duplicates.
    store.run("DROP TABLE IF EXISTS temp._halqa_last")
    store.run(f"""CREATE TEMP TABLE _halqa_last AS SELECT {", ".join(map(ident, cols))} FROM {STAGE}
        WHERE _err IS NULL QUALIFY row_number() OVER (PARTITION BY {", ".join(key)} \
ORDER BY _row DESC) = 1""")
    good = store.scalar(f"SELECT count(*) FROM {STAGE} WHERE _err IS NULL")
    on_key = " AND ".join(f"t.{k} = l.{k}" for k in key)
    same = " AND ".join(
        f"t.{ident(c)} IS NOT DISTINCT FROM l.{ident(c)}" for c in cols if c not in plan.derived
    )
    store.run(
        f"DELETE FROM _halqa_last l WHERE EXISTS (SELECT 1 FROM {table.name} t "
        f"WHERE {on_key} AND {same})"
    )
    changed = store.scalar("SELECT count(*) FROM _halqa_last")
    updated = store.scalar(
        f"SELECT count(*) FROM _halqa_last l WHERE EXISTS "
        f"(SELECT 1 FROM {table.name} t WHERE {on_key})"
    )
    if plan.target == "members":  # what the upsert changes in consent, kept with who and when
        audit_loaded_consents(store, "_halqa_last", ingest_id)
    sets = ", ".join(
        f"{ident(c)} = {_updated_value(table.name, c, cols, plan)}" for c in cols if c not in key
    )
    conflict = (
        f"ON CONFLICT ({', '.join(key)}) DO UPDATE SET {sets}" if sets else "ON CONFLICT DO NOTHING"
    )
    col_list = ", ".join(map(ident, cols))
    store.run(
        f"INSERT INTO {table.name} ({col_list}) SELECT {col_list} FROM _halqa_last {conflict}"
    )
    return changed, updated, good - changed


def _updated_value(table: str, col: str, cols: list[str], plan: Plan) -> str:
    """excluded.col, except a derived column keeps its stored value when the columns it derives from
    did not change."""
    if col not in plan.derived:
        return f"excluded.{ident(col)}"
    sources = [c for c in cols if c.startswith("consent_") and c not in plan.derived]
    unchanged = (
        " AND ".join(
            f"{table}.{ident(c)} IS NOT DISTINCT FROM excluded.{ident(c)}" for c in sources
        )
        or "false"
    )
    return f"CASE WHEN {unchanged} THEN {table}.{ident(col)} ELSE excluded.{ident(col)} END"


def _insert_count(store: Store, sql: str) -> int:
    rows = store.rows(sql)
    return int(rows[0][0]) if rows else 0

"""Moving the good rows of a stage into the store, idempotently.

Events have no primary key (an index over hundreds of millions of rows would
cost more memory than the ingest), so their natural key
(member_id, title_id, event_type, ts) is enforced here: rows repeated within
the file are collapsed (found cheaply through a 64-bit hash of the key, then
compared exactly) and rows already stored are dropped with an anti-join limited
to the file's time range. Entity tables are upserted by key: a row identical
to the stored one counts as a duplicate and is not rewritten, and columns the
file does not have are left as they are.
"""

from __future__ import annotations

from halqa.catalog import CONSENT_PURPOSES, ENTITY_TABLES
from halqa.catalog.store import Store
from halqa.ingest.rules import Plan
from halqa.ingest.sql import ident, lit
from halqa.ingest.stage import STAGE

EVENT_KEY = ENTITY_TABLES["events"].key


def create_missing(store: Store, plan: Plan, consent: frozenset[str]) -> int:
    """Placeholder rows for ids the good rows refer to but the store lacks; returns how many."""
    created = 0
    if plan.target == "events":
        consents = ", ".join(lit(p in consent) for p in CONSENT_PURPOSES)
        consent_at = "now()::TIMESTAMP" if consent else "NULL"
        created += _insert_count(store, f"""INSERT INTO members (member_id, consent_analytics,
            consent_personalisation, consent_marketing, consent_at, auto_created)
            SELECT DISTINCT member_id, {consents}, {consent_at}, true FROM {STAGE}
            WHERE _err IS NULL AND member_id NOT IN (SELECT member_id FROM members)""")
        # A placeholder title is a film named by its id with the genre 'unknown' until its row arrives.
        created += _insert_count(store, f"""INSERT INTO titles (title_id, kind, name, genres)
            SELECT DISTINCT title_id, 'film', title_id, ['unknown'] FROM {STAGE}
            WHERE _err IS NULL AND title_id NOT IN (SELECT title_id FROM titles)""")
    if plan.target == "titles" and "creator_ids" in plan.values:
        created += _insert_count(store, f"""INSERT INTO creators (creator_id, name)
            SELECT DISTINCT c, c FROM (SELECT unnest(creator_ids) AS c FROM {STAGE} WHERE _err IS NULL)
            WHERE c NOT IN (SELECT creator_id FROM creators)""")
    return created


def load_events(store: Store, plan: Plan, ingest_id: int) -> int:
    """Insert the stage's good events that are not stored yet; returns how many were inserted."""
    store.run("DROP TABLE IF EXISTS temp._halqa_dup")
    store.run(f"CREATE TEMP TABLE _halqa_dup AS SELECT _h FROM {STAGE} WHERE _err IS NULL "
              "GROUP BY _h HAVING count(*) > 1")
    cols = ", ".join(c.name for c in ENTITY_TABLES["events"].columns if c.name in plan.values)
    not_stored = _not_stored_clause(store)
    unique = (f"SELECT {cols}, {ingest_id} FROM {STAGE} s WHERE _err IS NULL "
              f"AND _h NOT IN (SELECT _h FROM _halqa_dup){not_stored}")
    repeated = (f"SELECT DISTINCT ON ({', '.join(EVENT_KEY)}) {cols}, {ingest_id} FROM {STAGE} s "
                f"WHERE _err IS NULL AND _h IN (SELECT _h FROM _halqa_dup){not_stored}")
    has_repeats = store.scalar("SELECT count(*) FROM _halqa_dup") > 0
    query = f"{unique} UNION ALL {repeated}" if has_repeats else unique
    return _insert_count(store, f"INSERT INTO events ({cols}, ingest_id) {query}")


def _not_stored_clause(store: Store) -> str:
    """Anti-join against stored events, restricted to the stage's time range (zone maps skip the rest)."""
    if not store.scalar("SELECT count(*) FROM (SELECT 1 FROM events LIMIT 1)"):
        return ""
    lo, hi = store.rows(f"SELECT min(ts), max(ts) FROM {STAGE} WHERE _err IS NULL")[0]
    if lo is None:
        return ""
    match = " AND ".join(f"e.{c} = s.{c}" for c in EVENT_KEY)
    return (f" AND NOT EXISTS (SELECT 1 FROM events e WHERE e.ts BETWEEN {lit(str(lo))}::TIMESTAMP "
            f"AND {lit(str(hi))}::TIMESTAMP AND {match})")


def load_entities(store: Store, plan: Plan) -> tuple[int, int, int]:
    """Upsert the stage's good rows; returns (accepted, updated, duplicates)."""
    table = ENTITY_TABLES[plan.target]
    key = list(table.key)
    cols = [c for c in table.column_names if c in plan.present]
    # The last occurrence of a key in the file wins; earlier ones are duplicates.
    store.run("DROP TABLE IF EXISTS temp._halqa_last")
    store.run(f"""CREATE TEMP TABLE _halqa_last AS SELECT {', '.join(map(ident, cols))} FROM {STAGE}
        WHERE _err IS NULL QUALIFY row_number() OVER (PARTITION BY {', '.join(key)} ORDER BY _row DESC) = 1""")
    good = store.scalar(f"SELECT count(*) FROM {STAGE} WHERE _err IS NULL")
    last = store.scalar("SELECT count(*) FROM _halqa_last")
    on_key = " AND ".join(f"t.{k} = l.{k}" for k in key)
    same = " AND ".join(f"t.{ident(c)} IS NOT DISTINCT FROM l.{ident(c)}" for c in cols if c not in plan.derived)
    store.run(f"DELETE FROM _halqa_last l WHERE EXISTS (SELECT 1 FROM {table.name} t WHERE {on_key} AND {same})")
    changed = store.scalar("SELECT count(*) FROM _halqa_last")
    updated = store.scalar(f"SELECT count(*) FROM _halqa_last l WHERE EXISTS "
                           f"(SELECT 1 FROM {table.name} t WHERE {on_key})")
    sets = ", ".join(f"{ident(c)} = {_updated_value(table.name, c, cols, plan)}" for c in cols if c not in key)
    conflict = f"ON CONFLICT ({', '.join(key)}) DO UPDATE SET {sets}" if sets else "ON CONFLICT DO NOTHING"
    col_list = ", ".join(map(ident, cols))
    store.run(f"INSERT INTO {table.name} ({col_list}) SELECT {col_list} FROM _halqa_last {conflict}")
    return changed, updated, good - changed


def _updated_value(table: str, col: str, cols: list[str], plan: Plan) -> str:
    """excluded.col, except a derived column keeps its stored value when the columns it derives from did not change."""
    if col not in plan.derived:
        return f"excluded.{ident(col)}"
    sources = [c for c in cols if c.startswith("consent_") and c not in plan.derived]
    unchanged = " AND ".join(f"{table}.{ident(c)} IS NOT DISTINCT FROM excluded.{ident(c)}" for c in sources) or "false"
    return f"CASE WHEN {unchanged} THEN {table}.{ident(col)} ELSE excluded.{ident(col)} END"


def _insert_count(store: Store, sql: str) -> int:
    rows = store.rows(sql)
    return int(rows[0][0]) if rows else 0

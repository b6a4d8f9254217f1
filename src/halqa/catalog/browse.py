"""The store one request at a time: look up titles and members, page through them, edit titles.

What the service's routes and the dashboard ask of the catalogue (bulk loads are ``halqa.ingest``,
aggregates are ``halqa.insights``). Every function takes the caller's ``Store`` (a per-thread
cursor in the service) and returns plain rows: dicts of column name to DuckDB's Python value.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from halqa.catalog import taxonomy
from halqa.catalog.rules import parent_cycles_sql
from halqa.catalog.schema import TITLES
from halqa.catalog.store import Store
from halqa.catalog.taxonomy import suggest
from halqa.errors import NotFoundError, UserError

Row = dict[str, Any]


def records(store: Store, query: str, params: list[Any] | None = None) -> list[Row]:
    """Every row of ``query`` as a dict of column name to value."""
    relation = store.con.execute(query, params or [])
    names = [d[0] for d in relation.description]
    return [dict(zip(names, row, strict=True)) for row in relation.fetchall()]


# -- titles -----------------------------------------------------------------------------------
def get_title(store: Store, title_id: str) -> Row:
    rows = records(store, "SELECT * FROM titles WHERE title_id = ?", [title_id])
    if not rows:
        raise NotFoundError(f"no title with title_id '{title_id}'")
    return rows[0]


def list_titles(
    store: Store, q: str | None, kind: str | None, limit: int, offset: int
) -> tuple[int, list[Row]]:
    """(how many titles match, this page of them by title_id):
    ``q`` is text of the name or the id."""
    where, params = ["true"], []
    if q:
        where.append("(strpos(lower(name), lower(?)) > 0 OR title_id = ?)")
        params += [q, q]
    if kind:
        where.append("kind = ?")
        params.append(kind)
    return _page(store, "titles", "title_id", " AND ".join(where), params, limit, offset)


def upsert_titles(store: Store, rows: list[Row]) -> int:
    """Insert or replace titles after checking genres and themes against the store's taxonomy;
    a parent cycle raises (inside the caller's transaction, which rolls the upsert back)."""
    _check_terms(store, rows)
    columns = [c for c in TITLES.column_names if c != "auto_created"]  # never a placeholder
    values = ", ".join(
        "map_from_entries(?::STRUCT(k VARCHAR, v VARCHAR)[])" if c in _MAPS else "?"
        for c in columns
    )
    store.con.executemany(
        f"INSERT OR REPLACE INTO titles ({', '.join(columns)}, "
        f"auto_created) VALUES ({values}, false)",
        [[_entries(r.get(c)) if c in _MAPS else r.get(c) for c in columns] for r in rows],
    )
    _refuse_parent_cycles(store, rows)
    return len(rows)


_MAPS = ("names", "synopses")  # MAP(VARCHAR, VARCHAR) columns, bound as lists of entries


def _entries(value: dict[str, str] | None) -> list[dict[str, str]] | None:
    return None if value is None else [{"k": k, "v": v} for k, v in value.items()]


def _check_terms(store: Store, rows: list[Row]) -> None:
    genres, themes = store.genre_ids(), store.theme_ids()
    for i, row in enumerate(rows):
        for field, known in (("genres", genres), ("themes", themes)):
            for term in row.get(field) or []:
                if term not in known:
                    raise UserError(
                        f"titles[{i}].{field}: unknown id '{term}'{suggest(term, sorted(known))} "
                        f"(add it with `halqa taxonomy add`)"
                    )


def _refuse_parent_cycles(store: Store, rows: list[Row]) -> None:
    """The rule ``halqa ingest`` applies too (halqa.catalog.rules)."""
    ids = [r["title_id"] for r in rows if r.get("parent_id")]
    if not ids:
        return
    edges = "SELECT title_id, parent_id FROM titles WHERE parent_id IS NOT NULL"
    found = dict(store.rows(parent_cycles_sql(edges, "SELECT unnest(?::VARCHAR[])"), [ids]))
    for i, row in enumerate(rows):
        if row["title_id"] in found:
            raise UserError(f"titles[{i}].parent_id: {found[row['title_id']]}")


# -- members ----------------------------------------------------------------------------------
def get_member(store: Store, member_id: str) -> Row:
    """The member's row and how many events they have."""
    rows = records(store, "SELECT * FROM members WHERE member_id = ?", [member_id])
    if not rows:
        raise NotFoundError(f"no member with member_id '{member_id}'")
    events = store.scalar("SELECT count(*) FROM events WHERE member_id = ?", [member_id])
    return {**rows[0], "events": int(events)}


def list_members(
    store: Store, region: str | None, age_band: str | None, limit: int, offset: int
) -> tuple[int, list[Row]]:
    """(how many members match, this page of them by member_id)."""
    where, params = ["true"], []
    for column, value in (("region", region), ("age_band", age_band)):
        if value:
            where.append(f"{column} = ?")
            params.append(value)
    return _page(store, "members", "member_id", " AND ".join(where), params, limit, offset)


def member_events(store: Store, member_id: str, limit: int, offset: int) -> tuple[int, list[Row]]:
    """(how many events the member has, this page of them, newest first); 404 for no member."""
    total = get_member(store, member_id)["events"]
    items = records(
        store,
        "SELECT * EXCLUDE (ingest_id) FROM events WHERE member_id = ? "
        "ORDER BY ts DESC, title_id, event_type LIMIT ? OFFSET ?",
        [member_id, limit, offset],
    )
    return total, items


def consent_history(store: Store, member_id: str) -> list[Row]:
    """Every consent change of a member (404 for an unknown member), oldest first."""
    get_member(store, member_id)
    return records(
        store,
        "SELECT changed_at, purpose, old_value, new_value, consent_at, key_id, role, source "
        "FROM consent_audit WHERE member_id = ? ORDER BY changed_at, purpose",
        [member_id],
    )


def member_picker(
    store: Store, q: str | None, limit: int, offset: int = 0
) -> tuple[int, list[Row]]:
    """(how many members may receive recommendations and match ``q``, this page of them, most
    active first): the dashboard's picker."""
    where, params = "", []
    if q:
        where, params = "WHERE strpos(m.member_id, ?) > 0", [q]
    total = store.scalar(f"SELECT count(*) FROM members_personalisation m {where}", params)
    items = records(
        store,
        "SELECT m.member_id, m.age_band, m.gender, m.region, m.languages, "
        "count(e.member_id) AS events "
        f"FROM members_personalisation m LEFT JOIN events e USING (member_id) {where} "
        "GROUP BY ALL ORDER BY events DESC, m.member_id LIMIT ? OFFSET ?",
        [*params, limit, offset],
    )
    return int(total or 0), items


def lacking_marketing_consent(store: Store, member_ids: Iterable[object]) -> set[str]:
    """Which of ``member_ids`` have no marketing consent (now, in the store)."""
    import pyarrow as pa

    cursor = store.con.cursor()  # its own cursor: the registered table stays private to this call
    try:
        cursor.register(
            "halqa_fitted_members", pa.table({"member_id": pa.array([str(m) for m in member_ids])})
        )
        found = cursor.execute(
            "SELECT f.member_id FROM halqa_fitted_members f "
            "ANTI JOIN members_marketing m USING (member_id)"
        ).fetchall()
    finally:
        cursor.close()
    return {row[0] for row in found}


# -- the taxonomy, data health, campaigns (the dashboard's pages) -------------------------------
def taxonomy_labels(store: Store) -> dict[str, Any]:
    """Genre, theme and region labels in English, French and Arabic, and the fixed vocabularies
    (age bands, kinds, languages) a filter offers."""
    labels = "label_en AS en, label_fr AS fr, label_ar AS ar"
    return {
        "genres": records(store, f"SELECT genre_id AS id, {labels} FROM genres"),
        "themes": records(store, f"SELECT theme_id AS id, {labels} FROM themes"),
        # A region's name is French in every Latin-script interface (as Moroccans write it).
        "regions": [{"id": r.id, "en": r.fr, "fr": r.fr, "ar": r.ar} for r in taxonomy.REGIONS],
        "age_bands": list(taxonomy.AGE_BANDS),
        "kinds": list(taxonomy.KINDS),
        "languages": taxonomy.LANGUAGES,
    }


def data_overview(store: Store, limit: int) -> dict[str, Any]:
    """Row counts, the latest ingests and quarantined rows, and the commonest quarantine reasons."""
    return {
        "counts": store.counts(),
        "ingests": records(
            store, "SELECT * FROM ingests ORDER BY started_at DESC, ingest_id DESC LIMIT ?", [limit]
        ),
        "quarantine": records(
            store,
            "SELECT q.ingest_id, q.target, q.file, q.line, q.field, "
            "q.reason, q.raw FROM quarantine q "
            "ORDER BY q.ingest_id DESC, q.line DESC LIMIT ?",
            [limit],
        ),
        "quarantine_by_reason": records(
            store,
            "SELECT target, field, count(*) AS rows FROM quarantine GROUP BY ALL "
            "ORDER BY rows DESC LIMIT ?",
            [limit],
        ),
    }


def campaigns(store: Store) -> list[Row]:
    """Campaigns recorded by audience exports, newest first (none before the first export)."""
    exists = store.scalar(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'audience_campaigns'"
    )
    if not exists:
        return []
    return records(
        store,
        "SELECT campaign, created_at, title_id, source, holdout_share, exposed, holdout, "
        "hashed FROM audience_campaigns ORDER BY created_at DESC",
    )


# -- a copy of the whole store ------------------------------------------------------------------
def snapshot(store: Store, path: str) -> None:
    """Copy the store to a new database file ``path`` in one read transaction (on its own
    cursor, so writes keep committing meanwhile); nothing is left behind when it fails.

    The copy is attached under its file's stem, which must be an SQL identifier."""
    name = Path(path).stem
    cursor = store.con.cursor()
    try:
        source = cursor.execute("SELECT current_database()").fetchall()[0][0]
        cursor.execute(f"ATTACH '{path}' AS {name}").fetchall()
        try:
            cursor.execute(f'COPY FROM DATABASE "{source}" TO {name}').fetchall()
        finally:
            cursor.execute(f"DETACH {name}").fetchall()
    except BaseException:
        for leftover in (path, path + ".wal"):
            if os.path.exists(leftover):
                os.remove(leftover)
        raise
    finally:
        cursor.close()
    os.chmod(path, 0o600)


def _page(
    store: Store,
    table: str,
    key: str,
    where: str,
    params: list[Any],
    limit: int,
    offset: int,
) -> tuple[int, list[Row]]:
    total = store.scalar(f"SELECT count(*) FROM {table} WHERE {where}", params)
    items = records(
        store,
        f"SELECT * FROM {table} WHERE {where} ORDER BY {key} LIMIT ? OFFSET ?",
        [*params, limit, offset],
    )
    return int(total), items

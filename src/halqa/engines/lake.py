"""The lake: one Parquet layout that DuckDB and Spark both read, so a store moves to a cluster as
is.

Layout (version 1, see ``docs/scale.md``)::

    DIR/_halqa_lake.json                      manifest: layout and schema versions, row counts, days
    DIR/events/event_date=YYYY-MM-DD/*.parquet events, Hive-partitioned by the UTC day of ``ts``
    DIR/titles.parquet, creators.parquet, members.parquet, genres.parquet, themes.parquet

Columns are the store's own (``halqa.catalog.schema``); ``event_date`` exists only as the
partition folder. Timestamps are UTC without a zone (Parquet ``isAdjustedToUTC=false``), the
way the store keeps them. The consent views (``events_analytics``...) are not stored: each
engine recreates them from the schema's own definitions, so no reader can skip consent.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from pathlib import Path
from typing import Any

import duckdb

from halqa.catalog import SCHEMA_VERSION, Store, schema
from halqa.errors import UserError

LAYOUT_VERSION = 1
MANIFEST = "_halqa_lake.json"
TABLES = ("titles", "creators", "members", "genres", "themes")
EVENTS_DIR = "events"
PARTITION = "event_date"
_VIEW = re.compile(r"CREATE VIEW (\w+) AS (.*)", re.DOTALL)


def consent_views() -> dict[str, str]:
    """The consent views of the schema (name -> SELECT in DuckDB SQL), taken from its migrations
    so the lake applies exactly the rules a store applies."""
    views = {}
    for _version, _what, statements in schema.MIGRATIONS:
        for statement in statements:
            match = _VIEW.match(statement.strip())
            if match:
                views[match.group(1)] = " ".join(match.group(2).split())
    return views


def export_lake(store: Store, directory: str | Path, *, overwrite: bool = False) -> dict:
    """Write the store as a lake in ``directory``; returns the manifest."""
    out = Path(directory)
    if (out / MANIFEST).exists() or (out.exists() and any(out.iterdir())):
        if not overwrite:
            raise UserError(
                f"{out}: folder is not empty (pass --overwrite to replace a lake there)"
            )
        if not (out / MANIFEST).exists():
            raise UserError(f"{out}: not empty and not a halqa lake; refusing to overwrite it")
        shutil.rmtree(out)
    out.mkdir(parents=True, exist_ok=True)
    counts = {}
    for name in TABLES:
        store.run(
            f"COPY {name} TO '{_sql_str(out / (name + '.parquet'))}' "
            "(FORMAT parquet, COMPRESSION zstd)"
        )
        counts[name] = int(store.scalar(f"SELECT count(*) FROM {name}"))
    # Sorted by time so row-group statistics let both engines skip what a window does not need.
    store.run(f"""COPY (SELECT *, CAST(ts AS DATE) AS {PARTITION} FROM events ORDER BY ts)
                  TO '{_sql_str(out / EVENTS_DIR)}' (FORMAT parquet, PARTITION_BY ({PARTITION}),
                  COMPRESSION zstd, FILENAME_PATTERN 'part-{{i}}')""")
    first, last, n = store.rows("SELECT min(ts)::DATE, max(ts)::DATE, count(*) FROM events")[0]
    counts["events"] = int(n)
    manifest = {
        "layout": LAYOUT_VERSION,
        "schema_version": SCHEMA_VERSION,
        "format": "parquet",
        "tables": {name: f"{name}.parquet" for name in TABLES},
        "events": {
            "path": EVENTS_DIR,
            "partitioned_by": PARTITION,
            "first_day": _day(first),
            "last_day": _day(last),
        },
        "rows": counts,
        "written_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "source": str(store.path),
    }
    (out / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return manifest


def read_manifest(directory: str | Path) -> dict:
    """The lake's manifest; a folder that is not a lake of a layout this halqa reads is refused."""
    path = Path(directory) / MANIFEST
    if not path.exists():
        raise UserError(
            f"{directory}: not a halqa lake (no {MANIFEST}; write one with `halqa export lake`)"
        )
    manifest = json.loads(path.read_text(encoding="utf-8"))
    if manifest.get("layout") != LAYOUT_VERSION:
        raise UserError(
            f"{directory}: lake layout {manifest.get('layout')}; this halqa reads layout "
            f"{LAYOUT_VERSION} (export it again with `halqa export lake --overwrite`)"
        )
    return manifest


def table_path(directory: str | Path, name: str) -> Path:
    return Path(directory) / (EVENTS_DIR if name == "events" else f"{name}.parquet")


def open_duckdb(directory: str | Path) -> Store:
    """A read-only view of the lake as a Store (in-memory DuckDB, views over the Parquet files)."""
    read_manifest(directory)
    store = Store(duckdb.connect(":memory:"), str(directory))
    for name in TABLES:
        store.run(
            f"CREATE VIEW {name} AS SELECT * FROM "
            f"read_parquet('{_sql_str(table_path(directory, name))}')"
        )
    events = _sql_str(table_path(directory, "events") / "**" / "*.parquet")
    # An empty store has no partition folder at all: fall back to an empty table of the schema.
    if any(table_path(directory, "events").glob("*/*.parquet")):
        store.run(
            f"CREATE VIEW events AS SELECT * EXCLUDE ({PARTITION}) FROM "
            f"read_parquet('{events}', hive_partitioning = true)"
        )
    else:
        store.run(schema._events_sql().replace("CREATE TABLE", "CREATE TEMP TABLE"))
    for name, select in consent_views().items():
        store.run(f"CREATE VIEW {name} AS {select}")
    return store


def _day(value: Any) -> str | None:
    return None if value is None else str(value)


def _sql_str(value: object) -> str:
    return str(value).replace("'", "''")

"""One small demo world per test session (2k members, 300 titles, 150k events: a few seconds)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import duckdb
import pytest

from halqa.demo import World, generate_world

# HALQA_DEMO_SEED=n runs the same checks on another seed (they must hold for any seed)
SMALL = {
    "seed": int(os.environ.get("HALQA_DEMO_SEED", "7")),
    "members": 2_000,
    "titles": 600,
    "events": 150_000,
}


@pytest.fixture(scope="session")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    # chunk_events below the total so the streaming path writes several Parquet parts
    return generate_world(tmp_path_factory.mktemp("demo") / "world", chunk_events=40_000, **SMALL)


@pytest.fixture(scope="session")
def planted(world: World) -> dict:
    return json.loads(world.planted_path.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def con(world: World) -> duckdb.DuckDBPyConnection:
    """The generated files as plain DuckDB tables (no halqa code in between)."""
    c = duckdb.connect()
    out = world.out_dir
    c.sql(f"CREATE TABLE events AS SELECT * FROM read_parquet('{out}/events/*.parquet')")
    for name in ("titles", "members", "creators"):
        c.sql(
            f"CREATE TABLE {name} AS SELECT * FROM read_csv('{out}/{name}.csv', all_varchar=true, header=true)"
        )
    # every play with the member's segment and the title's first genre; episodes keep their series id
    c.sql("""CREATE TABLE plays AS
             SELECT e.*, m.age_band, m.region, m.languages, string_split(t.genres, '|')[1] AS genre, t.kind,
                    t.creator_ids, CASE WHEN t.kind = 'episode' THEN split_part(t.parent_id, '-', 1) END AS series_id
             FROM events e JOIN members m USING (member_id) JOIN titles t USING (title_id)
             WHERE e.event_type IN ('play', 'listen', 'view')""")
    return c


def files_of(path: Path) -> list[Path]:
    return sorted(p for p in path.rglob("*") if p.is_file())

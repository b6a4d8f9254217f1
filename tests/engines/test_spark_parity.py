"""Every insight definition returns the same rows on DuckDB and on a real Spark cluster (floats
within 1e-9 relative), on a small demo world and on MovieLens 100K; reports are byte-identical."""

from __future__ import annotations

import datetime as dt
import json
import math
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from halqa import engines
from halqa.catalog import Store
from halqa.cli.main import app
from halqa.engines import lake
from halqa.engines.spark_store import SparkStore
from halqa.insights.queries import DEFINITIONS, SEGMENT_KEYS, STAGED_EVENTS, segment_events


def _canon(value):
    """One comparable form per value: NULL/NaN -> None, whole floats -> int, arrays -> tuples."""
    if isinstance(value, (np.ndarray, list, tuple)):
        return tuple(_canon(v) for v in value)
    if value is None or pd.isna(value):  # None, NaN, NaT and pandas' NA alike
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return int(value) if float(value).is_integer() else float(value)
    if isinstance(value, (pd.Timestamp, dt.datetime, dt.date)):
        return pd.Timestamp(value).isoformat()
    return value


def _rows(frame: pd.DataFrame) -> list[tuple]:
    rows = [tuple(_canon(v) for v in row) for row in frame.itertuples(index=False)]
    return sorted(rows, key=lambda r: tuple((v is None, type(v).__name__, str(v)) for v in r))


def _same(a, b) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        return a is not None and b is not None and math.isclose(a, b, rel_tol=1e-9, abs_tol=0.0)
    return a == b


def mismatches(duck: Store, spark: SparkStore, params: dict) -> dict[str, str]:
    """Definitions whose rows differ between the engines, with what differs."""
    bad = {}
    for engine_store in (duck, spark):
        engines.stage(engine_store, STAGED_EVENTS, segment_events(), params)
    try:
        # Spark jobs of one session may run side by side: its per-query latency overlaps.
        with ThreadPoolExecutor(4) as pool:
            on_spark = dict(
                zip(
                    sorted(DEFINITIONS),
                    pool.map(
                        lambda n: engines.run(spark, DEFINITIONS[n], params), sorted(DEFINITIONS)
                    ),
                )
            )
        for name, query in sorted(DEFINITIONS.items()):
            a, b = engines.run(duck, query, params), on_spark[name]
            if list(a.columns) != list(b.columns):
                bad[name] = f"columns {list(a.columns)} vs {list(b.columns)}"
                continue
            ra, rb = _rows(a), _rows(b)
            if len(ra) != len(rb):
                bad[name] = f"{len(ra)} rows on DuckDB, {len(rb)} on Spark"
            elif not all(_same(x, y) for r1, r2 in zip(ra, rb) for x, y in zip(r1, r2)):
                first = next(
                    i
                    for i, (r1, r2) in enumerate(zip(ra, rb))
                    if not all(_same(x, y) for x, y in zip(r1, r2))
                )
                bad[name] = f"row {first}: {ra[first]} vs {rb[first]}"
    finally:
        for engine_store in (duck, spark):
            engines.unstage(engine_store, STAGED_EVENTS)
    return bad


def _params(**values) -> dict:
    return (
        {f"seg_{k}": None for k in SEGMENT_KEYS}
        | {"region": None, "debut_since": 2020, "target": None}
        | values
    )


def _day(d: str) -> dt.datetime:
    return dt.datetime.fromisoformat(d)


def test_every_definition_matches_on_the_demo_world(spark, tiny_world):
    db, lake_dir = tiny_world
    with Store.open(db, read_only=True) as duck, SparkStore(spark, lake_dir) as on_spark:
        top_title = duck.scalar(
            "SELECT title_id FROM events_analytics GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1"
        )
        creator = duck.scalar(
            "SELECT creator_id FROM creators WHERE country = 'MA' ORDER BY 1 LIMIT 1"
        )
        assert top_title and creator
        windows = {
            "cur_start": _day("2026-09-01"),
            "cur_end": _day("2026-11-01"),
            "base_start": _day("2026-07-01"),
            "base_end": _day("2026-09-01"),
        }
        # an open language (a NULL parameter reaches array_contains) and a region for the supply
        params = _params(
            seg_age_band="18-24", region="casablanca-settat", target=top_title, **windows
        )
        assert mismatches(duck, on_spark, params) == {}
        # a set language: the typed parameter meets the list column
        size = DEFINITIONS["segment_size"]
        speakers = _params(seg_language="ary", **windows)
        assert (
            engines.run(on_spark, size, speakers).iloc[0, 0]
            == engines.run(duck, size, speakers).iloc[0, 0]
        )
        assert (
            0
            < engines.run(duck, size, speakers).iloc[0, 0]
            < engines.run(duck, size, _params()).iloc[0, 0]
        )
        # fans of a creator (the run above asked about a title)
        fans = DEFINITIONS["fans_overlap_creator"]
        of_creator = _params(target=creator, **windows)
        assert _rows(engines.run(on_spark, fans, of_creator)) == _rows(
            engines.run(duck, fans, of_creator)
        )


@pytest.mark.movielens
def test_every_definition_matches_on_movielens(spark, movielens_world):
    db, lake_dir = movielens_world
    with Store.open(db, read_only=True) as duck, SparkStore(spark, lake_dir) as on_spark:
        params = _params(
            seg_gender="F",
            target="50",
            cur_start=_day("1998-01-01"),
            cur_end=_day("1998-05-01"),
            base_start=_day("1997-09-01"),
            base_end=_day("1998-01-01"),
        )
        assert mismatches(duck, on_spark, params) == {}


def test_lake_on_duckdb_reads_what_the_store_holds(tiny_world):
    db, lake_dir = tiny_world
    with Store.open(db, read_only=True) as store, lake.open_duckdb(lake_dir) as from_lake:
        for name in ("events_analytics", "members_personalisation", "titles", "creators"):
            assert store.scalar(f"SELECT count(*) FROM {name}") == from_lake.scalar(
                f"SELECT count(*) FROM {name}"
            )
        names = "SELECT name FROM titles ORDER BY title_id"
        assert store.rows(names) == from_lake.rows(names)  # Arabic and Tifinagh byte for byte
    manifest = lake.read_manifest(lake_dir)
    days = sorted(p.name for p in (lake_dir / "events").iterdir())
    assert days[0] == f"event_date={manifest['events']['first_day']}"
    assert days[-1] == f"event_date={manifest['events']['last_day']}"


def test_trends_json_is_the_same_on_the_cluster(spark_master, spark, tiny_world):
    db, lake_dir = tiny_world
    runner = CliRunner()
    base = [
        "insights",
        "trends",
        "--db",
        str(db),
        "--segment",
        "age_band=18-24",
        "--window",
        "8w",
        "--json",
    ]
    duck = runner.invoke(app, base)
    on_cluster = runner.invoke(app, [*base, "--engine", "spark", "--spark-master", spark_master])
    from_lake = runner.invoke(
        app, [*base, "--engine", "spark", "--spark-master", spark_master, "--lake", str(lake_dir)]
    )
    assert duck.exit_code == 0, duck.output
    report = json.loads(duck.stdout)
    assert report["top"] and not report["suppressed"]
    assert on_cluster.exit_code == 0, on_cluster.output
    assert on_cluster.stdout == duck.stdout
    assert from_lake.stdout == duck.stdout

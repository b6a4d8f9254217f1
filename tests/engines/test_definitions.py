"""Every insight query is one definition that DuckDB runs and that transpiles to valid Spark SQL."""

import datetime as dt

import pytest
import sqlglot
from sqlglot import exp

from halqa.engines import QueryDef
from halqa.engines import duckdb as duck_engine
from halqa.engines import spark as spark_engine
from halqa.insights.queries import DEFINITIONS, SEGMENT_KEYS, STAGED_EVENTS, segment_events


@pytest.mark.parametrize("name", sorted(DEFINITIONS))
def test_definition_transpiles_to_spark_sql_that_parses_back(name):
    query = DEFINITIONS[name]
    text = spark_engine.to_spark_sql(query)
    tree = sqlglot.parse_one(text, read="spark")  # raises on invalid Spark SQL
    assert isinstance(tree, (exp.Select, exp.Union))
    # DuckDB-only syntax is gone; parameters stay named for SparkSession.sql(args=...)
    assert "list_contains" not in text.lower() and "$" not in text
    assert {p.name for p in tree.find_all(exp.Placeholder)} == set(query.params)
    if "UNNEST" in query.sql:
        assert "EXPLODE" in text.upper()
    # Consent: analytics read the consented views only
    tables = {t.name for t in tree.find_all(exp.Table)}
    assert not tables & {"events", "members"}


@pytest.mark.parametrize("name", sorted(DEFINITIONS))
def test_definition_runs_on_duckdb(store, name):
    query = DEFINITIONS[name]
    params = {f"seg_{k}": None for k in SEGMENT_KEYS} | {
        "cur_start": dt.datetime(2026, 1, 1),
        "cur_end": dt.datetime(2026, 2, 1),
        "base_start": dt.datetime(2025, 12, 1),
        "base_end": dt.datetime(2026, 1, 1),
        "target": "x",
        "region": None,
    }
    duck_engine.stage(store, STAGED_EVENTS, segment_events(), params)  # what per-item counts read
    df = duck_engine.run(store, query, params)
    assert list(df.columns)  # runs on the real schema (empty store)
    table = duck_engine.run(store, query, params, format="arrow")
    assert table.column_names == list(df.columns)
    duck_engine.unstage(store, STAGED_EVENTS)
    assert not store.scalar(
        f"SELECT count(*) FROM duckdb_tables() WHERE table_name = '{STAGED_EVENTS}'"
    )


def test_query_def_binds_only_its_parameters():
    q = QueryDef("q", "SELECT $a + $b AS s, $a AS a")
    assert q.params == ("a", "b")
    assert q.bind({"a": 1, "b": 2, "c": 3}) == {"a": 1, "b": 2}
    assert q.bind({}) == {"a": None, "b": None}

"""Where one query definition meets an engine: DuckDB (the default) or Spark.

Analytics (``halqa.insights``) write each query once, as a ``QueryDef`` (DuckDB SQL with
``$name`` parameters) and call ``run``/``stage``/``unstage`` here with whatever store they were
given: a ``halqa.catalog.Store`` (or a lake opened on DuckDB) runs it on DuckDB, a
``SparkStore`` runs its sqlglot transpilation on Spark SQL.
Nothing here imports pyspark; only a SparkStore does, and only when Spark is asked for.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeAlias

from halqa.engines import duckdb, spark
from halqa.engines.base import QueryDef
from halqa.engines.spark_store import SparkStore  # no pyspark: a SparkStore imports it when made

if TYPE_CHECKING:
    from halqa.catalog import Store

# What analytics accept as "the store": the embedded DuckDB store (or a lake opened on DuckDB) or
# a Spark session over a lake. Annotate with this, never with Any.
AnalyticsStore: TypeAlias = "Store | SparkStore"

ENGINES = ("duckdb", "spark")

__all__ = [
    "ENGINES",
    "AnalyticsStore",
    "QueryDef",
    "duckdb",
    "focus",
    "run",
    "spark",
    "stage",
    "unstage",
]


def run(
    store: AnalyticsStore,
    query: QueryDef,
    params: dict[str, Any] | None = None,
    *,
    format: str = "pandas",
) -> Any:
    """``query`` on ``store``'s engine: a pandas DataFrame, or a ``pyarrow.Table``
    (``format="arrow"``)."""
    if isinstance(store, SparkStore):
        return spark.run(store, query, params, format=format)
    return duckdb.run(store, query, params, format=format)


def stage(
    store: AnalyticsStore, name: str, query: QueryDef, params: dict[str, Any] | None = None
) -> None:
    if isinstance(store, SparkStore):
        spark.stage(store, name, query, params)
    else:
        duckdb.stage(store, name, query, params)


def unstage(store: AnalyticsStore, name: str) -> None:
    if isinstance(store, SparkStore):
        spark.unstage(store, name)
    else:
        duckdb.unstage(store, name)


@contextmanager
def focus(
    store: AnalyticsStore, periods: Iterable[tuple[dt.datetime, dt.datetime]]
) -> Iterator[None]:
    """The queries inside read events of these ``[start, end)`` periods only (a report's window
    and baselines). DuckDB needs no hint (its row groups are skipped by time); Spark reads those
    days of the lake once and caches them (``SparkStore.focus``)."""
    if isinstance(store, SparkStore):
        with store.focus(periods):
            yield
    else:
        yield

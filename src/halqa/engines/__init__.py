"""Where one query definition meets an engine: DuckDB (the default) or Spark.

Analytics (``halqa.insights``) write each query once, as a ``QueryDef`` (DuckDB SQL with
``$name`` parameters) and call ``run``/``stage``/``unstage`` here with whatever store they were
given: a ``halqa.catalog.Store`` (or a lake opened on DuckDB) runs it on DuckDB, a
``SparkStore`` (``store.engine == "spark"``) runs its sqlglot transpilation on Spark SQL.
Nothing here imports pyspark; only a SparkStore does, and only when Spark is asked for.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeAlias

from halqa.engines import duckdb, spark
from halqa.engines.base import QueryDef

if TYPE_CHECKING:
    from halqa.catalog import Store
    from halqa.engines.spark_store import SparkStore

# What analytics accept as "the store": the embedded DuckDB store (or a lake opened on DuckDB) or
# a Spark session over a lake. Annotate with this, never with Any.
AnalyticsStore: TypeAlias = "Store | SparkStore"

ENGINES = ("duckdb", "spark")

__all__ = [
    "ENGINES",
    "AnalyticsStore",
    "QueryDef",
    "duckdb",
    "engine_of",
    "run",
    "spark",
    "stage",
    "unstage",
]


def engine_of(store: Any) -> Any:
    """The engine module that runs definitions on ``store``."""
    return spark if getattr(store, "engine", "duckdb") == "spark" else duckdb


def run(store: Any, query: QueryDef, params: dict | None = None, *, format: str = "pandas") -> Any:
    return engine_of(store).run(store, query, params, format=format)


def stage(store: Any, name: str, query: QueryDef, params: dict | None = None) -> None:
    engine_of(store).stage(store, name, query, params)


def unstage(store: Any, name: str) -> None:
    engine_of(store).unstage(store, name)

"""Where a query definition meets Spark: the same definition transpiled by sqlglot.

``to_spark_sql`` needs only ``sqlglot`` (the ``spark`` extra); ``run`` needs ``pyspark`` and
a session whose catalogue holds the halqa tables and views under the same names (for
example Parquet files from ``halqa export parquet`` registered as temporary views, plus the
consent views recreated from ``halqa.catalog.schema``). Parameters stay named (``:name``),
which ``SparkSession.sql(query, args=...)`` binds (Spark 3.4+).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from halqa.engines.base import QueryDef
from halqa.errors import BackendUnavailableError


@lru_cache(maxsize=512)
def _transpile(sql: str) -> str:
    try:
        import sqlglot
    except ImportError as exc:  # pragma: no cover - depends on the installed extras
        raise BackendUnavailableError("Spark SQL needs sqlglot: pip install 'halqa[spark]'") from exc
    return sqlglot.transpile(sql, read="duckdb", write="spark", pretty=True)[0]


def to_spark_sql(query: QueryDef) -> str:
    """The Spark SQL text of a definition (named parameters as ``:name``)."""
    return _transpile(query.sql)


def run(spark: Any, query: QueryDef, params: dict | None = None) -> Any:
    """Run ``query`` on a ``pyspark.sql.SparkSession``; returns a pandas DataFrame."""
    try:
        import pyspark  # noqa: F401
    except ImportError as exc:  # pragma: no cover
        raise BackendUnavailableError("running on Spark needs pyspark: pip install 'halqa[spark]'") from exc
    return spark.sql(to_spark_sql(query), args=query.bind(params or {})).toPandas()


def stage(spark: Any, name: str, query: QueryDef, params: dict | None = None) -> None:
    """Keep the result of ``query`` as a cached temporary view ``name`` (the DuckDB temp table's twin)."""
    frame = spark.sql(to_spark_sql(query), args=query.bind(params or {}))
    frame.cache().createOrReplaceTempView(name)


def unstage(spark: Any, name: str) -> None:
    spark.catalog.dropTempView(name)

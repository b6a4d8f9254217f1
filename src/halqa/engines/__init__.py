"""Where one query definition meets an engine: DuckDB now, Spark later.

Analytics (``halqa.insights``) write each query once, as a ``QueryDef`` (DuckDB SQL with
``$name`` parameters). ``halqa.engines.duckdb.run`` executes it on a Store;
``halqa.engines.spark.to_spark_sql`` transpiles it with sqlglot and
``halqa.engines.spark.run`` executes it on a SparkSession.
"""

from halqa.engines import duckdb, spark
from halqa.engines.base import QueryDef

__all__ = ["QueryDef", "duckdb", "spark"]

"""A lake opened on Spark, with the Store methods analytics use (``rows``, ``scalar``, ``df``).

Insights hand it the same DuckDB SQL they hand a Store; it is transpiled by sqlglot and run by
Spark SQL. The lake's tables become temporary views under the store's names and the consent
views are recreated from the schema's definitions, so every query reads what it reads on DuckDB.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Self

from halqa.engines import lake
from halqa.engines import spark as spark_engine


class SparkStore:
    """A halqa lake as a Spark catalogue (temporary views in ``session``)."""

    engine = "spark"

    def __init__(self, session: Any, directory: str | Path, *, cache: bool = True) -> None:
        """``cache`` keeps events and members in the executors' memory (spilling to disk) after
        the first query: one report runs a dozen queries over them."""
        self.session = session
        self.path = str(directory)
        self.manifest = lake.read_manifest(directory)
        self._cached: list[Any] = []
        self.views: set[str] = set()
        for name in lake.TABLES:
            path = lake.table_path(directory, name)
            self._register(name, self._parquet(path, path), cache and name == "members")
        self._register("events", self._events(), cache)
        for name, select in lake.consent_views().items():
            self.temp_view(name, session.sql(spark_engine.transpile(select)))

    def _parquet(self, path: Path, sample: Path) -> Any:
        """``read.parquet`` with the schema read from one file's footer here on the driver: left to
        infer it, Spark runs a job per table (seconds each on a busy worker, six per store)."""
        import pyarrow.parquet as pq
        from pyspark.sql.pandas.types import from_arrow_schema

        schema = from_arrow_schema(pq.read_schema(sample), prefer_timestamp_ntz=True)
        return self.session.read.schema(schema).parquet(str(path))

    def _register(self, name: str, frame: Any, cache: bool) -> None:
        if cache:
            frame = frame.cache()
            self._cached.append(frame)
        self.temp_view(name, frame)

    def temp_view(self, name: str, frame: Any) -> None:
        """Register ``frame`` as temporary view ``name``; ``close`` drops it."""
        frame.createOrReplaceTempView(name)
        self.views.add(name)

    def _events(self) -> Any:
        folder = lake.table_path(self.path, "events")
        sample = next(folder.glob("*/*.parquet"), None)
        if sample is not None:
            # The partition column is the folder; the store's events have no such column.
            return self._parquet(folder, sample).drop(lake.PARTITION)
        # An empty lake has no partition folder: an empty events table of the schema's columns.
        return self.session.sql(
            "SELECT CAST(NULL AS STRING) AS member_id, CAST(NULL AS STRING) AS title_id, "
            "CAST(NULL AS STRING) AS event_type, CAST(NULL AS TIMESTAMP_NTZ) AS ts, "
            "CAST(NULL AS DOUBLE) AS value, CAST(NULL AS STRING) AS device, "
            "CAST(NULL AS STRING) AS source, CAST(NULL AS BIGINT) AS ingest_id "
            "WHERE false"
        )

    # -- the Store methods analytics call --------------------------------------------------------
    def frame(self, query: str, params: list | dict | None = None) -> Any:
        """A Spark DataFrame of DuckDB SQL ``query`` (``$name``/``?`` parameters)."""
        return self.session.sql(spark_engine.transpile(query), args=spark_engine.spark_args(params))

    def df(self, query: str, params: list | dict | None = None) -> Any:
        return spark_engine.to_pandas(self.frame(query, params))

    def rows(self, query: str, params: list | dict | None = None) -> list[tuple]:
        return [tuple(row) for row in self.frame(query, params).collect()]

    def scalar(self, query: str, params: list | dict | None = None) -> Any:
        result = self.rows(query, params)
        return result[0][0] if result else None

    def run(self, query: str, params: list | dict | None = None) -> None:
        self.frame(query, params).collect()

    def close(self) -> None:
        """Drop the views and the cached tables; the session stays for the next store."""
        for frame in self._cached:
            frame.unpersist()
        for name in sorted(self.views):
            self.session.catalog.dropTempView(name)
        self.views.clear()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

"""A lake opened on Spark, with the Store methods analytics use (``rows``, ``scalar``, ``df``).

Insights hand it the same DuckDB SQL they hand a Store; it is transpiled by sqlglot and run by
Spark SQL. The lake's tables become temporary views under the store's names and the consent
views are recreated from the schema's definitions, so every query reads what it reads on DuckDB.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Self

from halqa.engines import lake
from halqa.engines import spark as spark_engine


class SparkStore:
    """A halqa lake as a Spark catalogue (temporary views in ``session``)."""

    engine = "spark"

    def __init__(self, session: Any, directory: str | Path, *, cache: bool = True) -> None:
        """``cache`` keeps the members in the executors' memory after the first query, and the
        events of a ``focus`` (the weeks a report reads, not the whole lake) while it lasts."""
        self.session = session
        self.path = str(directory)
        self.manifest = lake.read_manifest(directory)
        self.cache = cache
        self._cached: list[Any] = []
        self.views: set[str] = set()
        self._slice: tuple[tuple, Any] | None = None  # (periods, cached events of those periods)
        self._active: tuple | None = None  # the periods of the focus under way
        for name in lake.TABLES:
            path = lake.table_path(directory, name)
            self._register(name, self._parquet(path, path), cache and name == "members")
        self._raw_events = self._events()  # with the partition column, when the lake has events
        self._use_events(self._without_partition(self._raw_events))

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

    def _use_events(self, frame: Any) -> None:
        """``frame`` as the ``events`` view, and the consent views over it (a temporary view
        keeps the plan it was made from, so they are made again whenever ``events`` changes)."""
        self.temp_view("events", frame)
        for name, select in lake.consent_views().items():
            self.temp_view(name, self.session.sql(spark_engine.transpile(select)))

    def _without_partition(self, frame: Any) -> Any:
        # The partition column is the folder; the store's events have no such column.
        return frame.drop(lake.PARTITION) if lake.PARTITION in frame.columns else frame

    @contextmanager
    def focus(self, periods: Iterable[tuple[dt.datetime, dt.datetime]]) -> Iterator[None]:
        """Inside, ``events`` (and the consent views) hold only the events of ``periods``
        (``start <= ts < end`` each, naive UTC), read once and cached: the caller promises that
        its queries read nothing else (a trends report: its window and baselines).

        Reading the lake once per report instead of once per query is most of Spark's cost on
        a report: the day folders outside the periods are never opened (the folder is the UTC
        day of ``ts``), and the cached slice is kept for the next focus on the same periods
        (a batch of segments over one window builds it once)."""
        spans = tuple(sorted({(start, end) for start, end in periods if start < end}))
        active = self._active
        if active is not None and all(
            any(s0 <= start and end <= e0 for s0, e0 in active) for start, end in spans
        ):
            yield  # inside a focus that holds these periods already (lift inside trends)
            return
        if active is not None:
            # A period outside the enclosing focus: read the lake itself meanwhile.
            self._use_events(self._without_partition(self._raw_events))
            try:
                yield
            finally:
                assert self._slice is not None  # an active focus has its slice
                self._use_events(self._slice[1])
            return
        if not self.cache or not spans or lake.PARTITION not in self._raw_events.columns:
            yield
            return
        if self._slice is None or self._slice[0] != spans:
            if self._slice is not None:
                self._slice[1].unpersist()
            days = " OR ".join(
                f"({lake.PARTITION} BETWEEN DATE'{start.date()}' "
                f"AND DATE'{(end - dt.timedelta(microseconds=1)).date()}')"
                for start, end in spans
            )
            times = " OR ".join(
                f"(ts >= TIMESTAMP_NTZ'{start.isoformat(sep=' ')}' "
                f"AND ts < TIMESTAMP_NTZ'{end.isoformat(sep=' ')}')"
                for start, end in spans
            )
            # Two conjuncts, so Spark prunes the folders with the first one on its own.
            frame = self._raw_events.where(f"({days}) AND ({times})")
            self._slice = (spans, self._without_partition(frame).cache())
        self._active = spans
        self._use_events(self._slice[1])
        try:
            yield
        finally:
            self._active = None
            self._use_events(self._without_partition(self._raw_events))

    def _events(self) -> Any:
        folder = lake.table_path(self.path, "events")
        sample = next(folder.glob("*/*.parquet"), None)
        if sample is not None:
            return self._parquet(folder, sample)
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
        if self._slice is not None:
            self._slice[1].unpersist()
            self._slice = None
        for name in sorted(self.views):
            self.session.catalog.dropTempView(name)
        self.views.clear()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

"""Where a query definition meets Spark: the same definition transpiled by sqlglot.

``to_spark_sql`` needs only ``sqlglot`` (the ``spark`` extra); ``run`` needs ``pyspark`` and a
target whose catalogue holds the halqa tables and consent views under the same names: a
``SparkStore`` over a lake (``halqa.engines.spark_store``) or a bare SparkSession set up so.
Parameters stay named (``:name``), which ``SparkSession.sql(query, args=...)`` binds.
``session`` makes the one SparkSession of a process, pinned to UTC and to loopback.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import warnings
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias

from halqa.engines.base import QueryDef
from halqa.errors import BackendUnavailableError

if TYPE_CHECKING:
    from pyspark.sql import SparkSession  # untyped: Any to mypy

    from halqa.engines.spark_store import SparkStore

# What Spark runs a definition on: a SparkStore, or a bare SparkSession whose catalogue holds
# the halqa tables and consent views.
SparkTarget: TypeAlias = "SparkStore | SparkSession"


@lru_cache(maxsize=512)
def transpile(sql: str) -> str:
    """DuckDB SQL (``$name`` or ``?`` parameters) as Spark SQL (``:name`` or ``?``)."""
    try:
        import sqlglot
    except ImportError as exc:  # pragma: no cover - depends on the installed extras
        raise BackendUnavailableError(
            "Spark SQL needs sqlglot: pip install 'halqa[spark]'"
        ) from exc
    return sqlglot.transpile(sql, read="duckdb", write="spark", pretty=True)[0]


_transpile = transpile


def to_spark_sql(query: QueryDef) -> str:
    """The Spark SQL text of a definition (named parameters as ``:name``)."""
    return transpile(query.sql)


def spark_args(params: list | dict | None) -> list | dict | None:
    """Parameters as Spark binds them. A naive datetime is a UTC instant in halqa: it is made
    aware so pyspark does not read it in the driver's local time zone."""

    def one(value: Any) -> Any:
        if isinstance(value, dt.datetime) and value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value

    if params is None:
        return None
    if isinstance(params, dict):
        return {k: one(v) for k, v in params.items()}
    return [one(v) for v in params]


def to_pandas(frame: Any) -> Any:
    """``DataFrame.toPandas`` without pyspark's warning about pandas 3 (halqa tests its columns)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        return frame.toPandas()


def _session_of(target: SparkTarget) -> SparkSession:
    from halqa.engines.spark_store import SparkStore  # it imports this module

    return target.session if isinstance(target, SparkStore) else target


def run(
    target: SparkTarget,
    query: QueryDef,
    params: dict[str, Any] | None = None,
    *,
    format: str = "pandas",
) -> Any:
    """Run ``query`` on a SparkStore (or SparkSession); a pandas DataFrame (``format="arrow"``:
    a ``pyarrow.Table``)."""
    frame = _session_of(target).sql(to_spark_sql(query), args=spark_args(query.bind(params or {})))
    if format == "arrow":
        import pyarrow as pa

        return pa.Table.from_pandas(to_pandas(frame), preserve_index=False)
    return to_pandas(frame)


def stage(
    target: SparkTarget, name: str, query: QueryDef, params: dict[str, Any] | None = None
) -> None:
    """Keep the result of ``query`` as a cached temporary view ``name``
    (the DuckDB temp table's twin)."""
    frame = _session_of(target).sql(to_spark_sql(query), args=spark_args(query.bind(params or {})))
    frame.cache().createOrReplaceTempView(name)


def unstage(target: SparkTarget, name: str) -> None:
    session = _session_of(target)
    if session.catalog.tableExists(name):
        session.table(name).unpersist()
    session.catalog.dropTempView(name)


# -- the session -------------------------------------------------------------------------------
DEFAULT_MASTER = "local[2]"
# For kilobytes of data, Spark's per-query costs dominate: compiling generated Java for every
# stage and re-planning between stages. Tests and tiny lakes turn both off.
SMALL_DATA = {
    "spark.sql.codegen.wholeStage": "false",
    "spark.sql.adaptive.enabled": "false",
    "spark.sql.codegen.factoryMode": "NO_CODEGEN",
    "spark.default.parallelism": "2",
}
_SESSIONS: dict[str, Any] = {}


def resolve_master(master: str | None) -> str:
    """``--spark-master``, else ``$HALQA_SPARK_MASTER``, else a local Spark in this process."""
    return master or os.environ.get("HALQA_SPARK_MASTER") or DEFAULT_MASTER


def session(
    master: str | None = None,
    *,
    shuffle_partitions: int | None = None,
    conf: dict[str, str] | None = None,
) -> Any:
    """One SparkSession per master for this process, pinned to UTC and to loopback.

    ``conf`` adds Spark settings (tests pass the small-data ones of ``SMALL_DATA``).

    Raises ``BackendUnavailableError`` (one line: what to install) without pyspark or Java.
    """
    from halqa.engines import cluster

    url = resolve_master(master)
    if url in _SESSIONS:
        return _SESSIONS[url]
    cluster.spark_home()  # pyspark installed?
    os.environ.setdefault("JAVA_HOME", cluster.require_java())
    os.environ.setdefault("SPARK_LOCAL_IP", cluster.HOST)
    # Python workers (mapInPandas) run this interpreter, with halqa's dependencies; pyspark reads
    # the variable, not spark.pyspark.python, when the session is built from Python.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    from pyspark.sql import SparkSession

    partitions = shuffle_partitions or int(os.environ.get("HALQA_SPARK_SHUFFLE_PARTITIONS", "4"))
    src = str(Path(__file__).resolve().parents[2])  # executors import halqa from the same source
    builder = (
        SparkSession.builder.master(url)
        .appName("halqa")
        .config("spark.sql.session.timeZone", "UTC")  # timestamps in halqa are UTC, always
        .config("spark.driver.host", cluster.HOST)
        .config("spark.driver.bindAddress", cluster.HOST)
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", str(partitions))
        # A lake has one folder per day; above 32 folders Spark lists them with a job of one
        # task per folder (730 tasks for two years, minutes on a busy 2-core worker). The
        # driver lists a local or mounted lake of a few thousand folders in milliseconds
        # (an object store of far more day folders may want a lower figure).
        .config(
            "spark.sql.sources.parallelPartitionDiscovery.threshold",
            os.environ.get("HALQA_SPARK_LISTING_THRESHOLD", "20000"),
        )
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .config("spark.pyspark.python", sys.executable)
        .config("spark.pyspark.driver.python", sys.executable)
        .config("spark.executorEnv.PYTHONPATH", src)
        .config("spark.executorEnv.TZ", "UTC")
        .config("spark.driver.extraJavaOptions", "-Duser.timezone=UTC")
        .config("spark.executor.extraJavaOptions", "-Duser.timezone=UTC")
        # Several applications may share the one worker (parallel tests, a notebook): cap each.
        .config("spark.cores.max", os.environ.get("HALQA_SPARK_CORES_MAX", "2"))
        .config("spark.executor.memory", os.environ.get("HALQA_SPARK_EXECUTOR_MEMORY", "1g"))
    )
    for key, value in (conf or {}).items():
        builder = builder.config(key, value)
    with (
        warnings.catch_warnings()
    ):  # pyspark warns about pandas 3 on import; halqa tests its columns
        warnings.simplefilter("ignore", FutureWarning)
        spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    _SESSIONS[url] = spark
    return spark


def stop_sessions() -> None:
    for url in list(_SESSIONS):
        _SESSIONS.pop(url).stop()


# -- a failed Spark job, in one line -----------------------------------------------------------
# What the driver sees when executors die (most often out of memory: Spark's executors exit with
# code 52 then), rather than the executors' own OutOfMemoryError, which stays in their stderr.
_LOST_EXECUTORS = (
    "OutOfMemoryError",
    "Java heap space",
    "exited with code 52",
    "FetchFailed",
    "ExecutorLostFailure",
)


def _java_text(exc: BaseException) -> str | None:
    """The JVM's own text of a Py4J error (without Py4J's preamble), when the JVM still answers."""
    java = getattr(exc, "java_exception", None)
    if java is None:
        return None
    try:
        return str(java.toString())
    except Exception:  # noqa: BLE001 - the JVM may be gone; the Python text still says it
        return None


def failure_message(exc: BaseException) -> str:
    """A failed Spark job as one line: the JVM's own first line, and, when executors were lost,
    what to change."""
    text = _java_text(exc) or str(exc)
    first = next((line.strip(" :") for line in text.splitlines() if line.strip(" :")), "")
    first = first if len(first) <= 400 else first[:397] + "..."
    message = f"the Spark job failed: {first or type(exc).__name__}"
    if any(sign in text for sign in _LOST_EXECUTORS):
        memory = os.environ.get("HALQA_SPARK_EXECUTOR_MEMORY", "1g")
        message += (
            f" (executors were lost, most often for memory: give each more with "
            f"HALQA_SPARK_EXECUTOR_MEMORY, now {memory}, within the worker's memory; each "
            "executor's stderr is in the worker's work folder)"
        )
    return message

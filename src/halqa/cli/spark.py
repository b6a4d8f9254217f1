"""`halqa spark up|status|down`, `halqa export lake`, and the engine options other commands share.

``--engine duckdb|spark`` (``$HALQA_ENGINE``), ``--spark-master URL`` (``$HALQA_SPARK_MASTER``,
``local[*]`` allowed) and ``--lake DIR`` pick where a command's queries run and what they read.
``open_source`` turns them into the store-like object the insights take. pyspark is imported
only when Spark is asked for.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from halqa.cli.common import (
    DbOption,
    JsonOption,
    console,
    err_console,
    open_store,
    print_json,
    user_errors,
)
from halqa.errors import ConfigError

if TYPE_CHECKING:
    from halqa.engines import AnalyticsStore

EngineOption = Annotated[
    str | None,
    typer.Option(
        "--engine",
        help="Where the queries run: duckdb (default, $HALQA_ENGINE) or spark.",
        show_default=False,
    ),
]
SparkMasterOption = Annotated[
    str | None,
    typer.Option(
        "--spark-master",
        help="Spark master URL, e.g. spark://127.0.0.1:7077 or local[*] "
        "(default: $HALQA_SPARK_MASTER, then local[2]).",
        show_default=False,
    ),
]
LakeOption = Annotated[
    Path | None,
    typer.Option(
        "--lake",
        help="Read a lake written by `halqa export lake` instead of the store.",
        show_default=False,
    ),
]

app = typer.Typer(
    help="A Spark standalone cluster on this machine (master + one worker on 127.0.0.1).",
    no_args_is_help=True,
)


def attach(root: typer.Typer) -> None:
    from halqa.cli import data

    root.add_typer(app, name="spark")
    data.app.command("lake")(export_lake_cmd)  # `halqa export lake`, beside `halqa export parquet`


def resolve_engine(engine: str | None) -> str:
    from halqa.engines import ENGINES

    name = (engine or os.environ.get("HALQA_ENGINE") or "duckdb").strip().lower()
    if name not in ENGINES:
        raise ConfigError(f"--engine '{name}' is not one of {', '.join(ENGINES)}")
    return name


@contextmanager
def open_source(
    db: Path | None, lake: Path | None = None, engine: str | None = None, master: str | None = None
) -> Iterator[AnalyticsStore]:
    """What the analytics read: the store or a lake, on DuckDB or on Spark.

    Spark without ``--lake`` reads the store through a lake exported to a temporary folder
    (on a real cluster, export the lake to shared storage once and pass ``--lake``).
    """
    name = resolve_engine(engine)
    if name == "duckdb":
        if lake is not None:
            from halqa.engines.lake import open_duckdb

            with open_duckdb(lake) as store:
                yield store
        else:
            with open_store(db, read_only=True) as store:
                yield store
        return
    from halqa.engines import spark
    from halqa.engines.spark_store import SparkStore

    session = spark.session(master)  # fails first, in one line, without pyspark or Java
    with _lake_dir(db, lake) as directory, SparkStore(session, directory) as store:
        yield store


@contextmanager
def _lake_dir(db: Path | None, lake: Path | None) -> Iterator[Path]:
    if lake is not None:
        yield lake
        return
    from halqa.engines.lake import export_lake

    scratch = Path(tempfile.mkdtemp(prefix="halqa-lake-"))
    try:
        with open_store(db, read_only=True) as store:
            export_lake(store, scratch / "lake")
        yield scratch / "lake"
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


@user_errors
def export_lake_cmd(
    directory: Annotated[Path, typer.Argument(help="Folder of the lake (created).")],
    overwrite: Annotated[
        bool, typer.Option("--overwrite", help="Replace a lake already there.")
    ] = False,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Write the store as a lake both engines read: events as Parquet by day,
    other tables as files."""
    from halqa.engines.lake import export_lake

    with open_store(db, read_only=True) as store:
        manifest = export_lake(store, directory, overwrite=overwrite)
    if as_json:
        print_json({"lake": str(directory), **manifest})
    else:
        rows = manifest["rows"]
        console.print(
            f"wrote a lake of {rows['events']:,} events ({manifest['events']['first_day']} to "
            f"{manifest['events']['last_day']}), {rows['titles']:,} titles and {rows['members']:,} "
            f"members to {directory}"
        )


@app.command("up")
@user_errors
def up_cmd(as_json: JsonOption = False) -> None:
    """Start the master and one worker on 127.0.0.1 (no-op when they run already)."""
    from halqa.engines import cluster

    with err_console.status("starting the Spark master and worker"):
        state = cluster.up()
    _print_state(state, as_json)


@app.command("status")
@user_errors
def status_cmd(as_json: JsonOption = False) -> None:
    """Is the cluster running; how many workers, cores and memory it offers."""
    from halqa.engines import cluster

    _print_state(cluster.status(), as_json)


@app.command("down")
@user_errors
def down_cmd(as_json: JsonOption = False) -> None:
    """Stop the worker and the master started by `halqa spark up`."""
    from halqa.engines import cluster

    result = cluster.down()
    if as_json:
        print_json(result)
    else:
        stopped = [role for role, pid in result["stopped"].items() if pid]
        console.print(f"stopped {', '.join(stopped)}" if stopped else "nothing was running")


def _print_state(state: dict, as_json: bool) -> None:
    if as_json:
        print_json(state)
    elif state["running"]:
        console.print(
            f"Spark cluster at {state['master_url']}: {state['alive_workers']} worker(s), "
            f"{state['cores']} cores, {state['memory_mb']} MB (UI {state['ui']})"
        )
    else:
        console.print(
            f"no Spark cluster running at {state['master_url']} (start it with `halqa spark up`)"
        )


# -- training and lists on Spark (dispatched to from `halqa train` and `halqa recommend`) -------
def train_on_spark(
    model: str,
    params: dict,
    out: Path | None,
    db: Path | None,
    lake: Path | None,
    master: str | None,
) -> dict:
    """ALS fitted by Spark MLlib on the lake (or the store exported to one); saved in halqa's
    model format next to the store (or inside the lake) so `halqa serve` serves it."""
    import time

    from halqa.engines import spark, spark_als
    from halqa.engines.lake import open_duckdb
    from halqa.engines.spark_store import SparkStore
    from halqa.recommend import ALS, Dataset

    if model != "als":
        raise ConfigError(f"--engine spark trains --model als (Spark MLlib); got --model {model}")
    config = ALS(**params).config  # unknown or out-of-range parameters fail here, in one line
    session = spark.session(master)
    with _lake_dir(db, lake) as directory:
        with open_duckdb(directory) as source:  # the id maps and side features the model file holds
            dataset = Dataset.from_store(source)
        if len(dataset.events) == 0:
            raise ConfigError(
                "no consented events to train on (ingest events first, or run `halqa demo`)"
            )
        started = time.perf_counter()
        with (
            err_console.status(
                f"training als on Spark ({spark.resolve_master(master)}) on "
                f"{len(dataset.events):,} events"
            ),
            SparkStore(session, directory) as store,
        ):
            recommender = spark_als.train(store, dataset, config)
        seconds = time.perf_counter() - started
    path = out or _default_model_path(db, lake)
    recommender.save(path)
    return {
        "model": "als",
        "engine": "spark",
        "spark_master": spark.resolve_master(master),
        "config": recommender.config.__dict__,
        "members": dataset.n_members,
        "titles": dataset.n_titles,
        "events": len(dataset.events),
        "fit_seconds": round(seconds, 2),
        "model_file": str(path),
    }


def _default_model_path(db: Path | None, lake: Path | None) -> Path:
    from halqa.catalog import resolve_db_path

    if lake is not None:
        return Path(lake) / "models" / "recommender.pkl"
    return Path(f"{resolve_db_path(db)}.models") / "recommender.pkl"


def recommend_all_on_spark(
    model: Any, out: Path, k: int, lang: str, db: Path | None, lake: Path | None, master: str | None
) -> dict:
    """Every consenting member's top k scored on the executors and written as Parquet by Spark."""
    from halqa.engines import spark, spark_als
    from halqa.engines.spark_store import SparkStore

    if out.suffix != ".parquet":
        raise ConfigError(f"--out {out}: Spark writes Parquet; name it e.g. recs.parquet")
    session = spark.session(master)
    with (
        _lake_dir(db, lake) as directory,
        SparkStore(session, directory, cache=False) as store,
        err_console.status(f"ranking every member on Spark (top {k})"),
    ):
        return spark_als.recommend_all(store, model, out, k=k, lang=lang)


def evaluation_model(name: str, engine: str | None, master: str | None, factory: Any) -> Any:
    """The model `halqa evaluate` fits: ALS on Spark MLlib with --engine spark,
    else the usual one."""
    if resolve_engine(engine) == "spark" and name == "als":
        from halqa.engines.spark_als import SparkALS

        return SparkALS(factory(name).config, master=master)
    return factory(name)

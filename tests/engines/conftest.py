"""A real Spark: the standalone cluster on 127.0.0.1 (started here when `.ci/run` has not started
it), one SparkSession per test process, and two small worlds as stores and lakes."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import pytest

from halqa.catalog import Store

# The demo world the Spark tests share: small, so a dozen Spark queries take seconds, not minutes.
TINY = {"seed": 11, "members": 600, "titles": 200, "events": 30_000}


@pytest.fixture(scope="session")
def spark_master() -> str:
    from halqa.engines import cluster

    if importlib.util.find_spec("pyspark") is None:
        pytest.skip("pyspark is not installed: pip install 'halqa[spark]'")
    if cluster.java_home() is None:
        pytest.skip("no Java on this machine: apt-get install openjdk-17-jre-headless")
    if os.environ.get(
        "HALQA_TEST_SPARK_MASTER"
    ):  # e.g. local[2] while the cluster is busy with a benchmark
        yield os.environ["HALQA_TEST_SPARK_MASTER"]
        return
    started = not cluster.status()["running"]
    state = cluster.up()
    yield state["master_url"]
    # Under pytest-xdist another worker may still use it; `.ci/run` stops it at the end.
    if started and "PYTEST_XDIST_WORKER" not in os.environ:
        cluster.down()


@pytest.fixture(scope="session")
def spark(spark_master):
    from halqa.engines import spark as spark_engine

    os.environ.setdefault(
        "HALQA_SPARK_CORES_MAX", "1"
    )  # two test processes share the 2-core worker
    session = spark_engine.session(spark_master, shuffle_partitions=2, conf=spark_engine.SMALL_DATA)
    yield session
    spark_engine.stop_sessions()


@pytest.fixture(scope="session")
def tiny_world(tmp_path_factory) -> tuple[Path, Path]:
    """(store, lake) of a small seeded demo world."""
    from halqa.demo import generate_world
    from halqa.demo.run import build_store
    from halqa.engines.lake import export_lake

    root = tmp_path_factory.mktemp("tiny")
    world = generate_world(root / "world", **TINY)
    build_store(world, root / "tiny.duckdb", fresh=True)
    with Store.open(root / "tiny.duckdb", read_only=True) as store:
        export_lake(store, root / "lake")
    return root / "tiny.duckdb", root / "lake"


@pytest.fixture(scope="session")
def movielens_world(movielens_dir, tmp_path_factory) -> tuple[Path, Path]:
    from halqa.engines.lake import export_lake
    from halqa.ingest import import_movielens

    root = tmp_path_factory.mktemp("ml")
    with Store.open(root / "ml.duckdb") as store:
        import_movielens(
            store, movielens_dir, consent=frozenset({"analytics", "personalisation", "marketing"})
        )
        export_lake(store, root / "lake")
    return root / "ml.duckdb", root / "lake"

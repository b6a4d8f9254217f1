"""A Spark job that fails on the cluster reaches the user as one line naming what Spark said,
never the driver's Java trace (here: a lake with a damaged events file)."""

from __future__ import annotations

import shutil

from typer.testing import CliRunner

from halqa.cli.main import app


def test_a_damaged_lake_fails_in_one_line(spark, spark_master, tiny_world, tmp_path):
    db, lake_dir = tiny_world
    damaged = tmp_path / "lake"
    shutil.copytree(lake_dir, damaged)
    victim = sorted((damaged / "events").rglob("*.parquet"))[-1]
    victim.write_bytes(b"PAR1 this is not a parquet file")
    result = CliRunner().invoke(
        app,
        [
            "insights",
            "trends",
            "--db",
            str(db),
            "--lake",
            str(damaged),
            "--engine",
            "spark",
            "--spark-master",
            spark_master,
            "--window",
            "all",
            "--json",
        ],
    )
    assert result.exit_code == 2, result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in result.output, result.output
    assert lines[0].startswith("error: the Spark job failed: ")
    assert "\tat org.apache" not in result.output  # no Java frames either


def test_lost_executors_say_what_to_change(monkeypatch):
    from halqa.engines.spark import failure_message

    class Py4JJavaError(Exception):  # what the driver raises when its executors died
        pass

    Py4JJavaError.__module__ = "py4j.protocol"
    monkeypatch.setenv("HALQA_SPARK_EXECUTOR_MEMORY", "1g")
    lost = Py4JJavaError(
        "An error occurred while calling o138.fit.\n: org.apache.spark.SparkException: Job "
        "aborted due to stage failure: ... org.apache.spark.shuffle.FetchFailedException\n\tat x"
    )
    message = failure_message(lost)
    assert message.startswith("the Spark job failed: An error occurred while calling o138.fit.")
    assert "HALQA_SPARK_EXECUTOR_MEMORY, now 1g" in message and "\n" not in message

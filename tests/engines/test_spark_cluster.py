"""The Spark tests run on the standalone cluster (master and worker on 127.0.0.1), not on a
Spark inside the test process, unless $HALQA_TEST_SPARK_MASTER names another master on purpose."""

from __future__ import annotations

import os

from halqa.engines import cluster


def test_spark_tests_run_on_the_standalone_cluster(spark):
    override = os.environ.get("HALQA_TEST_SPARK_MASTER")
    master = spark.sparkContext.master
    if override:
        assert master == override
        return
    assert master == cluster.ClusterConfig().master_url and master.startswith("spark://127.0.0.1:")
    state = cluster.status()
    assert state["running"] and state["alive_workers"] >= 1 and state["cores"] >= 1
    # the work really happens in an executor of that worker, not in the driver
    executors = spark.sparkContext._jsc.sc().getExecutorMemoryStatus().size()
    assert executors >= 2, executors  # the driver's block manager and at least one executor
    assert spark.range(1000).selectExpr("sum(id)").collect()[0][0] == 499500

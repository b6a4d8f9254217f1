"""ALS on Spark MLlib: halqa's event weights summed on Spark, NDCG@10 within 5% of implicit's on
MovieLens, a model file that halqa serves, and lists for every member that obey consent."""

from __future__ import annotations

import json
import shutil

import duckdb
import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from typer.testing import CliRunner

from halqa.catalog import Store
from halqa.cli.main import app
from halqa.engines import lake, spark_als
from halqa.engines.spark_store import SparkStore
from halqa.recommend import ALS, Dataset, Recommender

ALS_PARAMS = {"factors": 32, "regularization": 0.05, "alpha": 2.0, "iterations": 10}


def test_confidences_summed_on_spark_are_the_dataset_matrix(spark, tiny_world):
    _, lake_dir = tiny_world
    with lake.open_duckdb(lake_dir) as source:
        dataset = Dataset.from_store(source)
    with SparkStore(spark, lake_dir, cache=False) as store:
        frame = spark_als.confidence_frame(store, dataset).toPandas()
    got = sp.csr_matrix(
        (frame["weight"], (frame["member_idx"], frame["title_idx"])),
        shape=(dataset.n_members, dataset.n_titles),
    )
    want = dataset.matrix()
    assert got.nnz == want.nnz > 1000
    assert (got != 0).toarray().tolist() == (want != 0).toarray().tolist()
    np.testing.assert_allclose(got.toarray(), want.toarray(), rtol=1e-6)


@pytest.mark.movielens
def test_mllib_als_ranks_within_five_percent_of_implicit(spark_master, spark, movielens_world):
    from halqa.engines.spark_als import SparkALS
    from halqa.recommend.evaluate import dense_recommend, score_lists, split

    db, _ = movielens_world
    with Store.open(db, read_only=True) as store:
        dataset = Dataset.from_store(store)
    s = split(dataset, "member", 0.2)
    scores = {}
    for name, model in (
        ("implicit", ALS(**ALS_PARAMS)),
        ("mllib", SparkALS(master=spark_master, **ALS_PARAMS)),
    ):
        fitted = model.fit(s.train)
        scores[name] = score_lists(dense_recommend(fitted, s.members, 10), s, dataset, 10)[
            "ndcg@10"
        ]
    assert scores["implicit"] > 0.05  # a real model, not noise
    assert scores["mllib"] >= 0.95 * scores["implicit"], scores


@pytest.fixture(scope="module")
def spark_trained(spark_master, spark, tiny_world, tmp_path_factory):
    """The tiny world copied (so consent can change) and ALS trained on it by `train --engine spark`."""
    db, _ = tiny_world
    root = tmp_path_factory.mktemp("trained")
    copy = root / "store.duckdb"
    shutil.copy(db, copy)
    model_file = root / "als.pkl"
    result = CliRunner().invoke(
        app,
        [
            "train",
            "--model",
            "als",
            "--engine",
            "spark",
            "--spark-master",
            spark_master,
            "--db",
            str(copy),
            "--model-file",
            str(model_file),
            "--param",
            "factors=16",
            "--param",
            "iterations=5",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    return copy, model_file, json.loads(result.stdout)


def test_spark_trained_model_is_a_halqa_model_that_recommends(spark_trained):
    db, model_file, summary = spark_trained
    assert summary["engine"] == "spark" and summary["model"] == "als" and summary["events"] > 10_000
    model = Recommender.load(model_file)  # halqa's own format: what `halqa serve` loads
    assert type(model) is ALS and model.member_factors_.shape[1] == 16
    assert np.abs(model.title_factors_).sum() > 0
    member = model.dataset.members.external[0]
    lists = model.recommend([member], 5)
    assert len(lists) == 5 and lists["score"].is_monotonic_decreasing
    cli = CliRunner().invoke(
        app,
        [
            "recommend",
            "--member",
            str(member),
            "--db",
            str(db),
            "--model-file",
            str(model_file),
            "--json",
        ],
    )
    assert cli.exit_code == 0, cli.output
    assert [r["title_id"] for r in json.loads(cli.stdout)["recommendations"]][:5] == lists[
        "title_id"
    ].tolist()


def test_recommend_all_on_spark_obeys_consent_and_hides_seen_titles(
    spark_master, spark_trained, tmp_path
):
    db, model_file, _ = spark_trained
    with Store.open(db) as store:  # five members withdraw personalisation consent after training
        withdrawn = [
            r[0]
            for r in store.rows(
                "SELECT member_id FROM members_personalisation ORDER BY member_id LIMIT 5"
            )
        ]
        store.run(
            f"UPDATE members SET consent_personalisation = false WHERE member_id IN "
            f"({', '.join('?' for _ in withdrawn)})",
            withdrawn,
        )
    out = tmp_path / "recs.parquet"
    result = CliRunner().invoke(
        app,
        [
            "recommend",
            "--all",
            "--engine",
            "spark",
            "--spark-master",
            spark_master,
            "--db",
            str(db),
            "--model-file",
            str(model_file),
            "--out",
            str(out),
            "-k",
            "5",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    recs = pd.read_parquet(out)
    assert list(recs.columns) == ["member_id", "title_id", "rank", "score", "reason"]
    assert json.loads(result.stdout)["rows"] == len(recs) > 0
    con = duckdb.connect(str(db), read_only=True)
    consenting = {r[0] for r in con.sql("SELECT member_id FROM members_personalisation").fetchall()}
    assert set(recs["member_id"]) <= consenting and not set(recs["member_id"]) & set(withdrawn)
    seen = con.sql("""SELECT DISTINCT e.member_id, e.title_id FROM events_personalisation e
                      JOIN titles t USING (title_id) WHERE t.kind NOT IN ('track', 'album', 'clip')""").df()
    clash = recs.merge(seen, on=["member_id", "title_id"])
    assert clash.empty, clash.head()
    ranks = recs.groupby("member_id")["rank"].apply(list)
    assert all(r == list(range(1, len(r) + 1)) for r in ranks)
    assert recs.groupby("member_id")["score"].apply(lambda s: s.is_monotonic_decreasing).all()
    assert recs["reason"].str.len().gt(0).all()

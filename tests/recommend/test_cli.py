"""`halqa train / recommend / similar / evaluate` on a real store: JSON, files, one-line errors."""

from __future__ import annotations

import json
import pickle
import time

import pandas as pd
import pytest
from typer.testing import CliRunner

from halqa.cli.main import app

runner = CliRunner()


def _run(*args: str):
    return runner.invoke(app, list(args))


@pytest.fixture
def trained(world_store, store_path):
    world_store.close()  # the CLI opens the file itself
    result = _run("train", "--no-tune", "--db", str(store_path), "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_train_saves_next_to_the_store(trained, store_path):
    assert trained["model"] == "hybrid"
    assert trained["model_file"] == f"{store_path}.models/recommender.pkl"
    assert trained["events"] > 0


def test_recommend_json_for_a_member(trained, store_path):
    result = _run(
        "recommend",
        "--member",
        "m0",
        "-k",
        "5",
        "--local-share",
        "0.4",
        "--db",
        str(store_path),
        "--json",
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    recs = payload["recommendations"]
    assert [r["rank"] for r in recs] == [1, 2, 3, 4, 5]
    assert all(r["reason"] for r in recs)
    result = _run(
        "recommend", "--member", "m0", "-k", "3", "--lang", "ar", "--db", str(store_path), "--json"
    )
    assert any(
        "\u0600" <= ch <= "\u06ff"
        for r in json.loads(result.stdout)["recommendations"]
        for ch in r["reason"]
    )


def test_recommend_all_to_csv_and_parquet(trained, store_path, tmp_path):
    for name in ("recs.csv", "recs.parquet"):
        out = tmp_path / name
        result = _run(
            "recommend", "--all", "-k", "4", "--out", str(out), "--db", str(store_path), "--json"
        )
        assert result.exit_code == 0, result.output
        frame = pd.read_csv(out) if name.endswith("csv") else pd.read_parquet(out)
        assert list(frame.columns) == ["member_id", "title_id", "rank", "score", "reason"]
        assert frame["member_id"].nunique() == 90 and len(frame) == 90 * 4


def test_a_new_event_in_the_store_reaches_the_next_list_without_retraining(trained, store_path):
    from halqa.catalog import Store

    before = json.loads(
        _run("recommend", "--member", "m0", "-k", "5", "--db", str(store_path), "--json").stdout
    )
    with Store.open(store_path) as store:
        for i, title in enumerate(
            ("drama-0", "drama-3", "drama-4", "drama-5", "drama-6", "drama-7")
        ):
            store.run(
                "INSERT INTO events (member_id, title_id, event_type, ts) VALUES ('m0', ?, 'complete', "
                "TIMESTAMP '2026-04-01 10:00:00' + INTERVAL (?) MINUTE)",
                [title, i],
            )
    after = json.loads(
        _run("recommend", "--member", "m0", "-k", "5", "--db", str(store_path), "--json").stdout
    )
    dramas = lambda p: sum(r["title_id"].startswith("drama") for r in p["recommendations"])
    assert dramas(after) > dramas(before)


def test_similar_json(trained, store_path):
    result = _run("similar", "--title-id", "comedy-0", "-k", "3", "--db", str(store_path), "--json")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert len(payload["similar"]) == 3 and payload["title_id"] == "comedy-0"


def test_evaluate_json_reports_every_metric_and_the_local_cost(world_store, store_path):
    world_store.close()
    result = _run(
        "evaluate",
        "--model",
        "popular",
        "--model",
        "ease",
        "--local-share",
        "0.4",
        "--db",
        str(store_path),
        "--json",
    )
    assert result.exit_code == 0, result.output
    results = json.loads(result.stdout)["results"]
    assert {"member/popular", "global/ease", "member/ease+local0.4"} <= set(results)
    row = results["member/ease"]
    for key in (
        "recall@10",
        "ndcg@10",
        "map@10",
        "hit_rate@10",
        "coverage",
        "novelty_pct",
        "local_share",
        "gini_creators",
        "gini_moroccan_creators",
    ):
        assert 0 <= row[key] <= 100, key
    assert results["member/ease+local0.4"]["min_local_share_per_list"] >= 0.4


@pytest.mark.parametrize(
    "args, message",
    [
        (("recommend", "--member", "ghost"), "unknown member 'ghost'"),
        (("recommend", "--member", "m0", "-k", "0"), "k must be a positive whole number"),
        (("recommend", "--member", "m0", "--filter", "mood"), "unknown filter 'mood'"),
        # the option a user typed is named, not the re-ranker's parameter behind it
        (
            ("recommend", "--member", "m0", "--local-share", "2"),
            "Invalid value for '--local-share'",
        ),
        (("evaluate", "--new-share", "-0.5"), "Invalid value for '--new-share'"),
        (("recommend", "--all"), "add --out"),
        (("similar", "--title-id", "nope"), "unknown title 'nope'"),
        (("train", "--model", "magic"), "unknown model 'magic'"),
        (("train", "--param", "factors"), "write it as name=value"),
        (
            ("train", "--model", "als", "--param", "factors=0"),
            "the 'factors' parameter of als must be greater than 0; got 0",
        ),
        (
            ("train", "--model", "als", "--param", "factor=64"),
            "als: unknown parameter 'factor' (accepted: factors, regularization",
        ),
        (("evaluate", "--split", "sideways"), "unknown split 'sideways'"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(trained, store_path, args, message):
    result = _run(*args, "--db", str(store_path))
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output


def test_model_from_another_version_and_missing_model(trained, store_path, tmp_path):
    old = tmp_path / "old.pkl"
    with open(old, "wb") as fh:
        pickle.dump(
            {"magic": "halqa-recommender", "format": 0, "halqa": "0.0.1", "model": "hybrid"}, fh
        )
    result = _run("recommend", "--member", "m0", "--model-file", str(old), "--db", str(store_path))
    assert result.exit_code == 2 and "retrain it with `halqa train`" in result.output
    result = _run(
        "recommend",
        "--member",
        "m0",
        "--model-file",
        str(tmp_path / "none.pkl"),
        "--db",
        str(store_path),
    )
    assert result.exit_code == 2 and "run `halqa train` first" in result.output


def test_member_without_consent_gets_no_personalised_list(trained, store_path):
    from halqa.catalog import Store

    with Store.open(store_path) as store:
        store.run("UPDATE members SET consent_personalisation = false WHERE member_id = 'm7'")
    result = _run("recommend", "--member", "m7", "--db", str(store_path))
    assert result.exit_code == 2 and "has not consented" in result.output


def test_train_tune_reports_what_it_chose(world_store, store_path):
    world_store.close()
    started = time.perf_counter()
    result = _run(
        "train", "--budget", "4", "--param", "content_weight=0.1", "--db", str(store_path), "--json"
    )
    seconds = time.perf_counter() - started
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    tuning = summary["tuning"]
    assert tuning["trials"] >= 2 and 0 < tuning["validation_ndcg@10"] <= 1
    assert tuning["validation_splits"] == [
        "member",
        "global",
    ]  # the world's events are ordered in time
    assert set(tuning["params"]) <= set(summary["config"])
    assert summary["config"]["content_weight"] == 0.1  # a --param is pinned, not searched
    assert tuning["seconds"] < seconds  # the budget bounds the search (a started trial finishes)
    result = _run("train", "--model", "ease", "--budget", "2", "--db", str(store_path), "--json")
    assert result.exit_code == 0 and json.loads(result.stdout)["tuning"]["trials"] >= 1


def test_filters_and_quotas_from_the_command_line(trained, store_path):
    result = _run(
        "recommend",
        "--member",
        "m0",
        "-k",
        "10",
        "--filter",
        "region",
        "--filter",
        "age_rating",
        "--emerging-share",
        "0.2",
        "--creator-cap",
        "2",
        "--diversity",
        "0.3",
        "--db",
        str(store_path),
        "--json",
    )
    assert result.exit_code == 0, result.output
    titles = [r["title_id"] for r in json.loads(result.stdout)["recommendations"]]
    assert not {"comedy-2", "drama-2", "rap-2"} & set(
        titles
    )  # only shown in souss-massa; m0 is in casablanca

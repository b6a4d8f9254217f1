"""`halqa serve` serves the model `halqa train` saved: the API's lists are the CLI's lists."""

from __future__ import annotations

import json
import random

from typer.testing import CliRunner

from halqa.cli.main import app
from halqa.recommend.saved import default_model_path
from tests.service.conftest import prepare_store, start_server, stop_server

runner = CliRunner()


def test_api_lists_equal_halqa_recommend_for_100_members(tmp_path):
    db = tmp_path / "same.duckdb"
    _, keys = prepare_store(db)
    default_model_path(db).unlink()  # train the way a user does, with the CLI's defaults
    trained = runner.invoke(app, ["train", "--budget", "3", "--db", str(db), "--json"])
    assert trained.exit_code == 0, trained.output
    from halqa.catalog import Store

    with Store.open(db, read_only=True) as store:
        consented = sorted(
            r[0] for r in store.rows("SELECT member_id FROM members_personalisation")
        )
    members = random.Random(3).sample(consented, min(100, len(consented)))
    assert len(members) >= 80
    args = [a for m in members for a in ("--member", m)]
    cli = runner.invoke(app, ["recommend", *args, "-k", "10", "--db", str(db), "--json"])
    assert cli.exit_code == 0, cli.output
    expected: dict[str, list] = {}
    for row in json.loads(cli.stdout)["recommendations"]:
        expected.setdefault(row["member_id"], []).append(
            (row["title_id"], row["rank"], round(row["score"], 9), row["reason"])
        )
    process, url = start_server(db, tmp_path / "server.log", "--rate-limit", "100000")
    try:
        import httpx

        with httpx.Client(
            base_url=url, headers={"X-API-Key": keys["service"]}, timeout=30
        ) as client:
            info = client.get("/v1/recommender").json()
            assert info["available"] and info["model"] == "hybrid"
            assert info["model_file"] == str(default_model_path(db))
            for member in members:
                items = client.get(f"/v1/recommendations/{member}", params={"k": 10}).json()[
                    "items"
                ]
                got = [(i["title_id"], i["rank"], round(i["score"], 9), i["reason"]) for i in items]
                assert got == expected.get(member, []), member
    finally:
        stop_server(process)


def test_no_trained_model_says_how_to_get_one(tmp_path):
    db = tmp_path / "untrained.duckdb"
    _, keys = prepare_store(db)
    default_model_path(db).unlink()
    missing = runner.invoke(
        app, ["serve", "--db", str(db), "--model-file", str(tmp_path / "none.pkl")]
    )
    assert missing.exit_code == 2 and "run `halqa train" in missing.output
    process, url = start_server(db, tmp_path / "server.log")
    try:
        import httpx

        info = httpx.get(
            url + "/v1/recommender", headers={"X-API-Key": keys["service"]}, timeout=30
        ).json()
        assert not info["available"] and "run `halqa train` first" in info["reason"]
    finally:
        stop_server(process)
    assert "no trained model at" in (tmp_path / "server.log").read_text()

"""`halqa train --model als --engine spark` then `halqa serve`: a real server on 127.0.0.1 serves
the factors Spark MLlib learnt. The API's lists equal the lists computed with numpy from the
saved factors (seen titles hidden, music may repeat) and equal `halqa recommend` for the same
members, reasons included (Arabic and Tifinagh titles byte for byte)."""

from __future__ import annotations

import json

import httpx
import numpy as np
import pytest
from typer.testing import CliRunner

from halqa.catalog import Store
from halqa.catalog.taxonomy import MUSIC_KINDS
from halqa.cli.main import app
from halqa.recommend import Recommender
from halqa.recommend.saved import default_model_path
from tests.service.conftest import prepare_store, start_server, stop_server

runner = CliRunner()
K = 5


def lists_from_factors(model_file, db, members: list[str]) -> dict[str, list[str]]:
    """Top-K title ids per member by plain dot products of the saved factors, hiding titles the
    member had any event on (except music), read from the store rather than from the model."""
    model = Recommender.load(model_file)
    users, items = model.member_factors_, model.title_factors_[: model.n_fit_titles_]
    member_idx = {m: i for i, m in enumerate(model.dataset.members.external)}
    title_ids = list(model.dataset.titles.external[: model.n_fit_titles_])
    with Store.open(db, read_only=True) as store:
        seen = store.rows(
            "SELECT DISTINCT e.member_id, e.title_id FROM events_personalisation e "
            f"JOIN titles t USING (title_id) WHERE t.kind NOT IN ({', '.join('?' * len(MUSIC_KINDS))})",
            sorted(MUSIC_KINDS),
        )
    hidden: dict[str, set[str]] = {}
    for member, title in seen:
        hidden.setdefault(member, set()).add(title)
    out = {}
    for member in members:
        scores = items @ users[member_idx[member]]
        order = np.argsort(
            -scores, kind="stable"
        )  # ties: the lower title index first, as halqa does
        out[member] = [
            title_ids[i] for i in order if title_ids[i] not in hidden.get(member, set())
        ][:K]
    return out


def test_serve_answers_with_the_spark_trained_factors(spark_master, spark, tmp_path):
    db = tmp_path / "served.duckdb"
    _, keys = prepare_store(db)
    default_model_path(db).unlink()  # no model but the one Spark trains
    trained = runner.invoke(
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
            str(db),
            "--param",
            "factors=8",
            "--param",
            "iterations=5",
            "--json",
        ],
    )
    assert trained.exit_code == 0, trained.output
    summary = json.loads(trained.stdout)
    assert summary["engine"] == "spark" and summary["spark_master"] == spark_master
    assert summary["model_file"] == str(
        default_model_path(db)
    )  # where `halqa serve` looks by default

    with Store.open(db, read_only=True) as store:
        members = [
            r[0]
            for r in store.rows("SELECT DISTINCT member_id FROM events_personalisation ORDER BY 1")
        ]
    members = members[::4]  # a spread of consenting members with history
    assert len(members) >= 20
    from_factors = lists_from_factors(default_model_path(db), db, members)
    cli = runner.invoke(
        app,
        [
            "recommend",
            *[a for m in members for a in ("--member", m)],
            "-k",
            str(K),
            "--db",
            str(db),
            "--json",
        ],
    )
    assert cli.exit_code == 0, cli.output
    from_cli: dict[str, list] = {}
    for row in json.loads(cli.stdout)["recommendations"]:
        from_cli.setdefault(row["member_id"], []).append(
            (row["title_id"], row["rank"], row["score"], row["reason"])
        )

    process, url = start_server(db, tmp_path / "server.log", "--rate-limit", "100000")
    try:
        with httpx.Client(
            base_url=url, headers={"X-API-Key": keys["service"]}, timeout=60
        ) as client:
            info = client.get("/v1/recommender").json()
            assert info["available"] and info["model"] == "als", info
            assert info["model_file"] == str(default_model_path(db))
            served = {
                m: client.get(f"/v1/recommendations/{m}", params={"k": K}).json()["items"]
                for m in members
            }
    finally:
        stop_server(process)
    for member in members:
        items = served[member]
        assert [i["title_id"] for i in items] == from_factors[member], member
        assert [(i["title_id"], i["rank"], i["reason"]) for i in items] == [
            (t, r, why) for t, r, _, why in from_cli[member]
        ]
        assert [i["score"] for i in items] == pytest.approx(
            [s for _, _, s, _ in from_cli[member]], rel=1e-6
        )
    reasons = {i["reason"] for items in served.values() for i in items}
    assert any("ⴰⵎⴰⵏ ⵉⵎⴰⵏ" in r or "عنوان" in r or "الزين" in r for r in reasons), reasons

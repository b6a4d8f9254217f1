"""`halqa audience target` fits the targeting models once per store state; `--like` adds comparable titles."""

from __future__ import annotations

import json
from datetime import datetime

import numpy as np
import pandas as pd
from audience_world import insert, make_world
from typer.testing import CliRunner

from halqa.catalog import Store
from halqa.cli.main import app

runner = CliRunner()


def _target(db, *args):
    res = runner.invoke(app, ["audience", "target", *map(str, args), "--json", "--db", str(db)])
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


def test_models_are_fitted_once_per_store_state(tmp_path, monkeypatch):
    db = tmp_path / "w.duckdb"
    with Store.open(db) as store:
        world = make_world(store, np.random.default_rng(5), n_members=160, n_titles=40)
    first = _target(db, "--title-id", "t001", "--top", 20)
    assert (
        first["models"]["fitted"] and first["models"]["model_file"] == f"{db}.models/targeting.pkl"
    )
    from halqa.audience.targeting import TitleSpaces

    fits = []
    original = TitleSpaces.fit.__func__
    monkeypatch.setattr(
        TitleSpaces, "fit", classmethod(lambda cls, data: (fits.append(1), original(cls, data))[1])
    )
    again = _target(db, "--title-id", "t001", "--top", 20)
    assert not again["models"]["fitted"]  # same store: the saved models score
    assert not fits  # the reasons' title spaces were saved with them
    assert again["members"] == first["members"]  # and give the very same audience
    other = _target(db, "--title-id", "t002", "--top", 5)
    assert not other["models"]["fitted"]
    member = world["events"].member_id.iloc[0]
    with Store.open(db) as store:  # the store changes: one more event
        insert(
            store,
            "events",
            pd.DataFrame(
                {
                    "member_id": [member],
                    "title_id": ["t003"],
                    "event_type": ["play"],
                    "ts": [datetime(2026, 3, 1)],
                    "value": [60.0],
                }
            ),
        )
    assert _target(db, "--title-id", "t001", "--top", 5)["models"]["fitted"]


def test_like_lifts_the_audience_of_comparable_titles(tmp_path):
    db = tmp_path / "w.duckdb"
    with Store.open(db) as store:
        world = make_world(store, np.random.default_rng(5), n_members=160, n_titles=40)
    events = world["events"]
    comps = ["t010", "t011"]
    fans = set(events.member_id[events.title_id.isin(comps)])
    plain = _target(db, "--title-id", "t001", "--top", 40)
    liked = _target(db, "--title-id", "t001", "--top", 40, "--like", ",".join(comps))
    share = {
        name: np.mean([m["member_id"] in fans for m in run["members"]])
        for name, run in (("plain", plain), ("liked", liked))
    }
    assert share["liked"] > share["plain"]
    assert liked["like"] == comps and liked["method"]["weights"]["comparable-titles"] > 0
    assert any(m["reasons"].startswith("watched comparable:") for m in liked["members"])
    bad = runner.invoke(
        app, ["audience", "target", "--title-id", "t001", "--like", "nope", "--db", str(db)]
    )
    assert bad.exit_code == 2 and "title 'nope' is not in the store" in bad.output


def _set_marketing(db, member_id: str, value: bool) -> None:
    with Store.open(db) as store:
        store.con.execute(
            "UPDATE members SET consent_marketing = ? WHERE member_id = ?", [value, member_id]
        )


def test_consent_is_read_at_every_call_without_refitting_for_a_withdrawal(tmp_path):
    db = tmp_path / "w.duckdb"
    with Store.open(db) as store:
        world = make_world(store, np.random.default_rng(5), n_members=160, n_titles=40)
    first = _target(db, "--title-id", "t001", "--top", 20)
    ids = [m["member_id"] for m in first["members"]]
    _set_marketing(db, ids[0], False)  # the best-placed member withdraws marketing consent
    again = _target(db, "--title-id", "t001", "--top", 20)
    assert not again["models"]["fitted"] and again["models"]["withdrawn_since_fit"] == 1
    again_ids = [m["member_id"] for m in again["members"]]
    assert ids[0] not in again_ids and again_ids[:19] == ids[1:]  # the others keep their order
    assert again["candidates"] == first["candidates"] - 1
    members = world["members"]
    newcomer = members.member_id[~members.consent_marketing].iloc[0]
    _set_marketing(db, newcomer, True)  # a member the saved models never saw gives consent
    granted = _target(db, "--title-id", "t001")
    assert granted["models"]["fitted"]  # so the models are fitted again, with them
    assert newcomer in {m["member_id"] for m in granted["members"]}
    assert ids[0] not in {m["member_id"] for m in granted["members"]}


def test_the_service_and_the_cli_target_with_one_saved_fit(tmp_path):
    """`halqa serve` fits (or loads) the same saved targeter as `halqa audience target`: the CLI
    call after the service's fit only scores, and both give the same audience."""
    from halqa.service.keys import create_key
    from tests.service.conftest import start_server, stop_server

    db = tmp_path / "w.duckdb"
    with Store.open(db) as store:
        make_world(store, np.random.default_rng(5), n_members=160, n_titles=40)
        key = create_key(store, "analyst", "test-analyst")[1]
    new = {"name": "ⴰⵣⵓⵍ", "kind": "track", "genres": ["amazigh-pop"], "language": "zgh"}
    saved = tmp_path / "w.duckdb.models" / "targeting.pkl"
    assert not saved.exists()
    process, url = start_server(db, tmp_path / "server.log", "--rate-limit", "100000")
    try:
        import httpx

        with httpx.Client(base_url=url, headers={"X-API-Key": key}, timeout=120) as client:
            res = client.post("/v1/audience/target", params={"top": 30, "rows": 30}, json=new)
    finally:
        stop_server(process)
    assert res.status_code == 200, res.text
    assert saved.exists()  # the service saved its fit where the CLI looks
    title = tmp_path / "new.json"
    title.write_text(json.dumps(new, ensure_ascii=False), encoding="utf-8")
    cli = _target(db, "--title", title, "--top", 30)
    assert not cli["models"]["fitted"]
    assert [(m["member_id"], m["score"], m["reasons"]) for m in res.json()["members"]] == [
        (m["member_id"], m["score"], m["reasons"]) for m in cli["members"]
    ]

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

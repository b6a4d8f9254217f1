import json
import shutil
from datetime import datetime, timedelta

import numpy as np
import pandas as pd
import pytest
from audience_world import insert, make_world
from typer.testing import CliRunner

from halqa.catalog import Store
from halqa.cli.main import app

runner = CliRunner()


@pytest.fixture
def world_db(tmp_path):
    path = tmp_path / "w.duckdb"
    with Store.open(path) as store:
        world = make_world(store, np.random.default_rng(5))
    return path, world


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args])


def test_target_json_and_out_keep_scripts(world_db, tmp_path):
    db, _ = world_db
    title = tmp_path / "new.json"
    title.write_text(
        json.dumps(
            {
                "name": "ⴰⵣⵓⵍ",
                "kind": "track",
                "genres": ["amazigh-pop"],
                "language": "zgh",
                "synopses": {"ar": "أغنية"},
            },
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    out = tmp_path / "aud.csv"
    res = invoke(
        "audience", "target", "--title", title, "--top", 30, "--json", "--out", out, "--db", db
    )
    assert res.exit_code == 0, res.output
    payload = json.loads(res.stdout)
    assert payload["title"] == "ⴰⵣⵓⵍ" and payload["size"] == 30 and len(payload["members"]) == 30
    assert set(payload["breakdown"]) >= {"age_band", "region", "language"}
    frame = pd.read_csv(out)
    assert list(frame.columns[:3]) == ["member_id", "score", "reasons"] and len(frame) == 30
    assert "title_id" not in frame.columns  # the new title's JSON gave no id
    plain = invoke(
        "audience",
        "target",
        "--title-id",
        "t001",
        "--top",
        5,
        "--db",
        db,
        "--out",
        tmp_path / "t001.csv",
    )
    assert plain.exit_code == 0 and "audience of 5 members" in plain.stdout
    # the file names its title, so `halqa audience export` records it for `halqa audience lift`
    assert set(pd.read_csv(tmp_path / "t001.csv")["title_id"]) == {"t001"}


def test_bad_input_is_one_line_exit_2(world_db, tmp_path):
    db, _ = world_db
    title = tmp_path / "bad.json"
    title.write_text(
        json.dumps({"name": "x", "kind": "film", "genres": ["comdy"], "language": "ary"})
    )
    res = invoke("audience", "target", "--title", title, "--db", db)
    assert res.exit_code == 2 and "unknown genre 'comdy' (did you mean 'comedy'?)" in res.output
    assert "Traceback" not in res.output
    title.write_text(json.dumps(["not", "an", "object"]))
    assert (
        "expected a JSON object"
        in invoke("audience", "target", "--title", title, "--db", db).output
    )
    seed = tmp_path / "seed.csv"
    seed.write_text("member_id\n")
    res = invoke("audience", "lookalike", "--seed", seed, "--size", 10, "--db", db)
    assert res.exit_code == 2 and "seed is empty" in res.output


def test_lookalike_export_and_lift_round_trip(world_db, tmp_path):
    db, world = world_db
    members = world["members"]
    seed = tmp_path / "seed.csv"
    members[members.consent_marketing].head(40)[["member_id"]].to_csv(seed, index=False)
    grown = tmp_path / "grown.parquet"
    res = invoke(
        "audience", "lookalike", "--seed", seed, "--size", 150, "--json", "--out", grown, "--db", db
    )
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["expansion"]["size"] == 150
    exported = tmp_path / "exposed.csv"
    res = invoke(
        "audience",
        "export",
        grown,
        "--campaign",
        "autumn",
        "--holdout",
        0.3,
        "--hash-salt",
        "s3cret-salt",
        "--title-id",
        "t002",
        "--out",
        exported,
        "--json",
        "--db",
        db,
    )
    assert res.exit_code == 0, res.output
    info = json.loads(res.stdout)
    assert info["exposed"] + info["holdout"] == 150 and info["hashed"]
    assert not set(pd.read_csv(exported).member_hash) & set(members.member_id)
    with Store.open(db) as store:
        exposed = store.df("SELECT member_id FROM audience_exports WHERE grp = 'exposed'").member_id
        insert(
            store,
            "events",
            pd.DataFrame(
                {
                    "member_id": exposed[:40],
                    "title_id": "t002",
                    "event_type": "play",
                    "ts": datetime.now() + timedelta(hours=1),
                    "value": 1.0,
                }
            ),
        )
    res = invoke("audience", "lift", "--campaign", "autumn", "--json", "--db", db)
    assert res.exit_code == 0, res.output
    lift = json.loads(res.stdout)
    assert lift["groups"]["exposed"]["converted"] == 40 and lift["lift"]["absolute_lift"] > 0
    assert (
        invoke("audience", "lift", "--campaign", "autum", "--db", db).output.count(
            "did you mean 'autumn'"
        )
        == 1
    )
    window = json.loads(
        invoke(
            "audience",
            "lift",
            "--campaign",
            "autumn",
            "--since",
            "2020-01-01",
            "--until",
            "2020-02-01",
            "--json",
            "--db",
            db,
        ).stdout
    )
    assert window["groups"]["exposed"]["converted"] == 0 and "no conversions" in window["note"]
    bad = invoke("audience", "lift", "--campaign", "autumn", "--since", "yesterday", "--db", db)
    assert bad.exit_code == 2 and "not an ISO date" in bad.output


def test_evaluate_targeting_json(world_db):
    db, _ = world_db
    res = invoke("audience", "evaluate", "--json", "--db", db)
    assert res.exit_code == 0, res.output
    methods = {m["method"]: m for m in json.loads(res.stdout)["methods"]}
    assert set(methods) == {"random", "genre-profile", "halqa-blend"}
    assert methods["halqa-blend"]["roc_auc"] > methods["random"]["roc_auc"]


OLD_AND_NEW = {  # the top-level spellings of before the group, kept one release
    "target": ("audience", "target"),
    "lookalike": ("audience", "lookalike"),
    "evaluate-targeting": ("audience", "evaluate"),
    "audience-export": ("audience", "export"),
    "lift": ("audience", "lift"),
}


@pytest.mark.parametrize("old", list(OLD_AND_NEW))
def test_an_old_spelling_warns_and_answers_what_the_audience_group_answers(old, world_db, tmp_path):
    db, world = world_db
    members = world["members"]
    seed = tmp_path / "seed.csv"
    members[members.consent_marketing].head(40)[["member_id"]].to_csv(seed, index=False)
    args = {
        "target": ["--title-id", "t001", "--top", 5],
        "lookalike": ["--seed", seed, "--size", 20],
        "evaluate-targeting": [],
        "audience-export": [
            seed,
            "--campaign",
            "c",
            "--title-id",
            "t002",
            "--out",
            tmp_path / "x.csv",
        ],
        "lift": ["--campaign", "c"],
    }[old]
    if old == "lift":  # a campaign to measure, recorded once so both copies share its start
        export = ["audience", "export", seed, "--campaign", "c", "--title-id", "t002"]
        res = invoke(*export, "--holdout", 0.5, "--out", tmp_path / "c.csv", "--db", db)
        assert res.exit_code == 0, res.output
    # export and lift write to the store: each spelling gets its own copy of the same store
    writes = old in ("audience-export", "lift")
    stores = {s: tmp_path / f"{s}.duckdb" if writes else db for s in ("old", "new")}
    for copy in stores.values():
        if writes:
            shutil.copy(db, copy)
    answers = {}
    for spelling, words in (("old", [old]), ("new", list(OLD_AND_NEW[old]))):
        res = invoke(*words, *args, "--json", "--db", stores[spelling])
        assert res.exit_code == 0, res.output
        assert (f"`halqa {old}` is deprecated" in res.stderr) == (spelling == "old"), res.stderr
        answers[spelling] = json.loads(res.stdout)
        answers[spelling].pop("models", None)  # target's seconds and model file
    assert answers["old"] == answers["new"]

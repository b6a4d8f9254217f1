"""The export records the title its audience was made for, so `halqa audience lift --campaign NAME` needs nothing
more (issue 13), and lift explains why fewer members are measured than were exported."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import numpy as np
import pandas as pd
from audience_world import insert, make_world
from typer.testing import CliRunner

from halqa.catalog import Store
from halqa.cli.main import app

runner = CliRunner()


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args])


def test_target_export_lift_as_the_readme_writes_them(tmp_path):
    db = tmp_path / "w.duckdb"
    with Store.open(db) as store:
        world = make_world(store, np.random.default_rng(11))
    # What `halqa audience target --title new.json --out aud.csv` writes (test_cli.py checks that it does):
    # the ranked members and the id the new title will have in the catalogue.
    members = world["members"][world["members"].consent_marketing].head(200)
    aud = tmp_path / "aud.csv"
    pd.DataFrame(
        {
            "member_id": members.member_id,
            "score": np.linspace(0.9, 0.1, len(members)),
            "title_id": "new-zgh-1",
        }
    ).to_csv(aud, index=False)
    res = invoke(
        "audience",
        "export",
        aud,
        "--campaign",
        "launch",
        "--holdout",
        0.3,
        "--out",
        tmp_path / "x.csv",
        "--db",
        db,
        "--json",
    )
    assert res.exit_code == 0, res.output
    exported = json.loads(res.stdout)
    assert exported["title_id"] == "new-zgh-1"

    # Before release: the lift runs, and says why nobody converted yet.
    early = invoke("audience", "lift", "--campaign", "launch", "--db", db, "--json")
    assert early.exit_code == 0, early.output
    assert "not in the catalogue yet" in json.loads(early.stdout)["note"]

    # Release the title, a third of the exposed play it, and some members withdraw analytics consent.
    with Store.open(db) as store:
        insert(
            store,
            "titles",
            pd.DataFrame(
                {
                    "title_id": ["new-zgh-1"],
                    "kind": ["track"],
                    "name": ["ⴰⵣⵓⵍ"],
                    "original_language": ["zgh"],
                    "genres": [["amazigh-pop"]],
                }
            ),
        )
        groups = store.df(
            "SELECT member_id, grp FROM audience_exports WHERE campaign = 'launch' ORDER BY member_id"
        )
        players = groups.member_id[groups.grp == "exposed"].iloc[::3]
        insert(
            store,
            "events",
            pd.DataFrame(
                {
                    "member_id": players,
                    "title_id": "new-zgh-1",
                    "event_type": "play",
                    "ts": datetime.now() + timedelta(hours=1),
                    "value": 1.0,
                }
            ),
        )
        withdrawn = groups.member_id.iloc[::7].tolist()
        store.run(
            "UPDATE members SET consent_analytics = false WHERE list_contains(?, member_id)",
            [withdrawn],
        )
    res = invoke("audience", "lift", "--campaign", "launch", "--db", db, "--json")
    assert res.exit_code == 0, res.output
    result = json.loads(res.stdout)
    assert result["title_id"] == "new-zgh-1" and result["title_in_catalogue"]
    acc = result["accounting"]
    for grp in ("exposed", "holdout"):
        exported_n = exported[grp]
        assert acc[grp]["exported"] == exported_n
        left = int(groups.member_id[groups.grp == grp].isin(withdrawn).sum())
        assert acc[grp]["without_analytics_consent"] == left > 0
        assert acc[grp]["measured"] == result["groups"][grp]["members"] == exported_n - left
    assert result["groups"]["exposed"]["converted"] == len(set(players) - set(withdrawn))
    assert result["groups"]["holdout"]["converted"] == 0
    # the file held marketing-consented members only, so the export dropped nobody
    assert acc["dropped_at_export_without_marketing_consent"] == 0
    human = invoke("audience", "lift", "--campaign", "launch", "--db", db)
    assert human.exit_code == 0 and f"{acc['exposed']['exported']} exported" in human.stdout
    assert "without analytics consent" in human.stdout


def test_a_file_without_a_title_says_what_lift_will_need(tmp_path):
    db = tmp_path / "w.duckdb"
    with Store.open(db) as store:
        members = make_world(store, np.random.default_rng(3), n_members=200, n_titles=20)["members"]
    aud = tmp_path / "ids.csv"
    members[["member_id"]].to_csv(aud, index=False)
    res = invoke(
        "audience", "export", aud, "--campaign", "blind", "--out", tmp_path / "x.csv", "--db", db
    )
    assert res.exit_code == 0 and "no title recorded" in res.output
    res = invoke("audience", "lift", "--campaign", "blind", "--db", db)
    assert res.exit_code == 2 and "--title-id" in res.output and "Traceback" not in res.output
    mixed = tmp_path / "mixed.csv"
    pd.DataFrame({"member_id": ["m0001", "m0002"], "title_id": ["t001", "t002"]}).to_csv(
        mixed, index=False
    )
    res = invoke(
        "audience", "export", mixed, "--campaign", "mixed", "--out", tmp_path / "y.csv", "--db", db
    )
    assert res.exit_code == 2 and "names 2 titles" in res.output

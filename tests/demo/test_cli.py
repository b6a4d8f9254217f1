"""`halqa demo` end to end at a small scale: generate, ingest through halqa.ingest, run the steps."""

from __future__ import annotations

import csv
import json

from typer.testing import CliRunner

from halqa.catalog import Store
from halqa.cli.main import app

runner = CliRunner()
TINY = ["--members", "300", "--titles", "200", "--events", "20000", "--seed", "3"]
OWN_STEPS = ["--step", "generation_summary", "--step", "ingestion_summary"]


def test_demo_json_end_to_end_and_rerun_does_not_duplicate(tmp_path):
    out = tmp_path / "demo"
    result = runner.invoke(app, ["demo", "--out", str(out), *TINY, "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)  # exactly one JSON object on stdout
    assert summary["ingest"]["events"] == {
        **summary["ingest"]["events"],
        "accepted": 20000,
        "rejected": 0,
        "duplicates": 0,
    }
    assert all(
        summary["ingest"][t]["rejected"] == 0 and summary["ingest"][t]["created"] == 0
        for t in ("creators", "titles", "members")
    )
    assert summary["failed_steps"] == []
    steps = summary["steps"]
    assert steps["generation_summary"]["rising"]["genre"] == "trap"
    assert steps["ingestion_summary"]["counts"]["events"] == 20000
    db = out / "halqa.duckdb"
    with Store.open(db, read_only=True) as store:
        counts = store.counts()
        # Arabic and Tifinagh names arrive byte-exact
        with open(out / "titles.csv", encoding="utf-8", newline="") as fh:
            written = {r["title_id"]: r["name"] for r in csv.DictReader(fh)}
        stored = dict(store.rows("SELECT title_id, name FROM titles"))
    assert stored == written
    assert any("\u2d30" <= ch <= "\u2d7f" for name in stored.values() for ch in name)
    assert any("\u0600" <= ch <= "\u06ff" for name in stored.values() for ch in name)
    assert {"generation_summary", "ingestion_summary"} < set(steps)  # every registered step ran
    # same command again (human output, own steps only): the default store is rebuilt, nothing doubles
    again = runner.invoke(app, ["demo", "--out", str(out), *TINY, *OWN_STEPS])
    assert again.exit_code == 0, again.output
    assert "demo ready" in again.output and "trap" in again.output
    with Store.open(db, read_only=True) as store:
        assert store.counts() == counts


def test_a_named_store_is_added_to_idempotently(tmp_path):
    db = tmp_path / "mine.duckdb"
    for _ in range(2):
        result = runner.invoke(
            app,
            ["demo", "--out", str(tmp_path / "d"), "--db", str(db), *TINY, *OWN_STEPS, "--json"],
        )
        assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert list(summary["steps"]) == ["generation_summary", "ingestion_summary"]
    assert (
        summary["ingest"]["events"]["accepted"] == 0
        and summary["ingest"]["events"]["duplicates"] == 20000
    )
    with Store.open(db, read_only=True) as store:
        assert store.counts()["events"] == 20000


def test_bad_scale_is_one_line_exit_2(tmp_path):
    bad = runner.invoke(app, ["demo", "--out", str(tmp_path / "d"), "--events", "5"])
    assert bad.exit_code == 2
    assert "the 'events' parameter of halqa demo" in bad.output and "got 5" in bad.output
    assert "Traceback" not in bad.output
    unknown = runner.invoke(app, ["demo", "--out", str(tmp_path / "d"), "--step", "nope"])
    assert unknown.exit_code == 2 and "registered: generation_summary" in unknown.output
    assert not (tmp_path / "d").exists()  # refused before generating anything

"""`halqa train / evaluate` on stores a user builds by hand from a few CSV rows: an empty store and
one where no member has two events. Each is a real DuckDB file built by `halqa ingest`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from halqa.cli.main import app

runner = CliRunner()

MEMBERS = (
    "member_id,age_band,region,consent_analytics,consent_personalisation,consent_marketing\n"
    "m1,18-24,casablanca-settat,yes,yes,yes\n"
    "m2,25-34,casablanca-settat,oui,oui,non\n"
)
TITLES = "title_id,kind,name,genres\nt1,film,دار السلطان,drama\nt2,track,ⴰⵣⵓⵍ,\n"
# one event per member: nothing can be held out of anybody's history
EVENTS = (
    "member_id,title_id,event_type,ts\n"
    "m1,t1,play,2026-11-20T10:00:00Z\n"
    "m2,t2,listen,2026-11-20T11:00:00Z\n"
)


def _run(*args: str):
    return runner.invoke(app, list(args))


def _store(tmp_path: Path, with_events: bool) -> Path:
    db = tmp_path / "mine.duckdb"
    files = {"members": MEMBERS, "titles": TITLES}
    if with_events:
        files["events"] = EVENTS
    for target, text in files.items():
        path = tmp_path / f"{target}.csv"
        path.write_text(text, encoding="utf-8")
        result = _run("ingest", target, str(path), "--db", str(db), "--json")
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout)["rejected"] == 0
    return db


@pytest.mark.parametrize("split", ["both", "member", "global"])
def test_evaluate_on_a_store_without_events_is_one_line(tmp_path, split):
    db = _store(tmp_path, with_events=False)
    result = _run("evaluate", "--split", split, "--db", str(db))
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)  # a one-line refusal, not a crash
    assert result.output.strip().splitlines()[-1] == (
        "error: no events to split: the store has no consented events"
    )


def test_evaluate_with_one_event_per_member_says_nothing_is_held_out(tmp_path):
    db = _store(tmp_path, with_events=True)
    result = _run("evaluate", "--split", "member", "--db", str(db))
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)
    assert "no held-out events to judge (too few events per member)" in result.output


def test_train_with_one_event_per_member_fits_the_defaults_and_says_so(tmp_path):
    db = _store(tmp_path, with_events=True)
    result = _run("train", "--db", str(db), "--json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["events"] == 2
    assert summary["tuning"]["validation_splits"] == []
    assert summary["tuning"]["validation_ndcg@10"] is None  # not the -1 the tuner starts from
    text = _run("train", "--db", str(db))
    assert text.exit_code == 0, text.output
    assert "not tuned: no validation split has held-out events" in " ".join(text.output.split())
    assert "-1.0000" not in text.output
    recs = _run("recommend", "--member", "m1", "--db", str(db), "--json")
    assert recs.exit_code == 0, recs.output
    assert [r["title_id"] for r in json.loads(recs.stdout)["recommendations"]] == ["t2"]

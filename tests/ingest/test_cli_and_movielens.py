"""The `halqa ingest` / `halqa import` commands, and the MovieLens 100K import."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from halqa.catalog import Store
from halqa.cli.main import app
from halqa.ingest import import_movielens
from tests.ingest.conftest import write_csv

runner = CliRunner()


def test_cli_ingest_prints_one_json_object(tmp_path):
    db = tmp_path / "cli.duckdb"
    members = write_csv(tmp_path / "m.csv", ["member_id"], [["m1"], ["m2"]])
    titles = write_csv(tmp_path / "t.csv", ["id", "type", "title"], [["t1", "film", "Ali Zaoua"]])
    events = write_csv(
        tmp_path / "e.csv",
        ["member_id", "title_id", "event_type", "ts"],
        [["m1", "t1", "play", "1700000000"], ["m2", "t1", "zap", "1700000000"]],
    )
    assert (
        runner.invoke(
            app, ["ingest", "members", str(members), "--db", str(db), "--consent", "all"]
        ).exit_code
        == 0
    )
    result = runner.invoke(
        app,
        [
            "ingest",
            "titles",
            str(titles),
            "--map",
            "title_id=id",
            "--map",
            "kind=type",
            "--map",
            "name=title",
            "--db",
            str(db),
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["accepted"] == 1
    result = runner.invoke(
        app,
        [
            "ingest",
            "events",
            str(events),
            "--db",
            str(db),
            "--json",
            "--quarantine-dir",
            str(tmp_path / "q"),
        ],
    )
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)  # exactly one JSON object
    assert (out["accepted"], out["rejected"], out["duplicates"]) == (1, 1, 0)
    assert out["quarantine"] == str(tmp_path / "q" / "e.csv.rejected.csv")
    with Store.open(db, read_only=True) as store:
        assert store.scalar("SELECT count(*) FROM members_marketing") == 2


def test_cli_missing_column_is_one_line_and_exit_2(tmp_path):
    path = write_csv(
        tmp_path / "e.csv", ["member_id", "title_id", "event_type"], [["m1", "t1", "play"]]
    )
    result = runner.invoke(app, ["ingest", "events", str(path), "--db", str(tmp_path / "x.duckdb")])
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert (
        len(lines) == 1
        and "missing required column 'ts'" in lines[0]
        and "Traceback" not in result.output
    )


@pytest.mark.parametrize(
    "args,expected",
    [
        (["ingest", "plays", "f.csv"], "unknown target"),
        (["ingest", "events", "f.csv", "--consent", "some"], "--consent"),
        (["ingest", "events", "f.csv", "--map", "ts"], "--map"),
        (["import", "movielens", "/nonexistent-dir"], "not a directory"),
    ],
)
def test_cli_bad_options_are_one_line(tmp_path, args, expected):
    result = runner.invoke(app, [*args, "--db", str(tmp_path / "x.duckdb")])
    assert result.exit_code == 2 and expected in result.output


@pytest.mark.movielens
def test_movielens_import_counts_demographics_and_idempotency(movielens_dir, tmp_path):
    db = tmp_path / "ml.duckdb"
    result = runner.invoke(
        app,
        ["import", "movielens", str(movielens_dir), "--db", str(db), "--consent", "all", "--json"],
    )
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert (out["accepted"], out["rejected"], out["duplicates"], out["quarantine"]) == (
        100_000,
        0,
        0,
        None,
    )
    assert out["totals"]["accepted"] == 100_000 + 943 + 1682
    assert {k: p["accepted"] for k, p in out["parts"].items()} == {
        "members": 943,
        "titles": 1682,
        "events": 100_000,
    }
    with Store.open(db) as store:
        counts = store.counts()
        assert (counts["members"], counts["titles"], counts["events"]) == (943, 1682, 100_000)
        assert store.rows(
            "SELECT count(age_band), count(gender), count(occupation), count(country), count(city), "
            "count(*) FILTER (consent_personalisation) FROM members"
        )[0][:4] == (943, 943, 943, 943)
        assert store.scalar("SELECT count(city) FROM members") > 850  # US zips resolved to cities
        assert store.rows(
            "SELECT age_band, gender, occupation, country FROM members WHERE member_id = '1'"
        ) == [("18-24", "M", "technician", "US")]
        toy = store.rows(
            "SELECT kind, name, names, genres, release_date::VARCHAR FROM titles WHERE title_id = '1'"
        )
        assert toy == [
            (
                "film",
                "Toy Story (1995)",
                {"en": "Toy Story (1995)"},
                ["animation", "children", "comedy"],
                "1995-01-01",
            )
        ]
        genres = {g for (g,) in store.rows("SELECT DISTINCT unnest(genres) FROM titles")}
        assert {"sci-fi", "film-noir", "children", "unknown"} <= genres <= store.genre_ids()
        assert store.rows("SELECT DISTINCT event_type FROM events") == [("rate",)]
        assert store.rows(
            "SELECT ts::VARCHAR, value FROM events WHERE member_id = '196' AND title_id = '242'"
        ) == [("1997-12-04 15:55:49", 3.0)]
        # Latin-1 titles decoded (e.g. accents in foreign titles)
        assert store.scalar("SELECT count(*) FROM titles WHERE name LIKE '%é%'") > 0
        again = import_movielens(
            store, movielens_dir, consent={"analytics", "personalisation", "marketing"}
        )
        assert (again.accepted, again.duplicates) == (0, 100_000)
        assert again.to_dict()["totals"]["duplicates"] == 100_000 + 943 + 1682
        assert store.counts() | {"ingests": 0} == counts | {"ingests": 0}

"""`halqa insights` text output on small hand-made stores (real DuckDB files built by `halqa
ingest`): when the JSON says there is nothing to show, the text says why instead of an empty
table."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from halqa.cli.main import app

runner = CliRunner()

MEMBERS = "member_id,region,consent_analytics\n" + "".join(
    f"m{i},casablanca-settat,yes\n" for i in range(4)
)
TITLES = "title_id,kind,name,creator_ids\nt1,track,ⴰⵣⵓⵍ,c1\nt2,film,Dar L3ez,c2\n"
EVENTS = "member_id,title_id,event_type,ts\n" + "".join(
    f"m{i},t{1 + i % 2},play,2026-11-20T1{i}:00:00Z\n" for i in range(4)
)


def _run(*args: str):
    return runner.invoke(app, list(args))


def _store(tmp_path: Path, creators: str) -> Path:
    db = tmp_path / "mine.duckdb"
    files = {"creators": creators, "members": MEMBERS, "titles": TITLES, "events": EVENTS}
    for target, text in files.items():
        path = tmp_path / f"{target}.csv"
        path.write_text(text, encoding="utf-8")
        result = _run("ingest", target, str(path), "--db", str(db), "--json")
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout)["rejected"] == 0, result.stdout
    return db


def test_talent_without_emerging_moroccan_creators_says_so(tmp_path):
    db = _store(
        tmp_path,
        "creator_id,name,country,debut_year\nc1,حميد,MA,1990\nc2,Jean,FR,2025\n",
    )
    report = json.loads(_run("insights", "talent", "--db", str(db), "--json").stdout)
    assert report["local_creators"] == 0
    result = _run("insights", "talent", "--db", str(db))
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "no emerging Moroccan creator in the store (country MA, debut in 2021 or later)" in text
    assert "rising local talent" not in text  # no empty table


def test_talent_on_too_few_members_says_it_is_suppressed(tmp_path):
    db = _store(
        tmp_path,
        "creator_id,name,country,debut_year\nc1,ⵜⴰⵙⴰ,MA,2025\nc2,Saïd,Maroc,2024\n",
    )
    report = json.loads(_run("insights", "talent", "--db", str(db), "--json").stdout)
    assert report["local_creators"] == 2 and report["overall"]["suppressed"]
    result = _run("insights", "talent", "--db", str(db))
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert f"all regions: {report['overall']['reason']}" in text
    assert "rising local talent" not in text


def test_brief_to_a_directory_is_one_line_before_any_work(tmp_path):
    db = _store(tmp_path, "creator_id,name,country,debut_year\nc1,ⵜⴰⵙⴰ,MA,2025\nc2,Saïd,MA,2024\n")
    folder = tmp_path / "briefs"
    folder.mkdir()
    result = _run(
        "insights", "brief", "-s", "region=casablanca-settat", "--out", str(folder), "--db", str(db)
    )
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)
    assert result.output.strip() == (
        f"error: --out {folder}: is a directory; give a Markdown file name ({folder}/brief.md)"
    )
    assert not (tmp_path / "briefs_files").exists()  # no chart was drawn for nothing
    ok = _run(
        "insights",
        "brief",
        "-s",
        "region=casablanca-settat",
        "--out",
        str(folder / "b.md"),
        "--db",
        str(db),
        "--json",
    )
    assert ok.exit_code == 0, ok.output
    assert (folder / "b.md").is_file()

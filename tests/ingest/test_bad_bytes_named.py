"""A data row that is not UTF-8 is rejected naming its line, its column and its byte (as
docs/data-model.md promises), through `halqa ingest` on a real store; the other rows load and a
re-run adds nothing."""

from __future__ import annotations

import csv
import json

from typer.testing import CliRunner

from halqa.cli.main import app

runner = CliRunner()


def test_a_latin1_byte_in_a_row_names_line_field_and_byte(tmp_path):
    src = tmp_path / "members.csv"
    src.write_bytes(
        b"member_id;age_band;city\n"
        b"f1;18-24;F\xe8s\n"
        b"f2;25-34;\xd8\xa7\xd9\x84\xd8\xb1\xd8\xa8\xd8\xa7\xd8\xb7\n"  # Arabic, valid UTF-8
        b'f3;18-24;"Casa; \xe9 centre"\n'
    )
    db = tmp_path / "mine.duckdb"
    args = ["ingest", "members", str(src), "--db", str(db), "--json"]
    first = runner.invoke(app, args)
    assert first.exit_code == 0, first.output
    report = json.loads(first.stdout)
    assert (report["accepted"], report["rejected"]) == (1, 2)
    with open(report["quarantine"], encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [(r["line"], r["field"]) for r in rows] == [("2", "city"), ("4", "city")]
    assert rows[0]["reason"].startswith(
        "line 2: byte 0xE8 at column 11 is not UTF-8 (in Latin-1/Windows-1252 it would be 'è')"
    )
    assert "byte 0xE9 at column 17" in rows[1]["reason"]
    again = json.loads(runner.invoke(app, args).stdout)
    assert (again["accepted"], again["duplicates"], again["rejected"]) == (0, 1, 2)
    stats = json.loads(runner.invoke(app, ["stats", "--db", str(db), "--json"]).stdout)
    assert stats["counts"]["members"] == 1 and stats["counts"]["quarantine"] == 2

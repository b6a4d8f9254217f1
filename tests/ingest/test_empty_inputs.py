"""An empty input file is one line through `halqa ingest` that says it is empty, naming the file
once (real store file)."""

from __future__ import annotations

import gzip

import pytest
from typer.testing import CliRunner

from halqa.cli.main import app

runner = CliRunner()


@pytest.mark.parametrize(
    ("name", "says"),
    [
        ("members.csv", "the file is empty (no header row naming the columns)"),
        ("members.csv.gz", "the file is empty (no header row naming the columns)"),
        ("members.jsonl", "no JSON object found (expected one JSON object per line)"),
    ],
)
def test_an_empty_file_is_one_line_naming_it_once(tmp_path, name, says):
    path = tmp_path / name
    path.write_bytes(gzip.compress(b"") if name.endswith(".gz") else b"")
    db = tmp_path / "mine.duckdb"
    result = runner.invoke(app, ["ingest", "members", str(path), "--db", str(db)])
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)
    assert result.output.strip() == f"error: {path}: {says}"

"""What `halqa serve` says before it serves: where lists come from, or that they are off."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

import halqa.service
from halqa.catalog import Store
from halqa.cli.main import app as cli


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    db = tmp_path / "serve.duckdb"
    Store.open(db).close()
    monkeypatch.setattr(halqa.service, "serve", lambda settings, **_: None)  # say, do not serve
    return db


def test_serve_says_recommendations_are_off_when_they_are(
    store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HALQA_SERVICE_RECOMMEND", "false")
    result = CliRunner().invoke(cli, ["serve", "--db", str(store)])
    assert result.exit_code == 0, result.output
    assert "recommendations are off (HALQA_SERVICE_RECOMMEND=false)" in result.output
    assert "recommendations from" not in result.output and "no trained model" not in result.output


def test_serve_says_where_lists_would_come_from(
    store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("HALQA_SERVICE_RECOMMEND", raising=False)
    result = CliRunner().invoke(cli, ["serve", "--db", str(store)])
    assert result.exit_code == 0, result.output
    assert "no trained model at" in result.output

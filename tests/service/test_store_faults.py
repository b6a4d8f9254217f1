"""`halqa serve` on a store it must not serve: one line naming the file, exit 2, nothing started;
/health turns to 503 when the store goes bad under a running server (issue 11 items 6 and 18)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import httpx
import pytest

from halqa.catalog import Store
from halqa.catalog.integrity import check_store
from halqa.errors import DataError
from tests.service.conftest import free_port, prepare_store, start_server, stop_server
from tests.service.world import build_world

BLOCK = 256 * 1024   # DuckDB's block size
HEADERS = 3 * 4096   # its file header and two database headers come first


def _serve(db: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "halqa.cli.main", "serve", "--db", str(db), "--port", str(free_port())],
                          check=False, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "COLUMNS": "300"})


def _damaged_store(tmp_path: Path) -> Path:
    """A halqa store with one data block of ``events`` overwritten (its checksum no longer matches)."""
    db = tmp_path / "damaged.duckdb"
    with Store.open(db) as store:
        build_world(store)
        store.run("CHECKPOINT")
        block = store.scalar("SELECT max(block_id) FROM pragma_storage_info('events') WHERE block_id >= 0")
    data = bytearray(db.read_bytes())
    offset = HEADERS + int(block) * BLOCK + 64
    data[offset:offset + 256] = os.urandom(256)
    db.write_bytes(bytes(data))
    return db


def _not_halqa(tmp_path: Path) -> Path:
    db = tmp_path / "other.duckdb"
    con = duckdb.connect(str(db))
    con.execute("CREATE TABLE invoices AS SELECT range AS id FROM range(10)")
    con.close()
    return db


def _not_duckdb(tmp_path: Path) -> Path:
    db = tmp_path / "notes.duckdb"
    db.write_text("these are my notes, not a database\n" * 200)
    return db


@pytest.mark.parametrize(("make", "says"), [
    (_not_duckdb, "not a halqa store (not a DuckDB database file)"),
    (_not_halqa, "a DuckDB file but not a halqa store"),
    (_damaged_store, "the store is damaged"),
])
def test_serve_refuses_in_one_line(tmp_path: Path, make, says: str) -> None:
    db = make(tmp_path)
    before = db.read_bytes()
    result = _serve(db)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr and result.stderr.count("\n") == 1
    assert says in result.stderr and str(db) in result.stderr
    assert db.read_bytes() == before  # not "migrated" into a halqa store, not touched


def test_check_store_reads_every_block(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="damaged"):
        check_store(_damaged_store(tmp_path))


def test_health_turns_503_when_the_store_goes_bad(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("HALQA_SERVICE_HEALTH_CHECK_S", "0.2")
    monkeypatch.setenv("HALQA_SERVICE_RECOMMEND", "false")  # not needed here: a faster start
    db = tmp_path / "health.duckdb"
    prepare_store(db)
    process, url = start_server(db, tmp_path / "server.log")
    try:
        assert httpx.get(url + "/health").json() == {"status": "ok"}
        moved = db.rename(tmp_path / "moved-away.duckdb")  # the file the server was started on is gone
        time.sleep(0.3)  # past the re-check interval
        gone = httpx.get(url + "/health")
        assert gone.status_code == 503 and gone.json() == {"status": "damaged"}
        moved.rename(db)
    finally:
        stop_server(process)

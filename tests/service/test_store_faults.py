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

BLOCK = 256 * 1024  # DuckDB's block size
HEADERS = 3 * 4096  # its file header and two database headers come first


def _serve(db: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "halqa.cli.main",
            "serve",
            "--db",
            str(db),
            "--port",
            str(free_port()),
        ],
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "COLUMNS": "300"},
    )


def _damaged_store(tmp_path: Path) -> Path:
    """A halqa store with one data block of ``events`` overwritten (its checksum no longer matches)."""
    db = tmp_path / "damaged.duckdb"
    with Store.open(db) as store:
        build_world(store)
        store.run("CHECKPOINT")
        block = store.scalar(
            "SELECT max(block_id) FROM pragma_storage_info('events') WHERE block_id >= 0"
        )
    data = bytearray(db.read_bytes())
    offset = HEADERS + int(block) * BLOCK + 64
    data[offset : offset + 256] = os.urandom(256)
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


@pytest.mark.parametrize(
    ("make", "says"),
    [
        (_not_duckdb, "not a halqa store (not a DuckDB database file)"),
        (_not_halqa, "a DuckDB file but not a halqa store"),
        (_damaged_store, "the store is damaged"),
    ],
)
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
        moved = db.rename(
            tmp_path / "moved-away.duckdb"
        )  # the file the server was started on is gone
        time.sleep(0.3)  # past the re-check interval
        gone = httpx.get(url + "/health")
        assert gone.status_code == 503 and gone.json() == {"status": "damaged"}
        moved.rename(db)
    finally:
        stop_server(process)


# Routes whose answers read the store when asked (in the world of tests/service/world.py).
READS = [
    "/v1/titles",
    "/v1/members",
    "/v1/trends",
    "/v1/trends/regions",
    "/v1/data",
    "/v1/members/m001/events",
    "/v1/members/m002/events",
    "/v1/campaigns",
    "/v1/titles/t-ar-1",
]


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_store_damaged_while_serving_gives_503_and_one_log_line(
    tmp_path: Path, monkeypatch, workers: str
) -> None:
    """Issue 11: the store file truncated under a running server. Requests that need a block that is
    gone answer 503 (never 500 or 400), the log gets one line (no trace), and the server keeps
    answering what it can (keys are in memory, so refusals and whoami still work)."""
    monkeypatch.setenv("HALQA_SERVICE_RECOMMEND", "false")  # not needed here: a faster start
    db = tmp_path / "truncated.duckdb"
    _, keys = prepare_store(db)
    log = tmp_path / "server.log"
    # Not /health: its check reads every block, and blocks already read are answered from memory.
    process, url = start_server(db, log, "--workers", workers, ready="/openapi.json")
    try:
        with open(db, "r+b") as store_file:
            store_file.truncate(HEADERS)  # the headers stay; every data block is gone
        with httpx.Client(base_url=url, headers={"X-API-Key": keys["admin"]}, timeout=60) as admin:
            statuses = {path: admin.get(path).status_code for path in READS * 2}
            posted = admin.post(
                "/v1/events",
                json={
                    "member_id": "m001",
                    "title_id": "t-ar-1",
                    "event_type": "play",
                    "ts": "2026-11-30T10:00:00",
                },
            )
            assert admin.get("/v1/whoami").status_code == 200
        assert httpx.get(url + "/v1/titles").status_code == 401
        assert httpx.get(url + "/health").status_code == 503
    finally:
        stop_server(process)
    answered = set(statuses.values()) | {posted.status_code}
    assert answered <= {200, 503}, statuses | {"POST /v1/events": posted.status_code}
    assert 503 in answered
    text = log.read_text()
    assert "Traceback" not in text and "internal error" not in text, text[-3000:]
    damage_lines = [line for line in text.splitlines() if "store damaged:" in line]
    assert 1 <= len(damage_lines) <= 2 * int(workers) + 1, (
        damage_lines
    )  # at most one a minute per process
    assert "Could not read" in damage_lines[0] or "damaged" in damage_lines[0]


def test_damage_is_read_from_duckdb_not_from_what_a_user_sent() -> None:
    from halqa.catalog.store import StoreDamaged, is_store_damage
    from halqa.errors import UserError

    assert not is_store_damage(
        UserError("unknown genre 'checksum'")
    )  # a refusal quoting user input
    assert is_store_damage(StoreDamaged("x.duckdb: the store file is damaged"))
    try:
        try:
            raise duckdb.IOException('Could not read enough bytes from file "x.duckdb"')
        except duckdb.Error:
            raise UserError("while listing titles") from None
    except UserError as raised:
        assert is_store_damage(raised)  # raised while DuckDB was failing to read a block


def test_damage_is_logged_once_a_minute_per_process(caplog) -> None:
    import logging

    from halqa.service import faults

    log, now = logging.getLogger("halqa.service.test-faults"), [1000.0]
    faults._last_logged, faults._unlogged = None, 0
    with caplog.at_level(logging.ERROR, logger=log.name):
        logged = []
        for step in (0, 1, 30, 59, 61, 62):
            now[0] = 1000.0 + step
            logged.append(
                faults.log_damage(log, OSError("Could not read enough bytes"), clock=lambda: now[0])
            )
    assert logged == [True, False, False, False, True, False]
    assert [r.getMessage() for r in caplog.records] == [
        "store damaged: Could not read enough bytes",
        "store damaged: Could not read enough bytes (3 more requests hit it since the last line)",
    ]
    faults._last_logged, faults._unlogged = None, 0

"""/health says what is known now: between its full checks (``health_check_s``, here an hour) it
still turns 503 at once when the store file is gone or when a request or the writer has met a
damaged store."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import duckdb
import httpx
import pytest
from starlette.testclient import TestClient

from halqa.catalog import Store, integrity
from halqa.ingest import live
from halqa.service.app import create_app
from halqa.service.settings import Settings
from halqa.service.writer import EventWriter
from tests.service.conftest import prepare_store, start_server, stop_server


@pytest.fixture(autouse=True)
def _hourly_checks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HALQA_SERVICE_HEALTH_CHECK_S", "3600")
    monkeypatch.setenv("HALQA_SERVICE_RECOMMEND", "false")  # not needed here: a faster start


def test_a_store_file_gone_turns_health_503_at_once(tmp_path: Path) -> None:
    db = tmp_path / "gone.duckdb"
    prepare_store(db)
    process, url = start_server(db, tmp_path / "server.log")
    try:
        assert httpx.get(url + "/health").json() == {"status": "ok"}  # checked, kept an hour
        moved = db.rename(tmp_path / "moved-away.duckdb")
        gone = httpx.get(url + "/health")
        assert gone.status_code == 503 and gone.json() == {"status": "damaged"}
        moved.rename(db)
    finally:
        stop_server(process)


def _damaged(*_: object, **__: object) -> None:
    raise duckdb.IOException('Could not read enough bytes from file "seen.duckdb"')


def test_damage_a_request_met_turns_health_503_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "seen.duckdb"
    _, keys = prepare_store(db)
    with TestClient(create_app(Settings(db=db, dashboard=False))) as client:
        assert client.get("/health").status_code == 200  # checked, kept an hour
        monkeypatch.setattr(integrity, "check_connection", _damaged)  # the store goes bad...
        assert client.get("/health").status_code == 200  # ...which nobody has met yet
        monkeypatch.setattr(client.app.state.halqa.backend, "list_titles", _damaged)
        admin = {"X-API-Key": keys["admin"]}
        assert client.get("/v1/titles", headers=admin).status_code == 503  # a request meets it
        assert client.get("/health").status_code == 503


def test_damage_the_writer_met_is_told_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    told = []
    with Store.open(tmp_path / "writer.duckdb") as store:
        writer = EventWriter(store, on_damage=lambda: told.append(True))
        writer.start()
        monkeypatch.setattr(live, "stored_keys", _damaged)
        row = {"member_id": "m", "title_id": "t", "event_type": "play", "ts": datetime(2026, 1, 1)}
        with pytest.raises(duckdb.IOException):
            writer.post_events([row]).result(timeout=60)
        writer.stop()
    assert told == [True]

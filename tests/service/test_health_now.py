"""/health says what is known now: between its full checks (``health_check_s``, here an hour) it
still turns 503 at once when the store file is gone or when a request has met a damaged store."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.service.conftest import prepare_store, start_server, stop_server
from tests.service.test_store_faults import HEADERS


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


@pytest.mark.parametrize("workers", ["1", "2"])
def test_damage_a_request_met_turns_health_503_at_once(tmp_path: Path, workers: str) -> None:
    db = tmp_path / "truncated.duckdb"
    _, keys = prepare_store(db)
    process, url = start_server(db, tmp_path / "server.log", "--workers", workers)
    try:
        assert httpx.get(url + "/health").status_code == 200  # checked at start, kept an hour
        with open(db, "r+b") as store_file:
            store_file.truncate(HEADERS)  # the headers stay; every data block is gone
        with httpx.Client(base_url=url, headers={"X-API-Key": keys["admin"]}, timeout=60) as admin:
            statuses = {admin.get(path).status_code for path in ("/v1/titles", "/v1/data") * 2}
        assert 503 in statuses
        assert httpx.get(url + "/health").status_code == 503
    finally:
        stop_server(process)

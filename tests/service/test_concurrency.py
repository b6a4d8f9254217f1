"""Many clients posting at once: nothing lost, nothing duplicated, reads keep answering.

The full 32-client / 100,000-event run is `bench/serve.py`; this is the same
scenario scaled down, against one worker and against two (store process).
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

import httpx
import pytest

from halqa.catalog import Store
from tests.service.conftest import prepare_store, start_server, stop_server

CLIENTS = 32


def _events(client_no: int, n: int, members: list[str], titles: list[str]) -> list[dict]:
    base = datetime(2026, 11, 1) + timedelta(seconds=client_no)
    return [
        {
            "member_id": members[(client_no + i) % len(members)],
            "title_id": titles[i % len(titles)],
            "event_type": "play",
            "ts": (base + timedelta(minutes=i)).isoformat(),
            "device": f"c{client_no}",
            "source": "concurrency-test",
        }
        for i in range(n)
    ]


@pytest.mark.parametrize("workers", [1, 2])
def test_concurrent_posts_lose_and_duplicate_nothing(tmp_path, workers: int) -> None:
    db = tmp_path / "conc.duckdb"
    world, keys = prepare_store(db)
    process, url = start_server(
        db, tmp_path / "server.log", "--workers", str(workers), "--rate-limit", "100000"
    )
    per_client = 25
    outcomes: list[dict] = []
    read_codes: list[int] = []
    stop = threading.Event()

    def post(client_no: int) -> list[dict]:
        events = _events(client_no, per_client, world["members"], world["titles"])
        results = []
        with httpx.Client(
            base_url=url, headers={"X-API-Key": keys["service"]}, timeout=60
        ) as client:
            for i, event in enumerate(events):
                if i % 2:
                    results.append(client.post("/v1/events", json=event).json())
                # every client also retries some events in a batch, as a flaky network would
            batch = events[::2] + events[:5]
            results.append(client.post("/v1/events/batch", json={"events": batch}).json())
        return results

    def read() -> None:
        with httpx.Client(
            base_url=url, headers={"X-API-Key": keys["analyst"]}, timeout=60
        ) as client:
            while not stop.is_set():
                read_codes.append(client.get("/v1/titles/t-ar-1").status_code)
                time.sleep(0.01)

    reader = threading.Thread(target=read)
    reader.start()
    try:
        with ThreadPoolExecutor(CLIENTS) as pool:
            for results in pool.map(post, range(CLIENTS)):
                outcomes.extend(results)
    finally:
        stop.set()
        reader.join()
        stop_server(process)
    accepted = sum(r["accepted"] for r in outcomes)
    duplicates = sum(r["duplicates"] for r in outcomes)
    sent_distinct = CLIENTS * per_client
    assert accepted == sent_distinct
    assert duplicates == CLIENTS * 5
    assert read_codes and set(read_codes) == {200}
    with Store.open(db, read_only=True) as store:
        stored, distinct = store.rows(
            "SELECT count(*), count(DISTINCT (member_id, title_id, event_type, ts)) FROM events "
            "WHERE source = 'concurrency-test'"
        )[0]
    assert stored == distinct == sent_distinct


def test_two_workers_never_serve_a_list_older_than_an_acknowledged_event(tmp_path) -> None:
    """Each HTTP worker caches lists; shared version counters make a posted event visible on all of them."""
    db = tmp_path / "fresh.duckdb"
    world, keys = prepare_store(db)
    process, url = start_server(
        db, tmp_path / "server.log", "--workers", "2", "--rate-limit", "100000"
    )
    try:
        with httpx.Client(
            base_url=url, headers={"X-API-Key": keys["service"]}, timeout=60
        ) as client:

            def fresh_connection_list() -> list[dict]:  # a new connection lands on either worker
                return httpx.get(
                    f"{url}/v1/recommendations/m011",
                    params={"k": 10},
                    headers={"X-API-Key": keys["service"]},
                    timeout=60,
                ).json()["items"]

            lists = [fresh_connection_list() for _ in range(8)]
            assert all(items == lists[0] for items in lists)  # every worker (and its cache) agrees
            films = [
                i["title_id"]
                for i in lists[0]
                if client.get(f"/v1/titles/{i['title_id']}").json()["kind"] == "film"
            ]
            posted = client.post(
                "/v1/events",
                json={
                    "member_id": "m011",
                    "title_id": films[0],
                    "event_type": "complete",
                    "ts": "2026-11-22T21:00:00Z",
                },
            )
            assert posted.status_code == 201
            after = [fresh_connection_list() for _ in range(8)]
    finally:
        stop_server(process)
    assert all(films[0] not in [i["title_id"] for i in items] for items in after)

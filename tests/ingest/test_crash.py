"""A process killed in the middle of an ingest leaves the store consistent; a re-run completes it."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

import duckdb

from halqa.catalog import Store
from halqa.ingest import ingest_files
from tests.ingest.conftest import write_csv

N_EVENTS = 1_000_000
CHILD = """
import sys
from halqa.catalog import Store
from halqa.ingest import ingest_files
store = Store.open(sys.argv[1])
ingest_files(store, "events", [sys.argv[2]], progress=lambda message, rows: print(message, file=sys.stderr, flush=True))
print("finished", file=sys.stderr, flush=True)
"""


def test_killed_ingest_leaves_store_consistent_and_rerun_completes(store_path, tmp_path):
    members = write_csv(tmp_path / "m.csv", ["member_id"], [[f"m{i}"] for i in range(100)])
    titles = write_csv(
        tmp_path / "t.csv",
        ["title_id", "kind", "name"],
        [[f"t{i}", "film", f"T{i}"] for i in range(50)],
    )
    events = tmp_path / "events.csv"
    duckdb.sql(f"""COPY (SELECT 'm' || (i % 100) AS member_id, 't' || (i % 50) AS title_id, 'play' AS event_type,
        1600000000 + i AS ts, i % 7 AS value FROM range({N_EVENTS}) t(i)) TO '{events}' (HEADER)""")
    with Store.open(store_path) as store:
        ingest_files(store, "members", [members])
        ingest_files(store, "titles", [titles])

    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(store_path), str(events)],
        stderr=subprocess.PIPE,
        text=True,
    )
    assert child.stderr is not None
    line = (
        child.stderr.readline()
    )  # "events: reading events.csv": the transaction is about to start
    assert "reading" in line, line
    time.sleep(0.3)
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=30)
    rest = child.stderr.read()
    assert child.returncode == -signal.SIGKILL and "finished" not in rest, (
        "the ingest ended before the kill"
    )

    with Store.open(store_path) as store:
        # Nothing half-written: the file's transaction never committed.
        assert store.scalar("SELECT count(*) FROM events") == 0
        assert store.rows("SELECT status FROM ingests WHERE target = 'events'") == [("running",)]
        assert store.scalar("SELECT count(*) FROM members") == 100
        report = ingest_files(store, "events", [events])
        assert (report.accepted, report.rejected, report.duplicates) == (N_EVENTS, 0, 0)
        assert store.scalar("SELECT count(*) FROM events") == N_EVENTS
        assert store.rows(
            "SELECT status FROM ingests WHERE target = 'events' ORDER BY ingest_id"
        ) == [("interrupted",), ("done",)]
        assert ingest_files(store, "events", [events]).duplicates == N_EVENTS
        assert store.scalar("SELECT count(*) FROM events") == N_EVENTS

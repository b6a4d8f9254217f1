"""The single writer on a real store file: group commit, de-duplication, and the known-id cache."""

from __future__ import annotations

from datetime import datetime

from halqa.catalog import Store
from halqa.service.writer import EventWriter
from tests.service.world import build_world


def _event(member: str, title: str, minute: int) -> dict:
    return {
        "member_id": member,
        "title_id": title,
        "event_type": "play",
        "ts": datetime(2026, 11, 20, 10, minute),
        "value": None,
        "device": None,
        "source": "writer-test",
    }


def test_known_ids_never_hide_a_member_added_or_accept_an_unknown_one(tmp_path) -> None:
    with Store.open(tmp_path / "w.duckdb") as store:
        build_world(store)
        writer = EventWriter(Store(store.con.cursor(), store.path))
        writer.start()
        try:
            first = writer.post_events(
                [_event("m001", "t-ar-1", 0), _event("m002", "t-ar-1", 1)]
            ).result(30)
            assert [o["status"] for o in first] == ["accepted", "accepted"]
            assert {"m001", "m002"} <= writer._known[
                "member_id"
            ]  # the next batch of these skips the look-up
            # A known member with an unknown title, and an unknown member with a known title: both rejected.
            mixed = writer.post_events(
                [
                    _event("m001", "nope", 2),
                    _event("ghost", "t-ar-1", 3),
                    _event("m001", "t-ar-1", 0),
                ]
            ).result(30)
            assert [o["status"] for o in mixed] == ["rejected", "rejected", "duplicate"]
            assert [o["field"] for o in mixed[:2]] == ["title_id", "member_id"]
            # The member is created through the writer (as the API's upsert does); the cache is dropped.
            writer.call(
                lambda s: s.run(
                    "INSERT INTO members (member_id, consent_analytics) VALUES ('ghost', TRUE)"
                )
            ).result(30)
            assert not writer._known["member_id"]
            late = writer.post_events([_event("ghost", "t-ar-1", 3)]).result(30)
            assert [o["status"] for o in late] == ["accepted"]
        finally:
            writer.stop()
        assert store.scalar("SELECT count(*) FROM events WHERE source = 'writer-test'") == 3
        assert store.scalar("SELECT count(*) FROM quarantine WHERE file = 'api'") == 2


def test_a_bad_event_posted_again_is_quarantined_once(tmp_path) -> None:
    """Issue 11: the API's quarantine is idempotent like ingest's, within a request, across requests
    and across server runs; the client is still told each time that the event was rejected."""
    bad = _event("m001", "لا-يوجد", 5)  # an unknown title, named in Arabic
    with Store.open(tmp_path / "q.duckdb") as store:
        build_world(store)
        for _ in range(2):  # two server runs
            writer = EventWriter(Store(store.con.cursor(), store.path))
            writer.start()
            try:
                for batch in ([bad, bad], [bad], [_event("ghost", "t-ar-1", 6), bad]):
                    outcomes = writer.post_events(batch).result(30)
                    assert all(o["status"] == "rejected" for o in outcomes)
            finally:
                writer.stop()
        quarantined = store.rows(
            "SELECT field, reason, raw FROM quarantine WHERE file = 'api' ORDER BY field"
        )
    assert [(f, r) for f, r, _ in quarantined] == [
        ("member_id", "unknown member 'ghost' (PUT it to /v1/members first)"),
        ("title_id", "unknown title 'لا-يوجد' (PUT it to /v1/titles first)"),
    ]
    assert '"لا-يوجد"' in quarantined[1][2]  # the raw event byte-exact, not escaped

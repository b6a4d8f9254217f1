"""A title's and a creator's page (halqa.insights.profile), search, and the seasons between two dates,
on a real store: suppression under k, partial weeks, names byte-exact in every script."""

from __future__ import annotations

import datetime as dt

import pytest

from halqa.catalog import Store
from halqa.errors import NotFoundError
from halqa.insights.calendar import hijri_season, seasons_between
from halqa.insights.profile import profile, search
from halqa.recommend.saved import model_status, record_run
from tests.service.world import build_world


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    db = tmp_path_factory.mktemp("profile") / "w.duckdb"
    with Store.open(db) as s:
        build_world(s)
    with Store.open(db, read_only=True) as s:
        yield s


def test_creator_profile_counts_distinct_members_and_suppresses_small_cells(store):
    page = profile(store, "creator", "c0", weeks=26, k=10)
    assert page["name"] == "ⵎⵓⵃⵎⵎⴷ" and page["titles"] == 8
    fans = store.rows(
        """SELECT m.gender, count(DISTINCT e.member_id) FROM events_analytics e
        JOIN titles t USING (title_id) JOIN members_analytics m USING (member_id)
        WHERE list_contains(t.creator_ids, 'c0') AND e.ts >= ? GROUP BY 1""",
        [dt.datetime.fromisoformat(page["window"]["start"])],
    )
    assert page["audience"]["gender"] == {
        g: n for g, n in sorted(fans, key=lambda r: -r[1]) if n >= 10
    }
    small = profile(store, "creator", "c0", weeks=26, k=1000)
    assert all(v is None for dim in small["audience"].values() for v in dim.values())
    assert small["fans_also_like"]["suppressed"] and small["fans_also_like"]["rows"] == []
    assert all(v is None for v in small["timeline"]["plays"])


def test_weeks_cut_by_the_window_or_the_first_event_are_partial(store):
    page = profile(store, "creator", "c0", weeks=4, k=1)
    tl = page["timeline"]
    assert (
        tl["partial"][0] and tl["partial"][-1]
    )  # a 28-day window never starts and ends on week bounds here
    assert not any(tl["partial"][1:-1])
    first = store.scalar("SELECT min(ts) FROM events_analytics").date()
    whole = profile(store, "creator", "c0", weeks=52, k=1)["timeline"]
    monday = dt.date.fromisoformat(whole["weeks"][0])
    assert whole["partial"][0] == (
        monday < first
    )  # the data begins mid-week: its first week is partial


def test_title_profile_names_its_creators_and_unknown_ids_are_404s(store):
    page = profile(store, "title", "t-zgh-1", k=5)
    assert page["name"] == "ⴰⵎⴰⵏ ⵉⵎⴰⵏ" and page["creators"] == [
        {"id": "c1", "name": "Artiste", "country": "FR"}
    ]
    assert all(r["item"] != "t-zgh-1" for r in page["fans_also_like"]["rows"])
    with pytest.raises(NotFoundError, match="no-such"):
        profile(store, "title", "no-such")


def test_search_matches_any_script_and_ids(store):
    assert [t["id"] for t in search(store, "ⴰⵎⴰⵏ")["titles"]] == ["t-zgh-1"]
    assert [t["id"] for t in search(store, "الزين")["titles"]] == ["t-ar-1"]
    assert search(store, "CASABLANCA")["titles"][0]["id"] == "t-en-1"  # case-insensitive
    assert [c["id"] for c in search(store, "ⵎⵓⵃ")["creators"]] == ["c0"]
    assert search(store, "   ") == {"titles": [], "creators": []}


def test_seasons_between_come_from_the_hijri_calendar():
    found = seasons_between(dt.date(2026, 1, 1), dt.date(2027, 1, 1))
    ramadan = hijri_season("ramadan", 1447)
    assert {
        "name": "ramadan",
        "calendar": "hijri",
        "start": str(ramadan.start),
        "end": str(ramadan.end),
    } in found
    assert [s["name"] for s in found].count("eid-al-adha") == 1
    assert [s["start"] for s in found] == sorted(s["start"] for s in found)
    assert seasons_between(dt.date(2026, 10, 1), dt.date(2026, 10, 20)) == []


def test_model_status_reads_what_train_and_evaluate_kept(tmp_path):
    model = tmp_path / "recommender.pkl"
    assert model_status(model) == {"trained_at": None, "training": None, "evaluation": None}
    model.write_bytes(b"model")
    record_run(model, "training", {"model": "hybrid", "fit_seconds": 1.5})
    record_run(
        model, "evaluation", {"k": 10, "results": {"chronological/hybrid": {"ndcg@10": 0.2}}}
    )
    status = model_status(model)
    assert status["trained_at"] and status["training"]["model"] == "hybrid"
    assert status["evaluation"]["results"]["chronological/hybrid"]["ndcg@10"] == 0.2
    (tmp_path / "recommender.pkl.evaluation.json").write_text("{half", encoding="utf-8")
    assert (
        model_status(model)["evaluation"] is None
    )  # a broken file says nothing rather than failing

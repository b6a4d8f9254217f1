"""The API behind the dashboard's own pages: the Trends timeline's partial weeks, any dates on
Trends, a title's and a creator's profile, search, the seasons, the model's status, list marks."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from tests.service.conftest import Served


def test_the_timeline_flags_weeks_cut_by_the_window_or_the_data(served: Served) -> None:
    with served.client("analyst") as client:
        for weeks in (4, 26, 260):
            tl = client.get("/v1/trends/timeline", params={"weeks": weeks}).json()
            start, last = (datetime.fromisoformat(tl["window"][k]) for k in ("start", "end"))
            assert (last - start).days <= 7 * weeks
            for week, partial in zip(tl["weeks"], tl["partial"]):
                monday = datetime.fromisoformat(week)
                assert partial == (monday < start or monday + timedelta(days=7) > last), (
                    weeks,
                    week,
                )
            assert tl["partial"][-1]  # the last event is not on a Sunday at midnight
            if weeks == 4:
                assert tl["partial"][0]  # 28 days back from the last event's time of day: mid-week
            assert not any(tl["partial"][1:-1])


def test_any_dates_on_trends_timeline_and_regions(served: Served) -> None:
    with served.client("analyst") as client:
        trend = client.get("/v1/trends", params={"window": "14d", "as_of": "2026-10-01"}).json()
        assert trend["window"] == {"days": 14, "start": "2026-09-17", "end": "2026-10-01"}
        tl = client.get("/v1/trends/timeline", params={"weeks": 2, "as_of": "2026-10-01"}).json()
        assert all(date.fromisoformat(w) < date(2026, 10, 1) for w in tl["weeks"])
        regions = client.get(
            "/v1/trends/regions", params={"days": 14, "as_of": "2026-10-01"}
        ).json()
        everything = client.get("/v1/trends/regions", params={"days": 3650}).json()
        total = sum(r["plays"] or 0 for r in regions["rows"])
        assert 0 < total < sum(r["plays"] or 0 for r in everything["rows"])
        assert client.get("/v1/trends", params={"as_of": "01/10/2026"}).status_code == 422


def test_profiles_search_and_seasons(served: Served) -> None:
    with served.client("creator") as client:  # aggregates only: creators may open them
        title = client.get("/v1/titles/t-ar-1/profile").json()
        assert title["name"] == "الزين اللي فيك" and title["entity"] == "title"
        assert set(title["audience"]) == {"age_band", "gender", "region"}
        assert all(
            v is None or v >= title["k"] for dim in title["audience"].values() for v in dim.values()
        )
        creator = client.get("/v1/creators/c2/profile").json()
        assert creator["name"] == "فنان" and creator["country"] == "MA"
        assert client.get("/v1/creators/nobody/profile").status_code == 404
        found = client.get("/v1/search", params={"q": "Lalla"}).json()
        assert [t["id"] for t in found["titles"]] == ["t-ary-1"] and "members" not in found
        seasons = client.get(
            "/v1/seasons", params={"start": "2026-01-01", "end": "2026-04-01"}
        ).json()["items"]
        assert [s["name"] for s in seasons] == ["ramadan", "eid-al-fitr"]
        assert (
            client.get(
                "/v1/seasons", params={"start": "2000-01-01", "end": "2026-01-01"}
            ).status_code
            == 400
        )


def test_lists_mark_local_titles_and_the_model_says_what_it_is(served: Served) -> None:
    with served.client("analyst") as client:
        info = client.get("/v1/recommender").json()
        assert info["status"]["trained_at"] and info["status"]["evaluation"] is None
        member = client.get("/v1/recommender/members", params={"limit": 1}).json()["items"][0][
            "member_id"
        ]
        items = client.get(
            f"/v1/recommendations/{member}", params={"local_share": 1, "k": 8}
        ).json()["items"]
    # the world's titles have creator c{i % 4}; c0 and c2 are Moroccan (tests/service/world.py)
    moroccan = {t for i, t in enumerate(served.world["titles"]) if i % 4 in (0, 2)}
    assert [i["local"] for i in items] == [i["title_id"] in moroccan for i in items]
    scores = [i["score"] for i in items]
    assert [i["placed"] for i in items] == [
        any(s > scores[j] for s in scores[j + 1 :]) for j in range(len(scores))
    ]


def test_the_member_picker_pages_and_its_old_spelling_still_answers(served: Served) -> None:
    with served.client("analyst") as client:
        first = client.get("/v1/recommender/members", params={"limit": 2}).json()
        second = client.get("/v1/recommender/members", params={"limit": 2, "offset": 2}).json()
        old = client.get("/v1/recommendations-members", params={"limit": 4}).json()
    assert (first["limit"], first["offset"], second["offset"]) == (2, 0, 2)
    assert first["total"] == second["total"] >= 4
    assert old == first["items"] + second["items"]

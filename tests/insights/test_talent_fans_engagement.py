import pytest

from halqa.errors import NotFoundError
from halqa.insights import demand_supply, engagement, fans_also_like, rising_talent, segment_lift

from . import world


def test_planted_emerging_moroccan_creators_are_rising_local_talent(world_store):
    result = rising_talent(world_store, window="84d", as_of=world.RISING_AS_OF)
    overall = {r["creator_id"] for r in result["overall"]["rows"]}
    assert set(world.EMERGING) <= overall
    # established (debut 2001-2006) and foreign creators are never listed
    assert all(
        r["creator_id"].startswith("c-new") or r["creator_id"] == "c-ar"
        for r in result["overall"]["rows"]
    )
    assert all(r["growth_low"] > 1 and r["audience"] >= 20 for r in result["overall"]["rows"])
    casa = result["regions"]["casablanca-settat"]
    assert not casa["suppressed"] and {r["creator_id"] for r in casa["rows"]} & set(world.EMERGING)
    assert result["regions"]["oriental"]["suppressed"]  # nobody lives there in this world


def test_fans_also_like_is_popularity_normalised(world_store):
    result = fans_also_like(world_store, "t-rap-0", window="28d", as_of=world.RISING_AS_OF)
    assert result["target_audience"] >= 10 and result["rows"]
    items = [r["item"] for r in result["rows"]]
    assert "t-rap-0" not in items
    scores = [r["score"] for r in result["rows"]]
    assert scores == sorted(scores, reverse=True)
    assert all(r["overlap"] >= 10 for r in result["rows"])
    creators = fans_also_like(world_store, "c-new-1", entity="creator", as_of=world.RISING_AS_OF)
    assert creators["rows"] and all(r["item"] != "c-new-1" for r in creators["rows"])
    with pytest.raises(NotFoundError):
        fans_also_like(world_store, "no-such-title")


def test_fans_of_a_tiny_audience_are_suppressed(world_store):
    result = fans_also_like(world_store, "t-tiny", as_of=world.RISING_AS_OF)
    assert result["suppressed"] and result["rows"] == [] and result["target_audience"] is None


def test_engagement_rates_are_proportions_and_series_repeat_in_ramadan(world_store):
    result = engagement(world_store, None, by="kind", as_of=world.RAMADAN_AS_OF)
    rows = {r["item"]: r for r in result["rows"]}
    assert set(rows) == {"series", "film", "track"}
    for r in rows.values():
        assert (
            0 <= r["completion_rate"] <= 1
            and 0 <= r["repeat_rate"] <= 1
            and 0 <= r["retention"] <= 1
        )
    assert rows["series"]["repeat_rate"] > rows["film"]["repeat_rate"]
    by_genre = engagement(world_store, ["age_band=18-24"], by="genre", as_of=world.RISING_AS_OF)
    assert by_genre["rows"] and not by_genre["suppressed"]
    assert engagement(world_store, ["gender=X"], as_of=world.RISING_AS_OF)["suppressed"]


def test_engagement_matches_a_direct_count(world_store):
    result = engagement(world_store, None, by="kind", as_of=world.RISING_AS_OF)
    track = next(r for r in result["rows"] if r["item"] == "track")
    pairs = world_store.scalar("""SELECT count(*) FROM (SELECT DISTINCT e.member_id, e.title_id
        FROM events_analytics e JOIN titles t USING (title_id)
        WHERE t.kind = 'track' AND e.ts >= '2026-05-04' AND e.ts < '2026-06-01')""")
    assert track["pairs"] == pairs


def test_demand_supply_flags_follow_the_rule(world_store):
    result = demand_supply(
        world_store, ["age_band=18-24", "region=casablanca-settat"], as_of=world.RISING_AS_OF
    )
    assert result["rows"]
    for r in result["rows"]:
        assert r["titles"] >= 1 and r["pairs_per_title"] == pytest.approx(
            r["pairs"] / r["titles"], abs=0.01
        )


def test_lift_by_kind_and_length(world_store):
    by_kind = segment_lift(
        world_store,
        ["age_band=18-24", "region=casablanca-settat"],
        by="kind",
        as_of=world.RISING_AS_OF,
    )
    assert {r["item"] for r in by_kind["rows"]} <= {"film", "series", "track"}
    assert by_kind["rows"][0]["item"] == "track"  # rap is music


def test_talent_trend_is_weekly_and_counts_distinct_listeners(world_store):
    result = rising_talent(world_store, window="84d", as_of=world.RISING_AS_OF, regions=False)
    assert result["window"] == {"start": "2026-03-09", "end": "2026-06-01", "weeks": 12}
    rows = result["overall"]["rows"]
    assert {r["creator_id"] for r in rows} >= set(world.EMERGING)
    for r in rows:
        assert r["growth_low"] > 1 and r["q_value"] <= 0.05
        assert r["weekly_audience_last_4"] > r["weekly_audience_first_4"]
    # an audience can never exceed the members who were active
    active = world_store.scalar("""SELECT count(DISTINCT member_id) FROM events_analytics
        WHERE ts >= '2026-03-09' AND ts < '2026-06-01'""")
    assert all(r["audience"] <= active for r in rows)

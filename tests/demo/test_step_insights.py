"""Done means: on a small generated demo world, the insights find what the generator planted.

planted.json is read only to check the results.
"""

import datetime as dt
import io

import pytest
from rich.console import Console

from halqa.catalog import Store
from halqa.demo.steps.insights import demo_step, latest_ramadan_end
from halqa.insights import rising_talent, trends

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from halqa.demo.run import build_store
    from halqa.demo.world import generate_world

    out = tmp_path_factory.mktemp("demo")
    world = generate_world(out, seed=7, members=4000, titles=400, events=400_000)
    build_store(world, out / "halqa.duckdb", fresh=True)
    return world, out / "halqa.duckdb"


@pytest.fixture
def demo_store(demo):
    with Store.open(demo[1], read_only=True) as store:
        yield store


def test_planted_rising_genre_is_top3_rising_in_its_segment(demo, demo_store):
    planted = demo[0].planted["rising"]
    segment = [f"{k}={v}" for k, v in planted["segment"].items()]
    # eight weeks against the eight before: a ramp that multiplies the genre's odds over two
    # months shows with room to spare (28 days against 28 also finds it, with less margin)
    report = trends(demo_store, segment, by="genre", window="56d")
    assert planted["genre"] in [r["item"] for r in report["rising"][:3]]


def test_ramadan_surge_is_attributed_to_the_season_against_the_previous_ramadan(demo, demo_store):
    periods = {p["hijri_year"]: p for p in demo[0].planted["ramadan"]["periods"]}
    as_of = latest_ramadan_end(demo_store, dt.date.fromisoformat(demo[0].planted["scale"]["end"]))
    report = trends(demo_store, None, by="genre", as_of=as_of)
    base = report["baseline"]
    assert (
        base["kind"] == "hijri_season" and base["season"] == "ramadan" and "Ramadan" in base["note"]
    )
    latest = max(y for y, p in periods.items() if dt.date.fromisoformat(p["end"]) < as_of)
    previous = periods[latest - 1]
    assert previous["start"] <= base["baseline"]["start"] and base["baseline"]["end"] <= str(
        dt.date.fromisoformat(previous["end"]) + dt.timedelta(days=1)
    )
    attributed = {r["item"]: r for r in report["season"]["attributed_to_season"]}
    assert "ramadan-sitcom" in attributed
    assert "ramadan-sitcom" not in [r["item"] for r in report["rising"]]
    sitcom = attributed["ramadan-sitcom"]
    assert sitcom["recent_growth"] > 2 and sitcom["season_p_value"] > 0.05


def test_planted_emerging_artists_are_rising_local_talent(demo, demo_store):
    planted = {a["creator_id"] for a in demo[0].planted["emerging_artists"]}
    result = rising_talent(demo_store)
    found = {r["creator_id"] for r in result["overall"]["rows"]}
    assert planted <= found
    assert any(block["rows"] for block in result["regions"].values())


@pytest.mark.parametrize("segment", [None, ["age_band=18-24"], ["region=souss-massa"]])
def test_no_title_under_minimum_support_is_rising(demo_store, segment):
    for min_support in (20, 50):
        report = trends(demo_store, segment, by="title", top=200, min_support=min_support)
        if segment is None and min_support == 20:
            assert report["rising"], "new releases should rise in the demo world"
        assert all(r["count"] >= min_support and r["members"] >= 10 for r in report["rising"])


def test_demo_step_reports_what_was_planted(demo, demo_store):
    result = demo_step(demo_store, demo[0], Console(file=io.StringIO()))
    checks = result["checks"]
    # the scan of every age band x region segment puts the planted one first, and its genre in its top 3
    assert checks["planted_segment_found_first"], result["strongest_risers"]
    assert checks["rising_genre_in_top3"] and checks["ramadan_attributed_to_season"]
    assert checks["emerging_artists_found"] == checks["emerging_artists_planted"]
    assert result["brief_charts"] >= 3


def test_gnaoua_june_peak_is_attributed_to_the_gregorian_season(demo, demo_store):
    festival = demo[0].planted["festivals"][-1]
    as_of = dt.date.fromisoformat(festival["end"]).replace(day=1) + dt.timedelta(days=31)
    as_of = as_of.replace(day=1)  # 1 July: the window is June
    report = trends(demo_store, None, by="genre", as_of=as_of)
    assert (
        report["baseline"]["kind"] == "gregorian_season"
        and report["baseline"]["season"] == "gnaoua-festival"
    )
    assert festival["genre"] not in [r["item"] for r in report["rising"]]
    assert festival["genre"] in [r["item"] for r in report["season"]["attributed_to_season"]]

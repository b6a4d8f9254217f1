"""On the seeded demo world, the two new releases reach the segments the generator made fond of them."""

from __future__ import annotations

import pytest

from halqa.catalog import Store

pytestmark = pytest.mark.slow
FOND = "('souss-massa', 'draa-tafilalet', 'guelmim-oued-noun', 'beni-mellal-khenifra')"


@pytest.fixture(scope="module")
def found(tmp_path_factory):
    from halqa.demo import generate_world
    from halqa.demo.run import build_store
    from halqa.demo.steps.targeting import target_releases

    out = tmp_path_factory.mktemp("demo-audience")
    world = generate_world(out / "world", seed=7, members=2_000, titles=300, events=120_000)
    db = out / "halqa.duckdb"
    build_store(world, db, fresh=True)
    with Store.open(db) as store:
        result = target_releases(store, dict(world.new_releases), top=100)
        result["planted"] = world.planted
        # Who really listens to the Amazigh pop already in the catalogue: the audience to match.
        result["truth"] = dict(
            zip(
                ("speakers", "language_or_region"),
                store.rows(f"""
            WITH listeners AS (SELECT DISTINCT member_id FROM events_marketing e JOIN titles t USING (title_id)
                               WHERE list_contains(t.genres, 'amazigh-pop'))
            SELECT avg(list_has_any(m.languages, ['zgh', 'shi', 'tzm', 'rif'])::INT),
                   avg((list_has_any(m.languages, ['zgh', 'shi', 'tzm', 'rif']) OR m.region IN {FOND})::INT)
            FROM listeners JOIN members_marketing m USING (member_id)""")[0],
            )
        )
        return result


def test_amazigh_release_reaches_amazigh_speakers_and_regions(found):
    res, truth = found["amazigh_music"], found["truth"]
    # Mostly members who speak an Amazigh language or live where the generator made it popular,
    # at least as concentrated as the real listeners of the Amazigh pop already in the catalogue.
    assert res["amazigh_language_or_region"]["audience_share"] > 0.5
    assert res["amazigh_language_or_region"]["audience_share"] >= truth["language_or_region"] - 0.03
    assert res["amazigh_speakers"]["audience_share"] >= truth["speakers"] - 0.03
    assert res["amazigh_speakers"]["ratio"] >= 1.5 and res["amazigh_fond_regions"]["ratio"] >= 1.5
    regions = [k for k, v in res["breakdown"]["region"].items() if v]
    assert "souss-massa" in regions[:2]
    languages = {k for k, v in res["breakdown"]["language"].items() if v}
    assert languages & {"zgh", "shi", "tzm"}


def test_ramadan_comedy_reaches_ramadan_series_watchers(found):
    res = found["ramadan_series"]
    assert res["ramadan_series_watchers"]["audience_share"] > 0.8
    assert res["ramadan_series_watchers"]["ratio"] >= 1.5
    assert res["amazigh_speakers"]["ratio"] < found["amazigh_music"]["amazigh_speakers"]["ratio"]


def test_the_scan_finds_the_planted_fans_first(found):
    """Each audience's most over-represented segment, found by scanning every region, age band,
    gender, language and genre audience, is one the generator made fond of the release."""
    from halqa.demo.steps.targeting import planted_fans

    amazigh, ramadan = found["amazigh_music"]["segments"], found["ramadan_series"]["segments"]
    fans = planted_fans(found["planted"], ["amazigh-pop"])
    assert amazigh[0]["segment"] in fans, amazigh[:3]
    assert {"region=souss-massa", "language=zgh", "watched=ahwash"} <= fans
    assert not {"region=casablanca-settat", "watched=comedy"} & fans
    assert ramadan[0]["segment"] in planted_fans(found["planted"], ["ramadan-sitcom", "comedy"]), (
        ramadan[:3]
    )
    assert all(s["ratio_low"] <= s["ratio"] for s in amazigh + ramadan)
    assert [s["ratio_low"] for s in amazigh] == sorted(
        (s["ratio_low"] for s in amazigh), reverse=True
    )

"""On the seeded demo world, the two new releases reach the segments the generator made fond of them."""

from __future__ import annotations

import pytest

from halqa.catalog import Store

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def found(tmp_path_factory):
    from halqa.audience.demo import target_releases
    from halqa.demo import generate_world
    from halqa.demo.run import build_store

    out = tmp_path_factory.mktemp("demo-audience")
    world = generate_world(out / "world", seed=7, members=2_000, titles=300, events=120_000)
    db = out / "halqa.duckdb"
    build_store(world, db, fresh=True)
    with Store.open(db) as store:
        return target_releases(store, dict(world.new_releases), top=100)


def test_amazigh_release_reaches_amazigh_speakers_and_regions(found):
    res = found["amazigh_music"]
    assert res["amazigh_speakers"]["audience_share"] > 0.5  # mostly Amazigh speakers...
    assert res["amazigh_speakers"]["ratio"] >= 2  # ...far above their share of the population
    assert res["amazigh_fond_regions"]["ratio"] >= 1.8
    regions = res["breakdown"]["region"]
    assert next(iter(regions)) == "souss-massa"  # the largest group of the breakdown
    languages = {k: v for k, v in res["breakdown"]["language"].items() if v}
    assert any(lang in languages for lang in ("zgh", "shi", "tzm"))


def test_ramadan_comedy_reaches_ramadan_series_watchers(found):
    res = found["ramadan_series"]
    assert res["ramadan_series_watchers"]["audience_share"] > 0.8
    assert res["ramadan_series_watchers"]["ratio"] >= 1.5
    assert res["amazigh_speakers"]["ratio"] < found["amazigh_music"]["amazigh_speakers"]["ratio"]

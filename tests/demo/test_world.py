"""The generated files: sizes, shapes, determinism, scripts, audience structure, new releases."""

from __future__ import annotations

import hashlib
import json
import unicodedata
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest
from scipy import sparse

from halqa.catalog import ENTITY_TABLES, taxonomy
from halqa.demo import generate_world
from halqa.errors import ConfigError

from .conftest import SMALL, files_of


def digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_exact_event_count_streamed_in_parts_with_canonical_columns(world, con):
    assert len(world.events) >= 3  # streamed chunk by chunk
    assert sum(pq.ParquetFile(p).metadata.num_rows for p in world.events) == SMALL["events"]
    assert pq.read_schema(world.events[0]).names == [
        c for c in ENTITY_TABLES["events"].column_names if c != "ingest_id"
    ]
    start, end = con.sql("SELECT min(ts), max(ts) FROM events").fetchall()[0]
    assert str(start) >= "2024-11-01" and str(end) < "2026-11-01"
    # the natural key never repeats, so an ingest stores every generated event
    assert (
        con.sql(
            "SELECT count(*) FROM (SELECT DISTINCT member_id, title_id, event_type, ts FROM events)"
        ).fetchall()[0][0]
        == SMALL["events"]
    )
    types = dict(con.sql("SELECT event_type, count(*) FROM events GROUP BY 1").fetchall())
    assert set(types) <= set(taxonomy.EVENT_TYPES)
    assert {"play", "listen", "complete", "like", "skip", "share", "add_to_list", "rate"} <= set(
        types
    )
    assert con.sql(
        "SELECT min(value), max(value) FROM events WHERE event_type = 'rate'"
    ).fetchall()[0] == (1.0, 5.0)
    assert (
        con.sql("SELECT max(value) FROM events WHERE event_type = 'complete'").fetchall()[0][0]
        <= 1.0
    )
    # every event points at a member and a title that exist
    assert (
        con.sql(
            "SELECT count(*) FROM events WHERE member_id NOT IN (SELECT member_id FROM members) "
            "OR title_id NOT IN (SELECT title_id FROM titles)"
        ).fetchall()[0][0]
        == 0
    )


def test_same_seed_same_bytes_other_seed_other_world(world, tmp_path):
    again = generate_world(tmp_path / "again", chunk_events=40_000, **SMALL)
    ours = {p.relative_to(world.out_dir): digest(p) for p in files_of(world.out_dir)}
    theirs = {p.relative_to(again.out_dir): digest(p) for p in files_of(again.out_dir)}
    assert ours == theirs
    other = generate_world(tmp_path / "other", chunk_events=40_000, **{**SMALL, "seed": 8})
    assert digest(other.events[0]) != digest(world.events[0])
    assert digest(other.members) != digest(world.members)


def _scripts(text: str) -> set[str]:
    out = set()
    for ch in text:
        if "\u0600" <= ch <= "\u06ff":
            out.add("Arab")
        elif "\u2d30" <= ch <= "\u2d7f":
            out.add("Tfng")
        elif ch.isalpha():
            out.add("Latn")
    return out


def test_names_are_in_their_own_script(con):
    rows = con.sql(
        'SELECT original_language, name, "name_zgh-Latn", name_fr FROM titles '
        "WHERE kind IN ('film', 'track', 'series')"
    ).fetchall()
    by_lang: dict[str, list[str]] = {}
    for lang, name, _, _ in rows:
        by_lang.setdefault(lang, []).append(name)
    assert {"ary", "ary-Latn", "ar", "fr", "zgh", "en"} <= set(by_lang)
    assert all(_scripts(n) == {"Tfng"} for n in by_lang["zgh"])
    assert all(_scripts(n) == {"Arab"} for n in by_lang["ary"] + by_lang["ar"])
    assert all(_scripts(n) == {"Latn"} for n in by_lang["ary-Latn"] + by_lang["en"])
    zgh = [r for r in rows if r[0] == "zgh"]
    assert all(r[2] and r[3] for r in zgh)  # Tifinagh titles carry Latin Tamazight and French names
    assert all(unicodedata.is_normalized("NFC", n) for n in by_lang["zgh"] + by_lang["ary"])


def test_audience_shape_follows_the_brief(con):
    regions = dict(con.sql("SELECT region, count(*) FROM members GROUP BY 1").fetchall())
    assert set(regions) == set(taxonomy.REGION_IDS)
    assert max(regions, key=regions.get) == "casablanca-settat"
    ages = dict(con.sql("SELECT age_band, count(*) FROM members GROUP BY 1").fetchall())
    assert (ages["18-24"] + ages["25-34"]) / sum(ages.values()) > 0.45
    consent = con.sql(
        "SELECT avg((consent_analytics = 'true')::INT), avg((consent_personalisation = 'true')::INT), "
        "avg((consent_marketing = 'true')::INT) FROM members"
    ).fetchall()[0]
    assert 0.8 < consent[0] < 0.9 and 0.75 < consent[1] < 0.85 and 0.5 < consent[2] < 0.6
    souss_amazigh = con.sql(
        "SELECT avg(regexp_matches(languages, 'zgh|shi')::INT) FROM members "
        "WHERE region = 'souss-massa'"
    ).fetchall()[0][0]
    casa_amazigh = con.sql(
        "SELECT avg(regexp_matches(languages, 'zgh|shi')::INT) FROM members "
        "WHERE region = 'casablanca-settat'"
    ).fetchall()[0][0]
    assert souss_amazigh > 0.45 and casa_amazigh < 0.15
    cities = {r.id: set(r.cities) for r in taxonomy.REGIONS}
    for region, city in con.sql("SELECT DISTINCT region, city FROM members").fetchall():
        assert city in cities[region]


def test_catalogue_has_the_kinds_and_structure_of_the_brief(con):
    kinds = dict(con.sql("SELECT kind, count(*) FROM titles GROUP BY 1").fetchall())
    assert {"film", "series", "season", "episode", "track", "album", "podcast"} <= set(kinds)
    orphans = con.sql(
        "SELECT count(*) FROM titles WHERE parent_id IS NOT NULL "
        "AND parent_id NOT IN (SELECT title_id FROM titles)"
    ).fetchall()[0][0]
    assert orphans == 0
    known = {t.id for t in taxonomy.MUSIC_GENRES + taxonomy.SCREEN_GENRES}
    genres = {g for (gs,) in con.sql("SELECT genres FROM titles").fetchall() for g in gs.split("|")}
    assert genres <= known and "ramadan-sitcom" in genres and "ahwash" in genres
    music_ma = con.sql(
        "SELECT avg((country = 'MA')::INT) FROM titles WHERE kind = 'track'"
    ).fetchall()[0][0]
    assert music_ma > 0.8
    # A few foreign films are licensed for five regions only; nothing else is restricted.
    restricted = con.sql(
        "SELECT kind, country, available_regions FROM titles WHERE available_regions IS NOT NULL"
    ).fetchall()
    assert restricted, "the generator licenses some foreign films for a few regions"
    for kind, country, regions in restricted:
        assert kind == "film" and country != "MA"
        assert len(set(regions.split("|"))) == 5 and set(regions.split("|")) <= set(
            taxonomy.REGION_IDS
        )


def test_members_have_latent_tastes_that_beat_popularity(con):
    """A plain EASE (closed form) on 80% of each member's plays finds the other 20% far better than
    popularity: the world has collaborative structure, not just a popularity curve."""
    rows = con.sql("SELECT member_id, coalesce(series_id, title_id) AS item FROM plays").df()
    members = {m: i for i, m in enumerate(rows.member_id.unique())}
    items = {t: j for j, t in enumerate(rows["item"].unique())}
    r, c = rows.member_id.map(members).to_numpy(), rows["item"].map(items).to_numpy()
    train_mask = np.random.default_rng(0).random(len(rows)) < 0.8
    shape = (len(members), len(items))

    def binary(mask):
        return (
            sparse.csr_matrix((np.ones(mask.sum()), (r[mask], c[mask])), shape=shape) > 0
        ).astype(float)

    x, held = binary(train_mask), binary(~train_mask)
    held = (held - held.multiply(x)).tocsr()  # only titles the member did not play in training
    held.eliminate_zeros()
    gram = (x.T @ x).toarray() + 50.0 * np.eye(shape[1])
    inv = np.linalg.inv(gram)
    weights = -inv / np.diag(inv)[None, :]
    np.fill_diagonal(weights, 0.0)
    ease = np.asarray(x @ weights)
    popularity = np.asarray(x.sum(axis=0)).ravel()
    recall = {"ease": [], "pop": []}
    for i in np.flatnonzero(np.diff(held.indptr) > 0):
        truth = set(held[i].indices)
        for name, scores in (("ease", ease[i].copy()), ("pop", popularity.copy())):
            scores[x[i].indices] = -np.inf
            top = np.argpartition(-scores, 20)[:20]
            recall[name].append(len(truth & set(top)) / min(len(truth), 20))
    assert np.mean(recall["ease"]) > 1.25 * np.mean(recall["pop"])


def test_new_releases_are_new_and_load_as_target_titles(world, con, planted):
    from halqa.audience import load_title

    stored = {t for (t,) in con.sql("SELECT title_id FROM titles").fetchall()}
    amazigh = json.loads(world.new_releases["amazigh_music"].read_text(encoding="utf-8"))
    ramadan = json.loads(world.new_releases["ramadan_series"].read_text(encoding="utf-8"))
    assert amazigh["title_id"] not in stored and ramadan["title_id"] not in stored
    assert amazigh["language"] == "zgh" and amazigh["region"] == "souss-massa"
    assert set(amazigh["genres"]) & {"ahwash", "amazigh-pop"} and _scripts(amazigh["name"]) == {
        "Tfng"
    }
    assert (
        ramadan["language"] == "ary"
        and "ramadan-sitcom" in ramadan["genres"]
        and ramadan["kind"] == "series"
    )
    canonical = set(ENTITY_TABLES["titles"].column_names) | {"language"}
    assert set(amazigh) <= canonical and set(ramadan) <= canonical
    assert planted["new_releases"]["amazigh_music"]["title"] == amazigh
    for path in world.new_releases.values():
        raw = json.loads(path.read_text(encoding="utf-8"))
        title = load_title(path)  # what `halqa audience target --title FILE` reads, validated
        assert (title.title_id, title.name, title.genres, title.language) == (
            raw["title_id"],
            raw["name"],
            raw["genres"],
            raw["language"],
        )


@pytest.mark.parametrize(
    ("size", "field"),
    [
        ({"members": 10}, "members"),
        ({"events": 10}, "events"),
        ({"titles": 5}, "titles"),
        ({"seed": -1}, "seed"),
        ({"days": 30}, "days"),
    ],
)
def test_a_world_too_small_to_plant_signals_is_refused_naming_the_option(
    tmp_path: Path, size: dict, field: str
) -> None:
    with pytest.raises(ConfigError, match=f"'{field}' parameter of halqa demo"):
        generate_world(tmp_path, **{**SMALL, **size})
    assert not any(tmp_path.iterdir())  # refused before anything is written

"""The audience part of ``halqa demo``: target the world's two new releases from metadata alone.

What each audience is made of is found by scanning, not named in advance: every segment a
marketer could name (each region, age band, gender, language spoken, and the watchers of each
genre) is ranked by how over-represented it is in the targeted audience, by a lower confidence
bound so a handful of members cannot top the list. The planted manifest is read only afterwards,
to check that the strongest segment is one the generator made fond of the release's genres
(Amazigh speakers and regions for the Amazigh release, Ramadan-series watchers for the Ramadan
comedy). The shares of those planted segments are reported beside the scan.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from rich.console import Console
from rich.table import Table

from halqa.audience.breakdown import member_languages
from halqa.audience.data import TargetingData
from halqa.audience.saved import fitted_targeter
from halqa.audience.title import load_title
from halqa.catalog import Store
from halqa.catalog.taxonomy import AMAZIGH_LANGUAGES
from halqa.demo.world import World
from halqa.insights.stats import wilson_lower

AMAZIGH_FOND_REGIONS = (
    "souss-massa",
    "draa-tafilalet",
    "guelmim-oued-noun",
    "beni-mellal-khenifra",
)
AMAZIGH_TAGS = AMAZIGH_LANGUAGES + ("shi",)


def speaks_amazigh(languages: object) -> bool:
    return any(lang.split("-")[0] in AMAZIGH_TAGS for lang in member_languages(languages))


def ramadan_series_watchers(store: Store) -> set[str]:
    """Marketing-consented members who met a Ramadan sitcom (series, season or episode)."""
    return {
        r[0]
        for r in store.rows(
            """SELECT DISTINCT e.member_id FROM events_marketing e JOIN titles t USING (title_id)
           WHERE list_contains(t.genres, 'ramadan-sitcom')"""
        )
    }


def segment_lift(chosen: np.ndarray, everyone: np.ndarray) -> dict[str, float | None]:
    """Share of a segment in the audience, in the population, and their ratio."""
    share, base = float(chosen.mean()), float(everyone.mean())
    return {
        "audience_share": round(share, 4),
        "population_share": round(base, 4),
        "ratio": round(share / base, 2) if base else None,
    }


SCANNED_COLUMNS = ("region", "age_band", "gender")


def segment_members(store: Store, data: TargetingData) -> dict[str, np.ndarray]:
    """Every nameable segment as a mask over ``data``'s members: ``region=…``, ``age_band=…``,
    ``gender=…``, ``language=…`` and ``watched=<genre>`` (met a title of that genre)."""
    out: dict[str, np.ndarray] = {}
    for column in SCANNED_COLUMNS:
        values = np.array(
            [v or "" for v in data.members.get(column, [None] * data.n_members)], dtype=object
        )
        for value in sorted(set(values) - {""}):
            out[f"{column}={value}"] = values == value
    spoken = [
        set(member_languages(v)) for v in data.members.get("languages", [None] * data.n_members)
    ]
    for lang in sorted(set().union(*spoken)):
        out[f"language={lang}"] = np.array([lang in s for s in spoken])
    index = {m: i for i, m in enumerate(data.member_ids)}
    watched: dict[str, list[int]] = {}
    for genre, member in store.rows("""SELECT DISTINCT g.genre, e.member_id FROM events_marketing e
                                       JOIN (SELECT title_id, unnest(genres) AS genre \
FROM titles) g USING (title_id)"""):
        if member in index:
            watched.setdefault(genre, []).append(index[member])
    for genre, rows in sorted(watched.items()):
        mask = np.zeros(data.n_members, dtype=bool)
        mask[rows] = True
        out[f"watched={genre}"] = mask
    return out


def scan_segments(
    segments: dict[str, np.ndarray], chosen: np.ndarray, *, k: int = 10
) -> list[dict[str, Any]]:
    """Segments ranked by over-representation in the audience ``chosen`` (member positions): the
    Wilson lower bound of the segment's share of the audience over its share of everyone.
    Segments with fewer than ``k`` members in the audience are left out (privacy and noise)."""
    n = len(chosen)
    found = []
    for name, mask in segments.items():
        hits, base = int(mask[chosen].sum()), float(mask.mean())
        if hits < k or base == 0 or n == 0:
            continue
        p = hits / n
        low = wilson_lower(hits, n)
        found.append(
            {
                "segment": name,
                "audience_share": round(p, 4),
                "population_share": round(base, 4),
                "ratio": round(p / base, 2),
                "ratio_low": round(low / base, 2),
            }
        )
    return sorted(found, key=lambda f: (-f["ratio_low"], f["segment"]))


def target_releases(
    store: Store, releases: dict[str, Any], *, top: int | None = None
) -> dict[str, Any]:
    """Target both releases; return each audience's segment shares against the population."""
    # fitted once and saved where `halqa audience target` looks, so the studio's launch step and the
    # user's own `halqa audience target` calls on the demo store only score
    targeter, _ = fitted_targeter(store)
    data = targeter.data
    top = top or max(50, data.n_members // 20)
    regions = np.array([r or "" for r in data.members["region"]], dtype=object)
    amazigh = np.array([speaks_amazigh(v) for v in data.members["languages"]])
    fond = np.isin(regions, AMAZIGH_FOND_REGIONS)
    watchers = ramadan_series_watchers(store)
    ramadan = np.array([m in watchers for m in data.member_ids])
    index = {m: i for i, m in enumerate(data.member_ids)}
    segments = segment_members(store, data)
    out: dict[str, Any] = {}
    for key, path in releases.items():
        title = load_title(path, genres=store.genre_ids(), themes=store.theme_ids())
        result = targeter.target(title, top=top)
        chosen = np.array([index[m] for m in result.audience["member_id"]])
        out[key] = {
            "title": title.name,
            "size": len(chosen),
            "breakdown": result.breakdown,
            "amazigh_speakers": segment_lift(amazigh[chosen], amazigh),
            "amazigh_fond_regions": segment_lift(fond[chosen], fond),
            "amazigh_language_or_region": segment_lift((amazigh | fond)[chosen], amazigh | fond),
            "ramadan_series_watchers": segment_lift(ramadan[chosen], ramadan),
            "segments": scan_segments(segments, chosen)[:10],
            "example_reasons": result.audience["reasons"].head(3).tolist(),
        }
    return out


def planted_fans(planted: dict[str, Any], genres: list[str]) -> set[str]:
    """The segments the generator made fond of ``genres`` (read from planted.json, for checking):
    the watchers of those genres, or of the planted Amazigh-music family when one of them is in
    it (the generator gives the whole family one audience), and every age band, region, gender or
    language whose planted taste raises one of them."""
    tastes = planted.get("tastes", {})
    family = tastes.get("amazigh_music_genres", [])
    genres = sorted(set(genres) | (set(family) if set(genres) & set(family) else set()))
    fans = {f"watched={g}" for g in genres}
    for column, table in (
        ("age_band", tastes.get("age", {})),
        ("region", tastes.get("region", {})),
        ("gender", tastes.get("gender", {})),
    ):
        fans |= {
            f"{column}={value}"
            for value, boosts in table.items()
            if any(boosts.get(g, 0) > 0 for g in genres)
        }
    for lang, boosts in tastes.get("language", {}).items():
        if any(boosts.get(g, 0) > 0 for g in genres):
            fans |= {f"language={tag}" for tag in (AMAZIGH_TAGS if lang == "amazigh" else (lang,))}
    return fans


def targeting_step(store: Store, world: World, console: Console) -> dict[str, Any]:
    """Demo step: who halqa would target for the two new releases, what their audiences are made of
    (found by scanning every segment), and whether that matches the plan."""
    found = target_releases(store, dict(world.new_releases))
    table = Table(
        title="Targeting the new releases from metadata only: the most over-represented segments "
        "(audience share vs population)"
    )
    for col in ("release", "members", "1st", "2nd", "3rd"):
        table.add_column(col, justify="left" if col == "release" else "right")
    for res in found.values():
        cells = [
            f"{s['segment']} {s['audience_share']:.0%} vs {s['population_share']:.0%}"
            for s in res["segments"][:3]
        ]
        table.add_row(res["title"], f"{res['size']:,}", *cells, *[""] * (3 - len(cells)))
    console.print(table)
    amazigh, ramadan = found.get("amazigh_music"), found.get("ramadan_series")
    checks = {}
    for key, res in found.items():  # planted.json is read only now, to check what the scan found
        genres = (
            world.planted.get("new_releases", {}).get(key, {}).get("title", {}).get("genres", [])
        )
        fans = planted_fans(world.planted, genres)
        checks[f"{key}_planted_segment_found_first"] = (
            bool(res["segments"]) and res["segments"][0]["segment"] in fans
        )
    if amazigh:
        checks["amazigh_release_reaches_amazigh_speakers"] = (
            amazigh["amazigh_speakers"]["ratio"] >= 1.5
        )
        checks["amazigh_release_mostly_amazigh_language_or_region"] = (
            amazigh["amazigh_language_or_region"]["audience_share"] > 0.5
        )
    if ramadan:
        checks["ramadan_release_reaches_ramadan_watchers"] = (
            ramadan["ramadan_series_watchers"]["ratio"] >= 1.5
        )
    return {"releases": found, "checks": checks}

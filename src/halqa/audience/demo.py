"""The audience part of ``halqa demo``: target the world's two new releases from metadata alone.

The Amazigh music release should reach Amazigh speakers and the regions the
generator made fond of Amazigh music; the Ramadan comedy series should reach
members who watch Ramadan series. The step measures both from the store (who
speaks what, who watched what) and prints how over-represented each segment is
in the targeted audience compared with everyone who could have been chosen.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from halqa.audience.breakdown import member_languages
from halqa.audience.saved import fitted_targeter
from halqa.audience.title import load_title
from halqa.catalog.taxonomy import AMAZIGH_LANGUAGES

AMAZIGH_FOND_REGIONS = ("souss-massa", "draa-tafilalet", "guelmim-oued-noun", "beni-mellal-khenifra")
AMAZIGH_TAGS = AMAZIGH_LANGUAGES + ("shi",)


def speaks_amazigh(languages: Any) -> bool:
    return any(lang.split("-")[0] in AMAZIGH_TAGS for lang in member_languages(languages))


def ramadan_series_watchers(store: Any) -> set[str]:
    """Marketing-consented members who met a Ramadan sitcom (series, season or episode)."""
    return {r[0] for r in store.rows(
        """SELECT DISTINCT e.member_id FROM events_marketing e JOIN titles t USING (title_id)
           WHERE list_contains(t.genres, 'ramadan-sitcom')""")}


def segment_lift(chosen: np.ndarray, everyone: np.ndarray) -> dict[str, float]:
    """Share of a segment in the audience, in the population, and their ratio."""
    share, base = float(chosen.mean()), float(everyone.mean())
    return {"audience_share": round(share, 4), "population_share": round(base, 4),
            "ratio": round(share / base, 2) if base else None}


def target_releases(store: Any, releases: dict[str, Any], *, top: int | None = None) -> dict[str, Any]:
    """Target both releases; return each audience's segment shares against the population."""
    # fitted once and saved where `halqa target` looks, so the studio's launch step and the user's
    # own `halqa target` calls on the demo store only score
    targeter, _ = fitted_targeter(store)
    data = targeter.data
    top = top or max(50, data.n_members // 20)
    regions = np.array([r or "" for r in data.members["region"]], dtype=object)
    amazigh = np.array([speaks_amazigh(v) for v in data.members["languages"]])
    fond = np.isin(regions, AMAZIGH_FOND_REGIONS)
    watchers = ramadan_series_watchers(store)
    ramadan = np.array([m in watchers for m in data.member_ids])
    index = {m: i for i, m in enumerate(data.member_ids)}
    out: dict[str, Any] = {}
    for key, path in releases.items():
        title = load_title(path, genres=store.genre_ids(), themes=store.theme_ids())
        result = targeter.target(title, top=top)
        chosen = np.array([index[m] for m in result.audience["member_id"]])
        out[key] = {"title": title.name, "size": len(chosen), "breakdown": result.breakdown,
                    "amazigh_speakers": segment_lift(amazigh[chosen], amazigh),
                    "amazigh_fond_regions": segment_lift(fond[chosen], fond),
                    "amazigh_language_or_region": segment_lift((amazigh | fond)[chosen], amazigh | fond),
                    "ramadan_series_watchers": segment_lift(ramadan[chosen], ramadan),
                    "example_reasons": result.audience["reasons"].head(3).tolist()}
    return out


def targeting_step(store: Any, world: Any, console: Any) -> dict[str, Any]:
    """Demo step: who halqa would target for the two new releases, and whether that matches the plan."""
    from rich.table import Table

    found = target_releases(store, dict(world.new_releases))
    table = Table(title="Targeting the new releases from metadata only (audience share vs population)")
    for col in ("release", "members", "Amazigh speakers", "Amazigh-fond regions", "Ramadan-series watchers"):
        table.add_column(col, justify="left" if col == "release" else "right")
    for res in found.values():
        cells = [f"{res[s]['audience_share']:.0%} vs {res[s]['population_share']:.0%}"
                 for s in ("amazigh_speakers", "amazigh_fond_regions", "ramadan_series_watchers")]
        table.add_row(res["title"], f"{res['size']:,}", *cells)
    console.print(table)
    amazigh, ramadan = found.get("amazigh_music"), found.get("ramadan_series")
    checks = {}
    if amazigh:
        checks["amazigh_release_reaches_amazigh_speakers"] = amazigh["amazigh_speakers"]["ratio"] >= 1.5
        checks["amazigh_release_mostly_amazigh_language_or_region"] = (
            amazigh["amazigh_language_or_region"]["audience_share"] > 0.5)
    if ramadan:
        checks["ramadan_release_reaches_ramadan_watchers"] = ramadan["ramadan_series_watchers"]["ratio"] >= 1.5
    return {"releases": found, "checks": checks}

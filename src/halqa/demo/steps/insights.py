"""The insights step of ``halqa demo``: trends, the Ramadan season, rising talent and a brief.

Everything shown is computed from the store; the planted manifest is read afterwards, only
to say whether each finding matches what the generator planted. The segment the step reports
on is found by scanning every age band × region segment for the strongest riser (the largest
lower bound of a genre's growth), not named in advance.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from rich.console import Console

from halqa.catalog import Store
from halqa.demo.world import World
from halqa.insights import common
from halqa.insights.brief import write_brief
from halqa.insights.calendar import hijri_season, to_hijri_year
from halqa.insights.talent import rising_talent
from halqa.insights.trends import trends

DEMO_WINDOW = "56d"  # eight weeks against the eight before


def scan_segments(store: Store, as_of: dt.date, window: str = DEMO_WINDOW) -> list[dict[str, Any]]:
    """Every age band × region segment with a significant riser, strongest first: ranked by the
    lower bound of its top riser's growth (a big rise measured on few events ranks low)."""
    bands = [
        r[0]
        for r in store.rows(
            "SELECT DISTINCT age_band FROM members_analytics WHERE age_band IS NOT NULL ORDER BY 1"
        )
    ]
    regions = [
        r[0]
        for r in store.rows(
            "SELECT DISTINCT region FROM members_analytics WHERE region IS NOT NULL ORDER BY 1"
        )
    ]
    found = []
    for band in bands:
        for region in regions:
            segment = [f"age_band={band}", f"region={region}"]
            report = trends(store, segment, by="genre", window=window, as_of=as_of, with_lift=False)
            if report.get("rising"):
                top = report["rising"][0]
                found.append(
                    {
                        "segment": segment,
                        "report": report,
                        "genre": top["item"],
                        "growth_low": top["growth_low"] or 0.0,
                    }
                )
    return sorted(found, key=lambda f: -f["growth_low"])


def latest_ramadan_end(store: Store, as_of: dt.date) -> dt.date | None:
    """The day after the last Ramadan fully inside the store's events (None if there is none)."""
    first = store.scalar("SELECT min(ts) FROM events_analytics")
    year = to_hijri_year(as_of)
    if first is None or year is None:
        return None
    for hijri_year in range(year, year - 5, -1):
        season = hijri_season("ramadan", hijri_year)
        # the previous Ramadan must be in the data too: it is the baseline
        if season.end <= as_of and hijri_season("ramadan", hijri_year - 1).start >= first.date():
            return season.end
    return None


def demo_step(store: Store, world: World, console: Console) -> dict[str, Any]:
    """Run the insights on the demo store, print them, check them against planted.json."""
    as_of = common.resolve_as_of(store, None)
    scanned = scan_segments(store, as_of)
    strongest = scanned[0]["segment"] if scanned else []
    segment = trends(store, strongest or None, by="genre", window=DEMO_WINDOW, as_of=as_of)
    rising = [r["item"] for r in segment["rising"][:3]]
    out: dict[str, Any] = {
        "as_of": str(as_of),
        "segment": segment["segment_label"],
        "segment_filters": strongest,
        "top_rising": rising,
        "segments_scanned": len(scanned),
        "strongest_risers": [
            {"segment": f["segment"], "genre": f["genre"], "growth_low": f["growth_low"]}
            for f in scanned[:5]
        ],
    }
    console.print(
        f"[bold]Rising among {segment['segment_label']}[/] ({segment['baseline']['note']}): "
        + (
            ", ".join(
                f"{r['item']} x{r['growth']} [{r['growth_low']}, {r['growth_high']}]"
                for r in segment["rising"][:3]
            )
            or "nothing significant"
        )
    )
    ramadan_end = latest_ramadan_end(store, as_of)
    if ramadan_end:
        season = trends(store, None, by="genre", as_of=ramadan_end)
        attributed = (
            [r["item"] for r in season["season"]["attributed_to_season"]]
            if season["season"]
            else []
        )
        out["ramadan"] = {
            "as_of": str(ramadan_end),
            "baseline": season["baseline"]["baseline"],
            "baseline_kind": season["baseline"]["kind"],
            "attributed_to_season": attributed,
        }
        console.print(
            f"[bold]Ramadan window to {ramadan_end}[/]: "
            f"{season['baseline']['note']}; surge attributed "
            f"to the season: {', '.join(attributed) or 'none'}"
        )
    talent = rising_talent(store, as_of=as_of, regions=False)
    out["rising_talent"] = [r["creator_id"] for r in talent["overall"]["rows"]]
    console.print(
        "[bold]Rising local talent[/]: "
        + (
            ", ".join(
                f"{r['name']} (weekly audience {r['weekly_audience_first_4']} -> "
                f"{r['weekly_audience_last_4']}, "
                f"x{r['monthly_growth']}/month)"
                for r in talent["overall"]["rows"]
            )
            or "none"
        )
    )
    brief = write_brief(store, strongest or None, world.out_dir / "brief.md", as_of=as_of)
    out["brief"] = brief["markdown"]
    out["brief_charts"] = len(brief["charts"])
    console.print(
        f"creative brief: {brief['markdown']} ({len(brief['charts'])} charts, "
        f"{len(brief['figures'])} figures)"
    )
    out["checks"] = _check(out, world.planted)
    return out


def _check(found: dict[str, Any], planted: dict[str, Any]) -> dict[str, Any]:
    """Which planted dynamics the insights recovered (read only after computing them)."""
    checks: dict[str, Any] = {
        "rising_genre_in_top3": planted["rising"]["genre"] in found["top_rising"]
    }
    planted_segment = sorted(f"{k}={v}" for k, v in planted["rising"].get("segment", {}).items())
    checks["planted_segment_found_first"] = (
        sorted(found.get("segment_filters", [])) == planted_segment
    )
    emerging = [a["creator_id"] for a in planted.get("emerging_artists", [])]
    checks["emerging_artists_found"] = sorted(set(emerging) & set(found["rising_talent"]))
    checks["emerging_artists_planted"] = sorted(emerging)
    if "ramadan" in found:
        checks["ramadan_attributed_to_season"] = (
            "ramadan-sitcom" in found["ramadan"]["attributed_to_season"]
        )
    return checks

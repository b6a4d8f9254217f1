"""Rising local talent: Moroccan, emerging creators whose audience grows fastest, significantly.

Moroccan means the creator's country is MA; emerging means a debut within ``emerging_years``
of the as-of date. Audience is distinct members (not plays), so one superfan cannot make an
artist rise; growth is the exact rate ratio of distinct listeners against the baseline,
with the segment's active members as exposure, and the same support, k and FDR rules as
``halqa.insights.trends``. Reported overall and for each region of residence.

The baseline is the same window a year earlier by default (``baseline="year"``): a career
breaks out over months, and an audience that already reaches a tenth of the platform grows
slowly month on month even while it is far above last year's. ``baseline="previous"``
compares with the period just before (Hijri/Gregorian seasons applied as in trends).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from halqa.catalog import taxonomy
from halqa.engines import duckdb as engine
from halqa.insights import common, queries
from halqa.errors import ConfigError
from halqa.insights.calendar import Baseline, Period, choose_baseline, shift_gregorian_year
from halqa.insights.segment import DEFAULT_K, Segment
from halqa.insights.trends import DEFAULT_ALPHA, rising_items, segment_exposures, staged_events

DEFAULT_EMERGING_YEARS = 5
DEFAULT_MIN_AUDIENCE = 20


def rising_talent(store: Any, *, window: str | int | None = "90d", as_of: str | dt.date | None = None,
                  emerging_years: int = DEFAULT_EMERGING_YEARS, regions: bool = True, top: int = 10,
                  k: int = DEFAULT_K, min_support: int = DEFAULT_MIN_AUDIENCE,
                  alpha: float = DEFAULT_ALPHA, baseline: str = "year") -> dict:
    """Rising Moroccan emerging creators, overall and (``regions=True``) per member region."""
    if baseline not in ("year", "previous"):
        raise ConfigError(f"baseline '{baseline}' is not 'year' (same window a year earlier) or 'previous'")
    end = common.resolve_as_of(store, as_of)
    days = common.parse_window(window) or 90
    period = common.window_period(days, end)
    base = choose_baseline(period) if baseline == "previous" else year_ago(period)
    creators = engine.run(store, queries.creators())
    local = creators[(creators["country"] == "MA")
                     & (creators["debut_year"].fillna(0) >= end.year - emerging_years)]
    info = {r.creator_id: r for r in local.itertuples(index=False)}
    out = {"as_of": str(end), "window": {"start": str(period.start), "end": str(period.end)},
           "baseline": base.to_dict(), "emerging_years": emerging_years, "k": k, "min_support": min_support,
           "local_creators": len(info)}
    segments = [("all", Segment())]
    if regions:
        segments += [(region, Segment((("region", region),))) for region in taxonomy.REGION_IDS]
    out["overall"] = None
    out["regions"] = {}
    for name, seg in segments:
        result = _rising_for(store, seg, period, base, info, top=top, k=k, min_support=min_support, alpha=alpha)
        if name == "all":
            out["overall"] = result
        else:
            out["regions"][name] = result
    return out


def year_ago(window: Period) -> Baseline:
    base = Period(shift_gregorian_year(window.start), shift_gregorian_year(window.end))
    return Baseline(window, base, "year_ago", None,
                    f"compared with the same dates a year earlier ({base.start} to {base.end - dt.timedelta(days=1)})")


def _rising_for(store: Any, seg: Segment, period: Any, base: Any, info: dict, *, top: int, k: int,
                min_support: int, alpha: float) -> dict:
    params = {**seg.params(), **common.period_params(period, base.baseline)}
    with staged_events(store, params):
        totals = segment_exposures(store, params)
        t1, t0 = totals["active_members"], totals["baseline_active_members"]
        if totals["segment_members"] < k or t1 < k:
            return {"suppressed": True, "reason": f"fewer than {k} active members: suppressed", "rows": []}
        counts = engine.run(store, queries.item_counts("creator"), params)
    counts = counts[counts["item"].isin(info)]  # also drops the NULL item
    ranked = rising_items(counts, t1, t0, k=k, min_support=min_support, alpha=alpha,
                          count="members", baseline="baseline_members")
    rows = []
    for rank, r in enumerate(ranked[ranked["rising"]].head(top).itertuples(index=False), start=1):
        creator = info[r.item]
        rows.append({"rank": rank, "creator_id": r.item, "name": creator.name,
                     "creator_region": creator.region, "debut_year": common.num(creator.debut_year),
                     "audience": int(r.members), "baseline_audience": int(r.baseline_members),
                     "plays": int(r.count), "growth": common.num(r.growth), "growth_low": common.num(r.low),
                     "growth_high": common.num(r.high), "p_value": common.pval(r.p_value),
                     "q_value": common.pval(r.q_value)})
    return {"suppressed": False, "active_members": t1, "baseline_active_members": t0, "rows": rows}

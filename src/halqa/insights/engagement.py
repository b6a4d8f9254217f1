"""Engagement by genre and kind (and theme, language, length): completion, repeat, retention.

Over the member-title pairs of the segment in the window: completion rate = pairs with a
``complete`` event / pairs consumed; repeat rate = pairs consumed on two or more days /
pairs consumed; retention = members active on the item in the baseline who are active on it
again in the window / members active in the baseline. Cells under k members are suppressed.
``demand_supply`` sets the segment's demand per title against the catalogue's supply.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import numpy as np

from halqa import engines as engine
from halqa.errors import ConfigError
from halqa.insights import common, queries
from halqa.insights.calendar import choose_baseline
from halqa.insights.segment import DEFAULT_K, Segment
from halqa.insights.trends import segment_too_small

if TYPE_CHECKING:
    from halqa.engines import AnalyticsStore

GAP_RATIO = 1.5  # demand per title at least this many times the segment's median


def engagement(
    store: AnalyticsStore,
    segment: Segment | list[str] | dict | None = None,
    *,
    by: str = "genre",
    window: str | int | None = "28d",
    as_of: str | dt.date | None = None,
    k: int = DEFAULT_K,
) -> dict:
    if by not in queries.ENGAGEMENT_CHOICES:
        raise ConfigError(
            f"engagement by '{by}' is not one of {', '.join(queries.ENGAGEMENT_CHOICES)}"
        )
    seg = segment if isinstance(segment, Segment) else Segment.parse(segment)
    end = common.resolve_as_of(store, as_of)
    days = common.parse_window(window) or 28
    period = common.window_period(days, end)
    base = choose_baseline(period)
    params = {**seg.params(), **common.period_params(period, base.baseline)}
    out = {
        "segment": seg.to_dict(),
        "by": by,
        "window": {"start": str(period.start), "end": str(period.end)},
        "baseline": base.to_dict(),
        "k": k,
    }
    small = segment_too_small(store, params, k)
    if small:
        return {**out, "suppressed": True, "reason": small, "rows": [], "suppressed_cells": None}
    df = engine.run(store, queries.engagement(by), params).dropna(subset=["item"])
    names = common.labels(store, by)
    rows, suppressed = [], 0
    for r in df.sort_values(["pairs", "item"], ascending=[False, True]).itertuples(index=False):
        if r.members < k:
            suppressed += 1
            continue
        rows.append(
            {
                "item": r.item,
                "name": names.get(r.item, r.item),
                "members": int(r.members),
                "pairs": int(r.pairs),
                "completion_rate": common.num(r.completed_pairs / r.pairs if r.pairs else None, 4),
                "repeat_rate": common.num(r.repeat_pairs / r.pairs if r.pairs else None, 4),
                "retention": (
                    common.num(r.retained_members / r.baseline_members, 4)
                    if r.baseline_members >= k
                    else None
                ),
                "baseline_members": int(r.baseline_members) if r.baseline_members >= k else None,
            }
        )
    return {**out, "suppressed": False, "rows": rows, "suppressed_cells": suppressed}


def demand_supply(
    store: AnalyticsStore,
    segment: Segment | list[str] | dict | None = None,
    *,
    by: str = "genre",
    window: str | int | None = "28d",
    as_of: str | dt.date | None = None,
    k: int = DEFAULT_K,
) -> dict:
    """Where demand outruns supply: many plays and good completion per title, few titles."""
    seg = segment if isinstance(segment, Segment) else Segment.parse(segment)
    eng = engagement(store, seg, by=by, window=window, as_of=as_of, k=k)
    if eng["suppressed"]:
        return {
            "segment": seg.to_dict(),
            "by": by,
            "window": eng["window"],
            "k": k,
            "suppressed": True,
            "reason": eng["reason"],
            "rows": [],
        }
    region = dict(seg.filters).get("region")
    supply = engine.run(store, queries.supply(by), {"region": region}).set_index("item")["titles"]
    rows = []
    for r in eng["rows"]:
        titles = int(supply.get(r["item"], 0))
        if titles == 0:
            continue
        rows.append(
            {
                **{key: r[key] for key in ("item", "name", "members", "pairs", "completion_rate")},
                "titles": titles,
                "pairs_per_title": common.num(r["pairs"] / titles, 2),
            }
        )
    if rows:
        median_demand = float(np.median([r["pairs_per_title"] for r in rows]))
        median_titles = float(np.median([r["titles"] for r in rows]))
        median_completion = float(np.median([r["completion_rate"] or 0 for r in rows]))
        for r in rows:
            r["demand_ratio"] = common.num(
                r["pairs_per_title"] / median_demand if median_demand else None, 2
            )
            r["gap"] = bool(
                r["demand_ratio"] is not None
                and r["demand_ratio"] >= GAP_RATIO
                and r["titles"] <= median_titles
                and (r["completion_rate"] or 0) >= median_completion
            )
    rows.sort(key=lambda r: (-(r.get("demand_ratio") or 0), r["item"]))
    return {
        "segment": seg.to_dict(),
        "by": by,
        "window": eng["window"],
        "k": k,
        "suppressed": False,
        "rows": rows,
        "rule": f"gap = pairs per title >= {GAP_RATIO}x the median, titles <= median, "
        "completion >= median",
    }

"""Segment lift: what a segment over-indexes on compared with everyone else.

Lift = (segment's events on the item / all the segment's events) over (everyone else's
events on the item / all their events), with a Katz 95% interval. Everyone else means the
other members with analytics consent. An item over-indexes when the interval's lower end is
above 1. The interval treats events as independent; events of one member are correlated,
so read narrow intervals on heavy items with that in mind.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from halqa import engines as engine
from halqa.errors import ConfigError
from halqa.insights import common, queries, stats
from halqa.insights.segment import DEFAULT_K, Segment

if TYPE_CHECKING:
    from halqa.engines import AnalyticsStore


def segment_lift(
    store: AnalyticsStore,
    segment: Segment | list[str] | dict | None,
    *,
    by: str = "genre",
    window: str | int | None = "28d",
    as_of: str | dt.date | None = None,
    k: int = DEFAULT_K,
    alpha: float = 0.05,
) -> dict:
    """Lift rows of one segment for genres, themes, languages, kinds or lengths, highest first."""
    if by not in queries.LIFT_CHOICES:
        raise ConfigError(f"lift by '{by}' is not one of {', '.join(queries.LIFT_CHOICES)}")
    seg = segment if isinstance(segment, Segment) else Segment.parse(segment)
    if not seg.filters:
        raise ConfigError("lift compares a segment with everyone else: give at least one --segment")
    end = common.resolve_as_of(store, as_of)
    period = common.window_period(common.parse_window(window), end)
    window_params = common.period_params(period, None)
    params = {**seg.params(), **window_params}
    with engine.focus(store, [(window_params["cur_start"], window_params["cur_end"])]):
        counts = engine.run(store, queries.lift_counts(by), params)
    first = counts.iloc[0] if len(counts) else None
    seg_total = int(first["segment_total"]) if first is not None else 0
    others_total = int(first["others_total"]) if first is not None else 0
    out = {
        "segment": seg.to_dict(),
        "by": by,
        "window": {"start": str(period.start), "end": str(period.end)},
        "k": k,
        "segment_total": seg_total,
        "others_total": others_total,
    }
    if first is None or first["segment_active"] < k or first["others_active"] < k:
        return {
            **out,
            "suppressed": True,
            "segment_total": None,
            "others_total": None,
            "reason": f"segment or everyone else has fewer than {k} active members: suppressed",
            "rows": [],
        }
    counts = counts.dropna(subset=["item"])
    counts = counts[(counts["segment_members"] >= k) & (counts["others_members"] >= k)]
    result = stats.lift(
        counts["segment_count"], seg_total, counts["others_count"], others_total, alpha=alpha
    )
    counts = counts.assign(**result).sort_values(["lift", "item"], ascending=[False, True])
    names = common.labels(store, by)
    rows = [
        {
            "item": r.item,
            "name": names.get(r.item, r.item),
            "segment_count": int(r.segment_count),
            "segment_share": common.num(r.segment_count / seg_total, 4),
            "others_share": common.num(r.others_count / others_total, 4),
            "lift": common.num(r.lift),
            "lift_low": common.num(r.low),
            "lift_high": common.num(r.high),
            "over_indexes": bool(r.low > 1),
            "segment_members": int(r.segment_members),
        }
        for r in counts.itertuples(index=False)
    ]
    return {**out, "suppressed": False, "rows": rows}

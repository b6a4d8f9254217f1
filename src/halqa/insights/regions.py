"""The Trends page's map: plays, members and the leading genre of a segment in each region.

The window ends at the last consented event (or the last one before ``as_of``); a region of
fewer than k members shows no figures (``suppressed``).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import pandas as pd

from halqa import engines
from halqa.insights import common, queries
from halqa.insights.segment import DEFAULT_K, Segment

if TYPE_CHECKING:
    from halqa.engines import AnalyticsStore


def regions(
    store: AnalyticsStore,
    segment: Segment | list[str] | dict[str, str] | None,
    *,
    window_days: int = 90,
    k: int = DEFAULT_K,
    as_of: str | dt.date | None = None,
) -> dict[str, Any]:
    """One row per region the segment played in, most plays first (a region filter is ignored:
    every region is shown)."""
    seg = _without_region(segment)
    _, end = common.event_span(store, as_of)
    params = {
        **seg.params(),
        "cur_start": None if end is None else end - dt.timedelta(days=window_days),
        "cur_end": end,
    }
    counts = engines.run(store, queries.region_counts(), params)
    ordered = sorted(counts.itertuples(index=False), key=lambda r: (-int(r.plays), r.region))
    return {
        "segment": seg.to_dict(),
        "k": k,
        "window_days": window_days,
        "rows": [_row(r, k) for r in ordered],
    }


def _without_region(segment: Segment | list[str] | dict[str, str] | None) -> Segment:
    """The segment less its region (dropped before parsing: an unknown region is not an error)."""
    if isinstance(segment, Segment):
        return Segment(tuple((key, value) for key, value in segment.filters if key != "region"))
    if isinstance(segment, dict):
        return Segment.parse({key: value for key, value in segment.items() if key != "region"})
    return Segment.parse([s for s in segment or [] if not s.startswith("region=")])


def _row(counts: Any, k: int) -> dict[str, Any]:
    small = int(counts.members) < k
    top_genre = None if small or pd.isna(counts.top_genre) else counts.top_genre
    return {
        "region": counts.region,
        "plays": None if small else int(counts.plays),
        "members": None if small else int(counts.members),
        "top_genre": top_genre,
        "suppressed": small,
    }

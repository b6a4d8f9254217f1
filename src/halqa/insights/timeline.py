"""The Trends page's timeline: weekly plays of a segment's biggest genres, languages or kinds.

The window ends at the last consented event (or the last one before ``as_of``) and reaches back
``weeks`` weeks; a cell (week, item) of fewer than k members is suppressed (None).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import pandas as pd

from halqa import engines
from halqa.errors import ConfigError
from halqa.insights import common, queries
from halqa.insights.segment import DEFAULT_K, Segment

if TYPE_CHECKING:
    from halqa.engines import AnalyticsStore


def timeline(
    store: AnalyticsStore,
    segment: Segment | list[str] | dict[str, str] | None,
    *,
    by: str = "genre",
    weeks: int = 26,
    top: int = 6,
    k: int = DEFAULT_K,
    as_of: str | dt.date | None = None,
) -> dict[str, Any]:
    """Weekly plays of the ``top`` items the segment played most in the window."""
    if by not in queries.TIMELINE_CHOICES:
        raise ConfigError(f"timeline by '{by}' is not one of {', '.join(queries.TIMELINE_CHOICES)}")
    seg = segment if isinstance(segment, Segment) else Segment.parse(segment)
    first, end = common.event_span(store, as_of)
    reach = dt.timedelta(days=weeks * 7)
    start = None if first is None or end is None else max(end - reach, first)
    params = {
        **seg.params(),
        "cur_start": None if end is None else end - reach,
        "cur_end": end,
    }
    cells = engines.run(store, queries.timeline_cells(by), params)
    cells = cells[cells["item"].notna()]
    best = _most_played(cells, top)
    cells = cells[cells["item"].isin(best)]
    weeks_seen = sorted({_monday(w) for w in cells["week"]})
    series: dict[str, dict[dt.datetime, int | None]] = {}
    for row in sorted(cells.itertuples(index=False), key=lambda r: (r.week, r.item)):
        plays = int(row.plays) if int(row.members) >= k else None
        series.setdefault(row.item, {})[_monday(row.week)] = plays
    return {
        "segment": seg.to_dict(),
        "by": by,
        "k": k,
        "weeks": [w.date().isoformat() for w in weeks_seen],
        "partial": [_partial(w, start, end) for w in weeks_seen],
        "window": {
            "start": start.isoformat() if start else None,
            "end": end.isoformat() if end else None,
        },
        "series": [
            {"item": name, "plays": [plays.get(w) for w in weeks_seen]}
            for name, plays in series.items()
        ],
    }


def _monday(week: Any) -> dt.datetime:
    """A week (never NULL: every cell has one) as a naive datetime, whatever the engine gave."""
    return pd.Timestamp(week).to_pydatetime()


def _most_played(cells: pd.DataFrame, top: int) -> list[str]:
    """The ``top`` items by plays over the window, ties by name."""
    totals = cells.groupby("item")["plays"].sum()
    return sorted(totals.index, key=lambda item: (-int(totals[item]), item))[:top]


def _partial(week: dt.datetime, start: dt.datetime | None, end: dt.datetime | None) -> bool:
    """The first and last weeks are cut by the window (or by the first event, when the data
    begins mid-week): flagged, so a chart does not draw them as drops."""
    if start is None or end is None:
        return False
    return week < start or week + dt.timedelta(days=7) > end + dt.timedelta(microseconds=1)

"""Trends by segment: what a segment consumes most in a window, and what is rising.

Rising is statistically grounded: each item's rate ratio against the baseline (the previous
period, or the same season a year earlier, see ``halqa.insights.calendar``) with an exact
conditional test, Benjamini-Hochberg control of false discoveries across the items tested,
a minimum support, and a ranking by the *lower* end of the growth interval, so a title going
from 1 to 3 plays can never top the list. Cells under k members are suppressed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from halqa import engines as engine
from halqa.errors import ConfigError
from halqa.insights import common, queries, stats
from halqa.insights.calendar import Baseline, choose_baseline, previous_period
from halqa.insights.segment import DEFAULT_K, Segment

if TYPE_CHECKING:
    from halqa.engines import AnalyticsStore
    from halqa.insights.calendar import Period

DEFAULT_MIN_SUPPORT = 20
DEFAULT_ALPHA = 0.05


def trends(
    store: AnalyticsStore,
    segment: Segment | list[str] | dict | None = None,
    *,
    by: str = "genre",
    window: str | int | None = "28d",
    as_of: str | dt.date | None = None,
    top: int = 10,
    k: int = DEFAULT_K,
    min_support: int = DEFAULT_MIN_SUPPORT,
    alpha: float = DEFAULT_ALPHA,
    seasonal: bool = True,
    with_lift: bool = True,
) -> dict:
    """The trends report of one segment: top items, rising items, lift, season, as one dict.

    Example:
        >>> trends(store, ["age_band=18-24", "region=casablanca-settat"], by="genre")["rising"][0]
    """
    return trends_by(
        store,
        segment,
        by=(by,),
        window=window,
        as_of=as_of,
        top=top,
        k=k,
        min_support=min_support,
        alpha=alpha,
        seasonal=seasonal,
        with_lift=with_lift,
    )[by]


def trends_by(
    store: AnalyticsStore,
    segment: Segment | list[str] | dict | None = None,
    *,
    by: tuple[str, ...] = ("genre",),
    window: str | int | None = "28d",
    as_of: str | dt.date | None = None,
    top: int = 10,
    k: int = DEFAULT_K,
    min_support: int = DEFAULT_MIN_SUPPORT,
    alpha: float = DEFAULT_ALPHA,
    seasonal: bool = True,
    with_lift: bool = True,
) -> dict[str, dict]:
    """``trends`` for several ``by`` dimensions of one segment, sharing the segment's totals."""
    for dim in by:
        if dim not in queries.BY_CHOICES:
            raise ConfigError(f"--by '{dim}' is not one of {', '.join(queries.BY_CHOICES)}")
    _check_thresholds(k, min_support, alpha, top)
    seg = segment if isinstance(segment, Segment) else Segment.parse(segment)
    days = common.parse_window(window)
    end = common.resolve_as_of(store, as_of)
    period = common.window_period(days, end)
    base = choose_baseline(period, seasonal=seasonal) if days is not None else None
    params = {**seg.params(), **common.period_params(period, base.baseline if base else None)}

    with engine.focus(store, _periods(period, base)):
        return _trends_by(
            store, seg, by, window, end, period, base, params, k, min_support, alpha, top, with_lift
        )


def _periods(period: Period, base: Baseline | None) -> list[tuple[dt.datetime, dt.datetime]]:
    """Every span of events a report reads: the window, its baseline, and the previous period
    (the fallback of a seasonal baseline and what the season is told apart from)."""
    spans = [period] if base is None else [period, base.baseline, previous_period(period)]
    params = [common.period_params(p, None) for p in spans]
    return [(p["cur_start"], p["cur_end"]) for p in params]


def _trends_by(
    store: AnalyticsStore,
    seg: Segment,
    by: tuple[str, ...],
    window: str | int | None,
    end: dt.date,
    period: Period,
    base: Baseline | None,
    params: dict,
    k: int,
    min_support: int,
    alpha: float,
    top: int,
    with_lift: bool,
) -> dict[str, dict]:
    head: dict[str, Any] = {
        "segment": seg.to_dict(),
        "segment_label": seg.label,
        "as_of": str(end),
        "window": {
            "days": common.parse_window(window),
            "start": str(period.start),
            "end": str(period.end),
        },
        "k": k,
        "min_support": min_support,
        "alpha": alpha,
    }
    with staged_events(store, params):
        totals = _totals(store, params)
        small = _too_small(totals, k)
        if small:
            return {
                dim: {
                    **head,
                    "by": dim,
                    "suppressed": True,
                    "reason": small,
                    "baseline": None,
                    "totals": None,
                    "top": [],
                    "rising": [],
                    "season": None,
                    "lift": [],
                }
                for dim in by
            }
        if base is not None and base.kind != "previous_period" and totals["baseline_events"] == 0:
            base = _no_seasonal_data(base)
            params.update(common.period_params(period, base.baseline))
            engine.stage(store, queries.STAGED_EVENTS, queries.segment_events(), params)
            totals = _totals(store, params)
        head.update(
            {"suppressed": False, "baseline": base.to_dict() if base else None, "totals": totals}
        )
        reports, tested, names = {}, {}, {}
        for dim in by:
            counts = engine.run(store, queries.item_counts(dim), params).dropna(subset=["item"])
            names[dim] = common.labels(store, dim)
            tested[dim] = rising_items(
                counts,
                totals["events"],
                totals["baseline_events"],
                k=k,
                min_support=min_support,
                alpha=alpha,
            )
            reports[dim] = {
                **head,
                "by": dim,
                "top": _top_rows(counts, tested[dim], totals, k, top, names[dim]),
                "rising": _rising_rows(tested[dim], top, names[dim]),
                "suppressed_cells": int((counts["members"] < k).sum()),
                "season": None,
                "lift": [],
            }
    if base is not None and base.kind != "previous_period":
        recent = previous_period(period)
        recent_params = {**seg.params(), **common.period_params(period, recent)}
        with staged_events(store, recent_params):
            recent_totals = _totals(store, recent_params)
            for dim in by:
                reports[dim]["season"] = _season_attribution(
                    store,
                    base,
                    recent,
                    recent_params,
                    recent_totals,
                    tested[dim],
                    dim,
                    names[dim],
                    k=k,
                    min_support=min_support,
                    alpha=alpha,
                )
    if with_lift and seg.filters:
        from halqa.insights.lift import segment_lift

        for dim in by:
            if dim in queries.LIFT_CHOICES:
                reports[dim]["lift"] = segment_lift(
                    store, seg, by=dim, window=window, as_of=end, k=k, alpha=alpha
                )["rows"]
    return reports


@contextmanager
def staged_events(store: AnalyticsStore, params: dict) -> Iterator[None]:
    """The segment's events in window and baseline, staged for the per-item queries."""
    engine.stage(store, queries.STAGED_EVENTS, queries.segment_events(), params)
    try:
        yield
    finally:
        engine.unstage(store, queries.STAGED_EVENTS)


def rising_items(
    counts: pd.DataFrame,
    t1: float,
    t0: float,
    *,
    k: int,
    min_support: int,
    alpha: float,
    count: str = "count",
    baseline: str = "baseline",
) -> pd.DataFrame:
    """Every item tested, with growth, interval, p and q, and ``rising`` where it qualifies.

    Qualifies: at least ``min_support`` in the window, at least k members, q <= alpha and
    the growth interval above 1. Sorted by the interval's lower end, then count.
    """
    if counts.empty or not t0 or not t1:
        return counts.assign(
            growth=np.nan, low=np.nan, high=np.nan, p_value=np.nan, q_value=np.nan, rising=False
        ).iloc[0:0]
    c = counts[count].to_numpy(dtype=float)
    eligible = (c >= min_support) & (counts["members"].to_numpy() >= k)
    result = stats.rate_ratio(c, counts[baseline].to_numpy(dtype=float), t1, t0, alpha=alpha)
    q_value = np.full(len(c), np.nan)
    # Only items with enough support are tested, so they alone pay the multiple-testing price.
    if eligible.any():
        q_value[eligible] = stats.benjamini_hochberg(result["p_value"][eligible])
    rising = eligible & (np.nan_to_num(q_value, nan=1.0) <= alpha) & (result["low"] > 1)
    order = np.lexsort((-c, -np.nan_to_num(result["low"], nan=-1.0), ~rising))
    return counts.assign(**result, q_value=q_value, rising=rising).iloc[order]


def _top_rows(
    counts: pd.DataFrame, tested: pd.DataFrame, totals: dict, k: int, top: int, names: dict
) -> list[dict]:
    """The most consumed items, each with its growth against the baseline (rising or not)."""
    visible = (
        counts[counts["members"] >= k]
        .sort_values(["count", "item"], ascending=[False, True])
        .head(top)
    )
    shown = tested[tested["item"].isin(visible["item"])] if not tested.empty else tested
    growth = dict(
        zip(shown["item"], zip(shown["growth"], shown["low"], shown["high"], shown["rising"]))
    )
    rows = []
    for rank, row in enumerate(visible.itertuples(index=False), start=1):
        share = row.count / totals["events"] if totals["events"] else None
        g, low, high, rising = growth.get(row.item, (None, None, None, False))
        rows.append(
            {
                "rank": rank,
                "item": row.item,
                "name": names.get(row.item, row.item),
                "count": int(row.count),
                "share": common.num(share, 4),
                "members": int(row.members),
                "baseline": int(row.baseline),
                "growth": common.num(g),
                "growth_low": common.num(low),
                "growth_high": common.num(high),
                "rising": bool(rising),
            }
        )
    return rows


def _rising_rows(rising: pd.DataFrame, top: int, names: dict) -> list[dict]:
    rows = []
    head = rising.head(top)  # rising items sort first
    qualified = head[head["rising"]]
    for rank, row in enumerate(qualified.itertuples(index=False), start=1):
        rows.append(
            {
                "rank": rank,
                "item": row.item,
                "name": names.get(row.item, row.item),
                "count": int(row.count),
                "baseline": int(row.baseline),
                "members": int(row.members),
                "growth": common.num(row.growth),
                "growth_low": common.num(row.low),
                "growth_high": common.num(row.high),
                "p_value": common.pval(row.p_value),
                "q_value": common.pval(row.q_value),
                "new": bool(row.baseline == 0),
            }
        )
    return rows


def _totals(store: AnalyticsStore, params: dict, *, baseline_members: bool = False) -> dict:
    size = engine.run(store, queries.segment_size(), params).iloc[0]
    row = engine.run(store, queries.segment_totals(baseline_members=baseline_members), params).iloc[
        0
    ]
    out = {"segment_members": int(size["segment_members"])}
    for key in ("events", "baseline_events", "active_members", "baseline_active_members"):
        if baseline_members or key != "baseline_active_members":
            out[key] = int(row[key])
    return out


def segment_too_small(store: AnalyticsStore, params: dict, k: int) -> str | None:
    """Why a segment must be suppressed in this window (None when it may be reported)."""
    with staged_events(store, params):
        return _too_small(_totals(store, params), k)


def segment_exposures(store: AnalyticsStore, params: dict) -> dict:
    """Segment size, events and distinct active members in the window and the baseline
    (the segment's events must be staged: see ``staged_events``)."""
    return _totals(store, params, baseline_members=True)


def _too_small(totals: dict, k: int) -> str | None:
    if totals["segment_members"] < k:
        return f"segment has fewer than {k} members with analytics consent: suppressed"
    if totals["active_members"] < k:
        return f"fewer than {k} members of the segment were active in the window: suppressed"
    return None


def _no_seasonal_data(base: Baseline) -> Baseline:
    fallback = previous_period(base.window)
    return Baseline(
        base.window,
        fallback,
        "previous_period",
        base.season,
        f"window falls in {base.season}, but the store has no events for the same season a year "
        f"earlier: compared with the previous {base.window.days} days instead",
    )


def _season_attribution(
    store: AnalyticsStore,
    base: Baseline,
    recent: Period,
    params: dict,
    totals: dict,
    rising: pd.DataFrame,
    by: str,
    names: dict,
    *,
    k: int,
    min_support: int,
    alpha: float,
) -> dict:
    """Items that rise against the previous weeks but not against the same season a year
    earlier: their surge is the season's, and the report says so. Needs the previous
    period's events staged."""
    counts = engine.run(store, queries.item_counts(by), params).dropna(subset=["item"])
    vs_recent = rising_items(
        counts,
        totals["events"],
        totals["baseline_events"],
        k=k,
        min_support=min_support,
        alpha=alpha,
    )
    genuinely = set(rising.loc[rising["rising"], "item"])
    seasonal = rising.set_index("item") if not rising.empty else None
    rows = []
    for row in vs_recent[vs_recent["rising"]].itertuples(index=False):
        if row.item in genuinely:
            continue
        same = (
            seasonal.loc[row.item] if seasonal is not None and row.item in seasonal.index else None
        )
        rows.append(
            {
                "item": row.item,
                "name": names.get(row.item, row.item),
                "count": int(row.count),
                "recent_baseline": int(row.baseline),
                "recent_growth": common.num(row.growth),
                "recent_growth_low": common.num(row.low),
                "recent_p_value": common.pval(row.p_value),
                "season_baseline": int(same["baseline"]) if same is not None else 0,
                "season_growth": common.num(same["growth"]) if same is not None else None,
                "season_p_value": common.pval(same["p_value"]) if same is not None else None,
            }
        )
    return {
        "name": base.season,
        "kind": base.kind,
        "note": base.note,
        "recent_baseline": {"start": str(recent.start), "end": str(recent.end)},
        "attributed_to_season": rows,
    }


def _check_thresholds(k: int, min_support: int, alpha: float, top: int) -> None:
    if k < 2:
        raise ConfigError(f"k={k}: the suppression threshold must be at least 2 members")
    if min_support < 1:
        raise ConfigError(f"min-support={min_support}: must be at least 1")
    if not 0 < alpha < 1:
        raise ConfigError(f"alpha={alpha}: must be between 0 and 1")
    if top < 1:
        raise ConfigError(f"top={top}: must be at least 1")

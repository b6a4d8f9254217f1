"""Fans also like: titles or creators whose audience overlaps most with a given one.

Score = shrunk lift of the audience overlap (``halqa.insights.stats.shrunk_lift``): the
overlap against what chance predicts from both audiences' sizes, with a prior of a few
pseudo-members, so blockbusters everyone watches don't top every list and two shared fans
don't either. Overlaps under k members are suppressed.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from halqa import engines as engine
from halqa.errors import ConfigError, NotFoundError
from halqa.insights import common, queries, stats
from halqa.insights.segment import DEFAULT_K

if TYPE_CHECKING:
    from halqa.engines import AnalyticsStore

DEFAULT_PRIOR = 5.0


def fans_also_like(
    store: AnalyticsStore,
    target: str,
    *,
    entity: str = "title",
    window: str | int | None = "365d",
    as_of: str | dt.date | None = None,
    top: int = 10,
    k: int = DEFAULT_K,
    prior: float = DEFAULT_PRIOR,
) -> dict:
    """Titles (``entity="title"``) or creators (``"creator"``) most shared with ``target``'s
    audience."""
    if entity not in ("title", "creator"):
        raise ConfigError(f"fans-also-like works on 'title' or 'creator', not '{entity}'")
    table, key = ("titles", "title_id") if entity == "title" else ("creators", "creator_id")
    if not store.scalar(f"SELECT count(*) FROM {table} WHERE {key} = ?", [target]):
        raise NotFoundError(f"{entity} '{target}' is not in the store")
    end = common.resolve_as_of(store, as_of)
    period = common.window_period(common.parse_window(window), end)
    params = {"target": target, **common.period_params(period, None)}
    df = engine.run(store, queries.fans_overlap(entity), params)
    out = {
        "target": target,
        "entity": entity,
        "window": {"start": str(period.start), "end": str(period.end)},
        "k": k,
        "prior": prior,
    }
    audience = int(df["target_audience"].iloc[0]) if len(df) else 0
    if audience < k:
        return {
            **out,
            "suppressed": True,
            "target_audience": None,
            "reason": f"the audience of '{target}' has fewer than {k} members: suppressed",
            "rows": [],
        }
    total = int(df["total_members"].iloc[0])
    df = df[(df["item"] != target) & (df["overlap"] >= k)].copy()
    df["score"] = stats.shrunk_lift(df["overlap"], audience, df["audience"], total, prior=prior)
    df["lift"] = df["overlap"] * total / (audience * df["audience"])
    df["jaccard"] = df["overlap"] / (audience + df["audience"] - df["overlap"])
    # ties broken by id: the same store gives the same list in the same order on every call
    df = df.sort_values(
        ["score", "overlap", "item"], ascending=[False, False, True], kind="stable"
    ).head(top)
    names = common.labels(store, entity)
    rows = [
        {
            "rank": i,
            "item": r.item,
            "name": names.get(r.item, r.item),
            "overlap": int(r.overlap),
            "audience": int(r.audience),
            "lift": common.num(r.lift),
            "score": common.num(r.score),
            "jaccard": common.num(r.jaccard, 4),
        }
        for i, r in enumerate(df.itertuples(index=False), start=1)
    ]
    return {
        **out,
        "suppressed": False,
        "target_audience": audience,
        "total_members": total,
        "rows": rows,
    }

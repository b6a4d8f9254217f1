"""Rising local talent: Moroccan, emerging creators whose audience grows fastest, significantly.

Moroccan means the creator's country is MA; emerging means a debut within ``emerging_years``
of the as-of date. Audience is distinct members per week (not plays), so one superfan cannot
make an artist rise. Growth is the slope of a Poisson regression of the weekly audience on
time, with the segment's weekly active members as exposure (a platform-wide surge does not
count) and a quasi-Poisson scale for overdispersion (``halqa.insights.stats.poisson_trend``).
A trend over weeks, rather than one window against another, catches a steady breakout and is
not fooled by a release spike in either window. A creator rises when the audience over the
window reaches ``min_support`` and k members, the Benjamini-Hochberg q-value is at most alpha
and the lower end of the monthly growth interval is above 1. Overall and per member region.
The default window is the past 52 weeks: a career breaks out over months, and a shorter
window cannot tell a steady rise of a few percent a month from noise.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import numpy as np

from halqa import engines as engine
from halqa.catalog import taxonomy
from halqa.insights import common, queries, stats
from halqa.insights.segment import DEFAULT_K, Segment
from halqa.insights.trends import DEFAULT_ALPHA

if TYPE_CHECKING:
    from halqa.engines import AnalyticsStore
    from halqa.insights.calendar import Period

DEFAULT_EMERGING_YEARS = 5
DEFAULT_MIN_AUDIENCE = 20
WEEKS_PER_MONTH = 30.44 / 7


def rising_talent(
    store: AnalyticsStore,
    *,
    window: str | int | None = "364d",
    as_of: str | dt.date | None = None,
    emerging_years: int = DEFAULT_EMERGING_YEARS,
    regions: bool = True,
    top: int = 10,
    k: int = DEFAULT_K,
    min_support: int = DEFAULT_MIN_AUDIENCE,
    alpha: float = DEFAULT_ALPHA,
) -> dict:
    """Rising Moroccan emerging creators, overall and (``regions=True``) per member region."""
    end = common.resolve_as_of(store, as_of)
    days = max(common.parse_window(window) or 364, 28)  # at least four weekly points
    period = common.window_period(days - days % 7, end)  # whole weeks ending the day before as-of
    creators = engine.run(store, queries.creators())
    since = end.year - emerging_years
    local = creators[(creators["country"] == "MA") & (creators["debut_year"].fillna(0) >= since)]
    info = {r.creator_id: r for r in local.itertuples(index=False)}
    out: dict[str, Any] = {
        "as_of": str(end),
        "window": {"start": str(period.start), "end": str(period.end), "weeks": period.days // 7},
        "method": "Poisson trend of weekly distinct audience, exposure = weekly active members",
        "emerging_years": emerging_years,
        "k": k,
        "min_support": min_support,
        "local_creators": len(info),
        "overall": None,
        "regions": {},
    }
    segments = [("all", Segment())]
    if regions:
        segments += [(region, Segment((("region", region),))) for region in taxonomy.REGION_IDS]
    for name, seg in segments:
        params = {**seg.params(), **common.period_params(period, None), "debut_since": since}
        result = _rising_for(
            store, params, period, info, top=top, k=k, min_support=min_support, alpha=alpha
        )
        if name == "all":
            out["overall"] = result
        else:
            out["regions"][name] = result
    return out


def _rising_for(
    store: AnalyticsStore,
    params: dict,
    period: Period,
    info: dict,
    *,
    top: int,
    k: int,
    min_support: int,
    alpha: float,
) -> dict:
    weekly = engine.run(store, queries.creator_weekly_audience(), params)
    weeks = period.days // 7
    active = np.zeros(weeks)
    exposure = weekly[weekly["item"].isna()]
    active[exposure["week"].to_numpy(dtype=int)] = exposure["audience"].to_numpy()
    members = int(
        store.scalar(
            f"WITH {queries.SEGMENT_CTE} SELECT count(*) FROM seg",
            {key: params[key] for key in params if key.startswith("seg_")},
        )
    )
    if members < k or active.max(initial=0) < k:
        return {
            "suppressed": True,
            "reason": f"fewer than {k} active members: suppressed",
            "rows": [],
        }
    audience = engine.run(store, queries.creator_window_audience(), params).set_index("item")[
        "audience"
    ]
    eligible = [c for c in audience.index if audience[c] >= max(min_support, k) and c in info]
    if not eligible:
        return {"suppressed": False, "active_members_per_week": _summary(active), "rows": []}
    per = weekly[weekly["item"].isin(eligible)]
    index = {c: i for i, c in enumerate(eligible)}
    counts = np.zeros((len(eligible), weeks))
    counts[per["item"].map(index).to_numpy(), per["week"].to_numpy(dtype=int)] = per[
        "audience"
    ].to_numpy()
    fit = stats.poisson_trend(counts, active, alpha=alpha)
    q_value = stats.benjamini_hochberg(fit["p_value"])
    monthly = {key: np.exp(fit[key] * WEEKS_PER_MONTH) for key in ("slope", "low", "high")}
    rising = (q_value <= alpha) & (monthly["low"] > 1)
    order = [i for i in np.argsort(-monthly["low"], kind="stable") if rising[i]][:top]
    rows = []
    for rank, i in enumerate(order, start=1):
        creator = info[eligible[i]]
        rows.append(
            {
                "rank": rank,
                "creator_id": eligible[i],
                "name": creator.name,
                "creator_region": creator.region,
                "debut_year": common.num(creator.debut_year),
                "audience": int(audience[eligible[i]]),
                "weekly_audience_first_4": common.num(counts[i, :4].mean(), 1),
                "weekly_audience_last_4": common.num(counts[i, -4:].mean(), 1),
                "monthly_growth": common.num(monthly["slope"][i]),
                "growth_low": common.num(monthly["low"][i]),
                "growth_high": common.num(monthly["high"][i]),
                "p_value": common.pval(fit["p_value"][i]),
                "q_value": common.pval(q_value[i]),
            }
        )
    return {
        "suppressed": False,
        "active_members_per_week": _summary(active),
        "tested": len(eligible),
        "rows": rows,
    }


def _summary(active: np.ndarray) -> dict:
    return {
        "first_4_weeks": common.num(active[:4].mean(), 1),
        "last_4_weeks": common.num(active[-4:].mean(), 1),
    }

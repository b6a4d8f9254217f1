"""One title or one creator as its own page: who its audience is, its weekly plays, and what its
fans also like; and a search over title and creator names.

The same rules as every insight: consented events only (``events_analytics``), every cell of
fewer than k members suppressed, windows ending at the day after the last event (or ``as_of``).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import pandas as pd

from halqa import engines as engine
from halqa.engines.base import QueryDef
from halqa.errors import ConfigError, NotFoundError
from halqa.insights import common, queries
from halqa.insights.fans import fans_also_like
from halqa.insights.segment import DEFAULT_K

if TYPE_CHECKING:
    from halqa.engines import AnalyticsStore

ENTITIES = {"title": ("titles", "title_id"), "creator": ("creators", "creator_id")}
BREAKDOWN = ("age_band", "gender", "region")


def _target_events(entity: str) -> str:
    join, item = queries.ITEMS[entity]
    return f"""ev AS (
  SELECT e.member_id, e.ts FROM events_analytics e JOIN titles t ON t.title_id = e.title_id {join}
  WHERE e.event_type IN {queries._CONSUMED} AND {item} = $target AND e.ts >= $cur_start \
AND e.ts < $cur_end
)"""


def weekly_plays(entity: str) -> QueryDef:
    return QueryDef(
        f"profile_weekly_{entity}",
        f"""WITH {_target_events(entity)}
SELECT date_trunc('week', ev.ts) AS week, count(*) AS plays, count(DISTINCT ev.member_id) AS members
FROM ev GROUP BY 1 ORDER BY 1""",
        f"Weekly plays and distinct members of one {entity} in the window.",
    )


def audience_breakdown(entity: str) -> QueryDef:
    parts = [
        f"SELECT '{col}' AS dimension, CAST(m.{col} AS VARCHAR) AS value, count(*) AS members "
        f"FROM members_analytics m JOIN fans ON fans.member_id = m.member_id GROUP BY 1, 2"
        for col in BREAKDOWN
    ]
    return QueryDef(
        f"profile_audience_{entity}",
        f"""WITH {_target_events(entity)},
fans AS (SELECT DISTINCT member_id FROM ev)
"""
        + "\nUNION ALL\n".join(parts),
        f"Distinct members who played one {entity}, by age band, gender and region.",
    )


def profile(
    store: AnalyticsStore,
    entity: str,
    target: str,
    *,
    weeks: int = 26,
    as_of: str | dt.date | None = None,
    k: int = DEFAULT_K,
    fans_top: int = 10,
) -> dict[str, Any]:
    """The page of one title or creator: what it is, its audience, its weekly plays,
    fans also like."""
    if entity not in ENTITIES:
        raise ConfigError(f"a profile is of a 'title' or a 'creator', not '{entity}'")
    if not 1 <= weeks <= 260:
        raise ConfigError(f"weeks must be between 1 and 260 (got {weeks})")
    about = _describe(store, entity, target)
    end = common.resolve_as_of(store, as_of)
    period = common.window_period(weeks * 7, end)
    params = {"target": target, **common.period_params(period, None)}
    weekly = engine.run(store, weekly_plays(entity), params)
    first = store.scalar("SELECT min(ts) FROM events_analytics")
    data_start = max(period.start, first.date()) if first is not None else period.start
    cells = engine.run(store, audience_breakdown(entity), params)
    fans = fans_also_like(
        store, target, entity=entity, window=f"{weeks * 7}d", as_of=end, top=fans_top, k=k
    )
    return {
        "entity": entity,
        "id": target,
        **about,
        "k": k,
        "window": {"start": str(period.start), "end": str(period.end), "weeks": weeks},
        "audience": _breakdown(cells, k),
        "timeline": _timeline(weekly, data_start, period.end, k),
        "fans_also_like": {
            key: fans[key]
            for key in ("suppressed", "target_audience", "rows", "reason")
            if key in fans
        },
    }


def _describe(store: AnalyticsStore, entity: str, target: str) -> dict[str, Any]:
    if entity == "title":
        rows = store.rows(
            "SELECT name, kind, genres, original_language, release_date, creator_ids FROM titles "
            "WHERE title_id = ?",
            [target],
        )
        if not rows:
            raise NotFoundError(f"title '{target}' is not in the store")
        name, kind, genres, language, released, creator_ids = rows[0]
        creators = store.rows(
            "SELECT creator_id, name, country FROM creators WHERE list_contains(?, creator_id)",
            [list(creator_ids or [])],
        )
        order = {c: i for i, c in enumerate(creator_ids or [])}
        return {
            "name": name,
            "kind": kind,
            "genres": list(genres or []),
            "language": language,
            "release_date": str(released) if released else None,
            "creators": [
                {"id": c, "name": n, "country": country}
                for c, n, country in sorted(creators, key=lambda r: order[r[0]])
            ],
        }
    rows = store.rows(
        "SELECT name, country, region, debut_year FROM creators WHERE creator_id = ?", [target]
    )
    if not rows:
        raise NotFoundError(f"creator '{target}' is not in the store")
    name, country, region, debut = rows[0]
    titles = store.scalar(
        "SELECT count(*) FROM titles WHERE list_contains(creator_ids, ?)", [target]
    )
    return {
        "name": name,
        "country": country,
        "region": region,
        "debut_year": debut,
        "titles": int(titles),
    }


def _breakdown(cells: Any, k: int) -> dict[str, Any]:
    """Members per age band, gender and region; a cell under k is None (suppressed), an unknown
    value is left out (never shown as 'nan' or 'None')."""
    out: dict[str, dict[str, int | None]] = {dim: {} for dim in BREAKDOWN}
    for dim, value, members in cells.itertuples(index=False):
        if value is None or pd.isna(value):
            continue
        out[dim][value] = int(members) if members >= k else None
    for dim in BREAKDOWN:
        out[dim] = dict(
            sorted(out[dim].items(), key=lambda kv: (kv[1] is None, -(kv[1] or 0), kv[0]))
        )
    return out


def _timeline(weekly: Any, start: dt.date, end: dt.date, k: int) -> dict[str, Any]:
    """Weekly plays (None: fewer than k members that week); weeks cut by the window, or begun
    before the first event, are partial (drawn as such, not as drops)."""
    weeks, plays, partial = [], [], []
    for week, count, members in weekly.itertuples(index=False):
        day = week.date() if hasattr(week, "date") else week
        weeks.append(day.isoformat())
        plays.append(int(count) if members >= k else None)
        partial.append(bool(day < start or day + dt.timedelta(days=7) > end))
    return {"weeks": weeks, "plays": plays, "partial": partial}


def search(store: AnalyticsStore, q: str, *, limit: int = 10) -> dict[str, list[dict[str, Any]]]:
    """Titles and creators whose name or id contains ``q`` (case-insensitive, any script)."""
    text = q.strip()
    if not text:
        return {"titles": [], "creators": []}
    needle = text.lower()
    titles = store.rows(
        "SELECT title_id, name, kind, (SELECT string_agg(c.name, ', ') FROM creators c "
        "WHERE list_contains(t.creator_ids, c.creator_id)) AS creators, year(release_date) "
        "FROM titles t WHERE strpos(lower(name), ?) > 0 OR strpos(lower(title_id), ?) > 0 "
        "ORDER BY strpos(lower(name), ?) = 0, length(name), title_id LIMIT ?",
        [needle, needle, needle, limit],
    )
    creators = store.rows(
        "SELECT creator_id, name, country FROM creators WHERE strpos(lower(name), ?) > 0 "
        "OR strpos(lower(creator_id), ?) > 0 ORDER BY length(name), creator_id LIMIT ?",
        [needle, needle, limit],
    )
    return {
        "titles": [
            {"id": i, "name": n, "kind": kd, "creators": c, "year": y} for i, n, kd, c, y in titles
        ],
        "creators": [{"id": i, "name": n, "country": c} for i, n, c in creators],
    }

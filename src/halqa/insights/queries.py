"""Every analytics query of halqa.insights, defined once (DuckDB SQL, ``$name`` parameters).

This module is the one place where insights touch data. ``halqa.engines.duckdb.run`` runs a
definition on a Store; ``halqa.engines.spark`` transpiles the same text for Spark (tests
check that every definition in ``DEFINITIONS`` transpiles and parses back as Spark SQL).
Queries read consented data only: ``events_analytics`` and ``members_analytics``.

Parameters: ``$seg_<key>`` (segment, NULL = open), ``$cur_start``/``$cur_end`` (window),
``$base_start``/``$base_end`` (baseline), ``$target`` (fans-also-like), ``$region`` (supply),
``$before`` (the as-of day of a window that ends at the last event).
"""

from __future__ import annotations

from halqa.engines.base import QueryDef
from halqa.insights.segment import SEGMENT_KEYS

# Events that mean "this member consumed this title" (a start, or a rating in research data).
CONSUMPTION = ("play", "view", "listen", "rate")
_CONSUMED = "(" + ", ".join(f"'{t}'" for t in CONSUMPTION) + ")"


def _segment_predicate(alias: str = "m") -> str:
    clauses = []
    for key in SEGMENT_KEYS:
        param = f"$seg_{key}"
        if key == "language":
            # Typed: an open (NULL) parameter reaches Spark as VOID, which array_contains refuses.
            test = f"list_contains({alias}.languages, CAST({param} AS VARCHAR))"
        elif key == "city":
            test = f"lower({alias}.city) = lower({param})"
        else:
            test = f"{alias}.{key} = {param}"
        clauses.append(f"({param} IS NULL OR {test})")
    return "\n      AND ".join(clauses)


SEGMENT_CTE = (
    f"seg AS (\n  SELECT m.member_id FROM members_analytics m\n  WHERE {_segment_predicate()}\n)"
)

# What an item is for each --by: (extra FROM clause over titles t, item expression).
_LENGTH = """CASE WHEN t.duration_s IS NULL THEN NULL
    WHEN t.kind IN ('track', 'clip', 'album') THEN
      CASE WHEN t.duration_s < 180 THEN 'music <3 min' WHEN t.duration_s < 300 THEN 'music 3-5 min'
           ELSE 'music >5 min' END
    WHEN t.duration_s < 900 THEN 'screen <15 min' WHEN t.duration_s < 2700 THEN 'screen 15-45 min'
    WHEN t.duration_s < 5400 THEN 'screen 45-90 min' ELSE 'screen >90 min' END"""
ITEMS = {
    "genre": ("CROSS JOIN UNNEST(t.genres) AS x(item)", "x.item"),
    "theme": ("CROSS JOIN UNNEST(t.themes) AS x(item)", "x.item"),
    "creator": ("CROSS JOIN UNNEST(t.creator_ids) AS x(item)", "x.item"),
    "title": ("", "t.title_id"),
    "language": ("", "t.original_language"),
    "kind": ("", "t.kind"),
    "length": ("", _LENGTH),
}
BY_CHOICES = ("genre", "theme", "title", "creator", "language", "kind")
LIFT_CHOICES = ("genre", "theme", "language", "kind", "length")
ENGAGEMENT_CHOICES = ("genre", "kind", "theme", "language", "length")
# Item queries return the NULL item too (titles without a genre, language...): callers drop it.
# Filtering it in SQL ("WHERE x.item IS NOT NULL") makes DuckDB plan the unnest join 3x slower.

_IN_WINDOW = "(e.ts >= $cur_start AND e.ts < $cur_end)"
_IN_BASELINE = "(e.ts >= $base_start AND e.ts < $base_end)"


# A segment's consumption events in the window and the baseline are staged once (a temp table
# in DuckDB, a cached temp view in Spark) and every per-item count reads them: one scan of the
# events per segment instead of one per dimension.
STAGED_EVENTS = "_halqa_segment_events"


def segment_events() -> QueryDef:
    return QueryDef(
        "segment_events",
        f"""WITH {SEGMENT_CTE}
SELECT e.member_id, e.title_id, {_IN_WINDOW} AS cur
FROM events_analytics e JOIN seg ON seg.member_id = e.member_id
WHERE e.event_type IN {_CONSUMED} AND ({_IN_WINDOW} OR {_IN_BASELINE})""",
        f"The segment's consumption events in window and baseline, staged as {STAGED_EVENTS}.",
    )


def segment_totals(*, baseline_members: bool = False) -> QueryDef:
    """Exposures of the segment (from the staged events); ``baseline_members`` adds distinct
    members of the baseline (rising talent measures audiences; trends skip its cost)."""
    extra = "count(DISTINCT ev.member_id) FILTER (WHERE NOT ev.cur)" if baseline_members else "NULL"
    name = "segment_totals_members" if baseline_members else "segment_totals"
    return QueryDef(
        name,
        f"""SELECT count(*) FILTER (WHERE ev.cur) AS events,
  count(*) FILTER (WHERE NOT ev.cur) AS baseline_events,
  count(DISTINCT ev.member_id) FILTER (WHERE ev.cur) AS active_members,
  {extra} AS baseline_active_members
FROM {STAGED_EVENTS} ev""",
        "The segment's activity in the window and the baseline (the exposures).",
    )


def segment_size() -> QueryDef:
    return QueryDef(
        "segment_size",
        f"WITH {SEGMENT_CTE}\nSELECT count(*) AS segment_members FROM seg",
        "Members of the segment with analytics consent.",
    )


def item_counts(by: str) -> QueryDef:
    join, item = ITEMS[by]
    return QueryDef(
        f"item_counts_{by}",
        f"""SELECT {item} AS item,
  count(*) FILTER (WHERE ev.cur) AS count,
  count(*) FILTER (WHERE NOT ev.cur) AS baseline,
  count(DISTINCT ev.member_id) FILTER (WHERE ev.cur) AS members,
  count(DISTINCT ev.member_id) FILTER (WHERE NOT ev.cur) AS baseline_members
FROM {STAGED_EVENTS} ev JOIN titles t ON t.title_id = ev.title_id {join}
GROUP BY 1""",
        f"Per {by}: the segment's events and distinct members, "
        "window vs baseline (NULL item included).",
    )


def lift_counts(by: str) -> QueryDef:
    join, item = ITEMS[by]
    return QueryDef(
        f"lift_counts_{by}",
        f"""WITH {SEGMENT_CTE},
ev AS (
  SELECT e.member_id, e.title_id, seg.member_id IS NOT NULL AS in_seg
  FROM events_analytics e LEFT JOIN seg ON seg.member_id = e.member_id
  WHERE e.event_type IN {_CONSUMED} AND {_IN_WINDOW}
),
tot AS (
  SELECT count(*) FILTER (WHERE in_seg) AS segment_total, \
count(*) FILTER (WHERE NOT in_seg) AS others_total,
    count(DISTINCT member_id) FILTER (WHERE in_seg) AS segment_active,
    count(DISTINCT member_id) FILTER (WHERE NOT in_seg) AS others_active
  FROM ev
),
per_item AS (
  SELECT {item} AS item,
    count(*) FILTER (WHERE ev.in_seg) AS segment_count,
    count(*) FILTER (WHERE NOT ev.in_seg) AS others_count,
    count(DISTINCT ev.member_id) FILTER (WHERE ev.in_seg) AS segment_members,
    count(DISTINCT ev.member_id) FILTER (WHERE NOT ev.in_seg) AS others_members
  FROM ev JOIN titles t ON t.title_id = ev.title_id {join}
  GROUP BY 1
)
SELECT tot.*, per_item.* FROM tot LEFT JOIN per_item ON true""",
        f"Per {by}: events of the segment and of everyone else in the window, with both totals "
        "on every row (one row of NULL items when nobody is active).",
    )


def fans_overlap(entity: str) -> QueryDef:
    join, item = ITEMS[entity]
    return QueryDef(
        f"fans_overlap_{entity}",
        f"""WITH ev AS (
  SELECT DISTINCT e.member_id, {item} AS item
  FROM events_analytics e JOIN titles t ON t.title_id = e.title_id {join}
  WHERE e.event_type IN {_CONSUMED} AND {_IN_WINDOW}
),
target AS (SELECT DISTINCT member_id FROM ev WHERE item = $target),
audience AS (SELECT item, count(*) AS audience FROM ev WHERE item IS NOT NULL GROUP BY item),
overlap AS (
  SELECT ev.item, count(*) AS overlap FROM ev JOIN target ON target.member_id = ev.member_id
  WHERE ev.item IS NOT NULL GROUP BY ev.item
)
SELECT overlap.item, overlap.overlap, audience.audience,
  (SELECT count(*) FROM target) AS target_audience,
  (SELECT count(DISTINCT member_id) FROM ev) AS total_members
FROM overlap JOIN audience ON audience.item = overlap.item""",
        f"Audience overlap of every {entity} with the target {entity}.",
    )


def engagement(by: str) -> QueryDef:
    join, item = ITEMS[by]
    return QueryDef(
        f"engagement_{by}",
        f"""WITH {SEGMENT_CTE},
ev AS (
  SELECT e.member_id, e.title_id, e.event_type, CAST(e.ts AS DATE) AS day, {_IN_WINDOW} AS cur
  FROM events_analytics e JOIN seg ON seg.member_id = e.member_id
  WHERE ({_IN_WINDOW} OR {_IN_BASELINE}) AND (e.event_type IN {_CONSUMED} \
OR e.event_type = 'complete')
),
pairs AS (
  SELECT member_id, title_id,
    count(DISTINCT day) FILTER (WHERE cur AND event_type IN {_CONSUMED}) AS days,
    count(*) FILTER (WHERE cur) AS window_events,
    count(*) FILTER (WHERE cur AND event_type = 'complete') AS completes,
    count(*) FILTER (WHERE NOT cur) AS baseline_events
  FROM ev GROUP BY member_id, title_id
),
member_items AS (
  SELECT p.member_id, {item} AS item,
    count(*) FILTER (WHERE p.window_events > 0) AS titles,
    count(*) FILTER (WHERE p.completes > 0) AS completed_titles,
    count(*) FILTER (WHERE p.days >= 2) AS repeated_titles,
    max(p.window_events) > 0 AS active,
    max(p.baseline_events) > 0 AS baseline_active
  FROM pairs p JOIN titles t ON t.title_id = p.title_id {join}
  GROUP BY p.member_id, {item}
)
SELECT item,
  sum(titles) AS pairs,
  sum(completed_titles) AS completed_pairs,
  sum(repeated_titles) AS repeat_pairs,
  count(*) FILTER (WHERE active) AS members,
  count(*) FILTER (WHERE baseline_active) AS baseline_members,
  count(*) FILTER (WHERE baseline_active AND active) AS retained_members
FROM member_items
GROUP BY item""",
        f"Per {by}: completion, repeat and retention of the segment's member-title pairs.",
    )


def supply(by: str) -> QueryDef:
    join, item = ITEMS[by]
    return QueryDef(
        f"supply_{by}",
        f"""SELECT {item} AS item, count(DISTINCT t.title_id) AS titles
FROM titles t {join}
WHERE {item} IS NOT NULL AND ($region IS NULL OR t.available_regions IS NULL
       OR list_contains(t.available_regions, CAST($region AS VARCHAR)))
GROUP BY 1""",
        f"Titles in the catalogue per {by} (available in the segment's region when it has one).",
    )


def segment_profile() -> QueryDef:
    parts = [
        f"SELECT '{col}' AS dimension, CAST(m.{col} AS VARCHAR) AS value, count(*) AS members "
        f"FROM members_analytics m JOIN seg ON seg.member_id = m.member_id GROUP BY 1, 2"
        for col in ("age_band", "gender", "region")
    ]
    return QueryDef(
        "segment_profile",
        f"WITH {SEGMENT_CTE}\n" + "\nUNION ALL\n".join(parts),
        "Who the segment is: members by age band, gender and region.",
    )


def creator_weekly_audience() -> QueryDef:
    """Weekly distinct audience of each Moroccan creator who debuted since ``$debut_since``,
    and (item NULL) the segment's weekly active members, the exposure."""
    return QueryDef(
        "creator_weekly_audience",
        f"""WITH {SEGMENT_CTE},
ev AS (
  SELECT e.member_id, e.title_id, CAST(floor(date_diff('day', CAST($cur_start AS DATE), \
CAST(e.ts AS DATE)) / 7) AS INTEGER) AS week
  FROM events_analytics e JOIN seg ON seg.member_id = e.member_id
  WHERE e.event_type IN {_CONSUMED} AND {_IN_WINDOW}
),
local AS (SELECT creator_id FROM creators WHERE country = 'MA' AND debut_year >= $debut_since),
per_creator AS (
  SELECT x.item, ev.week, count(DISTINCT ev.member_id) AS audience, count(*) AS plays
  FROM ev JOIN titles t ON t.title_id = ev.title_id CROSS JOIN UNNEST(t.creator_ids) AS x(item)
  WHERE x.item IN (SELECT creator_id FROM local)
  GROUP BY x.item, ev.week
),
per_week AS (SELECT week, count(DISTINCT member_id) AS active FROM ev GROUP BY week)
SELECT item, week, audience, plays FROM per_creator
UNION ALL
SELECT NULL AS item, week, active AS audience, 0 AS plays FROM per_week""",
        "Weekly audiences of local emerging creators, and the segment's weekly active members.",
    )


def creator_window_audience() -> QueryDef:
    return QueryDef(
        "creator_window_audience",
        f"""WITH {SEGMENT_CTE}
SELECT x.item, count(DISTINCT e.member_id) AS audience
FROM events_analytics e JOIN seg ON seg.member_id = e.member_id
  JOIN titles t ON t.title_id = e.title_id CROSS JOIN UNNEST(t.creator_ids) AS x(item)
WHERE e.event_type IN {_CONSUMED} AND {_IN_WINDOW}
  AND x.item IN (SELECT creator_id FROM creators WHERE country = 'MA' \
AND debut_year >= $debut_since)
GROUP BY x.item""",
        "Distinct audience of each local emerging creator over the whole window.",
    )


def creators() -> QueryDef:
    return QueryDef(
        "creators",
        "SELECT creator_id, name, country, region, debut_year FROM creators",
        "The creators table (Moroccan = country MA; emerging = recent debut).",
    )


def titles_named() -> QueryDef:
    return QueryDef(
        "titles_named", "SELECT title_id, name, kind FROM titles", "Title names for labels."
    )


# The dashboard's Trends page: windows that end at the last event, inclusive (``$cur_start`` is
# exclusive), so a window of N weeks reaches back N weeks from the last event's time of day.
_UP_TO_LAST = "(e.ts > $cur_start AND e.ts <= $cur_end)"
TIMELINE_CHOICES = ("genre", "language", "kind")


def event_span() -> QueryDef:
    return QueryDef(
        "event_span",
        """SELECT min(e.ts) AS first_ts, max(e.ts) AS last_ts FROM events_analytics e
WHERE $before IS NULL OR e.ts < CAST($before AS TIMESTAMP)""",
        "First and last consented event (before $before when set): where windows end.",
    )


def timeline_cells(by: str) -> QueryDef:
    join, item = ITEMS[by]
    return QueryDef(
        f"timeline_cells_{by}",
        f"""WITH {SEGMENT_CTE}
SELECT date_trunc('week', e.ts) AS week, {item} AS item,
  count(*) AS plays, count(DISTINCT e.member_id) AS members
FROM events_analytics e JOIN seg ON seg.member_id = e.member_id
  JOIN titles t ON t.title_id = e.title_id {join}
WHERE {_UP_TO_LAST}
GROUP BY 1, 2""",
        f"Per week and {by}: the segment's events and distinct members (NULL item included).",
    )


def region_counts() -> QueryDef:
    return QueryDef(
        "region_counts",
        f"""WITH {SEGMENT_CTE},
ev AS (
  SELECT m.region, e.member_id, t.genres
  FROM events_analytics e JOIN seg ON seg.member_id = e.member_id
    JOIN members_analytics m ON m.member_id = e.member_id JOIN titles t ON t.title_id = e.title_id
  WHERE {_UP_TO_LAST} AND m.region IS NOT NULL
),
per_region AS (
  SELECT region, count(*) AS plays, count(DISTINCT member_id) AS members FROM ev GROUP BY region
),
per_genre AS (
  SELECT ev.region, x.item AS genre, count(*) AS plays
  FROM ev CROSS JOIN UNNEST(ev.genres) AS x(item) WHERE x.item IS NOT NULL GROUP BY 1, 2
),
ranked AS (
  SELECT region, genre, row_number() OVER (PARTITION BY region ORDER BY plays DESC, genre) AS n
  FROM per_genre
)
SELECT r.region, r.plays, r.members, g.genre AS top_genre
FROM per_region r LEFT JOIN ranked g ON g.region = r.region AND g.n = 1""",
        "Per region: the segment's events, distinct members and most played genre.",
    )


def all_definitions() -> dict[str, QueryDef]:
    """Every definition, by name (what the Spark transpilation test walks through)."""
    defs = [
        segment_events(),
        segment_totals(),
        segment_totals(baseline_members=True),
        segment_size(),
        segment_profile(),
        creator_weekly_audience(),
        creator_window_audience(),
        creators(),
        titles_named(),
        event_span(),
        region_counts(),
    ]
    defs += [item_counts(by) for by in ITEMS]
    defs += [lift_counts(by) for by in ITEMS]
    defs += [engagement(by) for by in ITEMS]
    defs += [supply(by) for by in ITEMS]
    defs += [fans_overlap(entity) for entity in ("title", "creator")]
    defs += [timeline_cells(by) for by in TIMELINE_CHOICES]
    return {d.name: d for d in defs}


DEFINITIONS = all_definitions()

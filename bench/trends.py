"""Benchmark: the full trends report for 20 segments on a generated 10M-event world.

For each segment, halqa computes trends by genre (with lift against everyone else), by title
and by creator: top items, rising items with exact tests and intervals, suppression. The peer
is hand-written DuckDB SQL computing the same numbers (counts, baselines, distinct members,
growth, lift) in the same run on the same store; the script checks that both agree, then
prints seconds, peak memory (RSS sampled every 20 ms) and the ratio halqa / hand SQL.

    .venv/bin/python bench/trends.py                       # 10M events (world cached in bench/.cache)
    .venv/bin/python bench/trends.py --events 1000000      # smaller, quicker
    .venv/bin/python bench/trends.py --repeat 2 --json     # best of two alternating runs per side

The world comes from ``halqa.demo.generate_world`` and is ingested through ``halqa.ingest``
(once; later runs reuse the cached store).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from _timing import PeakRSS  # bench/_timing.py (this folder is on sys.path)
from _timing import ratio as ratio_text

from halqa.catalog import Store
from halqa.insights import trends_by
from halqa.insights.calendar import choose_baseline
from halqa.insights.common import window_period
from halqa.insights.queries import CONSUMPTION

REPO = Path(__file__).resolve().parents[1]
SEGMENTS = (
    [[f"age_band={a}"] for a in ("<18", "18-24", "25-34", "35-44", "45-54", "55+")]
    + [
        [f"region={r}"]
        for r in (
            "tanger-tetouan-al-hoceima",
            "oriental",
            "fes-meknes",
            "rabat-sale-kenitra",
            "beni-mellal-khenifra",
            "casablanca-settat",
            "marrakech-safi",
            "draa-tafilalet",
            "souss-massa",
            "guelmim-oued-noun",
            "laayoune-sakia-el-hamra",
        )
    ]
    + [
        ["age_band=18-24", "region=casablanca-settat"],
        ["gender=F", "age_band=25-34"],
        ["gender=M", "region=souss-massa"],
    ]
)
DIMENSIONS = ("genre", "title", "creator")


def build_world(cache: Path, events: int, members: int, titles: int) -> Path:
    db = cache / f"world-{events}.duckdb"
    if db.exists():
        return db
    from halqa.demo.run import build_store
    from halqa.demo.world import generate_world

    started = time.perf_counter()
    world = generate_world(
        cache / f"world-{events}", seed=7, members=members, titles=titles, events=events
    )
    build_store(world, db, fresh=True)
    print(
        f"generated and ingested {events:,} events in {time.perf_counter() - started:.0f} s",
        file=sys.stderr,
    )
    return db


def halqa_report(store: Store, as_of) -> dict:
    out = {}
    for segment in SEGMENTS:
        for by, report in trends_by(store, segment, by=DIMENSIONS, as_of=as_of).items():
            out[(" ".join(segment), by)] = report
    return out


# -- the peer: the same numbers, hand-written DuckDB SQL ----------------------------------------
_ITEM = {
    "genre": ("CROSS JOIN unnest(t.genres) AS x(item)", "x.item"),
    "title": ("", "t.title_id"),
    "creator": ("CROSS JOIN unnest(t.creator_ids) AS x(item)", "x.item"),
}


def _where(segment: list[str]) -> str:
    return " AND ".join(f"m.{k} = '{v}'" for k, v in (s.split("=", 1) for s in segment))


def hand_sql_report(store: Store, as_of) -> dict:
    window = window_period(28, as_of)
    base = choose_baseline(window).baseline
    w0, w1, b0, b1 = window.start, window.end, base.start, base.end
    types = ", ".join(f"'{t}'" for t in CONSUMPTION)
    out = {}
    for segment in SEGMENTS:
        seg = _where(segment)
        events = f"""SELECT e.member_id, e.title_id, e.ts >= TIMESTAMP '{w0}' AS cur FROM events e
            JOIN members m ON m.member_id = e.member_id
            WHERE m.consent_analytics AND {seg} AND e.event_type IN ({types})
              AND ((e.ts >= TIMESTAMP '{w0}' AND e.ts < TIMESTAMP '{w1}') OR (e.ts >= TIMESTAMP '{b0}' AND e.ts < TIMESTAMP '{b1}'))"""
        t1, t0 = store.rows(
            f"SELECT count(*) FILTER (cur), count(*) FILTER (NOT cur) FROM ({events})"
        )[0]
        for by in DIMENSIONS:
            join, item = _ITEM[by]
            rows = store.rows(f"""SELECT {item}, count(*) FILTER (cur) AS c, count(*) FILTER (NOT cur) AS b,
                    count(DISTINCT ev.member_id) FILTER (cur) AS m,
                    (count(*) FILTER (cur) / {t1 or 1}) / nullif(count(*) FILTER (NOT cur) / {t0 or 1}, 0) AS growth
                FROM ({events}) ev JOIN titles t ON t.title_id = ev.title_id {join}
                GROUP BY 1 HAVING count(DISTINCT ev.member_id) FILTER (cur) >= 10 ORDER BY c DESC""")
            result = {"top": rows, "lift": []}
            if by == "genre":
                result["lift"] = store.rows(f"""WITH ev AS (
                    SELECT e.member_id, e.title_id, coalesce(({seg}), false) AS in_seg FROM events e
                    JOIN members m ON m.member_id = e.member_id
                    WHERE m.consent_analytics AND e.event_type IN ({types})
                      AND e.ts >= TIMESTAMP '{w0}' AND e.ts < TIMESTAMP '{w1}'),
                  tot AS (SELECT count(*) FILTER (in_seg) AS a, count(*) FILTER (NOT in_seg) AS b FROM ev)
                  SELECT x.item, count(*) FILTER (ev.in_seg) AS sc,
                    (count(*) FILTER (ev.in_seg) / any_value(tot.a)) / (count(*) FILTER (NOT ev.in_seg) / any_value(tot.b)) AS lift
                  FROM ev JOIN titles t ON t.title_id = ev.title_id CROSS JOIN unnest(t.genres) AS x(item), tot
                  GROUP BY 1 HAVING count(DISTINCT ev.member_id) FILTER (ev.in_seg) >= 10
                     AND count(DISTINCT ev.member_id) FILTER (NOT ev.in_seg) >= 10""")
            out[(" ".join(segment), by)] = result
    return out


def check_same_numbers(mine: dict, peer: dict) -> int:
    """Top counts and lifts of halqa must equal the hand SQL's; returns the rows compared."""
    compared = 0
    for key, report in mine.items():
        if report["suppressed"]:
            continue
        hand = {row[0]: row for row in peer[key]["top"]}
        for row in report["top"]:
            c, b, m = hand[row["item"]][1:4]
            assert (row["count"], row["baseline"], row["members"]) == (c, b, m), (key, row["item"])
            compared += 1
        lifts = {row[0]: row for row in peer[key]["lift"]}
        for row in report["lift"]:
            assert row["segment_count"] == lifts[row["item"]][1], (key, row["item"])
            assert abs(row["lift"] - lifts[row["item"]][2]) < 1e-3 * max(1.0, row["lift"]), (
                key,
                row["item"],
            )
            compared += 1
    return compared


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--titles", type=int, default=5_000)
    parser.add_argument("--cache", type=Path, default=REPO / "bench" / ".cache")
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="run both sides this many times, alternating, and keep each side's best time",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    args.cache.mkdir(parents=True, exist_ok=True)
    db = build_world(args.cache, args.events, args.members, args.titles)
    with Store.open(db, read_only=True) as store:
        events = store.scalar("SELECT count(*) FROM events")
        as_of = store.scalar("SELECT max(ts) FROM events_analytics").date()
        as_of = as_of.fromordinal(as_of.toordinal() + 1)
        store.rows(
            "SELECT count(*) FROM events WHERE ts > TIMESTAMP '2000-01-01'"
        )  # warm the cache
        timings: dict = {}
        for _ in range(max(args.repeat, 1)):
            for name, fn in (("hand_sql", hand_sql_report), ("halqa", halqa_report)):
                with PeakRSS() as rss:
                    started = time.perf_counter()
                    result = fn(store, as_of)
                    seconds = round(time.perf_counter() - started, 2)
                best = timings.get(name)
                if best is None or seconds < best["seconds"]:
                    timings[name] = {
                        "seconds": seconds,
                        "peak_rss_mb": round(rss.peak / 2**20, 1),
                        "result": result,
                    }
        compared = check_same_numbers(
            timings["halqa"].pop("result"), timings["hand_sql"].pop("result")
        )
    ratio = timings["halqa"]["seconds"] / timings["hand_sql"]["seconds"]
    summary = {
        "events": events,
        "segments": len(SEGMENTS),
        "dimensions": list(DIMENSIONS),
        "as_of": str(as_of),
        "halqa": timings["halqa"],
        "hand_sql": timings["hand_sql"],
        "ratio": round(ratio, 2),
        "target_ratio": 1.5,
        "rows_checked_equal": compared,
        "repeat": args.repeat,
    }
    if args.json:
        print(json.dumps(summary))
        return
    print(
        f"world: {events:,} events, {len(SEGMENTS)} segments x {len(DIMENSIONS)} dimensions, as of {as_of}"
    )
    for name in ("halqa", "hand_sql"):
        t = timings[name]
        print(f"{name:9s} {t['seconds']:8.2f} s   peak RSS {t['peak_rss_mb']:8.1f} MB")
    shown = ratio_text(timings["halqa"]["seconds"], timings["hand_sql"]["seconds"])
    print(
        f"ratio halqa / hand-written DuckDB SQL: {shown} (target <= 1.5x); {compared} rows checked equal"
    )


if __name__ == "__main__":
    main()

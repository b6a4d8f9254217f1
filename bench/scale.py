"""Benchmark: where Spark starts to pay on this machine — trends and ALS on DuckDB/implicit vs a
real local Spark cluster, at growing numbers of events.

Worlds (cached in bench/.cache, one import per size): up to ``--generate-up-to`` events (10M)
the demo world is generated and ingested; larger sizes are made inside DuckDB from that world,
``size / 10M`` copies of its members (ids suffixed ``~i``, same profiles and consent) each with
the same events, so 50M events keep the 10M world's shape with 5x the members. Each world is
exported once as a lake. Then, per size:

* trends: the segment report by genre (with lift; the first ``--segments`` of bench/trends.py's
  20), once on DuckDB over the lake and once on the standalone cluster over the same lake; both
  must print the same JSON;
* ALS: ``implicit`` in this process vs Spark MLlib on the cluster, same rank, regularisation,
  alpha and iterations.

It prints seconds and peak memory of each (RSS sampled every 50 ms: DuckDB and implicit are
this process alone; Spark is this process, its driver JVM, and the cluster's master, worker,
executor and Python workers), the ratio Spark / single machine, and writes a PNG chart of
seconds against events. ``--results FILE`` keeps the measurements of several runs (one size per
run, say) and reports and charts them together.

    .venv/bin/halqa spark up
    nice -n 5 .venv/bin/python bench/scale.py --sizes 1000000 10000000 --results bench/.cache/scale.json
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))

from trends import SEGMENTS, build_world

from halqa.catalog import Store
from halqa.engines import cluster, lake, spark, spark_als
from halqa.engines.spark_store import SparkStore
from halqa.insights import trends_by
from halqa.recommend import ALS, ALSConfig, Dataset


class PeakRSS:
    """Peak summed RSS of some processes (and, for those marked so, their descendants)."""

    def __init__(self, roots: list[tuple[int, bool]]) -> None:
        self.roots = [(psutil.Process(pid), tree) for pid, tree in roots if psutil.pid_exists(pid)]

    def _now(self) -> int:
        total = 0
        for root, tree in self.roots:
            try:
                for proc in [root, *(root.children(recursive=True) if tree else [])]:
                    total += proc.memory_info().rss
            except psutil.Error:
                continue
        return total

    def __enter__(self) -> PeakRSS:
        self.peak, self._stop = self._now(), threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self) -> None:
        while not self._stop.wait(0.05):
            self.peak = max(self.peak, self._now())

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def measure(fn, roots: list[tuple[int, bool]]) -> tuple[dict, object]:
    load = os.getloadavg()[0]
    with PeakRSS(roots) as rss:
        started = time.perf_counter()
        result = fn()
        seconds = time.perf_counter() - started
    return {
        "seconds": round(seconds, 2),
        "peak_rss_mb": round(rss.peak / 2**20, 1),
        "load_before": round(load, 1),
    }, result


def trends_report(store, segments, as_of) -> dict:
    return {" ".join(s): trends_by(store, s, by=("genre",), as_of=as_of)["genre"] for s in segments}


# -- worlds and lakes, built once per size --------------------------------------------------------
DUCKDB_MEMORY = "4GB"  # the machine is shared: DuckDB spills to disk past this when building worlds


def world_db(events: int, args) -> Path:
    if events <= args.generate_up_to:
        return build_world(args.cache, events, max(events // 100, 10_000), args.titles)
    if events % args.generate_up_to:
        raise SystemExit(f"{events:,} events: sizes above --generate-up-to must be multiples of it")
    base = build_world(
        args.cache, args.generate_up_to, max(args.generate_up_to // 100, 10_000), args.titles
    )
    return amplified_world(
        args.cache / f"world-{events}.duckdb", base, events // args.generate_up_to
    )


def amplified_world(db: Path, base: Path, copies: int) -> Path:
    """``copies`` copies of the base world's members, ids suffixed ``~i`` (the first copy keeps the
    ids), each with the base's events: a world ``copies`` times larger with the same shape. Built
    inside DuckDB, one INSERT per copy, so no event passes through Python."""
    if db.exists():
        return db
    partial = db.with_name(db.stem + ".partial.duckdb")
    partial.unlink(missing_ok=True)
    started = time.perf_counter()
    with Store.open(partial, memory_limit=DUCKDB_MEMORY) as store:
        store.run(f"ATTACH '{base}' AS base (READ_ONLY)")
        for table in ("genres", "themes", "creators", "titles"):
            store.run(f"INSERT OR IGNORE INTO {table} BY NAME SELECT * FROM base.{table}")
        for copy in range(copies):
            suffix = f"~{copy}" if copy else ""
            for table in ("members", "events"):
                store.run(
                    f"INSERT INTO {table} BY NAME SELECT * REPLACE (member_id || '{suffix}' AS member_id) "
                    f"FROM base.{table}"
                )
        store.run("DETACH base")
    partial.rename(db)
    print(
        f"built {db.name} ({copies} copies of {base.name}) in {time.perf_counter() - started:.0f} s",
        file=sys.stderr,
    )
    return db


def ensure_lake(db: Path) -> Path:
    target = db.with_suffix(".lake")
    if not (target / lake.MANIFEST).exists():
        started = time.perf_counter()
        with Store.open(db, read_only=True, memory_limit=DUCKDB_MEMORY) as store:
            lake.export_lake(store, target, overwrite=target.exists())
        print(f"exported {target.name} in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return target


# -- one size ---------------------------------------------------------------------------------------
MEASURES = ("trends_duckdb", "trends_spark", "als_implicit", "als_mllib")


def run_size(events: int, args, session, cluster_roots: list[int]) -> dict:
    """The measurements of one size; each is printed (stderr) and kept in ``--results`` as soon as
    it is taken, so a run stopped half-way keeps what it measured."""
    lake_dir = ensure_lake(world_db(events, args))
    segments = SEGMENTS[: args.segments]
    here = [
        (os.getpid(), False)
    ]  # DuckDB and implicit run in this process (the idle driver JVM is not theirs)
    on_cluster = [(os.getpid(), True)] + [(pid, True) for pid in cluster_roots]
    out: dict = {
        "events": events,
        "segments": len(segments),
        "factors": args.factors,
        "iterations": args.iterations,
    }
    with lake.open_duckdb(lake_dir) as duck:
        as_of = duck.scalar("SELECT max(ts) FROM events_analytics").date()
        as_of = as_of.fromordinal(as_of.toordinal() + 1)
        if "trends_duckdb" in args.measure:
            out["trends_duckdb"], duck_report = measure(
                lambda: trends_report(duck, segments, as_of), here
            )
            keep(args, out)
        dataset = (
            Dataset.from_store(duck) if {"als_implicit", "als_mllib"} & set(args.measure) else None
        )
    if "trends_spark" in args.measure:
        with SparkStore(session, lake_dir) as spark_lake:
            out["trends_spark"], spark_report = measure(
                lambda: trends_report(spark_lake, segments, as_of), on_cluster
            )
        if "trends_duckdb" in out:
            out["trends_same_json"] = json.dumps(duck_report, default=str) == json.dumps(
                spark_report, default=str
            )
        keep(args, out)
    config = ALSConfig(factors=args.factors, iterations=args.iterations)
    if "als_implicit" in args.measure:
        out["als_implicit"], _ = measure(lambda: ALS(config).fit(dataset), here)
        keep(args, out)
    if "als_mllib" in args.measure:
        with SparkStore(session, lake_dir, cache=False) as spark_lake:
            out["als_mllib"], _ = measure(
                lambda: spark_als.train(spark_lake, dataset, config), on_cluster
            )
        keep(args, out)
    return out


def keep(args, partial: dict) -> None:
    print(json.dumps(partial), file=sys.stderr, flush=True)
    merged(args.results, [partial])


def ratios(r: dict) -> dict:
    out = {}
    for name, spark_key, single_key in (
        ("trends", "trends_spark", "trends_duckdb"),
        ("als", "als_mllib", "als_implicit"),
    ):
        if spark_key in r and single_key in r:
            out[name] = round(r[spark_key]["seconds"] / r[single_key]["seconds"], 2)
    return out


def merged(path: Path | None, fresh: list[dict]) -> list[dict]:
    """This run's measurements over those kept in ``path`` (same size and settings: newest wins)."""
    kept: dict = {}
    if path is not None and path.exists():
        for r in json.loads(path.read_text()):
            kept[(r["events"], r["segments"], r["factors"], r["iterations"])] = r
    for r in fresh:
        key = (r["events"], r["segments"], r["factors"], r["iterations"])
        kept[key] = {**kept.get(key, {}), **r}
    results = sorted(kept.values(), key=lambda r: r["events"])
    if path is not None:
        path.write_text(json.dumps(results, indent=1) + "\n")
    return results


def chart(results: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.5))
    for key, label in (
        ("trends_duckdb", "trends, DuckDB"),
        ("trends_spark", "trends, Spark cluster"),
        ("als_implicit", "ALS, implicit"),
        ("als_mllib", "ALS, Spark MLlib"),
    ):
        points = [(r["events"], r[key]["seconds"]) for r in results if key in r]
        if points:
            ax.plot(*zip(*points), marker="o", label=label)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("events")
    ax.set_ylabel("seconds")
    ax.set_title("halqa on one 2-core machine: single process vs local Spark cluster")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)


def _cell(r: dict, key: str) -> str:
    return (
        f"{r[key]['seconds']:8.1f} s {r[key]['peak_rss_mb'] / 1024:5.1f} GB"
        if key in r
        else f"{'-':>17}"
    )


def print_table(results: list[dict]) -> None:
    print(
        f"{'events':>11}  {'trends DuckDB':>17}  {'trends Spark':>17}  same  {'ALS implicit':>17}  "
        f"{'ALS MLlib':>17}  Spark/single (trends, ALS)"
    )
    for r in results:
        same = {True: "yes", False: "NO"}.get(r.get("trends_same_json"), "-")
        print(
            f"{r['events']:>11,}  {_cell(r, 'trends_duckdb')}  {_cell(r, 'trends_spark')}  {same:>4}  "
            f"{_cell(r, 'als_implicit')}  {_cell(r, 'als_mllib')}  {ratios(r)}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 10_000_000, 50_000_000])
    parser.add_argument("--segments", type=int, default=len(SEGMENTS))
    parser.add_argument("--titles", type=int, default=5_000)
    parser.add_argument("--factors", type=int, default=64)
    parser.add_argument("--iterations", type=int, default=10)
    parser.add_argument("--measure", nargs="+", choices=MEASURES, default=list(MEASURES))
    parser.add_argument(
        "--generate-up-to",
        type=int,
        default=10_000_000,
        help="largest world generated and ingested; larger ones are copies of it",
    )
    parser.add_argument("--master", default=None, help="default: the cluster of `halqa spark up`")
    parser.add_argument("--cache", type=Path, default=REPO / "bench" / ".cache")
    parser.add_argument(
        "--results", type=Path, default=None, help="JSON file the measurements accumulate in"
    )
    # docs/scale.md shows this file
    parser.add_argument("--chart", type=Path, default=REPO / "docs" / "scale.png")
    parser.add_argument(
        "--report-only", action="store_true", help="measure nothing: print and chart --results"
    )
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    args.cache.mkdir(parents=True, exist_ok=True)
    if args.report_only:
        args.sizes, args.measure = [], []
    needs_spark = {"trends_spark", "als_mllib"} & set(args.measure)
    state = cluster.up() if args.master is None and needs_spark else cluster.status()
    master = args.master or state["master_url"]
    # the daemons' memory counts when the master is the one `halqa spark up` started
    cluster_roots = (
        [state[k] for k in ("master_pid", "worker_pid") if state[k]]
        if state["master_url"] == master
        else []
    )
    session = spark.session(master) if needs_spark else None
    fresh = []
    for size in sorted(args.sizes):
        fresh.append(run_size(size, args, session, cluster_roots))
    results = merged(args.results, fresh)
    chart(results, args.chart)
    if args.json:
        print(json.dumps({"master": master, "results": results, "chart": str(args.chart)}))
        return
    print_table(results)
    print(f"chart: {args.chart}")


if __name__ == "__main__":
    main()

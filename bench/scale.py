"""Benchmark: where Spark starts to pay on this machine — trends and ALS on DuckDB/implicit vs a
real local Spark cluster, at growing numbers of events.

For each size (default 1M, 10M, 50M generated events) the demo world is generated, ingested
and exported as a lake (cached in bench/.cache), then:

* trends: the 20-segment report by genre (with lift), once on DuckDB over the lake and once on
  the standalone cluster over the same lake (``--segments`` runs fewer); both must agree;
* ALS: ``implicit`` in this process vs Spark MLlib on the cluster, same rank, regularisation,
  alpha and iterations.

It prints seconds, peak memory (RSS of this process and its children, plus the cluster's
worker and executor JVMs, sampled every 50 ms), the ratio Spark / single machine, and writes a
PNG chart of seconds against events.

    .venv/bin/halqa spark up
    .venv/bin/python bench/scale.py --sizes 1000000 10000000 --json
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))

from trends import SEGMENTS, build_world  # noqa: E402  (the same worlds and segments as bench/trends.py)

from halqa.catalog import Store  # noqa: E402
from halqa.engines import cluster, lake, spark, spark_als  # noqa: E402
from halqa.engines.spark_store import SparkStore  # noqa: E402
from halqa.insights import trends_by  # noqa: E402
from halqa.recommend import ALS, ALSConfig, Dataset  # noqa: E402


class PeakRSS:
    """Peak summed RSS of this process tree and of the cluster's daemons and executors."""

    def __init__(self, extra_roots: list[int]) -> None:
        self.roots = [psutil.Process()] + [psutil.Process(p) for p in extra_roots if psutil.pid_exists(p)]

    def _now(self) -> int:
        total = 0
        for root in self.roots:
            try:
                for proc in [root, *root.children(recursive=True)]:
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


def measure(fn, roots: list[int]) -> tuple[dict, object]:
    with PeakRSS(roots) as rss:
        started = time.perf_counter()
        result = fn()
        seconds = time.perf_counter() - started
    return {"seconds": round(seconds, 2), "peak_rss_mb": round(rss.peak / 2**20, 1)}, result


def trends_report(store, segments, as_of) -> dict:
    return {" ".join(s): trends_by(store, s, by=("genre",), as_of=as_of)["genre"] for s in segments}


def ensure_lake(db: Path) -> Path:
    target = db.with_suffix(".lake")
    if not (target / lake.MANIFEST).exists():
        with Store.open(db, read_only=True) as store:
            lake.export_lake(store, target, overwrite=target.exists())
    return target


def run_size(events: int, args, session, roots: list[int]) -> dict:
    db = build_world(args.cache, events, max(events // 100, 10_000), args.titles)
    lake_dir = ensure_lake(db)
    segments = SEGMENTS[: args.segments]
    out = {"events": events, "segments": len(segments)}
    with lake.open_duckdb(lake_dir) as duck:
        as_of = duck.scalar("SELECT max(ts) FROM events_analytics").date()
        as_of = as_of.fromordinal(as_of.toordinal() + 1)
        out["trends_duckdb"], duck_report = measure(lambda: trends_report(duck, segments, as_of), roots)
        dataset = Dataset.from_store(duck)
    with SparkStore(session, lake_dir) as on_spark:
        out["trends_spark"], spark_report = measure(lambda: trends_report(on_spark, segments, as_of), roots)
    out["trends_same_json"] = json.dumps(duck_report, default=str) == json.dumps(spark_report, default=str)
    config = ALSConfig(factors=args.factors, iterations=args.iterations)
    out["als_implicit"], _ = measure(lambda: ALS(config).fit(dataset), roots)
    with SparkStore(session, lake_dir, cache=False) as on_spark:
        out["als_mllib"], _ = measure(lambda: spark_als.train(on_spark, dataset, config), roots)
    out["ratio_trends_spark_vs_duckdb"] = round(out["trends_spark"]["seconds"] / out["trends_duckdb"]["seconds"], 2)
    out["ratio_als_mllib_vs_implicit"] = round(out["als_mllib"]["seconds"] / out["als_implicit"]["seconds"], 2)
    return out


def chart(results: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.5))
    events = [r["events"] for r in results]
    for key, label in (("trends_duckdb", "trends, DuckDB"), ("trends_spark", "trends, Spark cluster"),
                       ("als_implicit", "ALS, implicit"), ("als_mllib", "ALS, Spark MLlib")):
        ax.plot(events, [r[key]["seconds"] for r in results], marker="o", label=label)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("events")
    ax.set_ylabel("seconds")
    ax.set_title("halqa on one 2-core machine: single process vs local Spark cluster")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 10_000_000, 50_000_000])
    parser.add_argument("--segments", type=int, default=len(SEGMENTS))
    parser.add_argument("--titles", type=int, default=5_000)
    parser.add_argument("--factors", type=int, default=64)
    parser.add_argument("--iterations", type=int, default=10)
    parser.add_argument("--master", default=None, help="default: the cluster of `halqa spark up`")
    parser.add_argument("--cache", type=Path, default=REPO / "bench" / ".cache")
    parser.add_argument("--chart", type=Path, default=REPO / "bench" / "scale.png")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    args.cache.mkdir(parents=True, exist_ok=True)
    state = cluster.up() if args.master is None else None
    master = args.master or state["master_url"]
    roots = [state[k] for k in ("master_pid", "worker_pid") if state and state[k]]
    session = spark.session(master)
    results = []
    for size in sorted(args.sizes):
        results.append(run_size(size, args, session, roots))
        print(json.dumps(results[-1]), file=sys.stderr, flush=True)  # each size as soon as it is measured
    chart(results, args.chart)
    summary = {"master": master, "results": results, "chart": str(args.chart)}
    if args.json:
        print(json.dumps(summary))
        return
    for r in results:
        print(f"{r['events']:>11,} events  trends ({r['segments']} segments): DuckDB {r['trends_duckdb']['seconds']:8.1f} s "
              f"/ Spark {r['trends_spark']['seconds']:8.1f} s (x{r['ratio_trends_spark_vs_duckdb']}), same JSON: "
              f"{r['trends_same_json']}; ALS: implicit {r['als_implicit']['seconds']:7.1f} s / MLlib "
              f"{r['als_mllib']['seconds']:7.1f} s (x{r['ratio_als_mllib_vs_implicit']})")
    print(f"chart: {args.chart}")


if __name__ == "__main__":
    main()

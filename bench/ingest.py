"""Benchmark: validated event ingestion against DuckDB's own plain read_csv, same file, same run.

Generates members, titles and N events as CSV (``--events``, default 10M), then, each in
its own child process so that peak memory is that process's own:

  plain  CREATE TABLE events AS SELECT * FROM read_csv('events.csv')  (DuckDB, type sniffing)
  halqa  halqa.ingest.ingest_files(store, "events", ["events.csv"])   (full validation,
         referential checks, dedupe within the file and against the store, quarantine)
  again  the same ingest a second time (every row a duplicate: the idempotency path)

Prints events/s for each, the ratio halqa/plain, and each child's peak RSS. The machine
may be shared, so plain and halqa alternate ``--repeat`` times and the best run of each
counts (the least disturbed); CPU seconds (user+sys) are printed beside wall time.

    .venv/bin/python bench/ingest.py --events 10000000 --workdir /tmp/halqa-bench
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

N_MEMBERS, N_TITLES = 20_000, 3_000


def generate(workdir: Path, events: int, bad_rows: int) -> dict[str, Path]:
    """members.csv, titles.csv, events.csv written by DuckDB (seconds for 10M rows)."""
    import duckdb

    paths = {name: workdir / f"{name}.csv" for name in ("members", "titles", "events")}
    con = duckdb.connect()
    con.sql(f"""COPY (SELECT 'm' || i AS member_id, ['<18','18-24','25-34','35-44','45-54','55+'][1 + i % 6] AS age_band,
        ['F','M'][1 + i % 2] AS gender, 'MA' AS country, 1 + i % 12 AS region, 'ary|fr' AS languages,
        true AS consent_analytics, true AS consent_personalisation, i % 3 = 0 AS consent_marketing
        FROM range({N_MEMBERS}) t(i)) TO '{paths["members"]}' (HEADER)""")
    con.sql(f"""COPY (SELECT 't' || i AS title_id, ['film','series','track'][1 + i % 3] AS kind,
        'عنوان ' || i AS name, 'Titre ' || i AS name_fr, ['drama','comedy','gnawa|rap','chaabi'][1 + i % 4] AS genres
        FROM range({N_TITLES}) t(i)) TO '{paths["titles"]}' (HEADER)""")
    # Unique (member, title, type, ts) keys: ts walks forward one second per event.
    con.sql(f"""COPY (SELECT 'm' || (hash(i) % {N_MEMBERS}) AS member_id, 't' || (hash(i * 7) % {N_TITLES}) AS title_id,
        ['play','view','listen','complete','like','skip','rate'][1 + (i % 7)::INT] AS event_type,
        CASE WHEN i < {bad_rows} THEN 'not-a-time' ELSE (1640995200 + i)::VARCHAR END AS ts,
        round((hash(i * 3) % 1000) / 10.0, 1) AS value,
        ['tv','mobile','web'][1 + (i % 3)::INT] AS device, ['home','search','recommendation'][1 + (i % 3)::INT] AS source
        FROM range({events}) t(i)) TO '{paths["events"]}' (HEADER)""")
    return paths


CLOCK = """
import json, resource, time
def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime
def done(t, c, **extra):
    print(json.dumps({"seconds": time.perf_counter() - t, "cpu_seconds": cpu() - c,
                      "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, **extra}))
"""

PLAIN = (
    CLOCK
    + """
import duckdb, sys
con = duckdb.connect(sys.argv[1])
t, c = time.perf_counter(), cpu()
con.sql("CREATE OR REPLACE TABLE events AS SELECT * FROM read_csv('" + sys.argv[2] + "')")
rows = con.sql("SELECT count(*) FROM events").fetchall()[0][0]
done(t, c, rows=rows)
"""
)

SETUP = """
import sys
from halqa.catalog import Store
from halqa.ingest import ingest_files
with Store.open(sys.argv[1]) as store:
    ingest_files(store, "members", [sys.argv[2]])
    ingest_files(store, "titles", [sys.argv[3]])
    store.run("CHECKPOINT")
"""

HALQA = (
    CLOCK
    + """
import sys
from halqa.catalog import Store
from halqa.ingest import ingest_files
store = Store.open(sys.argv[1])
t, c = time.perf_counter(), cpu()
report = ingest_files(store, "events", [sys.argv[2]], memory_limit=sys.argv[3])
done(t, c, accepted=report.accepted, rejected=report.rejected, duplicates=report.duplicates)
"""
)


def child(code: str, *args: str) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        sys.exit(f"child failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument(
        "--workdir",
        type=Path,
        default=None,
        help="where the CSVs and stores go (default: a temp dir)",
    )
    parser.add_argument(
        "--bad-rows", type=int, default=0, help="rows with a broken timestamp (quarantine path)"
    )
    parser.add_argument(
        "--memory-limit", default="1GB", help="DuckDB memory limit of the halqa ingest"
    )
    parser.add_argument(
        "--no-reingest", action="store_true", help="skip the second (all duplicates) ingest"
    )
    parser.add_argument(
        "--repeat", type=int, default=2, help="alternate plain and halqa this many times"
    )
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="halqa-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    for f in workdir.glob("*.duckdb*"):
        f.unlink()
    t = time.perf_counter()
    paths = generate(workdir, args.events, args.bad_rows)
    size_mb = paths["events"].stat().st_size / 1e6
    print(
        f"generated {args.events:,} events ({size_mb:,.0f} MB CSV) in {time.perf_counter() - t:.1f}s: {workdir}"
    )

    base = workdir / "base.duckdb"
    child_code(SETUP, str(base), str(paths["members"]), str(paths["titles"]))
    runs: dict[str, list[dict]] = {"plain": [], "halqa": []}
    for i in range(args.repeat):
        store = workdir / "halqa.duckdb"
        shutil.copy(base, store)
        runs["plain"].append(child(PLAIN, str(workdir / "plain.duckdb"), str(paths["events"])))
        runs["halqa"].append(child(HALQA, str(store), str(paths["events"]), args.memory_limit))
        print(
            f"run {i + 1}: plain {runs['plain'][-1]['seconds']:.2f}s, halqa {runs['halqa'][-1]['seconds']:.2f}s"
        )
    results: dict = {"events": args.events, "csv_mb": round(size_mb), "repeat": args.repeat}
    for name, rs in runs.items():
        best = min(rs, key=lambda r: r["seconds"])
        results[name] = {
            **best,
            "cpu_seconds": min(r["cpu_seconds"] for r in rs),
            "peak_rss_mb": max(r["peak_rss_mb"] for r in rs),
            "all_seconds": [r["seconds"] for r in rs],
        }
    if not args.no_reingest:
        results["again"] = child(
            HALQA, str(workdir / "halqa.duckdb"), str(paths["events"]), args.memory_limit
        )
    for name in ("plain", "halqa", "again"):
        if name in results:
            r = results[name]
            r["events_per_s"] = round(args.events / r["seconds"])
            extra = {k: r[k] for k in ("accepted", "rejected", "duplicates") if k in r}
            print(
                f"{name:6s} {r['seconds']:7.2f}s wall {r['cpu_seconds']:7.2f}s cpu {r['events_per_s']:>12,} events/s  "
                f"peak RSS {r['peak_rss_mb']:7.0f} MB  {extra or ''}"
            )
    ratio = results["halqa"]["events_per_s"] / results["plain"]["events_per_s"]
    cpu_ratio = results["plain"]["cpu_seconds"] / results["halqa"]["cpu_seconds"]
    results["ratio"], results["cpu_ratio"] = round(ratio, 3), round(cpu_ratio, 3)
    print(
        f"ratio halqa/plain throughput: {ratio:.2f} wall-clock, {cpu_ratio:.2f} by CPU time (target >= 0.5); "
        f"halqa peak RSS {results['halqa']['peak_rss_mb']:.0f} MB (target < 2048 MB)"
    )
    print(json.dumps(results))


def child_code(code: str, *args: str) -> None:
    done = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        sys.exit(f"child failed:\n{done.stderr}")


if __name__ == "__main__":
    main()

"""Benchmark of the halqa service: cached lists against a bare ASGI + orjson peer, and 32 clients
posting events.

    .venv/bin/python bench/serve.py [DATA_DIR] [--db STORE] [--duration 5s] [--workers 1,2]

The store is built as a user builds it, with halqa's own commands and their defaults:
``halqa import movielens DATA_DIR --consent all`` (default DATA_DIR ../shared/data/movielens-100k;
all consents, or no member could receive a list) and ``halqa train`` (the default model, tuned
within its default budget, as a user's store is). ``--db`` benchmarks a copy of an existing store
instead (e.g. the demo world; it is trained the same way when it holds no model).

Scenario 1, reads: `wrk` on loopback, the same connections and duration, against
  - halqa through ``halqa serve``: ``GET /v1/recommendations/{member}?k=10&filter=region&
    filter=language&local_share=0.4&lang=ar`` with an API key (authenticated, rate-limited,
    parameters validated), members in rotation, once each member's list is cached;
  - the fair ceiling of that path: a bare ASGI app that answers the same path with the same lists
    from a dict, encoded by orjson on every request as halqa's hot path does, under the same
    uvicorn settings (listener, workers, keep-alive, log level, event loop and HTTP parser);
for 1 and 2 worker processes, in alternating rounds; prints req/s, p50/p99 and peak memory of
each, and the ratio halqa/bare. The cold (first-request, computed) latency is printed too.

Scenario 2, writes: 32 concurrent clients (bench/posting.py, aiohttp) post 100,000 distinct events
one per request; every tenth event is posted twice (a client that lost the answer), and a post
that gets no answer is retried until it does, while a reader asks for a list every 100 ms.
Prints throughput, read latency during the writes, and stored-versus-sent counts from the store.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
BENCH = Path(__file__).resolve().parent
HALQA = [sys.executable, "-m", "halqa.cli.main"]
LIST_PREFIX = "/v1/recommendations/"
BODIES_ENV = "HALQA_BENCH_BARE_BODIES"  # the JSON file of the lists the bare peer answers
KEEP_ALIVE_S = 5  # `halqa serve`'s default (HALQA_SERVICE_KEEP_ALIVE_S)


def bare_app() -> Any:
    """The ceiling: an ASGI app that answers ``/v1/recommendations/{member}`` from a dict.

    It does what halqa's hot path cannot avoid (find the list, encode it with orjson, send it)
    and nothing else: no key, no rate limit, no parameter check, no metrics."""
    import orjson

    lists = json.loads(Path(os.environ[BODIES_ENV]).read_text())
    headers = [(b"content-type", b"application/json")]

    async def app(scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":  # lifespan: nothing to start
            message = await receive()
            await send({"type": message["type"] + ".complete"})
            return
        found = lists.get(scope["path"][len(LIST_PREFIX) :])
        body = orjson.dumps(found if found is not None else {"detail": "not found"})
        await send(
            {
                "type": "http.response.start",
                "status": 200 if found is not None else 404,
                "headers": [*headers, (b"content-length", str(len(body)).encode())],
            }
        )
        await send({"type": "http.response.body", "body": body})

    return app


# -- processes ----------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_ready(url: str, process: subprocess.Popen, path: str, timeout: float = 300) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"server exited with {process.returncode}")
        try:
            if httpx.get(url + path, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise SystemExit(f"{url} did not answer within {timeout} s")


def start_halqa(db: Path, workers: int, log: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    command = [*HALQA, "serve", "--db", str(db), "--port", str(port), "--workers", str(workers)]
    process = subprocess.Popen(
        [*command, "--rate-limit", "1000000"], stdout=log.open("a"), stderr=subprocess.STDOUT
    )
    url = f"http://127.0.0.1:{port}"
    wait_ready(url, process, "/health")
    return process, url


def serve_bare(port: int, workers: int) -> None:
    """The bare app under the uvicorn settings `halqa serve` uses (halqa.service.server.serve):
    one worker on host and port, N workers on a shared TCP_NODELAY listener."""
    import uvicorn

    from halqa.service.server import _listen

    common: dict[str, Any] = {
        "log_level": "warning",
        "access_log": False,
        "timeout_keep_alive": KEEP_ALIVE_S,
        "lifespan": "on",
    }
    if workers == 1:
        uvicorn.run(bare_app(), host="127.0.0.1", port=port, **common)
        return
    listener = _listen("127.0.0.1", port)
    uvicorn.run(
        "serve:bare_app",
        factory=True,
        app_dir=str(BENCH),
        fd=listener.fileno(),
        workers=workers,
        **common,
    )


def start_bare(workers: int, bodies: Path, probe: str, log: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, str(Path(__file__).resolve()), "--serve-bare", str(port), str(workers)],
        stdout=log.open("a"),
        stderr=subprocess.STDOUT,
        env={**os.environ, BODIES_ENV: str(bodies)},
    )
    url = f"http://127.0.0.1:{port}"
    wait_ready(url, process, LIST_PREFIX + probe)
    return process, url


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(60)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


class PeakRSS:
    """Samples the resident memory of a process and its children (the workers, the store process)."""

    def __init__(self, pid: int) -> None:
        import psutil

        self.root, self.peak, self._stop = psutil.Process(pid), 0, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        import psutil

        while not self._stop.is_set():
            try:
                procs = [self.root, *self.root.children(recursive=True)]
                self.peak = max(self.peak, sum(p.memory_info().rss for p in procs))
            except psutil.Error:  # a worker that ended between the listing and the reading
                pass
            self._stop.wait(0.2)

    def close(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.peak


# -- wrk ------------------------------------------------------------------------------------------
def lua_list(values: list[str]) -> str:
    return "{" + ",".join(json.dumps(v) for v in values) + "}"


def reads_script(path_template: str, members: list[str], key: str | None) -> str:
    headers = f'{{["X-API-Key"] = "{key}"}}' if key else "{}"
    return f"""
local members = {lua_list(members)}
local headers = {headers}
local i = 0
request = function()
  i = i + 1
  local path = string.format("{path_template}", members[(i % #members) + 1])
  return wrk.format("GET", path, headers)
end
"""


def run_wrk(
    url: str, script: str, duration: str, connections: int, threads: int, tmp: Path
) -> dict:
    path = tmp / f"wrk-{time.monotonic_ns()}.lua"
    path.write_text(script)
    out = subprocess.run(
        [
            "wrk",
            f"-t{threads}",
            f"-c{connections}",
            f"-d{duration}",
            "--timeout=10s",
            "--latency",
            "-s",
            str(path),
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return parse_wrk(out)


def _ms(text: str) -> float:
    value, unit = re.match(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def parse_wrk(out: str) -> dict:
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = _ms(re.search(r"^\s+50%\s+(\S+)", out, re.MULTILINE).group(1))
    p99 = _ms(re.search(r"^\s+99%\s+(\S+)", out, re.MULTILINE).group(1))
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "rps": rps,
        "p50_ms": p50,
        "p99_ms": p99,
        "requests": requests,
        "non_2xx": int(errors.group(1)) if errors else 0,
    }


# -- the store -----------------------------------------------------------------------------------
def halqa(*args: str) -> str:
    """Run a halqa command as a user would; its standard output."""
    return subprocess.run([*HALQA, *args], capture_output=True, text=True, check=True).stdout


def prepare_store(args: argparse.Namespace, tmp: Path) -> Path:
    """A store built by halqa's own import (or a copy of ``--db``), with a model `halqa train` saved."""
    db = tmp / "bench.duckdb"
    models = Path(f"{db}.models")
    if args.db:
        shutil.copy(args.db, db)  # the benchmark posts events: never into the user's store
        if Path(f"{args.db}.models").is_dir():
            shutil.copytree(f"{args.db}.models", models)
    else:
        halqa("import", "movielens", args.data_dir, "--consent", "all", "--db", str(db))
    if not (models / "recommender.pkl").exists():
        started = time.perf_counter()
        halqa("train", "--db", str(db))
        print(
            f"trained (and tuned) the default model in {time.perf_counter() - started:.0f} s",
            flush=True,
        )
    return db


def choose_query(db: Path) -> None:
    """Ask for the Moroccan-creator share only where the catalogue has Moroccan creators (not MovieLens)."""
    global QUERY
    from halqa.catalog import Store

    with Store.open(db, read_only=True) as store:
        local = store.scalar("SELECT count(*) FROM creators WHERE country = 'MA'")
    if not local:
        QUERY = QUERY.replace("&local_share=0.4", "")


def store_facts(db: Path) -> tuple[str, list[str], list[str]]:
    from halqa.catalog import Store

    key = json.loads(
        halqa("keys", "create", "--role", "service", "--name", "bench", "--json", "--db", str(db))
    )
    with Store.open(db, read_only=True) as store:
        members = [
            r[0]
            for r in store.rows(
                "SELECT member_id FROM members_personalisation ORDER BY member_id LIMIT 2000"
            )
        ]
        titles = [
            r[0] for r in store.rows("SELECT title_id FROM titles ORDER BY title_id LIMIT 2000")
        ]
    return key["key"], members, titles


def cold_latencies(
    url: str, key: str, members: list[str], query: str
) -> tuple[list[float], dict[str, Any]]:
    """First request per member (the list is computed, then cached): what a cache miss costs;
    with the answers, which the bare peer will serve."""
    import httpx

    out, answers = [], {}
    with httpx.Client(base_url=url, headers={"X-API-Key": key}, timeout=60) as client:
        for member in members:
            start = time.perf_counter()
            response = client.get(f"{LIST_PREFIX}{member}?{query}")
            out.append((time.perf_counter() - start) * 1000)
            response.raise_for_status()
            answers[member] = response.json()
    return out, answers


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


# -- scenarios -----------------------------------------------------------------------------------
QUERY = "k=10&filter=region&filter=language&local_share=0.4&lang=ar"


def median_run(runs: list[dict]) -> dict:
    """Per figure, the median over the rounds (the machine is shared: rounds alternate the peers)."""
    return {
        "rps": statistics.median(r["rps"] for r in runs),
        "p50_ms": statistics.median(r["p50_ms"] for r in runs),
        "p99_ms": statistics.median(r["p99_ms"] for r in runs),
        "requests": sum(r["requests"] for r in runs),
        "non_2xx": sum(r["non_2xx"] for r in runs),
        "rounds": [round(r["rps"]) for r in runs],
    }


def read_scenario(
    db: Path, key: str, members: list[str], workers: int, args: argparse.Namespace, tmp: Path
) -> dict:
    rotation = members[: args.rotation]
    with contextlib.ExitStack() as running:
        halqa_process, url = start_halqa(db, workers, tmp / "halqa.log")
        running.callback(stop, halqa_process)
        halqa_memory = PeakRSS(halqa_process.pid)
        cold, answers = cold_latencies(url, key, rotation, QUERY)
        bodies = tmp / f"bare-{workers}.json"
        bodies.write_text(json.dumps(answers, ensure_ascii=False))
        bare, bare_url = start_bare(workers, bodies, rotation[0], tmp / "bare.log")
        running.callback(stop, bare)
        bare_memory = PeakRSS(bare.pid)
        scripts = {
            "bare": (bare_url, reads_script(LIST_PREFIX + "%s?" + QUERY, rotation, None)),
            "halqa": (url, reads_script(LIST_PREFIX + "%s?" + QUERY, rotation, key)),
        }
        for target, script in scripts.values():
            run_wrk(target, script, "2s", args.connections, args.threads, tmp)  # warm-up
        runs: dict[str, list[dict]] = {"bare": [], "halqa": []}
        for _ in range(args.rounds):  # alternate, so both peers see the same background load
            for name, (target, script) in scripts.items():
                runs[name].append(
                    run_wrk(target, script, args.duration, args.connections, args.threads, tmp)
                )
        peaks = {"halqa": halqa_memory.close(), "bare": bare_memory.close()}
    bare_result, halqa_result = median_run(runs["bare"]), median_run(runs["halqa"])
    for name, result in (("bare", bare_result), ("halqa", halqa_result)):
        result["peak_rss_mb"] = round(peaks[name] / 2**20)
    return {
        "workers": workers,
        "bare": bare_result,
        "halqa": halqa_result,
        "cold_p50_ms": round(pct(cold, 0.5), 2),
        "cold_p99_ms": round(pct(cold, 0.99), 2),
        "ratio": round(halqa_result["rps"] / bare_result["rps"], 3),
    }


def write_scenario(
    db: Path, key: str, members: list[str], titles: list[str], args: argparse.Namespace, tmp: Path
) -> dict:
    from posting import post_events

    from halqa.catalog import Store

    tag = f"bench-{os.getpid()}"
    server, url = start_halqa(db, args.write_workers, tmp / "halqa.log")
    memory = PeakRSS(server.pid)
    try:
        report = post_events(
            url,
            key,
            events=args.events,
            clients=args.clients,
            members=members,
            titles=titles,
            base_ts=int(time.time()) - 40 * 86400,
            source=tag,
            resend_every=10,
            read_query=QUERY,
        )
    finally:
        stop(server)
        peak = memory.close()
    with Store.open(db, read_only=True) as store:
        stored, distinct = store.rows(
            "SELECT count(*), count(DISTINCT (member_id, title_id, event_type, ts)) "
            "FROM events WHERE source = ?",
            [tag],
        )[0]
    reads = report.read_ms
    return {
        "clients": args.clients,
        "workers": args.write_workers,
        "posts": report.posts,
        "distinct_sent": report.distinct_sent,
        "acknowledged_created": report.created,
        "acknowledged_duplicates": report.duplicates,
        "rejected": report.rejected,
        "retried": report.retried,
        "retry_reasons": dict(report.retry_reasons),
        "stored": int(stored),
        "stored_distinct": int(distinct),
        "seconds": round(report.seconds, 1),
        "posts_per_s": round(report.posts / report.seconds),
        "events_per_s": round(int(distinct) / report.seconds),
        "reads_during_writes": len(reads),
        "read_errors": report.read_errors,
        "read_p50_ms": round(pct(reads, 0.5), 1) if reads else None,
        "read_p99_ms": round(pct(reads, 0.99), 1) if reads else None,
        "peak_rss_mb": round(peak / 2**20),
    }


def main() -> None:
    if sys.argv[1:2] == ["--serve-bare"]:
        serve_bare(int(sys.argv[2]), int(sys.argv[3]))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "data_dir", nargs="?", default=str(REPO.parent / "shared" / "data" / "movielens-100k")
    )
    parser.add_argument("--db", help="benchmark a copy of this store instead of importing DATA_DIR")
    parser.add_argument("--duration", default="5s", help="wrk duration of each round")
    parser.add_argument(
        "--rounds", type=int, default=3, help="alternating rounds per peer (medians are printed)"
    )
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument(
        "--threads", type=int, default=1, help="wrk threads (the load generator shares the cores)"
    )
    parser.add_argument("--workers", default="1,2")
    parser.add_argument(
        "--rotation", type=int, default=300, help="members the read load cycles through"
    )
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--write-workers", type=int, default=1)
    parser.add_argument("--skip-reads", action="store_true")
    parser.add_argument("--skip-writes", action="store_true")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk not found: apt-get install wrk")
    with tempfile.TemporaryDirectory(prefix="halqa-bench-serve-") as tmp_name:
        tmp = Path(tmp_name)
        db = prepare_store(args, tmp)
        key, members, titles = store_facts(db)
        choose_query(db)
        print(
            f"store: {db.name} from {args.db or args.data_dir}; {len(members)} members in rotation pool, "
            f"{len(titles)} titles; cpus={os.cpu_count()}",
            flush=True,
        )
        report: dict = {"reads": [], "writes": None}
        if not args.skip_reads:
            print(
                f"\nreads: wrk -t{args.threads} -c{args.connections} -d{args.duration} --latency, {args.rounds} "
                f"alternating rounds per peer (medians), /v1/recommendations/{{member}}?{QUERY}"
            )
            print(
                f"{'workers':>7} {'endpoint':<22} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} "
                f"{'non-2xx':>8} {'peak MB':>8}"
            )
            for workers in [int(w) for w in args.workers.split(",")]:
                r = read_scenario(db, key, members, workers, args, tmp)
                report["reads"].append(r)
                for name, label in (("bare", "bare ASGI+orjson"), ("halqa", "halqa serve")):
                    x = r[name]
                    print(
                        f"{workers:>7} {label:<22} {x['rps']:>9.0f} {x['p50_ms']:>8.2f} "
                        f"{x['p99_ms']:>8.2f} {x['non_2xx']:>8} {x['peak_rss_mb']:>8}  "
                        f"rounds {x['rounds']}"
                    )
                print(
                    f"{'':>7} ratio halqa/bare = {r['ratio']:.2f}; cold (first request per member) "
                    f"p50 {r['cold_p50_ms']} ms, p99 {r['cold_p99_ms']} ms",
                    flush=True,
                )
        if not args.skip_writes:
            w = write_scenario(db, key, members, titles, args, tmp)
            report["writes"] = w
            print(
                f"\nwrites: {w['clients']} concurrent clients, {w['workers']} worker(s), one event per request: "
                f"{w['distinct_sent']:,} distinct events, {w['posts']:,} posts (every tenth event sent twice, plus "
                f"{w['retried']} retries of unanswered posts {w['retry_reasons'] or ''}) in {w['seconds']} s"
            )
            print(
                f"  throughput: {w['posts_per_s']:,} posts/s, {w['events_per_s']:,} stored events/s"
            )
            print(
                f"  acknowledged: created {w['acknowledged_created']:,}, duplicate {w['acknowledged_duplicates']:,}, "
                f"rejected {w['rejected']}"
            )
            exact = (
                w["stored"]
                == w["stored_distinct"]
                == w["distinct_sent"]
                == w["acknowledged_created"]
            )
            print(
                f"  stored: {w['stored']:,} rows, {w['stored_distinct']:,} distinct; sent distinct {w['distinct_sent']:,} "
                f"-> {'EXACT' if exact else 'MISMATCH'}"
            )
            print(
                f"  reads during writes: {w['reads_during_writes']} lists, {w['read_errors']} errors, "
                f"p50 {w['read_p50_ms']} ms, p99 {w['read_p99_ms']} ms; peak RSS {w['peak_rss_mb']} MB"
            )
        print("\nJSON " + json.dumps(report))


if __name__ == "__main__":
    main()

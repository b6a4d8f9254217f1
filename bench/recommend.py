"""Benchmark: halqa's recommender against implicit's ALS and RecTools' EASE on MovieLens 100K.

Protocol (issue 3): every rating is an interaction (binary). Per-member temporal split: the last
20% of each member's events by time are held out (ties broken by title id). Every member with
held-out events gets a top-10 that excludes their training titles. Each model is tuned on a
validation split cut from the training part the same way (never on the test part), refitted on
the whole training part with the chosen parameters, and scored once on the test part.

Printed: Recall@10, NDCG@10, catalogue coverage, fit seconds, seconds to recommend for all
members, peak memory (the largest live Python/numpy allocation during fit + recommend, measured
by tracemalloc in a second, untimed run; resident-set growth is also sampled but allocator reuse
hides most of it), and the ratio of halqa's NDCG@10 to the best peer's. Also the cold-start check: members whose events are
all hidden, served from demographics only, against global and gender × age popularity.

RecTools pins numpy<2 and pandas<3, so the peers live in their own venv (git-ignored):

    python3 -m venv .venv-bench
    .venv-bench/bin/pip install -e . rectools implicit psutil
    .venv-bench/bin/python bench/recommend.py [DATA_DIR] [--json]

DATA_DIR defaults to ../shared/data/movielens-100k relative to the repository root (the
MovieLens licence forbids copying it into the repo).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO.parent / "shared" / "data" / "movielens-100k"
K = 10


# -- data ------------------------------------------------------------------------------------------
def load_movielens(data_dir: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """u.data → canonical events (every rating an interaction); u.user → members."""
    from halqa.catalog.taxonomy import age_band

    ratings = data_dir / "u.data"
    if not ratings.exists():
        sys.exit(f"error: {ratings} not found; pass the MovieLens 100K directory as DATA_DIR")
    events = pd.read_csv(ratings, sep="\t", names=["member_id", "title_id", "value", "ts"])
    events["event_type"] = "rate"
    users = pd.read_csv(data_dir / "u.user", sep="|", names=["member_id", "age", "gender", "occupation", "zip"])
    users["age_band"] = users["age"].map(age_band)
    return events, users


# -- measurement -----------------------------------------------------------------------------------
class PeakRSS:
    """Peak resident-set growth (MiB) over the block, sampled by a background thread."""

    def __enter__(self) -> PeakRSS:
        import psutil

        self._proc = psutil.Process()
        self.base = self.peak = self._proc.memory_info().rss
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self) -> None:
        while not self._stop.wait(0.002):
            self.peak = max(self.peak, self._proc.memory_info().rss)

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self._proc.memory_info().rss)

    @property
    def mib(self) -> float:
        return (self.peak - self.base) / 2**20


def traced_peak_mib(run: Callable, split: Any) -> float:
    """Peak traced allocation (MiB) of one more fit + recommend-all, outside the timed run."""
    import gc
    import tracemalloc

    gc.collect()
    tracemalloc.start()
    try:
        run(split.train, split.members)
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def score(recs: pd.DataFrame, truth: pd.DataFrame, n_titles: int) -> dict[str, float]:
    from halqa.recommend.metrics import coverage, ranking_metrics

    out = ranking_metrics(recs, truth, K)
    out["coverage"] = coverage(recs["title"].to_numpy(), n_titles)
    return out


# -- the three contenders --------------------------------------------------------------------------
# Each runner: (train Dataset, members) -> (fit s, recommend s, peak MiB, recs[member, title, rank]).
def run_halqa(params: dict[str, Any]) -> Callable:
    from halqa.recommend import Hybrid
    from halqa.recommend.evaluate import dense_recommend

    def run(train: Any, members: np.ndarray) -> tuple[float, float, float, pd.DataFrame]:
        train = dataclasses.replace(train)  # a fresh copy: its matrices are built inside the timing
        with PeakRSS() as mem:
            t0 = time.perf_counter()
            model = Hybrid(**params).fit(train)
            t1 = time.perf_counter()
            recs = dense_recommend(model, members, K)
            t2 = time.perf_counter()
        return t1 - t0, t2 - t1, mem.mib, recs

    return run


def run_implicit_als(params: dict[str, Any]) -> Callable:
    from implicit.cpu.als import AlternatingLeastSquares
    from threadpoolctl import threadpool_limits

    def run(train: Any, members: np.ndarray) -> tuple[float, float, float, pd.DataFrame]:
        matrix = train.matrix().tocsr()
        with PeakRSS() as mem, threadpool_limits(1, "blas"):
            t0 = time.perf_counter()
            model = AlternatingLeastSquares(iterations=15, random_state=42, **params)
            model.fit(matrix, show_progress=False)
            t1 = time.perf_counter()
            ids, _ = model.recommend(members, matrix[members], N=K, filter_already_liked_items=True)
            t2 = time.perf_counter()
        recs = pd.DataFrame({"member": np.repeat(members, K), "title": ids.ravel(),
                             "rank": np.tile(np.arange(1, K + 1), len(members))})
        return t1 - t0, t2 - t1, mem.mib, recs[recs["title"] >= 0]

    return run


def run_rectools_ease(params: dict[str, Any]) -> Callable:
    from rectools import Columns
    from rectools.dataset import Dataset as RTDataset
    from rectools.models import EASEModel

    def run(train: Any, members: np.ndarray) -> tuple[float, float, float, pd.DataFrame]:
        ev = train.events
        frame = pd.DataFrame({Columns.User: ev["member_idx"].to_numpy(), Columns.Item: ev["title_idx"].to_numpy(),
                              Columns.Weight: 1.0, Columns.Datetime: pd.to_datetime(ev["ts"].to_numpy(), unit="s")})
        with PeakRSS() as mem:
            t0 = time.perf_counter()
            dataset = RTDataset.construct(frame)
            model = EASEModel(**params).fit(dataset)
            t1 = time.perf_counter()
            recs = model.recommend(members, dataset, k=K, filter_viewed=True)
            t2 = time.perf_counter()
        recs = recs.rename(columns={Columns.User: "member", Columns.Item: "title", Columns.Rank: "rank"})
        return t1 - t0, t2 - t1, mem.mib, recs[["member", "title", "rank"]]

    return run


# -- tuning on validation --------------------------------------------------------------------------
def tune(name: str, factory: Callable, grid: list[dict[str, Any]], valid: Any, n_titles: int) -> dict[str, Any]:
    """Best parameters by validation NDCG@10 (the test part is never looked at)."""
    best, best_ndcg = grid[0], -1.0
    for params in grid:
        _, _, _, recs = factory(params)(valid.train, valid.members)
        ndcg = score(recs, valid.truth, n_titles)[f"ndcg@{K}"]
        print(f"  [{name}] {params} -> validation ndcg@10 {ndcg:.4f}", file=sys.stderr)
        if ndcg > best_ndcg:
            best, best_ndcg = params, ndcg
    return best


def tune_halqa(valid_source: Any, n_titles: int) -> dict[str, Any]:
    """halqa's own tuner (coordinate search, validation split cut from training the same way)."""
    from halqa.recommend.tuning import tune as halqa_tune

    def show(params: dict[str, Any], ndcg: float) -> None:
        print(f"  [halqa] {params} -> validation ndcg@10 {ndcg:.4f}", file=sys.stderr)

    return halqa_tune("hybrid", valid_source, k=K, progress=show).params


# -- cold start ------------------------------------------------------------------------------------
def cold_start(events: pd.DataFrame, users: pd.DataFrame, seed: int = 42) -> dict[str, float]:
    """Hide every event of a random 20% of members; serve them from demographics alone."""
    from halqa.recommend import Dataset, Demographic, EventWeights, MostPopular, SegmentPopular
    from halqa.recommend.evaluate import dense_recommend
    from halqa.recommend.metrics import ranking_metrics

    ds = Dataset.from_frame(events, members=users, weights=EventWeights(binary=True))
    rng = np.random.default_rng(seed)
    cold = rng.choice(ds.n_members, size=ds.n_members // 5, replace=False)
    is_cold = np.isin(ds.events["member_idx"].to_numpy(), cold)
    train = ds.subset(~is_cold)
    truth = ds.events[is_cold][["member_idx", "title_idx"]].drop_duplicates()
    truth = truth.rename(columns={"member_idx": "member", "title_idx": "title"})
    out = {}
    blank = train.member_features.copy()
    blank[:] = None  # same members and split, demographics removed
    no_features = dataclasses.replace(train, member_features=blank)
    for label, model, data in (("demographic", Demographic(), train), ("popular", MostPopular(), train),
                               ("segment_gender_age", SegmentPopular(by=("gender", "age_band")), train),
                               ("light_member_popular", Demographic(), no_features)):
        recs = dense_recommend(model.fit(data), np.sort(cold), K)
        out[label] = ranking_metrics(recs, truth, K)[f"recall@{K}"]
    return out


# -- main ------------------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("data_dir", nargs="?", default=str(DEFAULT_DATA))
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    args = parser.parse_args(argv)
    try:
        import psutil  # noqa: F401
        import rectools  # noqa: F401
    except ImportError as exc:
        sys.exit(f"error: {exc.name} is missing; run this script from .venv-bench (see the docstring)")

    from halqa.recommend import Dataset, EventWeights
    from halqa.recommend.evaluate import member_split

    events, users = load_movielens(Path(args.data_dir))
    ds = Dataset.from_frame(events, members=users, weights=EventWeights(binary=True))
    test = member_split(ds, 0.2)
    valid = member_split(test.train, 0.2)
    n = ds.n_titles
    print(f"MovieLens 100K: {len(events)} events, {ds.n_members} members, {n} titles; "
          f"{len(test.truth)} held out for {len(test.members)} members", file=sys.stderr)

    als_grid = [{"factors": f, "regularization": r, "alpha": a}
                for f in (32, 64, 128) for r in (0.01, 0.1) for a in (1.0, 5.0)]
    ease_grid = [{"regularization": r} for r in (100.0, 250.0, 500.0, 1000.0)]
    chosen = {
        "implicit ALS": (run_implicit_als, tune("als", run_implicit_als, als_grid, valid, n)),
        "RecTools EASE": (run_rectools_ease, tune("ease", run_rectools_ease, ease_grid, valid, n)),
        "halqa hybrid": (run_halqa, tune_halqa(test.train, n)),  # tune() cuts the same validation split
    }
    rows = {}
    for name, (factory, params) in chosen.items():
        fit_s, rec_s, rss_mib, recs = factory(params)(test.train, test.members)
        m = score(recs, test.truth, n)
        rows[name] = {"recall@10": m["recall@10"], "ndcg@10": m["ndcg@10"], "coverage": m["coverage"],
                      "fit_s": fit_s, "recommend_all_s": rec_s, "peak_mib": traced_peak_mib(factory(params), test),
                      "rss_growth_mib": rss_mib, "params": params}
    peers = {k: v for k, v in rows.items() if not k.startswith("halqa")}
    best_peer = max(peers, key=lambda k: peers[k]["ndcg@10"])
    slower_peer = max(peers, key=lambda k: peers[k]["fit_s"] + peers[k]["recommend_all_s"])
    ours = rows["halqa hybrid"]
    summary = {
        "ndcg_ratio_vs_best_peer": ours["ndcg@10"] / peers[best_peer]["ndcg@10"], "best_peer": best_peer,
        "time_ratio_vs_slower_peer": (ours["fit_s"] + ours["recommend_all_s"])
        / (peers[slower_peer]["fit_s"] + peers[slower_peer]["recommend_all_s"]), "slower_peer": slower_peer,
        "process_peak_rss_mib": _max_rss_mib(),
    }
    cold = cold_start(events, users)
    if args.json:
        print(json.dumps({"models": rows, "summary": summary, "cold_start_recall@10": cold}, default=float))
        return 0
    print(f"\n{'model':<16}{'Recall@10':>10}{'NDCG@10':>9}{'coverage':>9}{'fit s':>8}{'rec-all s':>10}{'peak MiB':>9}")
    for name, r in rows.items():
        print(f"{name:<16}{r['recall@10']:>10.4f}{r['ndcg@10']:>9.4f}{r['coverage']:>9.3f}{r['fit_s']:>8.2f}"
              f"{r['recommend_all_s']:>10.2f}{r['peak_mib']:>9.1f}")
    print(f"\nhalqa NDCG@10 / best peer ({best_peer}): {summary['ndcg_ratio_vs_best_peer']:.3f}x")
    print(f"halqa fit+recommend time / slower peer ({slower_peer}): {summary['time_ratio_vs_slower_peer']:.2f}x")
    print(f"process peak RSS: {summary['process_peak_rss_mib']:.0f} MiB")
    print("chosen parameters (validation): " + "; ".join(f"{k}: {v['params']}" for k, v in rows.items()))
    print(f"\ncold start (20% of members with every event hidden), Recall@10: demographics-only "
          f"{cold['demographic']:.4f} vs global popular {cold['popular']:.4f} "
          f"vs gender x age popular {cold['segment_gender_age']:.4f} "
          f"(same 1/n member weighting without demographics: {cold['light_member_popular']:.4f})")
    return 0


def _max_rss_mib() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


if __name__ == "__main__":
    raise SystemExit(main())

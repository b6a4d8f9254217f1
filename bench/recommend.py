"""Benchmark: what a user runs (`halqa import`, `halqa train`, `halqa recommend --all`) against peers.

The product path, for each split of MovieLens 100K:

1. the split (halqa's ``member_split``: last 20% of each member's events, ties by title id; or
   ``global_split``: every event after the 80% time quantile) is cut from the full data;
2. the training part is written as a MovieLens directory and imported with
   ``halqa import movielens DIR --consent all``;
3. ``halqa train`` runs with no flags (its defaults: tuning within its time budget), then
   ``halqa recommend --all -k 10 --out recs.csv``;
4. the lists are scored on the held-out part (titles the member had not seen in training).

Peers fit on the very events the store holds (read back from it), each tuned on a validation
split cut from the training part the same way (member or global), never on the test part, with
its trial count printed: implicit ALS, RecTools EASE, EASE scoring a recency-weighted profile
(a member's i-th most recent title weighs 0.5^(i/h), the recency idea given to a peer), and
RecTools SASRec (order-aware, torch on CPU; ``--no-sasrec`` skips it).

``--music`` adds a play-count music catalogue (generated, seeded: ~2,000 listeners × ~18,000
artists, heavy-tailed play counts, one ``listen`` event per listener and artist with the count as
its value, every event at the same time), split at random 80/20 per listener, ingested with
``halqa ingest`` and run the same way (``halqa recommend --all --no-repeat``: the held-out part
asks for artists the listener has not played). Peers: RecTools EASE and implicit ALS, each tuned
on binary and log-count inputs.

Printed: NDCG@10, Recall@10, coverage, seconds, trial counts, the ratio of `halqa train`'s
NDCG@10 to the best peer's, and peak memory. RecTools pins numpy<2 and pandas<3, so this runs in
its own venv (git-ignored):

    python3 -m venv .venv-bench
    .venv-bench/bin/pip install torch==2.13.0 "rectools[torch]" implicit psutil "pyarrow<22" -e .
    .venv-bench/bin/python bench/recommend.py [DATA_DIR] [--music] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO.parent / "shared" / "data" / "movielens-100k"
K = 10
Recs = pd.DataFrame  # member, title (external ids), rank


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# -- the product path ------------------------------------------------------------------------------
def halqa(*args: str) -> dict[str, Any]:
    """Run the `halqa` CLI as a user would; returns its one JSON object."""
    out = subprocess.run(
        [sys.executable, "-m", "halqa.cli.main", *args, "--json"],
        check=False,  # a failure is reported just below, with the CLI's own words
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO / "src")},
    )
    if out.returncode != 0:
        sys.exit(f"halqa {' '.join(args)} failed: {out.stdout[-1500:]}{out.stderr[-1500:]}")
    return json.loads(out.stdout)


def product_run(
    db: Path, work: Path, recommend_flags: tuple[str, ...] = ()
) -> tuple[Recs, dict[str, Any]]:
    started = time.perf_counter()
    trained = halqa("train", "--db", str(db))
    trained_s = time.perf_counter() - started
    recs_file = work / "recs.csv"
    halqa(
        "recommend",
        "--all",
        "-k",
        str(K),
        "--out",
        str(recs_file),
        "--db",
        str(db),
        *recommend_flags,
    )
    recs = pd.read_csv(recs_file, dtype={"member_id": str, "title_id": str})
    info = {
        "train_s": round(trained_s, 1),
        "total_s": round(time.perf_counter() - started, 1),
        "trials": trained.get("tuning", {}).get("trials", 0),
        "config": trained["config"],
        "validation_splits": trained.get("tuning", {}).get("validation_splits"),
    }
    return recs.rename(columns={"member_id": "member", "title_id": "title"})[
        ["member", "title", "rank"]
    ], info


def write_movielens(source: Path, target: Path, train: pd.DataFrame) -> None:
    """A MovieLens 100K directory whose u.data holds only ``train`` (the rest is linked)."""
    target.mkdir(parents=True, exist_ok=True)
    for item in source.iterdir():
        if item.name != "u.data" and item.is_file():
            (target / item.name).symlink_to(item.resolve())
    train[["user", "item", "rating", "ts"]].to_csv(
        target / "u.data", sep="\t", header=False, index=False
    )


# -- scoring ---------------------------------------------------------------------------------------
def score(recs: Recs, truth: pd.DataFrame, n_titles: int) -> dict[str, float]:
    from halqa.recommend.metrics import coverage, ranking_metrics

    out = ranking_metrics(recs, truth, K)
    out["coverage"] = coverage(recs["title"].to_numpy(), n_titles)
    return out


def truth_of(split: Any, ds: Any) -> pd.DataFrame:
    """Held-out (member, title) pairs in external ids."""
    return pd.DataFrame(
        {
            "member": ds.members.to_external(split.truth["member"]),
            "title": ds.titles.to_external(split.truth["title"]),
        }
    )


# -- peers: each (train Dataset, members) -> recs in external ids -----------------------------------
def _binary(train: Any, log_counts: bool = False) -> Any:
    x = train.matrix().tocsr().astype(np.float32)
    if log_counts:
        x.data = np.log1p(x.data).astype(np.float32)
    else:
        x.data[:] = 1.0
    return x


def _top(scores: np.ndarray, seen: Any, members: np.ndarray, train: Any) -> Recs:
    rows = seen[members].tocoo()
    scores[rows.row, rows.col] = -np.inf
    top = np.argsort(-scores, axis=1, kind="stable")[:, :K]
    return pd.DataFrame(
        {
            "member": np.repeat(train.members.to_external(members), K),
            "title": train.titles.to_external(top.ravel()),
            "rank": np.tile(np.arange(1, K + 1), len(members)),
        }
    )


def implicit_als(
    factors: int, regularization: float, alpha: float, log_counts: bool = False
) -> Callable:
    def run(train: Any, members: np.ndarray) -> Recs:
        from implicit.cpu.als import AlternatingLeastSquares
        from threadpoolctl import threadpool_limits

        x = _binary(train, log_counts)
        with threadpool_limits(1, "blas"):
            model = AlternatingLeastSquares(
                factors=factors,
                regularization=regularization,
                alpha=alpha,
                iterations=15,
                random_state=42,
            )
            model.fit(x, show_progress=False)
            ids, _ = model.recommend(members, x[members], N=K, filter_already_liked_items=True)
        recs = pd.DataFrame(
            {
                "member": np.repeat(train.members.to_external(members), K),
                "title": train.titles.to_external(np.maximum(ids.ravel(), 0)),
                "rank": np.tile(np.arange(1, K + 1), len(members)),
            }
        )
        return recs[ids.ravel() >= 0]

    return run


def rectools_ease(regularization: float, log_counts: bool = False) -> Callable:
    def run(train: Any, members: np.ndarray) -> Recs:
        from rectools import Columns
        from rectools.dataset import Dataset as RTDataset
        from rectools.models import EASEModel

        x = _binary(train, log_counts).tocoo()
        frame = pd.DataFrame(
            {
                Columns.User: x.row,
                Columns.Item: x.col,
                Columns.Weight: x.data,
                Columns.Datetime: pd.Timestamp("2020-01-01"),
            }
        )
        dataset = RTDataset.construct(frame)
        model = EASEModel(regularization=regularization).fit(dataset)
        recs = model.recommend(members, dataset, k=K, filter_viewed=True)
        return pd.DataFrame(
            {
                "member": train.members.to_external(recs[Columns.User].to_numpy()),
                "title": train.titles.to_external(recs[Columns.Item].to_numpy()),
                "rank": recs[Columns.Rank].to_numpy(),
            }
        )

    return run


def ease_recency(regularization: float, half_life: float) -> Callable:
    """Plain EASE (Steck 2019) on binary interactions, scoring a recency-weighted profile."""

    def run(train: Any, members: np.ndarray) -> Recs:
        import scipy.sparse as sp

        x = _binary(train)
        gram = np.asarray((x.T @ x).todense(), dtype=np.float64)
        gram[np.diag_indices_from(gram)] += regularization
        p = np.linalg.inv(gram)
        b = -p / np.diag(p)[None, :]
        np.fill_diagonal(b, 0.0)
        ev = train.events[train.events["weight"] > 0]
        order = np.lexsort(
            (
                train.title_order()[ev["title_idx"].to_numpy()],
                ev["ts"].to_numpy(),
                ev["member_idx"].to_numpy(),
            )
        )
        m, t = ev["member_idx"].to_numpy()[order], ev["title_idx"].to_numpy()[order]
        ends = np.cumsum(np.bincount(m, minlength=train.n_members))[m]
        position = ends - 1 - np.arange(len(m))  # 0 = the member's most recent title
        profile = sp.csr_matrix((0.5 ** (position / half_life), (m, t)), shape=x.shape)
        profile.sum_duplicates()
        return _top(np.asarray(profile[members] @ b), train.seen(), members, train)

    return run


def rectools_sasrec(n_factors: int, epochs: int, session_max_len: int = 50) -> Callable:
    def run(train: Any, members: np.ndarray) -> Recs:
        import logging

        import torch
        from rectools import Columns
        from rectools.dataset import Dataset as RTDataset
        from rectools.models import SASRecModel

        logging.getLogger("lightning.pytorch").setLevel(logging.ERROR)
        torch.set_num_threads(1)
        ev = train.events[train.events["weight"] > 0]
        # seconds plus a title-order tie-break: the order halqa's splits use
        when = ev["ts"].to_numpy() + train.title_order()[ev["title_idx"].to_numpy()] / (
            10 * train.n_titles
        )
        frame = pd.DataFrame(
            {
                Columns.User: ev["member_idx"].to_numpy(),
                Columns.Item: ev["title_idx"].to_numpy(),
                Columns.Weight: 1.0,
                Columns.Datetime: pd.to_datetime(when, unit="s"),
            }
        )
        dataset = RTDataset.construct(frame)
        model = SASRecModel(
            n_factors=n_factors,
            n_blocks=2,
            n_heads=1,
            session_max_len=session_max_len,
            epochs=epochs,
            deterministic=True,
            verbose=0,
            get_trainer_func=None,
        )
        model.fit(dataset)
        known = np.intersect1d(members, frame[Columns.User].unique())
        recs = model.recommend(known, dataset, k=K, filter_viewed=True)
        return pd.DataFrame(
            {
                "member": train.members.to_external(recs[Columns.User].to_numpy()),
                "title": train.titles.to_external(recs[Columns.Item].to_numpy()),
                "rank": recs[Columns.Rank].to_numpy(),
            }
        )

    return run


# -- tuning the peers on validation ------------------------------------------------------------------
def tune_peer(
    name: str, grid: list[tuple[dict[str, Any], Callable]], valid: Any, train: Any
) -> tuple[dict, Callable, int]:
    """The grid point with the best validation NDCG@10 (the test part is never looked at)."""
    best, best_ndcg = grid[0], -1.0
    truth = truth_of(valid, train)
    for params, run in grid:
        ndcg = score(run(valid.train, valid.members), truth, train.n_titles)[f"ndcg@{K}"]
        log(f"  [{name}] {params} -> validation ndcg@10 {ndcg:.4f}")
        if ndcg > best_ndcg:
            best, best_ndcg = (params, run), ndcg
    return best[0], best[1], len(grid)


def movielens_peers(sasrec: bool) -> dict[str, list[tuple[dict[str, Any], Callable]]]:
    peers = {
        "implicit ALS": [
            ({"factors": f, "regularization": r, "alpha": a}, implicit_als(f, r, a))
            for f in (64, 128)
            for r in (0.01, 0.1)
            for a in (1.0, 5.0)
        ],
        "RecTools EASE": [
            ({"regularization": r}, rectools_ease(r)) for r in (100.0, 250.0, 500.0, 1000.0, 2000.0)
        ],
        "EASE + recency": [
            ({"regularization": r, "half_life": h}, ease_recency(r, h))
            for r in (250.0, 500.0, 1000.0, 2000.0)
            for h in (3.0, 5.0, 10.0)
        ],
    }
    if sasrec:
        # factors, epochs and the history it reads (session_max_len): the settings SASRec's
        # quality turns on; two blocks and one head are RecTools' defaults
        peers["RecTools SASRec"] = [
            ({"n_factors": f, "epochs": e, "session_max_len": n}, rectools_sasrec(f, e, n))
            for f, e, n in (
                (64, 10, 50),
                (128, 20, 50),
                (128, 40, 50),
                (128, 20, 100),
                (256, 20, 100),
                (256, 40, 200),
            )
        ]
    return peers


# -- MovieLens: both splits ----------------------------------------------------------------------------
def movielens(
    data_dir: Path, work: Path, sasrec: bool, splits: tuple[str, ...] = ("member", "global")
) -> dict[str, Any]:
    from halqa.catalog import Store
    from halqa.recommend import Dataset
    from halqa.recommend.evaluate import split as make_split

    raw = pd.read_csv(data_dir / "u.data", sep="\t", names=["user", "item", "rating", "ts"])
    full_db = work / "ml-full.duckdb"
    halqa("import", "movielens", str(data_dir), "--consent", "all", "--db", str(full_db))
    with Store.open(full_db, read_only=True) as store:
        full = Dataset.from_store(store)
    out = {}
    for how in splits:
        log(f"MovieLens, {how} split")
        s = make_split(full, how)
        kept = s.train.to_frame()[["member_id", "title_id", "ts"]].astype(
            {"member_id": int, "title_id": int}
        )
        train_rows = raw.merge(
            kept.rename(columns={"member_id": "user", "title_id": "item"}),
            on=["user", "item", "ts"],
            how="inner",
        ).drop_duplicates(["user", "item"])
        directory = work / f"ml-{how}"
        write_movielens(data_dir, directory, train_rows)
        db = work / f"ml-{how}.duckdb"
        halqa("import", "movielens", str(directory), "--consent", "all", "--db", str(db))
        truth = truth_of(s, full)
        ours, info = product_run(db, work)
        rows = {"halqa train (defaults)": {**score(ours, truth, full.n_titles), **info}}
        log(
            f"  halqa train: ndcg@10 {rows['halqa train (defaults)']['ndcg@10']:.4f} ({info['trials']} trials)"
        )
        with Store.open(db, read_only=True) as store:
            train = Dataset.from_store(store)
        valid = make_split(train, how)
        members = train.member_index(truth["member"].unique(), strict=False)
        members = np.sort(members[members >= 0])
        for name, grid in movielens_peers(sasrec).items():
            params, run, trials = tune_peer(name, grid, valid, train)
            started = time.perf_counter()
            recs = run(train, members)
            rows[name] = {
                **score(recs, truth, full.n_titles),
                "params": params,
                "trials": trials,
                "total_s": round(time.perf_counter() - started, 1),
            }
            log(f"  {name}: ndcg@10 {rows[name]['ndcg@10']:.4f}")
        out[how] = rows
    return out


# -- a play-count music catalogue ---------------------------------------------------------------------------
def music_catalogue(
    seed: int = 7,
    listeners: int = 2_000,
    artists: int = 18_000,
    tastes: int = 40,
    per_listener: float = 50.0,
) -> pd.DataFrame:
    """Listener × artist play counts with the shape of a scrobble log: Zipf artist popularity,
    listeners drawn to a couple of taste clusters, lognormal play counts larger for the
    listener's own tastes, one row per pair."""
    rng = np.random.default_rng(seed)
    cluster = rng.integers(tastes, size=artists)
    popularity = 1.0 / np.arange(1, artists + 1) ** 0.9
    rng.shuffle(popularity)
    rows = []
    for listener in range(listeners):
        likes = rng.choice(tastes, size=2, replace=False)
        weight = popularity * np.where(np.isin(cluster, likes), 25.0, 1.0)
        n = int(np.clip(rng.lognormal(np.log(per_listener), 0.5), 5, 400))
        chosen = rng.choice(artists, size=min(n, artists), replace=False, p=weight / weight.sum())
        fond = np.isin(cluster[chosen], likes)
        plays = np.ceil(rng.lognormal(np.where(fond, 3.5, 1.5), 1.2)).astype(int)
        rows.append(
            pd.DataFrame(
                {
                    "member_id": f"l{listener:05d}",
                    "title_id": [f"a{a:05d}" for a in chosen],
                    "value": plays,
                }
            )
        )
    return pd.concat(rows, ignore_index=True)


def music(work: Path, artists: int) -> dict[str, Any]:
    from halqa.catalog import Store
    from halqa.recommend import Dataset
    from halqa.recommend.evaluate import random_member_split

    log("music catalogue (play counts, no order in time)")
    plays = music_catalogue(artists=artists)
    held = plays.sample(
        frac=1.0, random_state=11
    )  # a random 20% of each listener's artists is held out
    position = held.groupby("member_id").cumcount()
    size = held.groupby("member_id")["title_id"].transform("size")
    test = (position < np.floor(size * 0.2 + 0.5)).to_numpy()
    train_rows, test_rows = held[~test], held[test]
    files = work / "music"
    files.mkdir(exist_ok=True)
    titles = pd.DataFrame({"title_id": sorted(plays["title_id"].unique())})
    titles.assign(
        name=titles["title_id"].str.replace("a", "Artist ", regex=False), kind="album"
    ).to_csv(files / "titles.csv", index=False)
    pd.DataFrame({"member_id": sorted(plays["member_id"].unique())}).to_csv(
        files / "members.csv", index=False
    )
    train_rows.assign(event_type="listen", ts="2024-06-01T00:00:00")[
        ["member_id", "title_id", "event_type", "ts", "value"]
    ].to_csv(files / "events.csv", index=False)
    db = work / "music.duckdb"
    halqa("ingest", "titles", str(files / "titles.csv"), "--db", str(db))
    halqa("ingest", "members", str(files / "members.csv"), "--consent", "all", "--db", str(db))
    halqa("ingest", "events", str(files / "events.csv"), "--db", str(db))
    truth = test_rows.rename(columns={"member_id": "member", "title_id": "title"})[
        ["member", "title"]
    ]
    with Store.open(db, read_only=True) as store:
        train = Dataset.from_store(store)
    truth = truth[truth["member"].isin(train.members.external)]
    ours, info = product_run(db, work, ("--no-repeat",))
    rows = {"halqa train (defaults)": {**score(ours, truth, train.n_titles), **info}}
    log(
        f"  halqa train: ndcg@10 {rows['halqa train (defaults)']['ndcg@10']:.4f} ({info['trials']} trials)"
    )
    valid = random_member_split(train, 0.2, seed=5)
    members = np.sort(train.member_index(truth["member"].unique()))
    grids = {
        # each RecTools EASE fit inverts a dense artists x artists matrix (18,000: about 2.5 minutes
        # on 2 cores), yet the grid stays as wide as halqa's own search: a best value on its edge
        # would leave the peer under-tuned
        "RecTools EASE": [
            ({"regularization": r, "log_counts": lc}, rectools_ease(r, lc))
            for r in (100.0, 250.0, 500.0, 1000.0, 2000.0, 4000.0)
            for lc in (False, True)
        ],
        "implicit ALS": [
            (
                {"factors": f, "regularization": r, "alpha": a, "log_counts": True},
                implicit_als(f, r, a, True),
            )
            for f in (32, 64, 128)
            for r in (0.01, 0.1)
            for a in (1.0, 5.0)
        ],
    }
    for name, grid in grids.items():
        params, run, trials = tune_peer(name, grid, valid, train)
        started = time.perf_counter()
        rows[name] = {
            **score(run(train, members), truth, train.n_titles),
            "params": params,
            "trials": trials,
            "total_s": round(time.perf_counter() - started, 1),
        }
        log(f"  {name}: ndcg@10 {rows[name]['ndcg@10']:.4f}")
    return {"random": rows}


# -- report ------------------------------------------------------------------------------------------------------
def summarise(tables: dict[str, dict[str, Any]]) -> dict[str, Any]:
    out = {}
    for label, rows in tables.items():
        peers = {k: v for k, v in rows.items() if not k.startswith("halqa")}
        best = max(peers, key=lambda k: peers[k]["ndcg@10"])
        out[label] = {
            "best_peer": best,
            "ratio_vs_best_peer": rows["halqa train (defaults)"]["ndcg@10"]
            / peers[best]["ndcg@10"],
        }
    return out


def print_tables(tables: dict[str, dict[str, Any]], summary: dict[str, Any]) -> None:
    for label, rows in tables.items():
        print(f"\n{label}")
        print(
            f"{'model':<26}{'NDCG@10':>9}{'Recall@10':>10}{'coverage':>9}{'trials':>7}{'seconds':>9}   chosen"
        )
        for name, r in rows.items():
            chosen = r.get("params", r.get("config", ""))
            print(
                f"{name:<26}{r['ndcg@10']:>9.4f}{r['recall@10']:>10.4f}{r['coverage']:>9.3f}{r['trials']:>7}"
                f"{r['total_s']:>9.1f}   {chosen}"
            )
        s = summary[label]
        print(
            f"`halqa train` NDCG@10 / best peer ({s['best_peer']}): {s['ratio_vs_best_peer']:.3f}x"
        )
    print(
        f"\nprocess peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB "
        f"(children: {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024:.0f} MiB)"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("data_dir", nargs="?", default=str(DEFAULT_DATA))
    parser.add_argument(
        "--no-sasrec", action="store_true", help="skip the SASRec peer (torch on CPU)"
    )
    parser.add_argument("--no-movielens", action="store_true", help="only the music catalogue")
    parser.add_argument("--music", action="store_true", help="also the play-count music catalogue")
    parser.add_argument("--music-artists", type=int, default=18_000)
    parser.add_argument(
        "--split",
        action="append",
        choices=("member", "global"),
        help="MovieLens split(s) to run (repeatable; default both)",
    )
    parser.add_argument(
        "--json", action="store_true", help="print one JSON object instead of the tables"
    )
    args = parser.parse_args(argv)
    try:
        import rectools  # noqa: F401
    except ImportError as exc:
        sys.exit(
            f"error: {exc.name} is missing; run this script from .venv-bench (see the docstring)"
        )
    data = Path(args.data_dir)
    if not args.no_movielens and not (data / "u.data").exists():
        sys.exit(
            f"error: {data / 'u.data'} not found; pass the MovieLens 100K directory as DATA_DIR"
        )
    tables: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="halqa-bench-") as tmp:
        work = Path(tmp)
        if not args.no_movielens:
            splits = tuple(args.split or ("member", "global"))
            for how, rows in movielens(data, work, not args.no_sasrec, splits).items():
                tables[f"MovieLens 100K, {how} split"] = rows
        if args.music:
            tables["music play counts, random 80/20 per listener"] = music(
                work, args.music_artists
            )["random"]
    summary = summarise(tables)
    if args.json:
        print(json.dumps({"tables": tables, "summary": summary}, default=str))
    else:
        print_tables(tables, summary)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

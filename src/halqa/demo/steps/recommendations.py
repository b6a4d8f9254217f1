"""The recommendation engine's step in ``halqa demo``.

On the demo store: fit the hybrid on a per-member temporal split, score it, then score the same
model's lists re-ranked with ``local_share=0.4`` and report the three figures issue 3 asks for
(every list ≥ 40% Moroccan, NDCG@10 drop, exposure Gini over Moroccan creators with and without
the re-ranker). A sample of members keeps the step to seconds on the full demo world.

What the lists learnt is found by scanning, not named in advance: for every segment a marketer
could name (each region, age band, gender and language spoken) and every genre, how much more
often the segment's members find that genre in their top 10 than everyone judged does, by a
Wilson lower bound so a handful of members cannot top the list. The planted manifest is read only
afterwards, to check that the strongest segment × genre is a taste the generator planted.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from rich.console import Console
from rich.table import Table

from halqa.audience.breakdown import member_languages
from halqa.catalog import Store
from halqa.demo.steps.targeting import planted_fans
from halqa.demo.world import World
from halqa.insights.stats import wilson_lower
from halqa.recommend.dataset import Dataset
from halqa.recommend.evaluate import member_split, rerank_cost
from halqa.recommend.hybrid import Hybrid
from halqa.recommend.rerank import LocalTalentReranker

if TYPE_CHECKING:
    import pandas as pd

LOCAL_SHARE = 0.4
SAMPLE = 3_000
K = 10
MIN_MEMBERS = 10  # a segment × genre found in fewer lists is not reported (privacy and noise)
SCANNED_COLUMNS = ("region", "age_band", "gender")


def member_segments(store: Store, member_ids: list[str]) -> dict[str, np.ndarray]:
    """Every nameable segment (``region=…``, ``age_band=…``, ``gender=…``, ``language=…``) as a
    mask over ``member_ids``."""
    rows = {
        str(r[0]): r[1:]
        for r in store.rows("SELECT member_id, region, age_band, gender, languages FROM members")
    }
    attrs = [rows.get(m, (None, None, None, None)) for m in member_ids]
    out: dict[str, np.ndarray] = {}
    for i, column in enumerate(SCANNED_COLUMNS):
        values = np.array([a[i] or "" for a in attrs], dtype=object)
        for value in sorted(set(values) - {""}):
            out[f"{column}={value}"] = values == value
    spoken = [set(member_languages(a[3])) for a in attrs]
    for lang in sorted(set().union(*spoken)):
        out[f"language={lang}"] = np.array([lang in s for s in spoken])
    return out


def genre_reach(store: Store, lists: pd.DataFrame, member_ids: list[str]) -> dict[str, np.ndarray]:
    """For each genre, which of ``member_ids`` have a title of that genre in their list."""
    genres = {str(t): list(g or []) for t, g in store.rows("SELECT title_id, genres FROM titles")}
    index = {m: i for i, m in enumerate(member_ids)}
    out: dict[str, np.ndarray] = {}
    for member, title in zip(lists["member_id"], lists["title_id"]):
        for genre in genres.get(str(title), []):
            out.setdefault(genre, np.zeros(len(member_ids), dtype=bool))[index[str(member)]] = True
    return out


def scan_lists(
    segments: dict[str, np.ndarray], reach: dict[str, np.ndarray], *, k: int = MIN_MEMBERS
) -> list[dict[str, Any]]:
    """Segment × genre pairs ranked by how much more often the segment's lists hold the genre than
    everyone's: the Wilson lower bound of the segment's share over everyone's share."""
    found = []
    for genre, got in reach.items():
        base = float(got.mean())
        for name, mask in segments.items():
            n, hits = int(mask.sum()), int(got[mask].sum())
            if hits < k or base == 0:
                continue
            p = hits / n
            low = wilson_lower(hits, n)
            found.append(
                {
                    "segment": name,
                    "genre": genre,
                    "members": n,
                    "segment_share": round(p, 4),
                    "everyone_share": round(base, 4),
                    "ratio": round(p / base, 2),
                    "ratio_low": round(low / base, 2),
                }
            )
    return sorted(found, key=lambda f: (-f["ratio_low"], f["segment"], f["genre"]))


def demo_step(
    store: Store, world: World, console: Console, *, sample: int = SAMPLE, seed: int = 7
) -> dict[str, Any]:
    """Train, evaluate, and measure what the local-talent guarantee costs on the demo store."""
    dataset = Dataset.from_store(store)
    split = member_split(dataset)
    model = Hybrid().fit(split.train)
    members = split.members
    if len(members) > sample:
        members = np.sort(np.random.default_rng(seed).choice(members, size=sample, replace=False))
    cost = rerank_cost(
        model, split, dataset, LocalTalentReranker(local_share=LOCAL_SHARE), members=members
    )
    plain, ranked = cost["plain"], cost["reranked"]
    example = model.recommend(
        dataset.members.to_external(members[:1]).tolist(),
        5,
        rerank=LocalTalentReranker(local_share=LOCAL_SHARE),
    )
    _print(console, plain, ranked, cost, example)
    judged = [str(m) for m in dataset.members.to_external(members).tolist()]
    segments = member_segments(store, judged)
    scanned = scan_lists(segments, genre_reach(store, model.recommend(judged, K), judged))
    _print_scan(console, scanned, len(segments))
    checks = _check(scanned, world.planted)
    keys = (
        "recall@10",
        "ndcg@10",
        "coverage",
        "novelty_pct",
        "local_share",
        "gini_creators",
        "gini_moroccan_creators",
    )
    return {
        "members_judged": cost["lists"],
        "model": "hybrid",
        "unconstrained": {k: round(plain[k], 4) for k in keys},
        "local_share_0.4": {k: round(ranked[k], 4) for k in keys},
        "min_local_share_per_list": round(cost["min_local_share_per_list"], 4),
        "ndcg_drop_pct": round(cost["ndcg_drop_pct"], 2),
        "gini_moroccan_creators": {
            "without": round(plain["gini_moroccan_creators"], 4),
            "with": round(ranked["gini_moroccan_creators"], 4),
        },
        "example": example.to_dict("records"),
        "segments_scanned": len(segments),
        "strongest_segments": scanned[:10],
        "checks": checks,
    }


def _check(scanned: list[dict[str, Any]], planted: dict[str, Any]) -> dict[str, Any]:
    """Whether the strongest segment × genre the scan found is a taste the generator planted
    (planted.json is read only now, after the scan)."""
    if not scanned:
        return {"planted_segment_found_first": False}
    top = scanned[0]
    fans = planted_fans(planted, [top["genre"]])
    planted_first = [f for f in scanned if f["segment"] in planted_fans(planted, [f["genre"]])]
    return {
        "planted_segment_found_first": top["segment"] in fans,
        "planted_in_top10": sum(f in planted_first for f in scanned[:10]),
    }


def _print_scan(console: Console, scanned: list[dict[str, Any]], n_segments: int) -> None:
    console.print(
        f"[bold]What the lists learnt[/] ({n_segments} segments × every genre scanned; "
        f"share of the segment's top {K} lists holding the genre vs everyone's):"
    )
    for f in scanned[:3]:
        console.print(
            f"  {f['segment']}: {f['genre']} in {f['segment_share']:.0%} of lists vs "
            f"{f['everyone_share']:.0%} (x{f['ratio']}, at least x{f['ratio_low']})",
            highlight=False,
        )


def _print(
    console: Console,
    plain: dict[str, float],
    ranked: dict[str, float],
    cost: dict[str, Any],
    example: pd.DataFrame,
) -> None:
    table = Table(
        title=(
            f"Recommendations: hybrid, per-member temporal split ({cost['lists']:,} members judged)"
        )
    )
    for col in (
        "lists",
        "NDCG@10",
        "Recall@10",
        "coverage",
        "Moroccan share",
        "min Moroccan share/list",
        "Gini (Moroccan creators)",
    ):
        table.add_column(col, justify="left" if col == "lists" else "right")
    table.add_row(
        "unconstrained",
        f"{plain['ndcg@10']:.4f}",
        f"{plain['recall@10']:.4f}",
        f"{plain['coverage']:.3f}",
        f"{plain['local_share']:.2f}",
        "",
        f"{plain['gini_moroccan_creators']:.3f}",
    )
    table.add_row(
        f"local share {LOCAL_SHARE}",
        f"{ranked['ndcg@10']:.4f}",
        f"{ranked['recall@10']:.4f}",
        f"{ranked['coverage']:.3f}",
        f"{ranked['local_share']:.2f}",
        f"{cost['min_local_share_per_list']:.2f}",
        f"{ranked['gini_moroccan_creators']:.3f}",
    )
    console.print(table)
    console.print(f"NDCG@10 cost of the guarantee: {cost['ndcg_drop_pct']:.2f}%")
    for r in example.itertuples():
        console.print(f"  {r.member_id} #{r.rank} {r.title_id}: {r.reason}", highlight=False)


def recommendations(store: Store, world: World, console: Console) -> dict[str, Any]:
    """The step as registered in ``halqa.demo.run.DEMO_STEPS`` (its name keys ``steps`` in the
    JSON).

    It also saves the hybrid fitted on the whole store where `halqa train` would
    (``<db>.models/recommender.pkl``), so the dashboard `halqa demo` serves at its end, and a
    later `halqa serve` or `halqa recommend`, have a model (the documented defaults, untuned,
    to keep the demo to minutes; `halqa train` tunes).
    """
    from halqa.recommend.saved import default_model_path

    result = demo_step(store, world, console)
    path = Hybrid().fit(Dataset.from_store(store)).save(default_model_path(store.path))
    console.print(f"saved the recommender `halqa serve` will serve: {path}", highlight=False)
    return {**result, "model_file": str(path)}

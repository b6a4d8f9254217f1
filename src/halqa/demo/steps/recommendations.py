"""The recommendation engine's step in ``halqa demo``.

On the demo store: fit the hybrid on a per-member temporal split, score it, then score the same
model's lists re-ranked with ``local_share=0.4`` and report the three figures issue 3 asks for
(every list ≥ 40% Moroccan, NDCG@10 drop, exposure Gini over Moroccan creators with and without
the re-ranker). A sample of members keeps the step to seconds on the full demo world.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from rich.console import Console
from rich.table import Table

from halqa.catalog import Store
from halqa.demo.world import World
from halqa.recommend.dataset import Dataset
from halqa.recommend.evaluate import member_split, rerank_cost
from halqa.recommend.hybrid import Hybrid
from halqa.recommend.rerank import LocalTalentReranker

if TYPE_CHECKING:
    import pandas as pd

LOCAL_SHARE = 0.4
SAMPLE = 3_000


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
    }


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

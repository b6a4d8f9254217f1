"""Ranking and beyond-accuracy metrics as small pure functions.

Per-list functions take the recommended titles in rank order and the set of relevant titles;
``ranking_metrics`` computes the same quantities for a whole long table at once (vectorised,
and tested to agree with the per-list functions).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

import numpy as np
import pandas as pd


def _hits(recommended: Sequence, relevant: Collection, k: int) -> np.ndarray:
    return np.array([t in relevant for t in list(recommended)[:k]], dtype=bool)


def recall_at_k(recommended: Sequence, relevant: Collection, k: int) -> float:
    """Share of the relevant titles found in the top k."""
    return float(_hits(recommended, relevant, k).sum() / len(relevant)) if relevant else 0.0


def precision_at_k(recommended: Sequence, relevant: Collection, k: int) -> float:
    return float(_hits(recommended, relevant, k).sum() / k)


def hit_rate_at_k(recommended: Sequence, relevant: Collection, k: int) -> float:
    """1 when at least one relevant title is in the top k."""
    return float(_hits(recommended, relevant, k).any())


def ndcg_at_k(recommended: Sequence, relevant: Collection, k: int) -> float:
    """Binary-gain NDCG: Σ hits 1/log2(rank+1) over the best possible with min(|relevant|,
    k) hits."""
    if not relevant:
        return 0.0
    hits = _hits(recommended, relevant, k)
    discounts = 1.0 / np.log2(np.arange(2, k + 2))
    ideal = discounts[: min(len(relevant), k)].sum()
    return float((discounts[: len(hits)] * hits).sum() / ideal)


def average_precision_at_k(recommended: Sequence, relevant: Collection, k: int) -> float:
    """AP@k: mean of precision at each hit, over min(|relevant|, k)."""
    if not relevant:
        return 0.0
    hits = _hits(recommended, relevant, k)
    precision = np.cumsum(hits) / np.arange(1, len(hits) + 1)
    return float((precision * hits).sum() / min(len(relevant), k))


def coverage(recommended_titles: Collection, n_titles: int) -> float:
    """Share of the catalogue that appears in at least one list."""
    return len(set(recommended_titles)) / n_titles if n_titles else 0.0


def novelty(recommended_titles: Sequence, popularity: np.ndarray) -> float:
    """Mean popularity percentile of recommended titles (100 = the most popular;
    lower = more novel)."""
    if len(recommended_titles) == 0:
        return 0.0
    pct = pd.Series(popularity).rank(pct=True, method="average").to_numpy() * 100
    return float(pct[np.asarray(recommended_titles, dtype=np.int64)].mean())


def share(recommended_titles: Sequence, flag: np.ndarray) -> float:
    """Share of recommendation slots whose title has ``flag`` (e.g. a Moroccan creator)."""
    if len(recommended_titles) == 0:
        return 0.0
    return float(
        np.asarray(flag, dtype=bool)[np.asarray(recommended_titles, dtype=np.int64)].mean()
    )


def gini(exposure: Sequence[float] | np.ndarray) -> float:
    """Gini coefficient of exposure counts: 0 = spread evenly, → 1 = all on one.

    Includes zero-exposure entries, so pass one count per creator of the pool being judged.
    """
    x = np.sort(np.asarray(exposure, dtype=np.float64))
    n = len(x)
    if n == 0 or x.sum() == 0:
        return 0.0
    index = np.arange(1, n + 1)
    return float((2 * index - n - 1).dot(x) / (n * x.sum()))


def ranking_metrics(recs: pd.DataFrame, truth: pd.DataFrame, k: int) -> dict[str, float]:
    """Mean Recall/NDCG/MAP/HitRate/Precision@k over the members in ``truth``.

    ``recs``: ``member, title, rank`` (rank from 1); ``truth``: ``member, title`` relevant pairs.
    Members in ``truth`` with no recommendations count as zeros.
    """
    n_rel = truth.groupby("member").size().rename("n_rel")
    top = recs[recs["rank"] <= k]
    hits = top.merge(truth.assign(hit=True), on=["member", "title"], how="inner")
    hits = hits.assign(gain=1.0 / np.log2(hits["rank"] + 1.0))
    hits = hits.sort_values(["member", "rank"])
    hits["prec"] = (hits.groupby("member").cumcount() + 1) / hits["rank"]
    per = pd.DataFrame(index=n_rel.index).join(n_rel)
    agg = hits.groupby("member").agg(
        n_hits=("hit", "size"), dcg=("gain", "sum"), ap=("prec", "sum")
    )
    per = per.join(agg).fillna(0.0)
    discounts = np.concatenate([[0.0], np.cumsum(1.0 / np.log2(np.arange(2, k + 2)))])
    ideal = discounts[np.minimum(per["n_rel"].to_numpy(dtype=int), k)]
    cut = np.minimum(per["n_rel"], k)
    return {
        f"recall@{k}": float((per["n_hits"] / per["n_rel"]).mean()),
        f"precision@{k}": float((per["n_hits"] / k).mean()),
        f"ndcg@{k}": float((per["dcg"] / ideal).mean()),
        f"map@{k}": float((per["ap"] / cut).mean()),
        f"hit_rate@{k}": float((per["n_hits"] > 0).mean()),
    }

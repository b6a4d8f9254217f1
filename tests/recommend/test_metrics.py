"""Metrics on cases small enough to compute by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from halqa.recommend import metrics as m


def test_recall_precision_hit_rate():
    recs, rel = ["a", "b", "c", "d"], {"b", "d", "z"}
    assert m.recall_at_k(recs, rel, 4) == pytest.approx(2 / 3)
    assert m.recall_at_k(recs, rel, 2) == pytest.approx(1 / 3)
    assert m.precision_at_k(recs, rel, 4) == pytest.approx(0.5)
    assert m.hit_rate_at_k(recs, rel, 1) == 0.0
    assert m.hit_rate_at_k(recs, rel, 2) == 1.0
    assert m.recall_at_k(recs, set(), 4) == 0.0


def test_ndcg_by_hand():
    # hits at ranks 2 and 4; 3 relevant, k=4 -> ideal has 3 hits at ranks 1..3
    dcg = 1 / math.log2(3) + 1 / math.log2(5)
    idcg = 1 + 1 / math.log2(3) + 1 / math.log2(4)
    assert m.ndcg_at_k(["a", "b", "c", "d"], {"b", "d", "z"}, 4) == pytest.approx(dcg / idcg)
    assert m.ndcg_at_k(["b", "d"], {"b", "d"}, 10) == pytest.approx(1.0)
    assert m.ndcg_at_k(["x"], {"b"}, 1) == 0.0


def test_average_precision_by_hand():
    # hits at ranks 1 and 3: (1/1 + 2/3) / min(2, 3)
    assert m.average_precision_at_k(["a", "x", "b"], {"a", "b"}, 3) == pytest.approx(
        (1 + 2 / 3) / 2
    )


def test_coverage_novelty_share():
    assert m.coverage([0, 1, 1, 3], 8) == pytest.approx(3 / 8)
    popularity = np.array([10, 20, 30, 40])  # percentiles 25, 50, 75, 100
    assert m.novelty([3, 0], popularity) == pytest.approx((100 + 25) / 2)
    assert m.share([0, 1, 2, 3], np.array([True, False, False, True])) == pytest.approx(0.5)


def test_gini():
    assert m.gini([5, 5, 5, 5]) == pytest.approx(0.0)
    assert m.gini([0, 0, 0, 10]) == pytest.approx(0.75)  # (n-1)/n for all-on-one
    assert m.gini([1, 2, 3]) == pytest.approx(2 / 9)
    assert m.gini([]) == 0.0


def test_vectorised_metrics_agree_with_per_list_functions(rng):
    n_members, n_titles, k = 30, 40, 10
    rows, truth = [], []
    per_list = {"recall": [], "ndcg": [], "map": [], "hit": []}
    for u in range(n_members):
        recs = list(rng.permutation(n_titles)[:k])
        rel = set(rng.choice(n_titles, size=int(rng.integers(1, 6)), replace=False).tolist())
        rows += [(u, t, r + 1) for r, t in enumerate(recs)]
        truth += [(u, t) for t in rel]
        per_list["recall"].append(m.recall_at_k(recs, rel, k))
        per_list["ndcg"].append(m.ndcg_at_k(recs, rel, k))
        per_list["map"].append(m.average_precision_at_k(recs, rel, k))
        per_list["hit"].append(m.hit_rate_at_k(recs, rel, k))
    got = m.ranking_metrics(
        pd.DataFrame(rows, columns=["member", "title", "rank"]),
        pd.DataFrame(truth, columns=["member", "title"]),
        k,
    )
    assert got["recall@10"] == pytest.approx(np.mean(per_list["recall"]))
    assert got["ndcg@10"] == pytest.approx(np.mean(per_list["ndcg"]))
    assert got["map@10"] == pytest.approx(np.mean(per_list["map"]))
    assert got["hit_rate@10"] == pytest.approx(np.mean(per_list["hit"]))


def test_members_without_recommendations_count_as_zero():
    truth = pd.DataFrame({"member": [1, 2], "title": [5, 6]})
    recs = pd.DataFrame({"member": [1], "title": [5], "rank": [1]})
    assert m.ranking_metrics(recs, truth, 10)["recall@10"] == pytest.approx(0.5)

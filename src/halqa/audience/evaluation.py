"""Offline evaluation of targeting: hide titles completely, target them from metadata, score the
ranking.

Protocol (the same in ``halqa audience evaluate`` and ``bench/targeting.py``):
titles with at least ``min_events`` events are eligible; a seeded 10% of them is the
test set and another 10% the validation set. Each method is tuned on the
validation titles (trained without validation and test titles), then refitted on
everything but the test titles and asked to rank every member for each test title.
The members who really met a title are its positives. ROC-AUC, Recall@100 and
Precision@50 are averaged over test titles.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING

import numpy as np
from sklearn.metrics import roc_auc_score

from halqa.audience.data import TargetingData
from halqa.audience.methods import Scorer
from halqa.errors import DataError

if TYPE_CHECKING:  # DuckDB is imported by whoever opens the store
    from halqa.catalog import Store


def roc_auc(scores: np.ndarray, positives: np.ndarray) -> float:
    """Probability that a random positive outranks a random negative (ties count half)."""
    truth = np.zeros(len(scores), dtype=bool)
    truth[positives] = True
    if truth.all() or not truth.any():  # undefined with one class: left out of the mean
        return float("nan")
    return float(roc_auc_score(truth, scores))


def top_k(scores: np.ndarray, k: int) -> np.ndarray:
    k = min(k, len(scores))
    part = np.argpartition(-scores, k - 1)[:k]
    return part[np.argsort(-scores[part], kind="stable")]


def recall_at(scores: np.ndarray, positives: np.ndarray, k: int) -> float:
    return float(np.isin(top_k(scores, k), positives).sum() / max(len(positives), 1))


def precision_at(scores: np.ndarray, positives: np.ndarray, k: int) -> float:
    return float(np.isin(top_k(scores, k), positives).sum() / k)


METRICS = ("roc_auc", "recall@100", "precision@50")


def evaluate_scores(scores: np.ndarray, audiences: list[np.ndarray]) -> dict[str, float]:
    """Mean metrics over titles; ``scores`` is titles × members."""
    rows = [
        (roc_auc(s, a), recall_at(s, a, 100), precision_at(s, a, 50))
        for s, a in zip(scores, audiences)
    ]
    arr = np.array(rows, dtype=float)
    return {m: float(np.nanmean(arr[:, i])) for i, m in enumerate(METRICS)}


@dataclass
class Split:
    train: np.ndarray  # title indices known to the methods
    validation: np.ndarray
    test: np.ndarray


def split_titles(
    data: TargetingData,
    *,
    seed: int = 0,
    test_share: float = 0.1,
    validation_share: float = 0.1,
    min_events: int = 5,
) -> Split:
    """Seeded split of the eligible titles (≥ ``min_events`` members) into test and validation."""
    counts = data.title_counts()
    eligible = np.flatnonzero(counts >= min_events)
    n_test = round(test_share * len(eligible))
    n_val = round(validation_share * len(eligible))
    if n_test < 1 or n_val < 1:
        raise DataError(
            f"too few titles with at least {min_events} events to evaluate targeting "
            f"({len(eligible)} eligible; "
            f"need at least {int(np.ceil(1 / min(test_share, validation_share)))})"
        )
    order = np.random.default_rng(seed).permutation(eligible)
    test, val = np.sort(order[:n_test]), np.sort(order[n_test : n_test + n_val])
    train = np.setdiff1d(np.arange(data.n_titles), np.concatenate([test, val]))
    return Split(train, val, test)


def run_holdout(
    make: Callable[[], Scorer], data: TargetingData, known: np.ndarray, hidden: np.ndarray
) -> dict[str, float]:
    """Fit on the ``known`` titles only and evaluate the ranking of members for the ``hidden``
    ones."""
    scorer = make().fit(data.keep_titles(known))
    scores = scorer.score(data.titles.take(hidden))
    return evaluate_scores(scores, [data.audience_of(i) for i in hidden])


@dataclass
class MethodSpec:
    """A method and the grid of its parameters that validation chooses from."""

    name: str
    build: Callable[..., Scorer]
    grid: list[dict] = field(default_factory=lambda: [{}])


@dataclass
class MethodResult:
    name: str
    params: dict
    validation: dict[str, float]
    test: dict[str, float]


def tune_and_test(
    spec: MethodSpec,
    data: TargetingData,
    split: Split,
    on_step: Callable[[str], None] | None = None,
) -> MethodResult:
    """Pick the parameters with the best validation ROC-AUC, then measure on the test titles."""
    best: tuple[float, dict, dict] | None = None
    for params in spec.grid:
        if on_step:
            on_step(f"{spec.name} {params}")
        val = run_holdout(partial(spec.build, **params), data, split.train, split.validation)
        if best is None or val["roc_auc"] > best[0]:
            best = (val["roc_auc"], params, val)
    assert best is not None
    known = np.sort(np.concatenate([split.train, split.validation]))
    test = run_holdout(lambda: spec.build(**best[1]), data, known, split.test)
    return MethodResult(spec.name, best[1], best[2], test)


def compare(
    specs: Iterable[MethodSpec],
    data: TargetingData,
    split: Split,
    on_step: Callable[[str], None] | None = None,
) -> list[MethodResult]:
    return [tune_and_test(spec, data, split, on_step) for spec in specs]


def evaluate_store(
    store: Store,
    *,
    seed: int = 0,
    min_events: int = 5,
    on_step: Callable[[str], None] | None = None,
) -> dict:
    """``halqa audience evaluate``: the protocol above on a store's marketing-consented data."""
    from halqa.audience.recipes import store_specs
    from halqa.audience.store_data import load_targeting_data

    data = load_targeting_data(store)
    split = split_titles(data, seed=seed, min_events=min_events)
    results = compare(store_specs(data, seed), data, split, on_step)
    return {
        "seed": seed,
        "members": data.n_members,
        "titles": data.n_titles,
        "test_titles": len(split.test),
        "validation_titles": len(split.validation),
        "min_events": min_events,
        "methods": [
            {"method": r.name, "params": r.params, **{k: round(v, 4) for k, v in r.test.items()}}
            for r in results
        ],
    }

"""Tune what wins: a small coordinate search on a validation split cut from the training data.

What wins depends on the catalogue: on MovieLens the order of a member's ratings carries most of
the signal (recency, "watched next"); on a streaming service with repeated listens, popularity
within a member's kind of audience may. ``tune`` measures instead of guessing: it splits the
data it is given (per-member temporal, like the evaluation), tries one setting at a time around
the current best, and keeps what raises validation NDCG@k. The caller's own test data is never
seen. Hybrid models re-weight without refitting (``with_params``), so a trial costs one scoring.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from halqa.recommend.dataset import Dataset
from halqa.recommend.evaluate import Split, dense_recommend, member_split
from halqa.recommend.metrics import ranking_metrics
from halqa.recommend.models import make_model

HYBRID_AXES: dict[str, Sequence[Any]] = {
    "ease_regularization": (100.0, 300.0, 1000.0),
    "recency_half_life": (5.0, 10.0, 20.0, None),
    "transitions_weight": (0.0, 0.5, 1.0, 2.0),
    "transitions_half_life": (3.0, 5.0, 10.0),
    "content_weight": (0.0, 0.1, 0.3),
    "demographic_weight": (0.0, 0.5, 2.0),
    "history_pivot": (5.0, 50.0),
}


@dataclass
class TuningResult:
    params: dict[str, Any]
    ndcg: float
    trials: list[tuple[dict[str, Any], float]] = field(default_factory=list)


def tune(name: str, dataset: Dataset, axes: Mapping[str, Sequence[Any]] | None = None, *, k: int = 10,
         test_fraction: float = 0.2, sample: int | None = None, passes: int = 2, seed: int = 42,
         start: Mapping[str, Any] | None = None,
         progress: Callable[[dict[str, Any], float], None] | None = None) -> TuningResult:
    """Best parameters of model ``name`` by validation NDCG@k (coordinate search, ``passes`` rounds).

    ``sample``: judge at most this many validation members (the fit still uses every event).
    """
    axes = dict(HYBRID_AXES if axes is None and name == "hybrid" else (axes or {}))
    valid = member_split(dataset, test_fraction)
    members = valid.members
    if sample is not None and len(members) > sample:
        members = np.sort(np.random.default_rng(seed).choice(members, size=sample, replace=False))
    judged = Split(valid.train, valid.truth[valid.truth["member"].isin(members)])
    current = dict(start or {})
    base = make_model(name, **current).fit(valid.train)
    result = TuningResult(dict(current), -1.0)
    seen: dict[str, float] = {}

    def trial(params: dict[str, Any]) -> float:
        key = json.dumps(params, sort_keys=True, default=str)
        if key not in seen:
            model = (base.with_params(**params) if hasattr(base, "with_params")
                     else make_model(name, **params).fit(valid.train))
            recs = dense_recommend(model, members, k)
            seen[key] = ranking_metrics(recs, judged.truth, k)[f"ndcg@{k}"]
            result.trials.append((dict(params), seen[key]))
            if progress:
                progress(dict(params), seen[key])
        return seen[key]

    result.ndcg = trial(current)
    for _ in range(passes):
        for axis, values in axes.items():
            for value in values:
                score = trial({**current, axis: value})
                if score > result.ndcg:
                    result.ndcg, current = score, {**current, axis: value}
    result.params = current
    return result

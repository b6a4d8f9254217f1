"""Tune what wins: a coordinate search on validation splits cut from the training data, within a
time budget.

What wins depends on the catalogue: on MovieLens the order of a member's ratings carries much of
the signal (recency, "watched next"), and what was popular when a member was last active predicts
what they rate after a cut-off date; on a music catalogue of play counts whose timestamps carry
no order, only co-occurrence and confidence do. ``tune`` measures instead of guessing:

- **Validation splits** (``validation_splits``): when timestamps order each member's events, both
  a per-member temporal split (a member's next titles) and a global time split (what happens
  after a date) are cut from the data given, and a trial scores the mean NDCG@k of the two, so
  one setting holds for both questions. When they carry no order (most of a member's events
  share one timestamp), a seeded random per-member split is used instead. The caller's own test
  data is never seen.
- **Search**: one setting at a time around the current best, the blend weights first (free:
  each part's scores are computed once and re-weighted), then the parts' own settings (a part is
  refitted only when its own settings change), for ``passes`` rounds or until ``budget_s``
  seconds have passed (a trial that has started finishes). The settings of a part whose weight
  is 0 are not tried (they cannot change its lists).
- **Acceptance**: a setting is kept when it raises the mean NDCG@k *and* lowers no split's.
  The two questions pull apart on real data (on MovieLens, confidence-weighted EASE and no
  trending raise the global split and lower the member split), and a mean alone then trades one
  for the other on validation noise; a setting both splits agree on holds on held-out data.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from halqa.recommend.dataset import Dataset
from halqa.recommend.evaluate import (
    Split,
    dense_recommend,
    global_split,
    member_split,
    random_member_split,
)
from halqa.recommend.hybrid import PART_WEIGHTS, HybridConfig, blend, make_part, part_scores
from halqa.recommend.metrics import ranking_metrics
from halqa.recommend.models import make_model
from halqa.recommend.ranking import default_hidden, top_indices

# In the order of what they change on the catalogues measured (bench/recommend.py), so a short
# budget spends itself well: EASE's input and regularisation (what a sparse play-count catalogue
# needs most), then the blend weights (each costs one re-blend of cached scores), then the
# settings that refit one smaller part.
HYBRID_AXES: dict[str, Sequence[Any]] = {
    # the input first: the best regularisation differs with it (3000 on play counts, 100 binary)
    "ease_binary": (False, True),
    "ease_regularization": (1000.0, 100.0, 3000.0, 500.0, 50.0, 10000.0),
    "transitions_weight": (0.0, 0.25, 0.5, 2.0),
    "trending_weight": (0.0, 0.1, 0.5, 1.0),
    "demographic_weight": (0.0, 0.5, 2.0),
    "content_weight": (0.0, 0.2),
    "history_pivot": (2.0, 20.0, 50.0),
    "recency_half_life": (5.0, 10.0, 20.0, 50.0),
    "trending_half_life_days": (3.0, 7.0, 30.0, 90.0),
    "transitions_half_life": (2.0, 10.0),
    "transitions_window": (5, 20, 40),
}
# What only means something when timestamps order events: on a catalogue without order (play
# counts summed per listener) "watched next" pairs and recency would follow the title ids, so
# the transitions part is left out and these are not searched.
ORDER_AXES = (
    "recency_half_life",
    "transitions_weight",
    "transitions_half_life",
    "transitions_window",
    "trending_half_life_days",
)
# There the play count is the signal beyond co-occurrence, so EASE starts on confidence (a budget
# cut short on a large catalogue still serves it; the search tries binary input too).
UNORDERED_START = {"transitions_weight": 0.0, "recency_half_life": None, "ease_binary": False}
# EASE's regularisation works against its gram's diagonal (each title's summed squared
# confidence), whose size depends on the catalogue and the input: the best λ measured was 4-5x
# the mean diagonal on MovieLens (binary: 59 -> 250) and on a play-count catalogue (confidence:
# 556 -> 3000). A catalogue without order starts there.
EASE_LAMBDA_PER_DIAGONAL = 5.0
# A part's own settings are tried only while the part is in the blend (its weight is not 0).
PART_OF_AXIS = {
    "trending_half_life_days": "trending_weight",
    "transitions_half_life": "transitions_weight",
    "transitions_window": "transitions_weight",
}
# The settings of other models that change quality (the rest are justified in docs/recommend.md).
MODEL_AXES: dict[str, dict[str, Sequence[Any]]] = {
    "hybrid": HYBRID_AXES,
    "ease": {
        "regularization": (50.0, 100.0, 250.0, 500.0, 1000.0, 3000.0),
        "binary": (True, False),
    },
    "als": {
        "factors": (32, 64, 128),
        "regularization": (0.01, 0.05, 0.1),
        "alpha": (1.0, 2.0, 5.0, 10.0),
    },
    "item-knn": {"neighbours": (50, 100, 200, 400), "similarity": ("cosine", "bm25")},
}
# `halqa train`'s cap: two passes end first on MovieLens 100K (66 trials, 90 s with the machine
# at load 20), so the result does not depend on the machine's load; a large catalogue stops here.
DEFAULT_BUDGET_S = 300.0


@dataclass
class TuningResult:
    params: dict[str, Any]
    ndcg: float
    trials: list[tuple[dict[str, Any], float]] = field(default_factory=list)
    splits: list[str] = field(default_factory=list)
    seconds: float = 0.0
    stopped_by_budget: bool = False


def timestamps_order_events(dataset: Dataset) -> bool:
    """True unless most members' events share one or a few timestamps (the typical member has one
    time, or fewer distinct times than a tenth of their events): then "the last 20%" means
    nothing."""
    ev = dataset.events
    per_member = ev.groupby("member_idx")["ts"].agg(["nunique", "size"])
    per_member = per_member[per_member["size"] >= 2]
    if per_member.empty:
        return False
    return bool(
        per_member["nunique"].median() > 1
        and (per_member["nunique"] / per_member["size"]).median() > 0.1
    )


def validation_splits(
    dataset: Dataset, test_fraction: float = 0.2, seed: int = 42
) -> dict[str, Split]:
    """The splits a trial is judged on (see the module docstring)."""
    if timestamps_order_events(dataset):
        splits = {
            "member": member_split(dataset, test_fraction),
            "global": global_split(dataset, test_fraction),
        }
    else:
        splits = {"random": random_member_split(dataset, test_fraction, seed)}
    return {name: s for name, s in splits.items() if not s.truth.empty}


def tune(
    name: str,
    dataset: Dataset,
    axes: Mapping[str, Sequence[Any]] | None = None,
    *,
    k: int = 10,
    test_fraction: float = 0.2,
    sample: int | None = 2000,
    passes: int = 2,
    seed: int = 42,
    start: Mapping[str, Any] | None = None,
    budget_s: float | None = None,
    progress: Callable[[dict[str, Any], float], None] | None = None,
) -> TuningResult:
    """Best parameters of model ``name`` by mean validation NDCG@k (see the module docstring).

    ``sample``: judge at most this many validation members per split (the fit uses every event).
    ``budget_s``: stop starting trials after this many seconds (None: run every pass).
    """
    started = time.perf_counter()
    axes = dict(MODEL_AXES.get(name, {}) if axes is None else axes)
    splits = validation_splits(dataset, test_fraction, seed)
    start = dict(start or {})
    if name == "hybrid" and list(splits) == ["random"]:
        unordered = {**UNORDERED_START, "ease_regularization": ease_scale(dataset, binary=False)}
        start = {**{k: v for k, v in unordered.items() if k in axes}, **start}
        axes = {axis: values for axis, values in axes.items() if axis not in ORDER_AXES}
    result = TuningResult(dict(start), -1.0, splits=list(splits))
    if not splits:
        return result
    judge = (_HybridJudge if name == "hybrid" else _ModelJudge)(name, splits, k, sample, seed)

    seen: dict[str, list[float]] = {}

    def trial(params: dict[str, Any]) -> list[float]:
        key = json.dumps(params, sort_keys=True, default=str)
        if key not in seen:
            seen[key] = judge.score(params)
            result.trials.append((dict(params), float(np.mean(seen[key]))))
            if progress:
                progress(dict(params), float(np.mean(seen[key])))
        return seen[key]

    current = dict(start)
    best = trial(current)
    result.ndcg = float(np.mean(best))
    judge.keep(current)
    for _ in range(passes):
        for axis, values in axes.items():
            if not _part_in_blend(name, axis, current):
                continue
            for value in values:
                if budget_s is not None and time.perf_counter() - started > budget_s:
                    result.stopped_by_budget = True
                    break
                scores = trial({**current, axis: value})
                if _better(scores, best):
                    best, current = scores, {**current, axis: value}
                    result.ndcg = float(np.mean(best))
                    judge.keep(current)
    result.params = current
    result.seconds = time.perf_counter() - started
    return result


def ease_scale(dataset: Dataset, *, binary: bool, max_titles: int = 8_000) -> float:
    """A regularisation in proportion to EASE's gram diagonal over the titles it learns (see
    ``EASE_LAMBDA_PER_DIAGONAL``), to two significant digits."""
    x = dataset.matrix().tocsc()
    if binary:
        x.data[:] = 1.0
    diagonal = np.asarray(x.multiply(x).sum(axis=0)).ravel()
    audience = np.diff(x.indptr)
    kept = np.argsort(-audience, kind="stable")[:max_titles]
    value = EASE_LAMBDA_PER_DIAGONAL * float(diagonal[kept].mean()) if len(kept) else 250.0
    return float(f"{max(value, 1.0):.2g}")


def _better(scores: list[float], best: list[float]) -> bool:
    """A higher mean NDCG that no split pays for (see the module docstring)."""
    return float(np.mean(scores)) > float(np.mean(best)) and all(
        s >= b for s, b in zip(scores, best, strict=True)
    )


def _part_in_blend(name: str, axis: str, params: Mapping[str, Any]) -> bool:
    weight = PART_OF_AXIS.get(axis) if name == "hybrid" else None
    if weight is None:
        return True
    return params.get(weight, HybridConfig.model_fields[weight].default) != 0


@dataclass
class _Judged:
    """One validation split, restricted to the members a trial judges."""

    split: Split
    members: np.ndarray
    truth: pd.DataFrame

    @classmethod
    def of(cls, split: Split, sample: int | None, seed: int) -> _Judged:
        members = split.members
        if sample is not None and len(members) > sample:
            members = np.sort(
                np.random.default_rng(seed).choice(members, size=sample, replace=False)
            )
        return cls(split, members, split.truth[split.truth["member"].isin(members)])

    def ndcg(self, recs: pd.DataFrame, k: int) -> float:
        return ranking_metrics(recs, self.truth, k)[f"ndcg@{k}"]


class _ModelJudge:
    """Any model: each trial fits the model on every validation split and scores its lists."""

    def __init__(
        self, name: str, splits: dict[str, Split], k: int, sample: int | None, seed: int
    ) -> None:
        self.name, self.k = name, k
        self.judged = [_Judged.of(s, sample, seed) for s in splits.values()]

    def score(self, params: dict[str, Any]) -> list[float]:
        scores = []
        for j in self.judged:
            model = make_model(self.name, **params).fit(j.split.train)
            scores.append(j.ndcg(dense_recommend(model, j.members, self.k), self.k))
        return scores

    def keep(self, params: dict[str, Any]) -> None:
        """Nothing cached between trials."""


class _HybridJudge:
    """The hybrid: each part's [0, 1] scores for the judged members are computed once per part
    setting and blended per trial with :func:`halqa.recommend.hybrid.blend` (what is served)."""

    def __init__(
        self, name: str, splits: dict[str, Split], k: int, sample: int | None, seed: int
    ) -> None:
        self.k = k
        self.judged = [_Judged.of(s, sample, seed) for s in splits.values()]
        self.base = HybridConfig()
        self.cache: dict[tuple, np.ndarray] = {}
        self.kept: set[tuple] = set()
        self.hidden = [self._hidden(j) for j in self.judged]
        self.history = [
            np.diff(j.split.train.matrix()[j.members].indptr).astype(np.float64)
            for j in self.judged
        ]

    @staticmethod
    def _hidden(j: _Judged) -> tuple[np.ndarray, np.ndarray]:
        """(row, column) of every title each judged member already had: validation judges
        discovery (the held-out titles are ones the member had not met), music included."""
        return default_hidden(j.split.train, j.members, repeat_kinds=())

    def _parts(self, c: HybridConfig, i: int) -> tuple[dict[str, np.ndarray], set[tuple]]:
        parts, used = {}, set()
        for name, weight_name in PART_WEIGHTS.items():
            if weight_name is not None and getattr(c, weight_name) == 0:
                continue
            part = make_part(name, c)
            key = (i, name, part.config)
            if key not in self.cache:
                j = self.judged[i]
                self.cache[key] = part_scores(part.fit(j.split.train), j.members)
            parts[name] = self.cache[key]
            used.add(key)
        return parts, used

    def score(self, params: dict[str, Any]) -> list[float]:
        c = self.base.replace("hybrid", **params)
        scores, used = [], set()
        for i, j in enumerate(self.judged):
            parts, keys = self._parts(c, i)
            used |= keys
            blended = blend(c, parts, self.history[i])
            rows, cols = self.hidden[i]
            blended[rows, cols] = -np.inf
            scores.append(j.ndcg(_top_k(blended, j.members, self.k), self.k))
        # Hold on to what the best configuration and this trial use, nothing else (each entry is
        # members × titles: on a large catalogue a few of them are most of the memory).
        for key in [key for key in self.cache if key not in used | self.kept]:
            del self.cache[key]
        self.last_used = used
        return scores

    def keep(self, params: dict[str, Any]) -> None:
        self.kept = set(getattr(self, "last_used", set()))


def _top_k(scores: np.ndarray, members: np.ndarray, k: int) -> pd.DataFrame:
    """Long table ``member, title, rank`` of each row's best k (ties: lower title index first)."""
    top = top_indices(scores, min(k, scores.shape[1]))
    values = np.take_along_axis(scores, top, axis=1)
    keep = np.isfinite(values)
    ranks = np.cumsum(keep, axis=1)
    rows = np.repeat(members, top.shape[1]).reshape(top.shape)
    return pd.DataFrame({"member": rows[keep], "title": top[keep], "rank": ranks[keep]})

"""halqa's targeting method: a learned blend of the metadata scorers.

Each component (genre profile, metadata profile, feature-kNN, text-kNN,
content-to-ALS, metadata factorisation, activity, active-since-release) sees the
title from a different side. The blend learns how much to trust each one the same
way evaluation will judge it: it hides a share of the known titles, scores them
with components trained without them, and fits an L2-regularised logistic
regression of "the member met the title" on the per-title standardised component
scores, each hidden title weighing the same (as in evaluation's mean over titles). The
components are then refitted on all known titles. The learnt weights are kept
(``weights``) so reasons can say which signal chose a member.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from pydantic import Field

from halqa.audience.data import TargetingData, TitleBatch
from halqa.audience.methods import Scorer
from halqa.config import Config

Factory = Callable[[], Scorer[Any]]  # any scorer, whatever its settings


def standardise(scores: np.ndarray) -> np.ndarray:
    """Z-score each title's row: only the order of members within a title matters."""
    mean = scores.mean(axis=1, keepdims=True)
    std = scores.std(axis=1, keepdims=True)
    return (scores - mean) / np.where(std > 0, std, 1.0)


def fit_logistic(
    x: np.ndarray, y: np.ndarray, l2: float, sample_weight: np.ndarray | None = None
) -> np.ndarray:
    """Weights (last one the intercept) of a logistic regression minimising
    ``sum(w * log-loss) + l2 * |slopes|²`` (the intercept is not penalised)."""
    # Here, not at import: scoring a saved blend never needs scikit-learn (a second to import).
    from sklearn.linear_model import LogisticRegression

    # scikit-learn minimises ``C * sum(w * log-loss) + |slopes|² / 2``: the same optimum for
    # C = 1 / (2 * l2). A tight tolerance: its default stops before scipy's L-BFGS-B did.
    model = LogisticRegression(C=1.0 / (2.0 * l2), tol=1e-8, max_iter=1000)
    model.fit(x, y, sample_weight=sample_weight)
    return np.append(model.coef_[0], model.intercept_[0])


class BlendSettings(Config):
    l2: float = Field(default=1.0, gt=0)
    holdout_share: float = Field(default=0.2, gt=0, lt=1)
    folds: int = Field(default=2, gt=0)
    min_events: int = Field(default=5, gt=0)
    seed: int = 0
    # Hidden titles per fold: enough to learn a handful of weights.
    max_titles: int = Field(default=120, gt=0)
    # Components whose scores keep their scale across titles instead of being z-scored.
    raw: frozenset[str] = frozenset({"rare-language-match"})
    # Per title; sampled negatives are re-weighted so the intercept stays right.
    max_negatives: int = Field(default=1500, gt=0)
    # Evaluation averages ROC-AUC over titles, each title counting once whatever its audience;
    # balancing gives each hidden title's positives and negatives half of its weight each, so a
    # blockbuster's thousands of positives do not decide the weights for every title.
    balance_titles: bool = True


class BlendScorer(Scorer[BlendSettings]):
    """Logistic blend of component scorers, weights learnt on titles hidden from the components."""

    name = "halqa-blend"
    config_type = BlendSettings

    def __init__(
        self,
        components: dict[str, Factory] | None = None,
        config: BlendSettings | None = None,
        **changes: Any,
    ) -> None:
        super().__init__(config, **changes)
        # The factories are code, not settings (a saved blend drops them, keeping ``fitted_``).
        self.components: dict[str, Factory] = dict(components or {})

    def fit(self, data: TargetingData) -> BlendScorer:
        if int((data.title_counts() >= self.config.min_events).sum()) < 5:
            # Too little history to learn weights from: trust every component equally.
            self.weights_ = np.append(np.ones(len(self.components)), 0.0)
        else:
            x, y, w, balance = self._training_rows(data)
            if self.config.balance_titles:
                self.weights_ = fit_logistic(x, y, self.config.l2 * w.sum() / 1e5, w * balance)
                # Balancing moves the intercept; refit it on the true base rate so that
                # ``halqa audience target``'s scores stay probability-like (the ranking does not
                # change).
                self.weights_[-1] = _intercept(x @ self.weights_[:-1], y, w)
            else:
                self.weights_ = fit_logistic(x, y, self.config.l2 * w.sum() / 1e5, w)
        self.fitted_ = {name: make().fit(data) for name, make in self.components.items()}
        return self

    def _training_rows(
        self, data: TargetingData
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Component features, labels, sampling weights and per-title balancing factors of hidden
        titles."""
        rng = np.random.default_rng(self.config.seed)
        eligible = np.flatnonzero(data.title_counts() >= self.config.min_events)
        n_hidden = min(
            max(1, int(self.config.holdout_share * len(eligible))),
            self.config.max_titles,
            len(eligible),
        )
        xs, ys, ws, bs = [], [], [], []
        for _ in range(self.config.folds):
            hidden = np.sort(rng.choice(eligible, size=n_hidden, replace=False))
            known = np.setdiff1d(np.arange(data.n_titles), hidden)
            part = data.keep_titles(known)
            fitted = {name: make().fit(part) for name, make in self.components.items()}
            feats = self._features(fitted, data.titles.take(hidden))
            for row, title in enumerate(hidden):
                label = np.zeros(data.n_members)
                label[data.audience_of(title)] = 1.0
                keep, weight = _sample_negatives(label, self.config.max_negatives, rng)
                xs.append(feats[row, keep])
                ys.append(label[keep])
                ws.append(weight)
                bs.append(_title_balance(label[keep], data.n_members))
        return np.vstack(xs), np.concatenate(ys), np.concatenate(ws), np.concatenate(bs)

    def _features(self, fitted: dict[str, Scorer], batch: TitleBatch) -> np.ndarray:
        # Components named in ``raw`` keep their scale across titles (a rare-language match
        # should weigh more than a match on the language everyone speaks); the rest are z-scored.
        return np.stack(
            [
                s.score(batch) if name in self.config.raw else standardise(s.score(batch))
                for name, s in fitted.items()
            ],
            axis=-1,
        )

    def contributions(self, batch: TitleBatch) -> np.ndarray:
        """titles × members × components: each component's share of the blended score."""
        return self._features(self.fitted_, batch) * self.weights_[:-1]

    def score(self, batch: TitleBatch) -> np.ndarray:
        return self.contributions(batch).sum(axis=-1)

    @property
    def component_weights(self) -> dict[str, float]:
        return {name: float(w) for name, w in zip(self.fitted_, self.weights_[:-1])}


def _intercept(z: np.ndarray, y: np.ndarray, w: np.ndarray) -> float:
    """The intercept b minimising the weighted logistic loss of ``z + b`` (slopes held fixed)."""
    from scipy.optimize import minimize_scalar

    def loss(b: float) -> float:
        return float(np.sum(w * (np.logaddexp(0, z + b) - y * (z + b))))

    return float(minimize_scalar(loss, bounds=(-30.0, 30.0), method="bounded").x)


def _title_balance(label: np.ndarray, n_members: int) -> np.ndarray:
    """Weights that give one title's positives and its (re-weighted) negatives n_members / 2
    each."""
    n_pos = max(float(label.sum()), 1.0)
    n_neg = max(n_members - n_pos, 1.0)
    return np.where(label > 0, 0.5 * n_members / n_pos, 0.5 * n_members / n_neg)


def _sample_negatives(
    label: np.ndarray, limit: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """All positives and at most ``limit`` negatives, weighted by the inverse of their sampling
    rate."""
    pos, neg = np.flatnonzero(label > 0), np.flatnonzero(label == 0)
    if len(neg) <= limit:
        keep = np.concatenate([pos, neg])
        return keep, np.ones(len(keep))
    chosen = rng.choice(neg, size=limit, replace=False)
    keep = np.concatenate([pos, chosen])
    return keep, np.concatenate([np.ones(len(pos)), np.full(limit, len(neg) / limit)])

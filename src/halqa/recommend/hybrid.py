"""Models that use side features, and the hybrid that blends everything halqa knows.

- ``Content``: a member's taste is the feature profile of their recent titles; titles are scored
  by cosine to it. Works for a title the moment its metadata exists.
- ``Demographic``: ridge regression from member features (age band, gender, region, languages,
  occupation) to titles; serves members with no events at all.
- ``Hybrid``: EASE on a recency-weighted profile + "watched next" transitions + content +
  demographic, each normalised per member. Titles with no audience yet get their collaborative
  part from content, and members with little history lean on demographics.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from halqa.recommend.base import ModelConfig, Recommender, require
from halqa.recommend.dataset import Dataset
from halqa.recommend.features import member_features, title_features
from halqa.recommend.neighbours import EASE
from halqa.recommend.sequence import Transitions
from halqa.recommend.similarity import row_normalise


@dataclass(frozen=True)
class ContentConfig(ModelConfig):
    recency_half_life: float = 20.0

    def check(self) -> None:
        require(self.recency_half_life > 0, "content", "recency_half_life", "> 0", self.recency_half_life)


class Content(Recommender):
    """Cosine between a member's feature profile and each title's features."""

    name = "content"
    Config = ContentConfig
    knows_new_titles = True
    config: ContentConfig

    def _fit(self, dataset: Dataset) -> None:
        self._titles_added()

    def _titles_added(self) -> None:
        self.features_ = title_features(self.dataset).matrix

    def _score(self, member_idx: np.ndarray, rows: sp.csr_matrix) -> np.ndarray:
        recent = self.dataset.recency_matrix(self.config.recency_half_life)[member_idx]
        profile = np.asarray((recent @ self.features_).todense())
        norms = np.linalg.norm(profile, axis=1, keepdims=True)
        profile = np.divide(profile, norms, out=np.zeros_like(profile), where=norms > 0)
        return np.asarray(self.features_ @ profile.T).T

    def _similar(self, title_idx: np.ndarray) -> np.ndarray:
        return np.asarray((self.features_[title_idx] @ self.features_.T).todense())


@dataclass(frozen=True)
class DemographicConfig(ModelConfig):
    regularization: float = 200.0
    member_weight_power: float = 1.0  # each member's titles count 1/n^power: heavy users don't dominate

    def check(self) -> None:
        require(self.regularization > 0, "demographic", "regularization", "> 0", self.regularization)
        require(self.member_weight_power >= 0, "demographic", "member_weight_power", ">= 0",
                self.member_weight_power)


class Demographic(Recommender):
    """Ridge regression member features → titles (a smoothed popularity per kind of member).

    Targets are each member's titles scaled by 1/n^power: a member with 700 ratings would
    otherwise outvote a hundred light ones, and a newcomer looks like a light member.
    """

    name = "demographic"
    Config = DemographicConfig
    config: DemographicConfig

    def _fit(self, dataset: Dataset) -> None:
        space = member_features(dataset)
        self.vocabulary_ = space.names
        history = np.diff(dataset.matrix().indptr)
        active = np.flatnonzero(history > 0)
        m = space.matrix[active]
        scale = sp.diags(1.0 / history[active].astype(np.float64) ** self.config.member_weight_power)
        y = scale @ (dataset.matrix()[active] > 0).astype(np.float64)
        gram = np.asarray((m.T @ m).todense()) + self.config.regularization * np.eye(m.shape[1])
        self.weights_ = np.linalg.solve(gram, np.asarray((m.T @ y).todense()))

    def _score(self, member_idx: np.ndarray, rows: sp.csr_matrix) -> np.ndarray:
        return np.asarray(self._member_matrix()[member_idx] @ self.weights_)

    def _member_matrix(self) -> sp.csr_matrix:
        """Member one-hots in the fitted vocabulary, rebuilt only when the dataset changes."""
        cached = getattr(self, "_members_cache", None)
        if cached is None or cached[0] is not self.dataset:
            cached = (self.dataset, member_features(self.dataset, self.vocabulary_).matrix)
            self._members_cache = cached
        return cached[1]

    def _fold_in(self, member_idx: np.ndarray) -> None:
        """Nothing to refit: features are read from the dataset at scoring time."""


@dataclass(frozen=True)
class HybridConfig(ModelConfig):
    # Defaults assume nothing about the order of events; `tune` (halqa train --tune) finds what
    # wins on a given catalogue (on MovieLens: recency_half_life=5, transitions_weight=1).
    ease_regularization: float = 500.0
    recency_half_life: float | None = None  # None: every past title counts the same
    transitions_weight: float = 0.0
    transitions_window: int = 10
    transitions_half_life: float = 5.0
    content_weight: float = 0.1
    demographic_weight: float = 1.0
    history_pivot: float = 5.0  # demographics count fully with no events, half at this many titles
    new_title_days: float = 60.0  # an unwatched title this recent (added/released) is "new", not "ignored"

    def check(self) -> None:
        for name in ("transitions_weight", "content_weight", "demographic_weight"):
            require(getattr(self, name) >= 0, "hybrid", name, ">= 0", getattr(self, name))
        require(self.history_pivot > 0, "hybrid", "history_pivot", "> 0", self.history_pivot)
        require(self.ease_regularization > 0, "hybrid", "ease_regularization", "> 0", self.ease_regularization)


class Hybrid(Recommender):
    """The blend halqa serves by default; every part is normalised to [0, 1] per member."""

    name = "hybrid"
    Config = HybridConfig
    knows_new_titles = True
    config: HybridConfig

    def _fit(self, dataset: Dataset) -> None:
        self._fit_parts(dataset, previous=None)
        # Content stands in for collaboration only on *new* titles: ones added since fit, or
        # unwatched and added/released within new_title_days. An old title nobody touched (or a
        # container such as an album whose tracks carry the events) keeps a low score.
        audience = np.diff(dataset.matrix().tocsc().indptr)
        self.new_titles_ = (audience == 0) & _recent(dataset, self.config.new_title_days)

    def _fit_parts(self, dataset: Dataset, previous: Hybrid | None) -> None:
        """Fit each part, reusing ``previous``'s when its own settings did not change."""
        c = self.config

        def reuse(attr: str, model: Recommender | None) -> Recommender | None:
            old = getattr(previous, attr, None) if previous is not None else None
            if model is None or (old is not None and old.config == model.config):
                return old if model is not None else None
            return model.fit(dataset)

        self.ease_ = reuse("ease_", EASE(regularization=c.ease_regularization, recency_half_life=c.recency_half_life))
        self.transitions_ = reuse("transitions_", Transitions(window=c.transitions_window,
                                                              recency_half_life=c.transitions_half_life)
                                  if c.transitions_weight > 0 else None)
        self.content_ = reuse("content_", Content())  # always: it scores titles added after fit
        self.demographic_ = reuse("demographic_", Demographic() if c.demographic_weight > 0 else None)

    def with_params(self, **params: Any) -> Hybrid:
        """A fitted copy with other settings; only parts whose own settings changed are refitted
        (re-weighting is free), which is what makes tuning on a validation split cheap."""
        other = copy.copy(self)
        other.config = replace(self.config, **params)
        other.config.check()
        other._fit_parts(self.dataset, previous=self)
        return other

    def _parts(self) -> list[Recommender]:
        return [p for p in (self.ease_, self.transitions_, self.content_, self.demographic_) if p is not None]

    def _share_dataset(self) -> None:
        for part in self._parts():  # fold-in and new titles: every part sees the same data
            if part.dataset_ is not self.dataset_:
                part.dataset_ = self.dataset_
                part._titles_added()

    def _score(self, member_idx: np.ndarray, rows: sp.csr_matrix) -> np.ndarray:
        self._share_dataset()
        c, n = self.config, self.dataset.n_titles
        cold = np.ones(n, dtype=bool)
        cold[: len(self.new_titles_)] = self.new_titles_
        blend = _finite(row_normalise(self.ease_.score(member_idx)))
        stand_in = np.ones(len(member_idx))  # how much weight content inherits on new titles
        if self.transitions_ is not None:
            blend += c.transitions_weight * _finite(row_normalise(self.transitions_.score(member_idx)))
            stand_in += c.transitions_weight
        if self.demographic_ is not None:
            history = np.diff(rows.indptr).astype(np.float64)
            lean = c.demographic_weight * c.history_pivot / (c.history_pivot + history)
            blend += lean[:, None] * _finite(row_normalise(self.demographic_.score(member_idx)))
            stand_in += lean
        if not cold.any() and c.content_weight == 0:
            return blend
        content = _finite(row_normalise(self.content_.score(member_idx)))
        # titles nobody has touched yet: content stands in for every part that cannot score them
        blend[:, cold] = stand_in[:, None] * content[:, cold]
        return blend + c.content_weight * content

    def _fold_in(self, member_idx: np.ndarray) -> None:
        self._share_dataset()

    def _titles_added(self) -> None:
        self._share_dataset()

    def _similar(self, title_idx: np.ndarray) -> np.ndarray:
        self._share_dataset()
        sims = _finite(row_normalise(self.ease_.similar_scores(title_idx)))
        weight = max(self.config.content_weight, 0.05)  # content breaks ties and serves new titles
        return sims + weight * _finite(row_normalise(self.content_.similar_scores(title_idx)))


def _recent(dataset: Dataset, days: float) -> np.ndarray:
    """Titles added (or, failing that, released) within ``days`` of the latest event."""
    tf = dataset.title_features
    if tf.empty or not len(dataset.events):
        return np.zeros(dataset.n_titles, dtype=bool)
    when = pd.to_datetime(tf["added_at"], errors="coerce").fillna(pd.to_datetime(tf["release_date"], errors="coerce"))
    cutoff = pd.Timestamp(int(dataset.events["ts"].max()), unit="s") - pd.Timedelta(days=days)
    return (when >= cutoff).fillna(False).to_numpy(dtype=bool)


def _finite(scores: np.ndarray) -> np.ndarray:
    return np.where(np.isfinite(scores), scores, 0.0)

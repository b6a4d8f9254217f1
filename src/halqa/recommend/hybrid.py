"""Models that use side features, and the hybrid that blends everything halqa knows.

- ``Content``: a member's taste is the feature profile of their recent titles; titles are scored
  by cosine to it. Works for a title the moment its metadata exists.
- ``Demographic``: ridge regression from member features (age band, gender, region, languages,
  occupation) to titles; serves members with no events at all.
- ``Hybrid``: EASE (optionally on a recency-weighted profile) + "watched next" transitions +
  popularity around the member's own last activity + content + demographic, each normalised per
  member. Members with little history lean on demographics.
"""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import scipy.sparse as sp
from pydantic import NonNegativeFloat, PositiveFloat, PositiveInt

from halqa.recommend.base import ModelConfig, Recommender
from halqa.recommend.dataset import Dataset
from halqa.recommend.features import member_features, title_features
from halqa.recommend.neighbours import EASE
from halqa.recommend.popular import Trending
from halqa.recommend.sequence import Transitions
from halqa.recommend.similarity import row_normalise


class ContentConfig(ModelConfig):
    recency_half_life: PositiveFloat = 20.0


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


class DemographicConfig(ModelConfig):
    regularization: PositiveFloat = 200.0
    # each member's titles count 1/n^power: heavy users don't dominate
    member_weight_power: NonNegativeFloat = 1.0


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
        scale = sp.diags(
            1.0 / history[active].astype(np.float64) ** self.config.member_weight_power
        )
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


class HybridConfig(ModelConfig):
    # Defaults are a middle ground that holds on MovieLens, a synthetic Moroccan catalogue and a
    # play-count music catalogue; `halqa train` tunes them on the store's own validation splits
    # within a time budget (halqa.recommend.tuning), so what a store needs wins over what these
    # guess. The parts' own settings (window, half-lives) are checked again by the part they
    # configure.
    ease_regularization: PositiveFloat = 250.0
    ease_binary: bool = True  # False: EASE learns from confidence (play counts, listening time)
    recency_half_life: PositiveFloat | None = None  # None: every past title counts the same
    transitions_weight: NonNegativeFloat = 1.0
    transitions_window: PositiveInt = 10
    transitions_half_life: PositiveFloat = 5.0
    trending_weight: NonNegativeFloat = 0.25  # popularity around each member's last activity
    trending_half_life_days: PositiveFloat = 14.0
    content_weight: NonNegativeFloat = 0.05
    demographic_weight: NonNegativeFloat = 1.0
    history_pivot: PositiveFloat = 5.0  # demographics count fully with no events, half here


# Each part of the blend: the weight that scales it (None: always 1) and how to build it from a
# config. A part whose weight is 0 is not fitted at all.
PART_WEIGHTS = {
    "ease": None,
    "transitions": "transitions_weight",
    "trending": "trending_weight",
    "content": "content_weight",
    "demographic": "demographic_weight",
}


def make_part(name: str, c: HybridConfig) -> Recommender:
    if name == "ease":
        return EASE(
            regularization=c.ease_regularization,
            binary=c.ease_binary,
            recency_half_life=c.recency_half_life,
        )
    if name == "transitions":
        return Transitions(window=c.transitions_window, recency_half_life=c.transitions_half_life)
    if name == "trending":
        return Trending(half_life_days=c.trending_half_life_days, around_member=True)
    if name == "content":
        return Content()
    return Demographic()


def blend(c: HybridConfig, parts: dict[str, np.ndarray], history: np.ndarray) -> np.ndarray:
    """The hybrid's score from each part's per-member [0, 1] scores (``parts``, -inf already 0).

    Shared by scoring and tuning, so the blend that is tuned is the blend that is served.
    Demographics lean on members with little history: full weight with none, half at
    ``history_pivot`` titles.
    """
    out = np.array(parts["ease"], dtype=np.float64)
    for name, weight_name in PART_WEIGHTS.items():
        if weight_name is None or name not in parts:
            continue
        weight = getattr(c, weight_name)
        if name == "demographic":
            weight = weight * c.history_pivot / (c.history_pivot + history)
            out += weight[:, None] * parts[name]
        else:
            out += weight * parts[name]
    return out


def part_scores(part: Recommender, member_idx: np.ndarray) -> np.ndarray:
    """A part's scores rescaled to [0, 1] per member, unscorable titles at 0 (float32: these are
    held for thousands of members while tuning)."""
    return _finite(row_normalise(part.score(member_idx))).astype(np.float32)


class Hybrid(Recommender):
    """The blend halqa serves by default; every part is normalised to [0, 1] per member.

    Titles nobody has touched yet get only their content share: the hybrid never passes a title
    off as new. Exposure for new titles is a slot policy (``LocalTalentReranker(new_share=...)``,
    ``halqa recommend --new-share``), measured by ``halqa evaluate --new-share``.
    """

    name = "hybrid"
    Config = HybridConfig
    knows_new_titles = True
    config: HybridConfig

    def _fit(self, dataset: Dataset) -> None:
        self._fit_parts(dataset, previous=None)

    def _fit_parts(self, dataset: Dataset, previous: Hybrid | None) -> None:
        """Fit each part, reusing ``previous``'s when its own settings did not change."""
        old = previous.parts_ if previous is not None else {}
        self.parts_: dict[str, Recommender] = {}
        for name, weight_name in PART_WEIGHTS.items():
            # content always: it scores titles added after fit and breaks ties in `similar`
            if (
                weight_name is not None
                and name != "content"
                and getattr(self.config, weight_name) == 0
            ):
                continue
            part = make_part(name, self.config)
            self.parts_[name] = (
                old[name] if name in old and old[name].config == part.config else part.fit(dataset)
            )

    def with_params(self, **params: Any) -> Hybrid:
        """A fitted copy with other settings; only parts whose own settings changed are refitted
        (re-weighting is free)."""
        other = copy.copy(self)
        other.config = self.config.replace(self.name, **params)
        other._fit_parts(self.dataset, previous=self)
        return other

    def _share_dataset(self) -> None:
        for part in self.parts_.values():  # fold-in and new titles: every part sees the same data
            if part.dataset_ is not self.dataset_:
                part.dataset_ = self.dataset_
                part._titles_added()

    def _score(self, member_idx: np.ndarray, rows: sp.csr_matrix) -> np.ndarray:
        self._share_dataset()
        scores = {name: part_scores(part, member_idx) for name, part in self.parts_.items()}
        return blend(self.config, scores, np.diff(rows.indptr).astype(np.float64))

    def _fold_in(self, member_idx: np.ndarray) -> None:
        self._share_dataset()
        for part in self.parts_.values():
            part._fold_in(member_idx)

    def _titles_added(self) -> None:
        self._share_dataset()

    def _similar(self, title_idx: np.ndarray) -> np.ndarray:
        self._share_dataset()
        ease, content = self.parts_["ease"], self.parts_["content"]
        sims = _finite(row_normalise(ease.similar_scores(title_idx)))
        weight = max(self.config.content_weight, 0.05)  # content breaks ties and serves new titles
        return sims + weight * _finite(row_normalise(content.similar_scores(title_idx)))


def _finite(scores: np.ndarray) -> np.ndarray:
    return np.where(np.isfinite(scores), scores, 0.0)

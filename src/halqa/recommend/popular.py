"""Non-personalised baselines: most popular, popular within a member segment, and trending.

``Trending`` decays each event by its distance in time. With ``around_member=True`` the clock is
each member's own latest activity: what was popular when *they* were last active, which is what
a temporal split holds out (and what a returning member is most likely to pick up next).
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import scipy.sparse as sp
from pydantic import NonNegativeFloat, PositiveFloat, field_validator

from halqa.recommend.base import ModelConfig, Recommender
from halqa.recommend.dataset import Dataset

DAY = 86_400


class PopularConfig(ModelConfig):
    by: Literal["members", "weight"] = "members"  # distinct members per title, or summed confidence


class MostPopular(Recommender):
    """The same list for everyone: titles with the most members (or confidence)."""

    name = "popular"
    Config = PopularConfig
    config: PopularConfig

    def _fit(self, dataset: Dataset) -> None:
        self.popularity_ = title_popularity(dataset.matrix(), self.config.by)

    def _score(self, member_idx: np.ndarray, rows: sp.csr_matrix) -> np.ndarray:
        return np.tile(self.popularity_, (len(member_idx), 1))


class SegmentConfig(ModelConfig):
    by: tuple[str, ...] = ("gender", "age_band")
    shrinkage: NonNegativeFloat = 10.0  # pseudo-members: small segments lean global

    @field_validator("by")
    @classmethod
    def _some_feature(cls, by: tuple[str, ...]) -> tuple[str, ...]:
        # a field constraint (min_length) would word this as pydantic's "Tuple should have ..."
        if not by:
            raise ValueError("at least one member feature")
        return by


class SegmentPopular(Recommender):
    """Popularity among members who share the member's features (e.g. gender × age band)."""

    name = "segment-popular"
    Config = SegmentConfig
    config: SegmentConfig

    def _fit(self, dataset: Dataset) -> None:
        keys = self._keys(dataset, np.arange(dataset.n_members))
        binary = (dataset.matrix() > 0).astype(np.float64)
        self.global_ = np.asarray(binary.mean(axis=0)).ravel()
        self.segments_: dict[tuple, np.ndarray] = {}
        for key in set(keys):
            members = np.flatnonzero([k == key for k in keys])
            counts = np.asarray(binary[members].sum(axis=0)).ravel()
            self.segments_[key] = (counts + self.config.shrinkage * self.global_) / (
                len(members) + self.config.shrinkage
            )

    def _keys(self, dataset: Dataset, member_idx: np.ndarray) -> list[tuple]:
        mf = dataset.member_features
        cols = [
            mf[c].to_numpy() if c in mf.columns else np.full(len(mf), None) for c in self.config.by
        ]
        return [tuple(str(c[m]) if m < len(mf) else "None" for c in cols) for m in member_idx]

    def _score(self, member_idx: np.ndarray, rows: sp.csr_matrix) -> np.ndarray:
        keys = self._keys(self.dataset, member_idx)
        return np.vstack([self.segments_.get(k, self.global_) for k in keys])


class TrendingConfig(ModelConfig):
    half_life_days: PositiveFloat = 7.0
    around_member: bool = False  # clock = each member's last activity instead of the newest event
    # with around_member: the weight of events after the member's clock
    future_weight: NonNegativeFloat = 1.0
    by: Literal["members", "weight"] = "members"


class Trending(Recommender):
    """Time-decayed popularity: an event counts 2^(−Δt / half-life)."""

    name = "trending"
    Config = TrendingConfig
    config: TrendingConfig

    def _fit(self, dataset: Dataset) -> None:
        ev = dataset.events
        if self.config.by == "members":  # one count per (member, title): its latest event
            ev = (
                ev[ev["weight"] > 0]
                .groupby(["member_idx", "title_idx"], as_index=False)["ts"]
                .max()
            )
            weight = np.ones(len(ev))
        else:
            weight = ev["weight"].clip(lower=0).to_numpy()
        days = (ev["ts"].to_numpy() // DAY).astype(np.int64)
        self.first_day_ = int(days.min()) if len(days) else 0
        n_days = int(days.max()) - self.first_day_ + 1 if len(days) else 1
        # titles' daily counts: small (days × titles) and sparse
        self.daily_ = sp.csr_matrix(
            (weight, (days - self.first_day_, ev["title_idx"].to_numpy())),
            shape=(n_days, dataset.n_titles),
        )
        self.now_day_ = n_days - 1

    def _kernel(self, clock_days: np.ndarray) -> np.ndarray:
        days = np.arange(self.daily_.shape[0])
        delta = days[None, :] - clock_days[:, None]  # > 0: after the clock
        kernel = np.exp2(-np.abs(delta) / self.config.half_life_days)
        return np.where(delta > 0, self.config.future_weight * kernel, kernel)

    def _score(self, member_idx: np.ndarray, rows: sp.csr_matrix) -> np.ndarray:
        if self.config.around_member:
            last = self.dataset.last_ts()[np.minimum(member_idx, self.dataset.n_members - 1)]
            clock = np.where(last > 0, last // DAY - self.first_day_, self.now_day_)
            clock = np.clip(clock, 0, self.now_day_)
        else:
            clock = np.full(len(member_idx), self.now_day_)
        return np.asarray(self.daily_.T.dot(self._kernel(clock).T).T)


def title_popularity(matrix: sp.csr_matrix, by: str = "members") -> np.ndarray:
    """Members per title (``by="members"``) or summed confidence (``by="weight"``)."""
    if by == "members":
        return np.asarray((matrix > 0).sum(axis=0), dtype=np.float64).ravel()
    return np.asarray(matrix.sum(axis=0), dtype=np.float64).ravel()

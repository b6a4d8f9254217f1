"""Re-rankers: local-talent and emerging-creator slots, creator exposure spreading, genre diversity.

``LocalTalentReranker`` fills a member's k slots greedily from a candidate pool:

1. **Guarantees**: at least ``ceil(local_share·k)`` titles with a Moroccan creator and, separately,
   ``ceil(emerging_share·k)`` with an emerging one (debut within ``emerging_years``). When the
   slots left equal the quota still owed, only titles that pay it are eligible.
2. **Creator cap**: at most ``creator_cap`` titles by the same creator in one list.
3. **Exposure spreading**: the re-ranker remembers how often each creator was shown in this run
   and discounts over-exposed creators, so the same few do not take every local slot.
4. **Genre diversity** (MMR): a title's relevance is discounted by its genre overlap with titles
   already picked, by ``diversity`` (0 = off).

Relevance is the model's score rescaled to [0, 1] within the pool, so the knobs are comparable
across models. What the constraints cost is measured by ``halqa evaluate --local-share``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from halqa.errors import ConfigError
from halqa.recommend.dataset import Dataset


@dataclass
class LocalTalentReranker:
    local_share: float = 0.4
    emerging_share: float = 0.0
    emerging_years: int = 3
    creator_cap: int | None = 2
    exposure_weight: float = 0.3
    diversity: float = 0.0
    pool_factor: int = 10
    _exposure: dict[str, int] = field(default_factory=dict, init=False, repr=False)
    _flags: tuple[int, np.ndarray, np.ndarray, list[list[str]], list[frozenset]] | None = field(
        default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        for name in ("local_share", "emerging_share", "diversity"):
            value = getattr(self, name)
            if not 0 <= value <= 1:
                raise ConfigError(f"{name.replace('_', '-')} must be between 0 and 1; got {value}")
        if self.creator_cap is not None and self.creator_cap < 1:
            raise ConfigError(f"creator cap must be at least 1; got {self.creator_cap}")
        if self.emerging_years < 0:
            raise ConfigError(f"emerging years must be >= 0; got {self.emerging_years}")

    # -- what ranking.py calls -----------------------------------------------------------------
    def pool_size(self, k: int) -> int:
        return max(k * self.pool_factor, 100)

    def must_consider(self, dataset: Dataset) -> np.ndarray:
        """Titles the pool must reach beyond the top scores, so quotas can always be met."""
        local, emerging, _, _ = self._catalogue(dataset)
        return (local if self.local_share > 0 else False) | (emerging if self.emerging_share > 0 else False)

    def select(self, dataset: Dataset, member: int, titles: np.ndarray, scores: np.ndarray,
               k: int) -> tuple[np.ndarray, np.ndarray]:
        local, emerging, creators, genres = self._catalogue(dataset)
        n = min(k, len(titles))
        relevance = _rescale(scores)
        owed_local = math.ceil(self.local_share * n)
        owed_emerging = math.ceil(self.emerging_share * n)
        picked: list[int] = []
        per_creator: dict[str, int] = {}
        open_ = np.ones(len(titles), dtype=bool)
        for slot in range(n):
            left = n - slot
            eligible = open_ & self._under_cap(titles, creators, per_creator)
            if owed_local >= left and (eligible & local[titles]).any():
                eligible &= local[titles]
            if owed_emerging >= left and (eligible & emerging[titles]).any():
                eligible &= emerging[titles]
            if not eligible.any():
                eligible = open_
            value = relevance - self._exposure_penalty(titles, creators) - self._genre_overlap(titles, genres, picked)
            best = int(np.flatnonzero(eligible)[np.argmax(value[eligible])])
            open_[best] = False
            picked.append(best)
            t = int(titles[best])
            owed_local -= int(local[t])
            owed_emerging -= int(emerging[t])
            for c in creators[t]:
                per_creator[c] = per_creator.get(c, 0) + 1
                self._exposure[c] = self._exposure.get(c, 0) + 1
        chosen = titles[picked]
        plain_top = set(titles[:n].tolist())
        promoted = np.array([int(t) not in plain_top and bool(local[t] or emerging[t]) for t in chosen])
        return chosen, promoted

    # -- pieces --------------------------------------------------------------------------------
    def _under_cap(self, titles: np.ndarray, creators: list[list[str]], per_creator: dict[str, int]) -> np.ndarray:
        if self.creator_cap is None or not per_creator:
            return np.ones(len(titles), dtype=bool)
        return np.array([all(per_creator.get(c, 0) < self.creator_cap for c in creators[int(t)]) for t in titles])

    def _exposure_penalty(self, titles: np.ndarray, creators: list[list[str]]) -> np.ndarray:
        if self.exposure_weight == 0 or not self._exposure:
            return np.zeros(len(titles))
        mean = sum(self._exposure.values()) / len(self._exposure)
        shown = np.array([max((self._exposure.get(c, 0) for c in creators[int(t)]), default=0) for t in titles],
                         dtype=np.float64)
        return self.exposure_weight * shown / (shown + mean + 1.0)

    def _genre_overlap(self, titles: np.ndarray, genres: list[frozenset], picked: list[int]) -> np.ndarray:
        if self.diversity == 0 or not picked:
            return np.zeros(len(titles))
        chosen = [genres[int(titles[p])] for p in picked]
        return self.diversity * np.array([max((_jaccard(genres[int(t)], g) for g in chosen), default=0.0)
                                          for t in titles])

    def _catalogue(self, dataset: Dataset) -> tuple[np.ndarray, np.ndarray, list[list[str]], list[frozenset]]:
        """Per-title flags and creators, computed once per dataset version."""
        if self._flags is None or self._flags[0] != id(dataset):
            from halqa.recommend.evaluate import emerging_flags, local_flags, title_creators

            tf = dataset.title_features
            genres = [frozenset(g or ()) for g in tf["genres"]] if not tf.empty else [frozenset()] * dataset.n_titles
            self._flags = (id(dataset), local_flags(dataset), emerging_flags(dataset, self.emerging_years),
                           title_creators(dataset), genres)
        return self._flags[1], self._flags[2], self._flags[3], self._flags[4]

    def reset_exposure(self) -> None:
        self._exposure.clear()


def _rescale(scores: np.ndarray) -> np.ndarray:
    lo, hi = float(np.min(scores)), float(np.max(scores))
    return (scores - lo) / (hi - lo) if hi > lo else np.ones_like(scores, dtype=np.float64)


def _jaccard(a: frozenset, b: frozenset) -> float:
    return len(a & b) / len(a | b) if a or b else 0.0

"""Re-rankers: local-talent and emerging-creator slots, creator exposure spreading, genre diversity.

``LocalTalentReranker`` fills a member's k slots greedily from a candidate pool:

1. **Guarantees**: at least ``ceil(local_share·k)`` titles with a Moroccan creator and, separately,
   ``ceil(emerging_share·k)`` with an emerging one (debut within ``emerging_years``). When the
   slots left equal the quota still owed, only titles that pay it are eligible.
   Likewise ``ceil(new_share·k)`` new titles: added (or, failing that, released) within
   ``new_days`` of the newest event. This is how new titles get exposure: a slot policy whose
   cost ``halqa evaluate --new-share`` measures, never a score given to titles nobody has
   watched (a title that is merely old and unwatched is not new).
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
import scipy.sparse as sp

from halqa.errors import ConfigError
from halqa.recommend.dataset import Dataset


@dataclass
class LocalTalentReranker:
    local_share: float = 0.4
    emerging_share: float = 0.0
    emerging_years: int = 3
    new_share: float = 0.0
    new_days: float = 60.0
    creator_cap: int | None = 2
    exposure_weight: float = 0.3
    diversity: float = 0.0
    pool_factor: int = 10
    _exposure: np.ndarray | None = field(
        default=None, init=False, repr=False
    )  # slots per creator this run
    _cat: _Catalogue | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        for name in ("local_share", "emerging_share", "new_share", "diversity"):
            value = getattr(self, name)
            if not 0 <= value <= 1:
                raise ConfigError(f"{name.replace('_', '-')} must be between 0 and 1; got {value}")
        if self.creator_cap is not None and self.creator_cap < 1:
            raise ConfigError(f"creator cap must be at least 1; got {self.creator_cap}")
        if self.emerging_years < 0:
            raise ConfigError(f"emerging years must be >= 0; got {self.emerging_years}")
        if self.new_days < 0:
            raise ConfigError(f"new days must be >= 0; got {self.new_days}")

    # -- what ranking.py calls -----------------------------------------------------------------
    def pool_size(self, k: int) -> int:
        return max(k * self.pool_factor, 100)

    def must_consider(self, dataset: Dataset) -> np.ndarray:
        """Titles the pool must reach beyond the top scores, so quotas can always be met."""
        cat = self._catalogue(dataset)
        return (
            (cat.local & (self.local_share > 0))
            | (cat.emerging & (self.emerging_share > 0))
            | (cat.new & (self.new_share > 0))
        )

    def select(
        self, dataset: Dataset, member: int, titles: np.ndarray, scores: np.ndarray, k: int
    ) -> tuple[np.ndarray, np.ndarray]:
        cat = self._catalogue(dataset)
        n = min(k, len(titles))
        relevance = _rescale(scores)
        is_local, is_emerging, is_new = cat.local[titles], cat.emerging[titles], cat.new[titles]
        creator = cat.creator[titles]  # main creator index, -1 when unknown
        genres = cat.genres[titles] if self.diversity > 0 else None
        owed_local = math.ceil(self.local_share * n)
        owed_emerging = math.ceil(self.emerging_share * n)
        owed_new = math.ceil(self.new_share * n)
        # One spare slot so that indexing with max(creator, 0) works in a catalogue without creators.
        per_creator = np.zeros(len(cat.creator_ids) + 1, dtype=np.int64)
        open_ = np.ones(len(titles), dtype=bool)
        overlap = np.zeros(len(titles))
        picked: list[int] = []
        for slot in range(n):
            left = n - slot
            eligible = open_.copy()
            if self.creator_cap is not None:
                eligible &= (creator < 0) | (per_creator[np.maximum(creator, 0)] < self.creator_cap)
            if owed_local >= left and (eligible & is_local).any():
                eligible &= is_local
            if owed_emerging >= left and (eligible & is_emerging).any():
                eligible &= is_emerging
            if owed_new >= left and (eligible & is_new).any():
                eligible &= is_new
            if not eligible.any():
                eligible = open_
            value = relevance - self._exposure_penalty(creator) - self.diversity * overlap
            best = int(np.flatnonzero(eligible)[np.argmax(value[eligible])])
            open_[best] = False
            picked.append(best)
            owed_local -= int(is_local[best])
            owed_emerging -= int(is_emerging[best])
            owed_new -= int(is_new[best])
            if creator[best] >= 0:
                per_creator[creator[best]] += 1
                self._exposure[creator[best]] += 1
            if genres is not None:
                overlap = np.maximum(overlap, _jaccard_rows(genres, best))
        chosen = titles[picked]
        promoted = np.array(
            [p >= n and bool(is_local[p] or is_emerging[p] or is_new[p]) for p in picked],
            dtype=bool,
        )
        return chosen, promoted

    # -- pieces --------------------------------------------------------------------------------
    def _exposure_penalty(self, creator: np.ndarray) -> np.ndarray:
        """Discount for creators already shown a lot in this run (relative to the mean creator)."""
        if self.exposure_weight == 0 or self._exposure is None or not self._exposure.any():
            return np.zeros(len(creator))
        shown = np.where(creator >= 0, self._exposure[np.maximum(creator, 0)], 0).astype(np.float64)
        mean = self._exposure.sum() / max(int((self._exposure > 0).sum()), 1)
        return self.exposure_weight * shown / (shown + mean + 1.0)

    def _catalogue(self, dataset: Dataset) -> _Catalogue:
        """Per-title flags, main creator and genres, computed once per dataset version (kept in the
        dataset's cache, so a re-ranker made per request does not rebuild them)."""
        cat = dataset.cached(
            ("events", "rerank-catalogue", self.emerging_years, self.new_days),
            lambda: _Catalogue.build(dataset, self.emerging_years, self.new_days),
        )
        if cat is not self._cat:
            self._cat = cat
            self._exposure = np.zeros(len(cat.creator_ids) + 1, dtype=np.int64)  # +1: see select()
        return cat

    def reset_exposure(self) -> None:
        if self._exposure is not None:
            self._exposure[:] = 0


@dataclass(frozen=True)
class _Catalogue:
    local: np.ndarray
    emerging: np.ndarray
    new: np.ndarray
    creator: np.ndarray  # main (first-listed) creator per title, as an index into creator_ids
    creator_ids: list[str]
    genres: sp.csr_matrix  # titles × genres, binary

    @classmethod
    def build(cls, dataset: Dataset, emerging_years: int, new_days: float) -> _Catalogue:
        from halqa.recommend.evaluate import emerging_flags, local_flags, new_flags, title_creators

        creators_of = title_creators(dataset)
        ids = sorted({c for cs in creators_of for c in cs})
        index = {c: i for i, c in enumerate(ids)}
        main = np.array([index[cs[0]] if cs else -1 for cs in creators_of], dtype=np.int64)
        tf = dataset.title_features
        lists = list(tf["genres"]) if not tf.empty else [None] * dataset.n_titles
        vocab = {g: j for j, g in enumerate(sorted({g for gs in lists if gs for g in gs}))}
        rows = [i for i, gs in enumerate(lists) if gs for _ in gs]
        cols = [vocab[g] for gs in lists if gs for g in gs]
        genres = sp.csr_matrix(
            (np.ones(len(rows)), (rows, cols)), shape=(dataset.n_titles, max(len(vocab), 1))
        )
        return cls(
            local_flags(dataset),
            emerging_flags(dataset, emerging_years),
            new_flags(dataset, new_days),
            main,
            ids,
            genres,
        )


def _rescale(scores: np.ndarray) -> np.ndarray:
    lo, hi = float(np.min(scores)), float(np.max(scores))
    return (scores - lo) / (hi - lo) if hi > lo else np.ones_like(scores, dtype=np.float64)


def _jaccard_rows(genres: sp.csr_matrix, row: int) -> np.ndarray:
    """Jaccard similarity of every row's genre set with row ``row``'s."""
    inter = np.asarray((genres @ genres[row].T).todense()).ravel()
    sizes = np.asarray(genres.sum(axis=1)).ravel()
    union = sizes + sizes[row] - inter
    return np.divide(inter, union, out=np.zeros_like(inter), where=union > 0)

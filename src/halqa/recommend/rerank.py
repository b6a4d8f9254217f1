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
from dataclasses import dataclass
from typing import Annotated, Any

import numpy as np
import scipy.sparse as sp
from pydantic import Field, NonNegativeFloat, NonNegativeInt, PositiveInt

from halqa.config import Config
from halqa.recommend.dataset import Dataset
from halqa.recommend.flags import emerging_flags, local_flags, new_flags, title_creators

Share = Annotated[float, Field(ge=0, le=1)]  # of the k slots


class RerankConfig(Config):
    """The re-ranker's knobs (see the module docstring); shares are of the k slots."""

    local_share: Share = 0.4
    emerging_share: Share = 0.0
    emerging_years: NonNegativeInt = 3
    new_share: Share = 0.0
    new_days: NonNegativeFloat = 60.0
    creator_cap: PositiveInt | None = 2  # None: no cap
    exposure_weight: NonNegativeFloat = 0.3
    diversity: Share = 0.0
    pool_factor: PositiveInt = 10


class LocalTalentReranker:
    """Fills a member's k slots under :class:`RerankConfig`; remembers creator exposure per run.

    ``LocalTalentReranker(local_share=0.4)`` or ``LocalTalentReranker(config)``: the settings are
    validated once, here; the exposure counts are the only state, and they change as lists are made.
    """

    def __init__(self, config: RerankConfig | None = None, **params: Any) -> None:
        self.config = RerankConfig.build("the re-ranker", config, **params)
        self._exposure: np.ndarray = np.zeros(1, dtype=np.int64)  # slots per creator this run
        self._cat: _Catalogue | None = None

    def __repr__(self) -> str:
        return f"LocalTalentReranker({self.config!r})"

    # -- what ranking.py calls -----------------------------------------------------------------
    def pool_size(self, k: int) -> int:
        return max(k * self.config.pool_factor, 100)

    def must_consider(self, dataset: Dataset) -> np.ndarray:
        """Titles the pool must reach beyond the top scores, so quotas can always be met."""
        cat = self._catalogue(dataset)
        return (
            (cat.local & (self.config.local_share > 0))
            | (cat.emerging & (self.config.emerging_share > 0))
            | (cat.new & (self.config.new_share > 0))
        )

    def select(
        self, dataset: Dataset, member: int, titles: np.ndarray, scores: np.ndarray, k: int
    ) -> tuple[np.ndarray, np.ndarray]:
        c, cat = self.config, self._catalogue(dataset)
        n = min(k, len(titles))
        relevance = _rescale(scores)
        is_local, is_emerging, is_new = cat.local[titles], cat.emerging[titles], cat.new[titles]
        creator = cat.creator[titles]  # main creator index, -1 when unknown
        genres = cat.genres[titles] if c.diversity > 0 else None
        owed_local = math.ceil(c.local_share * n)
        owed_emerging = math.ceil(c.emerging_share * n)
        owed_new = math.ceil(c.new_share * n)
        # One spare slot so that indexing with max(creator, 0) works in a catalogue without
        # creators.
        per_creator = np.zeros(len(cat.creator_ids) + 1, dtype=np.int64)
        open_ = np.ones(len(titles), dtype=bool)
        overlap = np.zeros(len(titles))
        picked: list[int] = []
        for slot in range(n):
            left = n - slot
            eligible = open_.copy()
            if c.creator_cap is not None:
                eligible &= (creator < 0) | (per_creator[np.maximum(creator, 0)] < c.creator_cap)
            if owed_local >= left and (eligible & is_local).any():
                eligible &= is_local
            if owed_emerging >= left and (eligible & is_emerging).any():
                eligible &= is_emerging
            if owed_new >= left and (eligible & is_new).any():
                eligible &= is_new
            if not eligible.any():
                eligible = open_
            value = relevance - self._exposure_penalty(creator) - c.diversity * overlap
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
        if self.config.exposure_weight == 0 or not self._exposure.any():
            return np.zeros(len(creator))
        shown = np.where(creator >= 0, self._exposure[np.maximum(creator, 0)], 0).astype(np.float64)
        mean = self._exposure.sum() / max(int((self._exposure > 0).sum()), 1)
        return self.config.exposure_weight * shown / (shown + mean + 1.0)

    def _catalogue(self, dataset: Dataset) -> _Catalogue:
        """Per-title flags, main creator and genres, computed once per dataset version (kept in the
        dataset's cache, so a re-ranker made per request does not rebuild them)."""
        cat = dataset.cached(
            ("events", "rerank-catalogue", self.config.emerging_years, self.config.new_days),
            lambda: _Catalogue.build(dataset, self.config.emerging_years, self.config.new_days),
        )
        if cat is not self._cat:
            self._cat = cat
            self._exposure = np.zeros(len(cat.creator_ids) + 1, dtype=np.int64)  # +1: see select()
        return cat

    def reset_exposure(self) -> None:
        self._exposure[:] = 0


def reranker_for(
    *,
    local_share: float = 0.0,
    emerging_share: float = 0.0,
    emerging_years: int = 3,
    creator_cap: int | None = None,
    diversity: float = 0.0,
    new_share: float = 0.0,
    new_days: float = 60.0,
) -> LocalTalentReranker | None:
    """The re-ranker a request asks for, or None when it asks for none of its rules (no quota,
    cap or diversity): then the lists are the model's own order. ``halqa recommend`` and the
    service ask with these options; their defaults re-rank nothing."""
    if not (local_share or emerging_share or diversity or creator_cap or new_share):
        return None
    return LocalTalentReranker(
        local_share=local_share,
        emerging_share=emerging_share,
        emerging_years=emerging_years,
        creator_cap=creator_cap,
        diversity=diversity,
        new_share=new_share,
        new_days=new_days,
    )


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

"""What members pick *next*: a title-to-title "watched after" model.

For every member's history in time order, title j following title i within ``window`` steps adds
1/distance to T[i, j] (and ``backward`` × that to T[j, i]); T is normalised by the titles'
audience sizes (cosine-like). A member is scored from their recent titles, each decayed by its
position from the latest one, so a new event moves the next list at once (no state but the row).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from pydantic import NonNegativeFloat, PositiveFloat, PositiveInt

from halqa.recommend.base import ModelConfig, Recommender
from halqa.recommend.dataset import Dataset

_DENSE_UP_TO = 8_000  # titles: 8k × 8k float32 = 256 MB, the same order as EASE's weights


class TransitionsConfig(ModelConfig):
    window: PositiveInt = 10
    backward: NonNegativeFloat = 0.5
    recency_half_life: PositiveFloat = 5.0  # in events, from the member's latest


class Transitions(Recommender):
    """Sequential co-occurrence ("members who watched X went on to watch Y")."""

    name = "transitions"
    Config = TransitionsConfig
    config: TransitionsConfig

    def _fit(self, dataset: Dataset) -> None:
        ev = dataset.events[dataset.events["weight"] > 0]
        order = np.lexsort(
            (
                dataset.title_order()[ev["title_idx"].to_numpy()],
                ev["ts"].to_numpy(),
                ev["member_idx"].to_numpy(),
            )
        )
        members, titles = ev["member_idx"].to_numpy()[order], ev["title_idx"].to_numpy()[order]
        n = dataset.n_titles
        rows, cols, vals = [], [], []
        for d in range(1, self.config.window + 1):
            same = members[:-d] == members[d:]  # pairs inside one member's history
            rows.append(titles[:-d][same])
            cols.append(titles[d:][same])
            vals.append(np.full(int(same.sum()), 1.0 / d))
        forward = sp.csr_matrix(
            (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(n, n)
        )
        counts = np.asarray((dataset.matrix() > 0).sum(axis=0)).ravel() + 1.0
        scale = sp.diags(1.0 / np.sqrt(counts))
        transitions = (
            (scale @ (forward + self.config.backward * forward.T) @ scale)
            .tocsr()
            .astype(np.float32)
        )
        # dense when it fits comfortably (scoring is then one BLAS call), sparse beyond that
        self.transitions_ = transitions.toarray() if n <= _DENSE_UP_TO else transitions

    def _score(self, member_idx: np.ndarray, rows: sp.csr_matrix) -> np.ndarray:
        n = self.transitions_.shape[0]
        recent = self.dataset.recency_matrix(self.config.recency_half_life)[member_idx][:, :n]
        return _dense(recent @ self.transitions_)

    def _similar(self, title_idx: np.ndarray) -> np.ndarray:
        return _dense(self.transitions_[title_idx])


def _dense(matrix: np.ndarray | sp.spmatrix) -> np.ndarray:
    if isinstance(matrix, np.ndarray):  # transitions are dense up to _DENSE_UP_TO titles
        return np.asarray(matrix)
    return np.asarray(matrix.toarray())

"""Item-to-item models: EASE (Steck 2019, closed form) and item-kNN (cosine or BM25, via implicit).

Both score a member as ``row @ similarity``, so a new event changes the next list at once: the
member's row is the only state (fold-in is free).
"""

from __future__ import annotations

import warnings
from typing import Literal

import numpy as np
import scipy.sparse as sp
from pydantic import PositiveFloat, PositiveInt
from scipy.linalg.lapack import get_lapack_funcs
from threadpoolctl import threadpool_limits

from halqa.recommend.base import ModelConfig, Recommender
from halqa.recommend.dataset import Dataset


class EASEConfig(ModelConfig):
    regularization: PositiveFloat = 250.0
    binary: bool = True  # fit on 0/1 interactions
    # score from a profile where recent events weigh more (half-life in events; None: off)
    recency_half_life: PositiveFloat | None = None
    # The n² weights and n³ inverse are the cost: beyond this many titles EASE learns the most
    # watched ones (a title with one or two members has almost no co-occurrence to learn from;
    # the long tail of a music catalogue is exactly that). 8,000 titles: 256 MB, ~10 s.
    max_titles: PositiveInt = 8_000


def _spd_inverse(gram: np.ndarray) -> np.ndarray:
    """Inverse of a symmetric positive definite matrix through its Cholesky factor.

    XᵀX + λI is SPD for λ > 0, and LAPACK's potrf/potri invert it in about a fifth of
    the time of a general LU inverse (np.linalg.inv) on this machine. A matrix that is
    not positive definite (λ = 0 with collinear titles) falls back to the general inverse.

    One BLAS thread: OpenBLAS threads spin-wait for each other, and on a shared or loaded
    machine (2 cores, load 20) a 1,682-title inverse took 20 s on two threads and 1.2 s on one;
    idle, two threads would save at most half. Tuning runs dozens of these.
    """
    with threadpool_limits(1, "blas"):
        potrf, potri = get_lapack_funcs(("potrf", "potri"), (gram,))
        factor, info = potrf(gram, lower=False, overwrite_a=False)
        if info == 0:
            upper, info = potri(factor, lower=False, overwrite_c=True)
            if info == 0:
                return np.triu(upper) + np.triu(upper, 1).T  # potri fills only the upper triangle
        return np.linalg.inv(gram)


class EASE(Recommender):
    """Embarrassingly shallow autoencoder: B = I − P·diagMat(1/diag(P)), P = (XᵀX + λI)⁻¹."""

    name = "ease"
    Config = EASEConfig
    config: EASEConfig

    def _fit(self, dataset: Dataset) -> None:
        x = self._input(dataset.matrix())
        self.kept_ = None
        if x.shape[1] > self.config.max_titles:
            audience = np.diff(x.tocsc().indptr)
            self.kept_ = np.sort(np.argsort(-audience, kind="stable")[: self.config.max_titles])
            x = x[:, self.kept_]
        # float32 like RecTools: half the memory and time, and ranks come out the same
        gram = np.asarray((x.T @ x).todense(), dtype=np.float32)
        gram[np.diag_indices_from(gram)] += self.config.regularization
        weights = _spd_inverse(gram)
        weights /= -np.diag(weights)[None, :]  # in place: B = −P / diag(P), a second n² copy saved
        np.fill_diagonal(weights, 0.0)
        self.weights_ = weights

    def _input(self, rows: sp.csr_matrix) -> sp.csr_matrix:
        if not self.config.binary:
            return rows
        out = rows.copy()
        out.data = (out.data > 0).astype(np.float32)
        return out

    def _score(self, member_idx: np.ndarray, rows: sp.csr_matrix) -> np.ndarray:
        if self.config.recency_half_life:
            rows = self.dataset.recency_matrix(self.config.recency_half_life)[member_idx]
        else:
            rows = self._input(rows)
        kept = getattr(self, "kept_", None)
        if kept is None:
            return rows[:, : self.weights_.shape[0]] @ self.weights_
        out = np.full((rows.shape[0], self.n_fit_titles_), -np.inf)
        out[:, kept] = rows[:, kept] @ self.weights_
        return out

    def _similar(self, title_idx: np.ndarray) -> np.ndarray:
        kept = getattr(self, "kept_", None)
        if kept is None:
            return self.weights_[title_idx]
        out = np.full((len(title_idx), self.n_fit_titles_), -np.inf)
        where = np.searchsorted(kept, title_idx)
        learnt = (where < len(kept)) & (kept[np.minimum(where, len(kept) - 1)] == title_idx)
        out[np.ix_(np.flatnonzero(learnt), kept)] = self.weights_[where[learnt]]
        return out


class ItemKNNConfig(ModelConfig):
    similarity: Literal["cosine", "bm25"] = "cosine"
    neighbours: PositiveInt = 100
    k1: float = 1.2
    b: float = 0.75


class ItemKNN(Recommender):
    """Neighbourhood model: each title keeps its ``neighbours`` most similar titles."""

    name = "item-knn"
    Config = ItemKNNConfig
    config: ItemKNNConfig

    def _fit(self, dataset: Dataset) -> None:
        from implicit.nearest_neighbours import BM25Recommender, CosineRecommender

        c = self.config
        model = (
            BM25Recommender(K=c.neighbours, K1=c.k1, B=c.b)
            if c.similarity == "bm25"
            else CosineRecommender(K=c.neighbours)
        )
        with threadpool_limits(1, "blas"), warnings.catch_warnings():
            # implicit transposes our CSR internally and then warns about its own COO copy
            warnings.filterwarnings("ignore", message="Method expects CSR input")
            model.fit(dataset.matrix(), show_progress=False)
        self.similarity_ = sp.csr_matrix(model.similarity, dtype=np.float32)

    def _score(self, member_idx: np.ndarray, rows: sp.csr_matrix) -> np.ndarray:
        n = self.similarity_.shape[0]
        return np.asarray((rows[:, :n] @ self.similarity_).todense())

    def _similar(self, title_idx: np.ndarray) -> np.ndarray:
        return np.asarray(self.similarity_[title_idx].todense())

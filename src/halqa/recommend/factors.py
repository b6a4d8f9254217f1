"""Matrix factorisation through ``implicit``: ALS (Hu, Koren & Volinsky 2008) and BPR.

Both expose ``member_factors_`` and ``title_factors_`` (dense numpy, one row per dense index), so
other parts of halqa (audience targeting maps content onto these factors) can reuse them.
A new event is folded in by re-solving that member's least-squares problem against the fixed
title factors (implicit's ``recalculate_user`` for ALS; the same closed form for BPR).
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import scipy.sparse as sp
from pydantic import NonNegativeFloat, NonNegativeInt, PositiveFloat, PositiveInt
from threadpoolctl import threadpool_limits

from halqa.recommend.base import ModelConfig, Recommender
from halqa.recommend.dataset import Dataset


class ALSConfig(ModelConfig):
    factors: PositiveInt = 64
    regularization: NonNegativeFloat = 0.05
    alpha: PositiveFloat = 2.0
    iterations: PositiveInt = 15
    threads: NonNegativeInt = 0  # 0 = every core
    seed: int = 42


class BPRConfig(ModelConfig):
    factors: PositiveInt = 64
    learning_rate: PositiveFloat = 0.05
    regularization: float = 0.01
    iterations: PositiveInt = 100
    threads: NonNegativeInt = 0  # 0 = every core
    seed: int = 42


class _FactorModel(Recommender):
    """Scores are dot products of member and title factors."""

    member_factors_: np.ndarray
    title_factors_: np.ndarray

    def _score(self, member_idx: np.ndarray, rows: sp.csr_matrix) -> np.ndarray:
        known = member_idx < len(self.member_factors_)
        users = np.zeros(
            (len(member_idx), self.member_factors_.shape[1]), dtype=self.member_factors_.dtype
        )
        users[known] = self.member_factors_[member_idx[known]]
        return users @ self.title_factors_.T

    def _similar(self, title_idx: np.ndarray) -> np.ndarray:
        norms = np.linalg.norm(self.title_factors_, axis=1)
        norms[norms == 0] = 1.0
        unit = self.title_factors_ / norms[:, None]
        return unit[title_idx] @ unit.T

    def _fold_in(self, member_idx: np.ndarray) -> None:
        n = self.dataset.n_members
        if len(self.member_factors_) < n:  # members new since fit start from a zero vector
            grown = np.zeros((n, self.member_factors_.shape[1]), dtype=self.member_factors_.dtype)
            grown[: len(self.member_factors_)] = self.member_factors_
            self.member_factors_ = grown
        rows = self.dataset.matrix()[member_idx][:, : self.n_fit_titles_]
        self.member_factors_[member_idx] = self._solve_members(rows)

    def _solve_members(self, rows: sp.csr_matrix) -> np.ndarray:
        raise NotImplementedError


class ALS(_FactorModel):
    """Implicit-feedback ALS; confidence = 1 + alpha × event weight."""

    name = "als"
    Config = ALSConfig
    config: ALSConfig

    def _fit(self, dataset: Dataset) -> None:
        c = self.config
        self.model_ = fit_implicit_als(
            dataset.matrix(),
            factors=c.factors,
            regularization=c.regularization,
            alpha=c.alpha,
            iterations=c.iterations,
            threads=c.threads,
            seed=c.seed,
        )
        self.member_factors_ = np.asarray(self.model_.user_factors)
        self.title_factors_ = np.asarray(self.model_.item_factors)

    def _solve_members(self, rows: sp.csr_matrix) -> np.ndarray:
        with threadpool_limits(1, "blas"):
            return self.model_.recalculate_user(np.arange(rows.shape[0]), rows.astype(np.float32))


class BPR(_FactorModel):
    """Bayesian Personalised Ranking (pairwise), fitted by implicit's SGD."""

    name = "bpr"
    Config = BPRConfig
    config: BPRConfig

    def _fit(self, dataset: Dataset) -> None:
        from implicit.cpu.bpr import BayesianPersonalizedRanking

        c = self.config
        model = BayesianPersonalizedRanking(
            factors=c.factors,
            learning_rate=c.learning_rate,
            regularization=c.regularization,
            iterations=c.iterations,
            num_threads=c.threads,
            random_state=c.seed,
        )
        with threadpool_limits(1, "blas"):
            model.fit(dataset.matrix(), show_progress=False)
        # implicit appends a bias: users carry a constant 1, titles their bias term.
        self.member_factors_ = np.asarray(model.user_factors)
        self.title_factors_ = np.asarray(model.item_factors)

    def _solve_members(self, rows: sp.csr_matrix) -> np.ndarray:
        v, bias = (
            self.title_factors_[:, :-1].astype(np.float64),
            self.title_factors_[:, -1].astype(np.float64),
        )
        users = fold_in_least_squares(
            v, rows, regularization=max(self.config.regularization, 0.01), bias=bias
        )
        return np.hstack([users, np.ones((len(users), 1))]).astype(self.member_factors_.dtype)


def fit_implicit_als(
    matrix: sp.csr_matrix,
    *,
    factors: int,
    regularization: float,
    alpha: float,
    iterations: int,
    threads: int = 0,
    seed: int = 42,
) -> Any:  # implicit ships no types: its model is Any
    """implicit's CPU ALS fitted on a member × title matrix; returns the fitted implicit model.

    BLAS is held to one thread, as implicit advises (its threads and BLAS threads fight), which
    also makes implicit's start-up warning about BLAS threads moot.
    """
    from implicit.cpu.als import AlternatingLeastSquares

    with threadpool_limits(1, "blas"), warnings.catch_warnings():
        warnings.simplefilter(
            "ignore", RuntimeWarning
        )  # implicit's BLAS-threads check, handled just above
        model = AlternatingLeastSquares(
            factors=factors,
            regularization=regularization,
            alpha=alpha,
            iterations=iterations,
            num_threads=threads,
            random_state=seed,
        )
        model.fit(matrix, show_progress=False)
    return model


def fold_in_least_squares(
    item_factors: np.ndarray,
    rows: sp.csr_matrix,
    *,
    regularization: float,
    alpha: float = 1.0,
    bias: np.ndarray | None = None,
) -> np.ndarray:
    """Member factors minimising Σ_i c_i (p_i − b_i − u·v_i)² + λ|u|² with fixed title factors.

    p_i = 1 on the member's titles (confidence 1 + alpha·weight), 0 elsewhere (confidence 1):
    the implicit-feedback ALS user step, solved exactly for each member.
    """
    v = item_factors
    bias = np.zeros(len(v)) if bias is None else bias
    gram = v.T @ v + regularization * np.eye(v.shape[1])
    base_rhs = -(v.T @ bias)
    out = np.zeros((rows.shape[0], v.shape[1]))
    for r in range(rows.shape[0]):
        idx = rows.indices[rows.indptr[r] : rows.indptr[r + 1]]
        if len(idx) == 0:
            continue
        c = alpha * rows.data[rows.indptr[r] : rows.indptr[r + 1]]
        vi = v[idx]
        a = gram + (vi * c[:, None]).T @ vi
        rhs = base_rhs + vi.T @ ((1 + c) * (1 - bias[idx]) + bias[idx])
        out[r] = np.linalg.solve(a, rhs)
    return out

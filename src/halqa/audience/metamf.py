"""Metadata factorisation: a logistic matrix factorisation in which titles exist only through their
metadata.

``P(member m met title t) = σ(c_t + b_m + u_m · (W f_t))`` where ``f_t`` is the
title's metadata vector (genres, themes, creators, language, region, kind, year
tokens), ``u_m`` and ``b_m`` are the member's factors and bias, and ``W`` maps
metadata to the factor space. It is fitted on every (member, known title) cell,
so ``W`` is learnt for exactly the job of targeting: saying who meets a title
from its metadata (the content-to-ALS ridge instead learns ALS factors that
describe each known title, then regresses them on metadata after the fact).

Each known title gets a free bias ``c_t`` while fitting: how popular a title is
depends on much more than its metadata, and letting ``c_t`` absorb it keeps ``W``
about *who* watches rather than *how many*. A new title's bias is a constant
across members, so it does not change the ranking and is left out of ``score``.

The loss is summed over the dense members × titles matrix. When that matrix is
larger than ``max_cells``, ``W`` and the titles' biases are learnt on a seeded
sample of members, then every member's ``(b_m, u_m)`` is fitted with them held
fixed, a block of members at a time (memory stays bounded).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import scipy.sparse as sp
from pydantic import Field

from halqa.audience.data import TargetingData, TitleBatch
from halqa.audience.features import FeatureSpace
from halqa.audience.methods import Scorer
from halqa.config import Config


def _logistic_terms(z: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    """Summed logistic loss of logits ``z`` against 0/1 labels ``y``, and its gradient in ``z``.

    One ``exp(-|z|)`` serves both the softplus and the sigmoid (never overflows); this
    elementwise pass over the dense matrix is most of the fitting time.
    """
    e = np.exp(-np.abs(z))
    value = float(np.sum(np.maximum(z, 0) + np.log1p(e) - y * z))
    return value, np.where(z >= 0, 1, e) / (1 + e) - y


class MetadataFactorSettings(Config):
    factors: int = Field(default=32, gt=0)
    l2: float = Field(default=10.0, ge=0)
    # L-BFGS steps: validation AUC moves < 0.001 between 100 and 200.
    iterations: int = Field(default=100, gt=0)
    max_cells: int = Field(default=20_000_000, gt=0)  # dense members × titles cells fitted at once
    seed: int = 0


class MetadataFactorScorer(Scorer[MetadataFactorSettings]):
    """Members scored by ``b_m + u_m · (W f_t)``, fitted by L-BFGS on the known titles."""

    name = "meta-mf"
    config_type = MetadataFactorSettings

    def fit(self, data: TargetingData) -> MetadataFactorScorer:
        self._space = FeatureSpace(use_idf=False).fit(data.titles.tokens)
        meta = (
            self._space.transform(data.titles.tokens, normalise=False).toarray().astype(np.float32)
        )
        watched = data.binary()
        rng = np.random.default_rng(self.config.seed)
        sample = np.arange(data.n_members)
        if data.n_members * data.n_titles > self.config.max_cells:
            size = max(self.config.max_cells // max(data.n_titles, 1), 1)
            sample = np.sort(rng.choice(data.n_members, size=size, replace=False))
        y = _dense(watched[sample])
        bias, users, self._w, title_bias = self._fit_all(y, meta, rng)
        if len(sample) == data.n_members:
            self._bias, self._users = bias, users
        else:
            self._bias, self._users = self._fit_members(watched, meta @ self._w, title_bias, rng)
        return self

    def score(self, batch: TitleBatch) -> np.ndarray:
        meta = self._space.transform(batch.tokens, normalise=False).toarray().astype(np.float32)
        return self._bias[None, :] + (meta @ self._w) @ self._users.T

    def _fit_all(self, y: np.ndarray, meta: np.ndarray, rng: np.random.Generator):
        """Every parameter at once: title biases, member biases and factors, the metadata map."""
        n_members, n_titles = y.shape
        n_meta, k = meta.shape[1], self.config.factors
        sizes = [n_titles, n_members, n_members * k, n_meta * k]
        cuts = np.cumsum(sizes)[:-1]
        start = np.concatenate(
            [np.zeros(n_titles + n_members), 0.01 * rng.standard_normal((n_members + n_meta) * k)]
        )

        def unpack(x: np.ndarray):
            c, b, u, w = np.split(x.astype(np.float32), cuts)
            return c, b, u.reshape(n_members, k), w.reshape(n_meta, k)

        def loss(x: np.ndarray) -> tuple[float, np.ndarray]:
            c, b, u, w = unpack(x)
            v = meta @ w
            value, g = _logistic_terms(c[None, :] + b[:, None] + u @ v.T, y)
            value += self.config.l2 * float(np.sum(u * u) + np.sum(w * w))
            grad = [
                g.sum(axis=0),
                g.sum(axis=1),
                (g @ v + 2 * self.config.l2 * u).ravel(),
                (meta.T @ (g.T @ u) + 2 * self.config.l2 * w).ravel(),
            ]
            return value, np.concatenate(grad).astype(np.float64)

        x = _minimize(loss, start, self.config.iterations)
        c, b, u, w = unpack(x)
        return b, u, w, c

    def _fit_members(
        self,
        watched: sp.csr_matrix,
        items: np.ndarray,
        title_bias: np.ndarray,
        rng: np.random.Generator,
        block: int | None = None,
    ):
        """Each member's bias and factors with the titles' side fixed, a block of members at a
        time."""
        k = self.config.factors
        block = block or max(self.config.max_cells // max(items.shape[0], 1), 1)
        bias = np.zeros(watched.shape[0], dtype=np.float32)
        users = np.zeros((watched.shape[0], k), dtype=np.float32)
        for lo in range(0, watched.shape[0], block):
            y = _dense(watched[lo : lo + block])
            n = len(y)
            loss = _member_block_loss(y, items, title_bias, self.config.l2)
            start = np.concatenate([np.zeros(n), 0.01 * rng.standard_normal(n * k)])
            x = _minimize(loss, start, self.config.iterations)
            bias[lo : lo + n], users[lo : lo + n] = x[:n], x[n:].reshape(n, k)
        return bias, users


def _member_block_loss(
    y: np.ndarray, items: np.ndarray, title_bias: np.ndarray, l2: float
) -> Callable[[np.ndarray], tuple[float, np.ndarray]]:
    """Loss and gradient in one block's member biases and factors (the titles' side held fixed)."""
    n, k = len(y), items.shape[1]

    def loss(x: np.ndarray) -> tuple[float, np.ndarray]:
        b, u = x[:n].astype(np.float32), x[n:].reshape(n, k).astype(np.float32)
        value, g = _logistic_terms(title_bias[None, :] + b[:, None] + u @ items.T, y)
        value += l2 * float(np.sum(u * u))
        grad = np.concatenate([g.sum(axis=1), (g @ items + 2 * l2 * u).ravel()])
        return value, grad.astype(np.float64)

    return loss


def _dense(m: sp.spmatrix) -> np.ndarray:
    return np.asarray(m.toarray(), dtype=np.float32)


def _minimize(loss, start, iterations: int):
    """L-BFGS-B; scipy.optimize is imported here so that scoring a saved model never loads it."""
    from scipy.optimize import minimize

    return minimize(loss, start, jac=True, method="L-BFGS-B", options={"maxiter": iterations}).x

"""Title-to-title similarity shared by models that have no similarity of their own."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp


def cooccurrence_cosine(matrix: sp.csr_matrix, title_idx: np.ndarray) -> np.ndarray:
    """Cosine similarity of the titles' audience vectors (binary), queries × all titles."""
    binary = matrix.copy().astype(np.float64)
    binary.data[:] = 1.0
    csc = binary.tocsc()
    norms = np.sqrt(np.asarray(csc.sum(axis=0)).ravel())
    overlap = np.asarray((csc[:, title_idx].T @ csc).todense())
    denom = np.outer(norms[title_idx], norms)
    return np.divide(overlap, denom, out=np.zeros_like(overlap), where=denom > 0)


def row_normalise(scores: np.ndarray) -> np.ndarray:
    """Scale each member's finite scores to [0, 1] so different models can be blended."""
    out = np.array(scores, dtype=np.float64)
    finite = np.isfinite(out)
    lo = np.where(finite, out, np.inf).min(axis=1, keepdims=True)
    hi = np.where(finite, out, -np.inf).max(axis=1, keepdims=True)
    span = np.where(hi > lo, hi - lo, 1.0)
    lo = np.where(np.isfinite(lo), lo, 0.0)
    out = np.where(finite, (out - lo) / span, out)
    return out

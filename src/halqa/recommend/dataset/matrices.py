"""The matrices derived from a dataset's events: summed confidence and seen counts, the clipped
confidence models fit on, the recency-weighted profile, and the deterministic title order."""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp


def sum_matrices(ev: pd.DataFrame, shape: tuple[int, int]) -> tuple[sp.csr_matrix, sp.csr_matrix]:
    """Canonical CSR sums of the events' weights and counts (float64: exact under addition)."""
    rows, cols = ev["member_idx"].to_numpy(), ev["title_idx"].to_numpy()
    weights = sp.csr_matrix((ev["weight"].to_numpy(dtype=np.float64), (rows, cols)), shape=shape)
    counts = sp.csr_matrix((np.ones(len(ev)), (rows, cols)), shape=shape)
    weights.sum_duplicates()
    counts.sum_duplicates()
    return weights, counts


def resized(m: sp.csr_matrix, shape: tuple[int, int]) -> sp.csr_matrix:
    """``m`` with empty rows/columns appended up to ``shape`` (maps only grow)."""
    if m.shape == shape:
        return m
    indptr = np.concatenate(
        [m.indptr, np.full(shape[0] - m.shape[0], m.indptr[-1], dtype=m.indptr.dtype)]
    )
    return sp.csr_matrix((m.data, m.indices, indptr), shape=shape)


def confidence_and_seen(
    sums: sp.csr_matrix, counts: sp.csr_matrix, *, binary: bool
) -> tuple[sp.csr_matrix, sp.csr_matrix]:
    """Confidence (summed weights, ≤ 0 dropped; 1 per positive pair when ``binary``) and seen
    (1 where any event happened, even a skip), both float32 CSR."""
    conf = sums.copy()
    if binary:
        conf.data = (conf.data > 0).astype(np.float64)
    conf.data[conf.data < 0] = 0.0
    conf.eliminate_zeros()
    seen = counts.copy()
    seen.data[:] = 1.0
    return conf.astype(np.float32), seen.astype(np.float32)


def recency_matrix(
    ev: pd.DataFrame, order: np.ndarray, shape: tuple[int, int], half_life: float
) -> sp.csr_matrix:
    """Confidence where each event also decays by its position from the member's latest one,
    2^(−position / half_life), position 0 = most recent (ties broken by ``order`` of titles)."""
    by_time = np.lexsort(
        (order[ev["title_idx"].to_numpy()], ev["ts"].to_numpy(), ev["member_idx"].to_numpy())
    )
    members = ev["member_idx"].to_numpy()[by_time]
    counts = np.bincount(members, minlength=shape[0])
    ends = np.cumsum(counts)[members]
    from_end = ends - 1 - np.arange(len(by_time))
    w = ev["weight"].to_numpy()[by_time] * np.exp2(-from_end / half_life)
    m = sp.csr_matrix(
        (w, (members, ev["title_idx"].to_numpy()[by_time])), shape=shape, dtype=np.float64
    )
    m.sum_duplicates()
    m.data[m.data < 0] = 0.0
    m.eliminate_zeros()
    return m.astype(np.float32)


def natural_order(external: np.ndarray) -> np.ndarray:
    """Rank of each id in natural order (numeric ids as numbers, else as text)."""
    ids = pd.Series(external)
    key = pd.DataFrame({"num": pd.to_numeric(ids, errors="coerce").fillna(np.inf), "text": ids})
    order = key.sort_values(["num", "text"], kind="stable").index.to_numpy()
    rank = np.empty(len(ids), dtype=np.int64)
    rank[order] = np.arange(len(ids))
    return rank


def last_ts(ev: pd.DataFrame, n_members: int) -> np.ndarray:
    """Latest event time per member (unix s); 0 for members with no events."""
    out = np.zeros(n_members, dtype=np.int64)
    if len(ev):
        np.maximum.at(out, ev["member_idx"].to_numpy(), ev["ts"].to_numpy())
    return out

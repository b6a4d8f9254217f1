"""The in-memory inputs of targeting: who watched what, when, and what each title is.

``TargetingData`` is deliberately store-agnostic (numpy/scipy only) so the same
methods run on a halqa store (``from_store``), on MovieLens read straight from
its files (``bench/targeting.py``) and on synthetic data in tests.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from halqa.audience.features import Tokens


@dataclass
class TitleBatch:
    """Titles to target, described by metadata only (no events)."""

    tokens: list[Tokens]
    texts: list[str]
    release: np.ndarray  # unix seconds of release, NaN when unknown
    names: list[str] | None = None  # display names (byte-exact), when known

    def __len__(self) -> int:
        return len(self.tokens)

    def take(self, idx: Sequence[int] | np.ndarray) -> TitleBatch:
        idx = np.asarray(idx, dtype=np.int64)
        names = None if self.names is None else [self.names[i] for i in idx]
        return TitleBatch(
            [self.tokens[i] for i in idx], [self.texts[i] for i in idx], self.release[idx], names
        )


@dataclass
class TargetingData:
    """Members × known titles, with the titles' metadata.

    ``interactions`` holds one positive weight per (member, title) that met;
    ``last_seen`` has the same shape and holds the unix time of the latest event
    of that pair (used to tell which members were active after a release).
    """

    member_ids: np.ndarray
    title_ids: np.ndarray
    interactions: sp.csr_matrix
    last_seen: sp.csr_matrix
    titles: TitleBatch
    members: dict[str, np.ndarray] = field(
        default_factory=dict
    )  # side columns: age_band, region, languages

    @property
    def n_members(self) -> int:
        return len(self.member_ids)

    @property
    def n_titles(self) -> int:
        return len(self.title_ids)

    def binary(self) -> sp.csr_matrix:
        m = self.interactions.copy()
        m.data = np.ones_like(m.data)
        return m

    def title_counts(self) -> np.ndarray:
        return np.diff(self.interactions.tocsc().indptr)

    def keep_titles(self, idx: Sequence[int] | np.ndarray) -> TargetingData:
        """The same members with only the titles ``idx`` (the others hidden completely)."""
        idx = np.asarray(idx, dtype=np.int64)
        return TargetingData(
            self.member_ids,
            self.title_ids[idx],
            sp.csr_matrix(self.interactions[:, idx]),
            sp.csr_matrix(self.last_seen[:, idx]),
            self.titles.take(idx),
            self.members,
        )

    def member_positions(self, member_ids: Iterable[str]) -> np.ndarray:
        """Row positions of those of ``member_ids`` that are here (unknown ids are skipped)."""
        wanted = np.array(list(member_ids), dtype=object)
        if not len(wanted):
            return np.zeros(0, dtype=np.int64)
        return np.flatnonzero(np.isin(self.member_ids.astype(str), wanted.astype(str)))

    def audience_of(self, idx: int) -> np.ndarray:
        """Indices of the members who met title ``idx`` (the ground truth of evaluation)."""
        return self.interactions[:, [idx]].tocoo().row


def build_matrices(
    member_index: np.ndarray,
    title_index: np.ndarray,
    weight: np.ndarray,
    ts: np.ndarray,
    n_members: int,
    n_titles: int,
) -> tuple[sp.csr_matrix, sp.csr_matrix]:
    """Interaction weights (summed) and last-seen times (max) from event rows given as integer
    indices."""
    shape = (n_members, n_titles)
    inter = sp.csr_matrix((weight.astype(np.float64), (member_index, title_index)), shape=shape)
    inter.sum_duplicates()
    order = np.lexsort((ts, title_index, member_index))
    m, t, s = member_index[order], title_index[order], ts[order].astype(np.float64)
    last = np.ones(len(m), dtype=bool)
    last[:-1] = (m[1:] != m[:-1]) | (t[1:] != t[:-1])
    seen = sp.csr_matrix((s[last], (m[last], t[last])), shape=shape)
    seen.sum_duplicates()
    return inter, seen

"""External ids (the store's ``member_id`` / ``title_id`` strings) ↔ dense integers.

Maps only ever grow (``extend`` appends), so a dense index stays valid for the life of a fitted
model: that is what lets fold-in and new titles work without retraining.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from halqa.errors import NotFoundError


@dataclass(frozen=True, eq=False)
class IdMap:
    """External ids (strings) ↔ dense integers ``0..n-1``, in insertion order."""

    external: np.ndarray

    @classmethod
    def from_values(cls, values: Any) -> IdMap:
        return cls(np.asarray(pd.unique(as_keys(values)), dtype=object))

    @cached_property
    def _index(self) -> pd.Index:
        return pd.Index(self.external)

    def __len__(self) -> int:
        return len(self.external)

    def __contains__(self, key: object) -> bool:
        return str(key) in self._index

    def to_internal(
        self, ids: Iterable[Any], *, strict: bool = True, what: str = "id"
    ) -> np.ndarray:
        """Dense indices of ``ids``; unknown ids raise NotFoundError, or give -1 when not strict."""
        keys = as_keys(ids)
        idx = self._index.get_indexer(keys)
        if strict and (idx < 0).any():
            unknown = keys[idx < 0][0]
            raise NotFoundError(f"unknown {what} '{unknown}'")
        return idx.astype(np.int64)

    def to_external(self, idx: np.ndarray | Iterable[int]) -> np.ndarray:
        return self.external[np.asarray(idx, dtype=np.int64)]

    def extend(self, ids: Iterable[Any]) -> IdMap:
        """A map with the new ids appended; existing indices do not move."""
        new = pd.Index(pd.unique(as_keys(ids)))
        # get_indexer probes the map's hash table; Index.isin on Arrow strings loops in Python.
        new = new[self._index.get_indexer(new) < 0]
        if len(new) == 0:
            return self
        return IdMap(np.concatenate([self.external, np.asarray(new, dtype=object)]))


def as_keys(ids: Any) -> np.ndarray:
    """Ids as an object array of str, without a Python-level loop for Series/arrays."""
    if isinstance(ids, (str, bytes)) or np.ndim(ids) == 0:
        ids = [ids]
    if not isinstance(ids, (pd.Series, pd.Index, np.ndarray)):
        ids = list(ids)
    series = (
        pd.Series(ids, dtype=object)
        if isinstance(ids, list)
        else pd.Series(np.asarray(ids, dtype=object))
    )
    return series.astype(str).to_numpy(dtype=object)

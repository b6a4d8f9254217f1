"""Breakdowns of an audience by age band, region and language, with small groups suppressed.

A count over fewer than ``k`` members could single people out, so it is
reported as suppressed (``None`` in JSON) and folded into no other number.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

DEFAULT_K = 10
BREAKDOWN_FIELDS = ("age_band", "region", "language")


def suppressed_counts(values: Iterable[str], k: int = DEFAULT_K) -> dict[str, int | None]:
    """Count of each value, ``None`` where fewer than ``k`` members share it; largest first."""
    counts = Counter(values)
    return {
        key: (n if n >= k else None)
        for key, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    }


def _label(value: Any) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value == "":
        return "unknown"
    return str(value)


def member_languages(value: Any) -> list[str]:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return []
    return [value] if isinstance(value, str) else [str(v) for v in value]


def breakdown(
    members: dict[str, np.ndarray], idx: Sequence[int] | np.ndarray, k: int = DEFAULT_K
) -> dict:
    """Counts by age band, region and language (a member counts once per language spoken)."""
    idx = np.asarray(idx, dtype=np.int64)
    out: dict[str, Any] = {"members": len(idx) if len(idx) >= k else None, "k": k}
    for column, name in (("age_band", "age_band"), ("region", "region")):
        values = members.get(column)
        out[name] = (
            suppressed_counts((_label(values[i]) for i in idx), k) if values is not None else {}
        )
    langs = members.get("languages")
    out["language"] = (
        suppressed_counts(
            (lang for i in idx for lang in member_languages(langs[i]) or ["unknown"]), k
        )
        if langs is not None
        else {}
    )
    return out


def shares(counts: dict[str, int | None]) -> dict[str, float | None]:
    """Each group's share of the unsuppressed total (suppressed groups stay ``None``)."""
    total = sum(n for n in counts.values() if n)
    return {key: (round(n / total, 4) if n and total else None) for key, n in counts.items()}

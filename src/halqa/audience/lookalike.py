"""Lookalikes: grow a seed audience with the marketing-consented members most like it.

Each member is a vector joining their collaborative taste (ALS member factors)
and their metadata profile (IDF-weighted genres, themes, languages, creators of
what they met). The expansion ranks non-seed members by cosine similarity to the
seed's centroid. Unlike ad platforms, the list itself is returned and auditable.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from halqa.audience.breakdown import BREAKDOWN_FIELDS, DEFAULT_K, breakdown, shares
from halqa.audience.data import TargetingData
from halqa.audience.features import FeatureSpace, l2_normalise_rows
from halqa.errors import ConfigError, DataError

if TYPE_CHECKING:  # pandas is imported when a lookalike is made, not with halqa.audience
    import pandas as pd

MIN_SEED = 20


@dataclass
class LookalikeResult:
    audience: pd.DataFrame  # member_id, similarity, age_band, region, languages
    report: dict

    def to_dict(self, rows: int | None = None) -> dict:
        shown = self.audience if rows is None else self.audience.head(rows)
        return {**self.report, "members": shown.to_dict(orient="records")}


def member_vectors(
    data: TargetingData, *, factors: int = 32, seed: int = 0, taste_weight: float = 0.5
) -> np.ndarray:
    """Unit vectors of members: ALS taste and metadata profile, each normalised, then joined."""
    from implicit.cpu.als import AlternatingLeastSquares
    from threadpoolctl import threadpool_limits

    binary = data.binary()
    with threadpool_limits(1, "blas"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # implicit's BLAS check: limited just above
        model = AlternatingLeastSquares(
            factors=factors, regularization=0.05, iterations=15, random_state=seed, num_threads=1
        )
        model.fit(binary, show_progress=False)
    taste = np.asarray(model.user_factors)
    taste = taste / np.maximum(np.linalg.norm(taste, axis=1, keepdims=True), 1e-12)
    space = FeatureSpace().fit(data.titles.tokens)
    profile = l2_normalise_rows(binary @ space.transform(data.titles.tokens)).toarray()
    joined = np.hstack([np.sqrt(taste_weight) * taste, np.sqrt(1 - taste_weight) * profile])
    return joined / np.maximum(np.linalg.norm(joined, axis=1, keepdims=True), 1e-12)


def lookalike(
    data: TargetingData,
    seed_ids: Iterable[str],
    size: int,
    *,
    min_seed: int = MIN_SEED,
    k: int = DEFAULT_K,
    seed: int = 0,
    exclude_members: Iterable[str] = (),
) -> LookalikeResult:
    """The ``size`` members most like the seed (seed members excluded), with an audit report.

    ``exclude_members`` (e.g. consent withdrawn since ``data`` was read) are neither returned nor
    used as seed."""
    given = list(dict.fromkeys(str(s) for s in seed_ids))
    if not given:
        raise DataError(
            "the seed is empty: give a file with a member_id column and at least "
            f"{min_seed} members"
        )
    if size < 1:
        raise ConfigError(f"--size must be at least 1 (got {size})")
    index = {m: i for i, m in enumerate(data.member_ids)}
    activity = np.diff(data.interactions.indptr)
    excluded = set(map(str, exclude_members))
    found = np.array([index[m] for m in given if m in index and m not in excluded], dtype=np.int64)
    usable = found[activity[found] > 0]
    if len(usable) < min_seed:
        raise DataError(
            f"the seed is too small: {len(usable)} of its {len(given)} members have "
            "marketing consent "
            f"and a viewing history; at least {min_seed} are needed for a meaningful lookalike"
        )
    vectors = member_vectors(data, seed=seed)
    centroid = vectors[usable].mean(axis=0)
    centroid /= max(np.linalg.norm(centroid), 1e-12)
    similarity = vectors @ centroid
    candidates = np.ones(data.n_members, dtype=bool)
    candidates[found] = False
    candidates[data.member_positions(excluded)] = False
    candidates &= activity > 0
    pool = np.flatnonzero(candidates)
    order = pool[np.argsort(-similarity[pool], kind="stable")][:size]
    seed_bd, out_bd = breakdown(data.members, usable, k), breakdown(data.members, order, k)
    report = {
        "seed": {
            "given": len(given),
            "found": len(found),
            "with_history": len(usable),
            "coverage": round(len(usable) / len(given), 4),
            "mean_similarity": round(float(similarity[usable].mean()), 4),
        },
        "expansion": {
            "size": len(order),
            "requested": size,
            "available": len(pool),
            "mean_similarity": round(float(similarity[order].mean()), 4) if len(order) else None,
            "min_similarity": round(float(similarity[order].min()), 4) if len(order) else None,
        },
        "population_mean_similarity": round(float(similarity[pool].mean()), 4)
        if len(pool)
        else None,
        "overlap": {
            "members_in_seed": int(np.isin(order, found).sum()),
            **{
                f: _profile_overlap(
                    breakdown(data.members, usable, 1).get(f, {}),
                    breakdown(data.members, order, 1).get(f, {}),
                )
                for f in BREAKDOWN_FIELDS
            },
        },
        "breakdown": {"seed": seed_bd, "expansion": out_bd},
    }
    import pandas as pd

    frame = pd.DataFrame(
        {
            "member_id": data.member_ids[order],
            "similarity": np.round(similarity[order], 6),
            **{
                c: [data.members[c][i] if c in data.members else None for i in order]
                for c in ("age_band", "region")
            },
        }
    )
    return LookalikeResult(frame, report)


def _profile_overlap(a: dict, b: dict) -> float | None:
    """Sum over groups of the smaller share: 1 means the two audiences are spread identically.

    Computed from unsuppressed counts: it is one number over the whole seed (at least
    ``MIN_SEED`` members) and reveals no group's size.
    """
    sa, sb = shares(a), shares(b)
    if not sa or not sb:
        return None
    return round(sum(min(sa.get(g) or 0, sb.get(g) or 0) for g in set(sa) | set(sb)), 4)

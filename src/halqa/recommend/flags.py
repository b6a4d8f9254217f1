"""Per-title catalogue flags: Moroccan (local), emerging and new titles, and each title's creators.

The re-ranker guarantees slots by these flags and the evaluation measures the same flags, so
both read them from here: a title counts as local in a list exactly when it counts as local in
the figures that judge the list.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from halqa.recommend.dataset import Dataset


def local_flags(dataset: Dataset) -> np.ndarray:
    """True for titles with at least one Moroccan creator (the creator's country is MA)."""
    moroccan = set(dataset.creators.index[dataset.creators["country"].astype(str) == "MA"])
    tf = dataset.title_features
    if tf.empty:
        return np.zeros(dataset.n_titles, dtype=bool)
    return np.array(
        [bool(c) and any(x in moroccan for x in c) for c in tf["creator_ids"]], dtype=bool
    )


def emerging_flags(dataset: Dataset, within_years: int = 3) -> np.ndarray:
    """True for titles with a creator whose debut is within ``within_years`` of the latest event."""
    cr = dataset.creators
    if cr.empty or dataset.title_features.empty:
        return np.zeros(dataset.n_titles, dtype=bool)
    year = pd.Timestamp(
        int(dataset.events["ts"].max()) if len(dataset.events) else 0, unit="s"
    ).year
    debut = pd.to_numeric(cr["debut_year"], errors="coerce")
    emerging = set(cr.index[(debut >= year - within_years).fillna(False).to_numpy()])
    return np.array(
        [bool(c) and any(x in emerging for x in c) for c in dataset.title_features["creator_ids"]],
        dtype=bool,
    )


def new_flags(dataset: Dataset, within_days: float = 60.0) -> np.ndarray:
    """True for titles added (or, with no added date, released) within ``within_days`` of the newest
    event: by their dates only, so an old title nobody watched is not new."""
    tf = dataset.title_features
    if tf.empty or not len(dataset.events):
        return np.zeros(dataset.n_titles, dtype=bool)
    when = pd.to_datetime(tf["added_at"], errors="coerce", utc=True).fillna(
        pd.to_datetime(tf["release_date"], errors="coerce", utc=True)
    )
    cutoff = pd.Timestamp(int(dataset.events["ts"].max()), unit="s", tz="UTC") - pd.Timedelta(
        days=within_days
    )
    return (when >= cutoff).fillna(False).to_numpy(dtype=bool)


def title_creators(dataset: Dataset) -> list[list[str]]:
    """Each title's creator ids, in the catalogue's order (the first is the main creator)."""
    tf = dataset.title_features
    if tf.empty:
        return [[] for _ in range(dataset.n_titles)]
    return [list(c) if c is not None else [] for c in tf["creator_ids"]]

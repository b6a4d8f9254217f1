"""The canonical tables a dataset is built from: their columns, and how input is cleaned,
keyed by id, aligned to the id maps and encoded to dense indices."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from halqa.errors import DataError
from halqa.recommend.dataset.ids import IdMap
from halqa.recommend.dataset.timestamps import unix_seconds
from halqa.recommend.dataset.weights import EventWeights
from halqa.recommend.frames import require_columns

EVENT_COLUMNS = ("member_id", "title_id", "event_type", "ts", "value")
TITLE_FEATURES = (
    "name",
    "kind",
    "original_language",
    "genres",
    "themes",
    "release_date",
    "age_rating",
    "country",
    "region",
    "creator_ids",
    "available_regions",
    "added_at",
)
MEMBER_FEATURES = ("age_band", "gender", "country", "region", "languages", "occupation")
CREATOR_FEATURES = ("name", "country", "region", "debut_year", "role")
LIST_COLUMNS = ("genres", "themes", "creator_ids", "available_regions", "languages")


def clean_events(ev: pd.DataFrame) -> pd.DataFrame:
    """Canonical events: ids as text, ``ts`` in unix seconds, ``event_type`` (default ``play``)
    and a numeric ``value`` (default empty); a row without ids is a DataError."""
    require_columns(ev, ("member_id", "title_id", "ts"), "events")
    ev = ev.copy()
    if "event_type" not in ev.columns:
        ev["event_type"] = "play"
    if "value" not in ev.columns:
        ev["value"] = np.nan
    if ev["member_id"].isna().any() or ev["title_id"].isna().any():
        row = int(np.flatnonzero((ev["member_id"].isna() | ev["title_id"].isna()).to_numpy())[0])
        raise DataError(f"events row {row}: member_id and title_id are required")
    ev["member_id"] = ev["member_id"].astype(str)
    ev["title_id"] = ev["title_id"].astype(str)
    ev["ts"] = unix_seconds(ev["ts"])
    ev["value"] = pd.to_numeric(ev["value"], errors="coerce")
    return ev


def encode_events(
    ev: pd.DataFrame, members: IdMap, titles: IdMap, weights: EventWeights
) -> pd.DataFrame:
    """Clean events with dense ``member_idx, title_idx`` and each event's ``weight``."""
    return pd.DataFrame(
        {
            "member_idx": members.to_internal(ev["member_id"]).astype(np.int32),
            "title_idx": titles.to_internal(ev["title_id"]).astype(np.int32),
            "event_type": ev["event_type"].astype(str).to_numpy(),
            "ts": ev["ts"].to_numpy(dtype=np.int64),
            "value": ev["value"].to_numpy(dtype=np.float64),
            "weight": weights.of(ev["event_type"], ev["value"]),
        }
    )


def keyed(frame: pd.DataFrame, key: str, columns: tuple[str, ...], what: str) -> pd.DataFrame:
    """A side table indexed by ``key`` (the last row of a repeated id wins) with exactly
    ``columns``: missing ones empty, list columns as lists."""
    if frame.empty and key not in frame.columns:
        return pd.DataFrame(columns=list(columns), index=pd.Index([], name=key, dtype=object))
    require_columns(frame, (key,), what)
    out = frame.drop_duplicates(key, keep="last").copy()
    out[key] = out[key].astype(str)
    out = out.set_index(key)
    for col in columns:
        if col not in out.columns:
            out[col] = None
        elif col in LIST_COLUMNS:
            out[col] = [as_list(v) for v in out[col]]
    return out[list(columns)]


def as_list(value: Any) -> list[str] | None:
    """A list column's value as a list of text ("a|b", "a, b" or a sequence); None when empty."""
    if isinstance(value, str):
        return [v for v in (p.strip() for p in value.replace("|", ",").split(",")) if v]
    if np.ndim(value) == 0:  # None, NaN, pd.NA: no list
        return None
    return [str(v) for v in list(value)]


def align(features: pd.DataFrame, ids: IdMap, columns: tuple[str, ...]) -> pd.DataFrame:
    """Side features in dense-index order: one row per id of ``ids``, None where unknown."""
    out = features.reindex(pd.Index(ids.external)).reset_index(drop=True)
    return out.astype(object).where(out.notna(), None)[list(columns)]


def align_index(features: pd.DataFrame, n: int, columns: tuple[str, ...]) -> pd.DataFrame:
    """Dense-indexed side features grown to ``n`` rows (new ids have empty features)."""
    if len(features) == n:
        return features
    out = features.reindex(range(n)).astype(object)
    return out.where(out.notna(), None)[list(columns)]

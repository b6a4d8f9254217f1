"""Reading a halqa store into ``TargetingData``: marketing-consented members and their events only.

The recommendation engine's ``Dataset`` does the reading (consent views, event
weights, id maps); this module turns its title side features into metadata
tokens and text, and keeps the member columns that reasons and breakdowns use.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from halqa.audience.data import TargetingData, TitleBatch, build_matrices
from halqa.audience.features import metadata_tokens
from halqa.errors import DataError

PURPOSE = "marketing"


def as_list(value: Any) -> list[str]:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return []
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value]


def as_text_map(value: Any) -> dict[str, str]:
    """DuckDB MAP columns come back as dicts (or key/value lists in older versions)."""
    if isinstance(value, dict):
        if set(value) == {"key", "value"} and isinstance(value["key"], list | np.ndarray):
            return {str(k): str(v) for k, v in zip(value["key"], value["value"])}
        return {str(k): str(v) for k, v in value.items() if v is not None}
    return {}


def release_seconds(value: Any) -> float:
    if value is None or (isinstance(value, float) and np.isnan(value)) or pd.isna(value):
        return float("nan")
    return float(pd.Timestamp(value).timestamp())


def title_batch(features: pd.DataFrame) -> TitleBatch:
    """Metadata tokens, text and release time of every row of a titles table."""
    tokens, texts, release, names = [], [], [], []
    for row in features.itertuples(index=False):
        rel = release_seconds(getattr(row, "release_date", None))
        year = float(pd.Timestamp(rel, unit="s").year) if np.isfinite(rel) else None
        language = getattr(row, "original_language", None)
        tokens.append(metadata_tokens(
            genres=as_list(row.genres), themes=as_list(row.themes), creators=as_list(row.creator_ids),
            languages=[language] if isinstance(language, str) and language else [],
            region=row.region if isinstance(row.region, str) else None,
            kind=row.kind if isinstance(row.kind, str) else None, year=year))
        name = row.name if isinstance(row.name, str) else ""
        extra = list(as_text_map(getattr(row, "names", None)).values())
        extra += list(as_text_map(getattr(row, "synopses", None)).values())
        texts.append(" ".join([name, *extra]).strip())
        names.append(name or str(row.title_id))
        release.append(rel)
    return TitleBatch(tokens, texts, np.array(release, dtype=float), names)


def _clean(frame: pd.DataFrame) -> pd.DataFrame:
    # NULL lists arrive as pd.NA with pandas 3; the Dataset expects None.
    return frame.astype(object).where(frame.notna(), None)


def _dataset(store: Any) -> Any:
    """The recommendation engine's Dataset over the marketing-consent views."""
    from halqa.recommend import Dataset
    from halqa.recommend.dataset import CREATOR_FEATURES, MEMBER_FEATURES, TITLE_FEATURES

    events = store.df(f"SELECT member_id, title_id, event_type, ts, value FROM events_{PURPOSE}")
    titles = store.df(f"SELECT title_id, {', '.join(TITLE_FEATURES)} FROM titles")
    members = store.df(f"SELECT member_id, {', '.join(MEMBER_FEATURES)} FROM members_{PURPOSE}")
    creators = store.df(f"SELECT creator_id, {', '.join(CREATOR_FEATURES)} FROM creators")
    return Dataset.from_frame(events, titles=_clean(titles), members=_clean(members), creators=_clean(creators))


def load_targeting_data(store: Any) -> TargetingData:
    """Marketing-consented members (with or without events), their events, and every title."""
    ds = _dataset(store)
    if ds.n_members == 0:
        raise DataError(f"{store.path}: no member has marketing consent; nobody can be targeted")
    titles = store.df("SELECT title_id, name, names, synopses FROM titles")
    features = ds.title_features.copy()
    features["title_id"] = ds.titles.to_external(np.arange(ds.n_titles))
    features = features.drop(columns=["name"]).merge(titles, on="title_id", how="left")
    ev = ds.events[ds.events["weight"] > 0]
    inter, seen = build_matrices(ev["member_idx"].to_numpy(), ev["title_idx"].to_numpy(), ev["weight"].to_numpy(),
                                 ev["ts"].to_numpy(), ds.n_members, ds.n_titles)
    members = {col: ds.member_features[col].to_numpy() for col in ("age_band", "region", "languages", "gender")
               if col in ds.member_features}
    return TargetingData(np.asarray(ds.members.to_external(np.arange(ds.n_members))).astype(str),
                         np.asarray(features["title_id"]).astype(str), inter, seen, title_batch(features), members)

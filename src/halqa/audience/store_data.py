"""Reading a halqa store into ``TargetingData``: marketing-consented members and their events only.

The recommendation engine's ``Dataset`` does the reading (consent views, event
weights, id maps); this module turns its title side features into metadata
tokens and text, and keeps the member columns that reasons and breakdowns use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from halqa.audience.data import TargetingData, TitleBatch, build_matrices
from halqa.audience.features import Tokens, metadata_tokens
from halqa.errors import DataError

if TYPE_CHECKING:  # DuckDB is imported by whoever opens the store
    from halqa.catalog import Store

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
    tokens: list[Tokens] = []
    texts: list[str] = []
    release: list[float] = []
    names: list[str] = []
    for row in features.itertuples(index=False):
        rel = release_seconds(getattr(row, "release_date", None))
        year = float(pd.Timestamp(rel, unit="s").year) if np.isfinite(rel) else None
        language = getattr(row, "original_language", None)
        tokens.append(
            metadata_tokens(
                genres=as_list(row.genres),
                themes=as_list(row.themes),
                creators=as_list(row.creator_ids),
                languages=[language] if isinstance(language, str) and language else [],
                region=row.region if isinstance(row.region, str) else None,
                kind=row.kind if isinstance(row.kind, str) else None,
                year=year,
            )
        )
        name = row.name if isinstance(row.name, str) else ""
        extra = list(as_text_map(getattr(row, "names", None)).values())
        extra += list(as_text_map(getattr(row, "synopses", None)).values())
        texts.append(" ".join([name, *extra]).strip())
        names.append(name or str(row.title_id))
        release.append(rel)
    return TitleBatch(tokens, texts, np.array(release, dtype=float), names)


def _clean(frame: pd.DataFrame) -> pd.DataFrame:
    # NULLs arrive as pd.NA with pandas 3; the code below expects None.
    return frame.astype(object).where(frame.notna(), None)


def _weight_sql() -> str:
    """Event-type weights of the recommendation engine, as a SQL CASE (unknown types count 1)."""
    from halqa.recommend import DEFAULT_WEIGHTS

    cases = " ".join(f"WHEN '{t}' THEN {float(w)}" for t, w in DEFAULT_WEIGHTS.items())
    return f"CASE event_type {cases} ELSE 1.0 END"


def load_targeting_data(store: Store) -> TargetingData:
    """Marketing-consented members (with or without events), their events, and every title.

    Everything member-side is read through the ``members_marketing`` and
    ``events_marketing`` views; pairs whose summed event weight is not positive
    (a dislike outweighing a play) do not count as interest.
    """
    members = _clean(
        store.df(
            f"SELECT member_id, age_band, region, languages, gender "
            f"FROM members_{PURPOSE} ORDER BY member_id"
        )
    )
    if members.empty:
        raise DataError(f"{store.path}: no member has marketing consent; nobody can be targeted")
    titles = _clean(
        store.df(
            "SELECT title_id, kind, name, names, synopses, original_language, genres, themes, "
            "region, creator_ids, release_date FROM titles ORDER BY title_id"
        )
    )
    pairs = store.df(f"""SELECT member_id, title_id, sum({_weight_sql()}) AS weight,
                                max(epoch(ts)) AS last_ts
                         FROM events_{PURPOSE} GROUP BY member_id, title_id HAVING sum({_weight_sql()}) > 0""")
    member_index = pd.Index(members["member_id"].astype(str))
    title_index = pd.Index(titles["title_id"].astype(str))
    m = member_index.get_indexer(pairs["member_id"].astype(str))
    t = title_index.get_indexer(pairs["title_id"].astype(str))
    ok = (m >= 0) & (t >= 0)  # events on titles missing from the catalogue carry no metadata
    inter, seen = build_matrices(
        m[ok],
        t[ok],
        pairs["weight"].to_numpy(float)[ok],
        pairs["last_ts"].to_numpy(float)[ok],
        len(member_index),
        len(title_index),
    )
    side = {col: members[col].to_numpy() for col in ("age_band", "region", "languages", "gender")}
    return TargetingData(
        member_index.to_numpy().astype(str),
        title_index.to_numpy().astype(str),
        inter,
        seen,
        title_batch(titles),
        side,
    )

"""Reading a halqa store into ``TargetingData``: marketing-consented members and their events only.

The recommendation engine's ``Dataset`` does the reading (consent views, event
weights, id maps); this module turns its title side features into metadata
tokens and text, and keeps the member columns that reasons and breakdowns use.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from halqa.audience.data import TargetingData, TitleBatch, build_matrices
from halqa.audience.features import Tokens, metadata_tokens
from halqa.errors import DataError

if TYPE_CHECKING:  # DuckDB is imported by whoever opens the store
    from halqa.catalog import Store

PURPOSE = "marketing"
MEMBER_COLUMNS = ("member_id", "age_band", "region", "languages", "gender")
TITLE_COLUMNS = (
    "title_id, kind, name, names, synopses, original_language, genres, themes, region, "
    "creator_ids, release_date"
)


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


def release_seconds(value: dt.date | None) -> float:
    """Unix seconds of a release day (midnight UTC), NaN when unknown."""
    if value is None:
        return float("nan")
    return float(calendar.timegm(value.timetuple()))


def title_batch(rows: Sequence[tuple[Any, ...]]) -> TitleBatch:
    """Metadata tokens, text and release time of titles rows (``TITLE_COLUMNS``, in that order)."""
    tokens: list[Tokens] = []
    texts: list[str] = []
    release: list[float] = []
    names: list[str] = []
    for row in rows:
        title_id, kind, name, other_names, synopses, language, genres, themes = row[:8]
        region, creator_ids, release_date = row[8:]
        tokens.append(
            metadata_tokens(
                genres=as_list(genres),
                themes=as_list(themes),
                creators=as_list(creator_ids),
                languages=[language] if isinstance(language, str) and language else [],
                region=region if isinstance(region, str) else None,
                kind=kind if isinstance(kind, str) else None,
                year=float(release_date.year) if release_date is not None else None,
            )
        )
        name = name if isinstance(name, str) else ""
        extra = list(as_text_map(other_names).values())
        extra += list(as_text_map(synopses).values())
        texts.append(" ".join([name, *extra]).strip())
        names.append(name or str(title_id))
        release.append(release_seconds(release_date))
    return TitleBatch(tokens, texts, np.array(release, dtype=float), names)


def _objects(values: Sequence[Any]) -> np.ndarray:
    """A 1-d object array (``np.array`` would make a 2-d one of equally long lists)."""
    out = np.empty(len(values), dtype=object)
    for i, value in enumerate(values):
        out[i] = value
    return out


def _weight_sql() -> str:
    """Event-type weights of the recommendation engine, as a SQL CASE (unknown types count 1)."""
    from halqa.catalog.event_weights import DEFAULT_WEIGHTS

    cases = " ".join(f"WHEN '{t}' THEN {float(w)}" for t, w in DEFAULT_WEIGHTS.items())
    return f"CASE event_type {cases} ELSE 1.0 END"


def load_targeting_data(store: Store) -> TargetingData:
    """Marketing-consented members (with or without events), their events, and every title.

    Everything member-side is read through the ``members_marketing`` and
    ``events_marketing`` views; pairs whose summed event weight is not positive
    (a dislike outweighing a play) do not count as interest. Read without pandas: this is
    every ``halqa audience target`` call's start-up, and pandas alone would cost a second.
    """
    members = store.rows(
        f"SELECT {', '.join(MEMBER_COLUMNS)} FROM members_{PURPOSE} ORDER BY member_id"
    )
    if not members:
        raise DataError(f"{store.path}: no member has marketing consent; nobody can be targeted")
    titles = store.rows(f"SELECT {TITLE_COLUMNS} FROM titles ORDER BY title_id")
    # Row positions are numbered in SQL, so the events arrive as integer arrays (numpy);
    # events on titles missing from the catalogue carry no metadata and are left out.
    pairs = store.columns(f"""
        WITH m AS (SELECT member_id, row_number() OVER (ORDER BY member_id) - 1 AS pos
                   FROM members_{PURPOSE}),
             t AS (SELECT title_id, row_number() OVER (ORDER BY title_id) - 1 AS pos FROM titles),
             p AS (SELECT member_id, title_id, sum({_weight_sql()}) AS weight,
                          max(epoch(ts)) AS last_ts
                   FROM events_{PURPOSE} GROUP BY member_id, title_id
                   HAVING sum({_weight_sql()}) > 0)
        SELECT m.pos AS m, t.pos AS t, p.weight, p.last_ts
        FROM p JOIN m USING (member_id) JOIN t USING (title_id)""")
    inter, seen = build_matrices(
        np.asarray(pairs["m"], dtype=np.int64),
        np.asarray(pairs["t"], dtype=np.int64),
        np.asarray(pairs["weight"], dtype=float),
        np.asarray(pairs["last_ts"], dtype=float),
        len(members),
        len(titles),
    )
    columns = list(zip(*members))
    side = {name: _objects(columns[i]) for i, name in enumerate(MEMBER_COLUMNS) if i}
    return TargetingData(
        np.array([str(m) for m in columns[0]]),
        np.array([str(t[0]) for t in titles]),
        inter,
        seen,
        title_batch(titles),
        side,
    )

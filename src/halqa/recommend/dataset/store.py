"""Building a dataset from a store: consented events and members, every title and creator."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from halqa.errors import ConfigError
from halqa.recommend.dataset.ids import IdMap
from halqa.recommend.dataset.tables import (
    CREATOR_FEATURES,
    EVENT_COLUMNS,
    MEMBER_FEATURES,
    TITLE_FEATURES,
)
from halqa.recommend.dataset.weights import EventWeights

if TYPE_CHECKING:
    from halqa.catalog import Store
    from halqa.recommend.dataset.core import Dataset


def read_store(
    cls: type[Dataset],
    store: Store,
    weights: EventWeights | Mapping[str, float] | None,
    purpose: str,
) -> Dataset:
    """``cls.from_frame`` of the store's ``events_<purpose>`` and ``members_<purpose>`` views,
    every title (and any title id an event names that the catalogue lacks) and creator."""
    from halqa.catalog import CONSENT_PURPOSES

    if purpose not in CONSENT_PURPOSES:
        raise ConfigError(
            f"unknown consent purpose '{purpose}': use one of {', '.join(CONSENT_PURPOSES)}"
        )
    titles = store.df(f"SELECT title_id, {', '.join(TITLE_FEATURES)} FROM titles")
    members = store.df(f"SELECT member_id, {', '.join(MEMBER_FEATURES)} FROM members_{purpose}")
    creators = store.df(f"SELECT creator_id, {', '.join(CREATOR_FEATURES)} FROM creators")
    orphans = store.df(
        f"SELECT DISTINCT title_id FROM events_{purpose} "
        "WHERE title_id NOT IN (SELECT title_id FROM titles) ORDER BY title_id"
    )
    ds = cls.from_frame(
        pd.DataFrame(columns=list(EVENT_COLUMNS)),
        titles=pd.concat([titles, orphans], ignore_index=True),
        members=members,
        creators=creators,
        weights=weights,
    )
    events = encode_in_duckdb(store, f"events_{purpose}", ds.members, ds.titles, ds.weights)
    return replace(ds, events=events)


def encode_in_duckdb(
    store: Store, view: str, members: IdMap, titles: IdMap, weights: EventWeights
) -> pd.DataFrame:
    """Dense codes by a join inside DuckDB: millions of string ids never become Python objects."""
    import pyarrow as pa

    con = store.con
    con.register(
        "_halqa_member_ids",
        pa.table(
            {
                "member_id": pa.array(members.external.tolist()),
                "member_idx": np.arange(len(members), dtype=np.int32),
            }
        ),
    )
    con.register(
        "_halqa_title_ids",
        pa.table(
            {
                "title_id": pa.array(titles.external.tolist()),
                "title_idx": np.arange(len(titles), dtype=np.int32),
            }
        ),
    )
    try:
        ev = store.arrow(f"""SELECT m.member_idx, t.title_idx, e.event_type, \
epoch(e.ts)::BIGINT AS ts,
                                    e.value::DOUBLE AS value
                             FROM {view} e JOIN _halqa_member_ids m USING (member_id)
                             JOIN _halqa_title_ids t USING (title_id)
                             ORDER BY m.member_idx, ts, t.title_idx""")
    finally:
        con.unregister("_halqa_member_ids")
        con.unregister("_halqa_title_ids")
    types = pd.Categorical(ev.column("event_type").dictionary_encode().combine_chunks().to_pandas())
    value = pd.Series(ev.column("value").to_numpy(zero_copy_only=False), dtype=np.float64)
    return pd.DataFrame(
        {
            "member_idx": ev.column("member_idx").to_numpy().astype(np.int32),
            "title_idx": ev.column("title_idx").to_numpy().astype(np.int32),
            "event_type": types,
            "ts": ev.column("ts").to_numpy().astype(np.int64),
            "value": value.to_numpy(),
            "weight": weights.of(pd.Series(types), value),
        }
    )

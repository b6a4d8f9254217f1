"""Growing a dataset after fit: new events (fold-in), new or updated titles and members.

Id maps only append, so every dense index a fitted model holds stays valid; what was derived
from the old dataset is carried over where it still holds (``Dataset.carry_cache``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Literal

import pandas as pd

from halqa.recommend.dataset.tables import (
    MEMBER_FEATURES,
    TITLE_FEATURES,
    align_index,
    clean_events,
    encode_events,
    keyed,
)
from halqa.recommend.frames import to_pandas

if TYPE_CHECKING:
    from halqa.recommend.dataset.core import Dataset


def with_events(ds: Dataset, events: Any) -> Dataset:
    """``ds`` plus ``events``; new member/title ids are appended to the maps."""
    ev = clean_events(to_pandas(events, "events"))
    bigger = grow(ds, members=ev["member_id"], titles=ev["title_id"])
    encoded = encode_events(ev, bigger.members, bigger.titles, bigger.weights)
    grown = replace(bigger, events=pd.concat([bigger.events, encoded], ignore_index=True))
    grown.carry_cache(ds, encoded)
    return grown


def with_features(ds: Dataset, table: Any, what: Literal["titles", "members"]) -> Dataset:
    """``ds`` with the side features of titles or members added or updated (new ids appended)."""
    key, columns, attr = (
        ("title_id", TITLE_FEATURES, "title_features")
        if what == "titles"
        else ("member_id", MEMBER_FEATURES, "member_features")
    )
    frame = keyed(to_pandas(table, what), key, columns, what)
    bigger = grow(ds, **{what: frame.index})
    features = getattr(bigger, attr).copy()
    idx = getattr(bigger, what).to_internal(frame.index)
    for col in columns:
        features.loc[idx, col] = pd.Series(list(frame[col]), index=idx, dtype=object)
    return replace(bigger, **{attr: features})


def grow(ds: Dataset, members: Iterable[Any] = (), titles: Iterable[Any] = ()) -> Dataset:
    """``ds`` with ``members`` and ``titles`` it does not know appended (empty side features)."""
    mm, tm = ds.members.extend(members), ds.titles.extend(titles)
    return replace(
        ds,
        members=mm,
        titles=tm,
        member_features=align_index(ds.member_features, len(mm), MEMBER_FEATURES),
        title_features=align_index(ds.title_features, len(tm), TITLE_FEATURES),
    )

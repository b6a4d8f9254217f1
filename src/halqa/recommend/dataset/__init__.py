"""What every recommender is fitted on: events as a member × title confidence matrix, with id maps
and the side features of titles, creators and members.

External ids (the store's ``member_id`` / ``title_id`` strings) map to dense integers with
:class:`IdMap`. Maps only ever grow (``with_events``/``with_titles`` append), so a dense index
stays valid for the life of a fitted model: that is what lets fold-in and new titles work
without retraining.

One job a module: ``weights`` (event-type confidence), ``ids`` (``IdMap``), ``tables`` (the
canonical columns, cleaning and encoding), ``timestamps``, ``store`` (building from a store),
``growth`` (fold-in and new titles/members), ``matrices`` (what is derived from the events) and
``core`` (the :class:`Dataset` itself).

Example:
    >>> ds = Dataset.from_store(store)                      # consented events only
    >>> ds = Dataset.from_frame(events_df, titles=titles_df)  # canonical columns
    >>> ds.matrix()                                         # scipy CSR, members × titles
"""

from halqa.recommend.dataset.core import Dataset
from halqa.recommend.dataset.ids import IdMap
from halqa.recommend.dataset.tables import (
    CREATOR_FEATURES,
    EVENT_COLUMNS,
    LIST_COLUMNS,
    MEMBER_FEATURES,
    TITLE_FEATURES,
)
from halqa.recommend.dataset.weights import COUNTED_EVENTS, DEFAULT_WEIGHTS, EventWeights

__all__ = [
    "COUNTED_EVENTS",
    "CREATOR_FEATURES",
    "DEFAULT_WEIGHTS",
    "EVENT_COLUMNS",
    "LIST_COLUMNS",
    "MEMBER_FEATURES",
    "TITLE_FEATURES",
    "Dataset",
    "EventWeights",
    "IdMap",
]

"""The dataset every recommender is fitted on: events, id maps and side features, and the
matrices derived from them (computed once per dataset version, in its cache)."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np
import pandas as pd
import scipy.sparse as sp

from halqa.recommend.dataset import growth, matrices
from halqa.recommend.dataset.ids import IdMap, as_keys
from halqa.recommend.dataset.tables import (
    CREATOR_FEATURES,
    MEMBER_FEATURES,
    TITLE_FEATURES,
    align,
    clean_events,
    encode_events,
    keyed,
)
from halqa.recommend.dataset.weights import EventWeights
from halqa.recommend.frames import to_pandas

if TYPE_CHECKING:
    from halqa.catalog import Store

T = TypeVar("T")


@dataclass(frozen=True, eq=False)
class Dataset:
    """Events, id maps and side features. Build with ``from_store`` or ``from_frame``.

    ``events`` holds ``member_idx, title_idx, event_type, ts (unix seconds), value, weight``.
    ``titles``/``members`` are indexed by dense index (rows for every known id, NaN when unknown);
    ``creators`` is indexed by ``creator_id``.
    """

    members: IdMap
    titles: IdMap
    events: pd.DataFrame
    title_features: pd.DataFrame
    member_features: pd.DataFrame
    creators: pd.DataFrame
    weights: EventWeights = field(default_factory=EventWeights)
    _cache: dict[Hashable, Any] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_cache", {})  # per-instance: replace() builds a fresh one

    def __getstate__(self) -> dict[str, Any]:
        """Saved models carry the events, not the matrices derived from them (rebuilt on use)."""
        return {k: v for k, v in self.__dict__.items() if k != "_cache"}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        object.__setattr__(self, "_cache", {})

    # -- building ------------------------------------------------------------------------------
    @classmethod
    def from_frame(
        cls,
        events: Any,
        *,
        titles: Any = None,
        members: Any = None,
        creators: Any = None,
        weights: EventWeights | Mapping[str, float] | None = None,
    ) -> Dataset:
        """Build from tables with canonical columns
        (``member_id, title_id, event_type, ts, value``).

        ``event_type`` defaults to ``play`` and ``value`` to empty when absent. Titles, members and
        creators are optional side tables keyed by ``title_id`` / ``member_id`` / ``creator_id``.
        """
        ev = clean_events(to_pandas(events, "events"))
        tf = keyed(to_pandas(titles, "titles"), "title_id", TITLE_FEATURES, "titles")
        mf = keyed(to_pandas(members, "members"), "member_id", MEMBER_FEATURES, "members")
        cf = keyed(to_pandas(creators, "creators"), "creator_id", CREATOR_FEATURES, "creators")
        member_map = IdMap.from_values(
            np.concatenate([as_keys(mf.index), as_keys(ev["member_id"])])
        )
        title_map = IdMap.from_values(np.concatenate([as_keys(tf.index), as_keys(ev["title_id"])]))
        event_weights = EventWeights.parse(weights)
        return cls(
            member_map,
            title_map,
            encode_events(ev, member_map, title_map, event_weights),
            align(tf, title_map, TITLE_FEATURES),
            align(mf, member_map, MEMBER_FEATURES),
            cf,
            event_weights,
        )

    @classmethod
    def from_store(
        cls,
        store: Store,
        *,
        weights: EventWeights | Mapping[str, float] | None = None,
        purpose: str = "personalisation",
    ) -> Dataset:
        """Read the consented events and members (``events_<purpose>``, ``members_<purpose>``),
        every title and creator."""
        from halqa.recommend.dataset.store import read_store

        return read_store(cls, store, weights, purpose)

    # -- growing (fold-in, new titles) ---------------------------------------------------------
    def with_events(self, events: Any) -> Dataset:
        """This dataset plus ``events``; new member/title ids are appended to the maps."""
        return growth.with_events(self, events)

    def with_titles(self, titles: Any) -> Dataset:
        """This dataset plus (or with updated) title metadata; no events needed."""
        return growth.with_features(self, titles, "titles")

    def with_members(self, members: Any) -> Dataset:
        """This dataset plus (or with updated) member side features (e.g. a new cold member)."""
        return growth.with_features(self, members, "members")

    def subset(self, mask: np.ndarray) -> Dataset:
        """Same id maps and features, only the events where ``mask`` is true (for splits)."""
        return replace(
            self, events=self.events[np.asarray(mask, dtype=bool)].reset_index(drop=True)
        )

    def carry_cache(self, parent: Dataset, added: pd.DataFrame) -> None:
        """Carry what ``parent`` derived over to this copy grown by the events ``added``.

        A fold-in adds a handful of events to millions: the summed matrices grow by one sparse
        addition, and what depends only on the titles (or only on the members) is kept when
        that side did not change. Everything else is rebuilt lazily, as usual.
        """
        if "sums" in parent._cache:
            shape = (self.n_members, self.n_titles)
            conf, seen = parent._cache["sums"]
            add_conf, add_seen = matrices.sum_matrices(added, shape)
            self._cache["sums"] = (
                matrices.resized(conf, shape) + add_conf,
                matrices.resized(seen, shape) + add_seen,
            )
        for key, value in parent._cache.items():
            side = key[0] if isinstance(key, tuple) else None
            if (side == "titles" and self.titles is parent.titles) or (
                side == "members" and self.members is parent.members
            ):
                self._cache[key] = value

    # -- views ---------------------------------------------------------------------------------
    @property
    def n_members(self) -> int:
        return len(self.members)

    @property
    def n_titles(self) -> int:
        return len(self.titles)

    @property
    def shape(self) -> tuple[int, int]:
        """(members, titles): the shape of every members × titles matrix."""
        return (self.n_members, self.n_titles)

    def cached(self, key: Hashable, build: Callable[[], T]) -> T:
        """``build()`` once per dataset: a value derived from it, e.g. a model's or explainer's
        look-up table. Keys starting with ``"titles"`` (or ``"members"``) must depend on that
        side only; they survive ``with_events`` when no new title (member) came in."""
        if key not in self._cache:
            self._cache[key] = build()
        value: T = self._cache[key]
        return value

    def matrix(self) -> sp.csr_matrix:
        """Members × titles confidence (summed event weights; ≤ 0 dropped), float32 CSR."""
        return self._matrices()[0]

    def seen(self) -> sp.csr_matrix:
        """Members × titles, 1 where the member had any event on the title (even a skip)."""
        return self._matrices()[1]

    def _matrices(self) -> tuple[sp.csr_matrix, sp.csr_matrix]:
        def build() -> tuple[sp.csr_matrix, sp.csr_matrix]:
            sums, counts = self._sums()
            return matrices.confidence_and_seen(sums, counts, binary=self.weights.binary)

        return self.cached("matrices", build)

    def _sums(self) -> tuple[sp.csr_matrix, sp.csr_matrix]:
        """Summed event weights and event counts per (member, title), before any clipping:
        what a fold-in can update by addition."""
        return self.cached("sums", lambda: matrices.sum_matrices(self.events, self.shape))

    def recency_matrix(self, half_life: float) -> sp.csr_matrix:
        """Like ``matrix()`` but each event also decays by its position from the member's latest
        one: 2^(−position / half_life), position 0 = most recent (ties broken by title id).

        Recent titles say most about what a member picks next; this is the profile halqa's
        best models score from.
        """
        return self.cached(
            ("recency", float(half_life)),
            lambda: matrices.recency_matrix(self.events, self.title_order(), self.shape, half_life),
        )

    def title_order(self) -> np.ndarray:
        """Rank of each title id in natural order (numeric ids as numbers, else as text): the
        deterministic tie-break for events at the same second."""
        return self.cached(
            ("titles", "order"), lambda: matrices.natural_order(self.titles.external)
        )

    def last_ts(self) -> np.ndarray:
        """Latest event time per member (unix s); 0 for members with no events."""
        return self.cached("last_ts", lambda: matrices.last_ts(self.events, self.n_members))

    def member_index(self, ids: Iterable[Any], *, strict: bool = True) -> np.ndarray:
        return self.members.to_internal(ids, strict=strict, what="member")

    def title_index(self, ids: Iterable[Any], *, strict: bool = True) -> np.ndarray:
        return self.titles.to_internal(ids, strict=strict, what="title")

    def title_names(self, idx: np.ndarray) -> list[str]:
        """Display names (byte-exact), falling back to the title id."""
        names = (
            self.title_features["name"].to_numpy()[idx]
            if len(self.title_features)
            else [None] * len(idx)
        )
        return [
            n if isinstance(n, str) and n else str(t)
            for n, t in zip(names, self.titles.to_external(idx), strict=True)
        ]

    def to_frame(self) -> pd.DataFrame:
        """Events with external ids (``member_id, title_id, event_type, ts, value, weight``)."""
        ev = self.events
        return pd.DataFrame(
            {
                "member_id": self.members.to_external(ev["member_idx"]),
                "title_id": self.titles.to_external(ev["title_idx"]),
                "event_type": ev["event_type"],
                "ts": ev["ts"],
                "value": ev["value"],
                "weight": ev["weight"],
            }
        )

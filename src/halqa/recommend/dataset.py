"""What every recommender is fitted on: events as a member × title confidence matrix, with id maps
and the side features of titles, creators and members.

External ids (the store's ``member_id`` / ``title_id`` strings) map to dense integers with
:class:`IdMap`. Maps only ever grow (``with_events``/``with_titles`` append), so a dense index
stays valid for the life of a fitted model: that is what lets fold-in and new titles work
without retraining.

Example:
    >>> ds = Dataset.from_store(store)                      # consented events only
    >>> ds = Dataset.from_frame(events_df, titles=titles_df)  # canonical columns
    >>> ds.matrix()                                         # scipy CSR, members × titles
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from halqa.errors import ConfigError, DataError, NotFoundError
from halqa.recommend.frames import require_columns, to_pandas

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

# complete > like > share > add_to_list > play > skip; a dislike removes preference but
# still counts as seen. Every weight is configurable per dataset.
DEFAULT_WEIGHTS = MappingProxyType(
    {
        "complete": 4.0,
        "like": 3.0,
        "share": 3.0,
        "add_to_list": 2.0,
        "download": 2.0,
        "rate": 2.0,
        "view": 1.0,
        "play": 1.0,
        "listen": 1.0,
        "search_click": 0.5,
        "skip": 0.1,
        "dislike": -4.0,
    }
)


# Event types whose value is an amount of use (plays, seconds): more of it is more confidence.
COUNTED_EVENTS = ("play", "listen", "view")


@dataclass(frozen=True)
class EventWeights:
    """Confidence each event type adds to a (member, title) pair.

    ``binary=True`` makes every pair with any positive event worth 1 (the MovieLens protocol).
    ``rating_scale`` multiplies ``rate`` events by ``value / rating_scale`` when a value is given.
    ``counted``: event types whose value means *more of it* (a play count, seconds listened or
    watched). Their weight is multiplied by ``1 + ln(1 + value)``: 1 play counts 1.7×, 10 plays
    3.4×, 100 plays 5.6×, an hour of listening 9.2×. Confidence grows with use but a heavy
    listener's favourite does not drown everything else (the log scaling of Hu, Koren & Volinsky
    2008, and of Johnson's logistic MF, for play counts).
    """

    weights: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    default: float = 1.0
    binary: bool = False
    rating_scale: float | None = 5.0
    counted: tuple[str, ...] = COUNTED_EVENTS

    @classmethod
    def parse(cls, value: EventWeights | Mapping[str, float] | None) -> EventWeights:
        if value is None:
            return cls()
        if isinstance(value, EventWeights):
            return value
        bad = [k for k, v in value.items() if not isinstance(v, (int, float))]
        if bad:
            raise ConfigError(f"event weights must be numbers; got {bad[0]}={value[bad[0]]!r}")
        return cls(weights={**DEFAULT_WEIGHTS, **{k: float(v) for k, v in value.items()}})

    def of(self, event_type: pd.Series, value: pd.Series) -> np.ndarray:
        codes, kinds = pd.factorize(event_type)  # a dozen event types: map those, not every row
        per_kind = np.array(
            [self.weights.get(str(k), self.default) for k in kinds] + [self.default]
        )
        w = per_kind[codes].astype(np.float64)  # code -1 (missing type) picks the default
        if self.rating_scale and "rate" in set(map(str, kinds)):
            is_rate = (codes == list(map(str, kinds)).index("rate")) & value.notna().to_numpy()
            w[is_rate] = (
                w[is_rate]
                * value.to_numpy(dtype=np.float64, na_value=0.0)[is_rate]
                / self.rating_scale
            )
        counted = [i for i, k in enumerate(map(str, kinds)) if k in self.counted]
        if counted:
            amount = value.to_numpy(dtype=np.float64, na_value=0.0)
            more = np.isin(codes, counted) & (amount > 0)
            w[more] = w[more] * (1.0 + np.log1p(amount[more]))
        return w


@dataclass(frozen=True, eq=False)
class IdMap:
    """External ids (strings) ↔ dense integers ``0..n-1``, in insertion order."""

    external: np.ndarray

    @classmethod
    def from_values(cls, values: Any) -> IdMap:
        return cls(np.asarray(pd.unique(_keys(values)), dtype=object))

    @cached_property
    def _index(self) -> pd.Index:
        return pd.Index(self.external)

    def __len__(self) -> int:
        return len(self.external)

    def __contains__(self, key: object) -> bool:
        return str(key) in self._index

    def to_internal(
        self, ids: Iterable[Any], *, strict: bool = True, what: str = "id"
    ) -> np.ndarray:
        """Dense indices of ``ids``; unknown ids raise NotFoundError, or give -1 when not strict."""
        keys = _keys(ids)
        idx = self._index.get_indexer(keys)
        if strict and (idx < 0).any():
            unknown = keys[idx < 0][0]
            raise NotFoundError(f"unknown {what} '{unknown}'")
        return idx.astype(np.int64)

    def to_external(self, idx: np.ndarray | Iterable[int]) -> np.ndarray:
        return self.external[np.asarray(idx, dtype=np.int64)]

    def extend(self, ids: Iterable[Any]) -> IdMap:
        """A map with the new ids appended; existing indices do not move."""
        new = pd.Index(pd.unique(_keys(ids)))
        # get_indexer probes the map's hash table; Index.isin on Arrow strings loops in Python.
        new = new[self._index.get_indexer(new) < 0]
        if len(new) == 0:
            return self
        return IdMap(np.concatenate([self.external, np.asarray(new, dtype=object)]))


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
    _cache: dict = field(init=False, repr=False, compare=False)

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
        """Build from tables with canonical columns (``member_id, title_id, event_type, ts, value``).

        ``event_type`` defaults to ``play`` and ``value`` to empty when absent. Titles, members and
        creators are optional side tables keyed by ``title_id`` / ``member_id`` / ``creator_id``.
        """
        ev = _clean_events(to_pandas(events, "events"))
        tf = _keyed(to_pandas(titles, "titles"), "title_id", TITLE_FEATURES, "titles")
        mf = _keyed(to_pandas(members, "members"), "member_id", MEMBER_FEATURES, "members")
        cf = _keyed(to_pandas(creators, "creators"), "creator_id", CREATOR_FEATURES, "creators")
        member_map = IdMap.from_values(np.concatenate([_keys(mf.index), _keys(ev["member_id"])]))
        title_map = IdMap.from_values(np.concatenate([_keys(tf.index), _keys(ev["title_id"])]))
        ds = cls(
            member_map,
            title_map,
            pd.DataFrame(),
            pd.DataFrame(),
            pd.DataFrame(),
            cf,
            EventWeights.parse(weights),
        )
        return replace(
            ds,
            events=ds._encode(ev),
            title_features=_align(tf, title_map, TITLE_FEATURES),
            member_features=_align(mf, member_map, MEMBER_FEATURES),
        )

    @classmethod
    def from_store(
        cls,
        store: Any,
        *,
        weights: EventWeights | Mapping[str, float] | None = None,
        purpose: str = "personalisation",
    ) -> Dataset:
        """Read the consented events and members (``events_<purpose>``, ``members_<purpose>``),
        every title and creator."""
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
        return replace(ds, events=ds._encode_in_duckdb(store, f"events_{purpose}"))

    def _encode_in_duckdb(self, store: Any, view: str) -> pd.DataFrame:
        """Dense codes by a join inside DuckDB: millions of string ids never become Python objects."""
        import pyarrow as pa

        con = store.con
        con.register(
            "_halqa_member_ids",
            pa.table(
                {
                    "member_id": pa.array(self.members.external.tolist()),
                    "member_idx": np.arange(self.n_members, dtype=np.int32),
                }
            ),
        )
        con.register(
            "_halqa_title_ids",
            pa.table(
                {
                    "title_id": pa.array(self.titles.external.tolist()),
                    "title_idx": np.arange(self.n_titles, dtype=np.int32),
                }
            ),
        )
        try:
            ev = store.arrow(f"""SELECT m.member_idx, t.title_idx, e.event_type, epoch(e.ts)::BIGINT AS ts,
                                        e.value::DOUBLE AS value
                                 FROM {view} e JOIN _halqa_member_ids m USING (member_id)
                                 JOIN _halqa_title_ids t USING (title_id)
                                 ORDER BY m.member_idx, ts, t.title_idx""")
        finally:
            con.unregister("_halqa_member_ids")
            con.unregister("_halqa_title_ids")
        types = pd.Categorical(
            ev.column("event_type").dictionary_encode().combine_chunks().to_pandas()
        )
        value = pd.Series(ev.column("value").to_numpy(zero_copy_only=False), dtype=np.float64)
        return pd.DataFrame(
            {
                "member_idx": ev.column("member_idx").to_numpy().astype(np.int32),
                "title_idx": ev.column("title_idx").to_numpy().astype(np.int32),
                "event_type": types,
                "ts": ev.column("ts").to_numpy().astype(np.int64),
                "value": value.to_numpy(),
                "weight": self.weights.of(pd.Series(types), value),
            }
        )

    def _encode(self, ev: pd.DataFrame) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "member_idx": self.members.to_internal(ev["member_id"]).astype(np.int32),
                "title_idx": self.titles.to_internal(ev["title_id"]).astype(np.int32),
                "event_type": ev["event_type"].astype(str).to_numpy(),
                "ts": ev["ts"].to_numpy(dtype=np.int64),
                "value": ev["value"].to_numpy(dtype=np.float64),
                "weight": self.weights.of(ev["event_type"], ev["value"]),
            }
        )

    # -- growing (fold-in, new titles) ---------------------------------------------------------
    def with_events(self, events: Any) -> Dataset:
        """This dataset plus ``events``; new member/title ids are appended to the maps."""
        ev = _clean_events(to_pandas(events, "events"))
        ds = self._grow(members=ev["member_id"], titles=ev["title_id"])
        encoded = ds._encode(ev)
        grown = replace(ds, events=pd.concat([ds.events, encoded], ignore_index=True))
        grown._inherit_cache(self, encoded)
        return grown

    def _inherit_cache(self, parent: Dataset, added: pd.DataFrame) -> None:
        """Carry what ``parent`` derived over to this grown copy instead of rebuilding it.

        A fold-in adds a handful of events to millions: the summed matrices grow by one sparse
        addition, and what depends only on the titles (or only on the members) is kept when
        that side did not change. Everything else is rebuilt lazily, as usual.
        """
        if "sums" in parent._cache:
            shape = (self.n_members, self.n_titles)
            conf, seen = parent._cache["sums"]
            add_conf, add_seen = _sum_matrices(added, shape)
            self._cache["sums"] = (
                _resized(conf, shape) + add_conf,
                _resized(seen, shape) + add_seen,
            )
        for key, value in parent._cache.items():
            side = key[0] if isinstance(key, tuple) else None
            if (side == "titles" and self.titles is parent.titles) or (
                side == "members" and self.members is parent.members
            ):
                self._cache[key] = value

    def with_titles(self, titles: Any) -> Dataset:
        """This dataset plus (or with updated) title metadata; no events needed."""
        return self._with_features(titles, "titles")

    def with_members(self, members: Any) -> Dataset:
        """This dataset plus (or with updated) member side features (e.g. a new cold member)."""
        return self._with_features(members, "members")

    def _with_features(self, table: Any, what: str) -> Dataset:
        """Add or update the side features of titles or members, growing the id map for new ids."""
        key, columns, attr = (
            ("title_id", TITLE_FEATURES, "title_features")
            if what == "titles"
            else ("member_id", MEMBER_FEATURES, "member_features")
        )
        frame = _keyed(to_pandas(table, what), key, columns, what)
        ds = self._grow(**{what: frame.index})
        features = getattr(ds, attr).copy()
        idx = getattr(ds, what).to_internal(frame.index)
        for col in columns:
            features.loc[idx, col] = pd.Series(list(frame[col]), index=idx, dtype=object)
        return replace(ds, **{attr: features})

    def _grow(self, members: Iterable[Any] = (), titles: Iterable[Any] = ()) -> Dataset:
        mm, tm = self.members.extend(members), self.titles.extend(titles)
        return replace(
            self,
            members=mm,
            titles=tm,
            member_features=_align_index(self.member_features, len(mm), MEMBER_FEATURES),
            title_features=_align_index(self.title_features, len(tm), TITLE_FEATURES),
        )

    def subset(self, mask: np.ndarray) -> Dataset:
        """Same id maps and features, only the events where ``mask`` is true (for splits)."""
        return replace(
            self, events=self.events[np.asarray(mask, dtype=bool)].reset_index(drop=True)
        )

    # -- views ---------------------------------------------------------------------------------
    @property
    def n_members(self) -> int:
        return len(self.members)

    @property
    def n_titles(self) -> int:
        return len(self.titles)

    def matrix(self) -> sp.csr_matrix:
        """Members × titles confidence (summed event weights; ≤ 0 dropped), float32 CSR."""
        return self._matrices[0]

    def seen(self) -> sp.csr_matrix:
        """Members × titles, 1 where the member had any event on the title (even a skip)."""
        return self._matrices[1]

    def cached(self, key: Any, build: Any) -> Any:
        """``build()`` once per dataset: a value derived from it, e.g. a model's or explainer's
        look-up table. Keys starting with ``"titles"`` (or ``"members"``) must depend on that
        side only; they survive ``with_events`` when no new title (member) came in."""
        if key not in self._cache:
            self._cache[key] = build()
        return self._cache[key]

    @property
    def _matrices(self) -> tuple[sp.csr_matrix, sp.csr_matrix]:
        return self.cached("matrices", self._build_matrices)

    def _sums(self) -> tuple[sp.csr_matrix, sp.csr_matrix]:
        """Summed event weights and event counts per (member, title), before any clipping:
        what a fold-in can update by addition."""
        return self.cached(
            "sums", lambda: _sum_matrices(self.events, (self.n_members, self.n_titles))
        )

    def _build_matrices(self) -> tuple[sp.csr_matrix, sp.csr_matrix]:
        sums, counts = self._sums()
        conf = sums.copy()
        if self.weights.binary:
            conf.data = (conf.data > 0).astype(np.float64)
        conf.data[conf.data < 0] = 0.0
        conf.eliminate_zeros()
        seen = counts.copy()
        seen.data[:] = 1.0
        return conf.astype(np.float32), seen.astype(np.float32)

    def recency_matrix(self, half_life: float) -> sp.csr_matrix:
        """Like ``matrix()`` but each event also decays by its position from the member's latest
        one: 2^(−position / half_life), position 0 = most recent (ties broken by title id).

        Recent titles say most about what a member picks next; this is the profile halqa's
        best models score from.
        """
        return self.cached(("recency", float(half_life)), lambda: self._recency_matrix(half_life))

    def _recency_matrix(self, half_life: float) -> sp.csr_matrix:
        ev = self.events
        order = np.lexsort(
            (
                self.title_order()[ev["title_idx"].to_numpy()],
                ev["ts"].to_numpy(),
                ev["member_idx"].to_numpy(),
            )
        )
        members = ev["member_idx"].to_numpy()[order]
        counts = np.bincount(members, minlength=self.n_members)
        ends = np.cumsum(counts)[members]
        from_end = ends - 1 - np.arange(len(order))
        w = ev["weight"].to_numpy()[order] * np.exp2(-from_end / half_life)
        m = sp.csr_matrix(
            (w, (members, ev["title_idx"].to_numpy()[order])),
            shape=(self.n_members, self.n_titles),
            dtype=np.float64,
        )
        m.sum_duplicates()
        m.data[m.data < 0] = 0.0
        m.eliminate_zeros()
        return m.astype(np.float32)

    def title_order(self) -> np.ndarray:
        """Rank of each title id in natural order (numeric ids as numbers, else as text): the
        deterministic tie-break for events at the same second."""
        return self.cached(("titles", "order"), self._title_order)

    def _title_order(self) -> np.ndarray:
        ids = pd.Series(self.titles.external)
        key = pd.DataFrame({"num": pd.to_numeric(ids, errors="coerce").fillna(np.inf), "text": ids})
        order = key.sort_values(["num", "text"], kind="stable").index.to_numpy()
        rank = np.empty(len(ids), dtype=np.int64)
        rank[order] = np.arange(len(ids))
        return rank

    def last_ts(self) -> np.ndarray:
        """Latest event time per member (unix s); 0 for members with no events."""

        def build() -> np.ndarray:
            out = np.zeros(self.n_members, dtype=np.int64)
            if len(self.events):
                np.maximum.at(
                    out, self.events["member_idx"].to_numpy(), self.events["ts"].to_numpy()
                )
            return out

        return self.cached("last_ts", build)

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
            for n, t in zip(names, self.titles.to_external(idx))
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


# -- helpers ------------------------------------------------------------------------------------
def _keys(ids: Any) -> np.ndarray:
    """Ids as an object array of str, without a Python-level loop for Series/arrays."""
    if isinstance(ids, (str, bytes)) or np.ndim(ids) == 0:
        ids = [ids]
    if not isinstance(ids, (pd.Series, pd.Index, np.ndarray)):
        ids = list(ids)
    series = (
        pd.Series(ids, dtype=object)
        if isinstance(ids, list)
        else pd.Series(np.asarray(ids, dtype=object))
    )
    return series.astype(str).to_numpy(dtype=object)


def _clean_events(ev: pd.DataFrame) -> pd.DataFrame:
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
    ev["ts"] = _unix_seconds(ev["ts"])
    ev["value"] = pd.to_numeric(ev["value"], errors="coerce")
    return ev


def _unix_seconds(ts: pd.Series) -> pd.Series:
    """Timestamps (datetime, ISO text, unix s or ms) as int64 unix seconds."""
    if pd.api.types.is_numeric_dtype(ts):
        values = ts.to_numpy(dtype=np.float64)
        if np.isnan(values).any():
            raise DataError("events: ts has empty values; every event needs a time")
        return pd.Series(
            np.where(values > 1e11, values / 1000, values).astype(np.int64), index=ts.index
        )
    try:
        parsed = pd.to_datetime(ts, utc=True, format="mixed")
    except (ValueError, TypeError) as exc:
        raise DataError(f"events: ts is not a time ({exc}); use ISO-8601 or unix seconds") from None
    if parsed.isna().any():
        raise DataError("events: ts has empty values; every event needs a time")
    return pd.Series(
        parsed.astype("datetime64[us, UTC]").astype(np.int64) // 1_000_000, index=ts.index
    )


def _keyed(frame: pd.DataFrame, key: str, columns: tuple[str, ...], what: str) -> pd.DataFrame:
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
            out[col] = [_as_list(v) for v in out[col]]
    return out[list(columns)]


def _as_list(value: Any) -> list[str] | None:
    if isinstance(value, str):
        return [v for v in (p.strip() for p in value.replace("|", ",").split(",")) if v]
    if np.ndim(value) == 0:  # None, NaN, pd.NA: no list
        return None
    return [str(v) for v in list(value)]


def _align(features: pd.DataFrame, ids: IdMap, columns: tuple[str, ...]) -> pd.DataFrame:
    out = features.reindex(pd.Index(ids.external)).reset_index(drop=True)
    return out.astype(object).where(out.notna(), None)[list(columns)]


def _sum_matrices(ev: pd.DataFrame, shape: tuple[int, int]) -> tuple[sp.csr_matrix, sp.csr_matrix]:
    """Canonical CSR sums of the events' weights and counts (float64: exact under addition)."""
    rows, cols = ev["member_idx"].to_numpy(), ev["title_idx"].to_numpy()
    weights = sp.csr_matrix((ev["weight"].to_numpy(dtype=np.float64), (rows, cols)), shape=shape)
    counts = sp.csr_matrix((np.ones(len(ev)), (rows, cols)), shape=shape)
    weights.sum_duplicates()
    counts.sum_duplicates()
    return weights, counts


def _resized(m: sp.csr_matrix, shape: tuple[int, int]) -> sp.csr_matrix:
    """``m`` with empty rows/columns appended up to ``shape`` (maps only grow)."""
    if m.shape == shape:
        return m
    indptr = np.concatenate(
        [m.indptr, np.full(shape[0] - m.shape[0], m.indptr[-1], dtype=m.indptr.dtype)]
    )
    return sp.csr_matrix((m.data, m.indices, indptr), shape=shape)


def _align_index(features: pd.DataFrame, n: int, columns: tuple[str, ...]) -> pd.DataFrame:
    if len(features) == n:
        return features
    out = features.reindex(range(n)).astype(object)
    return out.where(out.notna(), None)[list(columns)]

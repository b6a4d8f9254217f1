"""A short reason a person understands, for every recommended title.

Reasons are chosen from the member's own history and the catalogue, most specific first:
an artist they follow, a title they watched that co-occurs with the pick, a genre they favour,
what their age band in their region watches (only when at least ``k_anonymity`` members stand
behind it), then plain popularity. Titles and names are inserted byte-exact (Arabic, Tifinagh).
"""

from __future__ import annotations

from collections import Counter
from functools import cached_property

import numpy as np
import pandas as pd
import scipy.sparse as sp

from halqa.catalog import taxonomy
from halqa.errors import ConfigError
from halqa.recommend.dataset import Dataset

TEMPLATES = {
    "en": {
        "new_from": "new from {creator}, an artist you listen to",
        "more_from": "more from {creator}, whose work you watched",
        "watched": "because you watched {title}",
        "listened": "because you listened to {title}",
        "genre": "matches your taste for {genre}",
        "segment_region": "popular among {age} in {region}",
        "segment": "popular among {age}",
        "popular": "popular on halqa right now",
        "local": "Moroccan talent to discover: {creator}",
    },
    "fr": {
        "new_from": "nouveau de {creator}, un artiste que vous écoutez",
        "more_from": "encore {creator}, dont vous avez vu le travail",
        "watched": "parce que vous avez regardé {title}",
        "listened": "parce que vous avez écouté {title}",
        "genre": "correspond à votre goût pour {genre}",
        "segment_region": "populaire chez les {age} de {region}",
        "segment": "populaire chez les {age}",
        "popular": "populaire sur halqa en ce moment",
        "local": "talent marocain à découvrir : {creator}",
    },
    "ar": {
        "new_from": "جديد من {creator}، فنان تستمع إليه",
        "more_from": "المزيد من {creator} الذي شاهدت أعماله",
        "watched": "لأنك شاهدت {title}",
        "listened": "لأنك استمعت إلى {title}",
        "genre": "يوافق ذوقك في {genre}",
        "segment_region": "رائج بين فئة {age} في {region}",
        "segment": "رائج بين فئة {age}",
        "popular": "رائج على حلقة الآن",
        "local": "موهبة مغربية لتكتشفها: {creator}",
    },
}
LANGS = tuple(TEMPLATES)
_MIN_COOCCURRENCE = 0.05
_NEW_WITHIN_DAYS = 365
_DENSE_COOCCURRENCE_UP_TO = 8_000  # titles (8k² float32 = 256 MB)


class Explainer:
    """Builds reasons for (member, picks) from one dataset; cheap to reuse across members."""

    def __init__(self, dataset: Dataset, lang: str = "en", k_anonymity: int = 10) -> None:
        if lang not in TEMPLATES:
            raise ConfigError(f"unknown reason language '{lang}': use one of {', '.join(LANGS)}")
        self.ds, self.t, self.k = dataset, TEMPLATES[lang], k_anonymity
        self.lang = lang
        # plain Python lists once: per-pick pandas look-ups dominate a `recommend --all` otherwise
        tf = dataset.title_features
        n = dataset.n_titles
        self._names = np.array(dataset.title_names(np.arange(n)), dtype=object)
        self._columns = {col: ([list(v) if v is not None else [] for v in tf[col]] if not tf.empty else [[]] * n)
                         for col in ("creator_ids", "genres")}
        self._kinds = list(tf["kind"]) if not tf.empty else [None] * n
        mf = dataset.member_features
        self._ages = list(mf["age_band"]) if not mf.empty else []
        self._regions = list(mf["region"]) if not mf.empty else []

    def reasons(self, member: int, picks: np.ndarray, promoted: np.ndarray | None = None) -> list[str]:
        history = self._history(member)
        history["sims"] = self._cooccurrence(history["titles"], np.asarray(picks, dtype=np.int64))
        history["picks"] = np.asarray(picks, dtype=np.int64)
        out = []
        for j, title in enumerate(picks):
            reason = (self._creator_reason(history, int(title)) or self._cowatch_reason(history, j)
                      or self._genre_reason(history, int(title)) or self._segment_reason(member, int(title))
                      or self.t["popular"])
            if promoted is not None and promoted[j]:
                local = self._local_creator(int(title))
                if local:
                    reason = f"{self.t['local'].format(creator=local)} · {reason}"
            out.append(reason)
        return out

    # -- the member's side ---------------------------------------------------------------------
    def _history(self, member: int) -> dict[str, object]:
        m = self.ds.matrix()
        if member >= m.shape[0]:
            return {"titles": np.array([], dtype=np.int64), "creators": set(), "genres": []}
        row = m[member]
        order = np.argsort(-row.data)[:50]
        titles = row.indices[order]
        creators: set[str] = set()
        genres: Counter[str] = Counter()
        for t in titles:
            creators.update(self._list("creator_ids", int(t)))
            genres.update(self._list("genres", int(t)))
        return {"titles": titles, "creators": creators, "genres": [g for g, _ in genres.most_common(3)]}

    # -- reasons, most specific first ----------------------------------------------------------
    def _creator_reason(self, history: dict, title: int) -> str | None:
        shared = [c for c in self._list("creator_ids", title) if c in history["creators"]]
        if not shared:
            return None
        name = self._creator_name(shared[0])
        music = self._kind(title) in taxonomy.MUSIC_KINDS
        return self.t["new_from" if music or self._is_new(title) else "more_from"].format(creator=name)

    def _cooccurrence(self, past: np.ndarray, picks: np.ndarray) -> np.ndarray:
        """Cosine of co-occurrence between the member's titles (rows) and the picks (columns)."""
        if len(past) == 0 or len(picks) == 0:
            return np.zeros((len(past), len(picks)))
        cols = self._binary_csc
        inside = picks < cols.shape[1]  # titles added after the events have no co-occurrence
        sims = np.zeros((len(past), len(picks)))
        if self._cooccurrence_table is not None:
            overlap = self._cooccurrence_table[np.ix_(past, picks[inside])].astype(np.float64)
        else:
            overlap = np.asarray((cols[:, past].T @ cols[:, picks[inside]]).todense())
        norms = np.outer(self._col_norms[past], self._col_norms[picks[inside]])
        sims[:, inside] = np.divide(overlap, norms, out=np.zeros_like(overlap, dtype=float), where=norms > 0)
        return sims

    def _cowatch_reason(self, history: dict, j: int) -> str | None:
        past = history["titles"]
        if len(past) == 0:
            return None
        sims = history["sims"][:, j].copy()
        sims[self._names[past] == self._names[history["picks"][j]]] = 0.0  # never "because you watched X" for X
        best = int(np.argmax(sims))
        if sims[best] < _MIN_COOCCURRENCE:
            return None
        source = int(past[best])
        key = "listened" if self._kind(source) in taxonomy.MUSIC_KINDS else "watched"
        return self.t[key].format(title=self._names[source])

    def _genre_reason(self, history: dict, title: int) -> str | None:
        for genre in self._list("genres", title):
            if genre in history["genres"]:
                return self.t["genre"].format(genre=self._genre_label(genre))
        return None

    def _segment_reason(self, member: int, title: int) -> str | None:
        if member >= len(self._ages) or not self._ages[member]:
            return None
        age, region = self._ages[member], self._regions[member]
        if region and (age, region, title) in self._segment_counts:
            return self.t["segment_region"].format(age=age, region=self._region_label(region))
        if (age, None, title) in self._segment_counts:
            return self.t["segment"].format(age=age)
        return None

    # -- catalogue look-ups --------------------------------------------------------------------
    @cached_property
    def _binary_csc(self) -> sp.csc_matrix:
        m = self.ds.matrix().copy()
        m.data[:] = 1.0
        return m.tocsc()

    @cached_property
    def _cooccurrence_table(self) -> np.ndarray | None:
        """Title × title co-occurrence counts, dense when the catalogue is small enough (one
        sparse product instead of one per member)."""
        if self.ds.n_titles > _DENSE_COOCCURRENCE_UP_TO:
            return None
        cols = self._binary_csc
        return np.asarray((cols.T @ cols).todense(), dtype=np.float32)

    @cached_property
    def _col_norms(self) -> np.ndarray:
        return np.sqrt(np.asarray(self._binary_csc.sum(axis=0)).ravel())

    @cached_property
    def _segment_counts(self) -> set[tuple]:
        """(age band, region or None, title) seen by at least k distinct members."""
        ev = self.ds.events[["member_idx", "title_idx"]].drop_duplicates()
        mf = self.ds.member_features
        if ev.empty or mf.empty:
            return set()
        ev = ev[ev["member_idx"] < len(mf)]
        ev = ev.assign(age=mf["age_band"].to_numpy()[ev["member_idx"]], region=mf["region"].to_numpy()[ev["member_idx"]])
        ev = ev[ev["age"].notna()]
        by_region = ev[ev["region"].notna()].groupby(["age", "region", "title_idx"]).size()
        by_age = ev.groupby(["age", "title_idx"]).size()
        keys = {k for k, n in by_region.items() if n >= self.k}
        keys |= {(a, None, t) for (a, t), n in by_age.items() if n >= self.k}
        return keys

    def _list(self, column: str, title: int) -> list[str]:
        if column in self._columns:
            values = self._columns[column]
            return values[title] if title < len(values) else []
        tf = self.ds.title_features
        value = tf.at[title, column] if title < len(tf) else None
        return list(value) if value is not None else []

    def _kind(self, title: int) -> str | None:
        return self._kinds[title] if title < len(self._kinds) else None

    def _is_new(self, title: int) -> bool:
        tf = self.ds.title_features
        released = tf.at[title, "release_date"] if title < len(tf) else None
        if released is None or not len(self.ds.events):
            return False
        now = pd.Timestamp(int(self.ds.events["ts"].max()), unit="s")
        return (now - pd.Timestamp(released)).days <= _NEW_WITHIN_DAYS

    def _creator_name(self, creator_id: str) -> str:
        creators = self.ds.creators
        if creator_id in creators.index and isinstance(creators.at[creator_id, "name"], str):
            return creators.at[creator_id, "name"]
        return creator_id

    def _local_creator(self, title: int) -> str | None:
        creators = self.ds.creators
        for c in self._list("creator_ids", title):
            if c in creators.index and creators.at[c, "country"] == "MA":
                return self._creator_name(c)
        return None

    def _genre_label(self, genre: str) -> str:
        for term in taxonomy.MUSIC_GENRES + taxonomy.SCREEN_GENRES:
            if term.id == genre:
                return {"en": term.en, "fr": term.fr or term.en, "ar": term.ar or term.en}[self.lang]
        return genre

    def _region_label(self, region: str) -> str:
        for r in taxonomy.REGIONS:
            if r.id == region:
                return r.ar if self.lang == "ar" else r.fr
        return region

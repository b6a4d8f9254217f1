"""A short reason a person understands, for every recommended title.

Reasons are chosen from the member's own history and the catalogue, most specific first:
an artist they follow, a title they watched that co-occurs with the pick, a genre they favour,
what their age band in their region watches (only when at least ``k_anonymity`` members stand
behind it), then plain popularity. Titles and names are inserted byte-exact (Arabic, Tifinagh).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

from halqa.catalog import taxonomy
from halqa.errors import ConfigError
from halqa.recommend.dataset import Dataset

TEMPLATES = {
    "en": {
        "new_from": "new from {creator}, an artist you listen to",
        "from_artist": "by {creator}, an artist you listen to",
        "again_from": "again: {creator}, an artist you listen to",
        "moved_local": "placed here by the share of Moroccan creators",
        "moved": "placed here for variety (creators and genres spread)",
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
        "from_artist": "de {creator}, un artiste que vous écoutez",
        "again_from": "à réécouter : {creator}, un artiste que vous écoutez",
        "moved_local": "placé ici par la part des créateurs marocains",
        "moved": "placé ici pour varier (créateurs et genres répartis)",
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
        "from_artist": "من {creator}، فنان تستمع إليه",
        "again_from": "من جديد: {creator}، فنان تستمع إليه",
        "moved_local": "وُضع هنا بفضل حصة المبدعين المغاربة",
        "moved": "وُضع هنا للتنويع (توزيع المبدعين والأنواع)",
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


def reason_templates(lang: str) -> dict[str, str]:
    """The reason sentences of one language (a copy, keyed like ``TEMPLATES``), for code that words
    reasons itself, such as the Spark executors ranking every member's list."""
    if lang not in TEMPLATES:
        raise ConfigError(f"unknown reason language '{lang}': use one of {', '.join(LANGS)}")
    return dict(TEMPLATES[lang])


_MIN_COOCCURRENCE = 0.05
_NEW_WITHIN_DAYS = 365
_DENSE_COOCCURRENCE_UP_TO = 8_000  # titles (8k² float32 = 256 MB)


@dataclass(frozen=True)
class _History:
    """What a member's reasons are drawn from: their top titles (by confidence), those titles'
    creators and leading genres, everything they played, and the picks being explained with the
    co-occurrence of each past title (rows) and pick (columns)."""

    titles: np.ndarray
    creators: set[str]
    genres: list[str]
    played: set[int]
    picks: np.ndarray
    sims: np.ndarray


class Explainer:
    """Builds reasons for (member, picks) from one dataset; cheap to reuse across members.

    Its look-up tables live in the dataset's cache (``Dataset.cached``), so a service that builds
    an Explainer per request pays for them once per dataset, and title-side tables survive
    fold-ins. ``many_members`` switches co-occurrence to one dense title × title table (a batch
    of thousands of members); a few members are served by small sparse products instead.
    """

    def __init__(
        self,
        dataset: Dataset,
        lang: str = "en",
        k_anonymity: int = 10,
        *,
        many_members: bool = False,
    ) -> None:
        if lang not in TEMPLATES:
            raise ConfigError(f"unknown reason language '{lang}': use one of {', '.join(LANGS)}")
        self.ds, self.t, self.k = dataset, TEMPLATES[lang], k_anonymity
        self.lang = lang
        self.many_members = many_members
        # plain Python lists once: per-pick pandas look-ups dominate a `recommend --all` otherwise
        self._names, self._columns, self._kinds = dataset.cached(
            ("titles", "explain"), self._title_lists
        )
        self._ages, self._regions = dataset.cached(("members", "explain"), self._member_lists)

    def _title_lists(self) -> tuple[np.ndarray, dict[str, list[list[str]]], list]:
        ds, n = self.ds, self.ds.n_titles
        tf = ds.title_features
        names = np.array(ds.title_names(np.arange(n)), dtype=object)
        columns = {
            col: ([list(v) if v is not None else [] for v in tf[col]] if not tf.empty else [[]] * n)
            for col in ("creator_ids", "genres")
        }
        return names, columns, (list(tf["kind"]) if not tf.empty else [None] * n)

    def _member_codes(self) -> tuple[np.ndarray, list, np.ndarray, list]:
        """Age band and region of every member as integer codes (-1: unknown) with their labels."""
        ages, age_labels = pd.factorize(pd.Series(self._ages, dtype=object))
        regions, region_labels = pd.factorize(pd.Series(self._regions, dtype=object))
        return (
            ages.astype(np.int64),
            list(age_labels),
            regions.astype(np.int64),
            list(region_labels),
        )

    def _member_lists(self) -> tuple[list, list]:
        mf = self.ds.member_features
        return (list(mf["age_band"]), list(mf["region"])) if not mf.empty else ([], [])

    def reasons(
        self,
        member: int,
        picks: np.ndarray,
        promoted: np.ndarray | None = None,
        moved: np.ndarray | None = None,
    ) -> list[str]:
        """One reason per pick. ``promoted``: put in the list by the Moroccan-creators quota;
        ``moved``: ranked above a pick the model scored higher (a re-ranker placed it), said so
        because the scores shown beside the list are then not in rank order."""
        history = self._history(member, np.asarray(picks, dtype=np.int64))
        out = []
        for j, title in enumerate(picks):
            reason = (
                self._creator_reason(history, int(title))
                or self._cowatch_reason(history, j)
                or self._genre_reason(history, int(title))
                or self._segment_reason(member, int(title))
                or self.t["popular"]
            )
            local = (
                self._local_creator(int(title)) if promoted is not None and promoted[j] else None
            )
            # "to discover" only for a creator the member does not already follow (else the reason
            # above names them already, and the talent is not new to them)
            if local and local[0] not in history.creators:
                reason = f"{self.t['local'].format(creator=local[1])} · {reason}"
            if moved is not None and moved[j]:
                reason = f"{reason} · {self.t['moved_local' if local else 'moved']}"
            out.append(reason)
        return out

    # -- the member's side ---------------------------------------------------------------------
    def _history(self, member: int, picks: np.ndarray) -> _History:
        m = self.ds.matrix()
        if member >= m.shape[0]:
            empty = np.array([], dtype=np.int64)
            return _History(empty, set(), [], set(), picks, self._cooccurrence(empty, picks))
        row = m[member]
        order = np.argsort(-row.data)[:50]
        titles = row.indices[order]
        creators: set[str] = set()
        genres: Counter[str] = Counter()
        for t in titles:
            creators.update(self._list("creator_ids", int(t)))
            genres.update(self._list("genres", int(t)))
        return _History(
            titles=titles,
            creators=creators,
            genres=[g for g, _ in genres.most_common(3)],
            played=set(row.indices.tolist()),
            picks=picks,
            sims=self._cooccurrence(titles, picks),
        )

    # -- reasons, most specific first ----------------------------------------------------------
    def _creator_reason(self, history: _History, title: int) -> str | None:
        shared = [c for c in self._list("creator_ids", title) if c in history.creators]
        if not shared:
            return None
        name = self._creator_name(shared[0])
        if title in history.played:  # music is recommended again: never call it new
            return self.t["again_from"].format(creator=name)
        if self._is_new(title):
            return self.t["new_from"].format(creator=name)
        music = self._kind(title) in taxonomy.MUSIC_KINDS
        return self.t["from_artist" if music else "more_from"].format(creator=name)

    def _cooccurrence(self, past: np.ndarray, picks: np.ndarray) -> np.ndarray:
        """Cosine of co-occurrence between the member's titles (rows) and the picks (columns)."""
        if len(past) == 0 or len(picks) == 0:
            return np.zeros((len(past), len(picks)))
        cols = self._binary_csc
        inside = picks < cols.shape[1]  # titles added after the events have no co-occurrence
        sims = np.zeros((len(past), len(picks)))
        if self.many_members and self._cooccurrence_table is not None:
            overlap = self._cooccurrence_table[np.ix_(past, picks[inside])].astype(np.float64)
        else:
            overlap = np.asarray((cols[:, past].T @ cols[:, picks[inside]]).todense())
        norms = np.outer(self._col_norms[past], self._col_norms[picks[inside]])
        sims[:, inside] = np.divide(
            overlap, norms, out=np.zeros_like(overlap, dtype=float), where=norms > 0
        )
        return sims

    def _cowatch_reason(self, history: _History, j: int) -> str | None:
        past = history.titles
        if len(past) == 0:
            return None
        sims = history.sims[:, j].copy()
        sims[self._names[past] == self._names[history.picks[j]]] = (
            0.0  # never "because you watched X" for X
        )
        best = int(np.argmax(sims))
        if sims[best] < _MIN_COOCCURRENCE:
            return None
        source = int(past[best])
        key = "listened" if self._kind(source) in taxonomy.MUSIC_KINDS else "watched"
        return self.t[key].format(title=self._names[source])

    def _genre_reason(self, history: _History, title: int) -> str | None:
        for genre in self._list("genres", title):
            if genre in history.genres:
                return self.t["genre"].format(genre=self._genre_label(genre))
        return None

    def _segment_reason(self, member: int, title: int) -> str | None:
        if member >= len(self._ages) or not self._ages[member]:
            return None
        age, region = self._ages[member], self._regions[member]
        by_segment = self._segment_audience(title)
        if region and by_segment.get((age, region), 0) >= self.k:
            return self.t["segment_region"].format(age=age, region=self._region_label(region))
        if by_segment.get((age, None), 0) >= self.k:
            return self.t["segment"].format(age=age)
        return None

    # -- catalogue look-ups --------------------------------------------------------------------
    @property
    def _binary_csc(self) -> sp.csc_matrix:
        """Titles as columns of the members who engaged with them (1s)."""

        def build() -> sp.csc_matrix:
            m = self.ds.matrix().copy()
            m.data[:] = 1.0
            return m.tocsc()

        return self.ds.cached(("events", "explain", "binary_csc"), build)

    @property
    def _cooccurrence_table(self) -> np.ndarray | None:
        """Title × title co-occurrence counts, dense when the catalogue is small enough (one
        sparse product instead of one per member)."""
        if self.ds.n_titles > _DENSE_COOCCURRENCE_UP_TO:
            return None
        cols = self._binary_csc
        return self.ds.cached(
            ("events", "explain", "cooccurrence"),
            lambda: np.asarray((cols.T @ cols).todense(), dtype=np.float32),
        )

    @property
    def _col_norms(self) -> np.ndarray:
        return self.ds.cached(
            ("events", "explain", "col_norms"),
            lambda: np.sqrt(np.asarray(self._binary_csc.sum(axis=0)).ravel()),
        )

    def _segment_audience(self, title: int) -> dict[tuple, int]:
        """Distinct members with any event on ``title`` per (age band, region) and per (age band,
        None).

        Counted per title on demand (one column of the seen matrix) and remembered for this
        dataset: a single list needs a few titles, not a group-by over every event."""
        memo = self.ds.cached(("events", "explain", "segment_audience"), dict)
        if title not in memo:
            seen = self.ds.cached(("events", "explain", "seen_csc"), lambda: self.ds.seen().tocsc())
            ages, age_labels, regions, region_labels = self.ds.cached(
                ("members", "explain", "codes"), self._member_codes
            )
            members = (
                seen.indices[seen.indptr[title] : seen.indptr[title + 1]]
                if title < seen.shape[1]
                else []
            )
            members = np.asarray(members, dtype=np.int64)
            members = members[members < len(ages)]
            a, r = ages[members], regions[members]
            a, r = a[a >= 0], r[a >= 0]
            out = {
                (age_labels[i], None): int(n)
                for i, n in enumerate(np.bincount(a, minlength=len(age_labels)))
                if n
            }
            both = np.bincount(
                a[r >= 0] * len(region_labels) + r[r >= 0],
                minlength=len(age_labels) * len(region_labels),
            )
            for code in np.flatnonzero(both):
                i, j = divmod(int(code), len(region_labels))
                out[(age_labels[i], region_labels[j])] = int(both[code])
            memo[title] = out
        return memo[title]

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

    def _local_creator(self, title: int) -> tuple[str, str] | None:
        """(id, name) of the title's first Moroccan creator."""
        creators = self.ds.creators
        for c in self._list("creator_ids", title):
            if c in creators.index and creators.at[c, "country"] == "MA":
                return c, self._creator_name(c)
        return None

    def _genre_label(self, genre: str) -> str:
        for term in taxonomy.MUSIC_GENRES + taxonomy.SCREEN_GENRES:
            if term.id == genre:
                return {"en": term.en, "fr": term.fr or term.en, "ar": term.ar or term.en}[
                    self.lang
                ]
        return genre

    def _region_label(self, region: str) -> str:
        for r in taxonomy.REGIONS:
            if r.id == region:
                return r.ar if self.lang == "ar" else r.fr
        return region

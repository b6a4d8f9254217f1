"""Targeting a title: rank every marketing-consented member, say why, break the audience down.

Example:
    >>> from halqa.audience import Targeter, load_title
    >>> targeter = Targeter(store)
    >>> result = targeter.target(load_title("new_title.json"), top=500)
    >>> result.audience.head()       # member_id, score, reasons, age_band, region, languages
    >>> result.breakdown["region"]   # counts, groups under k suppressed
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np
import scipy.sparse as sp

from halqa.audience.blend import BlendScorer
from halqa.audience.breakdown import DEFAULT_K, breakdown, member_languages
from halqa.audience.data import TargetingData, TitleBatch
from halqa.audience.features import CharNgramSpace, FeatureSpace
from halqa.audience.store_data import load_targeting_data
from halqa.errors import ConfigError, NotFoundError

if TYPE_CHECKING:  # DuckDB is imported by whoever opens the store; pandas only for ``audience``
    import pandas as pd

    from halqa.audience.title import NewTitle
    from halqa.catalog import Store

AUDIENCE_COLUMNS = ("member_id", "score", "reasons", "age_band", "region", "languages")
# Weight of the comparable-titles signal (``like=``) on the blend's logit, in standard deviations
# of that signal: about the weight the blend learns for its strongest component on MovieLens.
LIKE_WEIGHT = 1.0
SIMILAR_SIGNALS = ("feature-knn", "content-als", "meta-mf", "profile", "text-knn")


@dataclass
class TargetResult:
    """A targeted title's audience, best first. ``rows`` are plain dicts (``AUDIENCE_COLUMNS``):
    the CLI prints them without pandas (a second of every call's start-up); ``audience`` is the
    same as a DataFrame, made on first use.

    Reasons are worded on demand: ``head(n)`` explains the first ``n`` members only (what the CLI
    prints or the service returns); ``rows``, ``audience`` and ``table()`` explain every member.
    Wording 11k members' reasons cost more than scoring them on the demo store."""

    title: str
    members: list[dict[str, Any]]  # AUDIENCE_COLUMNS; "reasons" is None until explained
    candidates: int
    breakdown: dict
    weights: dict[str, float]
    already_reached: int = 0
    extra: dict[str, Any] = field(default_factory=dict)
    title_id: str | None = None  # the id the title has (or will have) in the catalogue, when known
    # ``explain(start, stop)``: the reason parts of members[start:stop]
    explain: Callable[[int, int], list[list[dict[str, Any]]]] | None = field(
        default=None, repr=False
    )
    reason_parts: list[list[dict[str, Any]]] = field(default_factory=list, repr=False)

    @property
    def size(self) -> int:
        return len(self.members)

    def head(self, n: int | None = None) -> list[dict[str, Any]]:
        """The first ``n`` members (every member when ``n`` is None), their reasons worded."""
        stop = len(self.members) if n is None else min(max(n, 0), len(self.members))
        done = len(self.reason_parts)
        if stop > done and self.explain is not None:
            parts = self.explain(done, stop)
            for row, member_parts in zip(self.members[done:stop], parts):
                row["reasons"] = reason_text(member_parts)
            self.reason_parts.extend(parts)
        return self.members[:stop]

    @property
    def rows(self) -> list[dict[str, Any]]:
        return self.head()

    @cached_property
    def audience(self) -> pd.DataFrame:
        import pandas as pd

        return pd.DataFrame(self.rows, columns=list(AUDIENCE_COLUMNS))

    def table(self) -> pd.DataFrame:
        """The audience as written to a file: with a ``title_id`` column when the title's id is
        known, so ``halqa audience export`` records which title the campaign promotes
        (``halqa audience lift`` needs it)."""
        if self.title_id is None:
            return self.audience
        return self.audience.assign(title_id=self.title_id)

    def to_dict(self, rows: int | None = None) -> dict:
        shown = self.head(rows)
        return {
            "title": self.title,
            "title_id": self.title_id,
            "size": self.size,
            "candidates": self.candidates,
            "already_reached": self.already_reached,
            "breakdown": self.breakdown,
            "method": {
                "name": "halqa-blend",
                "weights": {k: round(v, 4) for k, v in self.weights.items()},
            },
            "members": [
                {**row, "reason_parts": parts} for row, parts in zip(shown, self.reason_parts)
            ],
        }


class Targeter:
    """Fits halqa's blend on a store (marketing consent only) and targets titles from their
    metadata."""

    # The key of the store state it was fitted on, set by ``audience.saved.fitted_targeter``
    # (None for a targeter fitted directly).
    store_state: str | None = None

    def __init__(
        self,
        store: Store | None = None,
        *,
        data: TargetingData | None = None,
        seed: int = 0,
        k: int = DEFAULT_K,
        creator_names: dict[str, str] | None = None,
    ) -> None:
        if data is None:
            if store is None:
                raise TypeError("Targeter needs a store or its TargetingData")
            data = load_targeting_data(store)
        self.data = data
        self.seed, self.k = seed, k
        self._blend: BlendScorer | None = None
        self._spaces: TitleSpaces | None = None
        self._withheld = np.zeros(0, dtype=np.int64)  # positions never returned (``withhold``)
        self.creator_names = creator_names if creator_names is not None else _creator_names(store)

    def fit(self) -> Targeter:
        """Fit the blend on the whole store now (``target`` would on its first call)."""
        self._fit(self.data)
        return self

    def saveable(self) -> Targeter:
        """A copy that pickles: the blend keeps its fitted components and weights, not the
        factories that built them. The data it was fitted on is kept: reading and aggregating a
        store's events again cost more than a call's scoring (``saved.fitted_targeter``)."""
        import copy

        out = copy.copy(self)
        out._spaces = self._title_spaces(self.data)  # saved too: every call's reasons use them
        blend = copy.copy(self._fit(self.data))
        blend.components = {}  # lambdas do not pickle; scoring needs only ``fitted_``
        out._blend = blend
        out._withheld = np.zeros(0, dtype=np.int64)
        return out

    def withhold(self, member_ids: Iterable[str]) -> None:
        """Never return these members (e.g. those who withdrew marketing consent since the fit),
        whatever is targeted next; replaces the previous list."""
        self._withheld = self.data.member_positions(member_ids)

    def _fit(self, data: TargetingData) -> BlendScorer:
        if data is self.data and self._blend is not None:
            return self._blend  # new titles reuse the blend fitted on the whole store
        from halqa.audience.recipes import components_for  # fitting only: it pulls in scipy.stats

        blend = BlendScorer(components_for(data, self.seed), l2=10.0, seed=self.seed).fit(data)
        if data is self.data:
            self._blend = blend
        return blend

    def _title_spaces(self, data: TargetingData) -> TitleSpaces:
        """The metadata and text spaces of every title, fitted once per store state like the blend
        (refitting them for each call cost more than the scoring)."""
        cached = getattr(self, "_spaces", None)  # a targeter saved before they were kept has none
        if data is self.data and cached is not None:
            return cached
        spaces = TitleSpaces.fit(data)
        if data is self.data:
            self._spaces = spaces
        return spaces

    def target(
        self,
        title: NewTitle,
        *,
        top: int | None = None,
        min_score: float | None = None,
        like: list[str] | None = None,
        exclude_members: Iterable[str] = (),
    ) -> TargetResult:
        """Rank members for a title that is not in the store (or is treated as unseen).

        ``like``: ids of comparable titles already in the store ("comps"): members who watched
        them, or what their audiences watch, rank higher. ``exclude_members``: ids never to
        return, e.g. those who withdrew consent since the fit.
        """
        result = self._target(
            self.data,
            title.batch(),
            title.name,
            title.available_regions,
            top,
            min_score,
            exclude=self.data.member_positions(exclude_members),
            like=like,
        )
        result.title_id = title.title_id
        return result

    def target_existing(
        self,
        title_id: str,
        *,
        top: int | None = None,
        min_score: float | None = None,
        like: list[str] | None = None,
        exclude_members: Iterable[str] = (),
    ) -> TargetResult:
        """Rank the members who have not met ``title_id`` yet.

        Scored by the models fitted on the whole store (one fit per store state, so a call takes
        a second, not a refit): the title's own audience is part of what they learnt, and is left
        out of the list.
        """
        idx = self._title_index(title_id)
        reached = self.data.audience_of(idx)
        name = self.data.titles.names[idx] if self.data.titles.names else str(title_id)
        result = self._target(
            self.data,
            self.data.titles.take([idx]),
            name,
            None,
            top,
            min_score,
            exclude=np.concatenate([reached, self.data.member_positions(exclude_members)]),
            like=like,
        )
        result.already_reached = len(reached) if len(reached) >= self.k else 0
        result.title_id = str(title_id)
        return result

    def _title_index(self, title_id: str) -> int:
        where = np.flatnonzero(self.data.title_ids == str(title_id))
        if not len(where):
            raise NotFoundError(f"title '{title_id}' is not in the store")
        return int(where[0])

    def _target(
        self,
        data: TargetingData,
        batch: TitleBatch,
        name: str,
        regions: list[str] | None,
        top: int | None,
        min_score: float | None,
        exclude: np.ndarray | None = None,
        like: list[str] | None = None,
    ) -> TargetResult:
        if top is not None and top < 1:
            raise ConfigError(f"--top must be at least 1 (got {top})")
        if min_score is not None and not 0 <= min_score <= 1:
            raise ConfigError(f"--min-score is a probability between 0 and 1 (got {min_score})")
        comps = [self._title_index(t) for t in like or []]
        blend = self._fit(data)
        contrib = blend.contributions(batch)[0]
        logit = contrib.sum(axis=1) + blend.weights_[-1]
        if comps:
            logit = logit + LIKE_WEIGHT * _zscore(comparable_affinity(data, comps))
        score = 1 / (1 + np.exp(-logit))
        candidates = np.ones(data.n_members, dtype=bool)
        if exclude is not None:
            candidates[exclude] = False
        if data is self.data:
            candidates[getattr(self, "_withheld", np.zeros(0, dtype=np.int64))] = False
        if regions:
            region = data.members.get("region")
            candidates &= np.array([r in regions for r in region]) if region is not None else False
        order = np.flatnonzero(candidates)[np.argsort(-score[candidates], kind="stable")]
        n_candidates = len(order)
        if min_score is not None:
            order = order[score[order] >= min_score]
        if top is not None:
            order = order[:top]
        spaces = self._title_spaces(data)
        reasons: list[Reasons] = []  # built on the first member explained, then reused

        def explain(start: int, stop: int) -> list[list[dict[str, Any]]]:
            if not reasons:
                reasons.append(
                    Reasons(data, batch, blend, self.creator_names, comps, spaces=spaces)
                )
            return reasons[0].for_members(order[start:stop], contrib)

        weights = blend.component_weights | ({"comparable-titles": LIKE_WEIGHT} if comps else {})
        return TargetResult(
            name,
            self._rows(data, order, score),
            n_candidates,
            breakdown(data.members, order, self.k),
            weights,
            extra={"like": [str(data.title_ids[c]) for c in comps]} if comps else {},
            explain=explain,
        )

    @staticmethod
    def _rows(data: TargetingData, order: np.ndarray, score: np.ndarray) -> list[dict[str, Any]]:
        def column(name: str) -> list[Any]:
            values = data.members.get(name)
            return [None] * len(order) if values is None else [values[i] for i in order]

        columns = (
            [str(m) for m in data.member_ids[order]],
            np.round(score[order], 6).tolist(),
            [None] * len(order),  # worded by ``TargetResult.head``
            column("age_band"),
            column("region"),
            ["|".join(member_languages(v)) for v in column("languages")],
        )
        return [dict(zip(AUDIENCE_COLUMNS, row)) for row in zip(*columns)]


def comparable_affinity(data: TargetingData, comps: list[int]) -> np.ndarray:
    """Each member's affinity to the comparable titles: having watched them, plus watching what
    their audiences watch (titles weighted by the cosine of their audience to each comp's,
    averaged over comps; a member's sum divided by the square root of their history)."""
    binary = data.binary().tocsr().astype(np.float64)
    csc = binary.tocsc()
    sizes = np.asarray(csc.sum(axis=0)).ravel()
    overlap = np.asarray((csc[:, comps].T @ csc).todense())
    denom = np.sqrt(np.outer(sizes[comps], sizes))
    cosine = np.divide(overlap, denom, out=np.zeros_like(overlap), where=denom > 0).mean(axis=0)
    history = np.sqrt(np.asarray(binary.sum(axis=1)).ravel() + 1.0)
    watched = np.asarray(binary[:, comps].sum(axis=1)).ravel() / len(comps)
    return watched + (binary @ cosine) / history


def _zscore(values: np.ndarray) -> np.ndarray:
    std = values.std()
    return (values - values.mean()) / std if std > 0 else np.zeros_like(values)


def _creator_names(store: Store | None) -> dict[str, str]:
    if store is None:
        return {}
    return {cid: name for cid, name in store.rows("SELECT creator_id, name FROM creators")}


@dataclass
class TitleSpaces:
    """Every title in the metadata space and (when titles have text) the character n-gram space:
    what "watched similar: ..." reasons compare a targeted title with."""

    features: FeatureSpace
    feature_matrix: sp.csr_matrix
    text: CharNgramSpace | None = None
    text_matrix: sp.csr_matrix | None = None

    @classmethod
    def fit(cls, data: TargetingData) -> TitleSpaces:
        features = FeatureSpace().fit(data.titles.tokens)
        out = cls(features, features.transform(data.titles.tokens).T.tocsr())
        if any(data.titles.texts):
            out.text = CharNgramSpace().fit(data.titles.texts)
            out.text_matrix = out.text.transform(data.titles.texts).T.tocsr()
        return out

    def similarity(self, batch: TitleBatch) -> np.ndarray:
        """Similarity of the batch's first title to every title."""
        sims = (self.features.transform(batch.tokens) @ self.feature_matrix).toarray()[0]
        if self.text is not None and any(batch.texts):
            sims = sims + 0.5 * (self.text.transform(batch.texts) @ self.text_matrix).toarray()[0]
        return sims


class Reasons:
    """Turns each member's strongest signals into words a marketer can check."""

    def __init__(
        self,
        data: TargetingData,
        batch: TitleBatch,
        blend: BlendScorer,
        creator_names: dict[str, str],
        comps: list[int] | None = None,
        *,
        spaces: TitleSpaces | None = None,
    ) -> None:
        self.data, self.blend, self.creator_names = data, blend, creator_names
        self.comps = set(comps or [])
        self.tokens = dict(batch.tokens[0])
        self.similarity = (spaces or TitleSpaces.fit(data)).similarity(batch)
        self.display = data.titles.names or [str(t) for t in data.title_ids]
        self.binary = data.binary()
        self.creators = [c[len("creator:") :] for c in self.tokens if c.startswith("creator:")]
        self.creator_titles = {
            c: {i for i, tok in enumerate(data.titles.tokens) if (f"creator:{c}", 1.0) in tok}
            for c in self.creators
        }

    def for_members(self, order: np.ndarray, contrib: np.ndarray) -> list[list[dict[str, Any]]]:
        """Each member's reasons as parts (``key`` + ``params``): the service sends them so the
        dashboard words them in its language; ``reason_text`` gives the English the CLI prints."""
        names = list(self.blend.fitted_)
        return [self._member(int(m), contrib[m], names) for m in order]

    def _member(self, m: int, contrib: np.ndarray, names: list[str]) -> list[dict[str, Any]]:
        history = self.binary.indices[self.binary.indptr[m] : self.binary.indptr[m + 1]]
        parts: list[dict[str, Any]] = []
        liked = [i for i in history.tolist() if i in self.comps]
        if liked:
            parts.append(_part("comparable", titles=[self.display[i] for i in liked[:2]]))
        for creator, titles in self.creator_titles.items():
            if titles & set(history.tolist()):
                parts.append(_part("follows", creator=self.creator_names.get(creator, creator)))
        for j in np.argsort(-contrib):
            if contrib[j] <= 0 or len(parts) >= 3:
                break
            part = self._signal(names[j], m, history)
            if part and part not in parts:
                parts.append(part)
        return parts or [_part("broad")]

    def _signal(self, signal: str, m: int, history: np.ndarray) -> dict[str, Any] | None:
        if signal in SIMILAR_SIGNALS and len(history):
            closest = history[np.argsort(-self.similarity[history])[:2]]
            best = [i for i in closest if self.similarity[i] > 0]
            return _part("similar", titles=[self.display[i] for i in best]) if best else None
        if signal == "genre-dot":
            return _part("genres", genres=[t[6:] for t in self.tokens if t.startswith("genre:")])
        if signal == "language-match":
            langs = [t[5:] for t in self.tokens if t.startswith("lang:")]
            return _part("language", language=langs[0]) if langs else None
        if signal == "region-match":
            regions = [t[7:] for t in self.tokens if t.startswith("region:")]
            return _part("region", region=regions[0]) if regions else None
        if signal == "activity":
            return _part("activity", titles=len(history))
        if signal == "active-since-release":
            return _part("since_release")
        return None


# The English of each reason part (the CLI's words). Parameters are raw: titles and creator names
# as stored, genre, language and region ids, so another language can label them itself.
REASON_TEXT = {
    "comparable": lambda p: "watched comparable: " + ", ".join(p["titles"]),
    "follows": lambda p: f"follows {p['creator']}",
    "similar": lambda p: "watched similar: " + ", ".join(p["titles"]),
    "genres": lambda p: f"watches {'/'.join(p['genres'])}",
    "language": lambda p: f"speaks {p['language']}",
    "region": lambda p: f"lives in {p['region']}",
    "activity": lambda p: f"active member ({p['titles']} titles)",
    "since_release": lambda p: "active since the release",
    "broad": lambda p: "broad reach (no strong signal)",
}


def _part(key: str, **params: Any) -> dict[str, Any]:
    return {"key": key, "params": params}


def reason_text(parts: list[dict[str, Any]]) -> str:
    """A member's reasons in English, joined as the audience table shows them."""
    return "; ".join(REASON_TEXT[p["key"]](p["params"]) for p in parts)

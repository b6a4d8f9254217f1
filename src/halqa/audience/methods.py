"""Ways to score every member for titles known only by their metadata.

Every scorer has ``fit(data)`` on the known titles and ``score(batch)`` returning
an array (titles × members); a higher score means more likely to watch. The
baselines (random, activity, genre profiles, feature-kNN, content-to-ALS ridge)
live here beside halqa's own methods so evaluation compares them on equal terms.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from halqa.audience.data import TargetingData, TitleBatch
from halqa.audience.features import CharNgramSpace, FeatureSpace, l2_normalise_rows
from halqa.catalog.taxonomy import AMAZIGH_LANGUAGES


class Scorer:
    name = "scorer"
    params: dict

    def fit(self, data: TargetingData) -> Scorer:
        raise NotImplementedError

    def score(self, batch: TitleBatch) -> np.ndarray:
        raise NotImplementedError


def _dense(m) -> np.ndarray:
    return m.toarray() if sp.issparse(m) else np.asarray(m)


@dataclass
class RandomScorer(Scorer):
    seed: int = 0
    name = "random"

    def fit(self, data: TargetingData) -> RandomScorer:
        self._n = data.n_members
        self._rng = np.random.default_rng(self.seed)
        return self

    def score(self, batch: TitleBatch) -> np.ndarray:
        return self._rng.random((len(batch), self._n))


@dataclass
class ActivityScorer(Scorer):
    """Members who watch many titles watch new ones too: log of titles met."""

    name = "activity"

    def fit(self, data: TargetingData) -> ActivityScorer:
        self._activity = np.log1p(np.diff(data.interactions.indptr)).astype(np.float64)
        return self

    def score(self, batch: TitleBatch) -> np.ndarray:
        return np.tile(self._activity, (len(batch), 1))


@dataclass
class GenreProfileScorer(Scorer):
    """A member's genre counts against the title's genres: cosine or count-weighted dot product."""

    mode: str = "cosine"

    @property
    def name(self) -> str:  # type: ignore[override]
        return f"genre-{self.mode}"

    def fit(self, data: TargetingData) -> GenreProfileScorer:
        self._space = FeatureSpace(use_idf=False).fit(
            [[t for t in tok if t[0].startswith("genre:")] for tok in data.titles.tokens]
        )
        genres = self._space.transform(data.titles.tokens, normalise=False)
        genres.data = np.ones_like(genres.data)
        profile = data.binary() @ genres
        self._profile = l2_normalise_rows(profile) if self.mode == "cosine" else profile
        return self

    def score(self, batch: TitleBatch) -> np.ndarray:
        g = self._space.transform(batch.tokens, normalise=self.mode == "cosine")
        return _dense(g @ self._profile.T)


@dataclass
class FeatureKNNScorer(Scorer):
    """Score members by their history on the k known titles most similar in metadata."""

    k: int = 50
    name = "feature-knn"

    def fit(self, data: TargetingData) -> FeatureKNNScorer:
        self._space = FeatureSpace().fit(data.titles.tokens)
        self._known = self._space.transform(data.titles.tokens)
        self._r = data.binary()
        return self

    def _similar(self, batch: TitleBatch) -> np.ndarray:
        return _dense(self._space.transform(batch.tokens) @ self._known.T)

    def score(self, batch: TitleBatch) -> np.ndarray:
        return _knn_scores(self._similar(batch), self._r, self.k)


def _knn_scores(sims: np.ndarray, r: sp.csr_matrix, k: int) -> np.ndarray:
    k = min(k, sims.shape[1])
    if k < sims.shape[1]:
        cut = np.partition(sims, -k, axis=1)[:, -k][:, None]
        sims = np.where(sims >= cut, sims, 0.0)
    return _dense(r @ sims.T).T


@dataclass
class TextKNNScorer(FeatureKNNScorer):
    """Feature-kNN over character n-grams of names, synopses and tags (any script)."""

    name = "text-knn"

    def fit(self, data: TargetingData) -> TextKNNScorer:
        self._text = CharNgramSpace().fit(data.titles.texts)
        self._known = self._text.transform(data.titles.texts)
        self._r = data.binary()
        return self

    def _similar(self, batch: TitleBatch) -> np.ndarray:
        return _dense(self._text.transform(batch.texts) @ self._known.T)


@dataclass
class ContentALSScorer(Scorer):
    """Content-to-collaborative mapping: ridge from metadata to ALS item factors, members scored in that space."""

    factors: int = 32
    regularization: float = 0.05
    iterations: int = 15
    alpha: float = 10.0
    ridge: float = 1.0
    seed: int = 0
    name = "content-als"

    def fit(self, data: TargetingData) -> ContentALSScorer:
        from halqa.recommend import fit_implicit_als

        model = fit_implicit_als(
            data.binary(),
            factors=self.factors,
            regularization=self.regularization,
            iterations=self.iterations,
            alpha=self.alpha,
            threads=1,
            seed=self.seed,
        )
        self._users = np.asarray(model.user_factors)
        items = np.asarray(model.item_factors)
        self._space = FeatureSpace().fit(data.titles.tokens)
        f = _dense(self._space.transform(data.titles.tokens))
        f = np.hstack([f, np.ones((f.shape[0], 1))])  # intercept: the mean title
        gram = f.T @ f + self.ridge * np.eye(f.shape[1])
        self._w = np.linalg.solve(gram, f.T @ items)
        return self

    def score(self, batch: TitleBatch) -> np.ndarray:
        f = _dense(self._space.transform(batch.tokens))
        f = np.hstack([f, np.ones((f.shape[0], 1))])
        return (f @ self._w) @ self._users.T


@dataclass
class ProfileScorer(Scorer):
    """Metadata similarity to each member's history, tempered by how active the member is.

    The member's profile is the IDF-weighted sum of the metadata of what they met;
    ``score = cos(profile, title) * activity ** beta``.
    """

    beta: float = 0.5
    name = "profile"

    def fit(self, data: TargetingData) -> ProfileScorer:
        self._space = FeatureSpace().fit(data.titles.tokens)
        known = self._space.transform(data.titles.tokens)
        self._profile = l2_normalise_rows(data.binary() @ known)
        self._activity = np.diff(data.interactions.indptr).astype(np.float64)
        return self

    def score(self, batch: TitleBatch) -> np.ndarray:
        sims = _dense(self._space.transform(batch.tokens) @ self._profile.T)
        return sims * (self._activity**self.beta)[None, :]


@dataclass
class ActiveSinceRelease(Scorer):
    """Share of a member's titles last met after the title's release: who was around when it came out."""

    name = "active-since-release"
    _seen: sp.csr_matrix = field(default=None, repr=False)  # type: ignore[assignment]

    def fit(self, data: TargetingData) -> ActiveSinceRelease:
        self._seen = data.last_seen.tocsr()
        self._counts = np.maximum(np.diff(self._seen.indptr), 1)
        return self

    def score(self, batch: TitleBatch) -> np.ndarray:
        out = np.zeros((len(batch), len(self._counts)))
        rows = np.repeat(np.arange(len(self._counts)), np.diff(self._seen.indptr))
        for i, release in enumerate(batch.release):
            if np.isfinite(release):
                after = self._seen.data >= release
                out[i] = (
                    np.bincount(rows, weights=after, minlength=len(self._counts)) / self._counts
                )
        return out


@dataclass
class MemberMatchScorer(Scorer):
    """Does the member speak the title's language (``field="language"``) or live in its region?

    Reads the member side columns of ``TargetingData.members``; all zeros when they are absent.
    """

    field: str = "language"
    rarity: bool = (
        False  # weight a match by how few members share it: speaking zgh says more than ary
    )

    @property
    def name(self) -> str:  # type: ignore[override]
        return f"{'rare-' if self.rarity else ''}{self.field}-match"

    def fit(self, data: TargetingData) -> MemberMatchScorer:
        self._n = data.n_members
        column = "languages" if self.field == "language" else "region"
        values = data.members.get(column)
        values = list(values) if values is not None else [None] * self._n
        self._members_of: dict[str, np.ndarray] = {}  # value -> boolean mask of members who have it
        for m, have in enumerate(values):
            for value in _values(have):
                self._members_of.setdefault(value, np.zeros(self._n, dtype=bool))[m] = True
        return self

    def _mask(self, value: str) -> np.ndarray:
        return self._members_of.get(value, np.zeros(self._n, dtype=bool))

    def score(self, batch: TitleBatch) -> np.ndarray:
        out = self._match(batch)
        if self.rarity:
            reach = out.mean(axis=1, keepdims=True)  # share of members the title's language reaches
            out = out * (1.0 - reach)
        return out

    def _match(self, batch: TitleBatch) -> np.ndarray:
        prefix = "lang:" if self.field == "language" else "region:"
        out = np.zeros((len(batch), self._n))
        for i, tokens in enumerate(batch.tokens):
            for token, weight in tokens:
                if not token.startswith(prefix):
                    continue
                value = token[len(prefix) :]
                out[i] = np.maximum(out[i], weight * self._mask(value))
                # ary-Latn half-matches ary (and back); Tamazight varieties (zgh, shi, tzm, rif)
                # match each other most of the way: one community, one shared script.
                for other in self._members_of:
                    if other != value:
                        out[i] = np.maximum(
                            out[i], _relatedness(value, other) * weight * self._mask(other)
                        )
        return out


def _relatedness(a: str, b: str) -> float:
    base_a, base_b = a.split("-")[0], b.split("-")[0]
    if base_a == base_b:
        return 0.5
    if base_a in AMAZIGH_LANGUAGES and base_b in AMAZIGH_LANGUAGES:
        return 0.7
    return 0.0


def _values(have) -> list[str]:
    if have is None or (isinstance(have, float) and np.isnan(have)):
        return []
    return [have] if isinstance(have, str) else [str(v) for v in have]

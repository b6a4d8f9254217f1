"""Ways to score every member for titles known only by their metadata.

Every scorer has ``fit(data)`` on the known titles and ``score(batch)`` returning
an array (titles × members); a higher score means more likely to watch. The
baselines (random, activity, genre profiles, feature-kNN, content-to-ALS ridge)
live here beside halqa's own methods so evaluation compares them on equal terms.
"""

from __future__ import annotations

from typing import Any, Generic, Literal, TypeVar

import numpy as np
import scipy.sparse as sp
from pydantic import Field

from halqa.audience.data import TargetingData, TitleBatch
from halqa.audience.features import CharNgramSpace, FeatureSpace, Tokens, l2_normalise_rows
from halqa.catalog.taxonomy import AMAZIGH_LANGUAGES
from halqa.config import Config

C = TypeVar("C", bound=Config)


class NoSettings(Config):
    """The settings of a scorer that has none."""


class Scorer(Generic[C]):
    """``Scorer(config)`` or ``Scorer(**settings)``: the settings are a validated, frozen
    :class:`~halqa.config.Config`; what ``fit`` learns lives on the scorer (``self._...``)."""

    name = "scorer"
    config_type: type[C]

    def __init__(self, config: C | None = None, **changes: Any) -> None:
        self.config: C = self.config_type.build(type(self).__name__, config, **changes)

    def fit(self, data: TargetingData) -> Scorer[C]:
        raise NotImplementedError

    def score(self, batch: TitleBatch) -> np.ndarray:
        raise NotImplementedError


def _dense(m) -> np.ndarray:
    return m.toarray() if sp.issparse(m) else np.asarray(m)


class SeedOnly(Config):
    seed: int = 0


class RandomScorer(Scorer[SeedOnly]):
    name = "random"
    config_type = SeedOnly

    def fit(self, data: TargetingData) -> RandomScorer:
        self._n = data.n_members
        self._rng = np.random.default_rng(self.config.seed)
        return self

    def score(self, batch: TitleBatch) -> np.ndarray:
        return self._rng.random((len(batch), self._n))


class ActivityScorer(Scorer[NoSettings]):
    """Members who watch many titles watch new ones too: log of titles met."""

    name = "activity"
    config_type = NoSettings

    def fit(self, data: TargetingData) -> ActivityScorer:
        self._activity = np.log1p(np.diff(data.interactions.indptr)).astype(np.float64)
        return self

    def score(self, batch: TitleBatch) -> np.ndarray:
        return np.tile(self._activity, (len(batch), 1))


class GenreProfileSettings(Config):
    mode: Literal["cosine", "dot"] = "cosine"


class GenreProfileScorer(Scorer[GenreProfileSettings]):
    """A member's genre counts against the title's genres: cosine or count-weighted dot product."""

    config_type = GenreProfileSettings

    @property
    def name(self) -> str:  # type: ignore[override]  # a class attribute elsewhere; here it names the mode
        return f"genre-{self.config.mode}"

    def fit(self, data: TargetingData) -> GenreProfileScorer:
        self._space = FeatureSpace(use_idf=False).fit(_genres(data.titles.tokens))
        genres = self._space.transform(_genres(data.titles.tokens), normalise=False)
        genres.data = np.ones_like(genres.data)
        profile = data.binary() @ genres
        self._profile = l2_normalise_rows(profile) if self.config.mode == "cosine" else profile
        return self

    def score(self, batch: TitleBatch) -> np.ndarray:
        g = self._space.transform(_genres(batch.tokens), normalise=self.config.mode == "cosine")
        return _dense(g @ self._profile.T)


def _genres(titles: list[Tokens]) -> list[Tokens]:
    """Only the genre tokens (the space would drop the others; filtering first lets it answer a
    title it was fitted on from its fitted rows)."""
    return [[t for t in tokens if t[0].startswith("genre:")] for tokens in titles]


class KNNSettings(Config):
    k: int = Field(default=50, gt=0)  # known titles a new one borrows its audience from


class FeatureKNNScorer(Scorer[KNNSettings]):
    """Score members by their history on the k known titles most similar in metadata."""

    name = "feature-knn"
    config_type = KNNSettings

    def fit(self, data: TargetingData) -> FeatureKNNScorer:
        self._space = FeatureSpace().fit(data.titles.tokens)
        self._known = self._space.transform(data.titles.tokens)
        self._r = data.binary()
        return self

    def _similar(self, batch: TitleBatch) -> np.ndarray:
        return _dense(self._space.transform(batch.tokens) @ self._known.T)

    def score(self, batch: TitleBatch) -> np.ndarray:
        return _knn_scores(self._similar(batch), self._r, self.config.k)


def _knn_scores(sims: np.ndarray, r: sp.csr_matrix, k: int) -> np.ndarray:
    k = min(k, sims.shape[1])
    if k < sims.shape[1]:
        cut = np.partition(sims, -k, axis=1)[:, -k][:, None]
        sims = np.where(sims >= cut, sims, 0.0)
    return _dense(r @ sims.T).T


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


class ContentALSSettings(Config):
    factors: int = Field(default=32, gt=0)
    regularization: float = Field(default=0.05, ge=0)
    iterations: int = Field(default=15, gt=0)
    alpha: float = Field(default=10.0, gt=0)
    ridge: float = Field(default=1.0, gt=0)  # keeps the metadata -> factors solve well posed
    seed: int = 0


class ContentALSScorer(Scorer[ContentALSSettings]):
    """Content-to-collaborative mapping: ridge from metadata to ALS item factors, members scored in
    that space."""

    name = "content-als"
    config_type = ContentALSSettings

    def fit(self, data: TargetingData) -> ContentALSScorer:
        from halqa.recommend import fit_implicit_als

        c = self.config
        model = fit_implicit_als(
            data.binary(),
            factors=c.factors,
            regularization=c.regularization,
            iterations=c.iterations,
            alpha=c.alpha,
            threads=1,
            seed=c.seed,
        )
        self._users = np.asarray(model.user_factors)
        items = np.asarray(model.item_factors)
        self._space = FeatureSpace().fit(data.titles.tokens)
        f = _dense(self._space.transform(data.titles.tokens))
        f = np.hstack([f, np.ones((f.shape[0], 1))])  # intercept: the mean title
        gram = f.T @ f + c.ridge * np.eye(f.shape[1])
        self._w = np.linalg.solve(gram, f.T @ items)
        return self

    def score(self, batch: TitleBatch) -> np.ndarray:
        f = _dense(self._space.transform(batch.tokens))
        f = np.hstack([f, np.ones((f.shape[0], 1))])
        return (f @ self._w) @ self._users.T


class ProfileSettings(Config):
    beta: float = Field(default=0.5, ge=0)  # how much a member's activity tempers the similarity


class ProfileScorer(Scorer[ProfileSettings]):
    """Metadata similarity to each member's history, tempered by how active the member is.

    The member's profile is the IDF-weighted sum of the metadata of what they met;
    ``score = cos(profile, title) * activity ** beta``.
    """

    name = "profile"
    config_type = ProfileSettings

    def fit(self, data: TargetingData) -> ProfileScorer:
        self._space = FeatureSpace().fit(data.titles.tokens)
        known = self._space.transform(data.titles.tokens)
        self._profile = l2_normalise_rows(data.binary() @ known)
        self._activity = np.diff(data.interactions.indptr).astype(np.float64)
        return self

    def score(self, batch: TitleBatch) -> np.ndarray:
        sims = _dense(self._space.transform(batch.tokens) @ self._profile.T)
        return sims * (self._activity**self.config.beta)[None, :]


class ActiveSinceRelease(Scorer[NoSettings]):
    """Share of a member's titles last met after the title's release: who was around when it came
    out."""

    name = "active-since-release"
    config_type = NoSettings

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


class MemberMatchSettings(Config):
    field: Literal["language", "region"] = "language"
    # Weight a match by how few members share it: speaking zgh says more than speaking ary.
    rarity: bool = False


class MemberMatchScorer(Scorer[MemberMatchSettings]):
    """Does the member speak the title's language (``field="language"``) or live in its region?

    Reads the member side columns of ``TargetingData.members``; all zeros when they are absent.
    """

    config_type = MemberMatchSettings

    @property
    def name(self) -> str:  # type: ignore[override]  # a class attribute elsewhere; here it names the match
        return f"{'rare-' if self.config.rarity else ''}{self.config.field}-match"

    def fit(self, data: TargetingData) -> MemberMatchScorer:
        self._n = data.n_members
        column = "languages" if self.config.field == "language" else "region"
        column_values = data.members.get(column)
        values = list(column_values) if column_values is not None else [None] * self._n
        self._members_of: dict[str, np.ndarray] = {}  # value -> boolean mask of members who have it
        for m, have in enumerate(values):
            for value in _values(have):
                self._members_of.setdefault(value, np.zeros(self._n, dtype=bool))[m] = True
        return self

    def _mask(self, value: str) -> np.ndarray:
        return self._members_of.get(value, np.zeros(self._n, dtype=bool))

    def score(self, batch: TitleBatch) -> np.ndarray:
        out = self._match(batch)
        if self.config.rarity:
            reach = out.mean(axis=1, keepdims=True)  # share of members the title's language reaches
            out = out * (1.0 - reach)
        return out

    def _match(self, batch: TitleBatch) -> np.ndarray:
        prefix = "lang:" if self.config.field == "language" else "region:"
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

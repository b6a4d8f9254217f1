"""Turning title metadata and text into sparse vectors that targeting methods compare.

Metadata becomes weighted tokens (``genre:comedy``, ``lang:zgh``, ``year:1997``...);
``FeatureSpace`` learns their vocabulary and inverse document frequencies on the known
titles (scikit-learn's ``DictVectorizer`` and ``TfidfTransformer``) and maps new titles into
the same space (unknown tokens are dropped: a genre no known title has cannot say anything
about who watches it).

Text (names, synopses, tags) becomes character n-grams inside word boundaries with sublinear
TF-IDF weights (``TfidfVectorizer(analyzer="char_wb")``). Character n-grams need no tokenizer,
so Arabic script, Tifinagh and Latin Arabizi all work the same way; letters are never
transliterated.

Both spaces answer for the titles they were fitted on without scikit-learn (see
:class:`FittedSpace`): scoring a title already in the store must not pay for importing it.
"""

from __future__ import annotations

import math
import pickle
import re
import unicodedata
from collections.abc import Hashable, Iterable, Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp

Tokens = Sequence[tuple[str, float]]

# Arabic harakat and tatweel carry no meaning for matching and are often omitted.
_ARABIC_MARKS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
_SPACES = re.compile(r"\s+")


def year_tokens(year: float | None) -> list[tuple[str, float]]:
    """A release year at three resolutions, so near years share something and exact years more."""
    if year is None or not math.isfinite(year):
        return []
    y = int(year)
    return [(f"year:{y}", 1.0), (f"y5:{y - y % 5}", 1.0), (f"decade:{y - y % 10}", 1.0)]


def metadata_tokens(
    *,
    genres: Iterable[str] = (),
    themes: Iterable[str] = (),
    creators: Iterable[str] = (),
    languages: Iterable[str] = (),
    region: str | None = None,
    kind: str | None = None,
    year: float | None = None,
) -> list[tuple[str, float]]:
    """The weighted tokens of one title; each family keeps its own prefix."""
    tokens: list[tuple[str, float]] = []
    tokens += [(f"genre:{g}", 1.0) for g in genres]
    tokens += [(f"theme:{t}", 1.0) for t in themes]
    tokens += [(f"creator:{c}", 1.0) for c in creators]
    for lang in languages:
        tokens.append((f"lang:{lang}", 1.0))
        base = lang.split("-")[0]
        if base != lang:  # ary-Latn also counts a little as ary
            tokens.append((f"lang:{base}", 0.5))
    if region:
        tokens.append((f"region:{region}", 1.0))
    if kind:
        tokens.append((f"kind:{kind}", 1.0))
    tokens += year_tokens(year)
    return tokens


def l2_normalise_rows(m: sp.csr_matrix) -> sp.csr_matrix:
    norms = np.sqrt(np.asarray(m.multiply(m).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sp.csr_matrix(sp.diags(1.0 / norms) @ m)


def normalise_text(text: str) -> str:
    """NFKC, lower case, Arabic marks and tatweel dropped, spaces folded. Letters are never
    transliterated."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    folded = _ARABIC_MARKS.sub("", folded)
    return _SPACES.sub(" ", folded).strip()


class FittedSpace:
    """A scikit-learn transformer fitted on the known titles, which maps those titles without it.

    Importing scikit-learn costs more than a second (it loads scipy.stats and pandas), more than
    scoring a title takes, and ``halqa audience target --title-id`` scores a title the space was
    fitted on. So the space keeps the rows of its fitted titles, and pickles the transformer as
    bytes that are unpickled (importing scikit-learn) only when a title it has not seen comes.
    """

    def __init__(self) -> None:
        self._model: Any = None  # a fitted scikit-learn transformer (scikit-learn has no types)
        self._pickled: bytes | None = None
        self._rows: dict[Hashable, int] = {}
        self._fitted = sp.csr_matrix((0, 0))

    def _remember(self, keys: Sequence[Hashable], matrix: sp.csr_matrix) -> None:
        self._rows = {key: i for i, key in enumerate(keys)}
        self._fitted = sp.csr_matrix(matrix)

    def _transform(self, keys: Sequence[Hashable], docs: Sequence[Any]) -> sp.csr_matrix:
        rows = [self._rows.get(key) for key in keys]
        if all(row is not None for row in rows):
            return sp.csr_matrix(self._fitted[rows])
        return sp.csr_matrix(self.model.transform(docs))

    @property
    def model(self) -> Any:
        if self._model is None:
            if self._pickled is None:
                raise RuntimeError(f"{type(self).__name__} is not fitted")
            self._model = pickle.loads(self._pickled)  # our own bytes, from fit()
        return self._model

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        if self._model is not None:
            state["_pickled"] = pickle.dumps(self._model, protocol=pickle.HIGHEST_PROTOCOL)
        state["_model"] = None
        return state


class FeatureSpace(FittedSpace):
    """Vocabulary and IDF of weighted metadata tokens, learned on the known titles."""

    def __init__(self, use_idf: bool = True) -> None:
        super().__init__()
        self.use_idf = use_idf

    def fit(self, titles: Sequence[Tokens]) -> FeatureSpace:
        from sklearn.feature_extraction import DictVectorizer
        from sklearn.feature_extraction.text import TfidfTransformer
        from sklearn.pipeline import make_pipeline

        # Rows are left unnormalised here: some scorers want the raw weights (transform says).
        self._model = make_pipeline(
            DictVectorizer(), TfidfTransformer(norm=None, use_idf=self.use_idf)
        )
        self._remember(_keys(titles), self._model.fit_transform(_weights(titles)))
        return self

    def transform(self, titles: Sequence[Tokens], *, normalise: bool = True) -> sp.csr_matrix:
        m = self._transform(_keys(titles), _weights(titles))
        return l2_normalise_rows(m) if normalise else m

    @property
    def vocabulary(self) -> dict[str, int]:
        """Token -> column."""
        return dict(self.model[0].vocabulary_)


def _keys(titles: Sequence[Tokens]) -> list[Hashable]:
    return [tuple(tokens) for tokens in titles]


def _weights(titles: Sequence[Tokens]) -> list[dict[str, float]]:
    """Each title's tokens as ``{token: weight}`` (a token given twice adds its weights)."""
    out = []
    for tokens in titles:
        weights: dict[str, float] = {}
        for token, weight in tokens:
            weights[token] = weights.get(token, 0.0) + weight
        out.append(weights)
    return out


class CharNgramSpace(FittedSpace):
    """Character n-gram TF-IDF (n-grams inside word boundaries, sublinear tf, L2-normalised
    rows)."""

    def __init__(self, ngram_range: tuple[int, int] = (2, 4)) -> None:
        super().__init__()
        self.ngram_range = ngram_range
        self._empty = False

    def fit(self, texts: Sequence[str]) -> CharNgramSpace:
        from sklearn.feature_extraction.text import TfidfVectorizer

        docs = [text or "" for text in texts]
        self._model = TfidfVectorizer(
            analyzer="char_wb",
            ngram_range=self.ngram_range,
            preprocessor=normalise_text,  # it also lower-cases: Arabic and Tifinagh stay as written
            lowercase=False,
            sublinear_tf=True,
            dtype=np.float64,
        )
        # No title has text: every text maps to nothing (scikit-learn refuses an empty vocabulary).
        self._empty = not any(normalise_text(doc) for doc in docs)
        if not self._empty:
            self._remember(docs, self._model.fit_transform(docs))
        return self

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        docs = [text or "" for text in texts]
        if self._empty:
            return sp.csr_matrix((len(docs), 0))
        return self._transform(docs, docs)

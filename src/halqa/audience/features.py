"""Turning title metadata and text into sparse vectors that targeting methods compare.

Metadata becomes weighted tokens (``genre:comedy``, ``lang:zgh``, ``year:1997``...);
``FeatureSpace`` learns the vocabulary and inverse document frequencies on the
known titles and maps new titles into the same space (unknown tokens are dropped:
a genre no known title has cannot say anything about who watches it).

Text (names, synopses, tags) becomes hashed character n-grams with TF-IDF weights.
Character n-grams need no tokenizer, so Arabic script, Tifinagh and Latin Arabizi
all work the same way; hashing uses CRC32 so vectors are the same in every process.
"""

from __future__ import annotations

import math
import re
import unicodedata
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

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


@dataclass
class FeatureSpace:
    """Vocabulary and IDF of metadata tokens, learned on the known titles."""

    use_idf: bool = True
    vocabulary: dict[str, int] = field(default_factory=dict)
    idf: np.ndarray = field(default_factory=lambda: np.zeros(0))

    def fit(self, titles: Sequence[Tokens]) -> FeatureSpace:
        df: dict[str, int] = {}
        for tokens in titles:
            for token in {t for t, _ in tokens}:
                df[token] = df.get(token, 0) + 1
        self.vocabulary = {t: i for i, t in enumerate(sorted(df))}
        n = max(len(titles), 1)
        counts = np.array([df[t] for t in sorted(df)], dtype=float)
        self.idf = np.log((1 + n) / (1 + counts)) + 1 if self.use_idf else np.ones(len(counts))
        return self

    def transform(self, titles: Sequence[Tokens], *, normalise: bool = True) -> sp.csr_matrix:
        rows, cols, vals = [], [], []
        for r, tokens in enumerate(titles):
            for token, weight in tokens:
                j = self.vocabulary.get(token)
                if j is not None:
                    rows.append(r)
                    cols.append(j)
                    vals.append(weight * self.idf[j])
        m = sp.csr_matrix(
            (vals, (rows, cols)), shape=(len(titles), len(self.vocabulary)), dtype=np.float64
        )
        m.sum_duplicates()
        return l2_normalise_rows(m) if normalise else m

    def columns(self, prefix: str) -> np.ndarray:
        """Indices of the tokens of one family (``"genre:"``...)."""
        return np.array(
            sorted(i for t, i in self.vocabulary.items() if t.startswith(prefix)), dtype=np.int64
        )

    def names(self) -> list[str]:
        return sorted(self.vocabulary, key=self.vocabulary.__getitem__)


def l2_normalise_rows(m: sp.csr_matrix) -> sp.csr_matrix:
    norms = np.sqrt(np.asarray(m.multiply(m).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sp.csr_matrix(sp.diags(1.0 / norms) @ m)


def normalise_text(text: str) -> str:
    """NFKC, lower case, Arabic marks and tatweel dropped, spaces folded. Letters are never transliterated."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    folded = _ARABIC_MARKS.sub("", folded)
    return _SPACES.sub(" ", folded).strip()


def char_ngrams(text: str, sizes: tuple[int, ...] = (2, 3, 4)) -> list[str]:
    """Character n-grams inside word boundaries (words padded with spaces)."""
    grams = []
    for word in normalise_text(text).split(" "):
        if not word:
            continue
        padded = f" {word} "
        for n in sizes:
            grams += [padded[i : i + n] for i in range(max(len(padded) - n + 1, 1))]
    return grams


@lru_cache(maxsize=65536)
def _hashed_ngrams(text: str, sizes: tuple[int, ...], dim: int) -> tuple[np.ndarray, np.ndarray]:
    """Distinct hashed n-gram columns of one text and their counts (cached: texts recur across folds)."""
    cols = np.array(
        [zlib.crc32(g.encode("utf-8")) % dim for g in char_ngrams(text, sizes)], dtype=np.int64
    )
    idx, counts = np.unique(cols, return_counts=True)
    return idx, counts.astype(np.float64)


@dataclass
class CharNgramSpace:
    """Hashed character n-gram TF-IDF (sublinear tf, L2-normalised rows)."""

    dim: int = 2**18
    sizes: tuple[int, ...] = (2, 3, 4)
    idf: np.ndarray = field(default_factory=lambda: np.zeros(0))

    def _counts(self, texts: Sequence[str]) -> sp.csr_matrix:
        rows, cols, vals = [], [], []
        for r, text in enumerate(texts):
            idx, counts = _hashed_ngrams(text or "", self.sizes, self.dim)
            rows.append(np.full(len(idx), r))
            cols.append(idx)
            vals.append(counts)
        if not rows:
            return sp.csr_matrix((0, self.dim))
        m = sp.csr_matrix(
            (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
            shape=(len(texts), self.dim),
        )
        m.data = 1 + np.log(m.data)
        return m

    def fit(self, texts: Sequence[str]) -> CharNgramSpace:
        counts = self._counts(texts)
        df = np.bincount(counts.indices, minlength=self.dim)
        self.idf = np.log((1 + len(texts)) / (1 + df)) + 1
        return self

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        m = self._counts(texts)
        m = sp.csr_matrix(m @ sp.diags(self.idf))
        return l2_normalise_rows(m)

"""Side features as sparse one-hot matrices: what a title is about, who a member is.

Titles: genres, themes, original language, creators, country, region, kind (IDF-weighted, rows
L2-normalised so a title with many genres is not louder). Members: age band, gender, their
cross, region, country, languages, occupation, plus a constant (the intercept of the
demographic model: plain popularity).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

from halqa.recommend.dataset import Dataset

TITLE_GROUPS = {
    "genres": 1.0,
    "themes": 0.7,
    "original_language": 0.7,
    "creator_ids": 1.0,
    "country": 0.5,
    "region": 0.4,
    "kind": 0.5,
}
MEMBER_GROUPS = ("age_band", "gender", "age_gender", "region", "country", "languages", "occupation")


@dataclass(frozen=True)
class FeatureSpace:
    """A sparse matrix plus the name of each column."""

    matrix: sp.csr_matrix
    names: list[str]


def title_features(dataset: Dataset) -> FeatureSpace:
    """Title one-hots weighted by ``TITLE_GROUPS`` and IDF, rows L2-normalised."""
    tf = dataset.title_features
    tokens: list[list[str]] = [[] for _ in range(dataset.n_titles)]
    weights: list[list[float]] = [[] for _ in range(dataset.n_titles)]
    if not tf.empty:
        for group, w in TITLE_GROUPS.items():
            for i, value in enumerate(tf[group].to_numpy()):
                for v in _values(value, base_language=group == "original_language"):
                    tokens[i].append(f"{group}:{v}")
                    weights[i].append(w)
    space = _one_hot(tokens, weights)
    matrix = space.matrix
    df = np.asarray((matrix > 0).sum(axis=0)).ravel()
    idf = np.log((1 + dataset.n_titles) / (1 + df)) + 1.0
    matrix = matrix @ sp.diags(idf)
    return FeatureSpace(_l2_rows(matrix), space.names)


def member_features(dataset: Dataset, vocabulary: list[str] | None = None) -> FeatureSpace:
    """One-hot member features; with ``vocabulary`` the columns follow it
    (unknown values dropped)."""
    mf = dataset.member_features
    tokens: list[list[str]] = [["bias"] for _ in range(dataset.n_members)]
    if not mf.empty:
        cross = [
            f"{a}|{g}" if a and g else None
            for a, g in zip(mf["age_band"], mf["gender"], strict=True)
        ]
        columns = {**{c: mf[c].to_numpy() for c in mf.columns}, "age_gender": cross}
        for group in MEMBER_GROUPS:
            for i, value in enumerate(columns.get(group, [])):
                tokens[i].extend(
                    f"{group}:{v}" for v in _values(value, base_language=group == "languages")
                )
    return _one_hot(tokens, None, vocabulary)


def _values(value: object, *, base_language: bool) -> Iterable[str]:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return []
    items = list(value) if isinstance(value, (list, tuple, np.ndarray)) else [value]
    out = [str(v) for v in items if v is not None and str(v)]
    return sorted({v.split("-")[0] for v in out}) if base_language else out


def _one_hot(
    tokens: list[list[str]], weights: list[list[float]] | None, vocabulary: list[str] | None = None
) -> FeatureSpace:
    """Rows × token columns (sorted, or ``vocabulary``'s order), each token's weight summed.

    A row holds several tokens (a title's genres), so each (row, token) pair is one-hot encoded
    by scikit-learn's ``OneHotEncoder`` and a sparse row-membership matrix sums the pairs back
    into their rows; tokens outside ``vocabulary`` are ignored.
    """
    rows = np.repeat(np.arange(len(tokens)), [len(row) for row in tokens])
    flat = np.array([token for row in tokens for token in row], dtype=object)
    values = (
        np.array([w for row in weights for w in row], dtype=np.float64)
        if weights is not None
        else np.ones(len(flat))
    )
    # imported here: scikit-learn takes longer to import than the rest of a model (a second or
    # more), and commands that load the models without building features need not pay for it
    from sklearn.preprocessing import OneHotEncoder

    if not len(flat):  # no token at all: the encoder cannot fit on zero rows
        names = list(vocabulary or [])
        return FeatureSpace(sp.csr_matrix((len(tokens), len(names)), dtype=np.float64), names)
    encoder = OneHotEncoder(
        categories="auto" if vocabulary is None else [np.array(vocabulary, dtype=object)],
        handle_unknown="ignore",
        sparse_output=True,
        dtype=np.float64,
    )
    pairs = encoder.fit_transform(flat.reshape(-1, 1))
    membership = sp.csr_matrix(
        (values, (rows, np.arange(len(flat)))), shape=(len(tokens), len(flat))
    )
    matrix = sp.csr_matrix(membership @ pairs)
    matrix.sum_duplicates()
    return FeatureSpace(matrix, [str(name) for name in encoder.categories_[0]])


def _l2_rows(matrix: sp.spmatrix) -> sp.csr_matrix:
    matrix = sp.csr_matrix(matrix)
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sp.csr_matrix(sp.diags(1.0 / norms) @ matrix)


def describe(space: FeatureSpace) -> pd.Series:
    """How many rows carry each feature (for docs and debugging)."""
    return pd.Series(np.asarray((space.matrix > 0).sum(axis=0)).ravel(), index=space.names)

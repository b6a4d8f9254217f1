"""From scores to lists: exclude what was seen, filter, take the top, re-rank, explain.

Shared by every model (``Recommender.recommend`` / ``similar`` call these), so a business rule
is written once. Work goes in batches of members to keep memory at batch × titles.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
import pandas as pd

from halqa.catalog.taxonomy import MUSIC_KINDS
from halqa.errors import ConfigError
from halqa.recommend.dataset import Dataset
from halqa.recommend.filters import allowed, parse_filters
from halqa.recommend.frames import from_pandas, to_pandas

if TYPE_CHECKING:
    from halqa.recommend.base import Recommender
    from halqa.recommend.explain import Explainer

RECOMMENDATION_COLUMNS = ("member_id", "title_id", "rank", "score", "reason")


class Reranker(Protocol):
    """Re-orders a member's candidate pool into the final ``k`` (see ``halqa.recommend.rerank``)."""

    def pool_size(self, k: int) -> int: ...

    def select(
        self, dataset: Dataset, member: int, titles: np.ndarray, scores: np.ndarray, k: int
    ) -> tuple[np.ndarray, np.ndarray]:
        """Chosen titles in order, and a flag per chosen title: promoted by the rule."""


def check_k(k: Any) -> int:
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k <= 0:
        raise ConfigError(f"k must be a positive whole number of titles; got {k!r}")
    return int(k)


def member_ids(dataset: Dataset, members: Any) -> np.ndarray:
    """Dense indices for ``members`` (ids, Series, or a table with ``member_id``);
    None = everyone."""
    if members is None:
        return np.arange(dataset.n_members)
    if isinstance(members, (str, int, np.integer)):
        members = [members]
    elif not isinstance(members, (list, tuple, np.ndarray, pd.Series, pd.Index)):
        frame = to_pandas(members, "members")
        if "member_id" not in frame.columns:
            raise ConfigError("members table needs a member_id column")
        members = frame["member_id"]
    return dataset.member_index(list(members))


def recommend(
    model: Recommender,
    members: Any = None,
    k: int = 10,
    *,
    filters: Mapping[str, Any] | Iterable[str] | None = None,
    exclude_seen: bool = True,
    repeat_kinds: Iterable[str] = MUSIC_KINDS,
    rerank: Reranker | None = None,
    explain: bool = True,
    lang: str = "en",
    format: str = "pandas",
    batch_size: int = 512,
) -> Any:
    """Top-``k`` titles for each member: ``member_id, title_id, rank, score, reason``.

    ``exclude_seen`` hides titles the member already had an event on, except titles whose kind is
    in ``repeat_kinds`` (music may repeat). ``filters``: see :mod:`halqa.recommend.filters`.
    ``rerank``: e.g. :class:`halqa.recommend.LocalTalentReranker`.
    """
    k = check_k(k)
    ds = model.dataset
    spec = parse_filters(filters)
    idx = member_ids(ds, members)
    explainer: Explainer | None = None
    if explain:
        from halqa.recommend.explain import Explainer

        explainer = Explainer(ds, lang=lang, many_members=len(idx) > 256)
    repeatable = _kind_mask(ds, repeat_kinds) if exclude_seen else None
    pool = rerank.pool_size(k) if rerank is not None else k
    reach = (
        np.asarray(rerank.must_consider(ds))
        if rerank is not None and hasattr(rerank, "must_consider")
        else np.asarray(False)
    )
    parts = []
    for start in range(0, len(idx), batch_size):
        batch = idx[start : start + batch_size]
        scores = _masked_scores(model, ds, batch, spec, repeatable)
        top = _top(scores, min(pool, ds.n_titles))
        candidates: np.ndarray | list[np.ndarray] = top
        if reach.any():  # quotas need their best titles in the pool even when they score low
            extra = _top(np.where(reach[None, :], scores, -np.inf), min(pool, ds.n_titles))
            candidates = _merge(top, extra, scores)
        parts.append(_lists(ds, batch, candidates, scores, k, rerank, explainer))
    frame = pd.concat(parts, ignore_index=True) if parts else _empty()
    return from_pandas(frame, format)


def _masked_scores(
    model: Recommender,
    ds: Dataset,
    batch: np.ndarray,
    spec: dict[str, Any],
    repeatable: np.ndarray | None,
) -> np.ndarray:
    scores = model.score(batch)
    if repeatable is not None:
        seen = ds.seen()[batch].tocoo()
        hide = ~repeatable[seen.col]
        scores[seen.row[hide], seen.col[hide]] = -np.inf  # the same rule as default_hidden
    mask = allowed(ds, batch, spec)
    if mask is not None:
        scores[~mask] = -np.inf
    return scores


def default_hidden(
    ds: Dataset, members: np.ndarray, repeat_kinds: Iterable[str] = MUSIC_KINDS
) -> tuple[np.ndarray, np.ndarray]:
    """(row, title) pairs ``recommend`` hides by default for ``members``: titles each member
    already had an event on, except kinds that may repeat (tuning masks exactly these)."""
    seen = ds.seen()[members].tocoo()
    hide = ~_kind_mask(ds, repeat_kinds)[seen.col]
    return seen.row[hide], seen.col[hide]


def top_indices(scores: np.ndarray, n: int) -> np.ndarray:
    """Indices of the ``n`` best scores per row, best first (ties: lower title index first)."""
    return _top(scores, n)


def _top(scores: np.ndarray, n: int) -> np.ndarray:
    """Indices of the ``n`` best scores per row, best first (ties: lower title index first)."""
    if n >= scores.shape[1]:
        part = np.tile(np.arange(scores.shape[1]), (scores.shape[0], 1))
    else:
        part = np.argpartition(-scores, n - 1, axis=1)[:, :n]
    order = np.lexsort((part, -np.take_along_axis(scores, part, axis=1)), axis=1)
    return np.take_along_axis(part, order, axis=1)


def _merge(top: np.ndarray, extra: np.ndarray, scores: np.ndarray) -> list[np.ndarray]:
    merged = []
    for row in range(len(top)):
        cand = np.unique(np.concatenate([top[row], extra[row]]))
        merged.append(cand[np.lexsort((cand, -scores[row, cand]))])
    return merged


def _lists(
    ds: Dataset,
    batch: np.ndarray,
    top: np.ndarray | list[np.ndarray],
    scores: np.ndarray,
    k: int,
    rerank: Reranker | None,
    explainer: Explainer | None,
) -> pd.DataFrame:
    if rerank is None and explainer is None and isinstance(top, np.ndarray):
        return _plain_lists(ds, batch, top[:, :k], scores)
    members: list[int] = []
    titles: list[int] = []
    ranks: list[int] = []
    values: list[float] = []
    reasons: list[str] = []
    for row, member in enumerate(batch):
        cand = top[row]
        cand_scores = scores[row, cand]
        keep = np.isfinite(cand_scores)
        cand, cand_scores = cand[keep], cand_scores[keep]
        promoted = np.zeros(min(k, len(cand)), dtype=bool)
        if rerank is not None:
            chosen, promoted = rerank.select(ds, int(member), cand, cand_scores, k)
        else:
            chosen = cand[:k]
        members.extend([member] * len(chosen))
        titles.extend(chosen)
        ranks.extend(range(1, len(chosen) + 1))
        values.extend(scores[row, chosen])
        moved = _placed_above_a_better_score(scores[row, chosen]) if rerank is not None else None
        reasons.extend(
            explainer.reasons(int(member), chosen, promoted, moved)
            if explainer
            else [""] * len(chosen)
        )
    return pd.DataFrame(
        {
            "member_id": ds.members.to_external(np.asarray(members, dtype=np.int64)),
            "title_id": ds.titles.to_external(np.asarray(titles, dtype=np.int64)),
            "rank": np.asarray(ranks, dtype=np.int32),
            "score": np.asarray(values, dtype=np.float64),
            "reason": pd.Series(reasons, dtype=object),
        }
    )


def _placed_above_a_better_score(values: np.ndarray) -> np.ndarray:
    """True where a pick ranks above one the model scored higher (a re-ranker's doing)."""
    below_best = np.maximum.accumulate(values[::-1])[::-1]  # best score at or below each rank
    return (
        np.append(values[:-1] < below_best[1:], False) if len(values) else np.zeros(0, dtype=bool)
    )


def _plain_lists(
    ds: Dataset, batch: np.ndarray, top: np.ndarray, scores: np.ndarray
) -> pd.DataFrame:
    """The top-k as they are, vectorised (no re-ranker, no reasons): the batch-scoring path."""
    values = np.take_along_axis(scores, top, axis=1)
    keep = np.isfinite(values)
    ranks = np.cumsum(keep, axis=1)
    rows = np.repeat(np.arange(len(batch)), top.shape[1]).reshape(top.shape)
    return pd.DataFrame(
        {
            "member_id": ds.members.to_external(batch[rows[keep]]),
            "title_id": ds.titles.to_external(top[keep]),
            "rank": ranks[keep].astype(np.int32),
            "score": values[keep].astype(np.float64),
            "reason": pd.Series([""] * int(keep.sum()), dtype=object),
        }
    )


def _kind_mask(ds: Dataset, kinds: Iterable[str]) -> np.ndarray:
    repeat = set(kinds)
    return (
        ds.title_features["kind"].isin(repeat).to_numpy()
        if repeat
        else np.zeros(ds.n_titles, dtype=bool)
    )


def _empty() -> pd.DataFrame:
    return pd.DataFrame(
        {
            c: pd.Series(dtype=t)
            for c, t in zip(
                RECOMMENDATION_COLUMNS, ("object", "object", "int32", "float64", "object")
            )
        }
    )


def similar(model: Recommender, titles: Any, k: int = 10, *, format: str = "pandas") -> Any:
    """Top-``k`` most similar titles to each of ``titles``:
    ``title_id, similar_title_id, rank, score``."""
    k = check_k(k)
    ds = model.dataset
    if isinstance(titles, (str, int, np.integer)):
        titles = [titles]
    query = ds.title_index(list(titles))
    sims = model.similar_scores(query)
    sims[np.arange(len(query)), query] = -np.inf
    top = _top(sims, min(k, ds.n_titles))
    rows = []
    for i, q in enumerate(query):
        for rank, t in enumerate(top[i], start=1):
            if np.isfinite(sims[i, t]):
                rows.append((ds.titles.external[q], ds.titles.external[t], rank, float(sims[i, t])))
    frame = pd.DataFrame(rows, columns=["title_id", "similar_title_id", "rank", "score"])
    return from_pandas(frame, format)

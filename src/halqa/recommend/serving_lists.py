"""What the service asks of a recommender: a member's list and a title's neighbours as plain
rows (title, name, rank, score, reason, local, placed), and who may receive lists.

``halqa.service.recs`` serves these over HTTP; ``halqa recommend`` prints the same model's
frames. Here the frames become the rows the API answers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from halqa.catalog import Store
from halqa.errors import ConfigError, NotFoundError

if TYPE_CHECKING:
    from halqa.recommend.base import Recommender
    from halqa.recommend.dataset import Dataset
    from halqa.recommend.rerank import LocalTalentReranker

Rows = list[dict[str, Any]]


def consented_members(store: Store) -> set[str]:
    """The members with personalisation consent: the only ones who get lists or are folded in."""
    return {r[0] for r in store.rows("SELECT member_id FROM members_personalisation")}


def member_list(
    model: Recommender,
    member_id: str,
    k: int,
    filters: list[str],
    local_share: float | None,
    lang: str,
) -> Rows:
    """The member's top ``k`` with reasons in ``lang``; ``local_share`` of the slots for
    Moroccan creators (the local-talent re-ranker)."""
    options: dict[str, Any] = {"filters": filters or None, "lang": lang}
    if local_share:
        options["rerank"] = _reranker(local_share)
    frame = model.recommend([member_id], k, **options)
    ds = model.dataset
    index = ds.title_index(list(frame["title_id"]))
    names = ds.title_names(index)
    local = _local_flags(ds)
    scores = frame["score"].to_numpy(dtype=float)
    placed = placed_above_a_better_score(scores)
    return [
        {
            "title_id": t,
            "name": n,
            "rank": int(r),
            "score": float(s),
            "reason": reason,
            "local": bool(0 <= i < len(local) and local[i]),
            "placed": bool(p),
        }
        for t, n, r, s, reason, i, p in zip(
            frame["title_id"], names, frame["rank"], scores, frame["reason"], index, placed
        )
    ]


def similar_titles(model: Recommender, title_id: str, k: int) -> Rows:
    """The ``k`` titles most like ``title_id``, with their names."""
    if title_id not in model.dataset.titles:
        raise NotFoundError(f"no title '{title_id}' in the recommendation model")
    frame = model.similar([title_id], k)
    names = model.dataset.title_names(model.dataset.title_index(list(frame["similar_title_id"])))
    return [
        {"title_id": t, "name": n, "rank": int(r), "score": float(s)}
        for t, n, r, s in zip(frame["similar_title_id"], names, frame["rank"], frame["score"])
    ]


def reranker_available() -> bool:
    import halqa.recommend as api

    return hasattr(api, "LocalTalentReranker")


def _reranker(local_share: float) -> LocalTalentReranker:
    if not reranker_available():
        raise ConfigError(
            "local_share needs halqa.recommend's local-talent re-ranker, not installed"
        )
    from halqa.recommend import LocalTalentReranker

    return LocalTalentReranker(local_share=local_share)


def _local_flags(ds: Dataset) -> Any:  # a numpy bool array
    """Titles with a Moroccan creator, as the local-talent re-ranker counts them (the dashboard
    marks them, so the share slider's effect can be seen)."""
    from halqa.recommend.flags import local_flags

    return ds.cached(("titles", "service", "local"), lambda: local_flags(ds))


def placed_above_a_better_score(scores: Any) -> list[bool]:
    """True where a pick ranks above one the model scored higher: a slot policy (Moroccan
    creators' share, variety) put it there, so the scores shown are not in rank order."""
    best_below = float("-inf")
    out = [False] * len(scores)
    for i in range(len(scores) - 1, -1, -1):
        out[i] = bool(scores[i] < best_below)
        best_below = max(best_below, float(scores[i]))
    return out

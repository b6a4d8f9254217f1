"""Offline evaluation: temporal splits, then accuracy and beyond-accuracy metrics of top-k lists.

Splits keep the dataset's id maps (``Dataset.subset``), so a model fitted on the training part
scores exactly the same dense indices the held-out part uses.

- ``member_split``: for each member, the last ``test_fraction`` of their events by time are held
  out (ties broken by title id, so the split is deterministic).
- ``global_split``: every event after the ``1 - test_fraction`` time quantile is held out; only
  members with training events are judged.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from halqa.errors import ConfigError, UserError
from halqa.recommend import metrics
from halqa.recommend.dataset import Dataset
from halqa.recommend.flags import emerging_flags, local_flags, new_flags, title_creators

if TYPE_CHECKING:
    from halqa.recommend.base import Recommender
    from halqa.recommend.rerank import LocalTalentReranker

SPLITS = ("member", "global")


@dataclass(frozen=True)
class Split:
    train: Dataset
    truth: pd.DataFrame  # member, title: held-out positive titles unseen in training

    @property
    def members(self) -> np.ndarray:
        return np.sort(self.truth["member"].unique())


def member_split(dataset: Dataset, test_fraction: float = 0.2) -> Split:
    """Hold out the last ``test_fraction`` of each member's events (ties broken by title id)."""
    _check_fraction(test_fraction)
    ev = dataset.events.assign(_tid=dataset.title_order()[dataset.events["title_idx"].to_numpy()])
    order = ev.sort_values(["member_idx", "ts", "_tid"], kind="stable").index.to_numpy()
    ev = ev.loc[order]
    position = ev.groupby("member_idx").cumcount().to_numpy()
    size = ev.groupby("member_idx")["ts"].transform("size").to_numpy()
    n_test = np.floor(size * test_fraction + 0.5).astype(int)  # round half up
    n_test = np.where(size >= 2, np.clip(n_test, 1, size - 1), 0)
    test = np.zeros(len(ev), dtype=bool)
    test[order] = position >= size - n_test
    return _make_split(dataset, test)


def global_split(dataset: Dataset, test_fraction: float = 0.2) -> Split:
    """Hold out every event after the global ``1 - test_fraction`` time quantile."""
    _check_fraction(test_fraction)
    ts = dataset.events["ts"].to_numpy()
    if len(ts) == 0:  # before the quantile, which fails on no values
        raise UserError("no events to split: the store has no consented events")
    cutoff = np.quantile(ts, 1 - test_fraction)
    return _make_split(dataset, ts > cutoff)


def random_member_split(dataset: Dataset, test_fraction: float = 0.2, seed: int = 42) -> Split:
    """Hold out a seeded random ``test_fraction`` of each member's titles: for catalogues whose
    timestamps carry no order (e.g. play counts summed per listener and artist)."""
    _check_fraction(test_fraction)
    ev = dataset.events
    rng = np.random.default_rng(seed)
    order = np.lexsort((rng.random(len(ev)), ev["member_idx"].to_numpy()))
    members = ev["member_idx"].to_numpy()[order]
    size = np.bincount(members, minlength=dataset.n_members)[members]
    position = np.arange(len(order)) - np.searchsorted(members, members)
    n_test = np.where(
        size >= 2, np.clip(np.floor(size * test_fraction + 0.5).astype(int), 1, size - 1), 0
    )
    test = np.zeros(len(ev), dtype=bool)
    test[order] = position < n_test
    return _make_split(dataset, test)


def split(dataset: Dataset, how: str = "member", test_fraction: float = 0.2) -> Split:
    if how not in SPLITS:
        raise ConfigError(f"unknown split '{how}': use one of {', '.join(SPLITS)}")
    return (
        member_split(dataset, test_fraction)
        if how == "member"
        else global_split(dataset, test_fraction)
    )


def _make_split(dataset: Dataset, test: np.ndarray) -> Split:
    if len(dataset.events) == 0:
        raise UserError("no events to split: the store has no consented events")
    train = dataset.subset(~test)
    held = dataset.events[test]
    held = held[held["weight"] > 0][["member_idx", "title_idx"]].drop_duplicates()
    seen = train.seen().tocsr()
    # scipy answers a sparse matrix, not an np.matrix, when indexed by two empty arrays (nothing
    # held out: every member has one event), and a sparse matrix has no truth value
    already = np.zeros(0, dtype=bool)
    if len(held):
        already = (
            np.asarray(seen[held["member_idx"].to_numpy(), held["title_idx"].to_numpy()]).ravel()
            > 0
        )
    has_train = np.diff(seen.indptr)[held["member_idx"].to_numpy()] > 0
    truth = held[~already & has_train].rename(
        columns={"member_idx": "member", "title_idx": "title"}
    )
    return Split(train, truth.reset_index(drop=True))


def _check_fraction(value: float) -> None:
    if not 0 < value < 1:
        raise ConfigError(f"test fraction must be between 0 and 1 (exclusive); got {value}")


# -- scoring lists ---------------------------------------------------------------------------------
def score_lists(recs: pd.DataFrame, split_: Split, dataset: Dataset, k: int) -> dict[str, float]:
    """Every metric for ``recs`` (``member, title, rank`` dense ids) against the split's truth."""
    out = metrics.ranking_metrics(recs, split_.truth, k)
    titles = recs["title"].to_numpy()
    popularity = np.asarray((split_.train.matrix() > 0).sum(axis=0)).ravel()
    local, creators_of = local_flags(dataset), title_creators(dataset)
    out["coverage"] = metrics.coverage(titles, dataset.n_titles)
    out["novelty_pct"] = metrics.novelty(titles, popularity)
    out["local_share"] = metrics.share(titles, local)
    out["gini_creators"] = metrics.gini(
        creator_exposure(titles, creators_of, dataset, moroccan_only=False)
    )
    out["gini_moroccan_creators"] = metrics.gini(
        creator_exposure(titles, creators_of, dataset, moroccan_only=True)
    )
    out["members"] = int(split_.truth["member"].nunique())
    return out


def evaluate(
    make_model: Callable[[], Recommender],
    dataset: Dataset,
    *,
    k: int = 10,
    how: str = "member",
    test_fraction: float = 0.2,
    **recommend_options: Any,
) -> dict[str, float]:
    """Fit ``make_model()`` on the training part of the split and score its top-k lists."""
    s = split(dataset, how, test_fraction)
    model = make_model().fit(s.train)
    recs = dense_recommend(model, s.members, k, **recommend_options)
    return score_lists(recs, s, dataset, k)


def dense_recommend(
    model: Recommender, members: np.ndarray, k: int, **options: Any
) -> pd.DataFrame:
    """``model.recommend`` for dense member indices, returned with dense ``member, title, rank``."""
    ds = model.dataset
    options.setdefault("explain", False)
    options.setdefault("repeat_kinds", ())
    recs = model.recommend(ds.members.to_external(members).tolist(), k, **options)
    return pd.DataFrame(
        {
            "member": ds.member_index(recs["member_id"]),
            "title": ds.title_index(recs["title_id"]),
            "rank": recs["rank"].to_numpy(),
        }
    )


def creator_exposure(
    titles: np.ndarray, creators_of: list[list[str]], dataset: Dataset, *, moroccan_only: bool
) -> np.ndarray:
    """Slots per creator over every creator of the catalogue (zeros included),
    optionally MA only."""
    cr = dataset.creators
    pool = list(cr.index[cr["country"].astype(str) == "MA"]) if moroccan_only else list(cr.index)
    counts = dict.fromkeys(pool, 0)
    for t in titles:
        for c in creators_of[int(t)]:
            if c in counts:
                counts[c] += 1
    return np.array(list(counts.values()), dtype=np.float64)


def rerank_cost(
    model: Recommender,
    split_: Split,
    dataset: Dataset,
    reranker: LocalTalentReranker,
    *,
    k: int = 10,
    members: np.ndarray | None = None,
) -> dict[str, Any]:
    """The same fitted model's lists with and without ``reranker``: what the rule buys and costs.

    Returns both metric sets, the NDCG drop in percent, and the smallest local / emerging share
    of any single list (the guarantee, checked list by list).
    """
    members = split_.members if members is None else members
    truth = split_.truth[split_.truth["member"].isin(members)]
    judged = Split(split_.train, truth)
    plain = dense_recommend(model, members, k)
    reranker.reset_exposure()
    ranked = dense_recommend(model, members, k, rerank=reranker)
    before, after = score_lists(plain, judged, dataset, k), score_lists(ranked, judged, dataset, k)
    local, emerging = (
        local_flags(dataset),
        emerging_flags(dataset, reranker.config.emerging_years),
    )
    new = new_flags(dataset, reranker.config.new_days)
    per_list = ranked.assign(
        local=local[ranked["title"]], emerging=emerging[ranked["title"]], new=new[ranked["title"]]
    ).groupby("member")
    drop = (1 - after[f"ndcg@{k}"] / before[f"ndcg@{k}"]) * 100 if before[f"ndcg@{k}"] else 0.0
    return {
        "plain": before,
        "reranked": after,
        "ndcg_drop_pct": drop,
        "min_local_share_per_list": float(per_list["local"].mean().min()),
        "min_emerging_share_per_list": float(per_list["emerging"].mean().min()),
        "min_new_share_per_list": float(per_list["new"].mean().min()),
        # exposure gain: the share of all slots that went to new titles, before and after
        "new_share_plain": metrics.share(plain["title"].to_numpy(), new),
        "new_share_reranked": metrics.share(ranked["title"].to_numpy(), new),
        "new_titles_shown": len(set(ranked["title"][new[ranked["title"]]])),
        "new_titles": int(new.sum()),
        "lists": int(ranked["member"].nunique()),
    }


def compare(
    name: str,
    model: Recommender,
    split_: Split,
    dataset: Dataset,
    how: str,
    *,
    k: int = 10,
    local_share: float = 0.0,
    new_share: float = 0.0,
    new_days: float = 60.0,
) -> dict[str, dict[str, Any]]:
    """Fit a fresh copy of the unfitted ``model`` on the split's training part and score its lists,
    keyed ``"<how>/<name>"``; with ``local_share`` or ``new_share`` also the re-ranked lists and
    what they cost (``"<how>/<name>+local0.4"``, ``"<how>/<name>+new0.2"``)."""
    from halqa.recommend.rerank import LocalTalentReranker

    fitted = copy.deepcopy(model).fit(split_.train)
    key = f"{how}/{name}"
    if not local_share and not new_share:
        return {key: score_lists(dense_recommend(fitted, split_.members, k), split_, dataset, k)}
    out: dict[str, dict[str, Any]] = {}
    if local_share:
        cost = rerank_cost(
            fitted, split_, dataset, LocalTalentReranker(local_share=local_share), k=k
        )
        out[key] = cost["plain"]
        out[f"{key}+local{local_share:g}"] = {
            **cost["reranked"],
            **{c: cost[c] for c in ("ndcg_drop_pct", "min_local_share_per_list")},
        }
    if new_share:
        # only the new-title slots: no creator cap or exposure spreading, so the cost is the
        # policy's own
        policy = LocalTalentReranker(
            local_share=0.0,
            new_share=new_share,
            new_days=new_days,
            creator_cap=None,
            exposure_weight=0.0,
        )
        cost = rerank_cost(fitted, split_, dataset, policy, k=k)
        out[key] = cost["plain"]
        out[f"{key}+new{new_share:g}"] = {
            **cost["reranked"],
            **{c: cost[c] for c in _NEW_SHARE_COSTS},
        }
    return out


_NEW_SHARE_COSTS = (
    "ndcg_drop_pct",
    "min_new_share_per_list",
    "new_share_plain",
    "new_share_reranked",
    "new_titles_shown",
    "new_titles",
)

"""Re-ranker guarantees: local and emerging quotas per list, creator cap, exposure spread, cost."""

from __future__ import annotations

import math

import numpy as np
import pytest

from halqa.errors import ConfigError
from halqa.recommend import LocalTalentReranker, make_model
from halqa.recommend.evaluate import emerging_flags, local_flags, member_split, rerank_cost


@pytest.fixture(scope="module")
def hybrid(dataset):
    return make_model("hybrid").fit(dataset)


def _share(recs, dataset, flags):
    idx = dataset.title_index(recs["title_id"])
    return recs.assign(flag=flags[idx]).groupby("member_id")["flag"].mean()


@pytest.mark.parametrize("share", [0.4, 0.7, 1.0])
def test_every_list_gets_its_local_quota(hybrid, dataset, share):
    recs = hybrid.recommend(k=10, rerank=LocalTalentReranker(local_share=share), repeat_kinds=())
    per_list = _share(recs, dataset, local_flags(dataset))
    assert (per_list >= math.ceil(share * 10) / 10 - 1e-9).all()
    assert recs.groupby("member_id").size().eq(10).all()


def test_emerging_quota_is_separate(hybrid, dataset):
    flags = emerging_flags(dataset, within_years=3)
    assert 0 < flags.mean() < 0.5  # c0 (2025), c2 (2024) debuted recently in the synthetic world
    recs = hybrid.recommend(
        k=10, rerank=LocalTalentReranker(local_share=0.0, emerging_share=0.3), repeat_kinds=()
    )
    assert (_share(recs, dataset, flags) >= 0.3 - 1e-9).all()


def test_creator_cap_limits_titles_per_creator(hybrid, dataset):
    recs = hybrid.recommend(
        k=10,
        rerank=LocalTalentReranker(local_share=0.0, creator_cap=1, exposure_weight=0),
        repeat_kinds=(),
    )
    creators = dataset.title_features["creator_ids"].to_numpy()[
        dataset.title_index(recs["title_id"])
    ]
    recs = recs.assign(creator=[c[0] for c in creators])
    assert recs.groupby(["member_id", "creator"]).size().max() == 1


def test_promoted_picks_say_so(hybrid, dataset):
    recs = hybrid.recommend(["m2", "m5"], k=10, rerank=LocalTalentReranker(local_share=1.0))
    promoted = recs[recs["reason"].str.startswith("Moroccan talent to discover")]
    assert len(promoted) > 0
    assert local_flags(dataset)[dataset.title_index(promoted["title_id"])].all()


def test_cost_is_reported_and_exposure_spreads(dataset):
    split = member_split(dataset)
    model = make_model("hybrid").fit(split.train)
    spread = rerank_cost(
        model, split, dataset, LocalTalentReranker(local_share=0.4, exposure_weight=1.0)
    )
    assert spread["min_local_share_per_list"] >= 0.4
    assert np.isfinite(spread["ndcg_drop_pct"])
    flat = rerank_cost(
        model, split, dataset, LocalTalentReranker(local_share=0.4, exposure_weight=0.0)
    )
    # remembering exposure spreads the Moroccan slots over more creators than greedy relevance does
    assert (
        spread["reranked"]["gini_moroccan_creators"] <= flat["reranked"]["gini_moroccan_creators"]
    )


def test_diversity_spreads_genres(hybrid, dataset):
    plain = hybrid.recommend(["m0"], k=6, repeat_kinds=())
    diverse = hybrid.recommend(
        ["m0"], k=6, rerank=LocalTalentReranker(local_share=0.0, diversity=1.0), repeat_kinds=()
    )
    genres = dataset.title_features["genres"].to_numpy()
    count = lambda r: len({g for gs in genres[dataset.title_index(r["title_id"])] for g in gs})
    assert count(diverse) > count(plain)


def test_bad_settings_are_refused():
    with pytest.raises(
        ConfigError,
        match="the .local_share. parameter of the re-ranker must be less than or equal to 1; got 1.5",
    ):
        LocalTalentReranker(local_share=1.5)
    with pytest.raises(
        ConfigError,
        match="the .creator_cap. parameter of the re-ranker must be greater than 0; got 0",
    ):
        LocalTalentReranker(creator_cap=0)


def test_catalogue_without_creators_is_served_not_crashed(world):
    # MovieLens-like data: titles but no creators table, so no title is local or emerging.
    from halqa.recommend import Dataset

    bare = Dataset.from_frame(world["events"])
    model = make_model("popular").fit(bare)
    recs = model.recommend(k=5, rerank=LocalTalentReranker(local_share=0.4), repeat_kinds=())
    assert recs.groupby("member_id").size().eq(5).all()

"""Reasons that do not mislead (issue 13): nothing already played is "new", no creator named twice,
and a list whose scores are out of rank order says which picks a re-ranker placed."""

from __future__ import annotations

import numpy as np
import pytest

from halqa.recommend import LocalTalentReranker, make_model


@pytest.fixture(scope="module")
def hybrid(dataset):
    return make_model("hybrid").fit(dataset)


def _played(dataset) -> set[tuple[str, str]]:
    ev = dataset.events[["member_idx", "title_idx"]].drop_duplicates()
    members = dataset.members.to_external(ev["member_idx"].to_numpy())
    titles = dataset.titles.to_external(ev["title_idx"].to_numpy())
    return set(zip(members, titles))


def test_nothing_already_played_is_called_new(hybrid, dataset):
    recs = hybrid.recommend(k=10)  # music may come back: repeat listening is allowed
    played = _played(dataset)
    again = recs[[(m, t) in played for m, t in zip(recs["member_id"], recs["title_id"])]]
    assert len(again) > 0, "the world should have repeat picks for this test to mean anything"
    assert not again["reason"].str.startswith("new from").any()
    assert again["reason"].str.startswith("again:").any()


def test_no_reason_names_its_creator_twice(hybrid, dataset):
    recs = hybrid.recommend(k=10, rerank=LocalTalentReranker(local_share=1.0))
    names = [n for n in dataset.creators["name"] if isinstance(n, str)]
    for reason in recs["reason"]:
        for name in names:
            assert reason.count(name) <= 1, reason
        assert not ("to discover" in reason and "an artist you listen to" in reason), reason


@pytest.mark.parametrize("share", [0.4, 1.0])
def test_scores_out_of_rank_order_are_explained(hybrid, dataset, share):
    recs = hybrid.recommend(k=10, rerank=LocalTalentReranker(local_share=share), lang="en")
    moved_seen = 0
    for _, one in recs.groupby("member_id"):
        one = one.sort_values("rank")
        scores = one["score"].to_numpy()
        moved = np.array(
            [
                scores[i] < scores[i + 1 :].max() if i + 1 < len(scores) else False
                for i in range(len(scores))
            ]
        )
        said = one["reason"].str.contains("placed here").to_numpy()
        assert (moved == said).all(), one[["rank", "score", "reason"]].to_string()
        moved_seen += int(moved.sum())
    assert moved_seen > 0  # the quota does reorder some lists

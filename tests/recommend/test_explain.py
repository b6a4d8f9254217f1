"""Reasons: the same whether a member is explained alone (sparse) or in a batch (dense table)."""

from __future__ import annotations

import numpy as np

from halqa.recommend import EASE
from halqa.recommend.explain import Explainer


def test_reasons_alone_equal_reasons_in_a_batch(dataset):
    model = EASE().fit(dataset)
    alone, batch = Explainer(dataset, lang="fr"), Explainer(dataset, lang="fr", many_members=True)
    scores = model.score(np.arange(30))
    for member in range(30):
        picks = np.argsort(-scores[member])[:10]
        assert alone.reasons(member, picks) == batch.reasons(member, picks)


def test_segment_audience_counts_distinct_members_per_age_band_and_region(dataset):
    explainer = Explainer(dataset)
    ev = dataset.events[["member_idx", "title_idx"]].drop_duplicates()
    mf = dataset.member_features
    ev = ev.assign(
        age=mf["age_band"].to_numpy()[ev["member_idx"]],
        region=mf["region"].to_numpy()[ev["member_idx"]],
    )
    checked = 0
    for title in range(0, dataset.n_titles, 5):
        got = explainer._segment_audience(title)
        mine = ev[(ev["title_idx"] == title) & ev["age"].notna()]
        expected = {(a, None): n for a, n in mine.groupby("age").size().items()}
        expected |= {
            (a, r): n
            for (a, r), n in mine[mine["region"].notna()].groupby(["age", "region"]).size().items()
        }
        assert got == expected
        checked += any(region for _, region in got)
    assert checked  # the world has members with age bands and regions behind the titles

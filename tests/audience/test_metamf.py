"""The metadata factorisation and the blend's per-title balancing, on a small planted world."""

from __future__ import annotations

import numpy as np

from halqa.audience.blend import BlendScorer
from halqa.audience.data import TargetingData, TitleBatch, build_matrices
from halqa.audience.evaluation import evaluate_scores
from halqa.audience.features import metadata_tokens
from halqa.audience.metamf import MetadataFactorScorer
from halqa.audience.methods import ActivityScorer

GENRES = ("comedy", "drama", "horror", "documentary")


def planted(
    rng: np.random.Generator, n_members: int = 240, n_titles: int = 160
) -> tuple[TargetingData, np.ndarray, np.ndarray]:
    """Each member loves one genre; titles differ wildly in popularity, which metadata cannot tell."""
    taste = rng.integers(0, len(GENRES), n_members)
    activity = rng.normal(0, 0.7, n_members)
    genre = rng.integers(0, len(GENRES), n_titles)
    popularity = rng.normal(-2.5, 1.0, n_titles)
    logit = popularity[None, :] + activity[:, None] + 2.5 * (taste[:, None] == genre[None, :])
    met = rng.random((n_members, n_titles)) < 1 / (1 + np.exp(-logit))
    m, t = np.nonzero(met)
    inter, seen = build_matrices(m, t, np.ones(len(m)), np.full(len(m), 1e9), n_members, n_titles)
    tokens = [
        metadata_tokens(genres=[GENRES[g]], year=2000 + int(rng.integers(0, 5))) for g in genre
    ]
    batch = TitleBatch(tokens, [""] * n_titles, np.full(n_titles, np.nan))
    data = TargetingData(
        np.arange(n_members).astype(str), np.arange(n_titles).astype(str), inter, seen, batch
    )
    # What a member's logit is apart from the title's popularity: the best possible ranking.
    oracle = activity[None, :] + 2.5 * (taste[None, :] == genre[:, None])
    return data, taste, oracle


def test_metadata_factors_find_each_genre_s_fans(rng):
    data, taste, oracle = planted(rng)
    hidden = np.arange(120, 160)
    known = data.keep_titles(np.arange(120))
    scorer = MetadataFactorScorer(factors=8, l2=10.0).fit(known)
    scores = scorer.score(data.titles.take(hidden))
    assert scores.shape == (len(hidden), data.n_members) and np.isfinite(scores).all()
    truth = [data.audience_of(t) for t in hidden]
    auc = evaluate_scores(scores, truth)["roc_auc"]
    best = evaluate_scores(oracle[hidden], truth)["roc_auc"]
    activity = evaluate_scores(ActivityScorer().fit(known).score(data.titles.take(hidden)), truth)[
        "roc_auc"
    ]
    assert (
        auc > best - 0.03 and auc > activity + 0.1
    )  # estimation noise of 120 titles; far above activity
    comedy = data.titles.take(hidden).tokens.index(
        next(tk for tk in data.titles.take(hidden).tokens if ("genre:comedy", 1.0) in tk)
    )
    top = np.argsort(-scores[comedy])[:40]
    assert np.mean(taste[top] == GENRES.index("comedy")) > 0.8


def test_member_blocks_match_the_one_shot_fit(rng):
    data, _, _ = planted(rng)
    known, hidden = data.keep_titles(np.arange(120)), data.titles.take(np.arange(120, 160))
    truth = [data.audience_of(t) for t in range(120, 160)]
    whole = MetadataFactorScorer(factors=8, l2=10.0).fit(known)
    blocks = MetadataFactorScorer(factors=8, l2=10.0, max_cells=120 * 60).fit(
        known
    )  # 60 members a block
    auc_whole = evaluate_scores(whole.score(hidden), truth)["roc_auc"]
    auc_blocks = evaluate_scores(blocks.score(hidden), truth)["roc_auc"]
    assert auc_blocks > 0.8 and abs(auc_whole - auc_blocks) < 0.03


def test_balanced_blend_keeps_probability_like_scores(rng):
    data, _, _ = planted(rng)
    known = data.keep_titles(np.arange(120))
    components = {
        "activity": ActivityScorer,
        "meta-mf": lambda: MetadataFactorScorer(factors=8, l2=10.0),
    }
    blend = BlendScorer(components, l2=1.0, max_titles=40).fit(known)
    hidden = data.titles.take(np.arange(120, 160))
    prob = 1 / (1 + np.exp(-(blend.score(hidden) + blend.weights_[-1])))
    base_rate = data.binary()[:, 120:].mean()
    # Balancing alone would put the intercept near even odds (mean ≈ 0.5); it is refitted on the base rate.
    assert abs(prob.mean() - base_rate) < 0.5 * base_rate
    assert blend.component_weights["meta-mf"] > 0

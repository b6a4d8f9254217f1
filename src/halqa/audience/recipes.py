"""The methods evaluation compares, with the parameter grids validation chooses from."""

from __future__ import annotations

import numpy as np

from halqa.audience.blend import BlendScorer
from halqa.audience.data import TargetingData
from halqa.audience.evaluation import MethodSpec
from halqa.audience.metamf import MetadataFactorScorer
from halqa.audience.methods import (
    ActiveSinceRelease,
    ActivityScorer,
    ContentALSScorer,
    FeatureKNNScorer,
    GenreProfileScorer,
    MemberMatchScorer,
    ProfileScorer,
    RandomScorer,
    TextKNNScorer,
)


def baseline_specs(seed: int = 0) -> list[MethodSpec]:
    """Random, activity, genre profiles, feature-kNN and content-to-ALS ridge, each with its
    grid."""
    return [
        MethodSpec("random", lambda: RandomScorer(seed=seed)),
        MethodSpec("activity", ActivityScorer),
        MethodSpec("genre-cosine", lambda: GenreProfileScorer(mode="cosine")),
        MethodSpec("genre-dot", lambda: GenreProfileScorer(mode="dot")),
        MethodSpec(
            "feature-knn",
            lambda k: FeatureKNNScorer(k=k),
            [{"k": k} for k in (20, 50, 100, 200, 400)],
        ),
        MethodSpec(
            "content-als",
            lambda factors, ridge: ContentALSScorer(factors=factors, ridge=ridge, seed=seed),
            [{"factors": f, "ridge": r} for f in (16, 32, 64) for r in (0.3, 1.0, 3.0)],
        ),
    ]


# meta-mf fits a dense members × known-titles logistic model: on MovieLens (1.6M cells) it adds
# ~0.004 ROC-AUC for several times the blend's fitting time; on a 20,000-member store (58M cells) it
# turned a one-minute targeting run into eight. Stores above this size use the blend without it.
META_MF_MAX_CELLS = 5_000_000


def blend_components(
    *,
    seed: int = 0,
    knn_k: int = 100,
    als_factors: int = 32,
    als_ridge: float = 1.0,
    text: bool = False,
    release: bool = False,
    members: bool = False,
    meta_mf: bool = True,
) -> dict:
    """halqa's blend: every metadata signal, weights learnt from titles hidden from the
    components."""
    components = {
        "activity": ActivityScorer,
        "genre-dot": lambda: GenreProfileScorer(mode="dot"),
        "profile": lambda: ProfileScorer(beta=0.5),
        "feature-knn": lambda: FeatureKNNScorer(k=knn_k),
        "content-als": lambda: ContentALSScorer(factors=als_factors, ridge=als_ridge, seed=seed),
    }
    if meta_mf:
        components["meta-mf"] = lambda: MetadataFactorScorer(factors=32, l2=10.0, seed=seed)
    if text:
        components["text-knn"] = lambda: TextKNNScorer(k=knn_k)
    if release:
        components["active-since-release"] = ActiveSinceRelease
    if members:
        components["language-match"] = lambda: MemberMatchScorer(field="language")
        components["region-match"] = lambda: MemberMatchScorer(field="region")
        components["rare-language-match"] = lambda: MemberMatchScorer(field="language", rarity=True)
    return components


def components_for(data: TargetingData, seed: int = 0) -> dict:
    """The blend's components for what ``data`` holds: text, release dates, member languages and
    regions, and meta-mf when the store is small enough for it (``META_MF_MAX_CELLS``)."""
    return blend_components(
        seed=seed,
        text=any(t for t in data.titles.texts),
        release=bool(np.isfinite(data.titles.release).any()),
        members=bool(data.members),
        meta_mf=data.n_members * data.n_titles <= META_MF_MAX_CELLS,
    )


def store_specs(data: TargetingData, seed: int = 0) -> list[MethodSpec]:
    """What ``halqa audience evaluate`` compares: random, the genre profile and halqa's blend."""
    components = components_for(data, seed)
    return [
        MethodSpec("random", lambda: RandomScorer(seed=seed)),
        MethodSpec("genre-profile", lambda: GenreProfileScorer(mode="dot")),
        MethodSpec("halqa-blend", lambda: BlendScorer(components, l2=10.0, seed=seed)),
    ]


def halqa_spec(
    seed: int = 0, *, text: bool = False, release: bool = True, **component_params
) -> MethodSpec:
    """halqa's blend; ``component_params`` (knn_k, als_factors, als_ridge) may carry values tuned
    on validation."""

    def build(l2: float) -> BlendScorer:
        components = blend_components(seed=seed, text=text, release=release, **component_params)
        return BlendScorer(components, l2=l2, seed=seed)

    # One value: validation chose l2=10 from (0.1, 10) in every run so far, and each extra
    # value refits every component three times (the bench's wall time).
    return MethodSpec("halqa-blend", build, [{"l2": 10.0}])

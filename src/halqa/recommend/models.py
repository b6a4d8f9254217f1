"""Every model by name, for the CLI, configs and benchmarks."""

from __future__ import annotations

from typing import Any

from halqa.errors import ConfigError
from halqa.recommend.base import Recommender
from halqa.recommend.factors import ALS, BPR
from halqa.recommend.hybrid import Content, Demographic, Hybrid
from halqa.recommend.neighbours import EASE, ItemKNN
from halqa.recommend.popular import MostPopular, SegmentPopular, Trending
from halqa.recommend.sequence import Transitions

MODELS: dict[str, type[Recommender]] = {
    m.name: m
    for m in (
        MostPopular,
        SegmentPopular,
        Trending,
        ItemKNN,
        EASE,
        ALS,
        BPR,
        Transitions,
        Content,
        Demographic,
        Hybrid,
    )
}


def make_model(name: str, **params: Any) -> Recommender:
    """``make_model("ease", regularization=300)``; unknown names and parameters are refused."""
    if name not in MODELS:
        from halqa.catalog.taxonomy import suggest

        raise ConfigError(
            f"unknown model '{name}'{suggest(name, tuple(MODELS))}: use one of {', '.join(MODELS)}"
        )
    return MODELS[name](**params)

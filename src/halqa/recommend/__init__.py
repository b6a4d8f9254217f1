"""Recommendations: models behind one ``fit`` / ``recommend`` / ``similar`` interface, business
rules (filters, local-talent and diversity re-rankers), explanations, fold-in and evaluation.

Example:
    >>> from halqa.recommend import Dataset, ALS
    >>> ds = Dataset.from_store(store)
    >>> model = ALS(factors=64).fit(ds)
    >>> model.recommend(["m1", "m2"], k=10)          # member_id, title_id, rank, score, reason
    >>> model.member_factors_, model.title_factors_   # dense numpy, by dense index
"""

# Loaded on first use (PEP 562): `halqa audience target` needs only the event weights,
# `halqa recommend` one model, and every CLI call pays for what this package imports (hybrid,
# implicit, ...). No export is named like a submodule, so a submodule import cannot shadow one.
_EXPORTS = {
    "MODEL_FORMAT": "halqa.recommend.base",
    "ModelConfig": "halqa.recommend.base",
    "Recommender": "halqa.recommend.base",
    "DEFAULT_WEIGHTS": "halqa.recommend.dataset",
    "Dataset": "halqa.recommend.dataset",
    "EventWeights": "halqa.recommend.dataset",
    "IdMap": "halqa.recommend.dataset",
    "ALS": "halqa.recommend.factors",
    "BPR": "halqa.recommend.factors",
    "ALSConfig": "halqa.recommend.factors",
    "BPRConfig": "halqa.recommend.factors",
    "fit_implicit_als": "halqa.recommend.factors",
    "fold_in_least_squares": "halqa.recommend.factors",
    "Content": "halqa.recommend.hybrid",
    "Demographic": "halqa.recommend.hybrid",
    "Hybrid": "halqa.recommend.hybrid",
    "HybridConfig": "halqa.recommend.hybrid",
    "MODELS": "halqa.recommend.models",
    "make_model": "halqa.recommend.models",
    "EASE": "halqa.recommend.neighbours",
    "EASEConfig": "halqa.recommend.neighbours",
    "ItemKNN": "halqa.recommend.neighbours",
    "ItemKNNConfig": "halqa.recommend.neighbours",
    "MostPopular": "halqa.recommend.popular",
    "SegmentPopular": "halqa.recommend.popular",
    "Trending": "halqa.recommend.popular",
    "RECOMMENDATION_COLUMNS": "halqa.recommend.ranking",
    "LocalTalentReranker": "halqa.recommend.rerank",
    "Transitions": "halqa.recommend.sequence",
    "reason_templates": "halqa.recommend.explain",
    "REASON_LANGS": "halqa.recommend.explain:LANGS",  # exported under a clearer name
}


def __getattr__(name: str):
    if name in _EXPORTS:
        import importlib

        module, _, attribute = _EXPORTS[name].partition(":")
        value = getattr(importlib.import_module(module), attribute or name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'halqa.recommend' has no attribute {name!r}")


__all__ = [
    "ALS",
    "BPR",
    "DEFAULT_WEIGHTS",
    "EASE",
    "MODELS",
    "MODEL_FORMAT",
    "RECOMMENDATION_COLUMNS",
    "ALSConfig",
    "BPRConfig",
    "Content",
    "Dataset",
    "Demographic",
    "EASEConfig",
    "EventWeights",
    "Hybrid",
    "HybridConfig",
    "IdMap",
    "ItemKNN",
    "ItemKNNConfig",
    "LocalTalentReranker",
    "ModelConfig",
    "MostPopular",
    "Recommender",
    "SegmentPopular",
    "Transitions",
    "Trending",
    "fit_implicit_als",
    "fold_in_least_squares",
    "make_model",
]
__all__ += ["REASON_LANGS", "reason_templates"]

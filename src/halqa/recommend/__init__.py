"""Recommendations: models behind one ``fit`` / ``recommend`` / ``similar`` interface, business
rules (filters, local-talent and diversity re-rankers), explanations, fold-in and evaluation.

Example:
    >>> from halqa.recommend import Dataset, ALS
    >>> ds = Dataset.from_store(store)
    >>> model = ALS(factors=64).fit(ds)
    >>> model.recommend(["m1", "m2"], k=10)          # member_id, title_id, rank, score, reason
    >>> model.member_factors_, model.title_factors_   # dense numpy, by dense index
"""

from halqa.recommend.base import MODEL_FORMAT, ModelConfig, Recommender
from halqa.recommend.dataset import DEFAULT_WEIGHTS, Dataset, EventWeights, IdMap
from halqa.recommend.explain import LANGS as REASON_LANGS
from halqa.recommend.explain import reason_templates
from halqa.recommend.factors import ALS, BPR, ALSConfig, BPRConfig, fit_implicit_als, fold_in_least_squares
from halqa.recommend.hybrid import Content, Demographic, Hybrid, HybridConfig
from halqa.recommend.models import MODELS, make_model
from halqa.recommend.neighbours import EASE, EASEConfig, ItemKNN, ItemKNNConfig
from halqa.recommend.popular import MostPopular, SegmentPopular, Trending
from halqa.recommend.ranking import RECOMMENDATION_COLUMNS
from halqa.recommend.rerank import LocalTalentReranker
from halqa.recommend.sequence import Transitions

__all__ = [
    "fit_implicit_als",
    "ALS", "ALSConfig", "BPR", "BPRConfig", "Content", "DEFAULT_WEIGHTS", "Dataset", "Demographic", "EASE",
    "EASEConfig", "EventWeights", "Hybrid", "HybridConfig", "IdMap", "ItemKNN", "LocalTalentReranker", "ItemKNNConfig", "MODELS",
    "MODEL_FORMAT", "ModelConfig", "MostPopular", "RECOMMENDATION_COLUMNS", "Recommender", "SegmentPopular",
    "Transitions", "Trending", "fold_in_least_squares", "make_model",
]
__all__ += ["REASON_LANGS", "reason_templates"]

"""Audience targeting: rank members for titles nobody has seen, lookalikes, consented exports, campaign lift."""

from halqa.audience.blend import BlendScorer
from halqa.audience.data import TargetingData, TitleBatch
from halqa.audience.evaluation import METRICS, MethodSpec, compare, evaluate_scores, split_titles
from halqa.audience.features import CharNgramSpace, FeatureSpace, metadata_tokens

__all__ = [
    "METRICS", "BlendScorer", "CharNgramSpace", "FeatureSpace", "MethodSpec", "TargetingData", "TitleBatch",
    "compare", "evaluate_scores", "metadata_tokens", "split_titles",
]

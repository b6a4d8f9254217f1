"""Audience targeting: rank members for titles nobody has seen, lookalikes, consented exports, campaign lift.

Example:
    >>> from halqa.audience import Targeter, load_title, export_audience, measure
    >>> result = Targeter(store).target(load_title("new_title.json"), top=500)
    >>> export_audience(store, result.audience, "launch-2026", holdout=0.1, hash_salt="a long secret")
    >>> measure(store, "launch-2026")["lift"]
"""

from halqa.audience.blend import BlendScorer
from halqa.audience.breakdown import DEFAULT_K, breakdown, suppressed_counts
from halqa.audience.data import TargetingData, TitleBatch
from halqa.audience.evaluation import METRICS, MethodSpec, compare, evaluate_scores, split_titles
from halqa.audience.export import ExportResult, export_audience, read_member_list, salted_hash, write_table
from halqa.audience.features import CharNgramSpace, FeatureSpace, metadata_tokens
from halqa.audience.lift import GroupCounts, lift_stats, measure, sample_size
from halqa.audience.lookalike import MIN_SEED, LookalikeResult, lookalike
from halqa.audience.store_data import load_targeting_data
from halqa.audience.targeting import AUDIENCE_COLUMNS, Targeter, TargetResult
from halqa.audience.title import NewTitle, load_title, parse_title

__all__ = [
    "AUDIENCE_COLUMNS", "DEFAULT_K", "METRICS", "MIN_SEED", "BlendScorer", "CharNgramSpace", "ExportResult",
    "FeatureSpace", "GroupCounts", "LookalikeResult", "MethodSpec", "NewTitle", "TargetResult", "TargetingData",
    "Targeter", "TitleBatch", "breakdown", "compare", "evaluate_scores", "export_audience", "lift_stats",
    "load_targeting_data", "load_title", "lookalike", "measure", "metadata_tokens", "parse_title",
    "read_member_list", "salted_hash", "sample_size", "split_titles", "suppressed_counts", "write_table",
]

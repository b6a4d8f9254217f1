"""Audience targeting: rank members for titles nobody has seen, lookalikes, consented exports,
campaign lift.

Example:
    >>> from halqa.audience import Targeter, load_title, export_audience, measure
    >>> result = Targeter(store).target(load_title("new_title.json"), top=500)
    >>> export_audience(
    ...     store, result.audience, "launch-2026", holdout=0.1, hash_salt="a long secret"
    ... )
    >>> measure(store, "launch-2026")["lift"]
"""

# Functions named like their own module are imported now: once anything imports the submodule
# ``halqa.audience.lookalike``, Python binds that name on the package to the module, and a lazy
# ``__getattr__`` would never be asked again (``audience.lookalike(...)`` would call a module).
from halqa.audience.breakdown import DEFAULT_K, breakdown, suppressed_counts
from halqa.audience.lookalike import MIN_SEED, LookalikeResult, lookalike

# The rest is loaded on first use (PEP 562): `halqa audience target` needs the targeting modules,
# not the scipy.stats behind lift and evaluation, and every CLI call pays for what this package
# imports.
_EXPORTS = {
    "BlendScorer": "halqa.audience.blend",
    "TargetingData": "halqa.audience.data",
    "TitleBatch": "halqa.audience.data",
    "METRICS": "halqa.audience.evaluation",
    "MethodSpec": "halqa.audience.evaluation",
    "compare": "halqa.audience.evaluation",
    "evaluate_scores": "halqa.audience.evaluation",
    "split_titles": "halqa.audience.evaluation",
    "ExportResult": "halqa.audience.export",
    "export_audience": "halqa.audience.export",
    "read_member_list": "halqa.audience.export",
    "salted_hash": "halqa.audience.export",
    "write_table": "halqa.audience.export",
    "CharNgramSpace": "halqa.audience.features",
    "FeatureSpace": "halqa.audience.features",
    "metadata_tokens": "halqa.audience.features",
    "GroupCounts": "halqa.audience.lift",
    "lift_stats": "halqa.audience.lift",
    "measure": "halqa.audience.lift",
    "sample_size": "halqa.audience.lift",
    "load_targeting_data": "halqa.audience.store_data",
    "AUDIENCE_COLUMNS": "halqa.audience.targeting",
    "Targeter": "halqa.audience.targeting",
    "TargetResult": "halqa.audience.targeting",
    "NewTitle": "halqa.audience.title",
    "load_title": "halqa.audience.title",
    "parse_title": "halqa.audience.title",
}


def __getattr__(name: str):
    if name in _EXPORTS:
        import importlib

        value = getattr(importlib.import_module(_EXPORTS[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'halqa.audience' has no attribute {name!r}")


__all__ = [
    "AUDIENCE_COLUMNS",
    "DEFAULT_K",
    "METRICS",
    "MIN_SEED",
    "BlendScorer",
    "CharNgramSpace",
    "ExportResult",
    "FeatureSpace",
    "GroupCounts",
    "LookalikeResult",
    "MethodSpec",
    "NewTitle",
    "TargetResult",
    "Targeter",
    "TargetingData",
    "TitleBatch",
    "breakdown",
    "compare",
    "evaluate_scores",
    "export_audience",
    "lift_stats",
    "load_targeting_data",
    "load_title",
    "lookalike",
    "measure",
    "metadata_tokens",
    "parse_title",
    "read_member_list",
    "salted_hash",
    "sample_size",
    "split_titles",
    "suppressed_counts",
    "write_table",
]

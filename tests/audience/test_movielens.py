"""The store path end to end on real data: MovieLens imported with marketing consent, then evaluated."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.movielens, pytest.mark.slow]


def test_evaluate_targeting_on_movielens_store(store, movielens_dir):
    from halqa.audience.evaluation import evaluate_store
    from halqa.ingest import import_movielens

    import_movielens(store, movielens_dir, consent={"analytics", "personalisation", "marketing"})
    result = evaluate_store(store, seed=0)
    methods = {m["method"]: m for m in result["methods"]}
    assert result["members"] == 943 and result["test_titles"] >= 100
    assert methods["random"]["roc_auc"] == pytest.approx(0.5, abs=0.03)
    assert methods["halqa-blend"]["roc_auc"] > methods["genre-profile"]["roc_auc"] + 0.02
    assert methods["halqa-blend"]["recall@100"] > methods["genre-profile"]["recall@100"]


def test_no_marketing_consent_means_nobody_to_target(store, movielens_dir):
    from halqa.audience import load_targeting_data
    from halqa.errors import UserError
    from halqa.ingest import import_movielens

    import_movielens(store, movielens_dir, consent={"analytics"})
    with pytest.raises(UserError, match="no member has marketing consent"):
        load_targeting_data(store)

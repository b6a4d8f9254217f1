"""tune(): coordinate search keeps the best validation NDCG and never refits what did not change."""

from __future__ import annotations

import numpy as np

from halqa.recommend.tuning import tune


def test_tune_keeps_the_best_trial(dataset):
    result = tune("ease", dataset, axes={"regularization": (0.5, 50.0, 5000.0)}, passes=1)
    best = max(score for _, score in result.trials)
    assert result.ndcg == best
    assert dict(result.trials[[s for _, s in result.trials].index(best)][0]) == result.params


def test_hybrid_trials_reuse_fitted_parts(dataset, monkeypatch):
    from halqa.recommend.neighbours import EASE

    fits = []
    original = EASE._fit
    monkeypatch.setattr(EASE, "_fit", lambda self, ds: (fits.append(self.config.regularization), original(self, ds)))
    result = tune("hybrid", dataset, axes={"demographic_weight": (0.0, 2.0), "content_weight": (0.0, 0.3)},
                  passes=1)
    assert len(result.trials) == 5
    assert len(fits) == len(result.splits) == 2  # one EASE per validation split: weights only re-blend


def test_events_without_order_are_validated_on_a_random_split(dataset):
    from halqa.recommend.tuning import timestamps_order_events, validation_splits

    assert timestamps_order_events(dataset)
    flat = dataset.subset(np.ones(len(dataset.events), dtype=bool))
    flat.events["ts"] = 1_700_000_000  # play counts summed per listener: one time for everything
    assert not timestamps_order_events(flat)
    assert list(validation_splits(flat)) == ["random"]
    result = tune("hybrid", flat, axes={"ease_regularization": (50.0, 500.0)}, passes=1)
    assert result.splits == ["random"] and len(result.trials) == 3


def test_the_budget_stops_the_search(dataset):
    result = tune("hybrid", dataset, budget_s=0.0)
    assert result.stopped_by_budget and len(result.trials) == 1  # the defaults are always judged

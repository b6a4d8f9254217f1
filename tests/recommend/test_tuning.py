"""tune(): coordinate search keeps the best validation NDCG and never refits what did not change."""

from __future__ import annotations

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
    assert len(fits) == 1  # weights change the blend, not the EASE part

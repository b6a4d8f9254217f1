"""What `halqa train` does with a store's dataset: tune (within a budget), fit, and summarise.

The CLI parses options, shows progress and saves the file; the rules of training live here:
there must be events to learn from, the settings the caller fixed are not tuned, and the
summary records what was fitted (it is kept beside the model for the dashboard's status).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from halqa.errors import UserError
from halqa.recommend.base import Recommender
from halqa.recommend.dataset import Dataset
from halqa.recommend.models import make_model
from halqa.recommend.tuning import DEFAULT_BUDGET_S, MODEL_AXES, TuningResult, tune


@dataclass(frozen=True)
class Trained:
    """A fitted model, its tuning (None when not tuned) and how long it all took."""

    model: Recommender
    tuning: TuningResult | None
    seconds: float

    def summary(self, name: str, model_file: str) -> dict[str, Any]:
        """What `halqa train` prints and keeps beside the model file."""
        ds = self.model.dataset
        out: dict[str, Any] = {
            "model": name,
            "config": self.model.config.model_dump(mode="json"),
            "members": ds.n_members,
            "titles": ds.n_titles,
            "events": len(ds.events),
            "fit_seconds": round(self.seconds, 2),
            "model_file": model_file,
        }
        if self.tuning is not None:
            out["tuning"] = {
                "params": self.tuning.params,
                # no split to judge on (too few events per member): no figure, not the -1 sentinel
                "validation_ndcg@10": round(self.tuning.ndcg, 4) if self.tuning.splits else None,
                "trials": len(self.tuning.trials),
                "validation_splits": self.tuning.splits,
                "seconds": round(self.tuning.seconds, 1),
                "stopped_by_budget": self.tuning.stopped_by_budget,
            }
        return out


def tuning_axes(name: str, fixed: Mapping[str, Any]) -> dict[str, Any]:
    """The settings of model ``name`` worth searching, less those the caller fixed."""
    return {axis: values for axis, values in MODEL_AXES.get(name, {}).items() if axis not in fixed}


def train(
    model: Recommender,
    dataset: Dataset,
    fixed: Mapping[str, Any] | None = None,
    *,
    tuned: bool = True,
    budget_s: float = DEFAULT_BUDGET_S,
    sample: int = 2000,
    progress: Callable[[dict[str, Any], float], None] | None = None,
) -> Trained:
    """Fit the unfitted ``model`` on ``dataset``. When ``tuned`` (and there is something to tune and
    a budget), the settings of ``model.name`` other than ``fixed`` are first tuned on validation
    splits of ``dataset``, and a model with the best settings is fitted instead."""
    if len(dataset.events) == 0:
        raise UserError(
            "no consented events in the store to train on "
            "(`halqa ingest` or `halqa import` them first)"
        )
    fixed = dict(fixed or {})
    started = time.perf_counter()
    axes = tuning_axes(model.name, fixed)
    result = None
    if tuned and axes and budget_s > 0:
        result = tune(
            model.name,
            dataset,
            axes,
            sample=sample,
            start=fixed,
            budget_s=budget_s,
            progress=progress,
        )
        model = make_model(model.name, **result.params)
    model.fit(dataset)
    return Trained(model, result, time.perf_counter() - started)

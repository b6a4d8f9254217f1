"""The model the service serves: the file `halqa train` saved, loaded and caught up with the store.

The service fits nothing itself: it loads the saved file (``halqa serve --model-file``, by default
the store's own ``<db>.models/recommender.pkl``) and catches it up with the store exactly as
``halqa recommend`` does (``halqa.recommend.saved.catch_up``), so for the same member the API
and the CLI give the same list.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

from halqa.catalog import Store
from halqa.errors import UserError

if TYPE_CHECKING:
    from halqa.recommend.base import Recommender

# Models whose lists depend on everyone's events (not only the member's own): a fold-in
# changes every member's list.
GLOBAL_MODELS = ("popular", "trending", "segment-popular", "most-popular")


def recommend_api() -> ModuleType | None:
    """``halqa.recommend`` when it offers what the service uses, else None."""
    try:
        import halqa.recommend as api
    except ImportError:
        return None
    wanted = ("Dataset", "Recommender", "EASE", "MostPopular")
    return api if all(hasattr(api, n) for n in wanted) else None


@dataclass(frozen=True)
class LoadedModel:
    model: Recommender  # loaded by pickle: any of its subclasses
    path: str
    caught_up_events: int
    seconds: float  # loading + catching up: nothing is fitted

    @property
    def lists_depend_on_everyone(self) -> bool:
        return bool(self.model.name in GLOBAL_MODELS)


def load_model(store: Store, model_path: str | Path | None = None) -> LoadedModel:
    """The saved model at ``model_path`` (default: the store's own), caught up with ``store``."""
    if recommend_api() is None:
        raise UserError("halqa.recommend is not available in this installation")
    from halqa.recommend.saved import catch_up, default_model_path, load_saved

    started = time.perf_counter()
    path = str(model_path or default_model_path(store.path))
    model = load_saved(path)
    caught_up = catch_up(model, store)
    return LoadedModel(model, path, caught_up, round(time.perf_counter() - started, 2))

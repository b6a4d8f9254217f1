"""The one interface every halqa recommender follows.

A model is a typed config (a :class:`halqa.config.Config`) plus ``fit(dataset) -> self``; it knows
how to score titles for a batch of members (``_score``) and titles against titles (``_similar``).
Everything else — excluding what was seen, filters, re-rankers, explanations, id mapping, output
format, fold-in, save/load — is done here once, for every model.
"""

from __future__ import annotations

import pickle
from abc import ABC, abstractmethod
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import scipy.sparse as sp

from halqa import __version__
from halqa.config import Config
from halqa.errors import NotFittedError, UserError
from halqa.recommend.dataset import Dataset

# Bump when a saved model from an older halqa can no longer be read. 2: configs are pydantic
# models (halqa.config.Config) and the dataset lives in the halqa.recommend.dataset package.
MODEL_FORMAT = 2
_MAGIC = "halqa-recommender"


class ModelConfig(Config):
    """Base of every model's hyper-parameters; subclasses declare fields and their constraints."""


class Recommender(ABC):
    """Fit on a :class:`Dataset`, then ``recommend``, ``similar``, ``add_events``, ``save``."""

    name: ClassVar[str] = "base"
    Config: ClassVar[type[ModelConfig]] = ModelConfig
    knows_new_titles: ClassVar[bool] = (
        False  # True when titles added after fit can be scored (metadata)
    )
    dataset_: Dataset | None

    def __init__(self, config: ModelConfig | None = None, **params: Any) -> None:
        """``config`` (or the defaults) with ``params`` applied;
        a bad one is one ConfigError line."""
        self.config = self.Config.build(self.name, config, **params)
        self.dataset_ = None

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.config!r})"

    # -- fitting -------------------------------------------------------------------------------
    def fit(self, dataset: Dataset) -> Recommender:
        """Learn from ``dataset`` (its events and side features); returns ``self``."""
        if dataset.n_titles == 0:
            raise UserError("cannot fit a recommender on a catalogue with no titles")
        self.dataset_ = dataset
        self.n_fit_titles_ = dataset.n_titles
        self._fit(dataset)
        return self

    @abstractmethod
    def _fit(self, dataset: Dataset) -> None: ...

    @property
    def dataset(self) -> Dataset:
        if self.dataset_ is None:
            raise NotFittedError(
                f"this {self.name} model is not fitted yet; call fit(dataset) first"
            )
        return self.dataset_

    # -- scoring -------------------------------------------------------------------------------
    def score(self, member_idx: np.ndarray) -> np.ndarray:
        """Dense scores (members × all titles); titles the model cannot score get -inf."""
        member_idx = np.asarray(member_idx, dtype=np.int64)
        rows = self.dataset.matrix()[member_idx]
        scores = np.asarray(self._score(member_idx, rows), dtype=np.float64)
        return _pad(scores, self.dataset.n_titles)

    @abstractmethod
    def _score(self, member_idx: np.ndarray, rows: sp.csr_matrix) -> np.ndarray:
        """Scores for ``member_idx`` whose current interaction rows are ``rows``."""

    def similar_scores(self, title_idx: np.ndarray) -> np.ndarray:
        """Dense title-to-title similarities (queries × all titles)."""
        title_idx = np.asarray(title_idx, dtype=np.int64)
        if self.knows_new_titles:
            return _pad(
                np.asarray(self._similar(title_idx), dtype=np.float64), self.dataset.n_titles
            )
        out = np.full((len(title_idx), self.dataset.n_titles), -np.inf)
        known = title_idx < self.n_fit_titles_  # titles added after fit have no learned similarity
        if known.any():
            out[known] = _pad(
                np.asarray(self._similar(title_idx[known]), dtype=np.float64), self.dataset.n_titles
            )
        return out

    def _similar(self, title_idx: np.ndarray) -> np.ndarray:
        from halqa.recommend.similarity import cooccurrence_cosine

        return cooccurrence_cosine(self.dataset.matrix(), title_idx)

    # -- the public lists ----------------------------------------------------------------------
    def recommend(self, members: Any = None, k: int = 10, **options: Any) -> Any:
        """Top-``k`` per member as a long table ``member_id, title_id, rank, score, reason``.

        ``members``: ids (list, array, Series, or a table with a ``member_id`` column); None = all.
        Options (see :func:`halqa.recommend.ranking.recommend`): ``filters``, ``exclude_seen``,
        ``repeat_kinds``, ``rerank``, ``explain``, ``lang``, ``format``.
        """
        from halqa.recommend.ranking import recommend

        return recommend(self, members, k, **options)

    def similar(self, titles: Any, k: int = 10, *, format: str = "pandas") -> Any:
        """Top-``k`` similar titles per title: ``title_id, similar_title_id, rank, score``."""
        from halqa.recommend.ranking import similar

        return similar(self, titles, k, format=format)

    # -- real time -----------------------------------------------------------------------------
    def add_events(self, events: Any) -> Recommender:
        """Fold new events in: the members concerned get fresh lists, no retraining."""
        self.dataset_ = self.dataset.with_events(events)
        changed = np.unique(self.dataset_.member_index(list(_column(events, "member_id"))))
        self._fold_in(changed)
        return self

    partial_fit_member = add_events

    def add_titles(self, titles: Any) -> Recommender:
        """Add (or update) titles from metadata alone; content-aware models can score them at
        once."""
        self.dataset_ = self.dataset.with_titles(titles)
        self._titles_added()
        return self

    def add_members(self, members: Any) -> Recommender:
        """Add (or update) members' demographics and languages (cold-start members)."""
        self.dataset_ = self.dataset.with_members(members)
        self._fold_in(self.dataset_.member_index(list(_column(members, "member_id"))))
        return self

    def _fold_in(self, member_idx: np.ndarray) -> None:
        """Update per-member state after their rows changed; row-based models need nothing."""

    def _titles_added(self) -> None:
        """Update per-title state after metadata changed; only content-aware models need it."""

    # -- persistence ---------------------------------------------------------------------------
    def save(self, path: str | Path) -> Path:
        """Write the fitted model (with its dataset) to ``path``; ``load`` checks the version."""
        self.dataset  # noqa: B018 - raises NotFittedError on an unfitted model
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        header = {"magic": _MAGIC, "format": MODEL_FORMAT, "halqa": __version__, "model": self.name}
        with open(target, "wb") as fh:
            pickle.dump(header, fh, protocol=pickle.HIGHEST_PROTOCOL)
            pickle.dump(self, fh, protocol=pickle.HIGHEST_PROTOCOL)
        return target

    @staticmethod
    def load(path: str | Path) -> Recommender:
        """Read a model written by ``save``; a file from another halqa version is refused."""
        source = Path(path)
        if not source.exists():
            raise UserError(f"{source}: no model file here (run `halqa train` first)")
        with open(source, "rb") as fh:
            try:
                header = pickle.load(fh)
            except Exception:  # noqa: BLE001 - any unreadable header means "not a halqa model"
                header = None
            if not isinstance(header, dict) or header.get("magic") != _MAGIC:
                raise UserError(f"{source}: not a halqa model file")
            if header.get("format") != MODEL_FORMAT or header.get("halqa") != __version__:
                raise UserError(
                    f"{source}: model saved by halqa {header.get('halqa')} (format "
                    f"{header.get('format')}); this is halqa {__version__} (format {MODEL_FORMAT}) "
                    "- retrain it with `halqa train`"
                )
            model = pickle.load(fh)
        if not isinstance(model, Recommender):
            raise UserError(f"{source}: not a halqa model file")
        return model


def _pad(scores: np.ndarray, n_titles: int) -> np.ndarray:
    """Titles added after fit (beyond the model's columns) get -inf: not scorable."""
    if scores.shape[1] >= n_titles:
        return scores[:, :n_titles]
    out = np.full((scores.shape[0], n_titles), -np.inf)
    out[:, : scores.shape[1]] = scores
    return out


def _column(table: Any, name: str) -> Any:
    from halqa.recommend.frames import to_pandas

    frame = to_pandas(table)
    return frame[name] if name in frame.columns else []

"""Recommendations in the service: the model `halqa train` saved, in memory, folded in as events
arrive.

``RecommendationService`` puts together the parts, each in its module: the loaded model
(``registry``), who may receive lists (``consent``), the exact response cache (``cache``) and the
fold-in thread (``fold_in``); the lists themselves are the recommender's
(``halqa.recommend.serving_lists``). For the same member the API and ``halqa recommend`` give
the same list. Members with pending events wait for their fold-in (read-your-writes); other
members are served at once, from the cache.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from halqa.catalog import Store
from halqa.recommend.serving_frames import events_frame, rows_frame
from halqa.recommend.serving_lists import (
    consented_members,
    member_list,
    reranker_available,
    similar_titles,
)
from halqa.service.edge_cache import list_key
from halqa.service.recs.cache import ListCache
from halqa.service.recs.consent import ConsentTracker
from halqa.service.recs.fold_in import FoldIn
from halqa.service.recs.registry import load_model, recommend_api
from halqa.service.versions import Versions

__all__ = ["RecommendationService", "recommend_api"]
log = logging.getLogger("halqa.service.recs")
Rows = list[dict[str, Any]]


class RecommendationService:
    """Thread-safe lists, similar titles and asynchronous fold-in over one model."""

    def __init__(
        self, store: Store, model_path: str | Path | None = None, versions: Versions | None = None
    ) -> None:
        self.loaded = load_model(store, model_path)
        self.model = self.loaded.model
        self.consent = ConsentTracker(consented_members(store))
        self.versions = versions  # shared counters that worker processes check (None: one process)
        self._model_lock = threading.RLock()  # the model: scoring and folding in
        self._state = threading.Condition()  # cache, consent, pending events
        self._cache = ListCache(global_lists=self.loaded.lists_depend_on_everyone)
        self._fold_in = FoldIn(self._state, self._fold, self._cache.forget)
        self._fold_in.start()

    def close(self) -> None:
        self._fold_in.close()

    @property
    def info(self) -> dict[str, Any]:
        ds = self.model.dataset
        with self._state:
            return {
                "model": self.model.name,
                "model_file": self.loaded.path,
                "members": ds.n_members,
                "titles": ds.n_titles,
                "fit_seconds": self.loaded.seconds,
                "folded_events": self._fold_in.folded_events,
                "fold_runs": self._fold_in.fold_runs,
                "pending_events": self._fold_in.pending,
                "local_share": reranker_available(),
                "cache": {
                    "entries": len(self._cache),
                    "hits": self._cache.hits,
                    "misses": self._cache.misses,
                },
            }

    # -- lists --------------------------------------------------------------------------------
    def peek(
        self, member_id: str, k: int, filters: list[str], local_share: float | None, lang: str
    ) -> Rows | None:
        """The cached list, or None when it must be computed (never blocks)."""
        key = list_key(member_id, k, filters, local_share, lang)
        with self._state:
            self.consent.require(member_id)
            return self._cache.get(key)

    def recommend(
        self, member_id: str, k: int, filters: list[str], local_share: float | None, lang: str
    ) -> Rows:
        key = list_key(member_id, k, filters, local_share, lang)
        with self._state:
            self.consent.require(member_id)
            hit = self._cache.get(key)
            if hit is not None:
                return hit
            self._cache.misses += 1
            self._fold_in.wait_for(member_id)
            version = self._cache.version(member_id)
        with self._model_lock:
            items = member_list(self.model, member_id, k, filters, local_share, lang)
        with self._state:
            # Cache only if no event of this member was committed while computing.
            if self._cache.version(member_id) == version and not self._fold_in.is_dirty(member_id):
                self._cache.put(key, items)
        return items

    def similar(self, title_id: str, k: int) -> Rows:
        with self._model_lock:
            return similar_titles(self.model, title_id, k)

    # -- real time ----------------------------------------------------------------------------
    def fold_in(self, rows: Rows) -> None:
        """Called by the writer after each commit; returns at once
        (the fold-in thread does the work)."""
        with self._state:
            mine = self.consent.consented(rows)
            if not mine:
                return
            members = {r["member_id"] for r in mine}
            self._fold_in.add(mine)
            self._cache.events_committed(members)
            self._bump(members)

    def members_changed(self, rows: Rows) -> None:
        """Keep the consent set in step with member upserts (consent can be withdrawn);
        new consented members become recommendable from their demographics (cold start)."""
        members = {r["member_id"] for r in rows}
        with self._state:
            fresh = self.consent.apply(rows)
            self._cache.forget(members)
            self._bump(members)
        if fresh:
            self._update(self.model.add_members, fresh)

    def titles_changed(self, rows: Rows) -> None:
        """New or updated titles are recommendable from their metadata at once."""
        self._update(self.model.add_titles, rows)
        with self._state:
            self._cache.forget(None)
            self._bump(None)

    def _fold(self, rows: Rows) -> None:
        """The fold-in thread's work: the events into the model."""
        frame = events_frame(rows)
        with self._model_lock:
            self.model.add_events(frame)

    def _update(self, update: Callable[[Any], Any], rows: Rows) -> None:
        with self._model_lock:
            try:
                update(rows_frame(rows))
            except Exception:  # the rows are stored; the model catches up at the next start
                log.exception("recommendation model could not take %d rows", len(rows))

    def _bump(self, members: set[str] | None) -> None:
        if self.versions is not None:
            self.versions.bump(members)

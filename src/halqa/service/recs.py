"""Recommendations in the service: one fitted model in memory, folded in as events arrive.

The model comes from ``halqa.recommend`` (a saved file, or fitted on the store at start-up).
Only members with personalisation consent are served and folded in: the model's
dataset is built from the ``*_personalisation`` views, and the posted events of
anyone else are stored but never reach it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from typing import Any

import pandas as pd

from halqa.catalog import Store
from halqa.errors import ConfigError, NotFoundError, UserError

log = logging.getLogger("halqa.service.recs")
MODELS = ("ease", "als", "bpr", "itemknn", "popular", "trending")
# Models whose lists depend on everyone's events (not only the member's own): any fold-in
# changes every member's list, so the response cache is cleared instead of narrowed.
GLOBAL_MODELS = ("popular", "trending", "segment-popular", "most-popular")
CACHE_ENTRIES = 200_000


def recommend_api() -> Any:
    """``halqa.recommend`` when it offers what the service uses, else None."""
    try:
        import halqa.recommend as api
    except ImportError:
        return None
    return api if all(hasattr(api, n) for n in ("Dataset", "Recommender", "EASE", "MostPopular")) else None


def _model(api: Any, name: str) -> Any:
    factories = {"ease": "EASE", "als": "ALS", "bpr": "BPR", "itemknn": "ItemKNN", "popular": "MostPopular",
                 "trending": "Trending"}
    if name not in factories or not hasattr(api, factories[name]):
        raise ConfigError(f"unknown model '{name}': use one of {', '.join(n for n in MODELS if hasattr(api, factories[n]))}")
    return getattr(api, factories[name])()


class RecommendationService:
    """Thread-safe access to one model: lists, similar titles, fold-in of committed events."""

    def __init__(self, store: Store, model_name: str = "ease", model_path: str | None = None) -> None:
        api = recommend_api()
        if api is None:
            raise UserError("halqa.recommend is not available in this installation")
        self.api = api
        started = time.perf_counter()
        if model_path:
            self.model = api.Recommender.load(model_path)
        else:
            self.model = _model(api, model_name).fit(api.Dataset.from_store(_NullsAsNone(store)))
        self.fit_seconds = round(time.perf_counter() - started, 2)
        self.consented = {r[0] for r in store.rows("SELECT member_id FROM members_personalisation")}
        self._lock = threading.RLock()
        self.folded_events = 0
        # Finished lists by (member, k, filters, local share, language). A member's entries are
        # dropped the moment one of their events is folded in, so a hit is exactly what the model
        # would answer now; see docs/service.md.
        self._cache: OrderedDict[tuple, list[dict[str, Any]]] = OrderedDict()
        self._cache_keys: dict[str, set[tuple]] = {}
        self.cache_hits = self.cache_misses = 0

    @property
    def info(self) -> dict[str, Any]:
        ds = self.model.dataset
        return {"model": self.model.name, "members": ds.n_members, "titles": ds.n_titles,
                "fit_seconds": self.fit_seconds, "folded_events": self.folded_events,
                "local_share": self.reranker_available,
                "cache": {"entries": len(self._cache), "hits": self.cache_hits, "misses": self.cache_misses}}

    @property
    def reranker_available(self) -> bool:
        return hasattr(self.api, "LocalTalentReranker")

    def recommend(self, member_id: str, k: int, filters: list[str], local_share: float | None,
                  lang: str) -> list[dict[str, Any]]:
        if member_id not in self.consented:
            raise NotFoundError(f"no member '{member_id}' with personalisation consent")
        key = (member_id, k, tuple(sorted(filters)), local_share or 0.0, lang)
        with self._lock:
            hit = self._cache.get(key)
            if hit is not None:
                self._cache.move_to_end(key)
                self.cache_hits += 1
                return hit
            self.cache_misses += 1
            items = self._compute(member_id, k, filters, local_share, lang)
            self._remember(key, items)
        return items

    def _remember(self, key: tuple, items: list[dict[str, Any]]) -> None:
        self._cache[key] = items
        self._cache_keys.setdefault(key[0], set()).add(key)
        while len(self._cache) > CACHE_ENTRIES:
            old, _ = self._cache.popitem(last=False)
            self._cache_keys.get(old[0], set()).discard(old)

    def _forget(self, members: set[str] | None) -> None:
        """Drop the cached lists of ``members`` (None: everyone)."""
        if members is None or self.model.name in GLOBAL_MODELS:
            self._cache.clear()
            self._cache_keys.clear()
            return
        for member in members:
            for key in self._cache_keys.pop(member, ()):
                self._cache.pop(key, None)

    def _compute(self, member_id: str, k: int, filters: list[str], local_share: float | None,
                 lang: str) -> list[dict[str, Any]]:
        options: dict[str, Any] = {"filters": filters or None, "lang": lang}
        if local_share:
            if not self.reranker_available:
                raise ConfigError("local_share needs halqa.recommend's local-talent re-ranker, not installed")
            options["rerank"] = self.api.LocalTalentReranker(local_share=local_share)
        frame = self.model.recommend([member_id], k, **options)
        names = self.model.dataset.title_names(self.model.dataset.title_index(list(frame["title_id"])))
        return [{"title_id": t, "name": n, "rank": int(r), "score": float(s), "reason": reason}
                for t, n, r, s, reason in zip(frame["title_id"], names, frame["rank"], frame["score"],
                                              frame["reason"])]

    def similar(self, title_id: str, k: int) -> list[dict[str, Any]]:
        with self._lock:
            if title_id not in self.model.dataset.titles:
                raise NotFoundError(f"no title '{title_id}' in the recommendation model")
            frame = self.model.similar([title_id], k)
            names = self.model.dataset.title_names(self.model.dataset.title_index(list(frame["similar_title_id"])))
        return [{"title_id": t, "name": n, "rank": int(r), "score": float(s)}
                for t, n, r, s in zip(frame["similar_title_id"], names, frame["rank"], frame["score"])]

    # -- real time ----------------------------------------------------------------------------
    def fold_in(self, rows: list[dict[str, Any]]) -> None:
        """Called by the writer after each commit: consented members' lists change at once."""
        mine = [r for r in rows if r["member_id"] in self.consented]
        if not mine:
            return
        frame = pd.DataFrame({"member_id": [r["member_id"] for r in mine], "title_id": [r["title_id"] for r in mine],
                              "event_type": [r["event_type"] for r in mine],
                              "ts": pd.to_datetime([r["ts"] for r in mine]),
                              "value": [r.get("value") for r in mine]})
        with self._lock:
            self.model.add_events(frame)
            self.folded_events += len(mine)
            self._forget({r["member_id"] for r in mine})

    def members_changed(self, rows: list[dict[str, Any]]) -> None:
        """Keep the consent set in step with member upserts (consent can be withdrawn);
        new consented members become recommendable from their demographics (cold start)."""
        with self._lock:
            for row in rows:
                if row.get("consent_personalisation"):
                    self.consented.add(row["member_id"])
                else:
                    self.consented.discard(row["member_id"])
            self._forget({r["member_id"] for r in rows})
            fresh = [r for r in rows if r.get("consent_personalisation")]
            if fresh:
                self._safely(self.model.add_members, pd.DataFrame(fresh))

    def titles_changed(self, rows: list[dict[str, Any]]) -> None:
        """New or updated titles are recommendable from their metadata at once."""
        with self._lock:
            self._safely(self.model.add_titles, pd.DataFrame(rows))
            self._forget(None)

    @staticmethod
    def _safely(update: Any, frame: pd.DataFrame) -> None:
        try:
            update(frame)
        except Exception:  # the rows are stored; the model catches up at the next start
            log.exception("recommendation model could not take %d rows", len(frame))


class _NullsAsNone:
    """A store whose ``df`` gives None (not pandas' NA) for SQL NULLs.

    Under pandas 3, DuckDB hands NULL lists (e.g. ``available_regions``, meaning
    "everywhere") to pandas as ``pd.NA``, which ``Dataset.from_store`` does not
    expect yet; reported to the recommend part. Remove once it accepts NA.
    """

    def __init__(self, store: Store) -> None:
        self._store = store

    def df(self, query: str, params: Any = None) -> pd.DataFrame:
        frame = self._store.df(query, params)
        lists = [c for c in frame.columns if frame[c].dtype == object]
        for column in lists:
            frame[column] = [None if v is pd.NA else v for v in frame[column]]
        return frame

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)

"""Recommendations in the service: the model `halqa train` saved, in memory, folded in as events arrive.

The service fits nothing itself: it loads the saved file (``halqa serve --model-file``, by default
the store's own ``<db>.models/recommender.pkl``) and catches it up with the store exactly as
``halqa recommend`` does (``halqa.recommend.saved.catch_up``), so for the same member the API
and the CLI give the same list. Only members with personalisation consent are served and folded in: the model's dataset is
built from the ``*_personalisation`` views, and other members' events never reach it.

Real time without stalling the writer: after each commit the writer hands the new events to
``fold_in``, which only records them and marks their members dirty. A fold-in thread folds
everything pending into the model in one ``add_events`` call (its cost does not grow with the
number of commits). A list asked for a dirty member waits until that member's events are in,
so the member's next list always reflects what they just did (read-your-writes); other
members are served at once, from an exact per-member response cache.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from pathlib import Path
from typing import Any

import pandas as pd

from halqa.catalog import Store
from halqa.errors import ConfigError, NotFoundError, UserError
from halqa.service.edge_cache import list_key

log = logging.getLogger("halqa.service.recs")
# Models whose lists depend on everyone's events (not only the member's own): a fold-in
# changes every member's list, so the response cache is cleared instead of narrowed.
GLOBAL_MODELS = ("popular", "trending", "segment-popular", "most-popular")
CACHE_ENTRIES = 200_000
FOLD_WAIT_S = 60.0
# At most this often, unless a list is waiting for a member's events: each fold-in grows the
# model's matrices, so folding every commit separately would spend the CPU the writer and the
# readers need.
FOLD_INTERVAL_S = 0.25


def recommend_api() -> Any:
    """``halqa.recommend`` when it offers what the service uses, else None."""
    try:
        import halqa.recommend as api
    except ImportError:
        return None
    return (
        api
        if all(hasattr(api, n) for n in ("Dataset", "Recommender", "EASE", "MostPopular"))
        else None
    )


class RecommendationService:
    """Thread-safe lists, similar titles and asynchronous fold-in over one model."""

    def __init__(
        self, store: Store, model_path: str | Path | None = None, versions: Any = None
    ) -> None:
        api = recommend_api()
        if api is None:
            raise UserError("halqa.recommend is not available in this installation")
        from halqa.recommend.saved import catch_up, default_model_path, load_saved

        self.api = api
        started = time.perf_counter()
        self.model_path = str(model_path or default_model_path(store.path))
        self.model = load_saved(self.model_path)
        self.caught_up_events = catch_up(self.model, store)
        self.fit_seconds = round(
            time.perf_counter() - started, 2
        )  # loading + catching up: nothing is fitted
        self.consented = {r[0] for r in store.rows("SELECT member_id FROM members_personalisation")}
        self._model_lock = threading.RLock()  # the model: scoring and folding in
        self._state = threading.Condition()  # cache, pending events, versions
        # Finished lists by (member, k, filters, local share, language); a member's entries are
        # dropped the moment one of their events is committed, so a hit is what the model answers now.
        self._cache: OrderedDict[tuple, list[dict[str, Any]]] = OrderedDict()
        self._cache_keys: dict[str, set[tuple]] = {}
        self._version: dict[str, int] = {}  # bumped on every committed event of the member
        self._pending: list[dict[str, Any]] = []
        self._dirty: dict[str, int] = {}  # member -> batch number that holds their newest event
        self._batches = self._folded = 0
        self.cache_hits = self.cache_misses = self.folded_events = self.fold_runs = 0
        self._closing = False
        self._urgent = False
        self.versions = versions  # shared counters that worker processes check (None: one process)
        self._folder = threading.Thread(target=self._fold_loop, name="halqa-fold-in", daemon=True)
        self._folder.start()

    def close(self) -> None:
        with self._state:
            self._closing = True
            self._state.notify_all()
        self._folder.join(30)

    @property
    def info(self) -> dict[str, Any]:
        ds = self.model.dataset
        with self._state:
            return {
                "model": self.model.name,
                "model_file": self.model_path,
                "members": ds.n_members,
                "titles": ds.n_titles,
                "fit_seconds": self.fit_seconds,
                "folded_events": self.folded_events,
                "fold_runs": self.fold_runs,
                "pending_events": len(self._pending),
                "local_share": self.reranker_available,
                "cache": {
                    "entries": len(self._cache),
                    "hits": self.cache_hits,
                    "misses": self.cache_misses,
                },
            }

    @property
    def reranker_available(self) -> bool:
        return hasattr(self.api, "LocalTalentReranker")

    # -- lists --------------------------------------------------------------------------------
    def _cache_key(
        self, member_id: str, k: int, filters: list[str], local_share: float | None, lang: str
    ) -> tuple[Any, ...]:
        if member_id not in self.consented:
            raise NotFoundError(f"no member '{member_id}' with personalisation consent")
        return list_key(member_id, k, filters, local_share, lang)

    def _cached(self, key: tuple[Any, ...]) -> list[dict[str, Any]] | None:
        """The cached list for ``key`` (counted as a hit), or None; call with ``_state`` held."""
        hit = self._cache.get(key)
        if hit is not None:
            self._cache.move_to_end(key)
            self.cache_hits += 1
        return hit

    def peek(
        self, member_id: str, k: int, filters: list[str], local_share: float | None, lang: str
    ) -> list[dict[str, Any]] | None:
        """The cached list, or None when it must be computed (never blocks)."""
        key = self._cache_key(member_id, k, filters, local_share, lang)
        with self._state:
            return self._cached(key)

    def recommend(
        self, member_id: str, k: int, filters: list[str], local_share: float | None, lang: str
    ) -> list[dict[str, Any]]:
        key = self._cache_key(member_id, k, filters, local_share, lang)
        with self._state:
            hit = self._cached(key)
            if hit is not None:
                return hit
            self.cache_misses += 1
            self._wait_folded(member_id)
            version = self._version.get(member_id, 0)
        with self._model_lock:
            items = self._compute(member_id, k, filters, local_share, lang)
        with self._state:
            # Cache only if no event of this member was committed while computing.
            if self._version.get(member_id, 0) == version and member_id not in self._dirty:
                self._remember(key, items)
        return items

    def _wait_folded(self, member_id: str) -> None:
        """Block (holding ``_state``'s condition) until the member's committed events are in the model."""
        deadline = time.monotonic() + FOLD_WAIT_S
        while member_id in self._dirty and self._folded < self._dirty[member_id]:
            self._urgent = True  # someone is waiting: fold now, not at the next interval
            self._state.notify_all()
            if not self._state.wait(timeout=max(0.0, deadline - time.monotonic())):
                raise UserError(
                    f"member '{member_id}': new events are still being folded in; retry shortly"
                )

    def _remember(self, key: tuple, items: list[dict[str, Any]]) -> None:
        self._cache[key] = items
        self._cache_keys.setdefault(key[0], set()).add(key)
        while len(self._cache) > CACHE_ENTRIES:
            old, _ = self._cache.popitem(last=False)
            self._cache_keys.get(old[0], set()).discard(old)

    def _forget(self, members: set[str] | None) -> None:
        """Drop the cached lists of ``members`` (None: everyone). Caller holds ``_state``."""
        if members is None or self.model.name in GLOBAL_MODELS:
            self._cache.clear()
            self._cache_keys.clear()
            return
        for member in members:
            for key in self._cache_keys.pop(member, ()):
                self._cache.pop(key, None)

    def _compute(
        self, member_id: str, k: int, filters: list[str], local_share: float | None, lang: str
    ) -> list[dict[str, Any]]:
        options: dict[str, Any] = {"filters": filters or None, "lang": lang}
        if local_share:
            if not self.reranker_available:
                raise ConfigError(
                    "local_share needs halqa.recommend's local-talent re-ranker, not installed"
                )
            options["rerank"] = self.api.LocalTalentReranker(local_share=local_share)
        frame = self.model.recommend([member_id], k, **options)
        ds = self.model.dataset
        index = ds.title_index(list(frame["title_id"]))
        names = ds.title_names(index)
        local = self._local_flags()
        scores = frame["score"].to_numpy(dtype=float)
        placed = _placed_above_a_better_score(scores)
        return [
            {
                "title_id": t,
                "name": n,
                "rank": int(r),
                "score": float(s),
                "reason": reason,
                "local": bool(0 <= i < len(local) and local[i]),
                "placed": bool(p),
            }
            for t, n, r, s, reason, i, p in zip(
                frame["title_id"], names, frame["rank"], scores, frame["reason"], index, placed
            )
        ]

    def _local_flags(self) -> Any:
        """Titles with a Moroccan creator, as the local-talent re-ranker counts them (the dashboard
        marks them, so the share slider's effect can be seen)."""
        from halqa.recommend.evaluate import local_flags

        ds = self.model.dataset
        return ds.cached(("titles", "service", "local"), lambda: local_flags(ds))

    def similar(self, title_id: str, k: int) -> list[dict[str, Any]]:
        with self._model_lock:
            if title_id not in self.model.dataset.titles:
                raise NotFoundError(f"no title '{title_id}' in the recommendation model")
            frame = self.model.similar([title_id], k)
            names = self.model.dataset.title_names(
                self.model.dataset.title_index(list(frame["similar_title_id"]))
            )
        return [
            {"title_id": t, "name": n, "rank": int(r), "score": float(s)}
            for t, n, r, s in zip(frame["similar_title_id"], names, frame["rank"], frame["score"])
        ]

    # -- real time ----------------------------------------------------------------------------
    def fold_in(self, rows: list[dict[str, Any]]) -> None:
        """Called by the writer after each commit; returns at once (the fold-in thread does the work)."""
        mine = [r for r in rows if r["member_id"] in self.consented]
        if not mine:
            return
        with self._state:
            self._batches += 1
            members = {r["member_id"] for r in mine}
            for member in members:
                self._dirty[member] = self._batches
                self._version[member] = self._version.get(member, 0) + 1
            self._pending.extend(mine)
            self._forget(members)
            if self.versions is not None:
                self.versions.bump(members)
            self._state.notify_all()

    def _fold_loop(self) -> None:
        last = 0.0
        while True:
            with self._state:
                while True:
                    if self._closing and not self._pending:
                        return
                    pause = last + FOLD_INTERVAL_S - time.monotonic()
                    if self._pending and (pause <= 0 or self._urgent or self._closing):
                        break
                    self._state.wait(timeout=pause if self._pending else None)
                self._urgent = False
                rows, self._pending = self._pending, []
                upto = self._batches
            last = time.monotonic()
            frame = pd.DataFrame(
                {
                    "member_id": [r["member_id"] for r in rows],
                    "title_id": [r["title_id"] for r in rows],
                    "event_type": [r["event_type"] for r in rows],
                    "ts": pd.to_datetime([r["ts"] for r in rows]),
                    "value": [r.get("value") for r in rows],
                }
            )
            with self._model_lock:
                try:
                    self.model.add_events(frame)
                except (
                    Exception
                ):  # stored events stay stored; the model catches up at the next start
                    log.exception("fold-in of %d events failed", len(rows))
            with self._state:
                self._folded = upto
                self.folded_events += len(rows)
                self.fold_runs += 1
                self._dirty = {m: b for m, b in self._dirty.items() if b > upto}
                self._forget({r["member_id"] for r in rows})
                self._state.notify_all()

    def members_changed(self, rows: list[dict[str, Any]]) -> None:
        """Keep the consent set in step with member upserts (consent can be withdrawn);
        new consented members become recommendable from their demographics (cold start)."""
        with self._state:
            for row in rows:
                if row.get("consent_personalisation"):
                    self.consented.add(row["member_id"])
                else:
                    self.consented.discard(row["member_id"])
            self._forget({r["member_id"] for r in rows})
            if self.versions is not None:
                self.versions.bump({r["member_id"] for r in rows})
        fresh = [r for r in rows if r.get("consent_personalisation")]
        if fresh:
            with self._model_lock:
                self._safely(self.model.add_members, pd.DataFrame(fresh))

    def titles_changed(self, rows: list[dict[str, Any]]) -> None:
        """New or updated titles are recommendable from their metadata at once."""
        with self._model_lock:
            self._safely(self.model.add_titles, pd.DataFrame(rows))
        with self._state:
            self._forget(None)
            if self.versions is not None:
                self.versions.bump(None)

    @staticmethod
    def _safely(update: Any, frame: pd.DataFrame) -> None:
        try:
            update(frame)
        except Exception:  # the rows are stored; the model catches up at the next start
            log.exception("recommendation model could not take %d rows", len(frame))


def _placed_above_a_better_score(scores: Any) -> list[bool]:
    """True where a pick ranks above one the model scored higher: a slot policy (Moroccan
    creators' share, variety) put it there, so the scores shown are not in rank order."""
    best_below = float("-inf")
    out = [False] * len(scores)
    for i in range(len(scores) - 1, -1, -1):
        out[i] = bool(scores[i] < best_below)
        best_below = max(best_below, float(scores[i]))
    return out

"""The backend's calls into the other parts of halqa (recommend, insights, audience).

Each call runs on the calling thread's read cursor and returns plain JSON-ready
data. A part that is not installed simply has no routes (see routes/domains.py).
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Iterable
from types import ModuleType
from typing import TYPE_CHECKING, Any

from halqa.catalog import browse
from halqa.errors import UserError
from halqa.service.jsonable import jsonable

if TYPE_CHECKING:
    from halqa.audience import NewTitle, Targeter
    from halqa.catalog import Store
    from halqa.service.recs import RecommendationService
    from halqa.service.settings import Settings
    from halqa.service.writer import EventWriter

log = logging.getLogger("halqa.service")


def audience_api() -> ModuleType | None:
    try:
        import halqa.audience as api
    except ImportError:
        return None
    needed = ("Targeter", "parse_title", "export_audience", "measure", "lookalike")
    return api if all(hasattr(api, n) for n in needed) else None


def insights_api() -> ModuleType | None:
    try:
        import halqa.insights as api
    except ImportError:
        return None
    needed = ("Segment", "trends", "segment_lift", "rising_talent", "timeline", "regions")
    return api if all(hasattr(api, n) for n in needed) else None


class DomainCalls:
    """Mixed into ``Backend``, which provides what is declared here."""

    recs: RecommendationService | None = None
    recs_error: str | None = None
    _domain_lock = threading.Lock()
    _targeter_obj: Targeter | None = None
    _targeter_checked_at = 0.0
    _targeter_refreshing = False
    if TYPE_CHECKING:
        settings: Settings
        writer: EventWriter
        store: Store

        def reader(self) -> Store: ...
        def withdrawn_marketing(self, member_ids: Iterable[object]) -> set[str]: ...

    # -- recommendations ----------------------------------------------------------------------
    def _recs(self) -> RecommendationService:
        if self.recs is None:
            raise UserError(
                f"recommendations are not available: {self.recs_error or 'no model loaded'}"
            )
        return self.recs

    def recs_info(self) -> dict[str, Any]:
        if self.recs is None:
            return {"available": False, "reason": self.recs_error}
        from halqa.recommend.saved import model_status

        info = self.recs.info
        return {"available": True, **info, "status": jsonable(model_status(info["model_file"]))}

    def recommend(
        self, member_id: str, k: int, filters: list[str], local_share: float | None, lang: str
    ) -> list[dict[str, Any]]:
        return self._recs().recommend(member_id, k, filters, local_share, lang)

    def cached_recommendation(
        self, member_id: str, k: int, filters: list[str], local_share: float | None, lang: str
    ) -> list[dict[str, Any]] | None:
        """A finished list from the cache, or None (never blocks: safe on the event loop)."""
        return self._recs().peek(member_id, k, filters, local_share, lang)

    def similar(self, title_id: str, k: int) -> list[dict[str, Any]]:
        return self._recs().similar(title_id, k)

    def member_picker(self, q: str | None, limit: int, offset: int = 0) -> dict[str, Any]:
        """A page of the members who may receive recommendations, most active first."""
        total, items = browse.member_picker(self.reader(), q, limit, offset)
        return {"items": jsonable(items), "total": total, "limit": limit, "offset": offset}

    # -- insights -----------------------------------------------------------------------------
    def _insights(self) -> ModuleType:
        api = insights_api()
        if api is None:
            raise UserError("insights are not available in this installation")
        return api

    def trends(
        self, segment: list[str], by: str, window: str, top: int, as_of: str | None = None
    ) -> dict[str, Any]:
        api = self._insights()
        return jsonable(
            api.trends(
                self.reader(),
                segment,
                by=by,
                window=window,
                top=top,
                k=self.settings.min_group,
                as_of=as_of,
            )
        )

    def segment_lift(self, segment: list[str], by: str, window: str) -> dict[str, Any]:
        api = self._insights()
        return jsonable(
            api.segment_lift(
                self.reader(), segment, by=by, window=window, k=self.settings.min_group
            )
        )

    def rising_talent(self, window: str, top: int) -> dict[str, Any]:
        api = self._insights()
        return jsonable(
            api.rising_talent(self.reader(), window=window, top=top, k=self.settings.min_group)
        )

    def timeline(
        self, segment: list[str], by: str, weeks: int, top: int, as_of: str | None = None
    ) -> dict[str, Any]:
        """Weekly plays of the segment's biggest genres (or languages),
        cells under k members suppressed."""
        api = self._insights()
        return jsonable(
            api.timeline(
                self.reader(),
                segment,
                by=by,
                weeks=weeks,
                top=top,
                k=self.settings.min_group,
                as_of=as_of,
            )
        )

    def regions(
        self, segment: list[str], window_days: int, as_of: str | None = None
    ) -> dict[str, Any]:
        """Plays, members and the leading genre per region (regions under k members suppressed)."""
        api = self._insights()
        return jsonable(
            api.regions(
                self.reader(),
                segment,
                window_days=window_days,
                k=self.settings.min_group,
                as_of=as_of,
            )
        )

    def script_develop(
        self, segment: list[str], window: str, as_of: str | None = None
    ) -> dict[str, Any]:
        """The screenplay development pack (``halqa script develop``) from this store's insights
        brief, cells under k members suppressed as in the brief."""
        self._insights()
        from halqa.studio.script.develop import develop_pack

        return jsonable(
            develop_pack(
                self.reader(), segment, window=window, as_of=as_of, k=self.settings.min_group
            )
        )

    # -- audience ----------------------------------------------------------------------------
    def _audience(self) -> ModuleType:
        api = audience_api()
        if api is None:
            raise UserError("audience targeting is not available in this installation")
        return api

    def _targeter(self) -> Targeter:
        """One Targeter per backend, built at first use: the one `halqa audience target` saved
        beside the store (``<db>.models/targeting.pkl``) when the store has not changed since,
        else fitted now and saved there for both.

        When the store changes while the service runs (events, members or titles written
        through the API or by `halqa ingest`, marketing consent given), the loaded targeter
        keeps answering and a new one is fitted in a background thread, at most once per
        ``targeter_refresh_s``: a refit takes tens of seconds, and a busy service that refitted
        on the request after every event would never answer in seconds. Withdrawn consent never
        waits for it (``_withdrawn``)."""
        self._audience()
        with self._domain_lock:
            if self._targeter_obj is None:
                from halqa.audience.saved import fitted_targeter

                self._use_targeter(*fitted_targeter(self.reader()))
            elif self._targeter_refresh_due():
                from halqa.audience.saved import is_current

                self._targeter_checked_at = time.monotonic()
                if not is_current(self.reader(), self._targeter_obj):
                    self._targeter_refreshing = True
                    threading.Thread(
                        target=self._refresh_targeter, name="halqa-targeter-refresh", daemon=True
                    ).start()
            assert self._targeter_obj is not None
            return self._targeter_obj

    def _targeter_refresh_due(self) -> bool:
        waited = time.monotonic() - self._targeter_checked_at
        return not self._targeter_refreshing and waited >= self.settings.targeter_refresh_s

    def _use_targeter(self, targeter: Targeter, fit: dict[str, Any]) -> None:
        """Called with ``_domain_lock`` held."""
        targeter.k = self.settings.min_group
        log.info("audience targeter: %s", fit)
        self._targeter_obj = targeter
        self._targeter_checked_at = time.monotonic()

    def _refresh_targeter(self) -> None:
        from halqa.audience.saved import fitted_targeter
        from halqa.catalog import Store

        # A cursor of its own, closed at the end: refresh threads come and go for the life of
        # the service, and per-thread readers would pile up.
        reader = Store(self.store.con.cursor(), self.store.path)
        try:
            found = fitted_targeter(reader)
        except Exception:  # the loaded targeter keeps answering; the next due check tries again
            log.exception("audience targeter could not be refreshed")
            found = None
        finally:
            reader.close()
        with self._domain_lock:
            if found is not None:
                self._use_targeter(*found)
            else:
                self._targeter_checked_at = time.monotonic()
            self._targeter_refreshing = False

    def _withdrawn(self, targeter: Targeter) -> set[str]:
        """Members fitted into the targeter who have withdrawn marketing consent since:
        never returned."""
        return self.withdrawn_marketing(targeter.data.member_ids)

    def _new_title(self, title: dict[str, Any]) -> NewTitle:
        store = self.reader()
        return self._audience().parse_title(
            title, source="title", genres=store.genre_ids(), themes=store.theme_ids()
        )

    def target(self, title: dict[str, Any], top: int, rows: int) -> dict[str, Any]:
        """Audience of a new title from its metadata: size, breakdown (k-suppressed), first rows."""
        targeter = self._targeter()
        result = targeter.target(
            self._new_title(title), top=top, exclude_members=self._withdrawn(targeter)
        )
        return jsonable(result.to_dict(rows=rows))

    def export_campaign(
        self, title: dict[str, Any], campaign: str, top: int, holdout: float, hash_salt: str | None
    ) -> dict[str, Any]:
        """Target, then record the campaign (marketing consent only,
        random holdout) in the store."""
        api = self._audience()
        new_title = self._new_title(title)
        targeter = self._targeter()
        result = targeter.target(new_title, top=top, exclude_members=self._withdrawn(targeter))
        exported = self.writer.call(
            lambda s: api.export_audience(
                s,
                result.audience,
                campaign,
                holdout=holdout,
                hash_salt=hash_salt,
                title_id=new_title.title_id,
                source="api",
            ),
            transaction=False,
        ).result()
        return jsonable(
            {
                **exported.to_dict(),
                "breakdown": result.breakdown,
                "first_exported": exported.exposed.head(20).to_dict(orient="records"),
            }
        )

    def lookalike(self, seed_ids: list[str], size: int) -> dict[str, Any]:
        api = self._audience()
        targeter = self._targeter()
        result = api.lookalike(
            targeter.data,
            seed_ids,
            size,
            k=self.settings.min_group,
            exclude_members=self._withdrawn(targeter),
        )
        return jsonable(result.to_dict(rows=50))

    def campaigns(self) -> list[dict[str, Any]]:
        return jsonable(browse.campaigns(self.reader()))

    def campaign_lift(
        self, campaign: str, detect: float | None, title_id: str | None = None
    ) -> dict[str, Any]:
        return jsonable(
            self._audience().measure(
                self.reader(), campaign, title_id=title_id, k=self.settings.min_group, detect=detect
            )
        )

    # -- one title or creator, search, seasons (the dashboard's own pages) -----------------------
    def profile(
        self, entity: str, target: str, weeks: int, as_of: str | None = None
    ) -> dict[str, Any]:
        from halqa.insights.profile import profile

        return jsonable(
            profile(
                self.reader(), entity, target, weeks=weeks, as_of=as_of, k=self.settings.min_group
            )
        )

    def search(self, q: str, limit: int) -> dict[str, Any]:
        from halqa.insights.profile import search

        return jsonable(search(self.reader(), q, limit=limit))

    def seasons(self, start: str, end: str) -> list[dict[str, Any]]:
        from halqa.insights.calendar import seasons_between

        return seasons_between(dt.date.fromisoformat(start), dt.date.fromisoformat(end))

    def labels(self) -> dict[str, Any]:
        """Genre, theme and region labels in the interface languages, for the dashboard."""
        return jsonable(browse.taxonomy_labels(self.reader()))

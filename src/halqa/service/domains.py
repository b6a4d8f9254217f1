"""The backend's calls into the other parts of halqa (recommend, insights, audience).

Each call runs on the calling thread's read cursor and returns plain JSON-ready
data. A part that is not installed simply has no routes (see routes/domains.py).
"""

from __future__ import annotations

import logging
import threading
from datetime import timedelta
from typing import Any

from halqa.errors import ConfigError, UserError
from halqa.service.jsonable import jsonable

log = logging.getLogger("halqa.service")
_SEGMENT_COLUMNS = {
    "age_band": "m.age_band",
    "gender": "m.gender",
    "region": "m.region",
    "country": "m.country",
    "city": "m.city",
    "occupation": "m.occupation",
    "language": "m.languages[1]",
}


def audience_api() -> Any:
    try:
        import halqa.audience as api
    except ImportError:
        return None
    needed = ("Targeter", "parse_title", "export_audience", "measure", "lookalike")
    return api if all(hasattr(api, n) for n in needed) else None


def insights_api() -> Any:
    try:
        import halqa.insights as api
    except ImportError:
        return None
    needed = ("Segment", "trends", "segment_lift", "rising_talent")
    return api if all(hasattr(api, n) for n in needed) else None


class DomainCalls:
    """Mixed into ``Backend``; needs ``reader()``, ``settings`` and ``recs``."""

    recs: Any = None
    recs_error: str | None = None
    _domain_lock = threading.Lock()

    # -- recommendations ----------------------------------------------------------------------
    def _recs(self) -> Any:
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

    def member_picker(self, q: str | None, limit: int) -> list[dict[str, Any]]:
        """Members who may receive recommendations, most active first (for the dashboard)."""
        where, params = "", []
        if q:
            where, params = "WHERE strpos(m.member_id, ?) > 0", [q]
        return self._records(
            "SELECT m.member_id, m.age_band, m.gender, m.region, m.languages, count(e.member_id) AS events "
            f"FROM members_personalisation m LEFT JOIN events e USING (member_id) {where} "
            "GROUP BY ALL ORDER BY events DESC, m.member_id LIMIT ?",
            params + [limit],
        )

    # -- insights -----------------------------------------------------------------------------
    def _insights(self) -> Any:
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
        """Weekly plays of the segment's biggest genres (or languages), cells under k members suppressed."""
        seg = self._insights().Segment.parse(segment)
        item = {
            "genre": "unnest(t.genres)",
            "language": "t.original_language",
            "kind": "t.kind",
        }.get(by)
        if item is None:
            raise ConfigError(f"timeline by '{by}' is not one of genre, language, kind")
        where, params = _segment_sql(seg.to_dict())
        k = self.settings.min_group
        last = _last_ts(as_of)
        start, end = self.reader().rows(
            f"SELECT greatest(max(ts) - to_days(CAST(? AS INTEGER)), min(ts)), max(ts) FROM ({last})",
            [weeks * 7],
        )[0]
        rows = self.reader().rows(
            f"""
            WITH last AS (SELECT max(ts) AS end_ts FROM ({last})),
            e AS (SELECT e.member_id, date_trunc('week', e.ts) AS week, {item} AS item
                  FROM events_analytics e JOIN titles t USING (title_id) JOIN members m USING (member_id), last
                  WHERE e.ts > last.end_ts - to_days(CAST(? AS INTEGER)) AND e.ts <= last.end_ts {where}),
            cells AS (SELECT week, item, count(*) AS plays, count(DISTINCT member_id) AS members FROM e GROUP BY ALL),
            best AS (SELECT item FROM cells WHERE item IS NOT NULL GROUP BY item ORDER BY sum(plays) DESC, item LIMIT ?)
            SELECT week, item, plays, members FROM cells JOIN best USING (item) ORDER BY week, item""",
            [weeks * 7, *params, top],
        )
        series: dict[str, list] = {}
        weeks_seen = sorted({r[0] for r in rows})
        for week, name, plays, members in rows:
            series.setdefault(name, {})[week] = plays if members >= k else None
        # The first and last weeks are cut by the window (or by the first event, when the data begins
        # mid-week): flagged, so they are not drawn as drops.
        partial = [
            bool(
                start is not None
                and (w < start or w + timedelta(days=7) > end + timedelta(microseconds=1))
            )
            for w in weeks_seen
        ]
        return {
            "segment": seg.to_dict(),
            "by": by,
            "k": k,
            "weeks": [w.date().isoformat() for w in weeks_seen],
            "partial": partial,
            "window": {
                "start": start.isoformat() if start else None,
                "end": end.isoformat() if end else None,
            },
            "series": [
                {"item": name, "plays": [cells.get(w) for w in weeks_seen]}
                for name, cells in series.items()
            ],
        }

    def regions(
        self, segment: list[str], window_days: int, as_of: str | None = None
    ) -> dict[str, Any]:
        """Plays, members and the leading genre per region (regions under k members suppressed)."""
        seg = self._insights().Segment.parse([s for s in segment if not s.startswith("region=")])
        where, params = _segment_sql(seg.to_dict())
        k = self.settings.min_group
        rows = self.reader().rows(
            f"""
            WITH last AS (SELECT max(ts) AS end_ts FROM ({_last_ts(as_of)})),
            e AS (SELECT m.region, e.member_id, t.genres FROM events_analytics e JOIN titles t USING (title_id)
                  JOIN members m USING (member_id), last
                  WHERE e.ts > last.end_ts - to_days(CAST(? AS INTEGER)) AND e.ts <= last.end_ts
                    AND m.region IS NOT NULL {where}),
            g AS (SELECT region, genre, count(*) AS plays FROM (SELECT region, unnest(genres) AS genre FROM e) GROUP BY ALL)
            SELECT r.region, r.plays, r.members, (SELECT genre FROM g WHERE g.region = r.region
                   ORDER BY plays DESC, genre LIMIT 1) AS top_genre
            FROM (SELECT region, count(*) AS plays, count(DISTINCT member_id) AS members FROM e GROUP BY region) r
            ORDER BY r.plays DESC""",
            [window_days, *params],
        )
        out = []
        for region, plays, members, top_genre in rows:
            small = members < k
            out.append(
                {
                    "region": region,
                    "plays": None if small else plays,
                    "members": None if small else members,
                    "top_genre": None if small else top_genre,
                    "suppressed": small,
                }
            )
        return {"segment": seg.to_dict(), "k": k, "window_days": window_days, "rows": out}

    # -- audience ----------------------------------------------------------------------------
    def _targeter(self) -> Any:
        """One Targeter (its blend fitted on the store) per backend, built at first use."""
        api = audience_api()
        if api is None:
            raise UserError("audience targeting is not available in this installation")
        with self._domain_lock:
            if getattr(self, "_targeter_obj", None) is None:
                self._targeter_obj = api.Targeter(self.reader(), k=self.settings.min_group)
            return self._targeter_obj

    def _withdrawn(self, targeter: Any) -> set[str]:
        """Members fitted into the targeter who have withdrawn marketing consent since: never returned."""
        return self.withdrawn_marketing(targeter.data.member_ids)

    def _new_title(self, title: dict[str, Any]) -> Any:
        store = self.reader()
        return audience_api().parse_title(
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
        """Target, then record the campaign (marketing consent only, random holdout) in the store."""
        api = audience_api()
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
        api = audience_api()
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
        exists = self.reader().scalar(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = 'audience_campaigns'"
        )
        if not exists:
            return []
        return self._records(
            "SELECT campaign, created_at, title_id, source, holdout_share, exposed, holdout, "
            "hashed FROM audience_campaigns ORDER BY created_at DESC"
        )

    def campaign_lift(
        self, campaign: str, detect: float | None, title_id: str | None = None
    ) -> dict[str, Any]:
        return jsonable(
            audience_api().measure(
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
        from halqa.insights.common import parse_date

        return seasons_between(parse_date(start, "start"), parse_date(end, "end"))

    def labels(self) -> dict[str, Any]:
        """Genre, theme and region labels in the interface languages, for the dashboard."""
        from halqa.catalog import taxonomy

        genres = self._records(
            "SELECT genre_id AS id, label_en AS en, label_fr AS fr, label_ar AS ar FROM genres"
        )
        themes = self._records(
            "SELECT theme_id AS id, label_en AS en, label_fr AS fr, label_ar AS ar FROM themes"
        )
        regions = [{"id": r.id, "en": r.fr, "fr": r.fr, "ar": r.ar} for r in taxonomy.REGIONS]
        return {
            "genres": genres,
            "themes": themes,
            "regions": regions,
            "age_bands": list(taxonomy.AGE_BANDS),
            "kinds": list(taxonomy.KINDS),
            "languages": taxonomy.LANGUAGES,
        }


def _last_ts(as_of: str | None) -> str:
    """The events a window ends with: all of them, or those before ``as_of`` (a checked date)."""
    if as_of is None:
        return "SELECT ts FROM events_analytics"
    from halqa.insights.common import parse_date

    return f"SELECT ts FROM events_analytics WHERE ts < DATE '{parse_date(as_of).isoformat()}'"


def _segment_sql(segment: dict[str, str]) -> tuple[str, list[Any]]:
    clauses, params = [], []
    for key, value in segment.items():
        if key == "language":
            clauses.append("list_contains(m.languages, ?)")
        else:
            clauses.append(f"{_SEGMENT_COLUMNS[key]} = ?")
        params.append(value)
    return "".join(f" AND {c}" for c in clauses), params

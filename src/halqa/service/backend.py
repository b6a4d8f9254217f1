"""The process that owns the store: reads on per-thread cursors, writes through one writer.

``Backend`` is the only object that touches DuckDB. Routes call its methods and
get plain dicts and lists back, so the same calls work in-process (one worker)
or through ``halqa.service.remote`` from several HTTP worker processes.
"""

from __future__ import annotations

import contextlib
import logging
import os
import tempfile
import threading
import time
import uuid
from collections.abc import Iterable
from typing import Any

import duckdb

from halqa.catalog import Store, browse
from halqa.catalog.consent import Actor, apply_member_updates
from halqa.errors import UserError
from halqa.service import keys as keyring
from halqa.service.counters import CONSENT, KEYS, Generations
from halqa.service.domains import DomainCalls
from halqa.service.jsonable import jsonable
from halqa.service.settings import Settings
from halqa.service.writer import EventWriter

log = logging.getLogger("halqa.service")


class Backend(DomainCalls):
    """Opens the store read-write once, starts the writer thread, serves reads on cursors."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.store = Store.open(settings.db)
        keyring.ensure_table(self.store)
        self._local = threading.local()
        self._readers: list[Store] = []
        self._readers_lock = threading.Lock()
        # Bumped after a key or consent change commits, before the call returns (see counters.py).
        self.generations = Generations(settings.generations_shm)
        self.writer = EventWriter(
            Store(self.store.con.cursor(), self.store.path),
            batch_max=settings.writer_batch_max,
            linger_s=settings.writer_linger_ms / 1000,
            on_damage=self.store_damage_seen,
        )
        self.started_at = time.time()
        self._health_lock = threading.Lock()
        self._health_at: float | None = None
        self._health_problem: str | None = None
        self.recs, self.recs_error = None, None
        if settings.recommend:
            self._load_recommender()
        self.writer.start()
        # Fit the audience targeter in the background, so the first Audience request does not wait
        # for it (requests that come earlier wait on the same lock instead of fitting twice).
        threading.Thread(target=self._warm_targeter, name="halqa-targeter", daemon=True).start()

    def _warm_targeter(self) -> None:
        from halqa.service.domains import audience_api

        if audience_api() is None:
            return
        try:
            self._targeter()
        except Exception:  # e.g. no consented members yet: the Audience page will say why
            log.exception("audience targeter could not be prepared")

    def _load_recommender(self) -> None:
        from halqa.service.recs import RecommendationService

        try:
            versions = None
            if self.settings.versions_shm:
                from halqa.service.versions import Versions

                versions = Versions(self.settings.versions_shm)
            self.recs = RecommendationService(
                self.reader(), self.settings.recommender_path, versions=versions
            )
        except Exception as exc:  # the rest of the service still works; /health says why
            log.exception("recommendation model could not be loaded")
            self.recs_error = (
                f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
            )
            return
        self.writer.on_commit.append(self.recs.fold_in)

    def close(self) -> None:
        self.writer.stop()
        if self.recs is not None:
            self.recs.close()
        for reader in self._readers:
            with contextlib.suppress(duckdb.Error):  # a cursor whose thread already closed it
                reader.close()
        self.store.close()
        self.generations.close()

    # -- reading ------------------------------------------------------------------------------
    def reader(self) -> Store:
        """This thread's read cursor (DuckDB cursors are per-thread connections to one database)."""
        store = getattr(self._local, "store", None)
        if store is None:
            store = Store(self.store.con.cursor(), self.store.path)
            self._local.store = store
            with self._readers_lock:
                self._readers.append(store)
        return store

    # -- keys ---------------------------------------------------------------------------------
    def key_entries(self) -> dict[str, tuple[str, str, str, str]]:
        return keyring.KeyRing.load_entries(self.reader())

    def keys_generation(self) -> int:
        return self.generations.get(KEYS)

    def create_key(self, role: str, name: str = "") -> dict[str, Any]:
        principal, token = self.writer.call(lambda s: keyring.create_key(s, role, name)).result()
        self.generations.bump(KEYS)
        return {
            "key_id": principal.key_id,
            "name": principal.name,
            "role": principal.role,
            "key": token,
        }

    def revoke_key(self, key_id: str) -> None:
        self.writer.call(lambda s: keyring.revoke_key(s, key_id)).result()
        self.generations.bump(KEYS)  # committed: every worker reloads its keys on its next request

    def set_key_role(self, key_id: str, role: str) -> None:
        self.writer.call(lambda s: keyring.set_role(s, key_id, role)).result()
        self.generations.bump(KEYS)

    def list_keys(self) -> list[dict[str, Any]]:
        return [jsonable(k) for k in keyring.list_keys(self.reader())]

    # -- health and data ----------------------------------------------------------------------
    def health(self) -> dict[str, Any]:
        """What a load balancer needs: ``ok``, or ``damaged`` when the store fails its check."""
        return {"status": "ok" if self._store_problem() is None else "damaged"}

    def health_details(self) -> dict[str, Any]:
        """Everything an operator wants (admin only: it names the store's path)."""
        problem = self._store_problem(force=True)
        return {
            "status": "ok" if problem is None else "damaged",
            "problem": problem,
            "store": str(self.store.path),
            "schema_version": self.reader().schema_version() if problem is None else None,
            "recommendations": self.recs_info(),
            "uptime_s": round(time.time() - self.started_at, 1),
            "write_queue": self.writer.queued,
            "writer": dict(self.writer.stats),
        }

    def _store_problem(self, force: bool = False) -> str | None:
        """None when the store passes ``check_connection`` (every block read once, checksums
        checked); the result is kept ``settings.health_check_s`` so a load balancer's polling costs
        no scan."""
        from halqa.catalog.integrity import check_connection

        now = time.monotonic()
        with self._health_lock:
            gone = self.store.path != ":memory:" and not os.path.exists(self.store.path)
            if (
                not force
                and not gone  # checked on every call: it costs no scan
                and self._health_at is not None
                and now - self._health_at < self.settings.health_check_s
            ):
                return self._health_problem
            try:
                if self.store.path != ":memory:" and not os.path.exists(self.store.path):
                    raise UserError(f"{self.store.path}: the store file is gone")
                check_connection(self.reader().con, str(self.store.path))
                problem = None
            except UserError as exc:
                problem = str(exc)
            except (duckdb.Error, OSError) as exc:  # anything else the store says fails it too
                problem = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
            if problem is not None:
                log.error("store check failed: %s", problem)
            self._health_at, self._health_problem = now, problem
            return problem

    def store_damage_seen(self) -> None:
        """A request or the writer met a damaged store: the next ``/health`` checks it now."""
        with self._health_lock:
            self._health_at = None

    def snapshot(self) -> str:
        """A consistent copy of the store for a CLI read command (see ``halqa.service.control``).

        Copied in one read transaction on its own cursor: posted events keep committing
        meanwhile."""
        directory = self.settings.control_dir or tempfile.gettempdir()
        name = f"halqa_snapshot_{uuid.uuid4().hex[:12]}"
        path = os.path.join(directory, name + ".duckdb")
        browse.snapshot(self.store, path)
        return path

    def data_overview(self, limit: int = 20) -> dict[str, Any]:
        return jsonable(browse.data_overview(self.reader(), limit))

    # -- catalogue ----------------------------------------------------------------------------
    def get_title(self, title_id: str) -> dict[str, Any]:
        return jsonable(browse.get_title(self.reader(), title_id))

    def list_titles(
        self, q: str | None, kind: str | None, limit: int, offset: int
    ) -> dict[str, Any]:
        total, items = browse.list_titles(self.reader(), q, kind, limit, offset)
        return {"total": total, "items": jsonable(items)}

    def upsert_titles(self, rows: list[dict[str, Any]]) -> int:
        n = self.writer.call(lambda s: browse.upsert_titles(s, rows)).result()
        if self.recs is not None:
            self.recs.titles_changed(rows)
        return n

    def get_member(self, member_id: str) -> dict[str, Any]:
        return jsonable(browse.get_member(self.reader(), member_id))

    def list_members(
        self, region: str | None, age_band: str | None, limit: int, offset: int
    ) -> dict[str, Any]:
        total, items = browse.list_members(self.reader(), region, age_band, limit, offset)
        return {"total": total, "items": jsonable(items)}

    def upsert_members(self, rows: list[dict[str, Any]], actor: Actor | None = None) -> int:
        """Merge member updates (only the fields sent change;
        consent rules in catalog/consent.py)."""
        actor = actor or Actor(None, "admin", "api")
        changes = self.writer.call(
            lambda s: apply_member_updates(s, rows, actor, self.settings.consent_grant_roles)
        ).result()
        if changes.consent_changed:
            self.generations.bump(CONSENT)  # committed: the next request on any path sees it
        if self.recs is not None:
            self.recs.members_changed(
                changes.rows
            )  # whole rows: a flag left out is not a withdrawal
        return len(rows)

    def consent_history(self, member_id: str) -> list[dict[str, Any]]:
        return jsonable(browse.consent_history(self.reader(), member_id))

    def withdrawn_marketing(self, member_ids: Iterable[object]) -> set[str]:
        """Which of ``member_ids`` (the targeter's, consented when it was fitted) no longer have
        marketing consent. Asked on every audience request; cached until a consent changes."""
        generation = self.generations.get(CONSENT)
        cached = getattr(self, "_withdrawn_cache", None)
        if cached is not None and cached[0] == generation and cached[1] is member_ids:
            return cached[2]
        withdrawn = browse.lacking_marketing_consent(self.store, member_ids)
        self._withdrawn_cache = (generation, member_ids, withdrawn)
        return withdrawn

    # -- events -------------------------------------------------------------------------------
    def post_events(self, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Store validated events; blocks until committed and folded in. One outcome per row."""
        return self.writer.post_events(rows).result()

    def member_events(self, member_id: str, limit: int, offset: int = 0) -> dict[str, Any]:
        """A page of the member's events, newest first (404 for an unknown member)."""
        total, items = browse.member_events(self.reader(), member_id, limit, offset)
        return {"total": total, "items": jsonable(items)}

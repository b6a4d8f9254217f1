"""The single writer: one thread owns every write to the store.

DuckDB lets one process write, and inside it concurrent writers would conflict
on the same rows. So every write goes through a queue drained by one thread:
posted events are coalesced into batches (group commit: one transaction for all
the events that arrived while the previous batch was committing), de-duplicated
on the events' natural key against the batch and the table, checked for unknown
members and titles, and committed together with their bookkeeping (one
``ingests`` row for this server run, ``quarantine`` rows for rejects). Each
caller waits on a future that resolves after the commit and after the
on-commit hooks (recommendation fold-in) ran, so a 2xx means "stored and
visible". Readers use their own cursors and never wait for the writer.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

from halqa.catalog import Store
from halqa.catalog.rules import unknown_reference
from halqa.ingest import live
from halqa.service.faults import is_store_damage, log_damage

log = logging.getLogger("halqa.service.writer")

_STOP = object()
_API_FIX = {"member_id": "PUT it to /v1/members first", "title_id": "PUT it to /v1/titles first"}
# Member and title ids confirmed to exist; a batch whose ids are all known skips the look-up.
# Bounded so a store with millions of members does not grow the server without limit.
KNOWN_IDS_MAX = 500_000


class _EventJob:
    __slots__ = ("future", "rows")

    def __init__(self, rows: list[dict[str, Any]]) -> None:
        self.rows = rows
        self.future: Future = Future()


class _CallJob:
    __slots__ = ("fn", "future", "transaction")

    def __init__(self, fn: Callable[[Store], Any], transaction: bool = True) -> None:
        self.fn = fn
        self.transaction = transaction
        self.future: Future = Future()


class EventWriter:
    """Queue + one thread; ``post_events`` and ``call`` return futures."""

    def __init__(
        self,
        store: Store,
        *,
        batch_max: int = 20_000,
        linger_s: float = 0.002,
        on_commit: list[Callable[[list[dict[str, Any]]], None]] | None = None,
        on_damage: Callable[[], None] | None = None,
    ) -> None:
        self.store = store  # a Store on the writer's own cursor
        self.batch_max = batch_max
        self.linger_s = linger_s
        self.on_commit = on_commit if on_commit is not None else []
        self.on_damage = on_damage  # told at once when a write meets a damaged store (/health)
        self._queue: queue.Queue = queue.Queue()
        self._thread = threading.Thread(target=self._loop, name="halqa-writer", daemon=True)
        self._ingest_id: int | None = None
        self._ingest_committed = False
        self.stats = {"batches": 0, "accepted": 0, "duplicates": 0, "rejected": 0}
        self._known: dict[str, set[str]] = {"member_id": set(), "title_id": set()}

    # -- public -------------------------------------------------------------------------------
    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        """Drain what is queued, mark this run's ingest row done, stop the thread."""
        if self._thread.is_alive():
            self._queue.put(_STOP)
            self._thread.join(timeout)

    def post_events(self, rows: list[dict[str, Any]]) -> Future:
        """Queue validated events; the future gives one outcome per row, in order."""
        job = _EventJob(rows)
        self._queue.put(job)
        return job.future

    def call(self, fn: Callable[[Store], Any], *, transaction: bool = True) -> Future:
        """Run ``fn(store)`` in the writer thread, inside a transaction unless ``fn`` opens its
        own."""
        job = _CallJob(fn, transaction)
        self._queue.put(job)
        return job.future

    @property
    def queued(self) -> int:
        return self._queue.qsize()

    # -- the thread ---------------------------------------------------------------------------
    def _loop(self) -> None:
        while True:
            job = self._queue.get()
            if job is _STOP:
                self._finish()
                return
            if isinstance(job, _CallJob):
                self._run_call(job)
                continue
            batch, pending = self._gather(job)
            self._run_events(batch)
            if pending is _STOP:
                self._finish()
                return
            if pending is not None:
                self._run_call(pending) if isinstance(pending, _CallJob) else self._run_events(
                    [pending]
                )

    def _gather(self, first: _EventJob) -> tuple[list[_EventJob], Any]:
        """Take every event job already queued (waiting ``linger_s`` for stragglers)."""
        batch, size = [first], len(first.rows)
        deadline = time.monotonic() + self.linger_s
        while size < self.batch_max:
            try:
                job = self._queue.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                break
            if not isinstance(job, _EventJob):
                return batch, job  # keep order: a call or stop runs after this batch
            batch.append(job)
            size += len(job.rows)
        return batch, None

    def _run_call(self, job: _CallJob) -> None:
        self._forget_known()  # a call may delete or rename members and titles
        try:
            if job.transaction:
                with self.store.transaction():
                    result = job.fn(self.store)
            else:
                result = job.fn(self.store)
        except Exception as exc:  # handed to the caller, who decides what it means
            log.debug("writer call failed; its caller gets the error", exc_info=True)
            job.future.set_exception(exc)
        else:
            job.future.set_result(result)

    def _run_events(self, jobs: list[_EventJob]) -> None:
        rows = [row for job in jobs for row in job.rows]
        try:
            with self.store.transaction():
                outcomes, accepted = self._commit(rows)
        except BaseException as exc:
            if is_store_damage(exc):  # one line, not a trace per batch (the request answers 503)
                log_damage(log, exc)
                if self.on_damage is not None:
                    self.on_damage()
            else:
                log.exception("event batch of %d rows failed", len(rows))
            if not self._ingest_committed:
                self._ingest_id = None  # its INSERT was rolled back with the batch
            for job in jobs:
                job.future.set_exception(exc)
            return
        self._ingest_committed = True
        self._notify(accepted)
        start = 0
        for job in jobs:
            job.future.set_result(outcomes[start : start + len(job.rows)])
            start += len(job.rows)

    def _notify(self, accepted: list[dict[str, Any]]) -> None:
        for hook in self.on_commit:
            try:
                hook(accepted)
            except Exception:  # a failed fold-in must not lose stored events
                log.exception("on-commit hook %r failed", hook)

    # -- one batch ----------------------------------------------------------------------------
    def _commit(
        self, rows: list[dict[str, Any]]
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        table = live.incoming_table(rows)
        with live.incoming(self.store, table):
            unknown = self._unknown(rows)
            existing = live.stored_keys(self.store, rows)
        bad = {seq: (no_member, no_title) for seq, no_member, no_title in unknown}
        self._remember_known([r for i, r in enumerate(rows) if i not in bad])
        outcomes, accepted, keep = [], [], []
        quarantined: list[live.Reject] = []
        for i, row in enumerate(rows):
            key = tuple(row[f] for f in live.EVENT_KEY)
            if i in bad:
                field = "member_id" if bad[i][0] else "title_id"
                reason = unknown_reference(field, row[field], _API_FIX[field])
                outcomes.append({"status": "rejected", "field": field, "reason": reason})
                quarantined.append((i, field, reason, row))
            elif key in existing:
                outcomes.append({"status": "duplicate"})
            else:
                existing.add(key)
                outcomes.append({"status": "accepted"})
                accepted.append(row)
                keep.append(i)
        ingest_id = self._ingest_row()
        if accepted:
            live.insert_events(self.store, table.take(keep), ingest_id)  # converted once
        if quarantined:
            live.quarantine_rejects(self.store, ingest_id, quarantined)
        n_dup = len(rows) - len(accepted) - len(quarantined)
        live.count_batch(
            self.store,
            ingest_id,
            accepted=len(accepted),
            rejected=len(quarantined),
            duplicates=n_dup,
        )
        for name, n in (
            ("accepted", len(accepted)),
            ("duplicates", n_dup),
            ("rejected", len(quarantined)),
        ):
            self.stats[name] += n
        self.stats["batches"] += 1
        return outcomes, accepted

    def _unknown(self, rows: list[dict[str, Any]]) -> list[tuple[int, bool, bool]]:
        """(position, member unknown, title unknown) of the rows naming a missing member or
        title."""
        known = self._known
        if all(
            r["member_id"] in known["member_id"] and r["title_id"] in known["title_id"]
            for r in rows
        ):
            return []
        return live.unknown_references(self.store)

    def _remember_known(self, rows: list[dict[str, Any]]) -> None:
        for field, ids in self._known.items():
            if len(ids) > KNOWN_IDS_MAX:
                ids.clear()
            ids.update(r[field] for r in rows)

    def _forget_known(self) -> None:
        for ids in self._known.values():
            ids.clear()

    def _ingest_row(self) -> int:
        """One ``ingests`` row per server run records what the API stored
        (the Data page shows it)."""
        if self._ingest_id is None:
            self._ingest_id = live.open_api_ingest(self.store)
        return self._ingest_id

    def _finish(self) -> None:
        if self._ingest_id is not None:
            try:
                live.close_api_ingest(self.store, self._ingest_id)
            except Exception:  # at shutdown: logged, the events themselves are committed
                log.exception("could not close the API ingest row")

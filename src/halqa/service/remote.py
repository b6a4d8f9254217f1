"""Several HTTP worker processes, one store process.

DuckDB lets one process open a file for writing, and then no other process
may open it at all. So with ``--workers N > 1`` the ``Backend`` lives in one
store process (the single writer, also serving reads on per-thread cursors)
and the N uvicorn workers reach it through a ``multiprocessing`` manager on a
Unix socket with a random secret. Workers do HTTP, validation, keys, rate
limits and JSON; the store process does the queries, the models and the writes.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
from multiprocessing.connection import Connection
from multiprocessing.managers import BaseManager, Server
from typing import Any

log = logging.getLogger("halqa.service.remote")

# Methods of Backend that worker processes may call (nothing that hands out a cursor).
REMOTE_METHODS = (
    "key_entries",
    "keys_generation",
    "create_key",
    "revoke_key",
    "set_key_role",
    "list_keys",
    "health",
    "health_details",
    "store_damage_seen",
    "snapshot",
    "data_overview",
    "consent_history",
    "get_title",
    "list_titles",
    "upsert_titles",
    "get_member",
    "list_members",
    "upsert_members",
    "post_events",
    "member_events",
    "recs_info",
    "recommend",
    "cached_recommendation",
    "similar",
    "member_picker",
    "trends",
    "segment_lift",
    "rising_talent",
    "timeline",
    "regions",
    "script_develop",
    "labels",
    "target",
    "export_campaign",
    "lookalike",
    "campaigns",
    "campaign_lift",
    "profile",
    "search",
    "seasons",
)


class _Manager(BaseManager):
    pass


def run_store_process(env: dict[str, str], address: str, authkey: bytes, ready: Connection) -> None:
    """Entry point of the store process: open the backend, say ready (or why not), serve calls."""
    os.environ.update(env)
    from halqa.service.backend import Backend
    from halqa.service.settings import Settings

    try:
        backend = Backend(Settings())
    except Exception as exc:  # told to the parent, which prints it as one line
        log.debug("the store process could not open the backend", exc_info=True)
        ready.send(("error", str(exc).splitlines()[0] if str(exc) else type(exc).__name__))
        return
    _Manager.register("backend", callable=lambda: backend, exposed=REMOTE_METHODS)
    server = _Manager(address=address, authkey=authkey).get_server()
    signal.signal(signal.SIGTERM, lambda *_: stop(server))
    signal.signal(signal.SIGINT, lambda *_: stop(server))
    ready.send(("ok", address))
    try:
        server.serve_forever()
    except SystemExit:
        pass
    finally:
        backend.close()  # drains the write queue before the process ends
        sys.exit(0)


def serve_in_thread(backend: Any, address: str, authkey: bytes) -> Server:
    """Serve ``backend`` on ``address`` from a daemon thread of this process (one-worker servers,
    so `halqa keys` and read commands can reach them); returns the server (``stop`` stops it)."""
    import threading

    _Manager.register("backend", callable=lambda: backend, exposed=REMOTE_METHODS)
    server = _Manager(address=address, authkey=authkey).get_server()
    # serve_forever ends with sys.exit(), which in a thread just ends the thread.
    threading.Thread(target=server.serve_forever, name="halqa-control", daemon=True).start()
    return server


def stop(server: Server) -> None:
    """End ``serve_forever``. Its stop event exists only once it runs (multiprocessing creates it
    there, and typeshed does not declare it): a server not yet serving has nothing to stop."""
    event = getattr(server, "stop_event", None)
    if event is not None:
        event.set()


def close(server: Server) -> None:
    """Stop ``server`` and remove its socket now (``Server.listener``, which typeshed omits)."""
    stop(server)
    listener = getattr(server, "listener", None)
    if listener is not None:
        listener.close()


def connect(address: str, authkey_hex: str) -> Any:
    """A proxy to the store process's backend; safe to use from many threads."""
    _Manager.register("backend")
    manager = _Manager(address=address, authkey=bytes.fromhex(authkey_hex))
    manager.connect()
    # BaseManager.register adds the method at run time; typeshed cannot declare it.
    return manager.backend()  # type: ignore[attr-defined]

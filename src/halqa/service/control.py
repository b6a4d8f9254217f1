"""How the CLI works beside a running `halqa serve`.

DuckDB lets one process open a store file for writing, and then no other process may open it,
not even read-only. So while `halqa serve` holds the store, the CLI goes through the server:

- ``halqa serve`` publishes ``<store>.serve.json`` (mode 0600: the owner of the store only) with
  the Unix socket of the process that owns the store and a random secret. The socket is the one
  the HTTP workers already use with ``--workers N``; with one worker the server opens it in a
  thread.
- ``halqa keys create|list|revoke`` call the server's backend there, so a key is written by the
  store's single writer and the change reaches every HTTP worker before the command returns.
- Read commands (``halqa stats``, trends, recommend…) get a consistent snapshot: the server
  copies the store in one read transaction (``COPY FROM DATABASE``, writes go on meanwhile) to a
  file in its private run directory; the command opens the copy read-only and deletes it after.
- Write commands (ingest…) are refused in one line naming the server, since a second writer is
  what DuckDB's lock exists to prevent.

A file left behind by a killed server is recognised as stale (nobody answers on its socket) and
ignored.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from halqa.catalog import Store
from halqa.catalog.serving import control_file, publish, withdraw

__all__ = [
    "SnapshotStore",
    "control_file",
    "describe",
    "open_snapshot",
    "publish",
    "running_server",
    "withdraw",
]


def running_server(db: str | os.PathLike[str]) -> tuple[Any, dict] | None:
    """(backend proxy, control record) of the server holding ``db``, or None when none answers."""
    path = control_file(db)
    try:
        record = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    from multiprocessing import AuthenticationError

    from halqa.service.remote import connect

    try:
        return connect(record["address"], record["authkey"]), record
    except (OSError, EOFError, KeyError, ValueError, AuthenticationError):
        return None  # a server that died without cleaning up


def describe(record: dict) -> str:
    where = f" at {record['url']}" if record.get("url") else ""
    return f"`halqa serve` (pid {record.get('pid')}){where}"


class SnapshotStore(Store):
    """A read-only store over a snapshot file, deleted when closed;
    ``path`` names the real store."""

    def __init__(self, opened: Store, db: str | os.PathLike[str], snapshot_path: str) -> None:
        super().__init__(opened.con, str(db))
        self.snapshot_path = snapshot_path

    def close(self) -> None:
        super().close()
        Path(self.snapshot_path).unlink(missing_ok=True)
        Path(self.snapshot_path + ".wal").unlink(missing_ok=True)


def open_snapshot(db: str | os.PathLike[str], backend: Any) -> SnapshotStore:
    """Ask the running server for a consistent copy of ``db`` and open it read-only."""
    copy = backend.snapshot()
    try:
        opened = Store.open(copy, read_only=True)  # checked as any store is
    except BaseException:
        Path(copy).unlink(missing_ok=True)
        raise
    return SnapshotStore(opened, db, copy)

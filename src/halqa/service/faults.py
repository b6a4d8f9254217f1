"""A store damaged while the service runs: 503 for the requests that hit it, one log line, no trace.

Damage is found only when a query reads a bad or missing block, so it appears mid-request, in any
route or in the writer thread. Each such request is answered 503 (the service cannot answer it,
a retry elsewhere or after a restore may); the log says what is wrong in one line, at most once a
minute per process, so a client retrying in a loop does not flood it with tracebacks.
"""

from __future__ import annotations

import logging
import threading
import time

from halqa.catalog.store import is_store_damage

__all__ = ["DAMAGED_DETAIL", "is_store_damage", "log_damage"]

DAMAGED_DETAIL = (
    "the store is damaged, so this request cannot be answered; the operator must restore it "
    "from a backup or an export (the server log names the problem)"
)
LOG_EVERY_S = 60.0

_lock = threading.Lock()
_last_logged: float | None = None
_unlogged = 0


def log_damage(log: logging.Logger, exc: BaseException, *, clock=time.monotonic) -> bool:
    """Log one line about ``exc`` unless one was logged in the last minute;
    returns whether it logged."""
    global _last_logged, _unlogged
    with _lock:
        now = clock()
        if _last_logged is not None and now - _last_logged < LOG_EVERY_S:
            _unlogged += 1
            return False
        repeats = f" ({_unlogged} more requests hit it since the last line)" if _unlogged else ""
        _last_logged, _unlogged = now, 0
    log.error("store damaged: %s%s", _first_line(exc), repeats)
    return True


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[-1 if "Traceback" in text else 0] if text else type(exc).__name__

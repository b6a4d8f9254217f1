"""Real time without stalling the writer: committed events are folded into the model by a thread.

After each commit the writer hands the new events over (``add``), which only records them and
marks their members dirty. The fold-in thread folds everything pending into the model in one
call (its cost does not grow with the number of commits), at most every ``FOLD_INTERVAL_S``
unless a list is waiting for a member's events (``wait_for``): each fold-in grows the model's
matrices, so folding every commit separately would spend the CPU the writer and the readers
need. A list asked for a dirty member waits until that member's events are in, so the member's
next list always reflects what they just did (read-your-writes).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from halqa.errors import UserError

log = logging.getLogger("halqa.service.recs")
FOLD_WAIT_S = 60.0
FOLD_INTERVAL_S = 0.25
Rows = list[dict[str, Any]]


class FoldIn:
    """Pending events and the thread that folds them in.

    ``state`` is the service's condition: ``add``, ``is_dirty``, ``wait_for`` and the counters are
    used with it held. ``fold(rows)`` runs without it (it takes the model's own lock);
    ``folded(members)`` runs with it held, once those members' events are in the model.
    """

    def __init__(
        self,
        state: threading.Condition,
        fold: Callable[[Rows], None],
        folded: Callable[[set[str]], None],
    ) -> None:
        self._state = state
        self._fold = fold
        self._folded_hook = folded
        self._pending: Rows = []
        self._dirty: dict[str, int] = {}  # member -> batch number that holds their newest event
        self._batches = self._folded = 0
        self.folded_events = self.fold_runs = 0
        self._closing = self._urgent = False
        self._thread = threading.Thread(target=self._loop, name="halqa-fold-in", daemon=True)

    @property
    def pending(self) -> int:
        return len(self._pending)

    def start(self) -> None:
        self._thread.start()

    def close(self) -> None:
        """Fold in what is pending, then stop the thread."""
        with self._state:
            self._closing = True
            self._state.notify_all()
        self._thread.join(30)

    def add(self, rows: Rows) -> None:
        """Record one commit's events (consented members only); the thread folds them in."""
        self._batches += 1
        for member in {r["member_id"] for r in rows}:
            self._dirty[member] = self._batches
        self._pending.extend(rows)
        self._state.notify_all()

    def is_dirty(self, member_id: str) -> bool:
        return member_id in self._dirty

    def wait_for(self, member_id: str) -> None:
        """Block until the member's committed events are in the model (``state`` held: its wait
        releases it meanwhile)."""
        deadline = time.monotonic() + FOLD_WAIT_S
        while member_id in self._dirty and self._folded < self._dirty[member_id]:
            self._urgent = True  # someone is waiting: fold now, not at the next interval
            self._state.notify_all()
            if not self._state.wait(timeout=max(0.0, deadline - time.monotonic())):
                raise UserError(
                    f"member '{member_id}': new events are still being folded in; retry shortly"
                )

    def _loop(self) -> None:
        last = 0.0
        while True:
            with self._state:
                if not self._wait_for_work(last):
                    return
                self._urgent = False
                rows, self._pending = self._pending, []
                upto = self._batches
            last = time.monotonic()
            try:
                self._fold(rows)
            except Exception:  # stored events stay stored; the model catches up at the next start
                log.exception("fold-in of %d events failed", len(rows))
            with self._state:
                self._folded = upto
                self.folded_events += len(rows)
                self.fold_runs += 1
                self._dirty = {m: b for m, b in self._dirty.items() if b > upto}
                self._folded_hook({r["member_id"] for r in rows})
                self._state.notify_all()

    def _wait_for_work(self, last: float) -> bool:
        """Wait (``state`` held) until pending events are due; False when closing with none left."""
        while True:
            if self._closing and not self._pending:
                return False
            pause = last + FOLD_INTERVAL_S - time.monotonic()
            if self._pending and (pause <= 0 or self._urgent or self._closing):
                return True
            self._state.wait(timeout=pause if self._pending else None)

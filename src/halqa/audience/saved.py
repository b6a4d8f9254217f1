"""The targeting models fitted once per store state, saved beside the store like the recommender.

Fitting halqa's blend means refitting every component on held-out folds (tens of seconds to
minutes on a real store); scoring one title with fitted components takes well under a second.
So ``halqa audience target`` fits once and saves the fitted :class:`Targeter` — with the
member × title pairs, member columns and title features it was fitted on — to
``<db>.models/targeting.pkl``, under a key of the store state it read.

The key is computed inside DuckDB (counts and summed row hashes of the events, members, titles
and creators tables: one scan, no rows brought into Python), so an unchanged store is recognised
without reading and aggregating its events again; when events, members, titles or creators change
the next call fits again and replaces the file.

Consent is read at every call (one indexed query): members who withdrew marketing consent since
the fit are never returned, at once; their past events leave the models at the next refit. A
member who *gave* marketing consent since the fit is not in the saved models, so that call refits.
"""

from __future__ import annotations

import os
import pickle
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from halqa import __version__
from halqa.audience.store_data import MEMBER_COLUMNS, PURPOSE, TITLE_COLUMNS, load_targeting_data
from halqa.audience.targeting import Targeter

if TYPE_CHECKING:  # DuckDB is imported by whoever opens the store
    from halqa.catalog import Store

FORMAT = 4  # bump when a saved targeter from an older halqa can no longer be used

# What the fit reads, hashed row by row in SQL. The events' consent filter is left out on purpose:
# consent is checked at every call (``consented_members``), not keyed.
_STATE_PARTS = {
    "events": "member_id, title_id, event_type, ts, value",
    "members": ", ".join(MEMBER_COLUMNS),
    "titles": TITLE_COLUMNS,
    "creators": "creator_id, name",
}


def targeter_path(db_path: str | Path) -> Path:
    return Path(f"{db_path}.models") / "targeting.pkl"


def store_state(store: Store, seed: int = 0) -> str:
    """A key of everything the fit depends on but consent: each table's row count and the sum of
    its rows' hashes (order-free, so it does not depend on how DuckDB stores the rows)."""
    parts = ", ".join(
        f"(SELECT count(*) FROM {table}), "
        f"(SELECT coalesce(sum(hash({columns})::HUGEINT), 0) FROM {table})"
        for table, columns in _STATE_PARTS.items()
    )
    values = store.rows(f"SELECT {parts}")[0]
    return f"{FORMAT}|{__version__}|{seed}|" + "|".join(str(v) for v in values)


def consented_members(store: Store) -> np.ndarray:
    """Ids of the members with marketing consent now, sorted."""
    found = store.columns(f"SELECT member_id FROM members_{PURPOSE} ORDER BY member_id")
    return np.asarray(found["member_id"]).astype(str)


def is_current(store: Store, targeter: Targeter, *, seed: int = 0) -> bool:
    """Whether a targeter from ``fitted_targeter`` still is what a fit would give: the store has
    not changed since (its ``store_state``) and nobody gave marketing consent since (withdrawals
    need no refit)."""
    return store_state(store, seed) == targeter.store_state and not _granted_since(
        consented_members(store), targeter
    )


def _granted_since(consented: np.ndarray, targeter: Targeter) -> bool:
    fitted_ids = targeter.data.member_ids.astype(str)
    return not np.isin(consented, fitted_ids, assume_unique=True).all()


def fitted_targeter(
    store: Store, *, seed: int = 0, path: str | Path | None = None
) -> tuple[Targeter, dict[str, Any]]:
    """The store's targeter, fitted (and saved) only when the store changed since the last fit.

    Returns the targeter and what happened: ``{"fitted": bool, "model_file": ...,
    "withdrawn_since_fit": n}``; members without marketing consent now are never targeted. The
    targeter's ``store_state`` is the key it was fitted under (``is_current`` compares it).
    """
    target = Path(path) if path is not None else targeter_path(store.path)
    key = store_state(store, seed)
    consented = consented_members(store)
    saved = _read(target, key)
    if saved is not None:
        fitted_ids = saved.data.member_ids.astype(str)
        if not _granted_since(consented, saved):
            withdrawn = fitted_ids[~np.isin(fitted_ids, consented, assume_unique=True)]
            saved.withhold(withdrawn)
            saved.store_state = key
            return saved, {
                "fitted": False,
                "model_file": str(target),
                "withdrawn_since_fit": len(withdrawn),
            }
    targeter = Targeter(store, data=load_targeting_data(store), seed=seed)
    targeter.fit()
    targeter.store_state = key
    info: dict[str, Any] = {"fitted": True, "model_file": str(target), "withdrawn_since_fit": 0}
    try:
        _write(target, key, targeter)
    except OSError as exc:  # e.g. a read-only folder: this call still targets, the next refits
        info["model_file"], info["not_saved"] = None, f"{target}: {exc.strerror or exc}"
    return targeter, info


def _read(path: Path, key: str) -> Targeter | None:
    if not path.exists():
        return None
    try:
        with open(path, "rb") as fh:
            header = pickle.load(fh)
            if not isinstance(header, dict) or header.get("state") != key:
                return None
            targeter = pickle.load(fh)
    except Exception:  # noqa: BLE001 - an unreadable or foreign file is refitted and replaced
        return None
    return targeter if isinstance(targeter, Targeter) and hasattr(targeter, "data") else None


def _write(path: Path, key: str, targeter: Targeter) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    # A file of its own (two service workers may fit at once), renamed into place when whole.
    fd, partial = tempfile.mkstemp(prefix=path.name + ".", suffix=".partial", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            pickle.dump(
                {"state": key, "format": FORMAT, "halqa": __version__},
                fh,
                protocol=pickle.HIGHEST_PROTOCOL,
            )
            pickle.dump(targeter.saveable(), fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(partial, path)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise

"""The targeting models fitted once per store state, saved beside the store like the recommender.

Fitting halqa's blend means refitting every component on held-out folds (tens of seconds to
minutes on a real store); scoring one title with fitted components takes well under a second.
So ``halqa audience target`` fits once and saves the fitted :class:`Targeter` to
``<db>.models/targeting.pkl`` with a fingerprint of what it was fitted on (the marketing-consented
members, their events, every title's metadata). The next call reads the same inputs, and when
their fingerprint matches it loads the saved models instead of fitting; when the store changed
(events, members, consent, titles) it fits again and replaces the file.
"""

from __future__ import annotations

import hashlib
import pickle
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from halqa import __version__
from halqa.audience.data import TargetingData
from halqa.audience.store_data import load_targeting_data
from halqa.audience.targeting import Targeter

if TYPE_CHECKING:  # DuckDB is imported by whoever opens the store
    from halqa.catalog import Store

FORMAT = 3  # bump when a saved targeter from an older halqa can no longer be used


def targeter_path(db_path: str | Path) -> Path:
    return Path(f"{db_path}.models") / "targeting.pkl"


def fingerprint(data: TargetingData, seed: int) -> str:
    """sha256 of everything the fit depends on (ids, events, metadata, member columns, seed)."""
    h = hashlib.sha256(f"{FORMAT}|{__version__}|{seed}".encode())
    for ids in (data.member_ids, data.title_ids):
        h.update("\x1f".join(map(str, ids)).encode())
    for matrix in (data.interactions, data.last_seen):
        for part in (matrix.indptr, matrix.indices, matrix.data):
            h.update(np.ascontiguousarray(part).tobytes())
    h.update(repr((data.titles.tokens, data.titles.texts, data.titles.names)).encode())
    h.update(np.nan_to_num(np.asarray(data.titles.release, dtype=np.float64), nan=-1.0).tobytes())
    for name in sorted(data.members):
        h.update(name.encode())
        h.update(repr(list(data.members[name])).encode())
    return h.hexdigest()


def fitted_targeter(
    store: Store, *, seed: int = 0, path: str | Path | None = None
) -> tuple[Targeter, dict[str, Any]]:
    """The store's targeter, fitted (and saved) only when the store changed since the last fit.

    Returns the targeter and what happened: ``{"fitted": bool, "model_file": ...}``.
    """
    target = Path(path) if path is not None else targeter_path(store.path)
    data = load_targeting_data(store)
    key = fingerprint(data, seed)
    saved = _read(target, key)
    if saved is not None:
        saved.data = data  # equal by fingerprint; the fresh copy keeps no stale references
        return saved, {"fitted": False, "model_file": str(target)}
    targeter = Targeter(store, data=data, seed=seed)
    targeter.fit()
    _write(target, key, targeter)
    return targeter, {"fitted": True, "model_file": str(target)}


def _read(path: Path, key: str) -> Targeter | None:
    if not path.exists():
        return None
    try:
        with open(path, "rb") as fh:
            header = pickle.load(fh)
            if not isinstance(header, dict) or header.get("fingerprint") != key:
                return None
            targeter = pickle.load(fh)
    except Exception:  # noqa: BLE001 - an unreadable or foreign file is refitted and replaced
        return None
    return targeter if isinstance(targeter, Targeter) else None


def _write(path: Path, key: str, targeter: Targeter) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")  # never leave half a file behind
    with open(partial, "wb") as fh:
        pickle.dump(
            {"fingerprint": key, "format": FORMAT, "halqa": __version__},
            fh,
            protocol=pickle.HIGHEST_PROTOCOL,
        )
        pickle.dump(targeter.saveable(), fh, protocol=pickle.HIGHEST_PROTOCOL)
    partial.replace(path)

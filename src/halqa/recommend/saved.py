"""The model `halqa train` saves beside a store, and bringing it up to date with that store.

``halqa recommend`` and ``halqa serve`` both serve this file and both catch it up the same way
(:func:`catch_up`), which is why the API's lists equal the CLI's for the same member.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from halqa.errors import NotFoundError, UserError

if TYPE_CHECKING:
    from halqa.catalog import Store
    from halqa.recommend.base import Recommender


def default_model_path(db_path: str | Path) -> Path:
    """``<db>.models/recommender.pkl``: where `halqa train` saves and `recommend`/`serve` look."""
    return Path(f"{db_path}.models") / "recommender.pkl"


def load_saved(path: str | Path) -> Recommender:
    """The saved model at ``path``, or a UserError that says how to make one."""
    from halqa.recommend.base import Recommender

    if not Path(path).exists():
        raise UserError(f"{path}: no trained model here; run `halqa train` first")
    return Recommender.load(path)


def catch_up(model: Recommender, store: Store, members: Sequence[str] | None = None) -> int:
    """Fold in what the store learnt since the model was trained: personalisation-consented
    members it does not know (their demographics) and their events after the model's newest.

    ``members``: only these (None: everyone). Returns how many events were folded in.
    """
    ds = model.dataset
    since = int(ds.events["ts"].max()) if len(ds.events) else 0
    where, params = "", list[str]()
    if members is not None:
        if not members:
            return 0
        where = f" AND member_id IN ({', '.join('?' for _ in members)})"
        params = list(members)
    consented = store.df(f"SELECT * FROM members_personalisation WHERE true{where}", params or None)
    new_members = consented[~consented["member_id"].isin(ds.members.external)]
    if len(new_members):
        model.add_members(new_members)
    fresh = store.df(
        f"SELECT member_id, title_id, event_type, ts, value FROM events_personalisation "
        f"WHERE epoch(ts) > ?{where}",
        [since, *params],
    )
    if len(fresh):
        model.add_events(fresh)
    return len(fresh)


def catch_up_members(model: Recommender, store: Store, members: Sequence[str]) -> int:
    """Check that each member may get lists, then :func:`catch_up` on them.

    A member neither the model nor the store knows is a NotFoundError; one the store knows who has
    not consented to personalisation is a UserError (a member the model learnt who has since left
    the store keeps the lists the model has). Returns how many events were folded in.
    """
    members = list(members)
    if not members:
        return 0
    placeholders = ", ".join("?" for _ in members)
    known = _member_ids(store, f"members WHERE member_id IN ({placeholders})", members)
    consented = _member_ids(
        store, f"members_personalisation WHERE member_id IN ({placeholders})", members
    )
    learnt = model.dataset.members
    for member in members:
        if member not in known and member not in learnt:
            raise NotFoundError(f"unknown member '{member}'")
        if member in known and member not in consented:
            raise UserError(f"member '{member}' has not consented to personalised recommendations")
    return catch_up(model, store, members)


def _member_ids(store: Store, source: str, params: list[str]) -> set[str]:
    return {str(row[0]) for row in store.rows(f"SELECT member_id FROM {source}", params)}


def record_run(model_path: str | Path, kind: str, summary: dict[str, Any]) -> Path:
    """Keep the summary of the last ``training`` or ``evaluation`` beside the model file, so the
    service can say what it serves, when it was trained and how good it was (``model_status``)."""
    import datetime as dt
    import json

    path = Path(f"{model_path}.{kind}.json")
    path.parent.mkdir(parents=True, exist_ok=True)
    stamped = {"recorded_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), **summary}
    path.write_text(
        json.dumps(stamped, ensure_ascii=False, indent=1, default=str), encoding="utf-8"
    )
    return path


def model_status(model_path: str | Path) -> dict[str, Any]:
    """When the model file was written, and the last training and evaluation recorded beside it."""
    import datetime as dt
    import json

    model = Path(model_path)
    out: dict[str, Any] = {"trained_at": None, "training": None, "evaluation": None}
    if model.exists():
        out["trained_at"] = dt.datetime.fromtimestamp(model.stat().st_mtime, dt.UTC).isoformat(
            timespec="seconds"
        )
    for kind in ("training", "evaluation"):
        path = Path(f"{model}.{kind}.json")
        if path.exists():
            try:
                out[kind] = json.loads(path.read_text(encoding="utf-8"))
            except (
                OSError,
                ValueError,
            ):  # a half-written or foreign file: say nothing rather than fail
                out[kind] = None
    return out

"""Turn plays into logged events, and a chunk of days into exactly its share of events."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from halqa.demo import tastes
from halqa.demo.catalogue import GENRES
from halqa.demo.events import (
    EVENT_TYPES,
    MUSIC_DEVICES,
    SCHEMA,
    SCREEN_DEVICES,
    SOURCES,
    EventModel,
    _pick,
)

OVERSUPPLY = 1.25  # draw this many more plays than needed, then keep a random subset


def _episode_titles(
    model: EventModel, unit: np.ndarray, day: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Title index (into model.title_ids) for each play:
    a series becomes one of its released episodes."""
    title = unit.copy()
    for series_unit in np.unique(unit[model.units.kind[unit] == "series"]):
        sid = model.units.ids[series_unit]
        _, release, _ = model.episodes[sid]
        rows = np.flatnonzero(unit == series_unit)
        released = np.maximum(np.searchsorted(np.sort(release), day[rows], side="right"), 1)
        order = np.argsort(release, kind="stable")
        if model.units.ramadan_year[series_unit]:
            # a nightly Ramadan series: most plays are tonight's episode
            latest = rng.random(len(rows)) < 0.6
            pos = np.where(
                latest, released - 1, np.floor(rng.random(len(rows)) * released).astype(int)
            )
        else:
            pos = np.floor(released * rng.random(len(rows)) ** 1.5).astype(
                int
            )  # early episodes more often
        title[rows] = model.episode_base[sid] + order[np.minimum(pos, released - 1)]
    return title


def _durations(model: EventModel, unit: np.ndarray, title: np.ndarray) -> np.ndarray:
    seconds = model.units.duration[unit].copy()
    is_episode = title >= len(model.units.ids)
    seconds[is_episode] = model.episode_seconds[title[is_episode] - len(model.units.ids)]
    return np.maximum(seconds, 60.0)


def plays_to_events(
    model: EventModel, plays: dict[str, np.ndarray], chunk_start: int, chunk_end: int
) -> dict[str, np.ndarray]:
    """Expand plays into event rows (arrays), each tagged with the play it came from."""
    rng, u = model.rng, model.units
    member, day, unit, music = plays["member"], plays["day"], plays["unit"], plays["music"]
    n = len(member)
    title = _episode_titles(model, unit, day, rng)
    ts = model.hours(music, day)
    # personal affinity drives how much of it is played and whether it is liked
    z = np.einsum("ij,ij->i", model.member_latent[member], u.latent[unit].astype(np.float32))
    z = z / (np.std(z) + 1e-9)
    genre = u.genre[unit]
    completion_a = np.array(
        [tastes.COMPLETION_A.get(g, tastes.COMPLETION_A_DEFAULT) for g in GENRES]
    )[genre]
    ratio = np.where(
        music, rng.beta(3.0 * np.exp(0.3 * z), 1.0), rng.beta(completion_a * np.exp(0.3 * z), 1.2)
    )
    seconds = np.round(_durations(model, unit, title) * ratio)
    kind = u.kind[unit]
    primary = np.where(
        music | (kind == "podcast"),
        EVENT_TYPES.index("listen"),
        np.where(
            (kind == "documentary") | (kind == "short"),
            EVENT_TYPES.index("view"),
            EVENT_TYPES.index("play"),
        ),
    )
    device = np.where(music, _pick(rng, MUSIC_DEVICES, n) + 100, _pick(rng, SCREEN_DEVICES, n))
    source = _pick(rng, SOURCES, n)

    # (rows, event type: one for all or one per row, timestamps, values)
    parts: list[tuple[np.ndarray, np.ndarray | int, np.ndarray, np.ndarray]] = [
        (np.arange(n), primary, ts, seconds)
    ]
    complete = ratio >= np.where(music, 0.95, 0.9)
    parts.append(
        (np.flatnonzero(complete), EVENT_TYPES.index("complete"), ts + seconds, np.round(ratio, 3))
    )
    skip = music & ((seconds < 30) | (ratio < 0.15))
    parts.append((np.flatnonzero(skip), EVENT_TYPES.index("skip"), ts + seconds, seconds))
    after = ts + seconds + rng.integers(1, 90, size=n)
    like = rng.random(n) < 1 / (1 + np.exp(-(-2.8 + 0.8 * z + 1.0 * (ratio > 0.8))))
    parts.append((np.flatnonzero(like), EVENT_TYPES.index("like"), after, np.ones(n)))
    share = rng.random(n) < np.where(model.members.age_idx[member] <= 1, 0.03, 0.015)
    parts.append((np.flatnonzero(share), EVENT_TYPES.index("share"), after + 5, np.ones(n)))
    listed = rng.random(n) < np.where(music, 0.04, 0.03)
    parts.append((np.flatnonzero(listed), EVENT_TYPES.index("add_to_list"), after + 10, np.ones(n)))
    rated = ~music & (rng.random(n) < 0.08)
    stars = np.clip(np.round(2.8 + 0.9 * z + 1.2 * ratio + rng.normal(0, 0.7, n)), 1, 5)
    parts.append((np.flatnonzero(rated), EVENT_TYPES.index("rate"), after + 20, stars))

    play = np.concatenate([p[0] for p in parts])
    etype = np.concatenate(
        [np.full(len(p[0]), p[1]) if isinstance(p[1], int) else p[1][p[0]] for p in parts]
    )
    when = np.concatenate([p[2][p[0]] for p in parts])
    value = np.concatenate([p[3][p[0]] for p in parts]).astype(float)
    when = np.clip(
        when, chunk_start, chunk_end - 1
    )  # chunks never overlap in time: keys never repeat across them
    return {
        "play": play,
        "member": member[play],
        "title": title[play],
        "type": etype,
        "ts": when,
        "value": value,
        "device": device[play],
        "source": source[play],
    }


def dedupe(rows: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Drop rows repeating the natural key (member, title, type, ts):
    ingest would count them as duplicates."""
    order = np.lexsort((rows["type"], rows["title"], rows["member"], rows["ts"]))
    keys = [rows[k][order] for k in ("ts", "member", "title", "type")]
    same = np.ones(len(order) - 1, dtype=bool) if len(order) > 1 else np.zeros(0, dtype=bool)
    for k in keys:
        same &= k[1:] == k[:-1]
    keep = np.concatenate([[True], ~same]) if len(order) else np.zeros(0, dtype=bool)
    return {k: v[order][keep] for k, v in rows.items()}


def take_exactly(
    rng: np.random.Generator, rows: dict[str, np.ndarray], target: int
) -> dict[str, np.ndarray] | None:
    """Keep whole plays in random order until ``target`` events (None when there are too few)."""
    if len(rows["play"]) < target:
        return None
    plays, counts = np.unique(rows["play"], return_counts=True)
    order = rng.permutation(len(plays))
    cum = np.cumsum(counts[order])
    cut = int(np.searchsorted(cum, target))  # plays order[:cut] fit, order[cut] is partly kept
    keep_play = np.zeros(plays.max() + 1 if len(plays) else 0, dtype=bool)
    keep_play[plays[order[:cut]]] = True
    mask = keep_play[rows["play"]]
    missing = target - int(mask.sum())
    if missing:
        # the partial play: keep its first events (its primary event sorts first by time)
        partial = np.flatnonzero(rows["play"] == plays[order[cut]])
        mask[partial[:missing]] = True
    return {k: v[mask] for k, v in rows.items()}


def to_table(model: EventModel, rows: dict[str, np.ndarray], start_s: int) -> pa.Table:
    order = np.lexsort((rows["type"], rows["title"], rows["member"], rows["ts"]))
    r = {k: v[order] for k, v in rows.items()}
    devices = [d for d, _ in SCREEN_DEVICES]
    device_names = np.array(
        devices + [""] * (100 - len(devices)) + [d for d, _ in MUSIC_DEVICES], dtype=object
    )
    ts = (np.int64(start_s) + r["ts"].astype(np.int64)) * 1_000_000
    return pa.table(
        {
            "member_id": pc.take(model.member_ids, pa.array(r["member"], pa.int64())),
            "title_id": pc.take(model.title_ids, pa.array(r["title"], pa.int64())),
            "event_type": pa.array(np.array(EVENT_TYPES, dtype=object)[r["type"]], pa.string()),
            "ts": pa.array(ts, pa.timestamp("us")),
            "value": pa.array(r["value"], pa.float64()),
            "device": pa.array(device_names[r["device"]], pa.string()),
            "source": pa.array(
                np.array([s for s, _ in SOURCES], dtype=object)[r["source"]], pa.string()
            ),
        },
        schema=SCHEMA,
    )


def chunk_table(
    model: EventModel, days: list[int], targets: np.ndarray, start_s: int, events_per_play: float
) -> tuple[pa.Table, float]:
    """Exactly ``targets[days].sum()`` events for these days, and the observed events per play."""
    target = int(targets[days].sum())
    chunk_start, chunk_end = days[0] * 86_400, (days[-1] + 1) * 86_400
    factor = OVERSUPPLY
    while True:
        counts = {d: int(np.ceil(targets[d] / events_per_play * factor)) + 1 for d in days}
        rows = dedupe(plays_to_events(model, model.plays(counts), chunk_start, chunk_end))
        observed = len(rows["play"]) / max(sum(counts.values()), 1)
        kept = take_exactly(model.rng, rows, target)
        if kept is not None:
            return to_table(model, kept, start_s), observed
        factor *= 1.5

"""``generate_world``: write the seeded Moroccan demo world to a directory.

Creators, titles and members are small and go to CSV with canonical columns
(lists ``|``-separated, translations in ``name_<tag>`` / ``synopsis_<tag>``).
Events stream to ``events/part-NNNNN.parquet`` one chunk of days at a time, so
memory stays bounded at any ``events`` count. ``planted.json`` records every
planted dynamic for tests and for checking (never for producing) results.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
from pydantic import Field

from halqa.catalog import taxonomy
from halqa.config import Config
from halqa.demo import tastes
from halqa.demo.calendar import Timeline
from halqa.demo.catalogue import Catalogue
from halqa.demo.catalogue_build import EMERGING_MONTHLY_GROWTH, build_catalogue
from halqa.demo.events import (
    FESTIVAL,
    RAMADAN_GENRE_BOOST,
    RISING,
    EventModel,
    chunk_days,
    day_event_targets,
)
from halqa.demo.expand import chunk_table
from halqa.demo.people import Members, make_members
from halqa.demo.releases import new_releases

Progress = Callable[[str, int, int], None]
CHUNK_EVENTS = 250_000
TITLE_COLUMNS = (
    "title_id",
    "kind",
    "parent_id",
    "name",
    "original_language",
    "genres",
    "themes",
    "release_date",
    "duration_s",
    "age_rating",
    "country",
    "region",
    "creator_ids",
    "available_regions",
    "added_at",
)


@dataclass
class World:
    """What ``generate_world`` wrote: the directory, its files and the planted manifest."""

    out_dir: Path
    titles: Path
    creators: Path
    members: Path
    events: list[Path]
    planted: dict[str, Any]
    new_releases: dict[str, Path] = field(default_factory=dict)

    @property
    def planted_path(self) -> Path:
        return self.out_dir / "planted.json"

    def files(self) -> dict[str, list[Path]]:
        """Files per ingest target, in the order they must be loaded."""
        return {
            "creators": [self.creators],
            "titles": [self.titles],
            "members": [self.members],
            "events": list(self.events),
        }


class WorldSize(Config):
    """How big a world to generate; below these floors the planted signals drown in noise."""

    seed: int = Field(ge=0)
    members: int = Field(ge=50)
    titles: int = Field(ge=100)
    events: int = Field(ge=1_000)
    days: int = Field(ge=120)


def generate_world(
    out_dir: str | Path,
    *,
    seed: int = 7,
    members: int = 20_000,
    titles: int = 3_000,
    events: int = 2_000_000,
    start: date = date(2024, 11, 1),
    days: int = 730,
    progress: Progress | None = None,
    chunk_events: int = CHUNK_EVENTS,
) -> World:
    """Generate the world into ``out_dir`` (created; previous demo files are replaced)."""
    WorldSize.build(
        "halqa demo", seed=seed, members=members, titles=titles, events=events, days=days
    )
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    report = progress or (lambda stage, done, total: None)
    rng = np.random.default_rng(seed)
    timeline = Timeline(start, days)
    report("audience and catalogue", 0, 3)
    people = make_members(rng, members, start, days)
    catalogue = build_catalogue(rng, timeline, titles)
    report("audience and catalogue", 1, 3)
    paths = {name: out / f"{name}.csv" for name in ("creators", "titles", "members")}
    _creators_frame(catalogue).to_csv(paths["creators"], index=False, lineterminator="\n")
    _titles_frame(catalogue).to_csv(paths["titles"], index=False, lineterminator="\n")
    _members_frame(people).to_csv(paths["members"], index=False, lineterminator="\n")
    report("audience and catalogue", 3, 3)
    parts = _write_events(
        rng, people, catalogue, timeline, events, out / "events", chunk_events, report
    )
    releases = new_releases(catalogue, timeline, out)
    planted = _manifest(seed, members, titles, events, timeline, people, catalogue, releases)
    world = World(
        out, paths["titles"], paths["creators"], paths["members"], parts, planted, releases
    )
    world.planted_path.write_text(
        json.dumps(planted, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    return world


def _write_events(
    rng: np.random.Generator,
    people: Members,
    catalogue: Catalogue,
    timeline: Timeline,
    total: int,
    directory: Path,
    chunk_events: int,
    report: Progress,
) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    for old in directory.glob("part-*.parquet"):
        old.unlink()
    model = EventModel(rng, people, catalogue, timeline)
    targets = day_event_targets(rng, timeline, total)
    start_s = int(
        datetime(
            timeline.start.year, timeline.start.month, timeline.start.day, tzinfo=UTC
        ).timestamp()
    )
    parts, done, per_play = [], 0, 1.6
    for number, days in enumerate(chunk_days(targets, chunk_events)):
        table, per_play = chunk_table(model, days, targets, start_s, per_play)
        path = directory / f"part-{number:05d}.parquet"
        pq.write_table(table, path, compression="zstd")
        parts.append(path)
        done += table.num_rows
        report("events", done, total)
    return parts


# -- frames ------------------------------------------------------------------------------------
def _spread(frame: pd.DataFrame, column: str, prefix: str) -> pd.DataFrame:
    """A dict column becomes one ``<prefix>_<tag>`` column per language tag."""
    tags = sorted({tag for d in frame[column] for tag in (d or {})})
    for tag in tags:
        frame[f"{prefix}_{tag}"] = [(d or {}).get(tag) for d in frame[column]]
    return frame.drop(columns=[column])


def _join(values: list[str] | None) -> str | None:
    return "|".join(values) if values else None


def _titles_frame(cat: Catalogue) -> pd.DataFrame:
    frame = pd.DataFrame(cat.titles)
    for col in ("genres", "themes", "creator_ids", "available_regions"):
        frame[col] = frame[col].map(_join)
    frame["duration_s"] = frame["duration_s"].map(lambda s: int(s) if s else None).astype("Int64")
    frame["release_date"] = frame["release_date"].map(date.isoformat)
    frame["added_at"] = frame["added_at"].map(lambda t: t.strftime("%Y-%m-%d %H:%M:%S"))
    frame = frame[list(TITLE_COLUMNS) + ["names", "synopses"]]
    return _spread(_spread(frame, "names", "name"), "synopses", "synopsis")


def _creators_frame(cat: Catalogue) -> pd.DataFrame:
    frame = pd.DataFrame(cat.creators)
    first_release: dict[str, int] = {}
    for t in cat.titles:
        for c in t["creator_ids"]:
            first_release[c] = min(first_release.get(c, 9999), t["release_date"].year)
    # a creator's debut is never after their first title (emerging artists debut with theirs)
    frame["debut_year"] = [
        min(int(y), first_release.get(c, int(y)))
        for c, y in zip(frame["creator_id"], frame["debut_year"])
    ]
    frame = frame[["creator_id", "name", "role", "country", "region", "debut_year", "names"]]
    return _spread(frame, "names", "name")


def _members_frame(people: Members) -> pd.DataFrame:
    frame = people.frame.copy()
    for col in ("consent_at", "joined_at"):
        frame[col] = frame[col].dt.strftime("%Y-%m-%d %H:%M:%S")
    for col in ("consent_analytics", "consent_personalisation", "consent_marketing"):
        frame[col] = frame[col].map({True: "true", False: "false"})
    return frame


# -- manifest ----------------------------------------------------------------------------------
def _manifest(
    seed: int,
    members: int,
    titles: int,
    events: int,
    tl: Timeline,
    people: Members,
    cat: Catalogue,
    releases: dict[str, Path],
) -> dict[str, Any]:
    rising_start = tl.rise_start
    return {
        "generator": "halqa.demo.generate_world",
        "seed": seed,
        "scale": {
            "members": members,
            "titles_requested": titles,
            "titles": len(cat.titles),
            "creators": len(cat.creators),
            "events": events,
            "start": tl.start.isoformat(),
            "end": tl.end.isoformat(),
            "days": tl.days,
        },
        "rising": {
            **RISING,
            "segment": {"age_band": RISING["age_band"], "region": RISING["region"]},
            "start": rising_start.isoformat(),
            "end": tl.end.isoformat(),
            "shape": (
                "genre odds multiplied by 1 + (multiplier_at_end - 1) * t, "
                "t from 0 at start to 1 at end"
            ),
            "segment_members": int(
                (
                    (people.age_idx == taxonomy.AGE_BANDS.index(RISING["age_band"]))
                    & (people.region_idx == taxonomy.REGION_IDS.index(RISING["region"]))
                ).sum()
            ),
        },
        "ramadan": {
            "calendar": "Umm al-Qura (hijridate)",
            "periods": [r.to_dict() for r in tl.ramadans],
            "series": {str(y): ids for y, ids in sorted(cat.ramadan_series.items())},
            "series_ids": [i for ids in cat.ramadan_series.values() for i in ids],
            "genre_boost_in_ramadan": RAMADAN_GENRE_BOOST,
            "local_time": "Morocco is UTC+1 except UTC+0 during Ramadan; ts are UTC",
        },
        "festivals": [
            {
                "name": "Gnaoua World Music Festival (Essaouira)",
                "city": "Essaouira",
                "start": a.isoformat(),
                "end": b.isoformat(),
                **FESTIVAL,
            }
            for a, b in tl.festivals
        ],
        "emerging_artists": cat.emerging,
        "emerging_monthly_log_growth": EMERGING_MONTHLY_GROWTH,
        "tastes": {
            "genre_base": tastes.GENRE_BASE,
            "age": tastes.AGE_TASTE,
            "region": tastes.REGION_TASTE,
            "language": tastes.LANGUAGE_TASTE,
            "gender": tastes.GENDER_TASTE,
            "amazigh_music_genres": list(tastes.AMAZIGH_MUSIC),
            "language_match": tastes.LANGUAGE_MATCH,
            "language_miss": tastes.LANGUAGE_MISS,
        },
        "audience": {
            "region_population_thousands": tastes.REGION_POPULATION,
            "age_weights": tastes.AGE_WEIGHTS,
            "consent_rates": tastes.CONSENT_RATES,
        },
        "new_releases": {
            k: {"file": p.name, "title": json.loads(p.read_text(encoding="utf-8"))}
            for k, p in releases.items()
        },
        "files": {
            "creators": "creators.csv",
            "titles": "titles.csv",
            "members": "members.csv",
            "events": "events/part-*.parquet",
        },
    }

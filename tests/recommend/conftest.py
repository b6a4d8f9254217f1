"""A small synthetic catalogue with a known structure, as frames, a Dataset and a real store.

Three taste clusters (comedy, drama, rap); a member's cluster follows their age band, so
demographics carry signal. Half the creators are Moroccan; a few debuted recently.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from halqa.recommend import Dataset

CLUSTERS = {"comedy": ("film", "ary"), "drama": ("series", "fr"), "rap": ("track", "ary")}
BANDS = {"comedy": "18-24", "drama": "35-44", "rap": "<18"}
T0 = pd.Timestamp("2026-01-01")


def make_world(
    seed: int = 7, n_members: int = 90, titles_per_cluster: int = 12
) -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    creators = pd.DataFrame(
        {
            "creator_id": [f"c{i}" for i in range(12)],
            "name": [
                "Saïd",
                "Hind",
                "سعيد",
                "ⵜⴰⵙⴰ",
                "Omar",
                "Nora",
                "Alice",
                "Bob",
                "Carl",
                "Dana",
                "Eve",
                "Finn",
            ],
            "country": ["MA"] * 6 + ["FR", "US", "US", "FR", "GB", "US"],
            "debut_year": [2025, 2010, 2024, 2001, 1999, 2015, 2000, 2005, 2012, 1995, 2020, 2011],
        }
    )
    titles = []
    for c, (genre, (kind, lang)) in enumerate(CLUSTERS.items()):
        for j in range(titles_per_cluster):
            creator = f"c{(c * 4 + j) % 12}"
            titles.append(
                {
                    "title_id": f"{genre}-{j}",
                    "name": f"{genre} {j}" if j % 3 else f"فيلم {genre} {j}",
                    "kind": kind,
                    "original_language": lang,
                    "genres": [genre],
                    "themes": ["youth"],
                    "creator_ids": [creator],
                    "age_rating": "18+" if j == 1 else "all",
                    "available_regions": ["souss-massa"] if j == 2 else None,
                    "release_date": pd.Timestamp("2025-06-01").date(),
                }
            )
    titles = pd.DataFrame(titles)
    members, events = [], []
    names = list(CLUSTERS)
    for m in range(n_members):
        taste = names[m % 3]
        members.append(
            {
                "member_id": f"m{m}",
                "age_band": BANDS[taste],
                "gender": "FM"[m % 2],
                "region": ["casablanca-settat", "souss-massa"][m % 2],
                "languages": ["ary", "fr"],
            }
        )
        # popularity within the cluster is skewed (low j more popular) so models have something to learn
        picks = rng.choice(
            titles_per_cluster,
            size=6,
            replace=False,
            p=np.linspace(2, 1, titles_per_cluster) / np.linspace(2, 1, titles_per_cluster).sum(),
        )
        for step, j in enumerate(picks):
            events.append(
                {
                    "member_id": f"m{m}",
                    "title_id": f"{taste}-{j}",
                    "ts": T0 + pd.Timedelta(hours=m + step * 24),
                    "event_type": ["play", "complete", "like"][step % 3],
                    "value": None,
                }
            )
    return {
        "titles": titles,
        "creators": creators,
        "members": pd.DataFrame(members),
        "events": pd.DataFrame(events),
    }


@pytest.fixture(scope="session")
def world() -> dict[str, pd.DataFrame]:
    return make_world()


@pytest.fixture(scope="session")
def dataset(world: dict[str, pd.DataFrame]) -> Dataset:
    return Dataset.from_frame(
        world["events"],
        titles=world["titles"],
        members=world["members"],
        creators=world["creators"],
    )


def load_store(store, world: dict[str, pd.DataFrame]) -> None:
    """Write the world into a real halqa store (consent on for every member)."""
    con = store.con
    members = world["members"].assign(
        consent_analytics=True, consent_personalisation=True, consent_marketing=True
    )
    for name, frame in (
        ("creators", world["creators"]),
        ("titles", world["titles"]),
        ("members", members),
        ("events", world["events"]),
    ):
        con.register("frame_in", frame)
        cols = ", ".join(frame.columns)
        store.run(f"INSERT INTO {name} ({cols}) SELECT {cols} FROM frame_in")
        con.unregister("frame_in")


@pytest.fixture
def store_loader():
    return load_store


@pytest.fixture
def world_store(store, world):
    load_store(store, world)
    return store

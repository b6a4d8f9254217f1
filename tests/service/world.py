"""A small multilingual world for the service tests, written straight into a real store."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np

from halqa.catalog import Store

TITLES = [
    ("t-ar-1", "film", "الزين اللي فيك", "ar", ["drama"]),
    ("t-zgh-1", "track", "ⴰⵎⴰⵏ ⵉⵎⴰⵏ", "zgh", ["rways"]),
    ("t-fr-1", "film", "Les Chevaux de Dieu", "fr", ["drama"]),
    ("t-ary-1", "series", "Lalla Fatema", "ary-Latn", ["comedy"]),
    ("t-en-1", "film", "Casablanca", "en", ["romance"]),
]
REGIONS = ["casablanca-settat", "souss-massa", "rabat-sale-kenitra"]
AGE_BANDS = ["18-24", "25-34", "35-44"]


def build_world(
    store: Store, n_members: int = 120, n_titles: int = 30, n_events: int = 1500, seed: int = 7
) -> dict:
    """Members with mixed consent, titles in five scripts, events over 60 days."""
    rng = np.random.default_rng(seed)
    genres = sorted(store.genre_ids())
    titles = list(TITLES)
    for i in range(len(TITLES), n_titles):
        titles.append(
            (
                f"t-{i:03d}",
                "film" if i % 3 else "track",
                f"Title {i} عنوان",
                "ary",
                [genres[i % len(genres)]],
            )
        )
    store.con.executemany(
        "INSERT INTO titles (title_id, kind, name, original_language, genres, themes, creator_ids, country, "
        "added_at) VALUES (?, ?, ?, ?, ?, [], ?, ?, TIMESTAMP '2025-01-01')",
        [
            [
                t[0],
                t[1],
                t[2],
                t[3],
                [g for g in t[4] if g in genres] or [genres[0]],
                [f"c{i % 4}"],
                "MA" if i % 2 == 0 else "FR",
            ]
            for i, t in enumerate(titles)
        ],
    )
    store.con.executemany(
        "INSERT INTO creators (creator_id, name, country, debut_year) VALUES (?, ?, ?, ?)",
        [
            ["c0", "ⵎⵓⵃⵎⵎⴷ", "MA", 2023],
            ["c1", "Artiste", "FR", 1990],
            ["c2", "فنان", "MA", 2010],
            ["c3", "Band", "US", 2000],
        ],
    )
    members = []
    for i in range(n_members):
        members.append(
            [
                f"m{i:03d}",
                AGE_BANDS[i % 3],
                "F" if i % 2 else "M",
                "MA",
                REGIONS[i % 3],
                ["ary", "fr"],
                True,
                i % 5 != 0,
                i % 4 != 0,
            ]
        )
    store.con.executemany(
        "INSERT INTO members (member_id, age_band, gender, country, region, languages, consent_analytics, "
        "consent_personalisation, consent_marketing) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        members,
    )
    start = datetime(2026, 9, 1)
    events = set()
    while len(events) < n_events:
        m, t = int(rng.integers(n_members)), int(rng.integers(n_titles))
        ts = start + timedelta(minutes=int(rng.integers(60 * 24 * 60)))
        events.add((f"m{m:03d}", titles[t][0], "play", ts))
    store.con.executemany(
        "INSERT INTO events (member_id, title_id, event_type, ts, value) VALUES (?, ?, ?, ?, 1.0)",
        sorted(events),
    )
    return {
        "members": [m[0] for m in members],
        "titles": [t[0] for t in titles],
        "events": len(events),
    }

"""A small synthetic world with planted tastes, written into a real store.

Members live in regions and speak languages; titles have genres, a language and
creators. Amazigh speakers of Souss-Massa are fond of zgh music; comedy fans
watch comedies; everyone watches a bit of everything. A third of the members
have no marketing consent, so consent filtering is visible everywhere.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import pandas as pd

from halqa.catalog import Store

REGIONS = ("souss-massa", "casablanca-settat", "rabat-sale-kenitra", "oriental")
GENRES = ("amazigh-pop", "chaabi", "rap", "comedy", "drama", "thriller")


def make_world(
    store: Store, rng: np.random.Generator, n_members: int = 400, n_titles: int = 90
) -> dict:
    region = rng.choice(REGIONS, size=n_members, p=[0.3, 0.3, 0.25, 0.15])
    amazigh = (region == "souss-massa") & (rng.random(n_members) < 0.8)
    languages = [
        ["zgh", "ary"] if a else (["ary", "fr"] if rng.random() < 0.5 else ["ary"]) for a in amazigh
    ]
    comedy_fan = rng.random(n_members) < 0.3
    marketing = rng.random(n_members) < 0.67
    members = pd.DataFrame(
        {
            "member_id": [f"m{i:04d}" for i in range(n_members)],
            "age_band": rng.choice(["18-24", "25-34", "35-44"], size=n_members),
            "region": region,
            "languages": languages,
            "consent_analytics": True,
            "consent_personalisation": True,
            "consent_marketing": marketing,
        }
    )
    genre = rng.choice(GENRES, size=n_titles)
    lang = np.where(genre == "amazigh-pop", "zgh", rng.choice(["ary", "fr"], size=n_titles))
    kind = np.where(np.isin(genre, ["amazigh-pop", "chaabi", "rap"]), "track", "film")
    creators = [[f"c{rng.integers(0, 15)}"] for _ in range(n_titles)]
    titles = pd.DataFrame(
        {
            "title_id": [f"t{j:03d}" for j in range(n_titles)],
            "kind": kind,
            "name": [
                ("ⴰⵎⵓⵔ " if g == "amazigh-pop" else "") + f"title {j}" for j, g in enumerate(genre)
            ],
            "original_language": lang,
            "genres": [[g] for g in genre],
            "creator_ids": creators,
            "region": np.where(genre == "amazigh-pop", "souss-massa", None),
            "release_date": [
                datetime(2020, 1, 1).date() + timedelta(days=int(d))
                for d in rng.integers(0, 1500, n_titles)
            ],
        }
    )
    # Planted affinity: Amazigh speakers × zgh titles, comedy fans × comedies, plus taste noise.
    logits = np.full((n_members, n_titles), -3.2)
    logits += 2.8 * np.outer(amazigh, genre == "amazigh-pop") - 1.5 * np.outer(
        ~amazigh, genre == "amazigh-pop"
    )
    logits += 2.5 * np.outer(comedy_fan, genre == "comedy")
    logits += rng.normal(0, 0.4, size=n_members)[:, None]
    watched = rng.random(logits.shape) < 1 / (1 + np.exp(-logits))
    m_idx, t_idx = np.nonzero(watched)
    base = datetime(2024, 1, 1)
    events = pd.DataFrame(
        {
            "member_id": members.member_id.to_numpy()[m_idx],
            "title_id": titles.title_id.to_numpy()[t_idx],
            "event_type": "play",
            "ts": [base + timedelta(hours=int(h)) for h in rng.integers(0, 24 * 300, len(m_idx))],
            "value": 1.0,
        }
    )
    insert(store, "members", members)
    insert(store, "titles", titles)
    insert(store, "events", events)
    return {
        "members": members,
        "titles": titles,
        "events": events,
        "amazigh": amazigh,
        "comedy_fan": comedy_fan,
    }


def insert(store: Store, table: str, frame: pd.DataFrame) -> None:
    store.con.register("_frame", frame)
    try:
        store.run(f"INSERT INTO {table} ({', '.join(frame.columns)}) SELECT * FROM _frame")
    finally:
        store.con.unregister("_frame")

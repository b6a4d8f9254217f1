"""A small synthetic world with known dynamics, for insight tests (independent of halqa.demo).

Planted: ``rap`` rises among 18-24 in Casablanca-Settat in the 28 days before 2026-06-01;
``ramadan-sitcom`` surges in Ramadan 1446 and 1447 alike; the emerging Moroccan creators
``c-new-*`` gain listeners overall in the same window; one title goes from 1 to 3 plays;
members without analytics consent play only ``horror``; a 5-member segment (gender X in
Dakhla) exists.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from halqa.catalog import taxonomy

RISING_AS_OF = dt.date(2026, 6, 1)
RAMADAN_AS_OF = dt.date(2026, 3, 19)  # window 2026-02-19..03-18, inside Ramadan 1447
START = dt.date(2025, 1, 1)
END = dt.date(2026, 6, 30)
GENRES = (
    "drama",
    "comedy",
    "ramadan-sitcom",
    "rap",
    "chaabi",
    "gnawa",
    "pop",
    "thriller",
    "amazigh-pop",
    "social-drama",
)
EMERGING = ("c-new-1", "c-new-2", "c-new-3")
RAMADANS = (
    (dt.date(2025, 3, 1), dt.date(2025, 3, 30)),
    (dt.date(2026, 2, 18), dt.date(2026, 3, 20)),
)


def build(store, *, members: int = 900, rate: float = 0.25, seed: int = 7) -> dict:
    rng = np.random.default_rng(seed)
    m = _members(rng, members)
    creators = _creators()
    titles = _titles(rng)
    events = _events(rng, m, titles, rate)
    for name, df in (
        ("members", m),
        ("creators", creators),
        ("titles", titles),
        ("events", events),
    ):
        store.con.register(f"tmp_{name}", df)
        store.run(f"INSERT INTO {name} BY NAME SELECT * FROM tmp_{name}")
        store.con.unregister(f"tmp_{name}")
    return {"members": len(m), "titles": len(titles), "events": len(events)}


def _members(rng, n: int) -> pd.DataFrame:
    ids = [f"m{i:05d}" for i in range(n)]
    age = rng.choice(taxonomy.AGE_BANDS[1:], size=n, p=[0.3, 0.3, 0.2, 0.1, 0.1])
    region = rng.choice(
        ["casablanca-settat", "souss-massa", "rabat-sale-kenitra", "marrakech-safi"], size=n
    )
    gender = rng.choice(["F", "M"], size=n)
    consent = rng.random(n) > 0.05
    df = pd.DataFrame(
        {
            "member_id": ids,
            "age_band": age,
            "gender": gender,
            "country": "MA",
            "region": region,
            "consent_analytics": consent,
            "consent_personalisation": True,
            "consent_marketing": False,
        }
    )
    # A 5-member segment, too small to report.
    df.loc[df.index[-5:], ["gender", "region"]] = ["X", "dakhla-oued-ed-dahab"]
    df.loc[df.index[-5:], "consent_analytics"] = True
    return df


def _creators() -> pd.DataFrame:
    rows = [(c, f"New artist {c[-1]}", "MA", "souss-massa", 2024) for c in EMERGING]
    rows += [
        (f"c-ma-{i}", f"Established {i}", "MA", "casablanca-settat", 2001 + i) for i in range(6)
    ]
    rows += [(f"c-fr-{i}", f"Étranger {i}", "FR", None, 2022) for i in range(4)]
    rows.append(("c-ar", "نجم الأطلس", "MA", "fes-meknes", 2023))
    return pd.DataFrame(rows, columns=["creator_id", "name", "country", "region", "debut_year"])


def _titles(rng) -> pd.DataFrame:
    rows = []
    established = [f"c-ma-{i}" for i in range(6)] + [f"c-fr-{i}" for i in range(4)]
    for g_index, genre in enumerate(GENRES):
        music = genre in ("rap", "chaabi", "gnawa", "pop", "amazigh-pop")
        for j in range(8):
            creator = established[(g_index + j) % len(established)]
            if music and j < 2 and genre in ("rap", "amazigh-pop", "pop"):
                creator = EMERGING[(g_index + j) % len(EMERGING)]
            kind = "track" if music else ("series" if genre == "ramadan-sitcom" else "film")
            rows.append(
                (
                    f"t-{genre}-{j}",
                    kind,
                    f"{genre.title()} {j}",
                    "ary",
                    [genre],
                    ["youth"],
                    200 if music else 3000,
                    "MA",
                    [creator],
                )
            )
    rows.append(("t-horror", "film", "Horror", "en", ["horror"], [], 5400, "US", ["c-fr-0"]))
    rows.append(("t-tiny", "film", "فيلم صغير", "ar", ["documentary"], [], 5400, "MA", ["c-ar"]))
    return pd.DataFrame(
        rows,
        columns=[
            "title_id",
            "kind",
            "name",
            "original_language",
            "genres",
            "themes",
            "duration_s",
            "country",
            "creator_ids",
        ],
    )


def _events(rng, members: pd.DataFrame, titles: pd.DataFrame, rate: float) -> pd.DataFrame:
    days = (END - START).days
    n = int(len(members) * days * rate)
    who = rng.integers(0, len(members), n)
    day = rng.integers(0, days, n)
    dates = np.datetime64(START) + day.astype("timedelta64[D]")
    young_casa = (
        (members["age_band"].to_numpy() == "18-24")
        & (members["region"].to_numpy() == "casablanca-settat")
    )[who]
    window = (dates >= np.datetime64(RISING_AS_OF - dt.timedelta(days=28))) & (
        dates < np.datetime64(RISING_AS_OF)
    )
    ramadan = np.zeros(n, bool)
    for a, b in RAMADANS:
        ramadan |= (dates >= np.datetime64(a)) & (dates < np.datetime64(b))
    weights = np.ones((n, len(GENRES)))
    weights[young_casa & window, GENRES.index("rap")] = 4.0
    weights[ramadan, GENRES.index("ramadan-sitcom")] = 8.0
    cum = np.cumsum(weights / weights.sum(1, keepdims=True), axis=1)
    genre = (rng.random(n)[:, None] > cum).sum(1)
    title = np.empty(n, dtype=object)
    for g_index, g in enumerate(GENRES):
        pool = titles[titles["genres"].map(lambda gs: gs[0]) == g]
        ids = pool["title_id"].to_numpy()
        emerging = pool["creator_ids"].map(lambda cs: cs[0] in EMERGING).to_numpy()
        for in_window in (False, True):
            mask = (genre == g_index) & (window == in_window)
            w = np.where(emerging & in_window, 6.0, 1.0)
            title[mask] = rng.choice(ids, size=mask.sum(), p=w / w.sum())
    ts = dates.astype("datetime64[s]") + rng.integers(0, 86400, n).astype("timedelta64[s]")
    df = pd.DataFrame(
        {
            "member_id": members["member_id"].to_numpy()[who],
            "title_id": title,
            "event_type": "play",
            "ts": ts,
        }
    )
    # Members without analytics consent play only horror: it must never show up.
    no_consent = ~members["consent_analytics"].to_numpy()[who]
    df.loc[no_consent, "title_id"] = "t-horror"
    done = df.sample(frac=0.6, random_state=1).assign(event_type="complete")
    done["ts"] = done["ts"] + pd.Timedelta(minutes=50)
    tiny = pd.DataFrame(
        {
            "member_id": ["m00001", "m00002", "m00003", "m00004"],
            "title_id": "t-tiny",
            "event_type": "play",
            "ts": pd.to_datetime(["2026-04-20", "2026-05-10", "2026-05-11", "2026-05-12"]),
        }
    )
    out = pd.concat([df, done, tiny], ignore_index=True)
    return out.drop_duplicates(["member_id", "title_id", "event_type", "ts"])

"""The demo audience: pseudonymous members with region, age, languages, consent and tastes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

import numpy as np
import pandas as pd

from halqa.catalog import taxonomy
from halqa.demo import tastes

# Every member speaks a subset of these; the columns of Members.speaks.
SPOKEN = ("ary", "ar", "fr", "zgh", "shi", "tzm", "rif", "mey", "en", "es")


@dataclass
class Members:
    frame: pd.DataFrame  # canonical columns, one row per member
    region_idx: np.ndarray  # index into taxonomy.REGION_IDS
    age_idx: np.ndarray  # index into taxonomy.AGE_BANDS
    speaks: np.ndarray  # (n, len(SPOKEN)) bool
    activity: np.ndarray  # relative number of plays
    joined_day: np.ndarray  # day index in the window (negative: before it)
    music_share: np.ndarray  # share of plays that are music


def _choice(rng: np.random.Generator, weights: Mapping[str, float], n: int) -> np.ndarray:
    keys = list(weights)
    p = np.array([weights[k] for k in keys], float)
    return np.array(keys, dtype=object)[rng.choice(len(keys), size=n, p=p / p.sum())]


def _languages(rng: np.random.Generator, regions: np.ndarray, age_idx: np.ndarray) -> np.ndarray:
    n = len(regions)
    speaks = np.zeros((n, len(SPOKEN)), dtype=bool)
    col = {tag: i for i, tag in enumerate(SPOKEN)}
    u = rng.random((n, 8))
    amazigh_share = np.array(
        [tastes.AMAZIGH_BY_REGION.get(r, tastes.AMAZIGH_ELSEWHERE)[0] for r in regions]
    )
    amazigh = u[:, 0] < amazigh_share
    for i in np.flatnonzero(amazigh):
        tags = tastes.AMAZIGH_BY_REGION.get(regions[i], tastes.AMAZIGH_ELSEWHERE)[1]
        speaks[i, col[tags[int(u[i, 1] * len(tags))]]] = True
    # Darija is nearly universal; a share of older Amazigh speakers use only their language.
    speaks[:, col["ary"]] = ~(amazigh & (u[:, 2] < 0.08 + 0.04 * age_idx))
    speaks[:, col["ar"]] = u[:, 3] < 0.35
    french = np.array([tastes.FRENCH_BY_REGION.get(r, tastes.FRENCH_ELSEWHERE) for r in regions])
    speaks[:, col["fr"]] = u[:, 4] < french
    speaks[:, col["mey"]] = u[:, 5] < np.array(
        [tastes.HASSANIYA_REGIONS.get(r, 0.0) for r in regions]
    )
    speaks[:, col["en"]] = u[:, 6] < np.where(age_idx <= 2, 0.18, 0.06)
    speaks[:, col["es"]] = u[:, 7] < np.array(
        [tastes.SPANISH_BY_REGION.get(r, 0.02) for r in regions]
    )
    speaks[~speaks.any(axis=1), col["ary"]] = True
    return speaks


def _language_lists(rng: np.random.Generator, speaks: np.ndarray) -> list[str]:
    """`|`-joined tags, preferred first: an Amazigh speaker often lists Tamazight first."""
    amazigh_cols = [SPOKEN.index(t) for t in ("zgh", "shi", "tzm", "rif")]
    first_amazigh = rng.random(len(speaks)) < 0.5
    out = []
    for i, row in enumerate(speaks):
        tags = [SPOKEN[j] for j in np.flatnonzero(row)]
        if first_amazigh[i]:
            tags.sort(key=lambda t: SPOKEN.index(t) not in amazigh_cols)
        out.append("|".join(tags))
    return out


def _cities(rng: np.random.Generator, regions: np.ndarray) -> np.ndarray:
    by_id = {r.id: r.cities for r in taxonomy.REGIONS}
    out = np.empty(len(regions), dtype=object)
    for region, cities in by_id.items():
        mask = regions == region
        weights = 1.0 / np.arange(1, len(cities) + 1) ** 0.8
        out[mask] = np.array(cities, dtype=object)[
            rng.choice(len(cities), size=mask.sum(), p=weights / weights.sum())
        ]
    return out


def _timestamps(base: date, days: np.ndarray, rng: np.random.Generator) -> pd.Series:
    seconds = rng.integers(0, 86_400, size=len(days))
    origin = np.datetime64(datetime(base.year, base.month, base.day), "s")
    return pd.Series(origin + days.astype("timedelta64[D]") + seconds.astype("timedelta64[s]"))


def make_members(rng: np.random.Generator, n: int, start: date, days: int) -> Members:
    regions = _choice(rng, tastes.REGION_POPULATION, n)
    region_idx = np.array([taxonomy.REGION_IDS.index(r) for r in regions])
    ages = _choice(rng, tastes.AGE_WEIGHTS, n)
    age_idx = np.array([taxonomy.AGE_BANDS.index(a) for a in ages])
    speaks = _languages(rng, regions, age_idx)
    # 55% joined before the window (up to six years earlier), the rest during it.
    before = rng.random(n) < 0.55
    joined_day = np.where(
        before, -rng.integers(1, 6 * 365, size=n), rng.integers(0, max(days - 14, 1), size=n)
    )
    consent_day = joined_day + rng.integers(0, 30, size=n)
    policy_update = (rng.random(n) < 0.3) & (consent_day < 180)
    consent_day = np.where(
        policy_update, 180, consent_day
    )  # consents renewed after a policy change
    consents = {p: rng.random(n) < rate for p, rate in tastes.CONSENT_RATES.items()}
    frame = pd.DataFrame(
        {
            "member_id": [f"m{i:06d}" for i in range(1, n + 1)],
            "age_band": ages,
            "gender": _choice(rng, tastes.GENDER_WEIGHTS, n),
            "country": "MA",
            "region": regions,
            "city": _cities(rng, regions),
            "languages": _language_lists(rng, speaks),
            **{f"consent_{p}": consents[p] for p in tastes.CONSENT_RATES},
            "consent_at": _timestamps(start, consent_day, rng),
            "joined_at": _timestamps(start, joined_day, rng),
        }
    )
    activity = rng.lognormal(0.0, 1.0, size=n) * np.where(age_idx <= 2, 1.3, 1.0)
    music_share = rng.beta(2.0, 2.0, size=n) * np.where(age_idx <= 1, 1.15, 0.9)
    return Members(
        frame, region_idx, age_idx, speaks, activity, joined_day, np.clip(music_share, 0.05, 0.95)
    )

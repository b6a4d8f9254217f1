"""The demo catalogue: creators, films, series with seasons and episodes, albums and tracks,
podcasts.

Besides the canonical rows, it returns the *units* members actually pick (a film,
a track, a series whose episode is then chosen) with the hidden parameters the
event generator needs: popularity, latent taste vector, language, release day.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
import pandas as pd

from halqa.demo import naming, tastes
from halqa.demo.calendar import Timeline
from halqa.demo.vocab import FOREIGN_NAMES

GENRES = tastes.MUSIC_GENRES + tastes.SCREEN_GENRES
LANG_CLASSES = ("ary", "ar", "fr", "amazigh", "en", "es", "mey", "zxx")

GENRE_THEMES = {
    "rap": ("youth", "city-life", "protest"),
    "trap": ("youth", "city-life"),
    "pop": ("love", "youth"),
    "gnawa": ("spirituality", "heritage"),
    "sufi": ("spirituality",),
    "chaabi": ("celebration", "love"),
    "aita": ("rural-life", "women", "heritage"),
    "ahwash": ("amazigh-identity", "celebration", "heritage"),
    "rways": ("amazigh-identity", "heritage", "love"),
    "amazigh-pop": ("amazigh-identity", "love", "youth"),
    "ahidous": ("amazigh-identity", "rural-life"),
    "imdyazen": ("amazigh-identity", "protest"),
    "rif": ("amazigh-identity", "sea"),
    "hassani": ("sahara", "heritage"),
    "guedra": ("sahara", "women"),
    "ghiwane": ("protest", "heritage"),
    "malhun": ("heritage", "love"),
    "andalusi": ("heritage",),
    "ramadan-sitcom": ("ramadan", "family-ties", "celebration"),
    "social-drama": ("youth", "women", "migration"),
    "amazigh-drama": ("amazigh-identity", "rural-life", "heritage"),
    "drama": ("family-ties", "love", "city-life"),
    "comedy": ("family-ties", "city-life"),
    "historical": ("heritage",),
    "crime": ("corruption", "city-life"),
    "romance": ("love",),
    "family": ("family-ties",),
    "documentary": ("heritage", "sahara", "sea"),
}
SECONDARY_SCREEN = {
    "drama": "romance",
    "social-drama": "drama",
    "crime": "thriller",
    "comedy": "family",
    "action": "adventure",
    "amazigh-drama": "drama",
    "historical": "drama",
    "horror": "mystery",
}
GENRE_HOME = {
    "ahwash": "souss-massa",
    "rways": "souss-massa",
    "amazigh-pop": "souss-massa",
    "ahidous": "beni-mellal-khenifra",
    "imdyazen": "draa-tafilalet",
    "rif": "tanger-tetouan-al-hoceima",
    "reggada": "oriental",
    "gharnati": "oriental",
    "gnawa": "marrakech-safi",
    "aita": "marrakech-safi",
    "andalusi": "fes-meknes",
    "malhun": "fes-meknes",
    "hassani": "laayoune-sakia-el-hamra",
    "guedra": "guelmim-oued-noun",
    "amazigh-drama": "souss-massa",
}
AMAZIGH_LANGUAGE_GENRES = set(tastes.AMAZIGH_MUSIC) | {"amazigh-drama"}
EMERGING_GENRES = (
    "trap",
    "amazigh-pop",
    "rap",
    "chaabi",
    "pop",
    "gnawa",
    "rai",
    "ahwash",
    "fusion",
    "rap",
)
FOREIGN = (
    ("FR", "fr"),
    ("US", "en"),
    ("EG", "ar"),
    ("GB", "en"),
    ("ES", "es"),
    ("FR", "fr"),
    ("US", "en"),
)


@dataclass
class Catalogue:
    titles: list[dict] = field(default_factory=list)
    creators: list[dict] = field(default_factory=list)
    units: list[dict] = field(default_factory=list)  # what members pick
    episodes: dict[str, list[tuple[str, int, int]]] = field(
        default_factory=dict
    )  # series -> (id, day, secs)
    ramadan_series: dict[int, list[str]] = field(default_factory=dict)
    emerging: list[dict] = field(default_factory=list)
    centroids: dict[str, np.ndarray] = field(default_factory=dict)  # genre -> latent centroid


class _Builder:
    def __init__(self, rng: np.random.Generator, timeline: Timeline) -> None:
        self.rng, self.tl, self.cat = rng, timeline, Catalogue()
        family_of = {g: f for f, gs in tastes.GENRE_FAMILIES.items() for g in gs}
        families = {f: rng.normal(0, 1.0, tastes.LATENT_DIM) for f in tastes.GENRE_FAMILIES}
        self.cat.centroids = {
            g: families[family_of[g]] + rng.normal(0, 0.5, tastes.LATENT_DIM) for g in GENRES
        }
        self.centroids = self.cat.centroids
        self.ids: dict[str, int] = {}
        self.taken_names: set[str] = set()  # title names given so far (each name once)

    def next_id(self, prefix: str, width: int) -> str:
        self.ids[prefix] = self.ids.get(prefix, 0) + 1
        return f"{prefix}{self.ids[prefix]:0{width}d}"

    # -- creators ------------------------------------------------------------------------------
    def creator(
        self, role: str, genre: str, *, moroccan: bool, debut_year: int, stage: bool = False
    ) -> dict:
        rng = self.rng
        region = None
        if moroccan:
            home = GENRE_HOME.get(genre)
            if home and rng.random() < 0.75:
                region = home
            else:
                p = np.array(list(tastes.REGION_POPULATION.values()), float)
                region = list(tastes.REGION_POPULATION)[rng.choice(len(p), p=p / p.sum())]
            amazigh = genre in AMAZIGH_LANGUAGE_GENRES
            name, names = naming.person_name(rng, amazigh)
            if stage and not amazigh:
                names = {"ar": names["ar"]}
                name = naming.stage_name(rng)
            country = "MA"
        else:
            country, name = FOREIGN_NAMES[rng.integers(len(FOREIGN_NAMES))]
            names = {}
        row = {
            "creator_id": self.next_id("c", 4),
            "name": name,
            "names": names,
            "role": role,
            "country": country,
            "region": region,
            "debut_year": debut_year,
            "genre": genre,
        }
        self.cat.creators.append(row)
        return row

    # -- titles --------------------------------------------------------------------------------
    def language_for(self, genre: str, country: str) -> str:
        rng = self.rng
        if country != "MA":
            return dict(FOREIGN).get(country, "en")
        if genre in AMAZIGH_LANGUAGE_GENRES:
            return "zgh" if rng.random() < 0.9 else "ary"
        if genre in ("rap", "trap"):
            return rng.choice(["ary-Latn", "ary", "fr"], p=[0.45, 0.40, 0.15])
        if genre in ("andalusi", "gharnati"):
            return "ar"
        if genre in ("hassani", "guedra"):
            return "mey"
        if genre in ("classical", "jazz", "electronic"):
            return rng.choice(["zxx", "en", "fr"], p=[0.5, 0.3, 0.2])
        if genre in ("pop", "fusion", "rai"):
            return rng.choice(["ary", "ar", "fr", "en"], p=[0.55, 0.15, 0.15, 0.15])
        if genre in tastes.MUSIC_GENRES:
            return "ary"
        return rng.choice(["ary", "ar", "fr"], p=[0.75, 0.1, 0.15])

    def title(
        self,
        kind: str,
        genre: str,
        creator: dict,
        release: date,
        *,
        parent: dict | None = None,
        name: tuple[str, dict] | None = None,
        duration: int,
        genres: list[str] | None = None,
        themes: list[str] | None = None,
        language: str | None = None,
        prefix: str,
        width: int,
    ) -> dict:
        rng = self.rng
        language = language or (
            parent["original_language"] if parent else self.language_for(genre, creator["country"])
        )
        if themes is None:
            pool = list(GENRE_THEMES.get(genre, ("city-life", "love", "family-ties")))
            themes = [
                str(t)
                for t in rng.choice(
                    pool, size=min(len(pool), int(rng.integers(1, 3))), replace=False
                )
            ]
        name_, names = name or self._distinct_name(language, release)
        region = creator["region"] if creator["country"] == "MA" else None
        row = {
            "title_id": self.next_id(prefix, width),
            "kind": kind,
            "parent_id": parent["title_id"] if parent else None,
            "name": name_,
            "original_language": language,
            "names": names,
            "synopses": naming.synopses(language, genre, themes, region),
            "genres": genres or [genre],
            "themes": themes,
            "release_date": release,
            "duration_s": int(duration),
            "age_rating": parent["age_rating"] if parent else _age_rating(rng, genre, kind),
            "country": creator["country"],
            "region": region,
            "creator_ids": [creator["creator_id"]],
            "available_regions": None,
            "added_at": pd.Timestamp(release) + pd.Timedelta(hours=int(rng.integers(6, 20))),
        }
        self.cat.titles.append(row)
        return row

    def _distinct_name(self, language: str, release: date) -> tuple[str, dict]:
        """A name no other title has yet (a list with the same name three times is ambiguous).

        The first draw uses the world's stream as before; redraws use a side stream seeded by the
        title's position, so resolving a clash never shifts the rest of the world. When the
        vocabulary runs out the release year tells the titles apart."""
        taken = self.taken_names
        name, names = naming.title_name(self.rng, language)
        side = None
        for attempt in range(30):
            if name not in taken:
                break
            side = side or np.random.default_rng([len(self.cat.titles), 7919])
            name, names = naming.title_name(side, language)
        else:
            base, count = name, 1
            while name in taken:  # the year, then a count within the year
                suffix = f" ({release.year})" if count == 1 else f" ({release.year}, {count})"
                name, count = base + suffix, count + 1
            names = {tag: text + name[len(base) :] for tag, text in names.items()}
        taken.add(name)
        return name, names

    def unit(
        self,
        row: dict,
        genre: str,
        *,
        pop_shift: float = 0.0,
        emerging: int = -1,
        ramadan_year: int = 0,
    ) -> None:
        self.cat.units.append(
            {
                "title_id": row["title_id"],
                "kind": row["kind"],
                "genre": genre,
                "logpop": self.rng.normal(0.0, tastes.TITLE_POPULARITY_SD)
                + pop_shift
                - 0.02 * max(0, 2024 - row["release_date"].year),
                "latent": self.centroids[genre] + self.rng.normal(0, 0.7, tastes.LATENT_DIM),
                "language": row["original_language"],
                "release_day": self.tl.index(row["release_date"]),
                "age_rating": row["age_rating"],
                "available_regions": row["available_regions"],
                "duration_s": row["duration_s"],
                "emerging": emerging,
                "ramadan_year": ramadan_year,
                "music": genre in tastes.MUSIC_GENRES,
            }
        )

    def back_catalogue_date(self, newest: float = 0.18) -> date:
        """Most titles predate the window; a share is released during it."""
        rng, tl = self.rng, self.tl
        if rng.random() < newest:
            return tl.start + timedelta(days=int(rng.integers(0, tl.days - 7)))
        year = int(max(1965, 2024 - rng.exponential(8.0)))
        day = date(year, 1, 1) + timedelta(days=int(rng.integers(0, 365)))
        return min(day, tl.start - timedelta(days=1))


def _age_rating(rng: np.random.Generator, genre: str, kind: str) -> str:
    if genre in ("children", "animation"):
        return "all"
    if genre in ("horror", "thriller", "crime", "war"):
        return "18+" if rng.random() < 0.3 else "16+"
    if genre in tastes.MUSIC_GENRES:
        return "12+" if genre in ("rap", "trap") and rng.random() < 0.3 else "all"
    return str(rng.choice(["all", "7+", "12+", "16+"], p=[0.3, 0.2, 0.35, 0.15]))


def genre_weights(genres: tuple[str, ...]) -> np.ndarray:
    w = np.exp(0.6 * np.array([tastes.GENRE_BASE[g] for g in genres]))
    return w / w.sum()

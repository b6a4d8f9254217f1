"""Fill the demo catalogue: music, screen, the Ramadan series and the emerging artists."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np

from halqa.catalog import taxonomy
from halqa.demo import tastes
from halqa.demo.calendar import Timeline, ramadans_between
from halqa.demo.catalogue import (
    EMERGING_GENRES,
    SECONDARY_SCREEN,
    Catalogue,
    _Builder,
    genre_weights,
)
from halqa.demo.naming import part_name

EMERGING_MONTHLY_GROWTH = 0.15  # log growth of an emerging artist's pull per month (~+16%/month)


def build_catalogue(rng: np.random.Generator, timeline: Timeline, n_titles: int) -> Catalogue:
    b = _Builder(rng, timeline)
    n_ramadan = max(1, round(n_titles * 0.0013))  # new Ramadan series per Ramadan
    n_series = max(2, round(n_titles * 0.0093))  # other series
    _ramadan_series(b, n_ramadan)
    _series(b, n_series)
    n_films = max(len(tastes.SCREEN_GENRES), round(n_titles * 0.13))
    _films(b, n_films, round(n_titles * 0.02), round(n_titles * 0.01))
    _podcasts(b, max(2, round(n_titles * 0.01)))
    _emerging(b, max(4, round(n_titles / 375)))
    music_budget = max(n_titles - len(b.cat.titles), 4 * len(tastes.MUSIC_GENRES))
    _music(b, music_budget)
    return b.cat


# -- screen ------------------------------------------------------------------------------------
def _director(b: _Builder, genre: str, moroccan: bool | None = None) -> dict:
    moroccan = bool(b.rng.random() < 0.5) if moroccan is None else moroccan
    if genre in ("ramadan-sitcom", "amazigh-drama"):
        moroccan = True
    return b.creator(
        "director", genre, moroccan=moroccan, debut_year=int(b.rng.integers(1975, 2023))
    )


def _episodes(
    b: _Builder,
    series: dict,
    season: dict,
    count: int,
    first_day: date,
    daily: bool,
    minutes: tuple[int, int],
) -> None:
    creator = {
        "creator_id": series["creator_ids"][0],
        "country": series["country"],
        "region": series["region"],
    }
    # Episodes of a later season carry its name ("X - Season 2 - Episode 1"): no two episodes share
    # one.
    base = series["name"] if season["title_id"].endswith("-1") else season["name"]
    for k in range(1, count + 1):
        release = first_day + timedelta(days=k - 1) if daily else first_day
        row = b.title(
            "episode",
            series["genres"][0],
            creator,
            release,
            parent=season,
            name=(part_name(base, series["original_language"], "episode", k), {}),
            duration=int(b.rng.integers(*minutes)) * 60,
            genres=series["genres"],
            themes=series["themes"],
            prefix=f"{season['title_id']}e",
            width=2,
        )
        b.cat.episodes.setdefault(series["title_id"], []).append(
            (row["title_id"], b.tl.index(release), row["duration_s"])
        )


def _one_series(
    b: _Builder,
    genre: str,
    seasons: list[date],
    episodes: int,
    *,
    ramadan_year: int = 0,
    daily: bool = False,
    minutes: tuple[int, int] = (25, 46),
) -> dict:
    director = _director(b, genre)
    genres = ["ramadan-sitcom", "comedy"] if genre == "ramadan-sitcom" else [genre]
    themes = ["ramadan", "family-ties"] if ramadan_year else None
    series = b.title(
        "series",
        genre,
        director,
        seasons[0],
        duration=0,
        genres=genres,
        themes=themes,
        prefix="s",
        width=3,
    )
    for number, first_day in enumerate(seasons, start=1):
        season = b.title(
            "season",
            genre,
            director,
            first_day,
            parent=series,
            name=(part_name(series["name"], series["original_language"], "season", number), {}),
            duration=0,
            genres=genres,
            themes=series["themes"],
            prefix=f"{series['title_id']}-",
            width=1,
        )
        _episodes(b, series, season, episodes, first_day, daily, minutes)
    b.unit(series, genre, pop_shift=1.0, ramadan_year=ramadan_year)
    return series


def _ramadan_series(b: _Builder, per_ramadan: int) -> None:
    """Series made for each Ramadan: released on 1 Ramadan, one episode a night.

    The Ramadan before the window gets a season too, so that the first Ramadan in
    the window has a previous one to compare against in the catalogue.
    """
    before = b.tl.start - timedelta(days=1)
    previous = [
        r for r in ramadans_between(before - timedelta(days=400), before) if r.end < b.tl.start
    ][-1:]
    for ramadan in previous + b.tl.ramadans:
        if ramadan.start >= b.tl.end:
            continue
        nights = (ramadan.end - ramadan.start).days + 1
        for i in range(per_ramadan):
            genre = (
                "ramadan-sitcom"
                if i % 2 == 0 or per_ramadan == 1
                else str(b.rng.choice(["drama", "social-drama"]))
            )
            series = _one_series(
                b,
                genre,
                [ramadan.start],
                nights,
                ramadan_year=ramadan.hijri_year,
                daily=True,
                minutes=(15, 31) if genre == "ramadan-sitcom" else (35, 46),
            )
            if ramadan in b.tl.ramadans:
                b.cat.ramadan_series.setdefault(ramadan.hijri_year, []).append(series["title_id"])


def _series(b: _Builder, count: int) -> None:
    genres = tuple(
        g for g in tastes.SCREEN_GENRES if g not in ("ramadan-sitcom", "documentary", "children")
    )
    p = genre_weights(genres)
    for _ in range(count):
        genre = str(b.rng.choice(genres, p=p))
        first = b.back_catalogue_date(newest=0.2)
        n_seasons = int(b.rng.integers(1, 4))
        seasons = [first + timedelta(days=365 * s) for s in range(n_seasons)]
        seasons = [s for s in seasons if s < b.tl.end - timedelta(days=30)] or [first]
        _one_series(b, genre, seasons, int(b.rng.integers(8, 13)))


def _films(b: _Builder, films: int, documentaries: int, shorts: int) -> None:
    genres = tuple(g for g in tastes.SCREEN_GENRES if g != "ramadan-sitcom")
    picks = list(genres) + list(
        b.rng.choice(genres, size=max(films - len(genres), 0), p=genre_weights(genres))
    )
    directors: list[dict] = []
    for genre in picks:
        genre = str(genre)
        if directors and b.rng.random() < 0.35:
            director = directors[int(b.rng.integers(len(directors)))]
        else:
            director = _director(b, genre)
            directors.append(director)
        genres_ = [genre] + (
            [SECONDARY_SCREEN[genre]] if genre in SECONDARY_SCREEN and b.rng.random() < 0.4 else []
        )
        film = b.title(
            "film",
            genre,
            director,
            b.back_catalogue_date(),
            duration=int(b.rng.integers(80, 131)) * 60,
            genres=genres_,
            prefix="f",
            width=4,
        )
        if film["country"] != "MA" and b.rng.random() < 0.08:  # licensed for a few regions only
            film["available_regions"] = sorted(
                str(r) for r in b.rng.choice(taxonomy.REGION_IDS, 5, replace=False)
            )
        b.unit(film, genre)
    for kind, count, minutes in (
        ("documentary", documentaries, (50, 91)),
        ("short", shorts, (5, 21)),
    ):
        for _ in range(count):
            genre = (
                "documentary"
                if kind == "documentary"
                else str(b.rng.choice(["drama", "comedy", "social-drama"]))
            )
            row = b.title(
                kind,
                genre,
                _director(b, genre, moroccan=True),
                b.back_catalogue_date(),
                duration=int(b.rng.integers(*minutes)) * 60,
                prefix="d" if kind == "documentary" else "x",
                width=4,
            )
            b.unit(row, genre)


def _podcasts(b: _Builder, count: int) -> None:
    for i in range(count):
        genre = "comedy" if i % 2 == 0 else "documentary"
        host = b.creator("host", genre, moroccan=True, debut_year=int(b.rng.integers(2015, 2023)))
        row = b.title(
            "podcast",
            genre,
            host,
            b.back_catalogue_date(),
            duration=int(b.rng.integers(20, 61)) * 60,
            themes=["football"] if i % 3 == 0 else None,
            prefix="p",
            width=3,
        )
        b.unit(row, genre)


# -- music -------------------------------------------------------------------------------------
def _album(
    b: _Builder,
    artist: dict,
    genre: str,
    release: date,
    tracks: int,
    *,
    emerging: int = -1,
    pop_shift: float = 0.0,
    single: bool = False,
) -> list[dict]:
    album = None
    if not single:
        album = b.title("album", genre, artist, release, duration=0, prefix="a", width=4)
    rows = []
    for _ in range(tracks):
        row = b.title(
            "track",
            genre,
            artist,
            release,
            parent=album,
            duration=int(b.rng.integers(150, 331)),
            language=album["original_language"] if album else None,
            prefix=f"{album['title_id']}-" if album else "tk",
            width=2 if album else 5,
        )
        b.unit(row, genre, emerging=emerging, pop_shift=pop_shift)
        rows.append(row)
    if album:
        album["duration_s"] = sum(r["duration_s"] for r in rows)
    return rows


def _music(b: _Builder, budget: int) -> None:
    genres = tastes.MUSIC_GENRES
    n_artists = max(len(genres), budget // 9)
    picks = list(genres) + list(
        b.rng.choice(genres, size=n_artists - len(genres), p=genre_weights(genres))
    )
    shares = b.rng.lognormal(0, 0.8, size=len(picks))
    sizes = np.maximum(1, np.floor(shares / shares.sum() * budget * 0.9)).astype(int)
    for genre, size in zip(picks, sizes):
        genre = str(genre)
        artist = b.creator(
            str(b.rng.choice(["artist", "band"], p=[0.8, 0.2])),
            genre,
            moroccan=bool(
                b.rng.random() < (0.5 if genre in ("jazz", "classical", "electronic") else 0.95)
            ),
            debut_year=int(b.rng.integers(1970, 2023)),
            stage=genre in ("rap", "trap"),
        )
        remaining = int(size)
        while remaining > 0:
            if remaining >= 5 and b.rng.random() < 0.7:
                n = min(remaining, int(b.rng.integers(6, 13)))
                _album(b, artist, genre, b.back_catalogue_date(), n)
            else:
                n = 1
                _album(b, artist, genre, b.back_catalogue_date(), 1, single=True)
            remaining -= n


def _emerging(b: _Builder, count: int) -> None:
    """Moroccan artists who debut in the window's last two years and whose audience grows."""
    tl = b.tl
    for i in range(count):
        genre = EMERGING_GENRES[i % len(EMERGING_GENRES)]
        late = i % 3 == 2
        first_release = tl.start + timedelta(
            days=int(b.rng.integers(60, 200)) + (300 if late else 0)
        )
        # debut in the window's last two calendar years, with at least six months to grow
        first_release = max(
            min(first_release, tl.end - timedelta(days=180)), date(tl.end.year - 1, 1, 1)
        )
        artist = b.creator(
            "artist",
            genre,
            moroccan=True,
            debut_year=first_release.year,
            stage=genre in ("rap", "trap"),
        )
        release = first_release
        tracks: list[str] = []
        while release < tl.end - timedelta(days=14):
            rows = _album(b, artist, genre, release, 1, emerging=i, single=True)
            tracks += [r["title_id"] for r in rows]
            release += timedelta(days=int(b.rng.integers(60, 150)))
        b.cat.emerging.append(
            {
                "creator_id": artist["creator_id"],
                "name": artist["name"],
                "genre": genre,
                "region": artist["region"],
                "debut_year": artist["debut_year"],
                "first_release": first_release.isoformat(),
                "monthly_log_growth": EMERGING_MONTHLY_GROWTH,
                "title_ids": tracks,
            }
        )

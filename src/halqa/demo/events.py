"""Who plays what, when: the demo world's events, generated a chunk of days at a time.

Each play is drawn in three vectorised steps: music or screen (the member's own
balance, tilted towards screens in Ramadan), a genre (the member's genre taste
plus the planted age/region/language effects and the time-varying ones: the
rising genre, the Gnaoua festival, Ramadan), then a title inside that genre by
Gumbel-max over popularity + member x title latent taste + language match +
release, recency, Ramadan-series and emerging-artist effects. A series pick
becomes one of its released episodes. Plays then expand into the events a
service logs (play/listen/view, complete, skip, like, share, add_to_list, rate).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from typing import TypedDict

import numpy as np
import pyarrow as pa

from halqa.catalog import taxonomy
from halqa.demo import tastes
from halqa.demo.calendar import HOUR_PROFILES, Timeline
from halqa.demo.catalogue import GENRES, LANG_CLASSES, Catalogue
from halqa.demo.people import SPOKEN, Members


class Rising(TypedDict):
    """The planted riser: a genre whose odds grow to ``multiplier_at_end`` in one segment."""

    genre: str
    age_band: str
    region: str
    multiplier_at_end: float


class Festival(TypedDict):
    """The planted festival: its genre's plays multiplied, most in its own region."""

    genre: str
    region: str
    boost_nationwide: float
    boost_region: float


RISING: Rising = {
    "genre": "trap",
    "age_band": "18-24",
    "region": "casablanca-settat",
    "multiplier_at_end": 5.0,
}
FESTIVAL: Festival = {
    "genre": "gnawa",
    "region": "marrakech-safi",
    "boost_nationwide": 5.0,
    "boost_region": 15.0,
}
RAMADAN_GENRE_BOOST = {
    "ramadan-sitcom": 8.0,
    "drama": 1.5,
    "social-drama": 1.5,
    "family": 1.5,
    "comedy": 1.3,
    "historical": 1.5,
}
RAMADAN_SCREEN_ODDS = 1.8  # music/screen odds tilt towards screens in Ramadan
RAMADAN_SERIES_OWN_YEAR = 1.8  # log boost of a Ramadan series during its own Ramadan
EMERGING_START = -1.5  # emerging artists start below the genre's median pull...
RECENCY_BUMP = 1.2  # ...other new releases get a bump that fades (45-day scale)
SCREEN_DEVICES = (("tv", 0.35), ("mobile", 0.42), ("web", 0.13), ("tablet", 0.10))
MUSIC_DEVICES = (("mobile", 0.80), ("web", 0.10), ("tv", 0.04), ("tablet", 0.03), ("radio", 0.03))
SOURCES = (
    ("home", 0.38),
    ("search", 0.17),
    ("recommendation", 0.30),
    ("external", 0.10),
    ("campaign", 0.05),
)
EVENT_TYPES = ("play", "listen", "view", "complete", "skip", "like", "share", "add_to_list", "rate")
SCHEMA = pa.schema(
    [
        ("member_id", pa.string()),
        ("title_id", pa.string()),
        ("event_type", pa.string()),
        ("ts", pa.timestamp("us")),
        ("value", pa.float64()),
        ("device", pa.string()),
        ("source", pa.string()),
    ]
)


@dataclass
class Units:
    """Column arrays over the units members pick (films, tracks, series, podcasts...)."""

    ids: list[str]
    genre: np.ndarray
    logpop: np.ndarray
    latent: np.ndarray
    lang: np.ndarray
    release_day: np.ndarray
    music: np.ndarray
    kind: np.ndarray
    duration: np.ndarray
    emerging: np.ndarray
    ramadan_year: np.ndarray
    min_age: np.ndarray  # first age band allowed
    region_ok: np.ndarray  # (12, n_units) bool

    @classmethod
    def from_catalogue(cls, cat: Catalogue) -> Units:
        u = cat.units
        region_ok = np.ones((len(taxonomy.REGION_IDS), len(u)), dtype=bool)
        for j, unit in enumerate(u):
            if unit["available_regions"]:
                region_ok[:, j] = [r in unit["available_regions"] for r in taxonomy.REGION_IDS]
        lang_class = {
            "ary": 0,
            "ary-Latn": 0,
            "ar": 1,
            "fr": 2,
            "zgh": 3,
            "en": 4,
            "es": 5,
            "mey": 6,
            "zxx": 7,
        }
        return cls(
            ids=[x["title_id"] for x in u],
            genre=np.array([GENRES.index(x["genre"]) for x in u]),
            logpop=np.array([x["logpop"] for x in u]),
            latent=np.array([x["latent"] for x in u]),
            lang=np.array([lang_class[x["language"]] for x in u]),
            release_day=np.array([x["release_day"] for x in u]),
            music=np.array([x["music"] for x in u]),
            kind=np.array([x["kind"] for x in u], dtype=object),
            duration=np.array([x["duration_s"] for x in u], float),
            emerging=np.array([x["emerging"] for x in u]),
            ramadan_year=np.array([x["ramadan_year"] for x in u]),
            min_age=np.array([1 if x["age_rating"] == "18+" else 0 for x in u]),
            region_ok=region_ok,
        )


def member_genre_taste(rng: np.random.Generator, members: Members) -> np.ndarray:
    """(members, genres) log-affinity: base + age + region + language + gender + own noise."""
    n = len(members.region_idx)
    taste = np.tile(np.array([tastes.GENRE_BASE[g] for g in GENRES]), (n, 1))
    col = {g: i for i, g in enumerate(GENRES)}
    frame = members.frame

    def add(mask: np.ndarray | np.bool_, effects: Mapping[str, float]) -> None:
        for genre, effect in effects.items():
            taste[mask, col[genre]] += effect

    for band, effects in tastes.AGE_TASTE.items():
        add(frame["age_band"].to_numpy() == band, effects)
    for region, effects in tastes.REGION_TASTE.items():
        add(frame["region"].to_numpy() == region, effects)
    for gender, effects in tastes.GENDER_TASTE.items():
        add(frame["gender"].to_numpy() == gender, effects)
    speaks = members.speaks
    amazigh = speaks[:, [SPOKEN.index(t) for t in ("zgh", "shi", "tzm", "rif")]].any(axis=1)
    add(amazigh, tastes.LANGUAGE_TASTE["amazigh"])
    for tag in ("shi", "zgh", "tzm", "rif", "mey", "fr", "en"):
        add(speaks[:, SPOKEN.index(tag)], tastes.LANGUAGE_TASTE[tag])
    return taste + rng.normal(0, tastes.MEMBER_GENRE_NOISE, taste.shape)


def member_language_score(members: Members) -> np.ndarray:
    """(members, LANG_CLASSES): match bonus, neutral, or miss penalty for a title's language."""
    s = members.speaks
    has = {t: s[:, SPOKEN.index(t)] for t in SPOKEN}
    amazigh = has["zgh"] | has["shi"] | has["tzm"] | has["rif"]
    hit, miss = tastes.LANGUAGE_MATCH, tastes.LANGUAGE_MISS
    cols = [
        np.where(has["ary"], hit, miss),
        np.where(has["ar"], hit, np.where(has["ary"], 0.0, miss)),
        np.where(has["fr"], hit, miss),
        np.where(amazigh, hit + 0.4, miss),
        np.where(has["en"], hit, miss),
        np.where(has["es"], hit, miss),
        np.where(has["mey"], hit, np.where(has["ary"], 0.0, miss)),
        np.zeros(len(s)),
    ]
    assert len(cols) == len(LANG_CLASSES)
    return np.stack(cols, axis=1)


def _pick(rng: np.random.Generator, values: tuple[tuple[str, float], ...], n: int) -> np.ndarray:
    p = np.array([v[1] for v in values])
    return rng.choice(len(values), size=n, p=p / p.sum())


def _gumbel_argmax(rng: np.random.Generator, logits: np.ndarray) -> np.ndarray:
    """One draw per row from softmax(logits); -inf entries are never drawn."""
    u = np.clip(
        rng.random(logits.shape, dtype=np.float32), 1e-7, 1 - 1e-7
    )  # float32 draws can be exactly 0
    g = -np.log(-np.log(u))
    return np.argmax(logits + g, axis=1)


class EventModel:
    """Everything fixed about the world that the per-chunk generator needs."""

    def __init__(
        self, rng: np.random.Generator, members: Members, cat: Catalogue, timeline: Timeline
    ) -> None:
        self.rng, self.members, self.cat, self.tl = rng, members, cat, timeline
        self.units = Units.from_catalogue(cat)
        self.lang_score = member_language_score(members).astype(np.float32)
        scale = tastes.TITLE_TASTE_SCALE / np.sqrt(tastes.LATENT_DIM * (1.0 + 0.25 + 0.49))
        self.member_latent = rng.normal(
            0, scale, (len(members.region_idx), tastes.LATENT_DIM)
        ).astype(np.float32)
        centroids = np.stack([cat.centroids[g] for g in GENRES]).astype(np.float32)
        self.taste = (
            member_genre_taste(rng, members)
            + tastes.GENRE_LATENT_WEIGHT * self.member_latent @ centroids.T
        ).astype(np.float32)
        self.rising_member = (members.age_idx == taxonomy.AGE_BANDS.index(RISING["age_band"])) & (
            members.region_idx == taxonomy.REGION_IDS.index(RISING["region"])
        )
        self.festival_boost = np.where(
            members.region_idx == taxonomy.REGION_IDS.index(FESTIVAL["region"]),
            FESTIVAL["boost_region"],
            FESTIVAL["boost_nationwide"],
        )
        self.by_genre = [np.flatnonzero(self.units.genre == g) for g in range(len(GENRES))]
        self.music_cols = np.array([g in tastes.MUSIC_GENRES for g in GENRES])
        self.first_release = {
            e: timeline.index(date.fromisoformat(info["first_release"]))
            for e, info in enumerate(cat.emerging)
        }
        self.episodes = {
            sid: (
                np.array([e[0] for e in eps], dtype=object),
                np.array([e[1] for e in eps]),
                np.array([e[2] for e in eps], float),
            )
            for sid, eps in cat.episodes.items()
        }
        self.title_ids = pa.array(
            self.units.ids + [e for eps in cat.episodes.values() for e, _, _ in eps]
        )
        self.episode_base = {}
        offset = len(self.units.ids)
        for sid, eps in cat.episodes.items():
            self.episode_base[sid] = offset
            offset += len(eps)
        self.member_ids = pa.array(members.frame["member_id"].tolist())
        self.episode_seconds = np.array(
            [secs for eps in cat.episodes.values() for _, _, secs in eps], float
        )

    # -- per-day time effects ------------------------------------------------------------------
    def unit_time_effects(self, days: np.ndarray) -> np.ndarray:
        """(len(days), units) additive log effects: release, recency, Ramadan series,
        emerging growth."""
        u, d = self.units, days[:, None]
        since = d - u.release_day[None, :]
        effect = np.where(since < 0, -np.inf, 0.0)
        fresh = (u.release_day >= 0) & (u.emerging < 0)
        effect += np.where(
            fresh[None, :] & (since >= 0), RECENCY_BUMP * np.exp(-np.maximum(since, 0) / 45.0), 0.0
        )
        if (u.emerging >= 0).any():
            first = np.array([self.first_release.get(e, 0) for e in u.emerging])
            months = np.maximum(d - first[None, :], 0) / 30.44
            effect += np.where((u.emerging >= 0)[None, :], EMERGING_START + 0.15 * months, 0.0)
        ram_year = self.tl.ramadan_year[days][:, None]
        is_ramadan_series = (u.ramadan_year > 0)[None, :]
        own = is_ramadan_series & (ram_year == u.ramadan_year[None, :])
        other_ramadan = is_ramadan_series & (ram_year > 0) & ~own
        effect += np.where(
            own,
            RAMADAN_SERIES_OWN_YEAR,
            np.where(other_ramadan, 0.3, np.where(is_ramadan_series, -0.5, 0.0)),
        )
        return effect.astype(np.float32)

    def genre_time_effects(self, members: np.ndarray, days: np.ndarray) -> np.ndarray:
        """(n, genres) log effects of the rising genre, the festival and Ramadan for each play."""
        effect = np.zeros((len(members), len(GENRES)), dtype=np.float32)
        tl = self.tl
        rising = GENRES.index(RISING["genre"])
        mult = 1.0 + (RISING["multiplier_at_end"] - 1.0) * tl.rise[days]
        effect[:, rising] += np.where(self.rising_member[members], np.log(mult), 0.0)
        fest = tl.festival[days]
        effect[:, GENRES.index(FESTIVAL["genre"])] += np.log1p(
            (self.festival_boost[members] - 1.0) * fest
        )
        ramadan = tl.ramadan_day[days]
        for genre, boost in RAMADAN_GENRE_BOOST.items():
            effect[:, GENRES.index(genre)] += np.where(ramadan, np.log(boost), 0.0)
        return effect

    # -- one chunk -----------------------------------------------------------------------------
    def plays(self, day_counts: dict[int, int]) -> dict[str, np.ndarray]:
        """Draw member, unit, episode and UTC second for each play of the given days."""
        rng, m = self.rng, self.members
        days_list, members_list = [], []
        for day_number, count in day_counts.items():
            weights = np.where(m.joined_day <= day_number, m.activity, 0.0)
            cum = np.cumsum(weights)
            members_list.append(
                np.minimum(
                    np.searchsorted(cum, rng.random(count) * cum[-1], side="right"), len(cum) - 1
                )
            )
            days_list.append(np.full(count, day_number))
        member = np.concatenate(members_list)
        day = np.concatenate(days_list)
        ramadan = self.tl.ramadan_day[day]
        p_music = m.music_share[member]
        odds = p_music / (1 - p_music) / np.where(ramadan, RAMADAN_SCREEN_ODDS, 1.0)
        music = rng.random(len(member)) < odds / (1 + odds)
        logits = self.taste[member] + self.genre_time_effects(member, day)
        logits[music[:, None] & ~self.music_cols[None, :]] = -np.inf
        logits[~music[:, None] & self.music_cols[None, :]] = -np.inf
        genre = _gumbel_argmax(rng, logits)
        unit = self._titles_in_genres(member, day, genre)
        return {"member": member, "day": day, "unit": unit, "music": music}

    def _titles_in_genres(
        self, member: np.ndarray, day: np.ndarray, genre: np.ndarray
    ) -> np.ndarray:
        rng, u = self.rng, self.units
        first_day = int(day.min())
        time_eff = self.unit_time_effects(np.arange(first_day, int(day.max()) + 1))
        unit = np.full(len(member), -1)
        age = self.members.age_idx[member]
        region = self.members.region_idx[member]
        for g in np.unique(genre):
            rows = np.flatnonzero(genre == g)
            cands = self.by_genre[g]
            for start in range(0, len(rows), 20_000):
                r = rows[start : start + 20_000]
                mem = member[r]
                logits = (
                    u.logpop[cands][None, :].astype(np.float32)
                    + self.member_latent[mem] @ u.latent[cands].T.astype(np.float32)
                    + self.lang_score[mem][:, u.lang[cands]]
                    + time_eff[day[r] - first_day][:, cands]
                )
                logits[age[r][:, None] < u.min_age[cands][None, :]] = -np.inf
                logits[~u.region_ok[region[r]][:, cands]] = -np.inf
                # a member whose genre has no title yet (all unreleased) falls back to the genre's
                # oldest
                dead = ~np.isfinite(logits.max(axis=1))
                logits[dead, np.argmin(u.release_day[cands])] = 0.0
                unit[r] = cands[_gumbel_argmax(rng, logits)]
        return unit

    def hours(self, music: np.ndarray, day: np.ndarray) -> np.ndarray:
        """UTC seconds since the window start for each play (local hour profile,
        Moroccan offset)."""
        rng = self.rng
        ramadan = self.tl.ramadan_day[day]
        hour = np.empty(len(day), dtype=np.int64)
        for key, profile in HOUR_PROFILES.items():
            mask = (music == key[0]) & (ramadan == key[1])
            hour[mask] = rng.choice(24, size=int(mask.sum()), p=profile)
        local = day.astype(np.int64) * 86_400 + hour * 3600 + rng.integers(0, 3600, size=len(day))
        return np.maximum(local - self.tl.utc_offset_hours()[day] * 3600, 0)


def day_event_targets(rng: np.random.Generator, timeline: Timeline, total: int) -> np.ndarray:
    return rng.multinomial(total, timeline.day_weights())


def chunk_days(targets: np.ndarray, per_chunk: int) -> Iterator[list[int]]:
    """Consecutive days grouped so that each group holds about ``per_chunk`` events."""
    group: list[int] = []
    size = 0
    for day, count in enumerate(targets):
        group.append(day)
        size += int(count)
        if size >= per_chunk:
            yield group
            group, size = [], 0
    if group:
        yield group

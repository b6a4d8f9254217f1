"""Two titles that are *not* in the catalogue, for targeting: an Amazigh music release and a
Ramadan comedy series. Each is a JSON object with the canonical title fields, except that the
original language is under ``language``: the key `halqa audience target --title` files use (it
refuses ``original_language``)."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from hijridate import Hijri

from halqa.catalog.tifinagh import to_tifinagh
from halqa.demo.calendar import Timeline
from halqa.demo.catalogue import Catalogue

AMAZIGH_FILE = "new_release_amazigh_music.json"
RAMADAN_FILE = "new_release_ramadan_series.json"


def _creator_of(cat: Catalogue, genres: tuple[str, ...], region: str | None) -> str | None:
    for creator in cat.creators:
        if (
            creator["genre"] in genres
            and creator["country"] == "MA"
            and (region is None or creator["region"] == region)
        ):
            return creator["creator_id"]
    return None


def amazigh_release(cat: Catalogue, tl: Timeline) -> dict:
    creator = _creator_of(cat, ("amazigh-pop", "ahwash"), "souss-massa") or _creator_of(
        cat, ("amazigh-pop",), None
    )
    latin = "tayri n tmazirt"
    return {
        "title_id": "new-zgh-0001",
        "kind": "track",
        "parent_id": None,
        "name": to_tifinagh(latin),
        "language": "zgh",
        "names": {
            "zgh-Latn": "Tayri n tmazirt",
            "fr": "L'amour du pays",
            "en": "Love of the Homeland",
            "ar": "حب البلاد",
        },
        "synopses": {
            "fr": "Pop amazighe du Souss : l'amour et l'identité amazighe, Souss-Massa.",
            "ar": "البوب الأمازيغي: الحب والهوية الأمازيغية في سوس - ماسة.",
            "zgh": " · ".join(to_tifinagh(w) for w in ("tayri", "tamazɣa", "tamazirt")),
        },
        "genres": ["amazigh-pop"],
        "themes": ["amazigh-identity", "love"],
        "release_date": (tl.end + timedelta(days=14)).isoformat(),
        "duration_s": 246,
        "age_rating": "all",
        "country": "MA",
        "region": "souss-massa",
        "creator_ids": [creator] if creator else [],
        "available_regions": None,
    }


def ramadan_release(cat: Catalogue, tl: Timeline) -> dict:
    year = max((r.hijri_year for r in tl.ramadans), default=1447) + 1
    first = Hijri(year, 9, 1).to_gregorian()
    directors = {
        t["creator_ids"][0]
        for t in cat.titles
        if t["kind"] == "series" and "ramadan-sitcom" in t["genres"]
    }
    return {
        "title_id": "new-ary-series-0001",
        "kind": "series",
        "parent_id": None,
        "name": "دار الفطور",
        "language": "ary",
        "names": {"ary-Latn": "Dar lftour", "fr": "La maison du ftour", "en": "The Iftar House"},
        "synopses": {
            "fr": (
                "Sitcom du Ramadan : "
                "une famille de Casablanca et ses voisins, chaque soir au ftour."
            ),
            "ar": "سيتكوم رمضان: عائلة من الدار البيضاء وجيرانها كل مساء عند الإفطار.",
            "ary": "سيتكوم ديال رمضان على عائلة من كازا وجيرانها، كل عشية ف الفطور.",
        },
        "genres": ["ramadan-sitcom", "comedy"],
        "themes": ["ramadan", "family-ties"],
        "release_date": f"{first.year:04d}-{first.month:02d}-{first.day:02d}",
        "duration_s": 1500,
        "age_rating": "all",
        "country": "MA",
        "region": "casablanca-settat",
        "creator_ids": sorted(directors)[:1],
        "available_regions": None,
    }


def new_releases(cat: Catalogue, tl: Timeline, out: Path) -> dict[str, Path]:
    files = {}
    for key, name, build in (
        ("amazigh_music", AMAZIGH_FILE, amazigh_release),
        ("ramadan_series", RAMADAN_FILE, ramadan_release),
    ):
        path = out / name
        path.write_text(
            json.dumps(build(cat, tl), ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
        files[key] = path
    return files

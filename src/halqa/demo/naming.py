"""Names and synopses for demo titles and creators, each in its own script with translations.

A name is returned as ``(name, {tag: translation})``: ``name`` is in the title's
original language and script, the dict holds the other renderings, keyed by BCP-47.
"""

from __future__ import annotations

import numpy as np

from halqa.catalog import taxonomy
from halqa.catalog.tifinagh import to_tifinagh
from halqa.demo import vocab

_GENRE_LABELS = {t.id: t for t in taxonomy.MUSIC_GENRES + taxonomy.SCREEN_GENRES}
_REGIONS = {r.id: r for r in taxonomy.REGIONS}
_SPANISH = (
    "El Último Verano",
    "La Frontera",
    "Noches de Tánger",
    "El Estrecho",
    "La Travesía",
    "Arena",
)


def title_name(rng: np.random.Generator, language: str) -> tuple[str, dict[str, str]]:
    """A fresh title name in ``language`` with its translations."""
    if language in ("ary", "ary-Latn", "mey"):
        word = vocab.DARIJA_WORDS[rng.integers(len(vocab.DARIJA_WORDS))]
        if rng.random() < 0.35:  # "X w Y": two words joined by "and"
            other = vocab.DARIJA_WORDS[rng.integers(len(vocab.DARIJA_WORDS))]
            word = (
                f"{word[0]} و{other[0]}",
                f"{word[1]} w {other[1]}",
                f"{word[2]} et {other[2].lower()}",
                f"{word[3]} and {other[3]}",
            )
        arabic, latin, fr, en = word
        latin = latin[:1].upper() + latin[1:]
        if language == "ary-Latn":
            return latin, {"ary": arabic, "fr": fr, "en": en}
        return arabic, {"ary-Latn": latin, "fr": fr, "en": en}
    if language == "ar":
        noun = vocab.ARABIC_NOUNS[rng.integers(len(vocab.ARABIC_NOUNS))]
        place = vocab.ARABIC_PLACES[rng.integers(len(vocab.ARABIC_PLACES))]
        return f"{noun[0]} {place[0]}", {
            "fr": f"{noun[1]} {place[1]}",
            "en": f"{noun[2]} {place[2]}",
        }
    if language == "zgh":
        latin, fr, en = vocab.TAMAZIGHT_WORDS[rng.integers(len(vocab.TAMAZIGHT_WORDS))]
        if rng.random() < 0.3:
            joined = vocab.TAMAZIGHT_WORDS[rng.integers(len(vocab.TAMAZIGHT_WORDS))]
            latin, fr, en = (
                f"{latin} d {joined[0]}",
                f"{fr} et {joined[1].lower()}",
                f"{en} and {joined[2]}",
            )
        return to_tifinagh(latin), {"zgh-Latn": latin.capitalize(), "fr": fr, "en": en}
    if language == "fr":
        french = vocab.FRENCH_NOUNS[rng.integers(len(vocab.FRENCH_NOUNS))]
        return f"{french} {vocab.FRENCH_PLACES[rng.integers(len(vocab.FRENCH_PLACES))]}", {}
    if language == "es":
        return _SPANISH[rng.integers(len(_SPANISH))], {}
    adj = vocab.ENGLISH_ADJS[rng.integers(len(vocab.ENGLISH_ADJS))]
    return f"The {adj} {vocab.ENGLISH_NOUNS[rng.integers(len(vocab.ENGLISH_NOUNS))]}", {}


def part_name(parent: str, language: str, kind: str, number: int) -> str:
    """Name of season/episode ``number`` of ``parent``, in the parent's language."""
    if language in ("ary", "ar", "mey"):
        word = "الموسم" if kind == "season" else "الحلقة"
        return f"{parent} - {word} {number}"
    if language == "fr":
        return f"{parent} - {'Saison' if kind == 'season' else 'Épisode'} {number}"
    if language == "zgh":
        return f"{parent} - {number}"
    return f"{parent} - {'Season' if kind == 'season' else 'Episode'} {number}"


def synopses(language: str, genre: str, themes: list[str], region: str | None) -> dict[str, str]:
    """Short synopses from the genre, themes and region: French and Arabic always,
    plus the own language."""
    label = _GENRE_LABELS[genre]
    words = [vocab.THEME_WORDS[t] for t in themes[:2]] or [vocab.THEME_WORDS["heritage"]]
    place = _REGIONS.get(region or "")
    fr_place = f", {place.fr}" if place else ""
    ar_place = f" في {place.ar}" if place else ""
    out = {
        "fr": f"{label.fr} : {' et '.join(w[2] for w in words)}{fr_place}.",
        "ar": f"{label.ar}: {' و'.join(w[1] for w in words)}{ar_place}.",
    }
    if language in ("ary", "ary-Latn", "mey"):
        out["ary"] = f"قصة على {' و'.join(w[0] for w in words)}{' ف ' + place.ar if place else ''}."
    elif language == "zgh":  # keywords, not prose: the Tamazight words of the themes
        out["zgh"] = " · ".join(to_tifinagh(w[4]) for w in words)
    elif language == "en":
        out["en"] = (
            f"{label.en}: {' and '.join(w[3] for w in words)}{', ' + place.fr if place else ''}."
        )
    return out


def person_name(rng: np.random.Generator, amazigh: bool) -> tuple[str, dict[str, str]]:
    """A Moroccan creator's name in Latin script with Arabic (and Tifinagh for Amazigh names)."""
    if amazigh:
        first = vocab.AMAZIGH_FIRST_NAMES[rng.integers(len(vocab.AMAZIGH_FIRST_NAMES))]
        last = vocab.AMAZIGH_LAST_NAMES[rng.integers(len(vocab.AMAZIGH_LAST_NAMES))]
        return f"{first[1]} {last[1]}", {
            "ar": f"{first[2]} {last[2]}",
            "zgh": to_tifinagh(f"{first[0]} {last[0]}"),
        }
    given = vocab.FIRST_NAMES[rng.integers(len(vocab.FIRST_NAMES))]
    family = vocab.LAST_NAMES[rng.integers(len(vocab.LAST_NAMES))]
    return f"{given[0]} {family[0]}", {"ar": f"{given[1]} {family[1]}"}


def stage_name(rng: np.random.Generator) -> str:
    prefix = vocab.STAGE_PREFIXES[rng.integers(len(vocab.STAGE_PREFIXES))]
    return f"{prefix}{vocab.STAGE_WORDS[rng.integers(len(vocab.STAGE_WORDS))]}"

"""Breakdown of a screenplay: scenes, characters, locations, tagged production notes, the
stripboard order and the language mix per character and per scene.

Production items are tagged in Fountain notes as ``[[category: item]]`` (``[[prop: teapot]]``,
``[[costume: caftan]]``, ``[[vfx: rain]]``); several items may share a note, separated by
commas. Plural categories count as singular (``props`` = ``prop``).
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from dataclasses import dataclass, field

from halqa.studio.script.language import LANGUAGES, label_words
from halqa.studio.script.layout import Layout, format_eighths, paginate, runtime_estimate
from halqa.studio.script.model import CHARACTER, DIALOGUE, HEADING, LYRIC, Script

_LATIN_HEADING_RE = re.compile(
    r"^\s*(?P<ie>INT\.?\s*/\s*EXT|EXT\.?\s*/\s*INT|I/E|INT|EXT|EST)\.?\s+(?P<rest>.*)$",
    re.IGNORECASE,
)
_ARABIC_HEADING_RE = re.compile(
    r"^\s*(?P<ie>داخلي\s*/\s*خارجي|خارجي\s*/\s*داخلي|داخلي|خارجي)[.:،\s]*(?P<rest>.*)$"
)
_IE = {"داخلي": "INT", "خارجي": "EXT"}
TIMES = {
    "DAY": "day",
    "NIGHT": "night",
    "MORNING": "morning",
    "EVENING": "evening",
    "DAWN": "dawn",
    "DUSK": "dusk",
    "SUNSET": "dusk",
    "SUNRISE": "dawn",
    "CONTINUOUS": "continuous",
    "LATER": "later",
    "JOUR": "day",
    "NUIT": "night",
    "نهار": "day",
    "ليل": "night",
    "صباح": "morning",
    "مساء": "evening",
    "فجر": "dawn",
    "غروب": "dusk",
}
TIME_ORDER = ("dawn", "morning", "day", "dusk", "evening", "night")
CATEGORY_ALIASES = {
    "props": "prop",
    "costumes": "costume",
    "wardrobe": "costume",
    "fx": "vfx",
    "sfx": "sfx",
    "vehicles": "vehicle",
    "animals": "animal",
    "extras": "extra",
    "makeup": "makeup",
}
_TAG_RE = re.compile(r"^\s*([A-Za-z][A-Za-z \-]*?)\s*:\s*(.+?)\s*$", re.DOTALL)


@dataclass
class Scene:
    ordinal: int  # 0-based order in the script
    number: str  # the printed scene number (#12A# or the ordinal + 1)
    heading: str
    int_ext: str | None
    location: str
    time: str | None  # normalised: day, night, ...
    cast: list[str] = field(default_factory=list)
    items: dict[str, list[str]] = field(default_factory=dict)  # category -> tagged items
    words: int = 0
    languages: dict[str, int] = field(default_factory=dict)
    eighths: int = 0
    page: int = 1


def parse_heading(text: str) -> tuple[str | None, str, str | None]:
    """(INT/EXT, location, time of day) from a scene heading in English, French or Arabic."""
    m = _LATIN_HEADING_RE.match(text) or _ARABIC_HEADING_RE.match(text)
    if not m:
        return None, text.strip(), None
    ie = m.group("ie")
    ie = _IE.get(ie, None) or ("INT/EXT" if "/" in ie else ie.upper().rstrip("."))
    if ie in ("داخلي/خارجي", "خارجي/داخلي") or re.search(
        r"داخلي\s*/\s*خارجي|خارجي\s*/\s*داخلي", m.group("ie")
    ):
        ie = "INT/EXT"
    rest = m.group("rest").strip()
    parts = re.split(r"\s+[-–—]\s+|\s*[-–—]\s*(?=\S+$)", rest)
    time = None
    if len(parts) > 1:
        candidate = parts[-1].strip().upper() if parts[-1].isascii() else parts[-1].strip()
        if candidate in TIMES:
            time = TIMES[candidate]
            parts = parts[:-1]
    return ie, " - ".join(p.strip() for p in parts).strip(), time


def tagged_items(notes: list[str]) -> dict[str, list[str]]:
    """``[[prop: teapot, glasses]]`` -> {"prop": ["teapot", "glasses"]}; other notes are ignored."""
    items: dict[str, list[str]] = {}
    for note in notes:
        m = _TAG_RE.match(note)
        if not m:
            continue
        category = m.group(1).strip().lower()
        category = CATEGORY_ALIASES.get(category, category)
        for item in m.group(2).split(","):
            if item.strip() and item.strip() not in items.setdefault(category, []):
                items[category].append(item.strip())
    return items


def scenes(script: Script, layout: Layout | None = None) -> list[Scene]:
    layout = layout or paginate(script)
    first_page = _scene_first_pages(layout)
    out: list[Scene] = []
    current: Scene | None = None
    for el in script.elements:
        if el.kind == HEADING:
            ie, location, time = parse_heading(el.plain)
            current = Scene(
                len(out), el.scene_number or str(len(out) + 1), el.plain.strip(), ie, location, time
            )
            current.eighths = layout.scene_eighths(current.ordinal)
            current.page = first_page.get(current.ordinal, 1)
            out.append(current)
        if current is None:
            continue
        for category, values in tagged_items(el.notes).items():
            bucket = current.items.setdefault(category, [])
            bucket += [v for v in values if v not in bucket]
        if el.kind == CHARACTER and el.text not in current.cast:
            current.cast.append(el.text)
        if el.kind in (DIALOGUE, LYRIC):
            words = label_words(el.plain)
            current.words += len(words)
            for lang, n in Counter(w.language for w in words).items():
                current.languages[lang] = current.languages.get(lang, 0) + n
    return out


def _scene_first_pages(layout: Layout) -> dict[int, int]:
    pages: dict[int, int] = {}
    for page in layout.pages:
        for line in page.lines:
            if line.scene is not None:
                pages.setdefault(line.scene, page.number)
    return pages


def characters(script: Script, scene_list: list[Scene] | None = None) -> list[dict]:
    """Per speaking character: speeches ("lines"), dialogue words, scenes, first appearance,
    languages."""
    scene_list = scene_list if scene_list is not None else scenes(script)
    stats: dict[str, dict] = {}
    ordinal = -1
    speaker = None
    for el in script.elements:
        if el.kind == HEADING:
            ordinal += 1
        if el.kind == CHARACTER:
            speaker = el.text
            entry = stats.setdefault(
                speaker,
                {
                    "name": speaker,
                    "lines": 0,
                    "words": 0,
                    "scenes": [],
                    "first_scene": None,
                    "languages": Counter(),
                },
            )
            entry["lines"] += 1
            number = scene_list[ordinal].number if ordinal >= 0 else None
            if number is not None and number not in entry["scenes"]:
                entry["scenes"].append(number)
            if entry["first_scene"] is None:
                entry["first_scene"] = number
        elif el.kind in (DIALOGUE, LYRIC) and speaker:
            words = label_words(el.plain)
            stats[speaker]["words"] += len(words)
            stats[speaker]["languages"].update(w.language for w in words)
        elif el.kind not in ("parenthetical",):
            speaker = None
    out = []
    for entry in sorted(stats.values(), key=lambda e: (-e["lines"], e["name"])):
        entry["languages"] = dict(entry["languages"].most_common())
        entry["language_share"] = (
            {k: round(v / entry["words"], 3) for k, v in entry["languages"].items()}
            if entry["words"]
            else {}
        )
        out.append(entry)
    return out


def locations(scene_list: list[Scene]) -> list[dict]:
    by_place: dict[str, dict] = {}
    for s in scene_list:
        entry = by_place.setdefault(
            s.location,
            {"location": s.location, "scenes": [], "int_ext": [], "times": [], "eighths": 0},
        )
        entry["scenes"].append(s.number)
        entry["eighths"] += s.eighths
        for key, value in (("int_ext", s.int_ext), ("times", s.time)):
            if value and value not in entry[key]:
                entry[key].append(value)
    return sorted(by_place.values(), key=lambda e: (-len(e["scenes"]), e["location"]))


def stripboard(scene_list: list[Scene]) -> list[dict]:
    """Shooting order: grouped by location, then day before night, then INT/EXT,
    then script order."""

    def key(s: Scene):
        time_rank = TIME_ORDER.index(s.time) if s.time in TIME_ORDER else len(TIME_ORDER)
        return (s.location, time_rank, s.int_ext or "", s.ordinal)

    return [
        {
            "strip": i + 1,
            "scene": s.number,
            "location": s.location,
            "time": s.time,
            "int_ext": s.int_ext,
            "eighths": format_eighths(s.eighths),
            "cast": s.cast,
        }
        for i, s in enumerate(sorted(scene_list, key=key))
    ]


def breakdown(script: Script, *, paper: str = "letter", profile: str | None = None) -> dict:
    """The whole breakdown as one JSON-ready dict (``profile``: the page layout, see layout.py)."""
    layout = paginate(script, paper, profile)
    scene_list = scenes(script, layout)
    chars = characters(script, scene_list)
    total: Counter[str] = Counter()
    for s in scene_list:
        total.update(s.languages)
    return {
        "pages": layout.page_count,
        "paper": layout.paper,
        "profile": layout.profile.name,
        "runtime": runtime_estimate(layout),
        "scenes": [_scene_dict(s) for s in scene_list],
        "characters": chars,
        "locations": locations(scene_list),
        "stripboard": stripboard(scene_list),
        "language_mix": {
            "words": dict(total.most_common()),
            "labels": {k: LANGUAGES[k] for k in total},
        },
    }


def _scene_dict(s: Scene) -> dict:
    return {
        "scene": s.number,
        "heading": s.heading,
        "int_ext": s.int_ext,
        "location": s.location,
        "time": s.time,
        "page": s.page,
        "eighths": s.eighths,
        "length": format_eighths(s.eighths),
        "cast": s.cast,
        "items": s.items,
        "words": s.words,
        "languages": s.languages,
    }


CSV_COLUMNS = (
    "scene",
    "heading",
    "int_ext",
    "location",
    "time",
    "page",
    "length",
    "cast",
    "prop",
    "costume",
    "vfx",
    "other",
)


def breakdown_csv(result: dict) -> str:
    """The production breakdown, one row per scene (lists joined with "; ")."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for s in result["scenes"]:
        items = dict(s["items"])
        known = [items.pop(k, []) for k in ("prop", "costume", "vfx")]
        other = [f"{k}: {v}" for k, values in items.items() for v in values]
        writer.writerow(
            [
                s["scene"],
                s["heading"],
                s["int_ext"] or "",
                s["location"],
                s["time"] or "",
                s["page"],
                s["length"],
                "; ".join(s["cast"]),
                *("; ".join(k) for k in known),
                "; ".join(other),
            ]
        )
    return buf.getvalue()

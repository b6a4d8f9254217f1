"""Structure on a draft: three acts and the 15 beats of Save the Cat, with target page ranges.

Targets are Blake Snyder's page numbers for a 110-page script (*Save the Cat!*, 2005), scaled to
the draft's page count. A writer places a beat with a section (``# Catalyst``) or a note
(``[[beat: catalyst]]``); acts with sections (``# Act Two``) or, failing those, from the Break
into Two and Break into Three beats. The report says where each beat falls, whether that is
inside its target range, what is missing, and how long each act runs.
"""

from __future__ import annotations

import re

from halqa.studio.script.layout import Layout, paginate
from halqa.studio.script.model import SECTION, Script

REFERENCE_PAGES = 110
# name, first and last target page on a 110-page script
SAVE_THE_CAT = (
    ("Opening Image", 1, 1),
    ("Theme Stated", 5, 5),
    ("Set-Up", 1, 10),
    ("Catalyst", 12, 12),
    ("Debate", 12, 25),
    ("Break into Two", 25, 25),
    ("B Story", 30, 30),
    ("Fun and Games", 30, 55),
    ("Midpoint", 55, 55),
    ("Bad Guys Close In", 55, 75),
    ("All Is Lost", 75, 75),
    ("Dark Night of the Soul", 75, 85),
    ("Break into Three", 85, 85),
    ("Finale", 85, 110),
    ("Final Image", 110, 110),
)
# Single-page beats get this many pages of tolerance either side (scaled like the targets).
TOLERANCE = 3
_ACT_RE = re.compile(r"^act\s+(1|2|3|one|two|three|i{1,3})\b", re.IGNORECASE)
_ACT_NUMBER = {"1": 1, "one": 1, "i": 1, "2": 2, "two": 2, "ii": 2, "3": 3, "three": 3, "iii": 3}


def _key(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


_BEAT_KEYS = {_key(name): name for name, _, _ in SAVE_THE_CAT} | {
    "setup": "Set-Up",
    "breakintotwo": "Break into Two",
}


def element_pages(layout: Layout, count: int) -> list[int]:
    """Page of each element; unprinted ones (sections,
    notes) take the next printed element's page."""
    printed: dict[int, int] = {}
    for page in layout.pages:
        for line in page.lines:
            if line.element is not None:
                printed.setdefault(line.element, page.number)
    pages = [0] * count
    following = layout.page_count
    for i in range(count - 1, -1, -1):
        following = printed.get(i, following)
        pages[i] = following
    return pages


def beat_sheet(
    script: Script,
    *,
    paper: str = "letter",
    layout: Layout | None = None,
    profile: str | None = None,
) -> dict:
    layout = layout or paginate(script, paper, profile)
    pages = element_pages(layout, len(script.elements))
    total = max(layout.page_count, 1)
    scale = total / REFERENCE_PAGES
    found: dict[str, int] = {}
    acts: dict[int, int] = {}
    for i, el in enumerate(script.elements):
        labels = [el.text] if el.kind == SECTION else []
        labels += [n.split(":", 1)[1] for n in el.notes if n.lower().startswith("beat:")]
        for label in labels:
            name = _BEAT_KEYS.get(_key(label))
            if name and name not in found:
                found[name] = pages[i]
            act = _ACT_RE.match(label.strip())
            if act and _ACT_NUMBER[act.group(1).lower()] not in acts:
                acts[_ACT_NUMBER[act.group(1).lower()]] = pages[i]
    beats = [_beat(name, start, end, scale, found.get(name)) for name, start, end in SAVE_THE_CAT]
    return {
        "pages": total,
        "scale": round(scale, 3),
        "reference": f"Save the Cat! targets for {REFERENCE_PAGES} pages, scaled to this draft",
        "beats": beats,
        "missing": [b["beat"] for b in beats if b["page"] is None],
        "acts": _acts(acts, found, total, scale),
    }


def _beat(name: str, start: int, end: int, scale: float, page: int | None) -> dict:
    low = max(1, round(start * scale))
    high = max(low, round(end * scale))
    tolerance = max(1, round(TOLERANCE * scale)) if start == end else 0
    if page is None:
        status = "missing"
    elif page < low - tolerance:
        status = "early"
    elif page > high + tolerance:
        status = "late"
    else:
        status = "on target"
    return {"beat": name, "target": [low, high], "page": page, "status": status}


def _acts(marked: dict[int, int], found: dict[str, int], total: int, scale: float) -> list[dict]:
    """Act starts from ``# Act`` sections, else from the two breaks, else the targets themselves."""
    given = {
        2: marked.get(2) or found.get("Break into Two"),
        3: marked.get(3) or found.get("Break into Three"),
    }
    source = {n: "section" if n in marked else ("beat" if given[n] else "target") for n in (2, 3)}
    starts = {1: 1, 2: given[2] or max(1, round(25 * scale))}
    starts[3] = given[3] or max(starts[2], round(85 * scale))
    ends = {1: starts[2] - 1, 2: starts[3] - 1, 3: total}
    return [
        {
            "act": n,
            "start": starts[n],
            "end": max(starts[n], ends[n]),
            "pages": max(0, ends[n] - starts[n] + 1),
            "share": round(max(0, ends[n] - starts[n] + 1) / total, 3),
            "from": "start" if n == 1 else source[n],
        }
        for n in (1, 2, 3)
    ]

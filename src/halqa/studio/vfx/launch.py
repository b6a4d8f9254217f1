"""The studio's new title, described from what the studio made, and how its audience is measured.

``new_title`` reads the earlier steps' files under ``<demo>/studio`` — the development pack
(its segment, genres, themes and format, all cited from the insights brief), the scene (its
title and language, and a line of its dialogue for the trailer's card) and the script's
pending logline — and writes the title's metadata as one titles row
(``studio/vfx/new-title.json``), the file ``halqa audience target --title`` reads. The trailer
step cuts the trailer under that title; the demo's launch step (``halqa.demo.steps.launch``) then
targets it through the saved targeter, the same code path as ``halqa audience target``, and
measures how over-represented the brief's segment is in the audience it found. Nothing here
names a segment, genre or title of its own.
"""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

    from halqa.audience.data import TargetingData
    from halqa.studio.script.model import Script

TITLE_FILE = "new-title.json"
FALLBACK_GENRE = "drama"  # only when the pack cites no genre (the brief had too few members)


def _pack(studio: Path) -> dict[str, Any]:
    path = studio / "development-pack.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {"lines": []}


def _items(pack: dict[str, Any], topic: str) -> list[str]:
    return [
        line["item"]
        for line in pack.get("lines", [])
        if line.get("topic") == topic and line.get("item")
    ]


def _scene(studio: Path) -> tuple[Script | None, Path | None]:
    from halqa.studio.script.fountain import read_fountain

    scenes = sorted(studio.glob("*.fountain"), key=lambda p: p.stat().st_mtime)
    return (read_fountain(scenes[-1]), scenes[-1]) if scenes else (None, None)


def _quote(script: Script | None) -> str | None:
    """The scene's first line of Arabic-script dialogue: the trailer card's tagline."""
    for el in script.elements if script is not None else ():
        if el.kind == "dialogue" and any("ARABIC" in unicodedata.name(c, "") for c in el.text):
            return el.text.strip()
    return None


def _logline(studio: Path) -> str | None:
    """The script step's pending (or accepted) logline block, when it left one."""
    from halqa.studio.common import ProposalBook

    for proposal in reversed(ProposalBook(studio).list(kind="script.block")):
        fountain = str((proposal.payload or {}).get("fountain") or "")
        first = fountain.strip().splitlines()[0] if fountain.strip() else ""
        if first.startswith("="):
            return first.lstrip("= ").strip()
    return None


def _slug(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-") or "title"


def segment_of(pack: dict[str, Any]) -> dict[str, str]:
    """The pack's segment (``age_band=18-24 region=...``) as a mapping; empty for everyone."""
    label = str(pack.get("segment") or "")
    return dict(part.split("=", 1) for part in label.split() if "=" in part)


def new_title(studio: Path) -> dict[str, Any]:
    """The new title as a titles row, built from the studio's files; written to
    ``studio/vfx/new-title.json``."""
    from halqa.catalog.tifinagh import to_tifinagh

    pack = _pack(studio)
    script, scene = _scene(studio)
    name = (script.title_value("Title") if script is not None else None) or "Untitled"
    language = (script.title_value("Language") if script is not None else None) or next(
        iter(_items(pack, "language")), "ary"
    )
    segment = segment_of(pack)
    formats = [f for f in _items(pack, "format") if f in ("film", "series")]
    title = {
        "title_id": f"studio-{_slug(name)}",
        "name": name,
        "kind": formats[0] if formats else "film",
        "genres": _items(pack, "genre") or [FALLBACK_GENRE],
        "themes": _items(pack, "theme"),
        "language": language,
        "names": {"ary-Latn": name, "zgh-Tfng": to_tifinagh(name)},
        "country": "MA",
    }
    if segment.get("region"):
        title["region"] = segment["region"]
    logline = _logline(studio)
    if logline:
        title["synopsis"] = logline
    meta = {
        "segment": segment,
        "scene": str(scene) if scene else None,
        "pack": str(studio / "development-pack.json") if pack.get("lines") else None,
        "tagline": _quote(script),
    }
    folder = studio / "vfx"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / TITLE_FILE
    path.write_text(json.dumps(title, ensure_ascii=False, indent=1), encoding="utf-8")
    (folder / "new-title.sources.json").write_text(
        json.dumps(meta, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    return {"title": title, "file": str(path), **meta}


def card_lines(made: dict[str, Any]) -> list[str]:
    """The title card: the name, in Tifinagh, and the scene's Arabic line as the tagline."""
    title = made["title"]
    lines = [title["name"], title["names"]["zgh-Tfng"]]
    return lines + [made["tagline"]] if made.get("tagline") else lines


def segment_shares(
    data: TargetingData, chosen: np.ndarray, segment: dict[str, str]
) -> dict[str, Any]:
    """Share of the brief's segment among the chosen members and among every candidate."""
    import numpy as np

    usable = {k: v for k, v in segment.items() if k in ("age_band", "region", "gender")}
    if not usable:
        return {
            "segment": segment,
            "checked": {},
            "audience_share": None,
            "population_share": None,
            "ratio": None,
        }
    inside = np.ones(data.n_members, dtype=bool)
    for key, value in usable.items():
        inside &= np.array([str(v) == value for v in data.members[key]])
    share, base = float(inside[chosen].mean()), float(inside.mean())
    return {
        "segment": segment,
        "checked": usable,
        "audience_share": round(share, 4),
        "population_share": round(base, 4),
        "ratio": round(share / base, 2) if base else None,
    }

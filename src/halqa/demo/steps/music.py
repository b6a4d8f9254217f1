"""The demo's music step: a one-minute piece in the genre rising in the segment the insights step
found.

Nothing is named in advance: the step reads the brief the insights step wrote
(``brief_files/figures.json``: the segment it found by scanning and that segment's rising
genres); when that step did not run, it scans the segments the same way itself.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from rich.console import Console

from halqa.catalog import Store
from halqa.demo.steps.insights import DEMO_WINDOW, scan_segments
from halqa.demo.world import World
from halqa.errors import BackendUnavailableError
from halqa.studio.music.styles import GENRE_STYLES, STYLE_ALIASES, STYLES

FALLBACK_STYLE = "chaabi"
SAMPLE_RATE = 44100


def rising_style(
    store: Store,
    segment: list[str] | None = None,
    window: str = DEMO_WINDOW,
    as_of: dt.date | None = None,
) -> tuple[str, list[str]]:
    """The style of the first rising genre of the segment that halqa composes in,
    and every rising genre."""
    from halqa.insights import trends

    report = trends(store, segment or None, by="genre", window=window, as_of=as_of)
    rising = [str(r["item"]) for r in report.get("rising", [])]
    return style_of(rising), rising


def style_of(genres: list[str]) -> str:
    """The style of the first genre halqa composes in (a style, a maqam,
    or a genre mapped to a style)."""
    for genre in genres:
        if genre in STYLES or genre in STYLE_ALIASES:
            return genre
        if genre in GENRE_STYLES:
            return GENRE_STYLES[genre]
    return FALLBACK_STYLE


def discovered_audience(store: Store, demo_dir: Path) -> dict[str, Any]:
    """The segment and its rising genres: from the insights step's brief,
    else by scanning like it does."""
    figures = Path(demo_dir) / "brief_files" / "figures.json"
    if figures.exists():
        from halqa.studio.music.api import _genres_in

        data = json.loads(figures.read_text(encoding="utf-8"))
        segment = data.get("segment") or {}
        filters = (
            [f"{k}={v}" for k, v in segment.items()] if isinstance(segment, dict) else list(segment)
        )
        rising = _genres_in(data)
        if (
            not rising
        ):  # the brief's own window (28 days) saw no significant riser: the insights step's
            rising = rising_style(store, filters, DEMO_WINDOW)[1]  # window (56 days), as it printed
        return {"segment": filters, "rising": rising, "source": str(figures)}
    from halqa.insights import common

    scanned = scan_segments(store, common.resolve_as_of(store, None), DEMO_WINDOW)
    if not scanned:
        return {"segment": [], "rising": [], "source": "scan (no segment has a significant riser)"}
    strongest = scanned[0]
    return {
        "segment": strongest["segment"],
        "rising": [str(r["item"]) for r in strongest["report"]["rising"]],
        "source": f"scan of {len(scanned)} segments with a riser",
    }


def music_step(store: Store, world: World, console: Console) -> dict[str, Any]:
    """Compose, render and propose a one-minute piece in the rising style; print where it is."""
    from halqa.studio.music.compose import compose
    from halqa.studio.music.export import make_provenance, write_piece

    audience = discovered_audience(store, world.out_dir)
    rising = audience["rising"]
    style = style_of(rising)
    piece = compose(style, seconds=60, seed=int(world.planted.get("seed", 7)))
    piece.meta["model"] = {
        "training": "halqa's shipped phrases",
        "chosen_from": "rising genres of the segment",
    }
    studio = world.out_dir / "studio"
    name = f"demo-{style}"
    provenance = make_provenance(piece, "music.compose")

    def write(audio: bool) -> dict[str, Any]:
        return write_piece(
            piece,
            studio / "music" / name,
            name,
            provenance=provenance,
            studio_root=studio,
            sample_rate=SAMPLE_RATE,
            audio=audio,
        )

    try:
        result = write(audio=True)
        where = f"{result['files']['wav']} ({result['loudness_lufs']} LUFS)"
    except (
        BackendUnavailableError
    ) as exc:  # no FluidSynth here: the score and MIDI are still worth having
        result = write(audio=False)
        result["audio_skipped"] = str(exc)
        where = f"{result['files']['midi']} (no audio: {exc})"
    from_trends = any(g == style or GENRE_STYLES.get(g) == style for g in rising)
    console.print(
        f"[bold]Music[/]: {style} ({'the rising genre' if from_trends else 'fallback'} of "
        f"{', '.join(audience['segment']) or 'the whole audience'}; rising: "
        f"{', '.join(rising) or 'none'}), {piece.seconds:.0f} s in {piece.mode} at "
        f"{piece.tempo:g} BPM "
        f"-> {where}; proposal {result['proposal']['id']} pending",
        highlight=False,
    )
    return {
        "style": style,
        "rising": rising,
        "from_trends": from_trends,
        "segment": audience["segment"],
        "found_by": audience["source"],
        "seconds": round(piece.seconds, 1),
        "files": result["files"],
        "loudness_lufs": result["loudness_lufs"],
        "proposal": result["proposal"],
        **({"audio_skipped": result["audio_skipped"]} if "audio_skipped" in result else {}),
    }

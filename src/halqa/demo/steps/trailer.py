"""The visual-effects step of ``halqa demo``: cut a short trailer for the studio's new title.

The title is the one the earlier studio steps made (``halqa.studio.vfx.launch.new_title``: the
scene's name and language, the development pack's genres and segment); its card carries the
name in Latin and Tifinagh and a line of the scene's Arabic dialogue. The step generates its own
rushes (lavfi test sources with a voice-like track, so nothing is downloaded), uses the music
step's piece as the bed when an earlier step left one under ``<demo>/studio/`` (else a generated
pad), and prints each artefact with its provenance. The cut is left pending: a person accepts it
with ``halqa vfx accept``. The next step (``launch_step``) targets the title's audience.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from halqa.catalog import Store
from halqa.demo.world import World
from halqa.studio.vfx.launch import card_lines, new_title
from halqa.studio.vfx.synthetic import music_bed, shots_clip
from halqa.studio.vfx.trailer import trailer

RUSHES = [2.4, 1.8, 2.6, 2.0, 1.6, 2.2, 1.9, 2.5, 1.7, 2.3]  # seconds per shot: 21 s of rushes
TARGET = 10.0


def _music(studio: Path, folder: Path) -> tuple[Path, str]:
    """The newest sound file an earlier studio step wrote, else a generated pad."""
    pieces = sorted(
        (
            p
            for ext in ("*.wav", "*.flac", "*.mp3")
            for p in studio.rglob(ext)
            if folder not in p.parents
        ),
        key=lambda p: p.stat().st_mtime,
    )
    if pieces:
        return pieces[-1], "music step"
    return music_bed(folder / "pad.wav", 6.0), "generated pad"


def trailer_step(store: Store, world: World, console: Console) -> dict[str, Any]:
    """Generate rushes, cut a 10-second trailer of the new title (Latin, Tifinagh, Arabic card),
    print provenance."""
    studio = Path(world.out_dir) / "studio"
    folder = studio / "vfx"
    film = folder / "rushes.mp4"
    cuts = shots_clip(film, RUSHES, size="426x240")
    music, music_from = _music(studio, folder)
    made = new_title(studio)
    lines = card_lines(made)
    report = trailer(
        film, folder / "trailer.mp4", length=TARGET, title=lines, music=music, studio=studio
    )
    found = [p["source_start"] for p in report["pieces"] if p["kind"] == "shot"]
    table = Table(
        title=(
            f"Trailer of {lines[0]} ({TARGET:g} s, "
            f"proposal {report['proposal']} {report['status']})"
        )
    )
    table.add_column("artefact")
    table.add_column("provenance")
    credentials = report["credentials"]
    table.add_row(
        report["output"],
        f"C2PA {' → '.join(credentials['actions'])} ({credentials['validation_state']}); "
        f"sidecar {Path(credentials['sidecar']).name}",
    )
    for kind, path in report["timeline"].items():
        table.add_row(path, f"{kind} timeline, clips point at {film.name}'s real frames")
    table.add_row(str(music), f"music bed ({music_from}), ducked under the dialogue")
    made_from = (
        ", ".join(Path(p).name for p in (made["pack"], made["scene"]) if p) or "no studio files"
    )
    table.add_row(
        made["file"],
        f"the new title ({made['title']['kind']}, {', '.join(made['title']['genres'])}), "
        f"from {made_from}",
    )
    console.print(table)
    return {
        "film": str(film),
        "planted_cuts": cuts,
        "new_title": made["title"],
        "new_title_file": made["file"],
        "shots_found": report["shots"],
        "title": lines,
        "trailer": report["output"],
        "timeline": report["timeline"],
        "proposal": report["proposal"],
        "proposal_status": report["status"],
        "music": str(music),
        "music_from": music_from,
        "pieces": len(report["pieces"]),
        "source_starts": found,
        "credentials": credentials,
    }

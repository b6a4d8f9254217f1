"""The demo's last step: target the new title the studio made, through the saved targeter.

The title is the one ``halqa.studio.vfx.launch.new_title`` describes from the earlier studio
steps' files; the audience is found by the same code path as ``halqa audience target --title``,
and the step measures how over-represented the brief's segment is in it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from halqa.studio.vfx.launch import TITLE_FILE, new_title, segment_shares

if TYPE_CHECKING:
    from rich.console import Console

    from halqa.catalog import Store
    from halqa.demo.world import World


def launch_step(store: Store, world: World, console: Console) -> dict[str, Any]:
    """Target the trailer's new title with the saved targeter
    (as ``halqa audience target --title`` would)."""
    import numpy as np
    from rich.table import Table

    from halqa.audience import load_title, write_table
    from halqa.audience.saved import fitted_targeter
    from halqa.studio.common import ProposalBook

    studio = Path(world.out_dir) / "studio"
    path, described = studio / "vfx" / TITLE_FILE, studio / "vfx" / "new-title.sources.json"
    if not (
        path.is_file() and described.is_file()
    ):  # no trailer step ran: describe the title from the files now
        new_title(studio)
    sources = json.loads(described.read_text(encoding="utf-8"))
    title = load_title(path, genres=store.genre_ids(), themes=store.theme_ids())
    targeter, models = fitted_targeter(store)
    top = max(50, targeter.data.n_members // 20)
    result = targeter.target(title, top=top)
    index = {m: i for i, m in enumerate(targeter.data.member_ids)}
    chosen = np.array([index[m] for m in result.audience["member_id"]], dtype=int)
    shares = segment_shares(targeter.data, chosen, sources.get("segment") or {})
    audience = write_table(result.table(), studio / "vfx" / "new-title-audience.csv")
    trailers = ProposalBook(studio).list(kind="vfx.trailer")
    trailer = trailers[-1] if trailers else None
    command = f"halqa audience target --title {path} --top {top} --db {store.path}"
    table = Table(
        title=f"Launch: the audience of {title.name} ({', '.join(title.genres)}, {title.kind}, "
        f"{title.language})"
    )
    table.add_column("artefact")
    table.add_column("provenance")
    table.add_row(
        str(path),
        f"titles row from {Path(sources['pack']).name if sources.get('pack') else 'no pack'} "
        f"(segment {' '.join(f'{k}={v}' for k, v in shares['segment'].items()) or 'everyone'}) "
        f"and {Path(sources['scene']).name if sources.get('scene') else 'no scene'}",
    )
    if trailer is not None:
        table.add_row(
            str(trailer.payload.get("files", {}).get("mp4")),
            f"its trailer, proposal {trailer.id} {trailer.status}",
        )
    share_text = (
        "no segment to compare"
        if shares["ratio"] is None
        else f"{shares['audience_share']:.0%} of the audience in the brief's segment vs "
        f"{shares['population_share']:.0%} of everyone (×{shares['ratio']:g})"
    )
    table.add_row(
        str(audience),
        f"{len(result.audience):,} of {result.candidates:,} marketing-consented members "
        f"by the saved targeter ({models['model_file']}); {share_text}",
    )
    console.print(table)
    console.print(f"the same list again: [bold]{command}[/]", highlight=False)
    return {
        "title": title.name,
        "title_id": title.title_id,
        "title_file": str(path),
        "sources": sources,
        "trailer": trailer.payload.get("files", {}).get("mp4") if trailer else None,
        "trailer_proposal": trailer.id if trailer else None,
        "audience_file": str(audience),
        "size": len(result.audience),
        "candidates": result.candidates,
        "segment_share": shares,
        "models": models,
        "command": command,
        "breakdown": result.breakdown,
        "example_reasons": result.audience["reasons"].head(3).tolist(),
        "checks": {
            "brief_segment_over_represented": bool(shares["ratio"] and shares["ratio"] > 1.0)
        },
    }

"""The demo's first step: what the generator wrote and what it planted in the world."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table

from halqa.catalog import Store
from halqa.demo.world import World


def generation_summary(store: Store, world: World, console: Console) -> dict[str, Any]:
    """What was generated and what was planted in it."""
    planted = world.planted
    scale = planted["scale"]
    rising = planted["rising"]
    table = Table(title=f"Demo world (seed {planted['seed']}, {scale['start']} → {scale['end']})")
    table.add_column("planted dynamic")
    table.add_column("details")
    table.add_row(
        "rising genre",
        f"{rising['genre']} among {rising['age_band']} in {rising['region']} "
        f"from {rising['start']} (×{rising['multiplier_at_end']:g} at the end)",
    )
    for period in planted["ramadan"]["periods"]:
        series = planted["ramadan"]["series"].get(str(period["hijri_year"]), [])
        table.add_row(
            f"Ramadan {period['hijri_year']}",
            f"{period['start']} → {period['end']}: {len(series)} new series",
        )
    for fest in planted["festivals"]:
        table.add_row(
            "festival", f"{fest['name']} {fest['start']} → {fest['end']} ({fest['genre']})"
        )
    names = ", ".join(f"{a['name']} ({a['genre']})" for a in planted["emerging_artists"])
    table.add_row("emerging artists", names)
    table.add_row(
        "new releases",
        ", ".join(f"{r['title']['name']} ({r['file']})" for r in planted["new_releases"].values()),
    )
    console.print(table)
    sizes = {p.name: p.stat().st_size for p in (world.titles, world.creators, world.members)}
    sizes["events"] = sum(p.stat().st_size for p in world.events)
    return {
        "out_dir": str(world.out_dir),
        "scale": scale,
        "event_parts": len(world.events),
        "bytes": sizes,
        "rising": {k: rising[k] for k in ("genre", "age_band", "region", "start")},
        "ramadan_series": planted["ramadan"]["series"],
        "emerging_artists": [a["creator_id"] for a in planted["emerging_artists"]],
        "festivals": [
            {k: f[k] for k in ("name", "start", "end", "genre")} for f in planted["festivals"]
        ],
    }

"""The end-to-end demo: generate the world, ingest it, then run every registered demo step.

A step is named ``"module:function"`` in ``DEMO_STEPS`` and called as
``fn(store, world, console) -> dict``; it prints what it found on ``console``
and returns a JSON-ready dict that ``halqa demo --json`` includes under
``steps.<function name>``. Steps may read ``world.planted`` only to *check*
what they found, never to produce it.
"""

from __future__ import annotations

import importlib
import shutil
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console

from halqa.catalog import Store
from halqa.demo.world import Progress, World, generate_world
from halqa.errors import ConfigError

if TYPE_CHECKING:
    from halqa.ingest.api import Progress as IngestProgress

# One line per step, in the order they run; each lives in halqa.demo.steps and calls the
# domains' public API, so the domains themselves know nothing of the demo.
DEMO_STEPS: tuple[str, ...] = (
    "halqa.demo.steps.generation:generation_summary",
    "halqa.demo.steps.ingestion:ingestion_summary",
    "halqa.demo.steps.insights:demo_step",
    "halqa.demo.steps.targeting:targeting_step",
    "halqa.demo.steps.recommendations:recommendations",
    "halqa.demo.steps.script:studio_step",
    "halqa.demo.steps.music:music_step",
    # after music: its bed is the piece the music step wrote
    "halqa.demo.steps.trailer:trailer_step",
    # after the trailer: targets the new title the studio made
    "halqa.demo.steps.launch:launch_step",
)
INGEST_ORDER = ("creators", "titles", "members", "events")


def build_store(
    world: World, db: Path, *, fresh: bool, progress: IngestProgress | None = None
) -> dict[str, Any]:
    """Ingest the world's files into ``db`` through ``halqa.ingest`` (idempotent);
    returns reports."""
    from halqa.ingest import ingest_files

    if fresh:
        for path in (db, db.with_name(db.name + ".wal")):
            if path.exists():
                path.unlink()
    reports: dict[str, Any] = {}
    files = world.files()
    quarantine = world.out_dir / "quarantine"
    with Store.open(db) as store:
        for target in INGEST_ORDER:
            started = time.perf_counter()
            report = ingest_files(
                store, target, files[target], quarantine_dir=quarantine, progress=progress
            )
            reports[target] = {
                "accepted": report.accepted,
                "rejected": report.rejected,
                "duplicates": report.duplicates,
                "created": report.created,
                "files": len(files[target]),
                "quarantine": str(report.quarantine) if report.quarantine else None,
                "seconds": round(time.perf_counter() - started, 2),
            }
    if (
        not any(r["rejected"] for r in reports.values())
        and quarantine.is_dir()
        and not any(quarantine.iterdir())
    ):
        shutil.rmtree(quarantine)
    return reports


def select_steps(names: list[str] | None) -> tuple[str, ...]:
    """The registered steps named by function (``recommendations``) or in full;
    all when ``names`` is empty."""
    if not names:
        return DEMO_STEPS
    by_key = {s.rpartition(":")[2]: s for s in DEMO_STEPS} | {s: s for s in DEMO_STEPS}
    unknown = [n for n in names if n not in by_key]
    if unknown:
        raise ConfigError(
            f"--step {unknown[0]}: no such demo step "
            f"(registered: {', '.join(s.rpartition(':')[2] for s in DEMO_STEPS)})"
        )
    wanted = {by_key[n] for n in names}
    return tuple(s for s in DEMO_STEPS if s in wanted)


def resolve_step(name: str) -> Callable[..., dict[str, Any]]:
    module, _, function = name.partition(":")
    return getattr(importlib.import_module(module), function)


def run_steps(
    store: Store, world: World, console: Console, steps: tuple[str, ...] = DEMO_STEPS
) -> dict[str, dict[str, Any]]:
    """Run each step; a failing step is reported (status failed,
    its error) and the others still run."""
    results: dict[str, dict[str, Any]] = {}
    for name in steps:
        key = name.rpartition(":")[2]
        started = time.perf_counter()
        try:
            result = dict(resolve_step(name)(store, world, console) or {})
            result.setdefault("status", "ok")
        except Exception as exc:  # noqa: BLE001 - a broken step must not hide what the others found
            console.print(
                f"[bold red]step {name} failed:[/] {type(exc).__name__}: {exc}", highlight=False
            )
            result = {"status": "failed", "error": f"{type(exc).__name__}: {exc}"}
        result["seconds"] = round(time.perf_counter() - started, 2)
        results[key] = result
    return results


def run_demo(
    out_dir: Path,
    db: Path | None = None,
    *,
    seed: int = 7,
    members: int = 20_000,
    titles: int = 3_000,
    events: int = 2_000_000,
    start: date = date(2024, 11, 1),
    days: int = 730,
    console: Console | None = None,
    progress: Progress | None = None,
    ingest_progress: IngestProgress | None = None,
    steps: tuple[str, ...] = DEMO_STEPS,
) -> dict[str, Any]:
    """Generate, ingest and run the steps; returns the summary ``halqa demo --json`` prints."""
    console = console or Console(stderr=True)
    out_dir = Path(out_dir)
    default_db = db is None
    db = Path(db) if db is not None else out_dir / "halqa.duckdb"
    started = time.perf_counter()
    world = generate_world(
        out_dir,
        seed=seed,
        members=members,
        titles=titles,
        events=events,
        start=start,
        days=days,
        progress=progress,
    )
    # The files the README's tour ingests and seeds from (a slice of the world, partner-shaped).
    from halqa.demo.samples import write_samples

    write_samples(world.out_dir, world.titles, world.members, world.events)
    generated = time.perf_counter()
    # The default store belongs to the demo directory and is rebuilt; a store the user named
    # is only added to (ingest is idempotent, so a re-run stores nothing twice).
    ingest = build_store(world, db, fresh=default_db, progress=ingest_progress)
    ingested = time.perf_counter()
    with Store.open(db) as store:
        results = run_steps(store, world, console, steps)
    return {
        "out_dir": str(out_dir),
        "db": str(db),
        "seed": seed,
        "seconds": {
            "generate": round(generated - started, 2),
            "ingest": round(ingested - generated, 2),
            "total": round(time.perf_counter() - started, 2),
        },
        "ingest": ingest,
        "steps": results,
        "failed_steps": [k for k, v in results.items() if v.get("status") == "failed"],
    }

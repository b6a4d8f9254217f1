"""`halqa demo`: build the seeded Moroccan demo world, load it,
and run every part of halqa on it."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from halqa.cli.common import JsonOption, console, err_console, print_json, user_errors


def attach(app: typer.Typer) -> None:
    """Register `halqa demo` on the root app."""
    app.command("demo")(demo)


@user_errors
def demo(
    out: Annotated[
        Path, typer.Option("--out", help="Directory for the generated files and the store.")
    ] = Path("halqa-demo"),
    db: Annotated[
        Path | None,
        typer.Option(
            "--db",
            help="Store file (default: OUT/halqa.duckdb, rebuilt each "
            "run; a store you name is added to, idempotently).",
            show_default=False,
        ),
    ] = None,
    seed: Annotated[
        int, typer.Option("--seed", help="Random seed: the same seed gives the same files.")
    ] = 7,
    members: Annotated[int, typer.Option("--members", help="Audience members.")] = 20_000,
    titles: Annotated[
        int, typer.Option("--titles", help="Catalogue size (films, series, episodes, tracks...).")
    ] = 3_000,
    events: Annotated[
        int, typer.Option("--events", help="Events over the two years (streamed to Parquet).")
    ] = 2_000_000,
    step: Annotated[
        list[str] | None,
        typer.Option(
            "--step", help="Run only this demo step (repeatable; default: every registered step)."
        ),
    ] = None,
    json_: JsonOption = False,
    serve: Annotated[
        bool | None,
        typer.Option(
            "--serve/--no-serve",
            help="End by serving the dashboard on 127.0.0.1 (default: yes in an interactive "
            "terminal without --json, no otherwise, so scripts and CI finish).",
            show_default=False,
        ),
    ] = None,
    port: Annotated[
        int, typer.Option("--port", help="Port of the dashboard served at the end.")
    ] = 8000,
) -> None:
    """Generate the demo world (Hijri Ramadans, Gnaoua festival, a rising genre, emerging artists),
    ingest it, and print what each part of halqa finds in it."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TaskID,
        TextColumn,
        TimeElapsedColumn,
    )

    from halqa.demo.run import run_demo, select_steps

    steps = select_steps(step)  # checked before anything is generated
    shown = err_console if json_ else console
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
    ) as bar:
        tasks: dict[str, TaskID] = {}

        def progress(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(f"generating {stage}", total=total)
            bar.update(tasks[stage], completed=done)

        summary = run_demo(
            out,
            db,
            seed=seed,
            members=members,
            titles=titles,
            events=events,
            console=shown,
            progress=progress,
            ingest_progress=bar,
            steps=steps,
        )
    if json_:
        print_json(summary)
    else:
        secs = summary["seconds"]
        shown.print(
            f"[bold]demo ready[/] in {secs['total']:.0f} s "
            f"(generate {secs['generate']:.0f} s, ingest "
            f"{secs['ingest']:.0f} s): store {summary['db']}\n"
            f"try: halqa stats --db {summary['db']}"
        )
    if summary["failed_steps"]:
        err_console.print(f"[bold red]failed steps:[/] {', '.join(summary['failed_steps'])}")
        raise typer.Exit(1)
    if _should_serve(serve, json_):
        from halqa.service import serve_dashboard

        shown.print("serving the dashboard over the demo store; Ctrl-C stops it")
        serve_dashboard(
            summary["db"],
            "127.0.0.1",
            port,
            announce=lambda line: shown.print(line, soft_wrap=True, style="bold"),
        )


def _should_serve(serve: bool | None, as_json: bool) -> bool:
    """Serve when asked; by default only for a person at a terminal
    (never under --json or in a pipe)."""
    if serve is not None:
        return serve
    return not as_json and sys.stdin.isatty() and sys.stdout.isatty()

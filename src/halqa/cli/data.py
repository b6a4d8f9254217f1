"""`halqa stats`, `halqa export`, `halqa taxonomy`: looking at and moving the store's data."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from halqa.cli.common import DbOption, JsonOption, console, open_store, print_json, user_errors

app = typer.Typer(help="Move whole tables in and out of the store.", no_args_is_help=True)
taxonomy_app = typer.Typer(help="Genres and themes: list them, add your own.", no_args_is_help=True)


@user_errors
def stats(db: DbOption = None, as_json: JsonOption = False) -> None:
    """Row counts per table, and what the audience and catalogue look like."""
    with open_store(db, read_only=True) as store:
        counts = store.counts()
        from halqa.catalog.coverage import coverage  # imports DuckDB: only when asked

        detail = coverage(store)
    if as_json:
        print_json({"db": str(store.path), "counts": counts, **detail})
        return
    table = Table(title=f"halqa store {store.path}")
    table.add_column("table")
    table.add_column("rows", justify="right")
    for name, n in counts.items():
        table.add_row(name, f"{n:,}")
    console.print(table)
    for label, values in detail.items():
        console.print(f"[bold]{label}[/]: " + ", ".join(f"{k}={v:,}" for k, v in values.items()))


@app.command("parquet")
@user_errors
def export_parquet(
    directory: Annotated[Path, typer.Argument(help="Folder to write <table>.parquet files into.")],
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Export every table to Parquet."""
    with open_store(db, read_only=True) as store:
        written = store.export_parquet(directory)
    if as_json:
        print_json({"written": {k: str(v) for k, v in written.items()}})
    else:
        console.print(f"wrote {len(written)} tables to {directory}")


@taxonomy_app.command("list")
@user_errors
def taxonomy_list(
    vocabulary: Annotated[str, typer.Argument(help="genres or themes")] = "genres",
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """List the genres or themes the store knows."""
    with open_store(db) as store:
        rows = store.terms(vocabulary)
    if as_json:
        print_json({vocabulary: rows})
        return
    table = Table(title=vocabulary)
    for col in ("id", "domain", "en", "fr", "ar"):
        table.add_column(col)
    for r in rows:
        table.add_row(*(str(v or "") for v in list(r.values())[:5]))
    console.print(table)


@taxonomy_app.command("add")
@user_errors
def taxonomy_add(
    vocabulary: Annotated[str, typer.Argument(help="genres or themes")],
    term_id: Annotated[str, typer.Argument(help="id of the new term, e.g. 'izlan'")],
    domain: Annotated[str, typer.Option(help="music, screen or any")] = "any",
    en: str = "",
    fr: str = "",
    ar: str = "",
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Add a genre or theme of your own."""
    with open_store(db) as store:
        added = store.add_term(vocabulary, term_id, domain, en, fr, ar)
    if as_json:
        print_json({"added": added, "vocabulary": vocabulary})
    else:
        console.print(f"added {vocabulary[:-1]} '{added}'")

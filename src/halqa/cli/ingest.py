"""`halqa ingest` and `halqa import`: loading files into the store."""

from __future__ import annotations

from pathlib import Path
from types import TracebackType
from typing import Annotated, Any, Self

import typer

from halqa.cli.common import (
    DbOption,
    JsonOption,
    console,
    err_console,
    open_store,
    print_json,
    user_errors,
)
from halqa.errors import ConfigError

import_app = typer.Typer(
    help="Import whole datasets: MovieLens 100K, a folder of halqa Parquet tables.",
    no_args_is_help=True,
)

TargetArg = Annotated[
    str,
    typer.Argument(
        help="What the files hold: titles, creators, members or events.", show_default=False
    ),
]
ConsentOption = Annotated[
    str,
    typer.Option(
        "--consent",
        help="Consents for members from a source without consent columns: none, all, or a comma "
        "list of analytics,personalisation,marketing.",
    ),
]


def attach(app: typer.Typer) -> None:
    """Register `halqa ingest` and `halqa import` on the root app."""
    app.command("ingest")(ingest)
    app.add_typer(import_app, name="import")


def parse_consent(value: str) -> frozenset[str]:
    from halqa.catalog import CONSENT_PURPOSES

    words = {w.strip().lower() for w in value.split(",") if w.strip()}
    if words in (set(), {"none"}):
        return frozenset()
    if words == {"all"}:
        return frozenset(CONSENT_PURPOSES)
    unknown = words - set(CONSENT_PURPOSES)
    if unknown:
        raise ConfigError(
            f"--consent {value}: unknown {', '.join(sorted(unknown))} "
            f"(use none, all, or a comma list of {', '.join(CONSENT_PURPOSES)})"
        )
    return frozenset(words)


def parse_mapping(pairs: list[str] | None) -> dict[str, str]:
    mapping = {}
    for pair in pairs or []:
        canonical, sep, source = pair.partition("=")
        if not sep or not canonical.strip() or not source:
            raise ConfigError(
                f"--map {pair}: expected canonical=source_column, e.g. --map ts=played_at"
            )
        mapping[canonical.strip()] = source
    return mapping


@user_errors
def ingest(
    target: TargetArg,
    files: Annotated[
        list[Path],
        typer.Argument(help="CSV/TSV, Parquet or JSON Lines files (.gz ok).", show_default=False),
    ],
    map_: Annotated[
        list[str] | None, typer.Option("--map", help="canonical=source column; repeatable.")
    ] = None,
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format",
            help="csv, tsv, parquet or jsonl (default: from the content, then the file name).",
        ),
    ] = None,
    encoding: Annotated[
        str | None,
        typer.Option(
            "--encoding",
            help="Text encoding of CSV/TSV files "
            "(default UTF-8, or UTF-16 when the file starts with its "
            "byte-order mark); e.g. latin-1, cp1252.",
        ),
    ] = None,
    create_missing: Annotated[
        bool,
        typer.Option(
            "--create-missing",
            help="Events naming unknown members or "
            "titles create placeholders instead of being rejected.",
        ),
    ] = False,
    consent: ConsentOption = "none",
    quarantine_dir: Annotated[
        Path | None,
        typer.Option(
            "--quarantine-dir",
            help="Where the CSV of rejected rows goes (default: next to the input).",
        ),
    ] = None,
    add_terms: Annotated[
        bool,
        typer.Option(
            "--add-terms",
            help="Add unknown genres/themes to the taxonomy instead of rejecting the rows.",
        ),
    ] = False,
    memory_limit: Annotated[
        str, typer.Option(help="DuckDB memory limit; past it the ingest spills to disk.")
    ] = "1GB",
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Validate and load files into the store; bad rows go to quarantine, good rows are kept."""
    from halqa.ingest import TARGETS, ingest_files

    if target not in TARGETS:
        raise ConfigError(f"unknown target '{target}': use one of {', '.join(TARGETS)}")
    with open_store(db) as store, _progress_bar() as progress:
        report = ingest_files(
            store,
            target,
            files,
            mapping=parse_mapping(map_),
            fmt=fmt,
            create_missing=create_missing,
            consent=parse_consent(consent),
            quarantine_dir=quarantine_dir,
            progress=progress,
            add_terms=add_terms,
            memory_limit=memory_limit,
            encoding=encoding,
        )
    _show(report.to_dict(), as_json)


@import_app.command("movielens")
@user_errors
def import_movielens(
    directory: Annotated[
        Path,
        typer.Argument(
            help="The MovieLens 100K folder (u.data, u.item, u.user, u.genre).", show_default=False
        ),
    ],
    consent: ConsentOption = "none",
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Import MovieLens 100K: users -> members, items -> titles, ratings -> events."""
    from halqa.ingest import import_movielens as run

    with open_store(db) as store, _progress_bar() as progress:
        report = run(store, directory, consent=parse_consent(consent), progress=progress)
    _show(report.to_dict(), as_json)


@import_app.command("parquet")
@user_errors
def import_parquet(
    directory: Annotated[
        Path, typer.Argument(help="Folder written by `halqa export parquet`.", show_default=False)
    ],
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Load tables exported by `halqa export parquet` (keys upserted, events de-duplicated)."""
    with open_store(db) as store:
        loaded = store.import_parquet(directory)
    if as_json:
        print_json({"loaded": loaded})
        return
    for name, n in loaded.items():
        console.print(f"{name}: +{n:,} rows")


class _progress_bar:
    """A Rich spinner on stderr that ``ingest_files`` updates (message, rows so far)."""

    def __enter__(self) -> Self:
        from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        self._bar = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            TimeElapsedColumn(),
            console=err_console,
            transient=True,
        )
        self._bar.__enter__()
        self._task = self._bar.add_task("ingest", total=None)
        return self

    def __call__(self, message: str, rows: int) -> None:
        self._bar.update(self._task, description=f"{message} ({rows:,} rows so far)")

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._bar.__exit__(kind, error, traceback)


def _show(result: dict[str, Any], as_json: bool) -> None:
    if as_json:
        print_json(result)
        return
    from rich.table import Table

    table = Table(title=f"ingest {result['target']}")
    for col in (
        "file",
        "rows",
        "accepted",
        "updated",
        "rejected",
        "duplicates",
        "created",
        "seconds",
    ):
        table.add_column(col, justify="left" if col == "file" else "right")
    parts = result.get("parts") or {result["target"]: result}
    for part in parts.values():
        for f in part["files"]:
            table.add_row(
                Path(f["file"]).name,
                *(
                    f"{f[c]:,}"
                    for c in ("rows", "accepted", "updated", "rejected", "duplicates", "created")
                ),
                f"{f['seconds']:.1f}",
            )
    console.print(table)
    what = "ratings (events) " if result.get("totals") else ""
    console.print(
        f"{what}accepted {result['accepted']:,}, rejected {result['rejected']:,}, "
        f"duplicates {result['duplicates']:,}, created {result['created']:,}"
    )
    if result.get("totals"):
        t = result["totals"]
        console.print(
            f"all tables: accepted {t['accepted']:,}, rejected {t['rejected']:,}, "
            f"duplicates {t['duplicates']:,}"
        )
    quarantines = [p["quarantine"] for p in parts.values() if p.get("quarantine")]
    if result.get("quarantine") and result["quarantine"] not in quarantines:
        quarantines.insert(0, result["quarantine"])
    for q in quarantines:
        console.print(f"rejected rows: {q} (and the quarantine table)")

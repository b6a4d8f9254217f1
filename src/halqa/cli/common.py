"""What every CLI command shares: the --db and --json options, one-line errors, output."""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.markup import escape

from halqa.errors import UserError

if TYPE_CHECKING:  # DuckDB is imported by the commands that open a store, not by every command
    from halqa.catalog import Store

console = Console()
err_console = Console(stderr=True)

DbOption = Annotated[
    Path | None,
    typer.Option(
        "--db", help="Store file (default: $HALQA_DB, then ./halqa.duckdb).", show_default=False
    ),
]
JsonOption = Annotated[
    bool, typer.Option("--json", help="Print exactly one JSON object instead of tables.")
]

F = TypeVar("F", bound=Callable[..., Any])


def user_errors(func: F) -> F:
    """Turn a ``UserError`` into one red line on stderr and exit code 2 (never a traceback); so
    too a Spark job that failed on the cluster (``--engine spark``), whose Java trace says
    nothing a user can act on."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except UserError as exc:
            fail(str(exc))
        except Exception as exc:
            if type(exc).__module__.split(".")[0] not in ("py4j", "pyspark"):
                raise
            from halqa.engines.spark import failure_message  # pyspark raised: it is installed

            fail(failure_message(exc))

    return wrapper  # type: ignore[return-value]


def fail(message: str, code: int = 2) -> None:
    # escaped: a message may hold brackets ("pip install 'halqa[spark]'") that are not markup
    err_console.print(
        f"[bold red]error:[/] {escape(message)}", markup=True, highlight=False, soft_wrap=True
    )
    raise typer.Exit(code)


def open_store(db: Path | None, *, read_only: bool = False) -> Store:
    """The store; beside a running `halqa serve`, a read-only snapshot from it
    (see service/control.py)."""
    from halqa.catalog import Store, resolve_db_path
    from halqa.catalog.serving import control_file

    path = resolve_db_path(db)
    if not control_file(path).exists():  # the common case: no server, no web stack imported
        return Store.open(db, read_only=read_only)
    from halqa.service import control

    running = control.running_server(path)
    if running is None:
        return Store.open(db, read_only=read_only)
    backend, record = running
    if not read_only:
        raise UserError(
            f"{path}: in use by {control.describe(record)}, which owns its writes; stop it first, "
            "or write through its API (PUT /v1/titles, PUT /v1/members, POST /v1/events)"
        )
    return control.open_snapshot(path, backend)


def print_json(obj: object) -> None:
    """One JSON object on stdout; Arabic and Tifinagh stay as they are (no \\u escapes)."""
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, default=str) + "\n")
    sys.stdout.flush()


def deprecated_alias(
    root: typer.Typer, old_name: str, new_spelling: str, command: F, *, group: str = ""
) -> None:
    """Keep ``halqa OLD`` working for one release: hidden from --help, warns on stderr, then runs
    the same command as ``halqa NEW SPELLING`` (so scripts written against the old name go on).
    ``group`` names the command group ``root`` is (``insights`` for ``halqa insights OLD``)."""
    old_spelling = f"{group} {old_name}".strip()

    @functools.wraps(command)
    def warned(*args: Any, **kwargs: Any) -> Any:
        err_console.print(
            f"[yellow]warning:[/] `halqa {old_spelling}` is deprecated and "
            "will be removed in the next "
            f"release; use `halqa {new_spelling}`.",
            markup=True,
            highlight=False,
        )
        return command(*args, **kwargs)

    root.command(old_name, hidden=True, help=f"Deprecated: use `halqa {new_spelling}`.")(warned)

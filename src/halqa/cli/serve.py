"""`halqa serve` (REST API and dashboard) and `halqa keys` (API keys with roles)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

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
from halqa.errors import ConfigError, UserError

keys_app = typer.Typer(
    help="API keys for the service: create, list, revoke (stored hashed). Beside a running "
    "`halqa serve` they go through the server, which applies them on every worker "
    "before the command returns.",
    no_args_is_help=True,
)


@user_errors
def serve(
    db: DbOption = None,
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.", min=1, max=65535)] = 8000,
    workers: Annotated[
        int,
        typer.Option(
            help="HTTP worker processes; with more than one, a separate "
            "store process owns the DuckDB file.",
            min=1,
            max=64,
        ),
    ] = 1,
    cors: Annotated[
        list[str] | None,
        typer.Option(
            "--cors-origin",
            help="Allow this browser origin (repeatable); CORS is closed otherwise.",
        ),
    ] = None,
    rate_limit: Annotated[
        float, typer.Option(help="Requests per second per API key.", min=0.001)
    ] = 200.0,
    max_body: Annotated[
        int | None,
        typer.Option(
            help="Largest request body in bytes; larger ones get 413 "
            "before they are read (default 16 MiB, or "
            "$HALQA_SERVICE_MAX_BODY_BYTES).",
            min=1024,
        ),
    ] = None,
    log_level: Annotated[str, typer.Option(help="uvicorn log level.")] = "warning",
    model_file: Annotated[
        Path | None,
        typer.Option(
            "--model-file",
            help="Recommender saved by `halqa train` (default: <db>.models/recommender.pkl).",
            show_default=False,
        ),
    ] = None,
    studio_dir: Annotated[
        Path | None,
        typer.Option(
            "--studio-dir",
            help="Studio folder for the music and "
            "visual-effects routes (jobs, uploads, proposals); default "
            "$HALQA_STUDIO_DIR, else <db>.studio beside the store.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Serve the REST API (OpenAPI at /docs) and the dashboard (/dashboard/).

    A store that is damaged, not DuckDB or not a halqa store is refused in one line (exit 2)."""
    from halqa.catalog import resolve_db_path
    from halqa.catalog.integrity import check_store
    from halqa.recommend.saved import default_model_path
    from halqa.service import Settings, control
    from halqa.service import serve as run

    path = resolve_db_path(db)
    if not path.exists():
        raise ConfigError(f"{path}: no halqa store here (run `halqa demo` or `halqa ingest` first)")
    running = control.running_server(path)
    if running is not None:
        raise ConfigError(f"{path}: already served by {control.describe(running[1])}")
    check_store(path)  # before anything is printed or started
    model = model_file or default_model_path(path)
    if model_file is not None and not model_file.exists():
        raise ConfigError(
            f"{model_file}: no trained model here; run `halqa train --out {model_file}` first"
        )
    extra: dict[str, Any] = {"max_body_bytes": max_body} if max_body else {}
    if studio_dir is not None:
        extra["studio_dir"] = studio_dir.resolve()
    settings = Settings(
        db=path,
        workers=workers,
        cors_origins=cors or [],
        rate_limit=rate_limit,
        rate_burst=max(1, int(rate_limit * 2)),
        recommender_path=str(model),
        **extra,
    )
    console.print(
        f"halqa serving {path} on http://{host}:{port}/ (dashboard: /dashboard/, API docs: /docs)",
        highlight=False,
    )
    if not settings.recommend:
        console.print("recommendations are off (HALQA_SERVICE_RECOMMEND=false)", highlight=False)
    elif model.exists():
        console.print(f"recommendations from {model}", highlight=False)
    else:
        err_console.print(
            f"no trained model at {model}: recommendations are off until you run "
            f"`halqa train --db {path}` and restart",
            highlight=False,
        )
    run(settings, host=host, port=port, log_level=log_level, check=False)


@keys_app.command("create")
@user_errors
def keys_create(
    role: Annotated[str, typer.Option(help="admin, analyst, creator or service.")],
    name: Annotated[str, typer.Option(help="Who or what the key is for.")] = "",
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Create a key; the plain key is printed once and only its hash is stored."""
    from halqa.catalog.api_keys import ROLES, create_key

    if role not in ROLES:
        raise ConfigError(f"unknown role '{role}': use one of {', '.join(ROLES)}")
    server = _server(db)
    if server is not None:
        created = server.create_key(role, name)
    else:
        with open_store(db) as store:
            principal, token = create_key(store, role, name)
        created = {
            "key_id": principal.key_id,
            "name": principal.name,
            "role": principal.role,
            "key": token,
        }
    if as_json:
        print_json(created)
        return
    console.print(
        f"{created['role']} key {created['key_id']} created; it is shown only now:", highlight=False
    )
    console.print(created["key"], highlight=False, soft_wrap=True)


@keys_app.command("list")
@user_errors
def keys_list(db: DbOption = None, as_json: JsonOption = False) -> None:
    """List keys (ids, names, roles; never the secrets)."""
    from rich.table import Table

    from halqa.catalog.api_keys import list_keys

    server = _server(db)
    if server is not None:
        keys = server.list_keys()
    else:
        with open_store(db) as store:
            keys = list_keys(store)
    if as_json:
        print_json({"keys": keys})
        return
    table = Table(title="API keys")
    for column in ("key_id", "name", "role", "created_at", "revoked_at"):
        table.add_column(column)
    for key in keys:
        table.add_row(
            *(str(key[c] or "") for c in ("key_id", "name", "role", "created_at", "revoked_at"))
        )
    console.print(table)


@keys_app.command("revoke")
@user_errors
def keys_revoke(
    key_id: Annotated[str, typer.Argument(help="The key's id (hq_<key_id>.…).")],
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Revoke a key; a running server refuses it on every worker by the time this returns."""
    from halqa.catalog.api_keys import revoke_key

    server = _server(db)
    if server is not None:
        _remote(server.revoke_key, key_id)
    else:
        with open_store(db) as store:
            revoke_key(store, key_id)
    if as_json:
        print_json({"revoked": key_id})
    else:
        console.print(f"key {key_id} revoked", highlight=False)


def _server(db: Path | None) -> Any:
    """The backend of the `halqa serve` holding the store, or None when none runs."""
    from halqa.catalog import resolve_db_path
    from halqa.catalog.serving import control_file

    path = resolve_db_path(db)
    if not control_file(path).exists():
        return None
    from halqa.service import control

    running = control.running_server(path)
    return running[0] if running is not None else None


def _remote(call: Any, *args: Any) -> Any:
    """A call to the server; its refusals (unknown key…) come back as one-line errors."""
    from multiprocessing.managers import RemoteError

    try:
        return call(*args)
    except RemoteError as exc:
        raise UserError(str(exc).strip().splitlines()[-1].split(": ", 1)[-1]) from None


def attach(app: typer.Typer) -> None:
    app.command("serve")(serve)
    app.add_typer(keys_app, name="keys")

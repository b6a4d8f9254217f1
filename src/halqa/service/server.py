"""Running the service: ``serve`` (what `halqa serve` calls) and ``serve_dashboard``
(for `halqa demo`)."""

from __future__ import annotations

import multiprocessing
import os
import secrets
import socket
import sys
import tempfile
from pathlib import Path
from typing import Any

from halqa.errors import UserError
from halqa.service.settings import Settings


def app_from_env() -> Any:
    """The factory uvicorn worker processes call; settings come from ``HALQA_SERVICE_*``."""
    from halqa.service.app import create_app

    return create_app(Settings())


def serve(
    settings: Settings,
    host: str = "127.0.0.1",
    port: int = 8000,
    log_level: str = "warning",
    *,
    check: bool = True,
) -> None:
    """Serve until interrupted. One worker: one process. N workers: N HTTP processes + one store
    process.

    Refuses (one line, ``DataError``) a store that is damaged, not DuckDB or not a halqa store
    (``check=False``: the caller just checked).
    """
    import uvicorn

    from halqa.catalog.integrity import check_store

    if check:
        check_store(settings.db)
    _sigterm_unwinds()
    with tempfile.TemporaryDirectory(prefix="halqa-serve-") as run_dir:
        # The run directory (mode 0700) holds the control socket and the CLI's read snapshots.
        settings = settings.model_copy(update={"control_dir": run_dir})
        if settings.workers == 1:
            from halqa.service.app import create_app

            uvicorn.run(
                create_app(settings),
                host=host,
                port=port,
                log_level=log_level,
                access_log=False,
                timeout_keep_alive=settings.keep_alive_s,
            )
            return
        _serve_workers(settings, Path(run_dir), host, port, log_level)


def _sigterm_unwinds() -> None:
    """After its graceful shutdown uvicorn re-raises the signal it caught; by default SIGTERM would
    then kill the process before ``finally`` blocks remove the run directory and the control
    file."""
    import signal
    import threading

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))


def _serve_workers(settings: Settings, run_dir: Path, host: str, port: int, log_level: str) -> None:
    import uvicorn

    from halqa.service import control
    from halqa.service.counters import Generations
    from halqa.service.versions import Versions

    versions = Versions()  # shared by the store process (writes) and the HTTP workers (reads)
    generations = Generations(shared=True)  # key and consent changes, seen by every worker at once
    settings = settings.model_copy(
        update={"versions_shm": versions.name, "generations_shm": generations.name}
    )
    try:
        store_process, settings, authkey = _start_store_process(settings, run_dir)
    except BaseException:
        versions.close(unlink=True)
        generations.close(unlink=True)
        raise
    control.publish(settings.db, settings.backend_address or "", authkey, f"http://{host}:{port}")
    metrics_dir = run_dir / "metrics"
    metrics_dir.mkdir()
    os.environ.update(settings.to_env())
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(metrics_dir)
    try:
        listener = _listen(host, port)
        try:
            uvicorn.run(
                "halqa.service.server:app_from_env",
                factory=True,
                fd=listener.fileno(),
                workers=settings.workers,
                log_level=log_level,
                access_log=False,
                timeout_keep_alive=settings.keep_alive_s,
            )
        finally:
            listener.close()
    finally:
        control.withdraw(settings.db)
        store_process.terminate()
        store_process.join(60)
        versions.close(unlink=True)
        generations.close(unlink=True)


def _listen(host: str, port: int) -> socket.socket:
    """The shared listening socket of the worker processes, with TCP_NODELAY set on it.

    Accepted connections inherit the option from the listener. uvicorn's multi-process mode
    hands workers a socket asyncio does not recognise as TCP, so it never sets TCP_NODELAY
    itself; without it, keep-alive responses wait ~40 ms for delayed ACKs (Nagle).
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise UserError(f"cannot listen on {host}:{port} ({exc.strerror})") from None
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def _start_store_process(settings: Settings, run_dir: Path) -> tuple[Any, Settings, bytes]:
    from halqa.service.remote import run_store_process

    ctx = multiprocessing.get_context("spawn")
    address, authkey = str(run_dir / "store.sock"), secrets.token_bytes(32)
    parent, child = ctx.Pipe()
    process = ctx.Process(
        target=run_store_process,
        args=(settings.to_env(), address, authkey, child),
        name="halqa-store",
        daemon=False,
    )
    process.start()
    if not parent.poll(120):
        process.terminate()
        raise UserError(f"{settings.db}: the store process did not start within 120 s")
    status, detail = parent.recv()
    if status != "ok":
        process.join(5)
        raise UserError(f"{settings.db}: {detail}")
    return (
        process,
        settings.model_copy(update={"backend_address": address, "backend_authkey": authkey.hex()}),
        authkey,
    )


def serve_dashboard(
    db_path: str | os.PathLike[str],
    host: str = "127.0.0.1",
    port: int = 8000,
    *,
    workers: int = 1,
    announce: Any = print,
) -> None:
    """Serve API and dashboard over ``db_path``; announces the address with a fresh analyst key.

    The key travels in the URL fragment (``#key=``), which browsers never send to the server;
    the dashboard keeps it in the tab's session storage.
    """
    from halqa.catalog import Store
    from halqa.catalog.api_keys import create_key

    with Store.open(db_path) as store:
        _, token = create_key(store, "analyst", "dashboard")
    announce(f"halqa dashboard: http://{host}:{port}/dashboard/#key={token}")
    serve(Settings(db=Path(db_path), workers=workers), host=host, port=port)

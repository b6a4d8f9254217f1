"""Running the service: ``serve`` (what `halqa serve` calls) and ``serve_dashboard`` (for `halqa demo`)."""

from __future__ import annotations

import multiprocessing
import os
import secrets
import tempfile
from pathlib import Path
from typing import Any

from halqa.errors import UserError
from halqa.service.settings import Settings


def app_from_env() -> Any:
    """The factory uvicorn worker processes call; settings come from ``HALQA_SERVICE_*``."""
    from halqa.service.app import create_app

    return create_app(Settings())


def serve(settings: Settings, host: str = "127.0.0.1", port: int = 8000, log_level: str = "warning") -> None:
    """Serve until interrupted. One worker: one process. N workers: N HTTP processes + one store process."""
    import uvicorn

    if settings.workers == 1:
        from halqa.service.app import create_app

        uvicorn.run(create_app(settings), host=host, port=port, log_level=log_level, access_log=False)
        return
    with tempfile.TemporaryDirectory(prefix="halqa-serve-") as run_dir:
        store_process, settings = _start_store_process(settings, Path(run_dir))
        metrics_dir = Path(run_dir) / "metrics"
        metrics_dir.mkdir()
        os.environ.update(settings.to_env())
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(metrics_dir)
        try:
            uvicorn.run("halqa.service.server:app_from_env", factory=True, host=host, port=port,
                        workers=settings.workers, log_level=log_level, access_log=False)
        finally:
            store_process.terminate()
            store_process.join(60)


def _start_store_process(settings: Settings, run_dir: Path) -> tuple[Any, Settings]:
    from halqa.service.remote import run_store_process

    ctx = multiprocessing.get_context("spawn")
    address, authkey = str(run_dir / "store.sock"), secrets.token_bytes(32)
    parent, child = ctx.Pipe()
    process = ctx.Process(target=run_store_process, args=(settings.to_env(), address, authkey, child),
                          name="halqa-store", daemon=False)
    process.start()
    if not parent.poll(120):
        process.terminate()
        raise UserError(f"{settings.db}: the store process did not start within 120 s")
    status, detail = parent.recv()
    if status != "ok":
        process.join(5)
        raise UserError(f"{settings.db}: {detail}")
    return process, settings.model_copy(update={"backend_address": address, "backend_authkey": authkey.hex()})


def serve_dashboard(db_path: str | os.PathLike[str], host: str = "127.0.0.1", port: int = 8000,
                    *, workers: int = 1, announce: Any = print) -> None:
    """Serve API and dashboard over ``db_path``; announces the address with a fresh analyst key.

    The key travels in the URL fragment (``#key=``), which browsers never send to the server;
    the dashboard keeps it in the tab's session storage.
    """
    from halqa.catalog import Store
    from halqa.service.keys import create_key

    with Store.open(db_path) as store:
        _, token = create_key(store, "analyst", "dashboard")
    announce(f"halqa dashboard: http://{host}:{port}/dashboard/#key={token}")
    serve(Settings(db=Path(db_path), workers=workers), host=host, port=port)

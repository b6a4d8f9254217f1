"""The app factory: ``create_app(settings)`` builds the FastAPI app,
its routes and the dashboard."""

from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, suppress
from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles

from halqa import __version__
from halqa.catalog.consent import ConsentNotAllowed
from halqa.errors import NotFoundError, UserError
from halqa.service.deps import ServiceState
from halqa.service.faults import DAMAGED_DETAIL, is_store_damage, log_damage
from halqa.service.metrics import MetricsMiddleware
from halqa.service.settings import Settings

log = logging.getLogger("halqa.service")
DASHBOARD_DIR = Path(__file__).parent / "dashboard"

DESCRIPTION = """halqa's REST API: recommendations, insights, audiences and the catalogue of a
Moroccan film, series and music service. Authenticate with an API key
(`X-API-Key: hq_...` or `Authorization: Bearer hq_...`); \
a request with a body is refused (401) before
its body is read when the key is missing or invalid, and with 413 over the body cap. \
Roles: **admin** (everything),
**analyst** (read everything), **creator** (aggregated insights only, never member-level data),
**service** (recommendations and events). \
Errors are JSON `{"detail": "..."}` saying what is wrong."""


def create_app(settings: Settings | None = None, backend: Any = None) -> FastAPI:
    """Build the app. ``backend`` (a ``Backend`` or remote proxy) is opened from settings when
    omitted."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        state = _start_state(settings, backend)
        app.state.halqa = state
        control = _open_control(settings, state)
        try:
            yield
        finally:
            if control is not None:
                control()
            state.close()

    app = FastAPI(
        title="halqa",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    _add_error_handlers(app)
    from halqa.service.docs_page import add_docs

    add_docs(app)  # /docs from installed assets: FastAPI's default page needs a CDN
    from halqa.service.hot_path import CachedListHotPath

    app.add_middleware(CachedListHotPath)  # innermost: CORS and metrics wrap its answers too
    from halqa.service.guard import RequestGuard

    # Key and size checked before any body is read; inside CORS so browsers can read its 401/413.
    app.add_middleware(RequestGuard, max_body_bytes=settings.max_body_bytes)
    if settings.cors_origins:
        from fastapi.middleware.cors import CORSMiddleware

        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["*"],
            allow_headers=["Authorization", "X-API-Key", "Content-Type"],
        )
    app.add_middleware(MetricsMiddleware)
    for router in _routers():
        app.include_router(router)
    if settings.dashboard:
        app.mount("/dashboard", StaticFiles(directory=DASHBOARD_DIR, html=True), name="dashboard")

        @app.get("/", include_in_schema=False)
        async def root() -> RedirectResponse:
            return RedirectResponse("/dashboard/")

    return app


def _start_state(settings: Settings, backend: Any) -> ServiceState:
    if backend is not None:
        return ServiceState(settings, backend, owns_backend=False)
    if settings.backend_address:
        from halqa.service.remote import connect

        return ServiceState(
            settings,
            connect(settings.backend_address, settings.backend_authkey or ""),
            owns_backend=False,
        )
    from halqa.service.backend import Backend

    return ServiceState(settings, Backend(settings), owns_backend=True)


def _open_control(settings: Settings, state: ServiceState) -> Callable[[], None] | None:
    """With one worker, let `halqa keys` and read commands reach this process (see control.py);
    returns what undoes it. With N workers the store process's socket serves that purpose."""
    if not settings.control_dir or not state.owns_backend:
        return None
    import secrets

    from halqa.service import control, remote

    address, authkey = str(Path(settings.control_dir) / "control.sock"), secrets.token_bytes(32)
    server = remote.serve_in_thread(state.backend, address, authkey)
    control.publish(settings.db, address, authkey)

    def close() -> None:
        control.withdraw(settings.db)
        remote.close(server)  # removes the socket now, while the run directory still exists

    return close


def _routers() -> list[APIRouter]:
    from halqa.service.routes import admin, catalog, domains, events, system

    # Starlette tries routes in order: the hot ones (lists, events) first. No path of one router
    # matches another's, so the order changes only the cost of routing.
    return [
        *domains.available_routers(),
        events.router,
        system.router,
        catalog.router,
        admin.router,
    ]


def _store_damaged(request: Request, exc: BaseException) -> JSONResponse:
    log_damage(log, exc)
    state: ServiceState | None = getattr(request.app.state, "halqa", None)
    if state is not None:  # so /health says so now, not at its next scheduled check
        with suppress(OSError, EOFError):  # the store process itself may be what failed
            state.backend.store_damage_seen()
    return JSONResponse({"detail": DAMAGED_DETAIL}, status_code=503)


def _add_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def invalid_request(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {"loc": [str(p) for p in e.get("loc", ())], "msg": e.get("msg", "")}
            for e in exc.errors()
        ]
        message = "; ".join(f"{'.'.join(e['loc'])}: {e['msg']}" for e in errors[:10])
        return JSONResponse(
            {"detail": message or "invalid request", "errors": errors}, status_code=422
        )

    @app.exception_handler(NotFoundError)
    async def not_found(_: Request, exc: NotFoundError) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=404)

    @app.exception_handler(ConsentNotAllowed)
    async def forbidden(_: Request, exc: ConsentNotAllowed) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=403)

    @app.exception_handler(UserError)
    async def user_error(request: Request, exc: UserError) -> JSONResponse:
        if is_store_damage(exc):  # StoreDamaged, or a UserError raised while reading a bad block
            return _store_damaged(request, exc)
        return JSONResponse({"detail": str(exc)}, status_code=400)

    async def store_error(request: Request, exc: Exception) -> JSONResponse:
        # Handled here, not by the catch-all below: Starlette re-raises what reaches that one, and
        # uvicorn then logs its trace, which a damaged store would repeat on every request.
        return _store_damaged(request, exc) if is_store_damage(exc) else _internal_error(exc)

    from multiprocessing.managers import RemoteError

    import duckdb

    app.add_exception_handler(duckdb.Error, store_error)
    app.add_exception_handler(RemoteError, store_error)  # the store process's error, as text

    @app.exception_handler(Exception)
    async def internal(request: Request, exc: Exception) -> JSONResponse:
        return _store_damaged(request, exc) if is_store_damage(exc) else _internal_error(exc)


def _internal_error(exc: BaseException) -> JSONResponse:
    # The trace goes to the server log under an id; the client sees the id only.
    incident = uuid.uuid4().hex[:12]
    log.error("internal error %s", incident, exc_info=exc)
    return JSONResponse(
        {"detail": f"internal error (incident {incident}); the server log has the details"},
        status_code=500,
    )

"""Health, metrics and "who am I"."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse

from halqa import __version__
from halqa.service import metrics
from halqa.service.deps import Admin, Anyone, Backend
from halqa.service.schemas import HealthDetailsOut, HealthOut, WhoAmIOut, file_responses

# Load balancers and Prometheus expect /health and /metrics unversioned; the rest is under /v1.
probes = APIRouter(tags=["system"])
versioned = APIRouter(prefix="/v1", tags=["system"])


@probes.get(
    "/health",
    summary="Liveness for load balancers: ok, or 503 when the store fails its check (no key)",
    responses={
        200: {"model": HealthOut},
        503: {"model": HealthOut, "description": "the store is damaged or gone"},
    },
)
def health(backend: Backend) -> JSONResponse:
    status = backend.health()
    return JSONResponse(status, status_code=200 if status["status"] == "ok" else 503)


@versioned.get(
    "/health",
    response_model=HealthDetailsOut,
    response_model_exclude_unset=True,
    summary="Health in detail: store path and check, model, writer, uptime (admin)",
)
def health_details(backend: Backend, _: Admin) -> dict[str, Any]:
    return {"version": __version__, **backend.health_details()}


@probes.get(
    "/metrics",
    summary="Prometheus metrics (text format)",
    response_class=Response,
    responses=file_responses("text/plain"),
)
def prometheus() -> Response:
    body, content_type = metrics.render()
    return Response(body, media_type=content_type)


@versioned.get("/whoami", response_model=WhoAmIOut, summary="The calling key's id, name and role")
async def whoami(principal: Anyone) -> dict[str, str]:
    return {"key_id": principal.key_id, "name": principal.name, "role": principal.role}


router = APIRouter()
router.include_router(probes)
router.include_router(versioned)

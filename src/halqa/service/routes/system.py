"""Health, metrics and "who am I"."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse

from halqa import __version__
from halqa.service import metrics
from halqa.service.deps import Admin, Anyone, Backend

router = APIRouter(tags=["system"])


@router.get(
    "/health",
    summary="Liveness for load balancers: ok, or 503 when the store fails its check (no key)",
    responses={503: {"description": "the store is damaged or gone"}},
)
def health(backend: Backend) -> JSONResponse:
    status = backend.health()
    return JSONResponse(status, status_code=200 if status["status"] == "ok" else 503)


@router.get(
    "/v1/health", summary="Health in detail: store path and check, model, writer, uptime (admin)"
)
def health_details(backend: Backend, _: Admin) -> dict[str, Any]:
    return {"version": __version__, **backend.health_details()}


@router.get(
    "/metrics",
    summary="Prometheus metrics (text format)",
    response_class=Response,
    responses={200: {"content": {"text/plain": {}}}},
)
def prometheus() -> Response:
    body, content_type = metrics.render()
    return Response(body, media_type=content_type)


@router.get("/v1/whoami", summary="The calling key's id, name and role")
async def whoami(principal: Anyone) -> dict[str, str]:
    return {"key_id": principal.key_id, "name": principal.name, "role": principal.role}

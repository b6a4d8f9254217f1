"""Health, metrics and "who am I"."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response

from halqa import __version__
from halqa.service import metrics
from halqa.service.deps import Anyone, Backend

router = APIRouter(tags=["system"])


@router.get("/health", summary="Liveness and the writer's state (no key needed)")
def health(backend: Backend) -> dict[str, Any]:
    return {"version": __version__, **backend.health()}


@router.get("/metrics", summary="Prometheus metrics (text format)", response_class=Response,
            responses={200: {"content": {"text/plain": {}}}})
def prometheus() -> Response:
    body, content_type = metrics.render()
    return Response(body, media_type=content_type)


@router.get("/v1/whoami", summary="The calling key's id, name and role")
async def whoami(principal: Anyone) -> dict[str, str]:
    return {"key_id": principal.key_id, "name": principal.name, "role": principal.role}

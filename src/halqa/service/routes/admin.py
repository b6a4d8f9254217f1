"""API keys (admin) and the Data page: counts, last ingests, quarantined rows."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request

from halqa.service.deps import Admin, Analyst, Backend
from halqa.service.schemas import KeyIn, KeyInfo, KeyOut, KeyRoleIn, Limit, Offset, Page, page_of

router = APIRouter(prefix="/v1", tags=["admin"])


@router.post("/keys", response_model=KeyOut, status_code=201, summary="Create an API key (admin)")
def create_key(body: KeyIn, request: Request, backend: Backend, _: Admin) -> dict[str, Any]:
    created = backend.create_key(body.role, body.name)
    request.app.state.halqa.reload_keys()
    return created


@router.get("/keys", response_model=Page[KeyInfo], summary="List keys, without secrets (admin)")
def list_keys(
    backend: Backend, _: Admin, limit: Limit = 1000, offset: Offset = 0
) -> dict[str, Any]:
    return page_of(backend.list_keys(), limit, offset)


@router.delete("/keys/{key_id}", status_code=204, summary="Revoke a key (admin)")
def revoke_key(
    key_id: Annotated[str, Path(min_length=1, max_length=40)],
    request: Request,
    backend: Backend,
    _: Admin,
) -> None:
    backend.revoke_key(key_id)
    request.app.state.halqa.reload_keys()


@router.patch("/keys/{key_id}", status_code=204, summary="Give a key another role (admin)")
def set_key_role(
    key_id: Annotated[str, Path(min_length=1, max_length=40)],
    body: KeyRoleIn,
    request: Request,
    backend: Backend,
    _: Admin,
) -> None:
    backend.set_key_role(key_id, body.role)
    request.app.state.halqa.reload_keys()


@router.get("/data", summary="Row counts, last ingests and quarantined rows (admin, analyst)")
def data_overview(
    backend: Backend, _: Analyst, limit: Annotated[int, Query(ge=1, le=500)] = 20
) -> dict[str, Any]:
    return backend.data_overview(limit)

"""Titles and members: read and upsert (members are member-level data: never for creators)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, HTTPException, Path, Query
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from halqa.catalog.consent import Actor
from halqa.service.deps import Admin, Analyst, Anyone, Backend, require
from halqa.service.keys import Principal
from halqa.service.schemas import MemberIn, Page, TitleIn, UpsertResult

router = APIRouter(tags=["catalogue"])
IdPath = Annotated[str, Path(min_length=1, max_length=200)]
Limit = Annotated[int, Query(ge=1, le=1000)]
Offset = Annotated[int, Query(ge=0, le=10_000_000)]


@router.get("/v1/titles", response_model=Page[dict[str, Any]], summary="List or search titles")
def list_titles(
    backend: Backend,
    _: Anyone,
    q: Annotated[
        str | None, Query(max_length=200, description="text in the title's name, or its id")
    ] = None,
    kind: Annotated[str | None, Query(max_length=20)] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> dict[str, Any]:
    found = backend.list_titles(q, kind, limit, offset)
    return {**found, "limit": limit, "offset": offset}


@router.get("/v1/titles/{title_id}", summary="One title, names in every script as stored")
def get_title(title_id: IdPath, backend: Backend, _: Anyone) -> dict[str, Any]:
    return backend.get_title(title_id)


@router.put("/v1/titles", response_model=UpsertResult, summary="Insert or replace titles (admin)")
def upsert_titles(
    titles: Annotated[list[TitleIn], Body(min_length=1, max_length=5000)],
    backend: Backend,
    _: Admin,
) -> dict[str, int]:
    return {"upserted": backend.upsert_titles([t.model_dump() for t in titles])}


@router.get(
    "/v1/members",
    response_model=Page[dict[str, Any]],
    summary="List members (member-level: admin and analyst)",
)
def list_members(
    backend: Backend,
    _: Analyst,
    region: Annotated[str | None, Query(max_length=60)] = None,
    age_band: Annotated[str | None, Query(max_length=10)] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> dict[str, Any]:
    found = backend.list_members(region, age_band, limit, offset)
    return {**found, "limit": limit, "offset": offset}


@router.get("/v1/members/{member_id}", summary="One member (member-level: admin and analyst)")
def get_member(member_id: IdPath, backend: Backend, _: Analyst) -> dict[str, Any]:
    return backend.get_member(member_id)


@router.get(
    "/v1/members/{member_id}/events", summary="A member's latest events (admin and analyst)"
)
def member_events(
    member_id: IdPath, backend: Backend, _: Analyst, limit: Limit = 50
) -> list[dict[str, Any]]:
    backend.get_member(member_id)
    return backend.member_events(member_id, limit)


@router.get(
    "/v1/members/{member_id}/consents",
    summary="A member's consent changes: who, when, old -> new (admin and analyst)",
)
def consent_history(member_id: IdPath, backend: Backend, _: Analyst) -> list[dict[str, Any]]:
    return backend.consent_history(member_id)


MemberWriter = Annotated[Principal, Depends(require("service"))]
MEMBER_RULES = (
    "Only the fields sent change (send null to clear one); a new member has no consent unless "
    "sent. Withdrawing consent: admin, service. Granting it needs consent_at and a role allowed "
    "to grant (default admin; HALQA_SERVICE_CONSENT_GRANT_ROLES), else 403. Every consent change "
    "is kept in the consent_audit table."
)


@router.put(
    "/v1/members",
    response_model=UpsertResult,
    summary="Insert or update members (admin, service)",
    description=MEMBER_RULES,
    responses={403: {"description": "role may not grant consent"}},
)
def upsert_members(
    members: Annotated[list[MemberIn], Body(min_length=1, max_length=5000)],
    backend: Backend,
    principal: MemberWriter,
) -> dict[str, int]:
    updates = [m.model_dump(exclude_unset=True) for m in members]
    return {"upserted": backend.upsert_members(updates, _actor(principal))}


@router.patch(
    "/v1/members/{member_id}",
    response_model=UpsertResult,
    summary="Update some fields of a member (admin, service)",
    description=MEMBER_RULES,
    responses={403: {"description": "role may not grant consent"}},
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/MemberIn"}}},
        }
    },
)
def patch_member(
    member_id: IdPath,
    fields: Annotated[dict[str, Any], Body()],
    backend: Backend,
    principal: MemberWriter,
) -> dict[str, int]:
    if fields.get("member_id", member_id) != member_id:
        raise HTTPException(
            422,
            f"body.member_id '{fields['member_id']}' is not the member of the path ('{member_id}')",
        )
    backend.get_member(member_id)  # 404 for an unknown member: PATCH changes, it does not create
    try:  # the same field rules as PUT (schemas.MemberIn), on the fields sent only
        update = MemberIn.model_validate({**fields, "member_id": member_id}).model_dump(
            exclude_unset=True
        )
    except ValidationError as exc:
        raise RequestValidationError(
            [{**e, "loc": ("body", *e["loc"])} for e in exc.errors()]
        ) from None
    return {"upserted": backend.upsert_members([update], _actor(principal))}


def _actor(principal: Principal) -> Actor:
    return Actor(principal.key_id, principal.role, "api")

"""Titles and members: read and upsert (members are member-level data: never for creators)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, HTTPException, Path, Query
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from halqa.catalog.consent import Actor
from halqa.service.deps import Admin, Analyst, Anyone, Backend, require
from halqa.service.keys import Principal
from halqa.service.schemas import (
    ConsentChangeOut,
    EventOut,
    Limit,
    MemberIn,
    MemberOut,
    Offset,
    Page,
    TitleIn,
    TitleOut,
    UpsertResult,
    page_of,
)

router = APIRouter(prefix="/v1", tags=["catalogue"])
IdPath = Annotated[str, Path(min_length=1, max_length=200)]


@router.get("/titles", response_model=Page[TitleOut], summary="List or search titles")
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


# Ids may hold "/" (``{...:path}``); a sub-resource is declared before its parent so that
# ``/members/a/b/events`` is the events of member "a/b", not the member "a/b/events".
@router.get(
    "/titles/{title_id:path}",
    response_model=TitleOut,
    summary="One title, names in every script as stored",
)
def get_title(title_id: IdPath, backend: Backend, _: Anyone) -> dict[str, Any]:
    return backend.get_title(title_id)


@router.put("/titles", response_model=UpsertResult, summary="Add or replace titles (admin)")
def upsert_titles(
    titles: Annotated[list[TitleIn], Body(min_length=1, max_length=5000)],
    backend: Backend,
    _: Admin,
) -> dict[str, int]:
    return {"upserted": backend.upsert_titles([t.model_dump() for t in titles])}


@router.get(
    "/members",
    response_model=Page[MemberOut],
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


@router.get(
    "/members/{member_id:path}/events",
    response_model=Page[EventOut],
    summary="A member's events, newest first (admin and analyst)",
)
def member_events(
    member_id: IdPath, backend: Backend, _: Analyst, limit: Limit = 50, offset: Offset = 0
) -> dict[str, Any]:
    found = backend.member_events(member_id, limit, offset)
    return {**found, "limit": limit, "offset": offset}


@router.get(
    "/members/{member_id:path}/consents",
    response_model=Page[ConsentChangeOut],
    summary="A member's consent changes: who, when, old -> new (admin and analyst)",
)
def consent_history(
    member_id: IdPath, backend: Backend, _: Analyst, limit: Limit = 1000, offset: Offset = 0
) -> dict[str, Any]:
    return page_of(backend.consent_history(member_id), limit, offset)


@router.get(
    "/members/{member_id:path}",
    response_model=MemberOut,
    summary="One member (member-level: admin and analyst)",
)
def get_member(member_id: IdPath, backend: Backend, _: Analyst) -> dict[str, Any]:
    return backend.get_member(member_id)


MemberWriter = Annotated[Principal, Depends(require("service"))]
MEMBER_RULES = (
    "Only the fields sent change (send null to clear one); a new member has no consent unless "
    "sent. Withdrawing consent: admin, service. Granting it needs consent_at and a role allowed "
    "to grant (default admin; HALQA_SERVICE_CONSENT_GRANT_ROLES), else 403. Every consent change "
    "is kept in the consent_audit table."
)


@router.put(
    "/members",
    response_model=UpsertResult,
    summary="Add or update members (admin, service)",
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
    "/members/{member_id:path}",
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

"""Titles and members: read and upsert (members are member-level data: never for creators)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Path, Query

from halqa.service.deps import Admin, Analyst, Anyone, Backend, require
from halqa.service.schemas import MemberIn, Page, TitleIn, UpsertResult
from fastapi import Depends

router = APIRouter(tags=["catalogue"])
IdPath = Annotated[str, Path(min_length=1, max_length=200)]
Limit = Annotated[int, Query(ge=1, le=1000)]
Offset = Annotated[int, Query(ge=0, le=10_000_000)]


@router.get("/v1/titles", response_model=Page, summary="List or search titles")
def list_titles(backend: Backend, _: Anyone,
                q: Annotated[str | None, Query(max_length=200, description="text in the title's name, or its id")] = None,
                kind: Annotated[str | None, Query(max_length=20)] = None,
                limit: Limit = 50, offset: Offset = 0) -> dict[str, Any]:
    return backend.list_titles(q, kind, limit, offset)


@router.get("/v1/titles/{title_id}", summary="One title, names in every script as stored")
def get_title(title_id: IdPath, backend: Backend, _: Anyone) -> dict[str, Any]:
    return backend.get_title(title_id)


@router.put("/v1/titles", response_model=UpsertResult, summary="Insert or replace titles (admin)")
def upsert_titles(titles: Annotated[list[TitleIn], Body(min_length=1, max_length=5000)],
                  backend: Backend, _: Admin) -> dict[str, int]:
    return {"upserted": backend.upsert_titles([t.model_dump() for t in titles])}


@router.get("/v1/members", response_model=Page, summary="List members (member-level: admin and analyst)")
def list_members(backend: Backend, _: Analyst,
                 region: Annotated[str | None, Query(max_length=60)] = None,
                 age_band: Annotated[str | None, Query(max_length=10)] = None,
                 limit: Limit = 50, offset: Offset = 0) -> dict[str, Any]:
    return backend.list_members(region, age_band, limit, offset)


@router.get("/v1/members/{member_id}", summary="One member (member-level: admin and analyst)")
def get_member(member_id: IdPath, backend: Backend, _: Analyst) -> dict[str, Any]:
    return backend.get_member(member_id)


@router.get("/v1/members/{member_id}/events", summary="A member's latest events (admin and analyst)")
def member_events(member_id: IdPath, backend: Backend, _: Analyst, limit: Limit = 50) -> list[dict[str, Any]]:
    backend.get_member(member_id)
    return backend.member_events(member_id, limit)


@router.put("/v1/members", response_model=UpsertResult, summary="Insert or replace members (admin, service)")
def upsert_members(members: Annotated[list[MemberIn], Body(min_length=1, max_length=5000)], backend: Backend,
                   _: Annotated[Any, Depends(require("service"))]) -> dict[str, int]:
    return {"upserted": backend.upsert_members([m.model_dump() for m in members])}

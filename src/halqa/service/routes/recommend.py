"""Recommendations and similar titles (member lists: service, analyst, admin; never creator)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from pydantic import BaseModel, Field

from halqa.service.deps import Analyst, Anyone, Backend, Service
from halqa.service.edge_cache import list_body, list_key

router = APIRouter(tags=["recommendations"])
IdPath = Annotated[str, Path(min_length=1, max_length=200)]
Filter = Literal["region", "age_rating", "language"]


class Pick(BaseModel):
    title_id: str
    name: str
    rank: int
    score: float
    reason: str
    local: bool = Field(
        default=False, description="a Moroccan creator's title (what the local share counts)"
    )
    placed: bool = Field(
        default=False,
        description="ranked above a title the model scored higher: a slot "
        "policy (local share, variety) placed it",
    )


class RecommendationsOut(BaseModel):
    member_id: str
    k: int
    filters: list[str]
    local_share: float | None
    items: list[Pick]


@router.get(
    "/v1/recommendations/{member_id}",
    summary="A member's next list, with a reason per title",
    response_model=RecommendationsOut,
)
async def recommendations(
    member_id: IdPath,
    request: Request,
    backend: Backend,
    _: Service,
    k: Annotated[int, Query(ge=1, le=100)] = 10,
    filters: Annotated[
        list[Filter],
        Query(
            alias="filter", max_length=3, description="region, age_rating, language (repeatable)"
        ),
    ] = [],
    local_share: Annotated[
        float | None, Query(ge=0, le=1, description="share of slots for Moroccan creators")
    ] = None,
    lang: Annotated[Literal["en", "fr", "ar"], Query(description="language of the reasons")] = "en",
) -> dict[str, Any]:
    wanted = list(dict.fromkeys(filters))
    edge = request.app.state.halqa.edge_cache  # with --workers N: this process's own copy
    key = list_key(member_id, k, wanted, local_share, lang)
    items = edge.get(key) if edge is not None else None
    if items is None:
        token = edge.token(member_id) if edge is not None else None
        # The hot path stays on the event loop: a cached list costs a dict lookup. Only a miss
        # (scoring, re-ranking, explaining) goes to a worker thread.
        items = backend.cached_recommendation(member_id, k, wanted, local_share, lang)
        if items is None:
            items = await run_in_threadpool(
                backend.recommend, member_id, k, wanted, local_share, lang
            )
        if edge is not None:
            edge.put(key, token, items)
    return Response(
        list_body(member_id, k, wanted, local_share, items), media_type="application/json"
    )


@router.get("/v1/similar/{title_id}", summary="Titles whose audience and content are closest")
def similar(
    title_id: IdPath, backend: Backend, _: Anyone, k: Annotated[int, Query(ge=1, le=100)] = 10
) -> dict[str, Any]:
    return {"title_id": title_id, "items": backend.similar(title_id, k)}


@router.get("/v1/recommender", summary="The model being served, its size and fold-in count")
def recommender(backend: Backend, _: Anyone) -> dict[str, Any]:
    return backend.recs_info()


@router.get(
    "/v1/recommendations-members",
    summary="Members who may receive lists, most active first (dashboard picker)",
)
def members(
    backend: Backend,
    _: Analyst,
    q: Annotated[str | None, Query(max_length=100)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> list[dict[str, Any]]:
    return backend.member_picker(q, limit)

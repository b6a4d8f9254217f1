"""Recommendations and similar titles (member lists: service, analyst, admin; never creator).

The member's list is the hot route: ``halqa.service.hot_path`` answers its cached lists before
FastAPI, with this module's own access rule (``LIST_ACCESS``), parameter model (``ListQuery``
through ``list_query``), path and cache look-up (``list_at_hand``), so both answer alike.
"""

from __future__ import annotations

from functools import partial
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from halqa.catalog.api_keys import Principal
from halqa.service.deps import SERVICE_ROLES, Analyst, Anyone, Backend, ServiceState, require
from halqa.service.edge_cache import list_body, list_key
from halqa.service.schemas import Limit, Offset, Page

router = APIRouter(prefix="/v1", tags=["recommendations"])
IdPath = Annotated[str, Path(min_length=1, max_length=200)]
Filter = Literal["region", "age_rating", "language"]
LIST_PATH = "/recommendations/{member_id}"  # under the router's prefix
LIST_ACCESS = require(*SERVICE_ROLES)  # who may read member lists
Rows = list[dict[str, Any]]  # a list as JSON-ready picks


class ListQuery(BaseModel):
    """The query parameters of a member's list."""

    model_config = ConfigDict(frozen=True)  # the hot path keeps validated ones for reuse

    k: int = Field(default=10, ge=1, le=100)
    filters: list[Filter] = Field(
        default_factory=list,
        alias="filter",
        max_length=3,
        description="region, age_rating, language (repeatable)",
    )
    local_share: float | None = Field(
        default=None, ge=0, le=1, description="share of slots for Moroccan creators"
    )
    lang: Literal["en", "fr", "ar"] = Field(default="en", description="language of the reasons")

    def wanted(self) -> list[str]:
        """The filters asked for, each once, in the order first asked."""
        return list(dict.fromkeys(self.filters))


async def list_query(query: Annotated[ListQuery, Query()]) -> ListQuery:
    """The list's parameters; a dependency so the hot path can ask which model the route uses."""
    return query


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


class SimilarPick(BaseModel):
    title_id: str
    name: str
    rank: int
    score: float


class SimilarOut(BaseModel):
    title_id: str
    items: list[SimilarPick]


class RecommenderOut(BaseModel):
    """The served model, or ``available: false`` with the reason none could be loaded."""

    model_config = ConfigDict(extra="allow")  # ``status`` and ``cache`` are free-form reports

    available: bool
    reason: str | None = None
    model: str | None = None
    model_file: str | None = None
    members: int | None = None
    titles: int | None = None
    fit_seconds: float | None = None
    folded_events: int | None = None
    fold_runs: int | None = None
    pending_events: int | None = None
    local_share: bool | None = Field(default=None, description="the local-talent re-ranker is on")
    cache: dict[str, int] | None = None
    status: dict[str, Any] | None = None


class MemberPick(BaseModel):
    member_id: str
    age_band: str | None = None
    gender: str | None = None
    region: str | None = None
    languages: list[str] | None = None
    events: int


def list_at_hand(state: ServiceState, member_id: str, query: ListQuery) -> Rows | None:
    """The finished list when it costs no scoring and no call to another process, else None:
    this worker's copy (``--workers N``) or, in one process, the model's own response cache."""
    wanted = query.wanted()
    if state.edge_cache is not None:
        return state.edge_cache.get(
            list_key(member_id, query.k, wanted, query.local_share, query.lang)
        )
    return state.backend.cached_recommendation(
        member_id, query.k, wanted, query.local_share, query.lang
    )


@router.get(
    LIST_PATH,
    summary="A member's next list, with a reason per title",
    response_model=RecommendationsOut,
)
async def recommendations(
    member_id: IdPath,
    request: Request,
    _: Annotated[Principal, Depends(LIST_ACCESS)],
    query: Annotated[ListQuery, Depends(list_query)],
) -> Response:
    state: ServiceState = request.app.state.halqa
    wanted = query.wanted()
    items = list_at_hand(state, member_id, query)
    if items is None:
        items = await _fetch(state, member_id, query)
    return Response(
        list_body(member_id, query.k, wanted, query.local_share, items),
        media_type="application/json",
    )


async def _fetch(state: ServiceState, member_id: str, query: ListQuery) -> Rows:
    """A list not at hand: the store process's cache (``--workers N``), else computed.

    A cached list costs a dict look-up and stays on the event loop; only scoring, re-ranking
    and explaining go to a worker thread."""
    args = (member_id, query.k, query.wanted(), query.local_share, query.lang)
    compute = partial(state.backend.recommend, *args)
    edge = state.edge_cache
    if edge is None:  # list_at_hand already asked the model's own cache
        return await run_in_threadpool(compute)
    token = edge.token(member_id)  # read before asking: see EdgeCache.token
    items = state.backend.cached_recommendation(*args)
    if items is None:
        items = await run_in_threadpool(compute)
    edge.put(list_key(*args), token, items)
    return items


@router.get(
    "/similar/{title_id}",
    summary="Titles whose audience and content are closest",
    response_model=SimilarOut,
)
def similar(
    title_id: IdPath, backend: Backend, _: Anyone, k: Annotated[int, Query(ge=1, le=100)] = 10
) -> dict[str, Any]:
    return {"title_id": title_id, "items": backend.similar(title_id, k)}


@router.get(
    "/recommender",
    summary="The model being served, its size and fold-in count",
    response_model=RecommenderOut,
    response_model_exclude_unset=True,  # what the model reports, no nulls for the rest
)
def recommender(backend: Backend, _: Anyone) -> dict[str, Any]:
    return dict(backend.recs_info())


PickerQuery = Annotated[
    str | None, Query(max_length=100, description="text in the member's pseudonymous id")
]


@router.get(
    "/recommender/members",
    summary="Members who may receive lists, most active first (the dashboard's picker)",
    response_model=Page[MemberPick],
)
def members(
    backend: Backend, _: Analyst, q: PickerQuery = None, limit: Limit = 50, offset: Offset = 0
) -> dict[str, Any]:
    return dict(backend.member_picker(q, limit, offset))


@router.get(
    "/recommendations-members",
    summary="Deprecated: use /v1/recommender/members (this answers its items as a bare array)",
    response_model=list[MemberPick],
    deprecated=True,
)
def members_deprecated(
    backend: Backend,
    _: Analyst,
    q: PickerQuery = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> list[dict[str, Any]]:
    return list(backend.member_picker(q, limit)["items"])

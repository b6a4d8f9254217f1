"""Aggregated insights (creator, analyst, admin): trends, lift, rising talent, timelines, regions.

Every figure here is an aggregate over at least k members (cells under k are suppressed).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query

from halqa.errors import UserError
from halqa.service.deps import Backend, Insights
from halqa.service.schemas import (
    WINDOW_PATTERN,
    LabelsOut,
    LiftOut,
    Limit,
    Offset,
    Page,
    ProfileOut,
    RegionsOut,
    SearchOut,
    SeasonOut,
    TalentOut,
    TimelineOut,
    TrendsOut,
    page_of,
)

router = APIRouter(prefix="/v1", tags=["insights"])
SegmentQuery = Annotated[
    list[Annotated[str, Query(max_length=80)]],
    Query(
        alias="segment",
        default_factory=list,  # no segment: everyone with analytics consent
        max_length=7,
        description="key=value, repeatable: age_band=18-24, region=souss-massa, ...",
    ),
]
Window = Annotated[
    str, Query(pattern=WINDOW_PATTERN, description="28d, 4w, 3m (30-day months) or all")
]
AsOf = Annotated[
    date | None,
    Query(
        description="the day after the window's last day (default: the day after "
        "the last event): with window, any date range"
    ),
]
By = Literal["genre", "theme", "title", "creator", "language", "kind"]


@router.get(
    "/trends",
    response_model=TrendsOut,
    response_model_exclude_unset=True,
    summary="Top and rising items of a segment, with evidence",
)
def trends(
    backend: Backend,
    _: Insights,
    segment: SegmentQuery,
    by: By = "genre",
    window: Window = "28d",
    top: Annotated[int, Query(ge=1, le=50)] = 10,
    as_of: AsOf = None,
) -> dict[str, Any]:
    return backend.trends(segment, by, window, top, _iso(as_of))


@router.get(
    "/trends/lift",
    response_model=LiftOut,
    response_model_exclude_unset=True,
    summary="What over-indexes in a segment against everyone else",
)
def lift(
    backend: Backend,
    _: Insights,
    segment: SegmentQuery,
    by: Literal["genre", "theme", "language", "kind"] = "genre",
    window: Window = "28d",
) -> dict[str, Any]:
    return backend.segment_lift(segment, by, window)


@router.get(
    "/trends/talent",
    response_model=TalentOut,
    response_model_exclude_unset=True,
    summary="Rising Moroccan and emerging creators, overall and per region",
)
def talent(
    backend: Backend,
    _: Insights,
    window: Window = "364d",  # as `halqa insights talent`: a year of weekly points
    top: Annotated[int, Query(ge=1, le=50)] = 10,
) -> dict[str, Any]:
    return backend.rising_talent(window, top)


@router.get(
    "/trends/timeline",
    response_model=TimelineOut,
    response_model_exclude_unset=True,
    summary="Weekly plays of the segment's biggest items",
)
def timeline(
    backend: Backend,
    _: Insights,
    segment: SegmentQuery,
    by: Literal["genre", "language", "kind"] = "genre",
    weeks: Annotated[int, Query(ge=1, le=260)] = 26,
    top: Annotated[int, Query(ge=1, le=12)] = 6,
    as_of: AsOf = None,
) -> dict[str, Any]:
    return backend.timeline(segment, by, weeks, top, _iso(as_of))


@router.get(
    "/trends/regions",
    response_model=RegionsOut,
    response_model_exclude_unset=True,
    summary="Plays, members and leading genre per region",
)
def regions(
    backend: Backend,
    _: Insights,
    segment: SegmentQuery,
    days: Annotated[int, Query(ge=1, le=3650)] = 90,
    as_of: AsOf = None,
) -> dict[str, Any]:
    return backend.regions(segment, days, _iso(as_of))


@router.get(
    "/labels",
    response_model=LabelsOut,
    response_model_exclude_unset=True,
    summary="Genre, theme, region labels in English, French and Arabic",
)
def labels(backend: Backend, _: Insights) -> dict[str, Any]:
    return backend.labels()


Weeks = Annotated[int, Query(ge=1, le=260)]
EntityId = Annotated[str, Path(min_length=1, max_length=200)]


@router.get(
    "/titles/{title_id:path}/profile",
    response_model=ProfileOut,
    response_model_exclude_unset=True,
    summary="One title: its audience, weekly plays, fans also like",
)
def title_profile(
    title_id: EntityId, backend: Backend, _: Insights, weeks: Weeks = 26, as_of: AsOf = None
) -> dict[str, Any]:
    return backend.profile("title", title_id, weeks, _iso(as_of))


@router.get(
    "/creators/{creator_id:path}/profile",
    response_model=ProfileOut,
    response_model_exclude_unset=True,
    summary="One creator: their audience, weekly plays, fans also like",
)
def creator_profile(
    creator_id: EntityId, backend: Backend, _: Insights, weeks: Weeks = 26, as_of: AsOf = None
) -> dict[str, Any]:
    return backend.profile("creator", creator_id, weeks, _iso(as_of))


@router.get(
    "/search",
    response_model=SearchOut,
    response_model_exclude_unset=True,
    summary="Titles and creators whose name or id contains the text",
)
def search(
    backend: Backend,
    _: Insights,
    q: Annotated[str, Query(min_length=1, max_length=100)],
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
) -> dict[str, Any]:
    return backend.search(q, limit)


@router.get(
    "/seasons",
    response_model=Page[SeasonOut],
    summary="Ramadan, the Eids (Hijri calendar) and Gregorian seasons between two dates",
)
def seasons(
    backend: Backend,
    _: Insights,
    start: date,
    end: date,
    limit: Limit = 1000,
    offset: Offset = 0,
) -> dict[str, Any]:
    if (end - start).days > 3660:
        raise UserError(f"seasons: at most ten years at a time (asked {start} to {end})")
    return page_of(backend.seasons(start.isoformat(), end.isoformat()), limit, offset)


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None

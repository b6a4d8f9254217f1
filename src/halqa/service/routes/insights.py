"""Aggregated insights (creator, analyst, admin): trends, lift, rising talent, timelines, regions.

Every figure here is an aggregate over at least k members (cells under k are suppressed).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query

from halqa.service.deps import Backend, Insights

router = APIRouter(tags=["insights"])
SegmentQuery = Annotated[list[Annotated[str, Query(max_length=80)]], Query(
    alias="segment", max_length=7, description="key=value, repeatable: age_band=18-24, region=souss-massa, ...")]
Window = Annotated[str, Query(pattern=r"^[1-9][0-9]{0,3}d$", description="e.g. 28d")]
By = Literal["genre", "theme", "title", "creator", "language", "kind"]


@router.get("/v1/trends", summary="Top and rising items of a segment, with evidence")
def trends(backend: Backend, _: Insights, segment: SegmentQuery = [], by: By = "genre", window: Window = "28d",
           top: Annotated[int, Query(ge=1, le=50)] = 10) -> dict[str, Any]:
    return backend.trends(segment, by, window, top)


@router.get("/v1/trends/lift", summary="What over-indexes in a segment against everyone else")
def lift(backend: Backend, _: Insights, segment: SegmentQuery = [],
         by: Literal["genre", "theme", "language", "kind"] = "genre", window: Window = "28d") -> dict[str, Any]:
    return backend.segment_lift(segment, by, window)


@router.get("/v1/trends/talent", summary="Rising Moroccan and emerging creators, overall and per region")
def talent(backend: Backend, _: Insights, window: Window = "28d",
           top: Annotated[int, Query(ge=1, le=50)] = 10) -> dict[str, Any]:
    return backend.rising_talent(window, top)


@router.get("/v1/trends/timeline", summary="Weekly plays of the segment's biggest items")
def timeline(backend: Backend, _: Insights, segment: SegmentQuery = [],
             by: Literal["genre", "language", "kind"] = "genre",
             weeks: Annotated[int, Query(ge=1, le=260)] = 26, top: Annotated[int, Query(ge=1, le=12)] = 6,
             ) -> dict[str, Any]:
    return backend.timeline(segment, by, weeks, top)


@router.get("/v1/trends/regions", summary="Plays, members and leading genre per region")
def regions(backend: Backend, _: Insights, segment: SegmentQuery = [],
            days: Annotated[int, Query(ge=1, le=3650)] = 90) -> dict[str, Any]:
    return backend.regions(segment, days)


@router.get("/v1/labels", summary="Genre, theme, region labels in English, French and Arabic")
def labels(backend: Backend, _: Insights) -> dict[str, Any]:
    return backend.labels()

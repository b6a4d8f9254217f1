"""Posting events, one or a batch. A 2xx means stored, de-duplicated and folded in."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException
from starlette.concurrency import run_in_threadpool

from halqa.service import metrics
from halqa.service.deps import Backend, require
from halqa.service.keys import Principal
from halqa.service.schemas import EventBatchIn, EventIn, EventResult

router = APIRouter(prefix="/v1", tags=["events"])
Poster = Annotated[Principal, Depends(require("service"))]


async def _outcomes(backend: Any, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Wait for the writer's commit without holding a thread: in-process the writer's future is
    awaited on the event loop; from a worker process the store is a blocking proxy call."""
    from halqa.service.backend import Backend as InProcess

    if isinstance(backend, InProcess):
        return await asyncio.wrap_future(backend.writer.post_events(rows))
    return await run_in_threadpool(backend.post_events, rows)


async def _store(backend: Any, events: list[EventIn]) -> dict[str, Any]:
    outcomes = await _outcomes(backend, [e.model_dump() for e in events])
    counts = {"accepted": 0, "duplicate": 0, "rejected": 0}
    for outcome in outcomes:
        counts[outcome["status"]] += 1
    for name, n in counts.items():
        if n:
            metrics.EVENTS.labels(name).inc(n)
    return {
        "accepted": counts["accepted"],
        "duplicates": counts["duplicate"],
        "rejected": counts["rejected"],
        "outcomes": [{"index": i, **o} for i, o in enumerate(outcomes)],
    }


@router.post(
    "/events",
    response_model=EventResult,
    status_code=201,
    responses={422: {"description": "invalid event, or unknown member_id/title_id"}},
    summary="Post one event (service, admin)",
)
async def post_event(event: EventIn, backend: Backend, _: Poster) -> dict[str, Any]:
    result = await _store(backend, [event])
    if result["rejected"]:
        raise HTTPException(422, result["outcomes"][0]["reason"])
    return result


@router.post(
    "/events/batch",
    response_model=EventResult,
    summary="Post up to 10,000 events; good rows are kept, bad ones quarantined and reported",
)
async def post_events(batch: EventBatchIn, backend: Backend, _: Poster) -> dict[str, Any]:
    return await _store(backend, batch.events)

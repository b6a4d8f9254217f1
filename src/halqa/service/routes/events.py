"""Posting events, one or a batch. A 2xx means stored, de-duplicated and folded in."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException

from halqa.service import metrics
from halqa.service.deps import Backend, require
from halqa.service.schemas import EventBatchIn, EventIn, EventResult

router = APIRouter(tags=["events"])
Poster = Annotated[Any, Depends(require("service"))]


def _store(backend: Any, events: list[EventIn]) -> dict[str, Any]:
    outcomes = backend.post_events([e.model_dump() for e in events])
    counts = {"accepted": 0, "duplicate": 0, "rejected": 0}
    for outcome in outcomes:
        counts[outcome["status"]] += 1
    for name, n in counts.items():
        if n:
            metrics.EVENTS.labels(name).inc(n)
    return {"accepted": counts["accepted"], "duplicates": counts["duplicate"], "rejected": counts["rejected"],
            "outcomes": [{"index": i, **o} for i, o in enumerate(outcomes)]}


@router.post("/v1/events", response_model=EventResult, status_code=201,
             responses={422: {"description": "invalid event, or unknown member_id/title_id"}},
             summary="Post one event (service, admin)")
def post_event(event: EventIn, backend: Backend, _: Poster) -> dict[str, Any]:
    result = _store(backend, [event])
    if result["rejected"]:
        raise HTTPException(422, result["outcomes"][0]["reason"])
    return result


@router.post("/v1/events/batch", response_model=EventResult,
             summary="Post up to 10,000 events; good rows are kept, bad ones quarantined and reported")
def post_events(batch: EventBatchIn, backend: Backend, _: Poster) -> dict[str, Any]:
    return _store(backend, batch.events)

"""Prometheus metrics: requests by route and status, latency histograms, write-queue depth.

A pure ASGI middleware (no BaseHTTPMiddleware) keeps the cost per request to a
few microseconds. With several worker processes, ``halqa serve`` sets
``PROMETHEUS_MULTIPROC_DIR`` and ``/metrics`` aggregates every process.
"""

from __future__ import annotations

import os
import time

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from starlette.types import ASGIApp, Message, Receive, Scope, Send

REQUESTS = Counter("halqa_http_requests_total", "HTTP requests", ["method", "route", "status"])
LATENCY = Histogram(
    "halqa_http_request_seconds",
    "HTTP request latency",
    ["route"],
    buckets=(0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10),
)
EVENTS = Counter("halqa_events_total", "Events posted, by outcome", ["outcome"])
HOT_PATH = Counter("halqa_hot_path_answers_total", "Cached lists answered before FastAPI's routing")


class MetricsMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = [500]

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            route = scope.get("route")
            # Label by route template, never the raw path: ids would explode the series count.
            label = getattr(route, "path", None) or (
                "/dashboard" if scope["path"].startswith("/dashboard") else "other"
            )
            REQUESTS.labels(scope["method"], label, str(status[0])).inc()
            LATENCY.labels(label).observe(time.perf_counter() - start)


def render() -> tuple[bytes, str]:
    """The text exposition of this process, or of all worker processes in multi-process mode."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry), CONTENT_TYPE_LATEST
    from prometheus_client import REGISTRY

    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST

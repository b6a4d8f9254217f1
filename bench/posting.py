"""Concurrent clients that post events to a halqa server the way a careful app does.

Used by ``bench/serve.py`` (scenario 2) and the service's concurrency test. Each of N clients
owns a slice of the distinct events and posts them one per request on a kept-alive connection.
A post that gets no answer (connection reset, timeout) or a 429/5xx is sent again until the
server answers it: the server de-duplicates on the event's natural key, so a retry of an event
that was in fact stored comes back as ``duplicate`` and is stored once. On top, every
``resend_every``-th event is deliberately posted a second time after its acknowledgement (a
client that lost the answer), to show those are never stored twice. A reader asks for a
recommendation list every ``read_every_s`` throughout, to show reads keep answering.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

RETRY_STATUSES = {429, 500, 502, 503, 504}


@dataclass
class PostingReport:
    clients: int
    distinct_sent: int = 0
    posts: int = 0
    created: int = 0
    duplicates: int = 0
    rejected: int = 0
    retried: int = 0  # posts sent again because no answer (or a 429/5xx) came back
    retry_reasons: Counter = field(default_factory=Counter)
    seconds: float = 0.0
    read_ms: list[float] = field(default_factory=list)
    read_errors: int = 0


def event_body(
    i: int, members: list[str], titles: list[str], base_ts: int, source: str
) -> dict[str, Any]:
    """The i-th distinct event: distinct timestamps make every (member, title, type, ts) key unique."""
    return {
        "member_id": members[(i * 7) % len(members)],
        "title_id": titles[(i * 13) % len(titles)],
        "event_type": "play",
        "ts": base_ts + i,
        "source": source,
    }


async def _post_until_answered(session: Any, url: str, body: dict, report: PostingReport) -> dict:
    import aiohttp

    while True:
        report.posts += 1
        try:
            async with session.post(url, json=body) as response:
                if response.status in RETRY_STATUSES:
                    report.retried += 1
                    report.retry_reasons[f"http {response.status}"] += 1
                    await asyncio.sleep(0.05)
                    continue
                payload = await response.json()
                report.rejected += response.status != 201
                return payload
        except (TimeoutError, aiohttp.ClientError) as exc:
            report.retried += 1
            report.retry_reasons[type(exc).__name__] += 1


async def _client(
    session: Any,
    url: str,
    mine: range,
    members: list[str],
    titles: list[str],
    base_ts: int,
    source: str,
    resend_every: int,
    report: PostingReport,
) -> None:
    for i in mine:
        body = event_body(i, members, titles, base_ts, source)
        report.distinct_sent += 1
        for _ in range(2 if resend_every and i % resend_every == 0 else 1):
            payload = await _post_until_answered(session, url, body, report)
            report.created += payload.get("accepted", 0)
            report.duplicates += payload.get("duplicates", 0)


async def _reader(
    session: Any,
    url: str,
    members: list[str],
    query: str,
    every_s: float,
    done: asyncio.Event,
    report: PostingReport,
) -> None:
    i = 0
    while not done.is_set():
        started = time.perf_counter()
        try:
            async with session.get(
                f"{url}/v1/recommendations/{members[i % len(members)]}?{query}"
            ) as response:
                await response.read()
                report.read_errors += response.status != 200
        except Exception:
            report.read_errors += 1
        report.read_ms.append((time.perf_counter() - started) * 1000)
        i += 1
        try:
            await asyncio.wait_for(done.wait(), every_s)
        except TimeoutError:
            pass


async def _run(
    url: str,
    key: str,
    events: int,
    clients: int,
    members: list[str],
    titles: list[str],
    base_ts: int,
    source: str,
    resend_every: int,
    read_query: str | None,
    read_every_s: float,
) -> PostingReport:
    import aiohttp

    report = PostingReport(clients=clients)
    headers = {"X-API-Key": key}
    timeout = aiohttp.ClientTimeout(total=120)
    connector = aiohttp.TCPConnector(limit=clients + 1)
    async with aiohttp.ClientSession(
        headers=headers, timeout=timeout, connector=connector
    ) as session:
        done = asyncio.Event()
        reader = (
            asyncio.create_task(
                _reader(session, url, members, read_query, read_every_s, done, report)
            )
            if read_query is not None
            else None
        )
        started = time.perf_counter()
        await asyncio.gather(
            *(
                _client(
                    session,
                    f"{url}/v1/events",
                    range(c, events, clients),
                    members,
                    titles,
                    base_ts,
                    source,
                    resend_every,
                    report,
                )
                for c in range(clients)
            )
        )
        report.seconds = time.perf_counter() - started
        done.set()
        if reader is not None:
            await reader
    return report


def post_events(
    url: str,
    key: str,
    *,
    events: int,
    clients: int,
    members: list[str],
    titles: list[str],
    base_ts: int,
    source: str,
    resend_every: int = 10,
    read_query: str | None = None,
    read_every_s: float = 0.1,
) -> PostingReport:
    """Post ``events`` distinct events from ``clients`` concurrent clients; see the module docstring."""
    return asyncio.run(
        _run(
            url,
            key,
            events,
            clients,
            members,
            titles,
            base_ts,
            source,
            resend_every,
            read_query,
            read_every_s,
        )
    )

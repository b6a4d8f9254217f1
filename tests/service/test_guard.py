"""Bodies: the key is checked before a body is read, and bodies over the cap get 413 unread
(issue 11 item 5); /health says only what a load balancer needs (item 6)."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import httpx

from tests.service.conftest import Served

HUNDRED_MB = 100 * 1024 * 1024


def _raw(
    served: Served, head: str, body: bytes = b"", timeout: float = 10.0
) -> tuple[int, bytes, float]:
    """Send ``head`` (and ``body``) on a raw socket; the status, the answer and how long it took."""
    host, port = served.url.removeprefix("http://").split(":")
    started = time.monotonic()
    with socket.create_connection((host, int(port)), timeout=timeout) as sock:
        sock.sendall(head.encode("latin-1") + body)
        answer = b""
        while b"\r\n\r\n" not in answer:
            chunk = sock.recv(65536)
            if not chunk:
                break
            answer += chunk
        answer += sock.recv(65536) if b"content-length" in answer.lower() else b""
    return int(answer.split(b" ", 2)[1]), answer, time.monotonic() - started


def _post_head(path: str, length: int, key: str | None = None) -> str:
    auth = f"X-API-Key: {key}\r\n" if key else ""
    return (
        f"POST {path} HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n{auth}"
        f"Content-Length: {length}\r\n\r\n"
    )


def _rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def test_no_key_is_refused_before_the_body_arrives(served: Served) -> None:
    # Only the headers of a 100 MB body are sent: the answer must come without waiting for it.
    status, answer, _ = _raw(served, _post_head("/v1/events/batch", HUNDRED_MB))
    assert status == 401 and b"missing API key" in answer
    status, answer, _ = _raw(served, _post_head("/v1/events/batch", HUNDRED_MB, "hq_nope.wrong"))
    assert status == 401 and b"invalid or revoked" in answer


def test_an_unauthenticated_100_mb_post_costs_the_server_nothing(served: Served) -> None:
    before = _rss_kib(served.process.pid)
    host, port = served.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        sock.sendall(_post_head("/v1/events/batch", HUNDRED_MB).encode())
        chunk, sent = b"x" * (1 << 20), 0
        try:
            while sent < HUNDRED_MB:
                sock.sendall(chunk)
                sent += len(chunk)
        except OSError:  # the server answered and closed: what it should do
            pass
    assert sent < HUNDRED_MB
    assert _rss_kib(served.process.pid) - before < 50 * 1024


def test_a_declared_length_over_the_cap_is_413_unread(served: Served) -> None:
    status, answer, _ = _raw(
        served, _post_head("/v1/events/batch", 17 * 1024 * 1024, served.keys["service"])
    )
    assert status == 413 and b"HALQA_SERVICE_MAX_BODY_BYTES" in answer


def test_a_chunked_body_over_the_cap_is_cut_off_with_413(served: Served) -> None:
    def chunks():
        for _ in range(18):
            yield b" " * (1 << 20)

    with served.client("service") as client:
        response = client.post(
            "/v1/events/batch", content=chunks(), headers={"content-type": "application/json"}
        )
    assert response.status_code == 413


def test_bodies_under_the_cap_still_work(served: Served) -> None:
    with served.client("service") as client:
        response = client.post(
            "/v1/events",
            json={
                "member_id": "m001",
                "title_id": "t-ar-1",
                "event_type": "play",
                "ts": "2026-11-02T10:00:00Z",
            },
        )
    assert response.status_code == 201, response.text


def test_health_is_minimal_without_a_key_and_detailed_for_admin(served: Served) -> None:
    public = httpx.get(served.url + "/health")
    assert public.status_code == 200 and public.json() == {"status": "ok"}
    assert str(served.db) not in public.text and served.db.name not in public.text
    assert httpx.get(served.url + "/v1/health").status_code == 401
    with served.client("analyst") as analyst:
        assert analyst.get("/v1/health").status_code == 403
    with served.client("admin") as admin:
        details = admin.get("/v1/health").json()
    assert (
        details["status"] == "ok"
        and details["problem"] is None
        and details["store"] == str(served.db)
    )

"""The outermost layer: a request's key is checked, and its size capped, before its body is read.

FastAPI reads and parses a request's body before it resolves the route's dependencies, so the
route's key check alone lets anyone make the server read, buffer and parse a body of any size
(an unauthenticated 100 MB POST cost 8 s and 480 MB before its 401). Here, before any byte of
the body is read:

- a request that carries a body (POST, PUT, PATCH, DELETE) needs a valid key: 401 otherwise;
  which *role* may use the route is still the route's decision (403 there);
- a declared ``Content-Length`` over ``max_body_bytes`` is refused with 413;
- a body without a length (chunked) is counted as it arrives and cut off with 413 at the cap.

Requests without a body (GET, HEAD, OPTIONS) pass untouched: their routes check the key
themselves, and the public ones (``/health``, ``/docs``, the dashboard) need none.
"""

from __future__ import annotations

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from halqa.service.deps import INVALID_KEY, MISSING_KEY, header_token

BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class RequestGuard:
    def __init__(self, app: ASGIApp, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in BODY_METHODS:
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers", ()))
        refusal = self._refusal(scope, headers)
        if refusal is not None:
            await _answer(send, *refusal)
            return
        if b"content-length" in headers:
            await self.app(
                scope, receive, send
            )  # within the cap; the server reads no more than declared
            return
        await self._counted(scope, receive, send)

    def _refusal(self, scope: Scope, headers: dict[bytes, bytes]) -> tuple[int, str, list] | None:
        """401 without a valid key (checked first: strangers learn nothing else),
        then 413 over the cap."""
        state = getattr(getattr(scope.get("app"), "state", None), "halqa", None)
        if state is not None:
            token = header_token(scope.get("headers", ()))
            if not token:
                return 401, MISSING_KEY, [(b"www-authenticate", b"Bearer")]
            if state.verify(token) is None:
                return 401, INVALID_KEY, [(b"www-authenticate", b"Bearer")]
        length = headers.get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.max_body_bytes):
            return 413, self._too_large(), []
        return None

    def _too_large(self) -> str:
        return (
            f"request body over {self.max_body_bytes:,} bytes (the server's cap, "
            "HALQA_SERVICE_MAX_BODY_BYTES); send smaller batches"
        )

    async def _counted(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass a body of unknown length through; past the cap,
        answer 413 and tell the app the client left."""
        seen = 0
        started = refused = False

        async def counting_receive() -> Message:
            nonlocal seen, refused
            if refused:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_body_bytes:
                    refused = True
                    if not started:
                        await _answer(send, 413, self._too_large(), [])
                    return {"type": "http.disconnect"}
            return message

        async def watching_send(message: Message) -> None:
            nonlocal started
            if refused:
                # the 413 is the answer; whatever the app makes of the cut-off body is dropped
                return
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        await self.app(scope, counting_receive, watching_send)


async def _answer(send: Send, status: int, detail: str, extra: list) -> None:
    body = orjson.dumps({"detail": detail})
    # Connection: close, so the client does not go on sending a body nobody will read.
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
                *extra,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})

"""The hot path: a cached recommendation list served without FastAPI's per-request machinery.

An app asks for the same members' lists again and again, and once a list is cached the answer
is a dictionary look-up; what remains is the framework's cost per request (routing through every
route, resolving the route's dependencies, validating its parameters), several times the look-up.
This ASGI layer answers ``GET /v1/recommendations/{member_id}`` itself when, and only when, the
request is plainly valid, its key may read lists and is within its rate, and the list is cached.
Anything else (a miss, an unusual or invalid parameter, a bad key) goes on to the FastAPI route
unchanged, which computes the list or gives the error: both paths answer with the same JSON
(``tests/service/test_hot_path.py`` compares them).
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any
from urllib.parse import parse_qsl

from halqa.service.deps import SERVICE_ROLES
from halqa.service.edge_cache import list_body, list_key
from halqa.service.metrics import HOT_PATH

PREFIX = "/v1/recommendations/"
ROUTE = SimpleNamespace(path=PREFIX + "{member_id}")  # the route label metrics report
ROLES = frozenset({*SERVICE_ROLES, "admin"})  # as the route's ``Service`` dependency
FILTERS = frozenset({"region", "age_rating", "language"})
LANGS = frozenset({"en", "fr", "ar"})
_HEADERS = [(b"content-type", b"application/json")]


class CachedListHotPath:
    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        body = (
            _cached_answer(scope) if scope["type"] == "http" and scope["method"] == "GET" else None
        )
        if body is None:
            await self.app(scope, receive, send)
            return
        scope["route"] = ROUTE
        HOT_PATH.inc()
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [*_HEADERS, (b"content-length", str(len(body)).encode())],
            }
        )
        await send({"type": "http.response.body", "body": body})


def _cached_answer(scope: dict) -> bytes | None:
    """The response body when this request can be answered from the cache, else None."""
    path = scope["path"]
    if not path.startswith(PREFIX):
        return None
    member_id = path[len(PREFIX) :]
    params = _params(scope.get("query_string", b""))
    state = getattr(scope.get("app"), "state", None)
    state = getattr(state, "halqa", None)
    if not member_id or "/" in member_id or len(member_id) > 200 or params is None or state is None:
        return None
    principal = _principal(state, scope)
    if principal is None:
        return None
    k, filters, local_share, lang = params
    key = list_key(member_id, k, filters, local_share, lang)
    try:
        items = state.edge_cache.get(key) if state.edge_cache is not None else None
        if items is None and state.edge_cache is None:
            items = state.backend.cached_recommendation(member_id, k, filters, local_share, lang)
    except Exception:  # e.g. no such member: the route gives the proper error
        return None
    # The token is spent only when this layer answers; over the limit, the route says 429.
    if items is None or state.limiter.take(principal.key_id):
        return None
    return list_body(member_id, k, filters, local_share, items)


def _params(query_string: bytes) -> tuple[int, list[str], float | None, str] | None:
    """k, filters (de-duplicated, in order), local_share and lang, or None unless plainly valid."""
    k, filters, local_share, lang = 10, [], None, "en"
    try:
        pairs = parse_qsl(
            query_string.decode("ascii"), keep_blank_values=True, strict_parsing=bool(query_string)
        )
    except (UnicodeDecodeError, ValueError):
        return None
    for name, value in pairs:
        if name == "k" and value.isascii() and value.isdigit() and 1 <= int(value) <= 100:
            k = int(value)
        elif name == "filter" and value in FILTERS:
            filters.append(value)
        elif name == "local_share" and _fraction(value) is not None:
            local_share = _fraction(value)
        elif name == "lang" and value in LANGS:
            lang = value
        else:
            return None
    if len(filters) > 3:
        return None
    return k, list(dict.fromkeys(filters)), local_share, lang


def _fraction(value: str) -> float | None:
    """Plain decimals only ("0.4", "1"); exponents, signs and the like are left to the route."""
    if not (value.isascii() and value.replace(".", "", 1).isdigit()):
        return None
    number = float(value)
    return number if 0.0 <= number <= 1.0 else None


def _principal(state: Any, scope: dict) -> Any:
    """The caller when the key is valid and its role may read lists (X-API-Key before Bearer)."""
    token = None
    for name, value in scope.get("headers", ()):
        if name == b"x-api-key":
            token = value.decode("latin-1")
            break
        if name == b"authorization" and value[:7].lower() == b"bearer ":
            token = value[7:].decode("latin-1").strip()
    principal = state.verify(token) if token else None  # sees revokes from every process
    return principal if principal is not None and principal.role in ROLES else None

"""The hot path: a cached recommendation list served without FastAPI's per-request machinery.

An app asks for the same members' lists again and again, and once a list is cached the answer
is a dictionary look-up; what remains is the framework's cost per request (routing through every
route, resolving the route's dependencies, validating its parameters), several times the look-up.
This ASGI layer answers the list route (``halqa.service.routes.recommend``) itself when, and only
when, the route would answer 200 from a cached list. It holds no rule of its own: the path, the
access rule (key check, role table, rate limiter), the parameter model and the cache look-up are
the route's, imported, and a dependency the app overrides (``app.dependency_overrides``) is
honoured here as FastAPI honours it there. Anything else (a miss, an unusual spelling of a
parameter, a bad key, a role the route refuses, a key over its rate) goes on to the FastAPI
route unchanged, which computes the list or gives the error: both paths answer with the same
JSON (``tests/service/test_hot_path.py`` and ``test_hot_path_follows_the_route.py`` compare them).
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from functools import lru_cache
from multiprocessing.managers import RemoteError
from types import SimpleNamespace
from typing import Annotated, Any, get_args, get_origin, get_type_hints
from urllib.parse import parse_qsl

from pydantic import BaseModel, TypeAdapter, ValidationError
from starlette.types import ASGIApp, Receive, Scope, Send

from halqa.errors import UserError
from halqa.service.deps import Access, ServiceState, header_token
from halqa.service.edge_cache import list_body
from halqa.service.metrics import HOT_PATH
from halqa.service.routes.recommend import (
    LIST_ACCESS,
    LIST_PATH,
    IdPath,
    ListQuery,
    list_at_hand,
    list_query,
    router,
)

ROUTE = SimpleNamespace(path=router.prefix + LIST_PATH)  # the route label metrics report
PREFIX = ROUTE.path.split("{", 1)[0]
_MEMBER_ID = TypeAdapter(IdPath)
# Plain spellings only (a word, or a decimal without sign or exponent); "-0", "1e1", "%D9%A1"
# are valid to the route too, but rare enough to leave to it.
_PLAIN = re.compile(r"[A-Za-z_]+|[0-9]+(?:\.[0-9]*)?|\.[0-9]+", re.ASCII)
_HEADERS = [(b"content-type", b"application/json")]


class CachedListHotPath:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
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


def _cached_answer(scope: Scope) -> bytes | None:
    """The response body when this request can be answered from the cache, else None."""
    path = scope["path"]
    if not path.startswith(PREFIX):
        return None
    member_id = path[len(PREFIX) :]
    app = scope.get("app")
    state: ServiceState | None = getattr(getattr(app, "state", None), "halqa", None)
    if state is None or "/" in member_id or not _valid(_MEMBER_ID, member_id):
        return None
    overrides = getattr(app, "dependency_overrides", {})
    access = overrides.get(LIST_ACCESS, LIST_ACCESS)
    model = _query_model(overrides.get(list_query, list_query))
    query = _query(scope.get("query_string", b""), model) if model is not None else None
    if query is None or not isinstance(access, Access):
        return None
    principal = access.admits(state, header_token(scope.get("headers", ())))
    if principal is None:
        return None
    try:
        items = list_at_hand(state, member_id, query)
    except (UserError, RemoteError):  # e.g. no such member: the route gives the proper error
        return None
    # The token is spent only when this layer answers; over the limit, the route says 429.
    if items is None or state.limiter.take(principal.key_id):
        return None
    return list_body(member_id, query.k, query.wanted(), query.local_share, items)


@lru_cache(maxsize=4096)  # apps ask with the same few query strings: parse and validate once
def _query(query_string: bytes, model: type[ListQuery] = ListQuery) -> ListQuery | None:
    """The parameters as ``model`` validates them, or None unless plainly spelled and valid.

    Read as Starlette and FastAPI read them: a list field takes every value, any other the last."""
    try:
        pairs = parse_qsl(
            query_string.decode("ascii"), keep_blank_values=True, strict_parsing=bool(query_string)
        )
    except (UnicodeDecodeError, ValueError):
        return None
    lists, names = _aliases(model)
    values: dict[str, Any] = {}
    for name, value in pairs:
        if name not in names or not _PLAIN.fullmatch(value):
            return None
        if name in lists:
            values.setdefault(name, []).append(value)
        else:
            values[name] = value
    try:
        return model.model_validate(values)
    except ValidationError:
        return None


@lru_cache(maxsize=8)
def _aliases(model: type[BaseModel]) -> tuple[frozenset[str], frozenset[str]]:
    """(names of list fields, names of all fields) as the query string spells them."""
    spelled = {name: field.alias or name for name, field in model.model_fields.items()}
    lists = {
        spelled[name] for name, field in model.model_fields.items() if _is_list(field.annotation)
    }
    return frozenset(lists), frozenset(spelled.values())


def _is_list(annotation: Any) -> bool:
    return get_origin(annotation) is list


@lru_cache(maxsize=8)
def _query_model(dependency: Callable[..., Any]) -> type[ListQuery] | None:
    """The parameter model a ``list_query``-like dependency declares, or None when it is not one."""
    try:
        hints = get_type_hints(dependency, include_extras=True)
        first = next(iter(inspect.signature(dependency).parameters))
    except (TypeError, NameError, StopIteration):
        return None
    hint = hints.get(first)
    model = get_args(hint)[0] if get_origin(hint) is Annotated else hint
    return model if isinstance(model, type) and issubclass(model, ListQuery) else None


def _valid(adapter: TypeAdapter[Any], value: str) -> bool:
    try:
        adapter.validate_python(value)
    except ValidationError:
        return False
    return True

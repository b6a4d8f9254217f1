"""The privilege suite (issue 11 item 19): every path of the OpenAPI spec × {no key, malformed key,
wrong secret, revoked key, each role} × {1, 2 workers}, against the role table in docs/service.md."""

from __future__ import annotations

import http.client
import re
from functools import cache
from pathlib import Path

import httpx
import pytest

from halqa.service.keys import ROLES
from tests.service.conftest import Served

DOC = Path(__file__).resolve().parents[2] / "docs" / "service.md"
BAD_KEYS = {
    "no key": None,
    "malformed key": "not-a-key",
    "wrong secret": "hq_000000000000.wrong-secret",
}
# Values for path parameters: existing ids where the route reads one, throwaway ids elsewhere.
PATH_VALUES = {
    "member_id": "m001",
    "title_id": "t-ar-1",
    "campaign": "no-such-campaign",
    "key_id": "no-such-key",
    "creator_id": "no-such-creator",  # a title's or creator's own page (404 past the role check)
    # the studio's visual-effects routes (ids that match their patterns but name nothing)
    "name": "privilege-suite.png",
    "job_id": "0123456789abcdef",
    "pid": "abcd",
    "decision": "reject",
    # the music routes (their job ids are 12 hex digits)
    "kind": "midi",
    "proposal_id": "abcd",
}
PATH_VALUES_UNDER = {"/v1/music/": {"job_id": "0123456789ab"}}
BODY_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


@cache
def role_table() -> dict[tuple[str, str], frozenset[str] | None]:
    """(method, path) -> roles allowed (None: public), from the table between the role-table markers."""
    text = DOC.read_text(encoding="utf-8")
    block = text.split("<!-- role-table")[1].split("<!-- /role-table -->")[0]
    table = {}
    for method, path, roles in re.findall(
        r"^\| (GET|POST|PUT|PATCH|DELETE) \| `([^`]+)` \| ([^|]+) \|$", block, re.MULTILINE
    ):
        names = [r.strip() for r in roles.split(",")]
        table[(method, path)] = None if names == ["public"] else frozenset(names)
    return table


def _url(path: str) -> str:
    values = PATH_VALUES | next(
        (v for prefix, v in PATH_VALUES_UNDER.items() if path.startswith(prefix)), {}
    )
    # A parameter named here by no one (a route added later) gets a throwaway id: roles are checked
    # before parameters, so the suite still proves who gets through.
    return re.sub(r"\{(\w+)\}", lambda m: values.get(m.group(1), "0123456789ab"), path)


def _call(served: Served, method: str, path: str, token: str | None) -> int:
    """The status of one request on a fresh connection (so with two workers both get asked)."""
    headers = {"X-API-Key": token} if token is not None else {}
    # A body with no known field: past the key and role checks a route answers 422 (or 404 for a
    # throwaway id), so the suite proves who gets through without changing the world it walks (a
    # body whose every field has a default, like a composition's, is refused for the unknown field).
    body = b'{"privilege_suite": "no such field"}' if method in BODY_METHODS - {"DELETE"} else None
    if body is not None:
        headers["Content-Type"] = "application/json"
    host, port = served.url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=60)
    try:
        connection.request(method, _url(path), body=body, headers=headers)
        return connection.getresponse().status
    finally:
        connection.close()


def _spec_routes(served: Served) -> set[tuple[str, str]]:
    paths = httpx.get(served.url + "/openapi.json").json()["paths"]
    return {(method.upper(), path) for path, ops in paths.items() for method in ops}


@pytest.fixture(params=["served", "served_two"], ids=["1 worker", "2 workers"])
def server(request) -> Served:
    return request.getfixturevalue(request.param)


def test_the_table_lists_every_route_of_the_spec(server: Served) -> None:
    assert set(role_table()) == _spec_routes(server)


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_exactly_its_routes(server: Served, role: str) -> None:
    wrong = []
    for (method, path), allowed in sorted(role_table().items()):
        status = _call(server, method, path, server.keys[role])
        expected_ok = allowed is None or role in allowed
        if (
            status >= 500
            or (expected_ok and status in (401, 403))
            or (not expected_ok and status != 403)
        ):
            wrong.append((method, path, status))
    assert not wrong, f"role {role}: {wrong}"


@pytest.mark.parametrize("label", list(BAD_KEYS))
def test_keys_that_are_not_valid_get_401_everywhere(server: Served, label: str) -> None:
    _assert_refused(server, BAD_KEYS[label], label)


def test_a_revoked_key_gets_401_everywhere(server: Served) -> None:
    with server.client("admin") as admin:
        created = admin.post("/v1/keys", json={"role": "admin", "name": "privilege-suite"}).json()
        assert (
            httpx.get(server.url + "/v1/whoami", headers={"X-API-Key": created["key"]}).status_code
            == 200
        )
        assert admin.delete(f"/v1/keys/{created['key_id']}").status_code == 204
    _assert_refused(server, created["key"], "revoked key")


def _assert_refused(server: Served, token: str | None, label: str) -> None:
    wrong = []
    for (method, path), allowed in sorted(role_table().items()):
        status = _call(server, method, path, token)
        if status != (200 if allowed is None else 401):
            wrong.append((method, path, status))
    assert not wrong, f"{label}: {wrong}"

"""The hot path has no rule of its own: a change to the route's key check, role table, rate
limiter or parameter model reaches the hot path too, and both answer the same.

Each test asks twice: through the app as served (the hot path answers when it may) and with the
hot path switched off (FastAPI's route answers everything), and compares status and body.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import pytest
from fastapi import Query
from prometheus_client import REGISTRY
from pydantic import Field
from starlette.testclient import TestClient

from halqa.service import hot_path
from halqa.service.app import create_app
from halqa.service.deps import ServiceState
from halqa.service.keys import Principal
from halqa.service.ratelimit import RateLimiter
from halqa.service.routes.recommend import LIST_ACCESS, ListQuery, list_query
from halqa.service.settings import Settings
from tests.service.conftest import prepare_store

LIST = "/v1/recommendations/m001"


class WideQuery(ListQuery):
    k: int = Field(default=10, ge=1, le=200)


class NarrowQuery(ListQuery):
    k: int = Field(default=10, ge=1, le=3)


async def wide_query(query: Annotated[WideQuery, Query()]) -> ListQuery:
    return query


async def narrow_query(query: Annotated[NarrowQuery, Query()]) -> ListQuery:
    return query


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, dict[str, str]]]:
    db = Path(tmp_path_factory.mktemp("follows")) / "hot.duckdb"
    _, keys = prepare_store(db)
    settings = Settings(db=db, rate_limit=100_000, rate_burst=100_000, dashboard=False)
    with TestClient(create_app(settings)) as client:
        yield client, keys


def _hot_answers() -> float:
    return REGISTRY.get_sample_value("halqa_hot_path_answers_total") or 0.0


def _ask(client: TestClient, url: str, key: str) -> tuple[int, Any, bool]:
    """(status, body, whether the hot path answered)."""
    before = _hot_answers()
    response = client.get(url, headers={"X-API-Key": key})
    return response.status_code, response.json(), _hot_answers() > before


def _route_only(
    client: TestClient, url: str, key: str, monkeypatch: pytest.MonkeyPatch
) -> tuple[int, Any]:
    with monkeypatch.context() as patch:
        patch.setattr(hot_path, "_cached_answer", lambda scope: None)
        status, body, hot = _ask(client, url, key)
    assert not hot
    return status, body


def _both(
    client: TestClient, url: str, key: str, monkeypatch: pytest.MonkeyPatch
) -> tuple[int, bool]:
    """Ask through the route, then as served; they must agree. (status, hot path answered)."""
    routed = _route_only(client, url, key, monkeypatch)  # also puts a 200 list in the cache
    status, body, hot = _ask(client, url, key)
    assert (status, body) == routed
    return status, hot


def _state(client: TestClient) -> ServiceState:
    return client.app.state.halqa


def test_the_hot_path_answers_a_cached_list_as_the_route_does(world, monkeypatch) -> None:
    client, keys = world
    assert _both(client, f"{LIST}?k=4", keys["service"], monkeypatch) == (200, True)


def test_a_change_to_the_role_table_reaches_both(world, monkeypatch) -> None:
    client, keys = world
    url = f"{LIST}?k=5"
    assert _both(client, url, keys["creator"], monkeypatch) == (403, False)
    monkeypatch.setattr(LIST_ACCESS, "roles", frozenset({"admin", "creator"}))
    assert _both(client, url, keys["creator"], monkeypatch) == (200, True)
    assert _both(client, url, keys["service"], monkeypatch) == (403, False)


def test_a_change_to_the_key_check_reaches_both(world, monkeypatch) -> None:
    client, keys = world
    url, made_up = f"{LIST}?k=6", "hq_madeup.secret"
    assert _both(client, url, made_up, monkeypatch) == (401, False)
    real = ServiceState.verify

    def verify(self: ServiceState, token: str) -> Principal | None:
        if token == made_up:
            return Principal("madeup", "test", "service")
        return None if token == keys["service"] else real(self, token)

    monkeypatch.setattr(ServiceState, "verify", verify)
    assert _both(client, url, made_up, monkeypatch) == (200, True)
    assert _both(client, url, keys["service"], monkeypatch) == (401, False)


def test_a_change_to_the_rate_limit_reaches_both(world, monkeypatch) -> None:
    client, keys = world
    url, key = f"{LIST}?k=7", keys["service"]
    _route_only(client, url, key, monkeypatch)  # the list is cached from here on
    state = _state(client)
    seen = []
    for answer_through in ("route", "served"):
        # A fresh bucket of two requests that refills far slower than the test runs.
        monkeypatch.setattr(state, "limiter", RateLimiter(rate=0.001, burst=2))
        asked = [
            _route_only(client, url, key, monkeypatch)
            if answer_through == "route"
            else _ask(client, url, key)[:2]
            for _ in range(3)
        ]
        seen.append([status for status, _ in asked])
        assert asked[0] == asked[1]
    assert seen == [[200, 200, 429], [200, 200, 429]]


def test_a_change_to_the_parameter_model_reaches_both(world, monkeypatch) -> None:
    client, keys = world
    key = keys["service"]
    assert _both(client, f"{LIST}?k=150", key, monkeypatch) == (422, False)
    assert _both(client, f"{LIST}?k=3", key, monkeypatch) == (200, True)
    overrides = client.app.dependency_overrides
    monkeypatch.setitem(overrides, list_query, wide_query)
    assert _both(client, f"{LIST}?k=150", key, monkeypatch) == (200, True)
    monkeypatch.setitem(overrides, list_query, narrow_query)
    assert _both(client, f"{LIST}?k=5", key, monkeypatch) == (422, False)
    assert _both(client, f"{LIST}?k=3", key, monkeypatch) == (200, True)

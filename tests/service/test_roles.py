"""Roles: a creator key reads aggregated insights and the catalogue, never member-level data."""

from __future__ import annotations

import httpx
import pytest

from tests.service.conftest import Served, prepare_store, start_server, stop_server

# Every route that returns or writes member-level data (ids of members, their events, their lists).
MEMBER_LEVEL = [
    ("GET", "/v1/members", None),
    ("GET", "/v1/members/m001", None),
    ("GET", "/v1/members/m001/events", None),
    ("GET", "/v1/members/m001/consents", None),
    ("PATCH", "/v1/members/m001", {"city": "Fès"}),
    ("GET", "/v1/data", None),
    ("PUT", "/v1/members", [{"member_id": "m-x"}]),
    (
        "POST",
        "/v1/events",
        {"member_id": "m001", "title_id": "t-ar-1", "event_type": "play", "ts": 1763000000},
    ),
    ("GET", "/v1/recommendations/m001", None),
    ("GET", "/v1/recommendations-members", None),
    ("GET", "/v1/recommender/members", None),
    (
        "POST",
        "/v1/audience/target",
        {"name": "x", "kind": "film", "genres": ["drama"], "language": "ar"},
    ),
    ("GET", "/v1/campaigns", None),
]


@pytest.mark.parametrize(("method", "path", "body"), MEMBER_LEVEL)
def test_creator_cannot_read_member_level_data(
    served: Served, method: str, path: str, body: object
) -> None:
    with served.client("creator") as client:
        response = client.request(method, path, json=body)
    assert response.status_code == 403, response.text
    assert "role 'creator' may not use" in response.json()["detail"]
    assert "m001" not in response.text.replace(path, "")


def test_member_level_routes_in_the_spec_are_all_covered(served: Served) -> None:
    """A new member-level route must be added to MEMBER_LEVEL (and so be tested for creators)."""
    paths = httpx.get(served.url + "/openapi.json").json()["paths"]
    member_paths = {
        p for p in paths if "member" in p or p.startswith(("/v1/audience", "/v1/campaigns"))
    }
    covered = {p.replace("m001", "{member_id}") for _, p, _ in MEMBER_LEVEL}
    uncovered = (
        member_paths
        - covered
        - {"/v1/audience/export", "/v1/audience/lookalike", "/v1/campaigns/{campaign}/lift"}
    )
    assert not uncovered


def test_creator_reads_the_catalogue(served: Served) -> None:
    with served.client("creator") as client:
        assert client.get("/v1/titles/t-ar-1").status_code == 200
        assert client.get("/v1/whoami").json()["role"] == "creator"


def test_service_and_analyst_limits(served: Served) -> None:
    with served.client("service") as client:
        assert client.get("/v1/members").status_code == 403
        assert (
            client.put(
                "/v1/titles", json=[{"title_id": "x", "kind": "film", "name": "x"}]
            ).status_code
            == 403
        )
    with served.client("analyst") as client:
        assert client.get("/v1/members").status_code == 200
        assert client.post("/v1/keys", json={"role": "admin"}).status_code == 403


def test_keys_stored_hashed_and_revocable(served: Served) -> None:
    with served.client("admin") as admin:
        created = admin.post("/v1/keys", json={"role": "creator", "name": "revoke-me"}).json()
        token = created["key"]
        assert httpx.get(served.url + "/v1/whoami", headers={"X-API-Key": token}).status_code == 200
        listed = admin.get("/v1/keys").json()
        assert token not in str(listed) and token.split(".")[1] not in str(listed)
        assert admin.delete(f"/v1/keys/{created['key_id']}").status_code == 204
    assert (
        httpx.get(
            served.url + "/v1/whoami", headers={"Authorization": f"Bearer {token}"}
        ).status_code
        == 401
    )


def test_missing_key_is_401_with_a_hint(served: Served) -> None:
    response = httpx.get(served.url + "/v1/titles")
    assert response.status_code == 401 and "X-API-Key" in response.json()["detail"]


def test_rate_limit_per_key(tmp_path) -> None:
    db = tmp_path / "rl.duckdb"
    _, keys = prepare_store(db)
    # 0.05 requests/s (one token per 20 s, burst 1): timing on a loaded machine cannot refill it mid-test.
    process, url = start_server(db, tmp_path / "server.log", "--rate-limit", "0.05")
    try:
        with httpx.Client(base_url=url, headers={"X-API-Key": keys["service"]}) as client:
            codes = [client.get("/v1/titles/t-ar-1").status_code for _ in range(8)]
        assert codes == [200] + [429] * 7, codes
        with httpx.Client(base_url=url, headers={"X-API-Key": keys["analyst"]}) as other:
            assert other.get("/v1/titles/t-ar-1").status_code == 200  # buckets are per key
        limited = httpx.get(url + "/v1/titles/t-ar-1", headers={"X-API-Key": keys["service"]})
        assert limited.status_code == 429 and int(limited.headers["Retry-After"]) >= 1
    finally:
        stop_server(process)

"""Audience targeting, campaign export and lift through the API (member-level: admin and analyst)."""

from __future__ import annotations

import time

from tests.service.conftest import Served, serve_world

NEW_TRACK = {
    "name": "ⵜⵉⵣⵉ ⵏ ⵓⵙⵙⴰⵏ",
    "kind": "track",
    "genres": ["rways"],
    "language": "zgh",
    "region": "souss-massa",
    "title_id": "t-zgh-1",
}


def test_target_a_new_title_from_metadata(served: Served) -> None:
    with served.client("analyst") as client:
        result = client.post("/v1/audience/target", params={"top": 50, "rows": 5}, json=NEW_TRACK)
    assert result.status_code == 200, result.text
    body = result.json()
    assert body["size"] == 50 and len(body["members"]) == 5 and body["title"] == "ⵜⵉⵣⵉ ⵏ ⵓⵙⵙⴰⵏ"
    assert all(m["reasons"] for m in body["members"])
    breakdown = body["breakdown"]
    assert (
        sum(v for v in breakdown["region"].values() if v) <= 50
    )  # cells under k come back as null


def test_bad_title_metadata_is_a_clear_4xx(served: Served) -> None:
    with served.client("analyst") as client:
        missing = client.post(
            "/v1/audience/target", json={"name": "x", "kind": "film", "language": "ar"}
        )
        assert missing.status_code == 422 and "genres" in missing.json()["detail"]
        unknown = client.post("/v1/audience/target", json={**NEW_TRACK, "genres": ["rwais-pop"]})
        assert 400 <= unknown.status_code < 500 and "rwais-pop" in unknown.json()["detail"]


def test_export_then_measure_lift(served: Served) -> None:
    with served.client("analyst") as client:
        exported = client.post(
            "/v1/audience/export",
            json={"campaign": "launch-test", "title": NEW_TRACK, "top": 1000, "holdout": 0.5},
        )
        assert exported.status_code == 201, exported.text
        body = exported.json()
        assert body["exposed"] >= 10 and body["holdout"] >= 10 and body["dropped_no_consent"] == 0
        again = client.post(
            "/v1/audience/export", json={"campaign": "launch-test", "title": NEW_TRACK}
        )
        assert again.status_code == 400 and "already exists" in again.json()["detail"]
        campaigns = client.get("/v1/campaigns").json()["items"]
        assert "launch-test" in [c["campaign"] for c in campaigns]
        lift = client.get("/v1/campaigns/launch-test/lift")
    assert lift.status_code == 200, lift.text
    figures = lift.json()
    assert set(figures["groups"]) == {"exposed", "holdout"}
    low, high = figures["lift"]["absolute_ci"]
    assert low <= figures["lift"]["absolute_lift"] <= high


def test_creator_cannot_target_or_export(served: Served) -> None:
    with served.client("creator") as client:
        assert client.post("/v1/audience/target", json=NEW_TRACK).status_code == 403
        assert client.get("/v1/campaigns").status_code == 403


def test_a_running_service_refits_the_targeter_when_consent_is_given(tmp_path, monkeypatch) -> None:
    """The loaded targeter keeps answering while a new one is fitted in the background; once it is
    in, a member who gave marketing consent after the service started is among the candidates."""
    monkeypatch.setenv("HALQA_SERVICE_TARGETER_REFRESH_S", "0")
    with serve_world(tmp_path) as served:
        with served.client("analyst") as analyst, served.client("admin") as admin:
            before = analyst.post("/v1/audience/target", json=NEW_TRACK).json()["candidates"]
            # world members m{i:03d} have marketing consent when i % 4 != 0
            granted = admin.patch(
                "/v1/members/m004",
                json={"consent_marketing": True, "consent_at": "2026-10-01T12:00:00Z"},
            )
            assert granted.status_code == 200, granted.text
            seen = []
            deadline = time.monotonic() + 180
            while time.monotonic() < deadline:
                answer = analyst.post("/v1/audience/target", json=NEW_TRACK)
                assert answer.status_code == 200, answer.text  # answered while refitting too
                seen.append(answer.json()["candidates"])
                if seen[-1] == before + 1:
                    break
                time.sleep(0.5)
    assert seen[-1] == before + 1, (before, seen)
    assert set(seen) <= {before, before + 1}

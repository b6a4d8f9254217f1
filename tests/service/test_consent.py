"""Consent through the running service (two workers): partial updates, who may grant, the audit,
and a withdrawal honoured by the very next request on every path (issue 11 items 2 and 4).

World members ``m{i:03d}``: analytics consent for all; personalisation when i % 5 != 0;
marketing when i % 4 != 0; region ``REGIONS[i % 3]``.
"""

from __future__ import annotations

import httpx

from tests.service.conftest import Served
from tests.service.test_keys_live import fresh_codes
from tests.service.workers import WorkerConnections
from tests.service.world import REGIONS

NEW_TRACK = {
    "name": "ⵜⵉⵣⵉ",
    "kind": "track",
    "genres": ["rways"],
    "language": "zgh",
    "region": "souss-massa",
}
GRANTED_AT = "2026-10-01T12:00:00Z"


def _member(client: httpx.Client, member_id: str) -> dict:
    return client.get(f"/v1/members/{member_id}").json()


def _withdraw(served: Served, member_id: str, purpose: str) -> None:
    with served.client("service") as service:
        response = service.patch(f"/v1/members/{member_id}", json={f"consent_{purpose}": False})
    assert response.status_code == 200, response.text


def test_partial_updates_change_only_the_fields_sent(served_two: Served) -> None:
    with served_two.client("analyst") as analyst, served_two.client("service") as service:
        before = _member(analyst, "m010")
        assert (
            service.put(
                "/v1/members", json=[{"member_id": "m010", "consent_marketing": False}]
            ).status_code
            == 200
        )
        after_put = _member(analyst, "m010")
        assert service.patch("/v1/members/m010", json={"city": "Agadir"}).status_code == 200
        after_patch = _member(analyst, "m010")
    kept = (
        "age_band",
        "region",
        "gender",
        "languages",
        "consent_analytics",
        "consent_personalisation",
    )
    assert {k: after_put[k] for k in kept} == {k: before[k] for k in kept} and before["age_band"]
    assert before["consent_marketing"] is True and after_put["consent_marketing"] is False
    assert after_put["consent_at"] is not None  # a withdrawal is dated
    assert after_patch["city"] == "Agadir" and {k: after_patch[k] for k in kept} == {
        k: before[k] for k in kept
    }


def test_patch_refuses_unknown_members_and_bad_fields(served_two: Served) -> None:
    with served_two.client("service") as service:
        assert service.patch("/v1/members/nobody-here", json={"city": "Fès"}).status_code == 404
        bad = service.patch("/v1/members/m010", json={"age_band": "ninety"})
        assert bad.status_code == 422 and "age_band" in bad.json()["detail"]
        assert service.patch("/v1/members/m010", json={"member_id": "m011"}).status_code == 422
        assert service.patch("/v1/members/m010", json={"shoe_size": 44}).status_code == 422


def test_a_service_key_cannot_grant_consent(served_two: Served) -> None:
    grant = {"member_id": "m004", "consent_marketing": True, "consent_at": GRANTED_AT}
    with served_two.client("service") as service, served_two.client("analyst") as analyst:
        refused = service.put("/v1/members", json=[grant])
        assert (
            refused.status_code == 403
            and "may withdraw consent but not grant it" in refused.json()["detail"]
        )
        assert (
            service.patch("/v1/members/m004", json={"consent_marketing": True}).status_code == 403
        )
        assert _member(analyst, "m004")["consent_marketing"] is False  # nothing written


def test_granting_needs_its_date_and_is_audited(served_two: Served) -> None:
    with served_two.client("admin") as admin:
        undated = admin.patch("/v1/members/m008", json={"consent_marketing": True})
        assert undated.status_code == 400 and "consent_at" in undated.json()["detail"]
        future = admin.patch(
            "/v1/members/m008",
            json={"consent_marketing": True, "consent_at": "2099-01-01T00:00:00Z"},
        )
        # refused by the row contract's timestamp rule (the same verdict as ingest) before consent is read
        assert future.status_code == 422 and "2099" in str(future.json()["detail"])
        granted = admin.patch(
            "/v1/members/m008", json={"consent_marketing": True, "consent_at": GRANTED_AT}
        )
        assert granted.status_code == 200, granted.text
        admin_key = admin.get("/v1/whoami").json()["key_id"]
    _withdraw(served_two, "m008", "marketing")
    with served_two.client("analyst") as analyst:
        history = analyst.get("/v1/members/m008/consents").json()["items"]
    assert [(h["purpose"], h["old_value"], h["new_value"], h["role"]) for h in history] == [
        ("marketing", False, True, "admin"),
        ("marketing", True, False, "service"),
    ]
    assert history[0]["key_id"] == admin_key and history[0]["consent_at"].startswith(
        "2026-10-01T12:00"
    )


def test_withdrawn_personalisation_stops_recommendations_at_once(served_two: Served) -> None:
    token, path = served_two.keys["service"], "/v1/recommendations/m001?k=5"
    workers = WorkerConnections(served_two.url, served_two.process.pid, 2, token)
    try:
        assert set(workers.statuses(path, token).values()) == {200}
        assert set(workers.statuses(path, token).values()) == {200}  # now cached in each worker
        _withdraw(served_two, "m001", "personalisation")
        assert set(workers.statuses(path, token).values()) == {404}
    finally:
        workers.close()
    assert set(fresh_codes(served_two, token, path)) == {404}


def test_withdrawn_marketing_leaves_targeting_at_once(served_two: Served) -> None:
    with served_two.client("analyst") as analyst:

        def audience() -> set[str]:
            response = analyst.post(
                "/v1/audience/target", params={"top": 1000, "rows": 1000}, json=NEW_TRACK
            )
            assert response.status_code == 200, response.text
            return {m["member_id"] for m in response.json()["members"]}

        assert "m003" in audience()
        _withdraw(served_two, "m003", "marketing")
        assert all("m003" not in audience() for _ in range(3))


def test_withdrawn_marketing_leaves_lookalikes_at_once(served_two: Served) -> None:
    # Half the marketing-consented members as seed, so the whole rest fits the 50 rows the API returns.
    seed = [f"m{i:03d}" for i in range(60, 120) if i % 4]
    with served_two.client("analyst") as analyst:

        def expansion() -> set[str]:
            response = analyst.post("/v1/audience/lookalike", json={"seed": seed, "size": 1000})
            assert response.status_code == 200, response.text
            return {m["member_id"] for m in response.json()["members"]}

        assert "m006" in expansion()
        _withdraw(served_two, "m006", "marketing")
        assert "m006" not in expansion()


def test_withdrawn_marketing_leaves_exports_at_once(served_two: Served) -> None:
    with served_two.client("analyst") as analyst:

        def exported(campaign: str) -> int:
            response = analyst.post(
                "/v1/audience/export",
                json={"campaign": campaign, "title": NEW_TRACK, "top": 1000, "holdout": 0.2},
            )
            assert response.status_code == 201, response.text
            body = response.json()
            assert body["dropped_no_consent"] == 0
            return body["exposed"] + body["holdout"]

        before = exported("consent-before")
        _withdraw(served_two, "m007", "marketing")
        assert exported("consent-after") == before - 1


def test_withdrawn_analytics_leaves_insights_at_once(served_two: Served) -> None:
    region = REGIONS[2 % 3]  # m002's
    with served_two.client("creator") as creator:

        def members_in_region() -> int:
            rows = creator.get("/v1/trends/regions", params={"days": 3650}).json()["rows"]
            return next(r["members"] for r in rows if r["region"] == region)

        before = members_in_region()
        _withdraw(served_two, "m002", "analytics")
        assert members_in_region() == before - 1

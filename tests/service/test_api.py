"""The REST API against a real uvicorn server on 127.0.0.1."""

from __future__ import annotations

import httpx

from tests.service.conftest import Served


def test_health_and_openapi(served: Served) -> None:
    assert httpx.get(served.url + "/health").json() == {
        "status": "ok"
    }  # nothing more without a key
    with served.client("admin") as admin:
        details = admin.get("/v1/health").json()
    assert details["status"] == "ok" and details["schema_version"] >= 1
    spec = httpx.get(served.url + "/openapi.json").json()
    assert "/v1/events" in spec["paths"] and "/v1/titles/{title_id}" in spec["paths"]


def test_titles_keep_their_script_byte_exact(served: Served) -> None:
    with served.client("service") as client:
        response = client.get("/v1/titles/t-zgh-1")
        assert response.status_code == 200
        assert "ⴰⵎⴰⵏ ⵉⵎⴰⵏ".encode() in response.content  # not \\u-escaped
        assert response.json()["name"] == "ⴰⵎⴰⵏ ⵉⵎⴰⵏ"
        found = client.get("/v1/titles", params={"q": "الزين"}).json()
        assert [t["title_id"] for t in found["items"]] == ["t-ar-1"]


def test_upsert_title_then_read_it(served: Served) -> None:
    title = {
        "title_id": "t-new-ar",
        "kind": "film",
        "name": "ليالي مراكش",
        "original_language": "ar",
        "names": {"fr": "Nuits de Marrakech", "zgh": "ⵉⴹⴰⵏ ⵏ ⵎⵕⵕⴰⴽⵛ"},
        "genres": ["drama"],
        "region": "Marrakech-Safi",
        "release_date": "2026-12-01",
    }
    with served.client("admin") as client:
        assert client.put("/v1/titles", json=[title]).json() == {"upserted": 1}
        stored = client.get("/v1/titles/t-new-ar").json()
    assert stored["name"] == "ليالي مراكش" and stored["names"]["zgh"] == "ⵉⴹⴰⵏ ⵏ ⵎⵕⵕⴰⴽⵛ"
    assert stored["region"] == "marrakech-safi" and stored["release_date"] == "2026-12-01"


def test_bad_upserts_say_what_is_wrong(served: Served) -> None:
    with served.client("admin") as client:
        bad_genre = client.put(
            "/v1/titles",
            json=[{"title_id": "x", "kind": "film", "name": "x", "genres": ["dramma"]}],
        )
        assert bad_genre.status_code == 400
        assert "titles[0].genres: unknown id 'dramma'" in bad_genre.json()["detail"]
        assert "did you mean 'drama'" in bad_genre.json()["detail"]
        bad_kind = client.put("/v1/titles", json=[{"title_id": "x", "kind": "opera", "name": "x"}])
        assert bad_kind.status_code == 422 and "kind" in bad_kind.json()["detail"]
        bad_member = client.put("/v1/members", json=[{"member_id": "a@b.ma", "age_band": "18-24"}])
        assert bad_member.status_code == 422 and "e-mail" in bad_member.json()["detail"]
        not_json = client.post(
            "/v1/events", content=b"{not json", headers={"content-type": "application/json"}
        )
        assert not_json.status_code == 422 and "Traceback" not in not_json.text


def test_member_upsert_and_read(served: Served) -> None:
    member = {
        "member_id": "m-api-1",
        "age_band": "18-24",
        "region": "Souss-Massa",
        "languages": ["zgh", "ary"],
        "consent_personalisation": True,
        "consent_at": "2026-11-01T09:00:00Z",
    }
    with served.client(
        "admin"
    ) as client:  # granting consent takes its date and a role allowed to grant
        assert client.put("/v1/members", json=[member]).json() == {"upserted": 1}
    with served.client("analyst") as client:
        stored = client.get("/v1/members/m-api-1").json()
    assert stored["region"] == "souss-massa" and stored["languages"] == ["zgh", "ary"]
    assert stored["consent_personalisation"] is True and stored["consent_marketing"] is False


def test_events_single_batch_duplicates_and_unknown_ids(served: Served) -> None:
    event = {
        "member_id": "m002",
        "title_id": "t-ar-1",
        "event_type": "watch",
        "ts": "2026-11-20T10:00:00+01:00",
    }
    with served.client("service") as client:
        first = client.post("/v1/events", json=event)
        assert first.status_code == 201 and first.json()["accepted"] == 1
        again = client.post("/v1/events", json=event).json()
        assert again["duplicates"] == 1 and again["accepted"] == 0
        unknown = client.post("/v1/events", json={**event, "member_id": "ghost"})
        assert (
            unknown.status_code == 422
            and unknown.json()["detail"] == "unknown member 'ghost' (PUT it to /v1/members first)"
        )
        batch = client.post(
            "/v1/events/batch",
            json={
                "events": [
                    {**event, "ts": 1763900000},
                    {**event, "ts": 1763900000000 + 1000},
                    {**event, "title_id": "nope"},
                    {**event, "ts": 1763900000},
                ]
            },
        ).json()
    assert [o["status"] for o in batch["outcomes"]] == [
        "accepted",
        "accepted",
        "rejected",
        "duplicate",
    ]
    assert batch["outcomes"][2]["field"] == "title_id"
    with served.client("analyst") as client:
        events = client.get("/v1/members/m002/events", params={"limit": 500}).json()["items"]
        data = client.get("/v1/data").json()
    stored = [
        e for e in events if e["title_id"] == "t-ar-1" and e["ts"].startswith("2026-11-20T09:00")
    ]
    assert (
        len(stored) == 1 and stored[0]["event_type"] == "view"
    )  # alias folded, time stored as UTC
    assert any(
        q["reason"] == "unknown title 'nope' (PUT it to /v1/titles first)"
        for q in data["quarantine"]
    )
    assert any(i["file"] == "api" for i in data["ingests"])


def test_metrics_are_prometheus_text(served: Served) -> None:
    httpx.get(served.url + "/health")
    body = httpx.get(served.url + "/metrics").text
    assert 'halqa_http_requests_total{method="GET",route="/health",status="200"}' in body
    assert "halqa_http_request_seconds_bucket" in body


def test_errors_are_json_without_traces(served: Served) -> None:
    with served.client("analyst") as client:
        missing = client.get("/v1/titles/does-not-exist")
        assert missing.status_code == 404 and missing.json() == {
            "detail": "no title with title_id 'does-not-exist'"
        }
        bad_limit = client.get("/v1/titles", params={"limit": 0})
        assert bad_limit.status_code == 422 and "limit" in bad_limit.json()["detail"]
    assert (
        httpx.get(served.url + "/v1/titles", headers={"X-API-Key": "hq_nope.nope"}).status_code
        == 401
    )


def test_posted_event_changes_the_next_list_at_once(served: Served) -> None:
    with served.client("service") as client:
        before = client.get("/v1/recommendations/m007", params={"k": 10, "lang": "ar"}).json()[
            "items"
        ]
        again = client.get("/v1/recommendations/m007", params={"k": 10, "lang": "ar"}).json()[
            "items"
        ]
        assert before == again and len(before) == 10 and all(i["reason"] for i in before)
        # A film (music may repeat, so a played track can stay in the list).
        top = next(
            i["title_id"]
            for i in before
            if client.get(f"/v1/titles/{i['title_id']}").json()["kind"] == "film"
        )
        posted = client.post(
            "/v1/events",
            json={
                "member_id": "m007",
                "title_id": top,
                "event_type": "complete",
                "ts": "2026-11-21T20:00:00Z",
                "value": 1.0,
            },
        )
        assert posted.status_code == 201
        after = client.get("/v1/recommendations/m007", params={"k": 10, "lang": "ar"}).json()[
            "items"
        ]
    assert top not in [i["title_id"] for i in after]  # now seen: excluded without any retraining
    assert after != before


def test_recommendations_respect_consent_and_validate(served: Served) -> None:
    with served.client("service") as client:
        no_consent = client.get("/v1/recommendations/m000")  # m000 has no personalisation consent
        assert (
            no_consent.status_code == 404
            and "personalisation consent" in no_consent.json()["detail"]
        )
        bad_filter = client.get("/v1/recommendations/m001", params={"filter": "colour"})
        assert bad_filter.status_code == 422 and "filter" in bad_filter.json()["detail"]
        bad_k = client.get("/v1/recommendations/m001", params={"k": 0})
        assert bad_k.status_code == 422
        shared = client.get(
            "/v1/recommendations/m001",
            params={"local_share": 0.5, "filter": ["region", "language"]},
        )
        assert shared.status_code == 200 and shared.json()["local_share"] == 0.5
        similar = client.get("/v1/similar/t-ar-1", params={"k": 3}).json()["items"]
        assert len(similar) == 3 and "t-ar-1" not in [s["title_id"] for s in similar]

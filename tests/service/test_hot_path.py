"""The cached-list hot path answers exactly as the FastAPI route does, and only when it may."""

from __future__ import annotations

import httpx

from halqa.service.hot_path import _query
from tests.service.conftest import Served

QUERY = "k=5&filter=region&filter=language&filter=region&local_share=0.4&lang=ar"


def _metric(url: str, prefix: str) -> float:
    for line in httpx.get(url + "/metrics").text.splitlines():
        if line.startswith(prefix + " "):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def _lists_ok(url: str) -> float:
    return _metric(
        url,
        'halqa_http_requests_total{method="GET",route="/v1/recommendations/{member_id}",status="200"}',
    )


def _hot(url: str) -> float:
    return _metric(url, "halqa_hot_path_answers_total")


def test_a_cached_list_is_served_by_the_hot_path_with_the_routes_answer(served: Served) -> None:
    with served.client("service") as client:
        computed = client.get(f"/v1/recommendations/m001?{QUERY}")  # a miss: the route computes it
        before, hot_before = _lists_ok(served.url), _hot(served.url)
        hot = client.get(f"/v1/recommendations/m001?{QUERY}")
        assert _hot(served.url) == hot_before + 1
        # An extra parameter the hot path does not know sends the request through the route.
        routed = client.get(f"/v1/recommendations/m001?{QUERY}&utm=x")
        assert _hot(served.url) == hot_before + 1
    assert computed.status_code == hot.status_code == routed.status_code == 200
    assert hot.json() == routed.json() == computed.json()
    assert hot.json()["filters"] == ["region", "language"] and hot.json()["local_share"] == 0.4
    assert hot.headers["content-type"] == routed.headers["content-type"] == "application/json"
    assert _lists_ok(served.url) == before + 2  # the hot path's answers are counted under the route


def test_the_hot_path_never_answers_for_a_bad_key_a_creator_or_a_bad_parameter(
    served: Served,
) -> None:
    with served.client("service") as client:
        assert client.get(f"/v1/recommendations/m001?{QUERY}").status_code == 200  # now cached
    hot_before = _hot(served.url)
    with served.client("creator") as client:
        assert client.get(f"/v1/recommendations/m001?{QUERY}").status_code == 403
    assert (
        httpx.get(
            f"{served.url}/v1/recommendations/m001?{QUERY}", headers={"X-API-Key": "hq_nope.nope"}
        ).status_code
        == 401
    )
    assert httpx.get(f"{served.url}/v1/recommendations/m001?{QUERY}").status_code == 401
    with served.client("service") as client:
        assert client.get(f"/v1/recommendations/m001?{QUERY}&k=0").status_code == 422
        assert (
            client.get("/v1/recommendations/m001?filter=a&filter=b&filter=c&filter=d").status_code
            == 422
        )
    assert _hot(served.url) == hot_before


def _params(query_string: bytes) -> tuple | None:
    query = _query(query_string)
    return None if query is None else (query.k, query.wanted(), query.local_share, query.lang)


def test_parameters_the_hot_path_accepts_are_only_plainly_valid_ones() -> None:
    assert _params(b"") == (10, [], None, "en")
    assert _params(b"k=3&filter=language&filter=language&local_share=1&lang=fr") == (
        3,
        ["language"],
        1.0,
        "fr",
    )
    for odd in (
        b"k=0",
        b"k=101",
        b"k=%D9%A1",
        b"k=1e1",
        b"local_share=1.5",
        b"local_share=-0",
        b"local_share=nan",
        b"local_share=1e-1",
        b"filter=genre",
        b"lang=de",
        b"other=1",
        b"k",
        b"k=2&k=x",
        b"filter=region&filter=region&filter=region&filter=region",
    ):
        assert _params(odd) is None, odd

"""Schemathesis against the OpenAPI spec of a real server: generated requests never get a 5xx.

Schemathesis' pytest plugin (``from_fixture``) does not run under pytest 9 yet, so each
operation's hypothesis strategy is driven here directly; same cases, same check.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from tests.service.conftest import Served, serve_world

EXAMPLES = 12


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory) -> Iterator[Served]:
    with serve_world(tmp_path_factory.mktemp("fuzzed"), "fuzz") as running:
        yield running


def test_no_server_errors(fuzzed: Served) -> None:
    schema = schemathesis.openapi.from_url(fuzzed.url + "/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 15
    calls: dict[str, int] = {}
    statuses: set[int] = set()

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def exercise(case) -> None:
            # As admin, so that every operation is reached past authentication.
            response = case.call(base_url=fuzzed.url, headers={"X-API-Key": fuzzed.keys["admin"]})
            statuses.add(response.status_code)
            calls[operation.label] = calls.get(operation.label, 0) + 1
            case.validate_response(response, checks=[not_a_server_error])

        exercise()
    assert set(calls) == {op.label for op in operations}
    assert not [s for s in statuses if s >= 500]
    assert "internal error" not in fuzzed.log.read_text()

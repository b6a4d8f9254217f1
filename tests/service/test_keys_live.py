"""Key changes while serving: a revoke or role change holds on every worker by the time it returns,
and `halqa keys` / `halqa stats` work beside a running server (issue 11 items 1 and 3, issue 13 item 2)."""

from __future__ import annotations

import http.client
import json
import os
import subprocess
import sys

import httpx
import pytest

from tests.service.conftest import Served
from tests.service.workers import WorkerConnections

# Fresh connections are spread by the kernel over the workers' shared listening socket.
TRIES = 30


def fresh_codes(
    served: Served, token: str, path: str = "/v1/whoami", tries: int = TRIES
) -> list[int]:
    """Status codes of ``tries`` GETs, each on a new connection (plain http.client: no TLS set-up cost)."""
    host, port = served.url.removeprefix("http://").split(":")
    codes = []
    for _ in range(tries):
        connection = http.client.HTTPConnection(host, int(port), timeout=30)
        try:
            connection.request("GET", path, headers={"X-API-Key": token})
            codes.append(connection.getresponse().status)
        finally:
            connection.close()
    return codes


def _halqa(served: Served, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "halqa.cli.main", *args, "--db", str(served.db)],
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "COLUMNS": "200"},
    )


@pytest.fixture(params=["served", "served_two"])
def server(request) -> Served:
    served = request.getfixturevalue(request.param)
    served.extra["workers"] = 2 if request.param == "served_two" else 1
    return served


def _every_worker(served: Served, token: str) -> WorkerConnections:
    return WorkerConnections(served.url, served.process.pid, served.extra["workers"], token)


def test_revoke_through_the_api_holds_on_every_worker_at_once(server: Served) -> None:
    with server.client("admin") as admin:
        created = admin.post("/v1/keys", json={"role": "analyst", "name": "revoke-live"}).json()
        workers = _every_worker(server, created["key"])
        try:
            assert set(workers.statuses("/v1/whoami", created["key"]).values()) == {200}
            assert admin.delete(f"/v1/keys/{created['key_id']}").status_code == 204
            assert set(workers.statuses("/v1/whoami", created["key"]).values()) == {401}
        finally:
            workers.close()
    assert set(fresh_codes(server, created["key"])) == {401}


def test_role_change_holds_on_every_worker_at_once(server: Served) -> None:
    with server.client("admin") as admin:
        created = admin.post("/v1/keys", json={"role": "analyst", "name": "demote-me"}).json()
        workers = _every_worker(server, created["key"])
        try:
            assert set(workers.statuses("/v1/members", created["key"]).values()) == {200}
            assert (
                admin.patch(f"/v1/keys/{created['key_id']}", json={"role": "creator"}).status_code
                == 204
            )
            assert set(workers.statuses("/v1/members", created["key"]).values()) == {403}
        finally:
            workers.close()
    whoami = httpx.get(server.url + "/v1/whoami", headers={"X-API-Key": created["key"]}).json()
    assert whoami["role"] == "creator"


def test_cli_keys_work_beside_the_server_and_reach_every_worker(server: Served) -> None:
    created = _halqa(server, "keys", "create", "--role", "service", "--name", "from-cli", "--json")
    assert created.returncode == 0, created.stderr
    key = json.loads(created.stdout)
    assert set(fresh_codes(server, key["key"])) == {
        200
    }  # usable at once: no restart, no second of delay
    listed = _halqa(server, "keys", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    assert key["key_id"] in [k["key_id"] for k in json.loads(listed.stdout)["keys"]]
    assert key["key"].split(".")[1] not in listed.stdout  # secrets never listed
    workers = _every_worker(server, key["key"])
    try:
        revoked = _halqa(server, "keys", "revoke", key["key_id"])
        assert revoked.returncode == 0, revoked.stderr
        assert set(workers.statuses("/v1/whoami", key["key"]).values()) == {401}
    finally:
        workers.close()
    again = _halqa(server, "keys", "revoke", key["key_id"])
    assert again.returncode == 2 and again.stderr.count("\n") == 1 and key["key_id"] in again.stderr


def test_read_commands_work_beside_the_server(server: Served) -> None:
    stats = _halqa(server, "stats", "--json")
    assert stats.returncode == 0, stats.stderr
    body = json.loads(stats.stdout)
    assert body["db"] == str(server.db) and body["counts"]["members"] >= len(
        server.world["members"]
    )
    assert not list(server.db.parent.glob("*snapshot*"))  # the snapshot is gone after the command


def test_write_commands_beside_the_server_say_why_in_one_line(server: Served) -> None:
    refused = _halqa(server, "taxonomy", "add", "genres", "test-genre")
    assert refused.returncode == 2
    assert (
        refused.stderr.count("\n") == 1
        and "halqa serve" in refused.stderr
        and str(server.db) in refused.stderr
    )
    assert "Traceback" not in refused.stderr

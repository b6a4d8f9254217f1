"""The music routes on a real `halqa serve` process (127.0.0.1): compose as a job, poll, download, decide."""

from __future__ import annotations

import os
import time

import pytest

from tests.service.conftest import serve_world
from tests.studio.music.conftest import needs_fluidsynth


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("music-service")
    before = os.environ.get("HALQA_STUDIO_DIR")
    os.environ["HALQA_STUDIO_DIR"] = str(tmp / "studio")  # the server process inherits it
    try:
        with serve_world(tmp, "music") as running:
            yield running
    finally:
        if before is None:
            os.environ.pop("HALQA_STUDIO_DIR", None)
        else:
            os.environ["HALQA_STUDIO_DIR"] = before


def wait_done(client, job_id: str, timeout: float = 180) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = client.get(f"/v1/music/jobs/{job_id}").json()
        if job["status"] in ("done", "failed"):
            return job
        time.sleep(0.3)
    raise AssertionError(f"job {job_id} still {job['status']} after {timeout} s")


@needs_fluidsynth
def test_compose_job_reports_progress_files_and_a_proposal(served):
    with served.client("creator") as client:
        started = client.post("/v1/music/compose", json={"style": "sikah", "bars": 2, "seed": 4,
                                                          "sample_rate": 16000})
        assert started.status_code == 202 and started.json()["status"] in ("queued", "running")
        job = wait_done(client, started.json()["id"])
        assert job["status"] == "done", job["error"]
        assert [p["step"] for p in job["progress"]][:2] == ["MIDI", "MusicXML"]
        wav = client.get(f"/v1/music/jobs/{job['id']}/files/wav")
        assert wav.status_code == 200 and wav.content[:4] == b"RIFF"
        assert client.get(f"/v1/music/jobs/{job['id']}/files/midi").content[:4] == b"MThd"
        assert client.get(f"/v1/music/jobs/{job['id']}/files/stems/melody").content[:4] == b"RIFF"
        pid = job["result"]["proposal"]["id"]
        decided = client.post(f"/v1/music/proposals/{pid}/accept", json={"note": "for the Ramadan theme"})
        assert decided.status_code == 200 and decided.json()["status"] == "accepted"
        assert client.post(f"/v1/music/proposals/{pid}/reject", json={}).status_code == 400


def test_bad_requests_and_roles(served):
    with served.client("creator") as client:
        assert client.post("/v1/music/compose", json={"style": "polka"}).status_code == 400
        assert "unknown style" in client.post("/v1/music/compose", json={"style": "polka"}).json()["detail"]
        assert client.post("/v1/music/compose", json={"tempo": 0}).status_code == 422
        assert client.post("/v1/music/compose", json={"bars": 10000}).status_code == 422
        assert client.get("/v1/music/jobs/0123456789ab").status_code == 404
        assert client.get("/v1/music/styles").json()["modes"]["rast"]["microtonal"] is True
    with served.client("service") as client:
        assert client.get("/v1/music/styles").status_code == 403

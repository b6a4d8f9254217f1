"""The VFX routes on a real `halqa serve` (127.0.0.1): upload, jobs with progress, proposals."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from halqa.catalog import Store
from halqa.service.keys import create_key
from tests.service.conftest import start_server, stop_server, wait_for_job

OTHER_CREATOR: dict[str, str] = {}  # a second creator's key, made with the server's


@pytest.fixture(scope="module")
def server(tmp_path_factory, studio_root: Path):
    folder = tmp_path_factory.mktemp("vfx-service")
    db = folder / "svc.duckdb"
    with Store.open(db) as store:
        key = create_key(store, "creator", "vfx-test")[1]
        OTHER_CREATOR["key"] = create_key(store, "creator", "vfx-other")[1]
    with pytest.MonkeyPatch.context() as env:
        env.setenv("HALQA_STUDIO_DIR", str(studio_root))  # the server process inherits it
        process, url = start_server(db, folder / "server.log")
    try:
        yield httpx.Client(base_url=url, headers={"X-API-Key": key}, timeout=60)
    finally:
        stop_server(process)


def job(client: httpx.Client, job_id: str) -> dict:
    return wait_for_job(client, f"/v1/vfx/jobs/{job_id}")


def test_looks_and_cube_download(server: httpx.Client) -> None:
    names = [x["name"] for x in server.get("/v1/vfx/looks").json()["looks"]]
    assert "chefchaouen-blue" in names
    cube = server.get("/v1/vfx/looks/chefchaouen-blue.cube")
    assert cube.status_code == 200 and "LUT_3D_SIZE 33" in cube.text
    assert httpx.get(str(server.base_url) + "/v1/vfx/looks").status_code in (
        401,
        403,
    )  # a key is needed


def test_upload_grade_and_trailer_jobs(server: httpx.Client, shots_clip) -> None:
    path, cuts = shots_clip
    assert server.put("/v1/vfx/media/rushes.mp4", content=path.read_bytes()).status_code == 201
    scenes = server.post("/v1/vfx/jobs", json={"kind": "scenes", "source": "rushes.mp4"})
    assert scenes.status_code == 202
    done = job(server, scenes.json()["id"])
    assert done["status"] == "done", done
    assert [s["start_frame"] for s in done["result"]["shots"]][1:] == cuts
    grade = job(
        server,
        server.post(
            "/v1/vfx/jobs",
            json={"kind": "grade", "source": "rushes.mp4", "lut": "sahara-gold", "intensity": 0.7},
        ).json()["id"],
    )
    assert grade["status"] == "done" and grade["progress"] == 1.0
    graded = Path(grade["result"]["output"]).name
    assert server.get(f"/v1/vfx/media/{graded}").content[4:8] == b"ftyp"
    cut = job(
        server,
        server.post(
            "/v1/vfx/jobs",
            json={"kind": "trailer", "source": "rushes.mp4", "length": 5, "title": ["الضو"]},
        ).json()["id"],
    )
    assert cut["status"] == "done", cut
    pending = server.get("/v1/vfx/proposals", params={"status": "pending"}).json()["items"]
    assert cut["result"]["proposal"] in [p["id"] for p in pending]
    with httpx.Client(
        base_url=server.base_url, headers={"X-API-Key": OTHER_CREATOR["key"]}
    ) as other:
        # the cut is the asking key's proposal: another creator neither sees nor decides it
        assert cut["result"]["proposal"] not in [
            p["id"] for p in other.get("/v1/vfx/proposals").json()["items"]
        ]
        assert (
            other.post(f"/v1/vfx/proposals/{cut['result']['proposal']}/accept", json={}).status_code
            == 404
        )
    decided = server.post(
        f"/v1/vfx/proposals/{cut['result']['proposal']}/accept", json={"by": "Amina"}
    )
    assert decided.status_code == 200 and decided.json()["status"] == "accepted"


def test_bad_requests_are_4xx(server: httpx.Client, tmp_path: Path) -> None:
    assert (
        server.post("/v1/vfx/jobs", json={"kind": "scenes", "source": "absent.mp4"}).status_code
        == 404
    )
    assert server.put("/v1/vfx/media/..evil", content=b"x").status_code in (400, 404, 422)
    server.put("/v1/vfx/media/fake.mp4", content=b"just text")
    failed = job(
        server,
        server.post("/v1/vfx/jobs", json={"kind": "scenes", "source": "fake.mp4"}).json()["id"],
    )
    assert failed["status"] == "failed" and "not a readable" in failed["error"]
    assert (
        server.post(
            "/v1/vfx/jobs", json={"kind": "trailer", "source": "fake.mp4", "length": 0}
        ).status_code
        == 422
    )

"""The music routes on a real `halqa serve` process (127.0.0.1): compose as a job, poll, download, decide."""

from __future__ import annotations

import os

import pytest

from halqa.catalog import Store
from halqa.service.keys import create_key
from tests.service.conftest import Served, start_server, stop_server, wait_for_job
from tests.studio.music.conftest import needs_fluidsynth


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """A real server on an empty store (the music routes read no table), one key per role used."""
    tmp = tmp_path_factory.mktemp("music-service")
    db = tmp / "music.duckdb"
    with Store.open(db) as store:
        keys = {role: create_key(store, role, f"test-{role}")[1] for role in ("creator", "service")}
        keys["other-creator"] = create_key(store, "creator", "test-other-creator")[1]
    before = os.environ.get("HALQA_STUDIO_DIR")
    os.environ["HALQA_STUDIO_DIR"] = str(tmp / "studio")  # the server process inherits it
    try:
        process, url = start_server(db, tmp / "server.log", "--rate-limit", "100000")
    finally:
        if before is None:
            os.environ.pop("HALQA_STUDIO_DIR", None)
        else:
            os.environ["HALQA_STUDIO_DIR"] = before
    try:
        yield Served(url, db, keys, {}, process, tmp / "server.log")
    finally:
        stop_server(process)


@needs_fluidsynth
def test_compose_job_reports_progress_files_and_a_proposal(served):
    with served.client("creator") as client:
        started = client.post(
            "/v1/music/compose",
            json={"style": "sikah", "bars": 2, "seed": 4, "sample_rate": 16000, "tuning": "mts"},
        )
        assert started.status_code == 202 and started.json()["status"] in ("queued", "running")
        job = wait_for_job(client, f"/v1/music/jobs/{started.json()['id']}", timeout=180)
        assert job["status"] == "done", job["error"]
        assert [p["step"] for p in job["progress"]][:2] == ["MIDI", "MusicXML"]
        wav = client.get(f"/v1/music/jobs/{job['id']}/files/wav")
        assert wav.status_code == 200 and wav.content[:4] == b"RIFF"
        midi = client.get(f"/v1/music/jobs/{job['id']}/files/midi").content
        assert midi[:4] == b"MThd" and b"\x7f\x7f\x08\x02" in midi  # MTS single-note tuning SysEx
        assert client.get(f"/v1/music/jobs/{job['id']}/files/stems/melody").content[:4] == b"RIFF"
        pid = job["result"]["proposal"]["id"]
    with served.client(
        "other-creator"
    ) as other:  # the piece is the asking key's: another creator never sees it
        assert pid not in [p["id"] for p in other.get("/v1/studio/proposals").json()["items"]]
        assert other.post(f"/v1/music/proposals/{pid}/accept", json={}).status_code == 404
    with served.client("creator") as client:
        decided = client.post(
            f"/v1/music/proposals/{pid}/accept", json={"note": "for the Ramadan theme"}
        )
        assert decided.status_code == 200 and decided.json()["status"] == "accepted"
        assert client.post(f"/v1/music/proposals/{pid}/reject", json={}).status_code == 400


def test_bad_requests_and_roles(served):
    with served.client("creator") as client:
        assert client.post("/v1/music/compose", json={"style": "polka"}).status_code == 400
        assert (
            "unknown style"
            in client.post("/v1/music/compose", json={"style": "polka"}).json()["detail"]
        )
        assert client.post("/v1/music/compose", json={"tempo": 0}).status_code == 422
        assert client.post("/v1/music/compose", json={"bars": 10000}).status_code == 422
        assert client.post("/v1/music/compose", json={"tuning": "wobble"}).status_code == 422
        assert client.get("/v1/music/jobs/0123456789ab").status_code == 404
        assert client.get("/v1/music/styles").json()["modes"]["rast"]["microtonal"] is True
    with served.client("service") as client:
        assert client.get("/v1/music/styles").status_code == 403


CHROMIUM = "/usr/bin/chromium"


@needs_fluidsynth
@pytest.mark.skipif(
    not os.path.exists(CHROMIUM), reason=f"{CHROMIUM} absent (apt-get install chromium)"
)
def test_dashboard_music_page_composes_plays_and_accepts(served):
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"],
        )
        page = browser.new_page()
        errors, external = [], []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on(
            "request",
            lambda r: (
                external.append(r.url) if not r.url.startswith(("blob:", served.url)) else None
            ),
        )
        page.goto(f"{served.url}/dashboard/#key={served.keys['creator']}&lang=ar&page=music")
        page.wait_for_selector("#tab-music")
        assert page.locator("#tab-music").inner_text() == "موسيقى"
        page.select_option("#music-style", "rast")
        page.fill("#music-bars", "2")
        page.click("#music-compose")
        page.wait_for_selector("#music-result:not([hidden])", timeout=180_000)
        assert page.locator("#music-audio").get_attribute("src").startswith("blob:")
        assert page.locator("#music-roll rect").count() > 5
        assert "rast" in page.locator("#music-summary").inner_text()
        assert {a.strip() for a in page.locator("#music-downloads a").all_inner_texts()} >= {
            "midi",
            "musicxml",
            "wav",
        }
        page.click("#music-accept")
        page.wait_for_function(
            "document.getElementById('music-decision').textContent.includes('accepted')"
        )
        browser.close()
    assert not errors and not external

"""The screenplay routes and the one proposal interface on a real `halqa serve` (127.0.0.1), drafting
against llama.cpp's server on loopback: each key reaches its own scripts, jobs and proposals only."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from halqa.catalog import Store
from halqa.service.keys import create_key
from tests.service.conftest import ARTIFACTS, Served, start_server, stop_server, wait_for_job
from tests.service.test_dashboard import CHROMIUM, browser, page  # noqa: F401 (fixtures)
from tests.service.test_dashboard_tour import UNTRANSLATED

KEYS = ("creator", "other", "analyst", "service")


@pytest.fixture(scope="module")
def served(tmp_path_factory, llama_server: str):
    tmp = tmp_path_factory.mktemp("script-service")
    db = tmp / "script.duckdb"
    with Store.open(db) as store:
        keys = {
            name: create_key(store, "creator" if name == "other" else name, f"test-{name}")[1]
            for name in KEYS
        }
    with pytest.MonkeyPatch.context() as env:  # the server process inherits these
        env.setenv("HALQA_STUDIO_DIR", str(tmp / "studio"))
        env.setenv("HALQA_LLM_BASE_URL", llama_server)
        env.setenv("HALQA_LLM_MODEL", "tiny")
        env.setenv("HALQA_LLM_GRAMMAR", "1")  # llama.cpp's server takes the Fountain grammar
        process, url = start_server(db, tmp / "server.log", "--rate-limit", "100000")
    try:
        yield Served(
            url, db, keys, {}, process, tmp / "server.log", extra={"studio": tmp / "studio"}
        )
    finally:
        stop_server(process)


def _body(path: Path, **extra) -> dict:
    return {"text": path.read_text(encoding="utf-8"), **extra}


def test_parse_format_breakdown_beats(served: Served, dar_lhajja: Path) -> None:
    with served.client("creator") as client:
        parsed = client.post("/v1/script/parse", json=_body(dar_lhajja)).json()
        assert parsed["elements"][0] == {
            "kind": "heading",
            "text": "داخلي. مطبخ الحاجة - نهار",
            "scene_number": "1",
        }
        fountain = client.post("/v1/script/format", json=_body(dar_lhajja)).json()["fountain"]
        assert "ⴰⵣⵓⵍ ⴰ ⵉⵎⵉ." in fountain and "YOUSSEF ^" in fountain
        breakdown = client.post("/v1/script/breakdown", json=_body(dar_lhajja)).json()
        youssef = next(c for c in breakdown["characters"] if c["name"] == "YOUSSEF")
        assert youssef["scenes"] == ["1", "2"] and breakdown["scenes"][0]["items"]["prop"] == [
            "teapot"
        ]
        assert "minutes" in breakdown["runtime"]
        beats = client.post("/v1/script/beats", json=_body(dar_lhajja, paper="a4")).json()
        assert len(beats["beats"]) == 15 and beats["pages"] >= 1


def test_exports_pdf_html_fdx(served: Served, dar_lhajja: Path, tmp_path: Path) -> None:
    from halqa.studio.script import parse_fdx

    with served.client("creator") as client:
        pdf = client.post("/v1/script/export", json=_body(dar_lhajja, to="pdf", paper="a4"))
        assert (
            pdf.status_code == 200
            and pdf.content[:5] == b"%PDF-"
            and int(pdf.headers["x-halqa-pages"]) >= 1
        )
        html = client.post("/v1/script/export", json=_body(dar_lhajja, to="html")).text
        assert 'dir="auto"' in html and "واش بغيتي أتاي يا الحاجة؟" in html
        fdx = client.post("/v1/script/export", json=_body(dar_lhajja, to="fdx")).content
        back = client.post(
            "/v1/script/parse", json={"text": fdx.decode("utf-8"), "format": "fdx"}
        ).json()
        assert [e["text"] for e in back["elements"] if e["kind"] == "character"] == [
            e.text for e in parse_fdx(fdx).elements if e.kind == "character"
        ]
    if shutil.which("pdftotext"):
        (tmp_path / "s.pdf").write_bytes(pdf.content)
        text = subprocess.run(
            ["pdftotext", str(tmp_path / "s.pdf"), "-"], capture_output=True, text=True, check=True
        ).stdout
        assert "ⴰⵣⵓⵍ" in text


def test_bad_scripts_are_4xx_naming_the_line(served: Served) -> None:
    with served.client("creator") as client:
        boneyard = client.post(
            "/v1/script/parse", json={"text": "INT. HOUSE - DAY\n\n/* never closed\n"}
        )
        assert boneyard.status_code == 400 and "line 3" in boneyard.json()["detail"]
        assert (
            client.post(
                "/v1/script/parse", json={"text": "<FinalDraft", "format": "fdx"}
            ).status_code
            == 400
        )
        assert client.post("/v1/script/parse", json={"text": ""}).status_code == 422
        assert client.post("/v1/script/export", json={"text": "X", "to": "docx"}).status_code == 422
        assert (
            client.put("/v1/script/scripts/a.fountain", content=b"\x00\x01binary").status_code
            == 400
        )
        assert client.put("/v1/script/scripts/a.png", content=b"INT. X - DAY").status_code == 422
    with served.client("service") as client:
        assert client.post("/v1/script/parse", json={"text": "X"}).status_code == 403


def test_a_key_drafts_on_its_own_script_and_decides_its_own_proposal(
    served: Served, dar_lhajja: Path
) -> None:
    original = dar_lhajja.read_bytes()
    with (
        served.client("creator") as mine,
        served.client("other") as theirs,
        served.client("analyst") as analyst,
    ):
        stored = mine.put("/v1/script/scripts/dar.fountain", content=original)
        assert stored.status_code == 201 and stored.json()["name"] == "dar.fountain"
        assert [s["name"] for s in mine.get("/v1/script/scripts").json()["items"]] == [
            "dar.fountain"
        ]
        assert theirs.get("/v1/script/scripts").json()["items"] == []
        assert theirs.get("/v1/script/scripts/dar.fountain").status_code == 404
        before = mine.get("/v1/script/scripts/dar.fountain").json()["fountain"]

        started = mine.post(
            "/v1/script/scripts/dar.fountain/draft",
            json={"task": "continue", "max_tokens": 24, "seed": 1, "grammar": True},
        )
        assert started.status_code == 202, started.text
        assert theirs.get(f"/v1/script/jobs/{started.json()['id']}").status_code == 404
        job = wait_for_job(mine, f"/v1/script/jobs/{started.json()['id']}")
        assert job["status"] == "done", job["error"]
        proposal = job["proposal"]
        assert (
            proposal["status"] == "pending" and proposal["kind"] == "script.block" and job["text"]
        )
        assert (
            proposal["provenance"]["model"] == "tiny"
            and len(proposal["provenance"]["prompt_sha256"]) == 64
        )
        assert (
            mine.get("/v1/script/scripts/dar.fountain").json()["fountain"] == before
        )  # pending: untouched

        pid = proposal["id"]
        assert pid in [
            p["id"]
            for p in mine.get("/v1/studio/proposals", params={"kind": "script"}).json()["items"]
        ]
        assert pid not in [p["id"] for p in theirs.get("/v1/studio/proposals").json()["items"]]
        assert pid in [p["id"] for p in analyst.get("/v1/studio/proposals").json()["items"]]
        assert theirs.post(f"/v1/studio/proposals/{pid}/accept", json={}).status_code == 404
        assert mine.get("/v1/music/proposals").json()["items"] == []  # the alias keeps to its kind

        accepted = mine.post(
            f"/v1/studio/proposals/{pid[:8]}/accept", json={"note": "keep the rhythm"}
        )
        assert accepted.status_code == 200, accepted.text
        decided = accepted.json()
        assert decided["status"] == "accepted" and decided["decision"]["by"] == "test-creator"
        assert decided["decision"]["key_id"] and decided["inserted"].endswith("dar.fountain")
        after = mine.get("/v1/script/scripts/dar.fountain").json()["fountain"]
        assert f"[[halqa-generated proposal={pid} by=test-creator]]" in after
        assert mine.post(f"/v1/studio/proposals/{pid}/reject", json={}).status_code == 400  # final


def test_the_server_without_a_model_says_how_to_connect_one(monkeypatch) -> None:
    from halqa.errors import BackendUnavailableError
    from halqa.studio.script.workspace import server_settings

    for name in ("HALQA_LLM_BASE_URL", "HALQA_LLM_MODEL", "HALQA_LLM_GGUF"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(BackendUnavailableError, match="HALQA_LLM_BASE_URL"):
        server_settings()


# ---------------------------------------------------------------- the dashboard's Script page

needs_chromium = pytest.mark.skipif(
    not CHROMIUM.exists(), reason=f"{CHROMIUM} absent (apt-get install chromium)"
)


def _open_script_page(page, served: Served, lang: str, text: str) -> None:  # noqa: F811
    page.goto("about:blank")
    page.goto(f"{served.url}/dashboard/#key={served.keys['creator']}&lang={lang}&page=script")
    page.wait_for_selector("#tab-script")
    page.fill("#script-text", text)
    page.click("#script-run")
    page.wait_for_selector("#script-beat-table tbody tr")
    page.wait_for_function("document.getElementById('spinner').hidden")


@needs_chromium
def test_script_page_in_three_languages(page, served: Served, dar_lhajja: Path) -> None:  # noqa: F811
    text = dar_lhajja.read_text(encoding="utf-8")
    for lang, tab in (("en", "Script"), ("fr", "Scénario"), ("ar", "سيناريو")):
        _open_script_page(page, served, lang, text)
        assert page.locator("#tab-script").inner_text() == tab
        assert page.locator("#script-characters tbody tr").count() == 3
        body = page.inner_text("body")
        assert not re.search(r"\b(null|NaN|undefined|None)\b", body), (lang, body[:2000])
        left = page.evaluate(UNTRANSLATED, [lang, []])
        assert not left, f"{lang}: not from the {lang} translation table: {left}"
        assert page.inner_text("#status") == ""
    preview = page.frame_locator("#script-preview")
    assert preview.locator("[dir=auto]").first.is_visible()
    assert preview.locator("text=واش بغيتي أتاي يا الحاجة؟").count() == 1
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "script-dashboard-ar.png"), full_page=True)


@needs_chromium
def test_script_page_drafts_and_accepts(page, served: Served, dar_lhajja: Path) -> None:  # noqa: F811
    _open_script_page(page, served, "fr", dar_lhajja.read_text(encoding="utf-8"))
    page.fill("#script-name", "page.fountain")
    page.click("#script-draft")
    pending = page.locator(".proposal", has=page.locator(".proposal-accept"))
    pending.first.wait_for(timeout=240_000)
    assert pending.first.locator(".proposal-status").inner_text() == "en attente"
    pending.first.locator(".proposal-accept").click()
    page.wait_for_function(
        "document.getElementById('script-text').value.includes('halqa-generated')", timeout=60_000
    )
    pid = page.evaluate(
        "document.getElementById('script-text').value.match(/proposal=(\\w+) by/)[1]"
    )
    page.locator(f".proposal[data-id='{pid}'] .proposal-status", has_text="acceptée").wait_for(
        timeout=30_000
    )
    assert (
        page.locator(f".proposal[data-id='{pid}'] .proposal-accept").count() == 0
    )  # decided: no buttons
    assert page.inner_text("#status") == ""

"""The dashboard's Visual effects page in real headless Chromium (Debian's) against a real `halqa serve`.

A creator uploads a generated clip, sees the four shipped looks side by side on its middle frame,
downloads a .cube, lists the shots, cuts a trailer, sees its timeline and accepts it; every string
on the page comes from the en/fr/ar tables (the tour's check) and nothing overflows a phone.
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from halqa.catalog import Store
from halqa.service.keys import create_key
from tests.service.conftest import start_server, stop_server
from tests.service.test_dashboard import ARGS, CHROMIUM
from tests.service.test_dashboard_tour import UNTRANSLATED

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason=f"{CHROMIUM} absent (apt-get install chromium)"
)
LONG = 240_000  # ms: jobs on a loaded 2-core machine


@pytest.fixture(scope="module")
def server(tmp_path_factory, studio_root: Path):
    folder = tmp_path_factory.mktemp("vfx-dashboard")
    db = folder / "svc.duckdb"
    with Store.open(db) as store:
        key = create_key(store, "creator", "vfx-dashboard")[1]
    with pytest.MonkeyPatch.context() as env:
        env.setenv("HALQA_STUDIO_DIR", str(studio_root))  # the server process inherits it
        process, url = start_server(db, folder / "server.log", "--rate-limit", "100000")
    try:
        yield url, key
    finally:
        stop_server(process)


@pytest.fixture(scope="module")
def chromium():
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        yield browser
        browser.close()


def untranslated(page, lang: str) -> list[str]:
    return page.evaluate(UNTRANSLATED, [lang, []])


def test_looks_shots_trailer_and_decision_in_three_languages(
    chromium, server, shots_clip, artifacts
) -> None:
    url, key = server
    clip, cuts = shots_clip
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{url}/dashboard/#key={key}&lang=ar&page=vfx")
    page.wait_for_selector("#tab-vfx")
    table = page.evaluate("window.HALQA_I18N")
    assert page.locator("#tab-vfx").inner_text() == table["ar"]["vfx"]
    assert page.locator("#page-vfx h2").inner_text() == table["ar"]["vfx"]

    page.set_input_files("#vfx-file", str(clip))
    page.click("#vfx-send")
    looks = httpx.get(f"{url}/v1/vfx/looks", headers={"X-API-Key": key}).json()["looks"]
    # the original and every look, each a loaded image of the clip's size
    page.wait_for_function(
        f"""() => [...document.querySelectorAll('#vfx-looks figure img')]
        .filter((i) => i.complete && i.naturalWidth === 320).length === {len(looks) + 1}""",
        timeout=LONG,
    )
    captions = page.locator("#vfx-looks figcaption").all_inner_texts()
    assert table["ar"]["v_original"] in captions[0]
    assert all(
        table["ar"][f"look_{x['name']}"] in c for x, c in zip(looks, captions[1:], strict=True)
    )
    # the looks differ from the original and from each other (mean colour of each preview)
    means = page.evaluate("""() => [...document.querySelectorAll('#vfx-looks figure img')].map((img) => {
        const c = document.createElement('canvas'); c.width = img.naturalWidth; c.height = img.naturalHeight;
        const g = c.getContext('2d'); g.drawImage(img, 0, 0);
        const d = g.getImageData(0, 0, c.width, c.height).data; const m = [0, 0, 0];
        for (let i = 0; i < d.length; i += 4) { m[0] += d[i]; m[1] += d[i + 1]; m[2] += d[i + 2]; }
        return m.map((v) => v / (d.length / 4)); })""")
    assert len({tuple(round(v) for v in m) for m in means}) == len(means)

    with page.expect_download() as download:
        page.locator("#vfx-looks figure[data-look='chefchaouen-blue'] a.download").click()
    cube = Path(download.value.path()).read_text(encoding="utf-8")
    assert "LUT_3D_SIZE 33" in cube and download.value.suggested_filename == "chefchaouen-blue.cube"

    page.click("#vfx-find-shots")
    page.wait_for_selector("#vfx-shots tbody tr", timeout=LONG)
    assert page.locator("#vfx-shots tbody tr").count() == len(cuts) + 1

    page.fill("#vfx-trailer-form input[name=length]", "5")
    page.fill("#vfx-trailer-form textarea[name=title]", "الضو\nⵜⴰⴼⵓⴽⵜ\nLa lumière")
    page.click("#vfx-cut")
    page.wait_for_selector("#vfx-trailer:not([hidden])", timeout=LONG)
    pieces = page.locator("#vfx-pieces tbody tr").count()
    assert pieces >= 3 and page.locator("#vfx-timeline rect").count() == pieces
    assert page.locator("#vfx-trailer-video").get_attribute("src").startswith("blob:")
    links = page.locator("#vfx-downloads a").all_inner_texts()
    assert "MP4" in links and "OTIO" in links
    assert table["ar"]["status_pending"] in page.inner_text("#vfx-decision")
    page.screenshot(path=str(artifacts / "dashboard-vfx-ar.png"), full_page=True)

    for lang in ("ar", "fr", "en"):
        page.select_option("#lang-switch", lang)
        page.wait_for_function(f"document.documentElement.lang === '{lang}'")
        page.wait_for_function(f"""() => document.querySelector('#vfx-pieces th:nth-child(2)').textContent
            === {table[lang]["v_act"]!r}""")
        assert not untranslated(page, lang), (
            f"{lang}: not from the {lang} table: {untranslated(page, lang)}"
        )
        assert page.locator("#tab-vfx").inner_text() == table[lang]["vfx"]

    page.click("#vfx-accept")  # no name yet: one line saying so, nothing decided
    assert page.inner_text("#status") == table["en"]["v_need_name"]
    page.fill("#vfx-decide input[name=by]", "أمينة")
    page.click("#vfx-accept")
    page.wait_for_function("document.querySelector('#vfx-decision').dataset.status === 'accepted'")
    assert table["en"]["status_accepted"] in page.inner_text("#vfx-decision")
    accepted = httpx.get(
        f"{url}/v1/vfx/proposals", params={"status": "accepted"}, headers={"X-API-Key": key}
    ).json()
    assert [p["decision"]["by"] for p in accepted["items"]].count("أمينة") == 1

    page.set_viewport_size({"width": 390, "height": 860})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    context.close()
    assert not errors, f"JavaScript errors: {errors}"

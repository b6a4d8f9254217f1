"""The dashboard end to end in real headless Chromium (Debian's, driven by Playwright).

Never `playwright install`: the browser is /usr/bin/chromium from the Debian package.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.service.conftest import ARTIFACTS, Served

CHROMIUM = Path(os.environ.get("HALQA_CHROMIUM", "/usr/bin/chromium"))
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason=f"{CHROMIUM} absent (apt-get install chromium)"
)


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, served: Served):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="ar-MA")
    page = context.new_page()
    external: list[str] = []
    # data: and blob: URLs never leave the browser (a chart drawn to PNG, a CSV download)
    page.on(
        "request",
        lambda r: (
            external.append(r.url) if not r.url.startswith((served.url, "data:", "blob:")) else None
        ),
    )
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    yield page
    context.close()
    assert not external, f"the dashboard fetched from outside the server: {external}"
    assert not errors, f"JavaScript errors: {errors}"


def open_dashboard(
    page, served: Served, role: str = "analyst", lang: str = "ar", tab: str = "trends"
) -> None:
    page.goto(f"{served.url}/dashboard/#key={served.keys[role]}&lang={lang}&page={tab}")
    page.wait_for_selector("#tabs button")


def test_arabic_is_right_to_left_with_a_screenshot(page, served: Served) -> None:
    open_dashboard(page, served, lang="ar", tab="data")
    page.wait_for_selector("#data-counts tbody tr")
    assert page.evaluate("document.documentElement.dir") == "rtl"
    assert page.evaluate("document.documentElement.lang") == "ar"
    assert page.locator("#tab-trends").inner_text() == "الاتجاهات"
    # In RTL the first tab sits to the right of the second one, and the brand is at the right edge.
    first, second = (
        page.locator("#tabs button").nth(0).bounding_box(),
        page.locator("#tabs button").nth(1).bounding_box(),
    )
    assert first["x"] > second["x"]
    assert page.locator(".brand").bounding_box()["x"] > 640
    assert page.evaluate(
        "getComputedStyle(document.querySelector('#data-counts th')).textAlign"
    ) in ("start", "right")
    open_dashboard(page, served, lang="ar", tab="recommendations")
    page.wait_for_selector("#recs-list li")
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "dashboard-ar-rtl.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 20_000
    # Shaped Arabic: the joined word is narrower than its letters drawn apart (no shaping = same width).
    widths = page.evaluate("""() => {
        const probe = (t) => { const s = document.createElement('span'); s.textContent = t;
          s.style.font = '32px "Noto Naskh Arabic"'; document.body.appendChild(s);
          const w = s.getBoundingClientRect().width; s.remove(); return w; };
        return [probe('الاتجاهات'), probe('ا ل ا ت ج ا ه ا ت'.replace(/ /g, '\\u200c'))]; }""")
    assert widths[0] < widths[1]


def test_language_switcher_changes_interface_not_titles(page, served: Served) -> None:
    open_dashboard(page, served, lang="fr", tab="recommendations")
    page.wait_for_selector("#recs-list li")
    assert page.evaluate("document.documentElement.dir") == "ltr"
    assert page.locator("#tab-recommendations").inner_text() == "Recommandations"
    page.select_option("#lang-switch", "en")
    assert page.locator("#tab-recommendations").inner_text() == "Recommendations"
    page.select_option("#lang-switch", "ar")
    assert page.evaluate("document.documentElement.dir") == "rtl"


def test_recommendations_change_with_member_and_filters(page, served: Served) -> None:
    open_dashboard(page, served, lang="en", tab="recommendations")
    page.wait_for_selector("#recs-list li")
    first = page.locator("#recs-list li").all_inner_texts()
    assert len(first) == 10 and all(text.strip() for text in first)
    members = page.locator("#recs-member option").all_inner_texts()
    # Read the list before choosing: a fast answer can replace it before a read taken afterwards.
    shown = page.locator("#recs-list").inner_text()
    page.select_option("#recs-member", members[-1])
    page.wait_for_function(
        "(before) => document.querySelector('#recs-list').innerText !== before", arg=shown
    )
    assert page.locator("#recs-list li").count() >= 1
    reasons = page.locator("#recs-list .reason").all_inner_texts()
    assert all(r.strip() for r in reasons)
    # The Moroccan-creator share slider re-queries the list.
    before = page.locator("#recs-list").inner_text()
    with page.expect_response(lambda r: "local_share=1" in r.url and r.status == 200):
        page.locator("#local-share").fill("1")
    assert page.locator("#local-share-value").inner_text() == "100%"
    page.wait_for_function(
        "(b) => document.querySelector('#recs-list').innerText !== b", arg=before
    )


def test_trends_page_draws_tables_and_charts(page, served: Served) -> None:
    open_dashboard(page, served, lang="en", tab="trends")
    page.wait_for_selector("#trends-regions tbody tr")
    # the timeline is drawn after the tables (app.js awaits timeChart last): wait for it, then
    # there is exactly one
    page.wait_for_selector("#trends-timeline svg")
    assert page.locator("#trends-timeline svg").count() == 1
    regions = page.locator("#trends-regions tbody").inner_text()
    assert "Casablanca-Settat" in regions
    page.select_option("#trends-form select[name=age_band]", "18-24")
    page.wait_for_selector("#trends-top .row, #trends-note")


def test_data_page_shows_counts_and_quarantine(page, served: Served) -> None:
    open_dashboard(page, served, lang="en", tab="data")
    page.wait_for_selector("#data-counts tbody tr")
    counts = page.locator("#data-counts").inner_text()
    assert "titles" in counts and "events" in counts


def test_creator_sees_only_aggregated_pages(page, served: Served) -> None:
    open_dashboard(page, served, role="creator", lang="en", tab="trends")
    tabs = page.locator("#tabs button").all_inner_texts()
    # no member-level page: the studio's Music and Script pages are a creator's own work, and the
    # model's status is about the model, no member in it
    assert tabs == ["Trends", "Music", "Script", "Visual effects", "Model"]
    # a creator's search finds titles and creators, never members
    with page.expect_response(lambda r: "/v1/search" in r.url) as answer:
        page.fill("#search", "m01")
    assert answer.value.status == 200
    page.wait_for_selector("#search-results:not([hidden])")
    assert page.locator("#search-results a[href*='member=']").count() == 0


def test_a_bad_key_gets_the_login_form(page, served: Served) -> None:
    page.goto(f"{served.url}/dashboard/#key=hq_bad.key&lang=en")
    page.wait_for_selector("#login:not([hidden])")
    assert "refused" in page.locator("#login-error").inner_text()


def test_audience_page_targets_a_new_title_and_exports(page, served: Served) -> None:
    open_dashboard(page, served, lang="fr", tab="audience")
    page.fill("#audience-form input[name=name]", "ⴰⵙⵙ ⴰⵎⴰⵢⵏⵓ")
    page.select_option("#audience-form select[name=kind]", "track")
    page.select_option("#audience-form select[name=genres]", "rways")
    page.select_option("#audience-form select[name=language]", "zgh")
    page.fill("#audience-form input[name=top]", "60")
    page.click("#audience-form button[type=submit]")
    page.wait_for_selector("#audience-members tbody tr")
    assert "60" in page.locator("#audience-size").inner_text()
    assert page.locator("#audience-region .row").count() >= 1
    page.fill(
        "#export-form input[name=title_id]", "t-zgh-1"
    )  # the id it has in the catalogue, for lift
    page.fill("#export-form input[name=campaign]", "dashboard-export")
    page.click("#export-form button[type=submit]")
    page.wait_for_function(
        "document.querySelector('#export-result').innerText.includes('dashboard-export')"
    )
    open_dashboard(page, served, lang="fr", tab="campaigns")
    page.wait_for_selector("#campaigns-list tbody tr")
    assert "dashboard-export" in page.locator("#campaigns-list").inner_text()
    page.wait_for_function("document.querySelector('#campaign-lift-figures').innerText.length > 10")

"""The dashboard as a newcomer meets it, in English, French and Arabic (issue 13), in Debian's Chromium.

Every page: no `null`/`NaN`/`undefined`, no interface text outside the language's translation table,
bars on one scale, nothing wider than a phone; numbers in the locale's format and intervals in reading
order in Arabic; a spinner during slow requests; `/docs` with the network blocked.
"""

from __future__ import annotations

import re

import pytest

from halqa.recommend.explain import TEMPLATES
from tests.service.conftest import Served
from tests.service.test_dashboard import ARGS, CHROMIUM, browser, open_dashboard, page  # noqa: F401 (fixtures)

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason=f"{CHROMIUM} absent (apt-get install chromium)"
)
LANGS = ("en", "fr", "ar")
PAGES = ("trends", "recommendations", "audience", "campaigns", "data", "model")
WAIT = {
    "trends": "#trends-regions tbody tr",
    "recommendations": "#recs-list li",
    "data": "#data-counts tbody tr",
    "model": "#model-facts tbody tr",
    "campaigns": "#campaigns-list tbody tr",
    "audience": "#audience-form select[name=kind] option",
}

# Text nodes a person reads as interface (not data: names, ids and numbers sit in <bdi>, .num or SVG),
# each matched against the current language's templates ({x} = anything).
UNTRANSLATED = """([lang, server]) => {
  const table = window.HALQA_I18N[lang];
  const esc = (s) => s.replace(/[.*+?^${}()|[\\]\\\\]/g, '\\\\$&');
  const toRegex = (v) => new RegExp('^' + esc(v.trim()).replace(/\\\\\\{[a-z_]+\\\\\\}/g, '.+?') + '$', 's');
  const templates = Object.values(table).map(toRegex);
  // Recommendation reasons are worded by the server (halqa.recommend.explain.TEMPLATES), pieces joined by " · "
  const reasons = server.map(toRegex);
  const skip = 'bdi, .num, svg, script, style, datalist, [lang]:not(html), .brand, #login, [hidden]';
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const text = n.textContent.trim();
    const parent = n.parentElement;
    if (!text || /^[\\d\\s.,:;·%×\\-–\\[\\]()…/+٪\\u200e\\u200f\\u061c]+$/.test(text)) continue;
    if (parent.closest(skip) || !parent.getClientRects().length) continue;
    if (parent.tagName === 'OPTION' && parent.parentElement.dataset.options
        && !['kinds', 'language_tags'].includes(parent.parentElement.dataset.options)) continue;  // data labels
    if (parent.dataset.from === 'recommender') {
      if (!text.split(' · ').every((part) => reasons.some((re) => re.test(part)))) out.push(text);
      continue;
    }
    if (!templates.some((re) => re.test(text))) out.push(text);
  }
  return out;
}"""


def run_audience(page, lang: str) -> None:
    page.fill("#audience-form input[name=name]", "ⴰⵙⵙ ⴰⵎⴰⵢⵏⵓ")
    page.select_option("#audience-form select[name=kind]", "track")
    page.select_option("#audience-form select[name=language]", "zgh")
    page.fill("#audience-form input[name=top]", "60")
    page.click("#audience-form button[type=submit]")
    page.wait_for_selector("#audience-members tbody tr")


def visit(page, served: Served, lang: str, tab: str) -> None:
    page.goto(
        "about:blank"
    )  # a fresh load: a changed #fragment alone would keep the old page's figures
    open_dashboard(page, served, lang=lang, tab=tab)
    page.wait_for_selector(WAIT[tab], state="attached")
    if tab == "audience":
        run_audience(page, lang)
    page.wait_for_function("document.getElementById('spinner').hidden")


@pytest.mark.parametrize("lang", LANGS)
def test_every_page_is_translated_and_shows_no_null(page, served: Served, lang: str) -> None:  # noqa: F811
    for tab in PAGES:
        visit(page, served, lang, tab)
        text = page.inner_text("body")
        assert not re.search(r"\b(null|NaN|undefined|None)\b", text), (tab, text[:2000])
        assert page.inner_text("#status") == "", tab
        left = page.evaluate(UNTRANSLATED, [lang, list(TEMPLATES[lang].values())])
        assert not left, f"{lang} {tab}: not from the {lang} translation table: {left}"


def test_bars_share_one_scale_and_fit_a_phone(page, served: Served) -> None:  # noqa: F811
    for width in (1280, 390, 340):  # 340: headroom for fonts that measure wider than this machine's
        page.set_viewport_size({"width": width, "height": 860})
        for tab in PAGES:
            visit(page, served, "en", tab)
            assert page.evaluate("document.documentElement.scrollWidth") <= width, (
                f"{tab} overflows at {width}px"
            )
        visit(page, served, "en", "trends")
        fills = page.evaluate("""() => [...document.querySelectorAll('#trends-top .bar-fill')].map((f) =>
            ({ value: Number(f.dataset.value), width: f.getBoundingClientRect().width,
               track: f.parentElement.getBoundingClientRect().width }))""")
        assert len(fills) >= 3
        assert (
            len({round(f["track"]) for f in fills}) == 1
        )  # every bar drawn in a track of the same width
        top = max(fills, key=lambda f: f["value"])
        assert top["width"] > 20, f"bars vanish at {width}px"
        for f in fills:
            assert f["width"] == pytest.approx(top["width"] * f["value"] / top["value"], abs=1.5)


def test_numbers_dates_and_intervals_follow_the_language(page, served: Served) -> None:  # noqa: F811
    counts = served.client("analyst").get("/v1/data").json()["counts"]
    big = {k: v for k, v in counts.items() if v >= 1000}
    assert big, "the service world should hold a table of at least 1,000 rows"
    for lang, locale in (("fr", "fr-MA"), ("ar", "ar-MA"), ("en", "en-GB")):
        visit(page, served, lang, "data")
        shown = dict(
            page.evaluate("""() => [...document.querySelectorAll('#data-counts tbody tr')].map((r) =>
            [r.cells[0].innerText, r.cells[1].innerText])""")
        )
        for table, value in big.items():
            expected = page.evaluate(
                "([l, v]) => new Intl.NumberFormat(l).format(v)", [locale, value]
            )
            assert shown[table] == expected, (lang, table, shown[table], expected)
        if lang == "fr":
            assert not any("," in shown[t] for t in big)  # 3 343, never the English 3,343
        window = page.locator("#trends-form select[name=window] option").first.inner_text()
        assert window == {"en": "28 d", "fr": "28 j", "ar": "28 يوم"}[lang]
    # Arabic: the campaign's interval reads low to high, isolated left to right inside the sentence.
    with served.client("analyst") as client:
        made = client.post(
            "/v1/audience/export",
            json={
                "campaign": "tour-numbers",
                "top": 80,
                "holdout": 0.4,
                "title_id": "t-ar-1",
                "title": {"name": "الزين", "kind": "film", "genres": ["drama"], "language": "ar"},
            },
        )
    assert made.status_code in (201, 400), made.text  # 400: made by an earlier run of this session
    visit(page, served, "ar", "campaigns")
    page.locator("#campaigns-list tbody tr", has_text="tour-numbers").click()
    page.wait_for_selector("#campaign-lift-figures .interval")
    box = page.locator("#campaign-lift-figures .interval").first
    assert box.evaluate("(n) => getComputedStyle(n).direction") == "ltr"
    lo, hi = [
        float(x.replace("\u066b", ".").replace(",", ".").replace("\u2212", "-"))
        for x in re.findall(r"[-\u2212]?[\d.,\u066b]+", box.inner_text())
    ]
    assert lo <= hi


def test_a_spinner_shows_while_a_request_is_slow(page, served: Served) -> None:  # noqa: F811
    # Requests are held (not answered) until the test lets them go, so the page is slow for certain:
    # a handler that sleeps would block Playwright's driver and leave the outcome to timing.
    held: list = []

    def hold(route):
        held.append(route)

    def release(pattern):
        while held:
            held.pop().continue_()
        page.unroute(pattern)

    visit(page, served, "fr", "trends")
    trends = re.compile(r".*/v1/trends\?.*")
    page.route(trends, hold)
    shown = page.locator("#trends-top").inner_text()
    page.select_option("#trends-form select[name=window]", "90d")
    page.wait_for_selector("#spinner:not([hidden])", timeout=3000)
    assert (
        page.locator("#trends-top").inner_text() != shown or not shown
    )  # stale figures are cleared
    release(trends)
    page.wait_for_selector("#spinner", state="hidden", timeout=15000)
    open_dashboard(page, served, lang="en", tab="audience")
    page.wait_for_selector(WAIT["audience"], state="attached")
    target = re.compile(r".*/v1/audience/target.*")
    page.route(target, hold)
    page.fill("#audience-form input[name=name]", "Rzq")
    page.click("#audience-form button[type=submit]")
    page.wait_for_selector("#spinner:not([hidden])", timeout=3000)
    assert page.locator("#audience-form button[type=submit]").is_disabled()  # cannot be sent twice
    release(target)
    page.wait_for_selector("#audience-members tbody tr", timeout=15000)
    assert page.locator("#audience-form button[type=submit]").is_enabled()


def test_campaign_lift_from_a_dashboard_export(page, served: Served) -> None:  # noqa: F811
    open_dashboard(page, served, lang="en", tab="audience")
    page.wait_for_selector(WAIT["audience"], state="attached")
    run_audience(page, "en")
    page.fill("#export-form input[name=title_id]", "t-zgh-1")
    page.fill("#export-form input[name=campaign]", "tour-launch")
    page.fill("#export-form input[name=holdout]", "0.3")
    page.click("#export-form button[type=submit]")
    page.wait_for_function(
        "document.querySelector('#export-result').innerText.includes('tour-launch')"
    )
    open_dashboard(page, served, lang="en", tab="campaigns")
    page.wait_for_selector("#campaigns-list tbody tr")
    page.locator("#campaigns-list tbody tr", has_text="tour-launch").click()
    page.wait_for_selector("#campaign-groups tbody tr")
    assert page.locator("#lift-form input[name=title_id]").input_value() == "t-zgh-1"
    accounting = page.locator("#campaign-accounting").inner_text()
    assert "exported" in accounting and "measured" in accounting
    assert page.locator("#campaign-groups tbody tr").count() == 2


def test_docs_render_with_the_network_blocked(browser, served: Served) -> None:  # noqa: F811
    context = browser.new_context()
    outside: list[str] = []

    def only_local(route):
        if route.request.url.startswith(served.url):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", only_local)
    docs = context.new_page()
    docs.goto(f"{served.url}/docs")
    docs.wait_for_selector(".swagger-ui .info .title", timeout=20000)
    assert "halqa" in docs.locator(".swagger-ui .info .title").inner_text()
    assert docs.locator(".opblock").count() > 10  # the operations are listed
    context.close()
    assert not outside, f"/docs fetched from outside: {outside}"

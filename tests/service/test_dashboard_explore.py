"""The dashboard beyond its first pages (issue 13, "also expected"), in Debian's Chromium: a page per
title and per creator reached by clicking names, the search box, custom dates on Trends, the seasons
shaded on time charts, the model's status, CSV and PNG downloads; targeting reasons and Moroccan marks
in the interface language. Every page checked in en/fr/ar against the translation tables."""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime, timedelta

import pytest

from halqa.audience.targeting import REASON_TEXT
from halqa.recommend.explain import TEMPLATES
from tests.service.conftest import Served
from tests.service.test_dashboard import CHROMIUM, browser, open_dashboard, page  # noqa: F401 (fixtures)
from tests.service.test_dashboard_tour import LANGS, UNTRANSLATED

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason=f"{CHROMIUM} absent (apt-get install chromium)"
)
RAMADAN_2026 = datetime(2026, 3, 2, 20, 30)  # 13 Ramadan 1447, after iftar


def open_profile(page, served: Served, lang: str, entity: str, ident: str) -> None:
    page.goto("about:blank")
    page.goto(
        f"{served.url}/dashboard/#key={served.keys['analyst']}&lang={lang}&page=profile&{entity}={ident}"
    )
    page.wait_for_selector("#profile-fans tbody tr")
    page.wait_for_function("document.getElementById('spinner').hidden")


def assert_translated(page, lang: str, where: str) -> None:
    text = page.inner_text("body")
    assert not re.search(r"\b(null|NaN|undefined|None|nan)\b", text), (where, text[:2000])
    assert page.inner_text("#status") == "", where
    left = page.evaluate(UNTRANSLATED, [lang, list(TEMPLATES[lang].values())])
    assert not left, f"{lang} {where}: not from the {lang} translation table: {left}"


@pytest.fixture(scope="module")
def ramadan_plays(served: Served) -> str:
    """Plays of t-ar-1 by twelve members in Ramadan 1447 (posted like any client would)."""
    events = [
        {
            "member_id": f"m{i:03d}",
            "title_id": "t-ar-1",
            "event_type": "play",
            "ts": (RAMADAN_2026 + timedelta(minutes=i)).isoformat(),
        }
        for i in range(12)
    ]
    with served.client("admin") as client:
        answer = client.post("/v1/events/batch", json={"events": events})
    assert answer.status_code in (200, 201), answer.text
    return "t-ar-1"


def test_every_translation_key_exists_in_every_language(page, served: Served) -> None:  # noqa: F811
    open_dashboard(page, served, lang="en", tab="data")
    keys = page.evaluate(
        "() => ['en', 'fr', 'ar'].map((l) => Object.keys(window.HALQA_I18N[l]).sort())"
    )
    assert keys[0] == keys[1] == keys[2]
    empty = page.evaluate("""() => ['en', 'fr', 'ar'].flatMap((l) =>
        Object.entries(window.HALQA_I18N[l]).filter(([, v]) => !String(v).trim()).map(([k]) => `${l}:${k}`))""")
    assert not empty
    # every language, kind and season a page can show has its name in the tables (no raw "zgh")
    from halqa.catalog import taxonomy
    from halqa.insights.calendar import GREGORIAN_SEASONS, HIJRI_SEASONS

    needed = (
        [f"lang_{code}" for code in taxonomy.LANGUAGES]
        + [f"kind_{k}" for k in taxonomy.KINDS]
        + [f"season_{s}" for s in (*HIJRI_SEASONS, *GREGORIAN_SEASONS)]
        + [f"tr_{key}" for key in REASON_TEXT]
    )
    assert not set(needed) - set(keys[0])


@pytest.mark.parametrize("lang", LANGS)
def test_title_and_creator_pages_from_a_click_in_every_language(
    page,
    served: Served,
    lang: str,  # noqa: F811
    ramadan_plays: str,
) -> None:
    open_dashboard(page, served, lang=lang, tab="recommendations")
    page.wait_for_selector("#recs-list li a.entity")
    first = page.locator("#recs-list li a.entity").first
    title_id = first.get_attribute("data-title")
    name = first.inner_text()
    first.click()
    page.wait_for_selector("#profile-fans tbody tr")
    page.wait_for_function("document.getElementById('spinner').hidden")
    assert page.locator("#profile-name").inner_text() == name
    profile = (
        served.client("analyst").get(f"/v1/titles/{title_id}/profile", params={"weeks": 52}).json()
    )
    fans = page.locator("#profile-fans tbody a.entity").all_inner_texts()
    assert fans == [r["name"] for r in profile["fans_also_like"]["rows"]]  # byte-exact, any script
    assert_translated(page, lang, f"profile of {title_id}")
    # the creator named on the title's page, then one of their fans' other creators
    creator = page.locator("#profile-facts a.entity").first
    creator_id = creator.get_attribute("data-creator")
    creator.click()
    page.wait_for_function("(n) => location.hash.includes('creator=' + n)", arg=creator_id)
    page.wait_for_selector("#profile-fans tbody tr")
    page.wait_for_function("document.getElementById('spinner').hidden")
    about = served.client("analyst").get(f"/v1/creators/{creator_id}/profile").json()
    assert page.locator("#profile-name").inner_text() == about["name"]
    counts = page.evaluate(
        """() => [...document.querySelectorAll('#profile-region .bar-fill')].map((f) => Number(f.dataset.value))"""
    )
    assert counts == [v or 0 for v in about["audience"]["region"].values()]
    assert_translated(page, lang, f"profile of {creator_id}")


def test_ramadan_is_shaded_on_the_weekly_chart(page, served: Served, ramadan_plays: str) -> None:  # noqa: F811
    for lang in LANGS:
        open_profile(page, served, lang, "title", ramadan_plays)
        page.wait_for_selector("#profile-timeline svg")
        seasons = page.locator("#profile-timeline rect.season")
        names = [seasons.nth(i).get_attribute("data-season") for i in range(seasons.count())]
        assert "ramadan" in names, names
        legend = page.locator("#profile-timeline .season-note").all_inner_texts()
        expected = page.evaluate("(l) => window.HALQA_I18N[l]['season_ramadan']", lang)
        assert expected in legend
        # the shading sits over the week of the Ramadan plays: between the first and last week drawn
        box = seasons.nth(names.index("ramadan")).bounding_box()
        chart = page.locator("#profile-timeline svg").bounding_box()
        assert chart["x"] < box["x"] and box["x"] + box["width"] < chart["x"] + chart["width"]
    shown = (
        served.client("analyst")
        .get("/v1/seasons", params={"start": "2026-01-01", "end": "2026-12-31"})
        .json()["items"]
    )
    ramadan = next(s for s in shown if s["name"] == "ramadan")
    assert (
        ramadan["calendar"] == "hijri"
        and ramadan["start"] <= RAMADAN_2026.date().isoformat() < ramadan["end"]
    )


def test_search_finds_titles_creators_and_members(page, served: Served) -> None:  # noqa: F811
    open_dashboard(page, served, lang="ar", tab="data")
    page.fill("#search", "ⴰⵎⴰ")
    page.wait_for_selector("#search-results a.entity")
    assert "ⴰⵎⴰⵏ ⵉⵎⴰⵏ" in page.locator("#search-results").inner_text()  # Tifinagh byte-exact
    page.locator("#search-results a.entity", has_text="ⴰⵎⴰⵏ ⵉⵎⴰⵏ").click()
    page.wait_for_selector("#profile-fans tbody tr")
    assert page.locator("#profile-name").inner_text() == "ⴰⵎⴰⵏ ⵉⵎⴰⵏ"
    page.fill("#search", "m11")  # a member far down the activity-ordered picker
    page.wait_for_selector("#search-results a[href*='member=m11']")
    member = page.locator("#search-results a[href*='member=m11']").first.inner_text()
    page.locator("#search-results a[href*='member=m11']").first.click()
    page.wait_for_function("(m) => document.getElementById('recs-member').value === m", arg=member)
    page.wait_for_selector("#recs-list li")
    page.fill("#search", "no-such-thing-anywhere")
    page.wait_for_function(
        "document.getElementById('search-results').innerText.trim() === window.HALQA_I18N.ar.search_none"
    )


def test_moroccan_marks_and_the_slot_policy_are_shown(page, served: Served) -> None:  # noqa: F811
    open_dashboard(page, served, lang="fr", tab="recommendations")
    page.wait_for_selector("#recs-list li")
    member = page.locator("#recs-member").input_value()
    with page.expect_response(lambda r: "local_share=1" in r.url and r.status == 200) as answer:
        page.locator("#local-share").fill("1")
    items = answer.value.json()["items"]
    page.wait_for_function(
        "(n) => document.querySelectorAll('#recs-list li').length === n && "
        "document.getElementById('spinner').hidden",
        arg=len(items),
    )
    with served.client("analyst") as client:
        same = client.get(
            f"/v1/recommendations/{member}", params={"local_share": 1, "lang": "fr"}
        ).json()["items"]
    assert [i["title_id"] for i in same] == [i["title_id"] for i in items]
    marked = page.evaluate("""() => [...document.querySelectorAll('#recs-list li')].map((li) =>
        [li.dataset.titleId, !!li.querySelector('.tag.local'), !!li.querySelector('.tag.placed')])""")
    assert marked == [[i["title_id"], i["local"], i["placed"]] for i in items]
    assert any(i["local"] for i in items)  # the world's Moroccan creators reach a list at share 1
    scores = [i["score"] for i in items]
    out_of_order = any(scores[j] < max(scores[j + 1 :]) for j in range(len(scores) - 1))
    assert out_of_order == any(i["placed"] for i in items)
    note = page.locator("#recs-policy-note").inner_text()
    assert (
        (note == page.evaluate("window.HALQA_I18N.fr.placed_note")) if out_of_order else note == ""
    )


def test_targeting_reasons_are_worded_in_the_page_language(page, served: Served) -> None:  # noqa: F811
    for lang in LANGS:
        open_dashboard(page, served, lang=lang, tab="audience")
        page.wait_for_selector("#audience-form select[name=kind] option", state="attached")
        page.fill("#audience-form input[name=name]", "الحلقة")
        page.select_option("#audience-form select[name=kind]", "film")
        page.select_option(
            "#audience-form select[name=language]", "ary"
        )  # what the world's members speak
        page.fill("#audience-form input[name=top]", "60")
        with page.expect_response(lambda r: "/v1/audience/target" in r.url) as answer:
            page.click("#audience-form button[type=submit]")
            page.wait_for_selector("#audience-members tbody tr")
        members = answer.value.json()["members"]
        shown = page.locator("#audience-members tbody tr td:nth-child(5)").all_inner_texts()
        assert len(shown) == len(members)
        table = page.evaluate("(l) => window.HALQA_I18N[l]", lang)
        for member, text in zip(members, shown):
            parts = text.split(" · ")
            assert len(parts) == len(member["reason_parts"])
            for part, piece in zip(member["reason_parts"], parts):
                template = table[f"tr_{part['key']}"]
                head = template.split("{")[0].strip()
                assert piece.replace("\u2068", "").replace("\u2069", "").startswith(head), (
                    lang,
                    piece,
                    template,
                )
        if lang != "en":
            assert not any(
                re.search(r"\b(speaks|watches|lives in|follows|active member)\b", t) for t in shown
            )
        # ids reach the page as labels of its language ("regarde ou écoute Drame", never "watches drama")
        genres = {
            g["id"]: g[lang] or g["en"]
            for g in served.client("analyst").get("/v1/labels").json()["genres"]
        }
        named = [
            (g, t)
            for m, t in zip(members, shown)
            for p in m["reason_parts"]
            if p["key"] == "genres"
            for g in p["params"]["genres"]
        ]
        assert named, "the title's genre should be among the reasons"
        assert all(genres[g] in t for g, t in named)
        spoken = [
            (p["params"]["language"], t)
            for m, t in zip(members, shown)
            for p in m["reason_parts"]
            if p["key"] == "language"
        ]
        assert all(table[f"lang_{code}"] in t for code, t in spoken)


def test_custom_dates_on_trends(page, served: Served) -> None:  # noqa: F811
    open_dashboard(page, served, lang="en", tab="trends")
    page.wait_for_selector("#trends-regions tbody tr")
    page.select_option("#trends-form select[name=window]", "custom")
    page.wait_for_selector("#trends-form input[name=from]:visible")
    with page.expect_request(
        lambda r: "/v1/trends?" in r.url and "as_of=2026-10-01" in r.url
    ) as asked:
        page.fill("#trends-form input[name=from]", "2026-09-10")
        page.fill("#trends-form input[name=to]", "2026-09-30")
        page.locator("#trends-form input[name=to]").dispatch_event("change")
    assert "window=21d" in asked.value.url
    page.wait_for_selector("#trends-regions tbody tr")
    page.wait_for_function("document.getElementById('spinner').hidden")
    assert "previous 21 days" in page.locator("#trends-note").inner_text()
    with served.client("analyst") as client:
        api = client.get("/v1/trends", params={"window": "21d", "as_of": "2026-10-01"}).json()
    assert api["window"] == {"days": 21, "start": "2026-09-10", "end": "2026-10-01"}
    bars = page.evaluate(
        "() => [...document.querySelectorAll('#trends-top .bar-fill')].map((f) => Number(f.dataset.value))"
    )
    assert bars == [r["count"] for r in api["top"]]
    page.fill(
        "#trends-form input[name=from]", "2026-10-05"
    )  # after the last day: asked again, not sent
    page.locator("#trends-form input[name=from]").dispatch_event("change")
    page.wait_for_function(
        "document.getElementById('trends-note').innerText === window.HALQA_I18N.en.range_needed"
    )


def test_model_status_page(page, served: Served) -> None:  # noqa: F811
    info = served.client("analyst").get("/v1/recommender").json()
    assert info["status"]["trained_at"]
    for lang in LANGS:
        open_dashboard(page, served, lang=lang, tab="model")
        page.wait_for_selector("#model-facts tbody tr")
        page.wait_for_function("document.getElementById('spinner').hidden")
        facts = page.locator("#model-facts tbody").inner_text()
        assert info["model"] in facts
        # The note is written when the page's answer arrives, after the facts table: wait for it in
        # this language rather than reading whatever the previous language left there.
        page.wait_for_function(
            "(l) => document.getElementById('model-eval-note').innerText"
            " === window.HALQA_I18N[l].no_evaluation",
            arg=lang,
        )  # none run on this world
        assert_translated(page, lang, "model")


def test_every_table_downloads_as_csv_and_every_chart_as_png(
    page, served: Served, ramadan_plays: str
) -> None:  # noqa: F811
    open_dashboard(page, served, lang="fr", tab="data")
    page.wait_for_selector("#data-counts tbody tr")
    with page.expect_download() as got:
        page.locator("#page-data .exports .export-csv").first.click()
    text = got.value.path().read_text(encoding="utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    counts = served.client("analyst").get("/v1/data").json()["counts"]
    assert rows[0] == ["Table", "Lignes"]
    assert {r[0]: int(r[1]) for r in rows[1:]} == counts  # raw numbers, not "3 343"
    open_profile(page, served, "ar", "title", ramadan_plays)
    with page.expect_download() as got:
        page.locator("#profile-fans").locator(
            "xpath=../preceding-sibling::div[@class='exports']"
        ).locator("button").click()
    rows = list(
        csv.reader(io.StringIO(got.value.path().read_text(encoding="utf-8").lstrip("\ufeff")))
    )
    fans = (
        served.client("analyst")
        .get(f"/v1/titles/{ramadan_plays}/profile", params={"weeks": 52})
        .json()
    )
    assert [r[0] for r in rows[1:]] == [
        f["name"] for f in fans["fans_also_like"]["rows"]
    ]  # Arabic byte-exact
    for chart in ("#profile-timeline", "#profile-region"):
        with page.expect_download() as got:
            page.locator(chart).locator("xpath=preceding-sibling::div[@class='exports']").locator(
                "button"
            ).click()
        png = got.value.path().read_bytes()
        assert png[:8] == b"\x89PNG\r\n\x1a\n"
        from PIL import Image

        image = Image.open(io.BytesIO(png)).convert("RGB")
        colours = {
            image.getpixel((x, y))
            for x in range(0, image.width, 7)
            for y in range(0, image.height, 7)
        }
        assert len(colours) > 3, f"{chart}: the PNG is blank"
    assert (
        page.locator(".page:not([hidden]) table.table").count()
        == page.locator(".page:not([hidden]) .exports .export-csv").count()
    )
    assert (
        page.locator(".page:not([hidden]) .chart, .page:not([hidden]) .bars").count()
        == page.locator(".page:not([hidden]) .exports .export-png").count()
    )


def test_the_new_pages_fit_a_phone(page, served: Served, ramadan_plays: str) -> None:  # noqa: F811
    page.set_viewport_size({"width": 340, "height": 800})
    for lang in ("en", "ar"):
        open_profile(page, served, lang, "title", ramadan_plays)
        assert page.evaluate("document.documentElement.scrollWidth") <= 340, (
            f"profile overflows ({lang})"
        )
        page.fill("#search", "Title")
        page.wait_for_selector("#search-results:not([hidden]) a.entity")
        assert page.evaluate("document.documentElement.scrollWidth") <= 340, (
            f"search results overflow ({lang})"
        )
        open_dashboard(page, served, lang=lang, tab="model")
        page.wait_for_selector("#model-facts tbody tr")
        assert page.evaluate("document.documentElement.scrollWidth") <= 340, (
            f"model page overflows ({lang})"
        )

"""The brief's interactive charts open in real headless Chromium with nothing fetched."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from halqa.insights.charts import BarChart, write_html

CHROMIUM = Path(os.environ.get("HALQA_CHROMIUM", "/usr/bin/chromium"))
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason=f"{CHROMIUM} absent (apt-get install chromium)"
)


def test_charts_render_hover_and_sort_offline(tmp_path):
    sync_api = pytest.importorskip("playwright.sync_api")
    charts = [
        BarChart(
            "g",
            "Growth <with> interval",
            "rate ratio",
            ["rap", "chaabi", "gnawa"],
            [1.2, 3.5, 0.8],
            [1.0, 2.0, 0.5],
            [1.5, 5.0, 1.1],
            reference=1.0,
            notes=["", "rising", ""],
        ),
        BarChart("s", "Share", "%", ["a", "b"], [10.0, 20.0]),
    ]
    page_path = write_html(charts, tmp_path / "charts.html", "brief ⴰⵣⵓⵍ مرحبا")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        page = browser.new_page()
        requests, errors = [], []
        page.on("request", lambda r: requests.append(r.url))
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(page_path.as_uri())
        assert page.title() == "brief ⴰⵣⵓⵍ مرحبا"
        assert page.locator("svg").count() == 2 and page.locator("rect.bar").count() == 5
        assert page.locator("line.ci").count() == 3
        page.locator("rect.bar").nth(1).hover()
        tip = page.locator("#tip")
        assert tip.is_visible() and "chaabi: 3.5 (95% CI 2 to 5) | rising" in tip.inner_text()
        first_label = lambda: page.locator("section").first.locator("svg text").first.text_content()
        assert first_label() == "rap"
        page.locator("section").first.locator("button").click()
        assert first_label() == "chaabi"  # sorted by value
        browser.close()
    assert errors == []
    assert all(url.startswith("file://") for url in requests)

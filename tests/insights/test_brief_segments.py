"""`halqa insights brief` on every age band, region and gender of a small demo world (issue 13: it crashed on half).

The world comes from the demo generator, ingested through halqa.ingest, so its segments have the
demo's shape: length buckets beyond the first few, members with no gender, regions too small to show.
"""

from __future__ import annotations

import re

import pytest

from halqa.catalog import Store, taxonomy
from halqa.demo import generate_world
from halqa.demo.run import build_store
from halqa.insights import charts
from halqa.insights.brief import write_brief

SEGMENTS = (
    [f"age_band={band}" for band in taxonomy.AGE_BANDS]
    + [f"region={r.id}" for r in taxonomy.REGIONS]
    + [f"gender={g}" for g in ("F", "M", "X")]
)


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory):
    out = tmp_path_factory.mktemp("brief-demo")
    world = generate_world(out / "world", seed=7, members=1_500, titles=300, events=60_000)
    db = out / "halqa.duckdb"
    build_store(world, db, fresh=True)
    with Store.open(db, read_only=True) as store:
        yield store


@pytest.mark.parametrize("segment", SEGMENTS)
def test_brief_is_written_for_every_segment(demo_store, tmp_path, segment, monkeypatch):
    # Drawing PNGs is most of a brief's time and test_brief.py checks them as images; here each
    # chart is only collected, so 21 briefs stay fast.
    drawn: list[charts.BarChart] = []
    monkeypatch.setattr(charts, "write_png", lambda chart, path: drawn.append(chart) or path)
    out = tmp_path / "brief.md"
    result = write_brief(demo_store, [segment], out)
    text = out.read_text(encoding="utf-8")
    assert text.startswith(f"# Creative brief: {segment}")
    if result["suppressed"]:
        assert "cannot be described" in text and result["charts"] == []
        return
    prose = text.split("## Figures")[0]
    cited = set(re.findall(r"\[(F\d+)\]", prose))
    assert cited == {f["id"] for f in result["figures"]}  # every claim cites a figure that exists
    assert not re.search(r"\b(nan|None|null)\b", prose), (
        "a missing value was printed as a word of code"
    )
    # The suggested length is the best completion among the cited length buckets.
    lengths = [
        f
        for f in result["figures"]
        if f["source"] == {**f["source"], "report": "engagement", "by": "length"}
    ]
    picked = re.search(
        r"- Length: \*\*(.+?)\*\* has the best completion \(([\d.]+)%\) \[(F\d+)\]", prose
    )
    if lengths:
        assert picked, "a length is cited but none suggested"
        best = max(f["values"]["completion_rate"] for f in lengths)
        assert float(picked.group(2)) == pytest.approx(best * 100, abs=0.05)
        assert picked.group(3) in {f["id"] for f in lengths}
    assert drawn and len(result["charts"]) == len(drawn)
    window = re.search(r"^Window: (\S+) to (\S+) ", text, flags=re.MULTILINE).groups()
    for chart in drawn:  # each picture says whom and when it describes
        assert chart.subtitle == f"{segment}, {window[0]} to {window[1]} (end excluded)"
        assert not any(str(label) in ("nan", "None") for label in chart.labels)
    assert_charts_agree_with_text(drawn, result["figures"])


# Each chart against the brief's own figures (what its text cites): the same items under the same
# names, with the same values. chart slug -> (figure source, value in the chart, interval keys).
CHART_FACTS = {
    "top_genres": (
        {"report": "trends", "by": "genre", "list": "top"},
        lambda v: round(v["share"] * 100, 2),
        None,
    ),
    "growth": (
        {"report": "trends", "by": "genre", "list": "rising"},
        lambda v: v["growth"],
        ("growth_low", "growth_high"),
    ),
    "lift": (
        {"report": "trends", "by": "genre", "list": "lift"},
        lambda v: v["lift"],
        ("lift_low", "lift_high"),
    ),
    "demand_per_title": (
        {"report": "demand_supply", "by": "genre"},
        lambda v: v["pairs_per_title"],
        None,
    ),
    "completion_by_length": (
        {"report": "engagement", "by": "length"},
        lambda v: round(v["completion_rate"] * 100, 2),
        None,
    ),
}


def assert_charts_agree_with_text(drawn: list, figures: list[dict]) -> None:
    compared = 0
    for chart in drawn:
        source, value_of, interval = CHART_FACTS[chart.slug]
        bars = dict(zip(chart.labels, range(len(chart.labels))))
        cited = [f for f in figures if {k: f["source"].get(k) for k in source} == source]
        for fig in cited:
            if value_of(fig["values"]) is None:
                continue
            assert fig["label"] in bars, (
                f"{chart.slug}: the text names {fig['label']!r}, the chart shows {chart.labels}"
            )
            i = bars[fig["label"]]
            assert chart.values[i] == pytest.approx(value_of(fig["values"])), (
                chart.slug,
                fig["label"],
            )
            compared += 1
            if interval and chart.low is not None and fig["values"].get(interval[1]) is not None:
                assert chart.low[i] == pytest.approx(fig["values"][interval[0]]), (
                    chart.slug,
                    fig["label"],
                )
                assert chart.high[i] == pytest.approx(fig["values"][interval[1]]), (
                    chart.slug,
                    fig["label"],
                )
    assert compared > 0, "the charts should share figures with the text"

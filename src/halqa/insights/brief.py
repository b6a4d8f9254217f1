"""The creative brief: a Markdown report a writer or musician can act on, with charts.

Every claim cites a numbered figure ([F3]); the Figures table at the end gives each
figure's exact values and the report it comes from (``trends`` by genre/theme/language/title,
``engagement``, ``demand_supply``, the segment profile). The same figures are written as
JSON beside the Markdown, and they are the very values ``halqa insights trends --json`` prints for
the same segment, window and as-of date: nothing is computed twice, nothing is invented.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from halqa import engines as engine
from halqa.errors import UserError
from halqa.insights import charts, common, queries
from halqa.insights.engagement import demand_supply, engagement
from halqa.insights.segment import DEFAULT_K, Segment
from halqa.insights.trends import trends

if TYPE_CHECKING:
    from halqa.engines import AnalyticsStore

TREND_DIMENSIONS = ("genre", "theme", "language", "title")


class Figures:
    """Numbered figures, each with its source and exact values."""

    def __init__(self) -> None:
        self.items: list[dict] = []

    def add(self, source: dict, label: str, values: dict) -> str:
        fid = f"F{len(self.items) + 1}"
        self.items.append({"id": fid, "source": source, "label": label, "values": values})
        return f"[{fid}]"


def write_brief(
    store: AnalyticsStore,
    segment: Segment | list[str] | dict | None,
    out: str | Path,
    *,
    window: str | int | None = "28d",
    as_of: str | dt.date | None = None,
    k: int = DEFAULT_K,
) -> dict:
    """Write ``out`` (Markdown), ``<stem>_files/*.png``, ``<stem>_files/charts.html`` and
    ``<stem>_files/figures.json``; returns their paths and the figures."""
    seg = segment if isinstance(segment, Segment) else Segment.parse(segment)
    out = Path(out)
    files = out.parent / f"{out.stem}_files"
    if out.is_dir():  # refused before any work, not as an IsADirectoryError after the charts
        raise UserError(
            f"--out {out}: is a directory; give a Markdown file name ({out / 'brief.md'})"
        )
    end = common.resolve_as_of(store, as_of)
    composed = _compose(store, seg, window=window, end=end, k=k)
    lines, figures = composed.lines, composed.figures
    if composed.suppressed:
        _write(out, lines)
        return {"markdown": str(out), "charts": [], "html": None, "figures": [], "suppressed": True}
    w = composed.main["window"]
    chart_list = _charts(composed.main, composed.supply, composed.eng_length, composed.reports)
    for chart in chart_list:  # a PNG travels alone: it says whom and when it describes
        chart.subtitle = f"{seg.label}, {w['start']} to {w['end']} (end excluded)"
    pngs = [charts.write_png(c, files / f"{c.slug}.png") for c in chart_list]
    page = charts.write_html(
        chart_list, files / "charts.html", f"halqa insights brief: {seg.label}"
    )
    lines += ["## Charts", ""]
    lines += [f"![{c.title}]({files.name}/{p.name})" for c, p in zip(chart_list, pngs)]
    lines += [
        "",
        (
            f"Interactive versions (hover for values and intervals): [{files.name}/charts.html]"
            f"({files.name}/charts.html)"
        ),
        "",
    ]
    lines += _figure_table(figures)
    _write(out, lines)
    (files / "figures.json").write_text(
        json.dumps(
            {
                "segment": seg.to_dict(),
                "as_of": str(end),
                "window": window,
                "k": k,
                "figures": figures.items,
            },
            ensure_ascii=False,
            indent=1,
            default=str,
        ),
        encoding="utf-8",
    )
    return {
        "markdown": str(out),
        "charts": [str(p) for p in pngs],
        "html": str(page),
        "figures_json": str(files / "figures.json"),
        "figures": figures.items,
        "suppressed": False,
    }


@dataclass
class _Composed:
    """The brief's text and figures, and the reports its charts are drawn from."""

    lines: list[str]
    figures: Figures
    suppressed: bool
    main: dict = field(default_factory=dict)
    supply: dict = field(default_factory=dict)
    eng_length: dict = field(default_factory=dict)
    reports: dict = field(default_factory=dict)


def _compose(
    store: AnalyticsStore, seg: Segment, *, window: str | int | None, end: dt.date, k: int
) -> _Composed:
    reports = {
        by: trends(store, seg, by=by, window=window, as_of=end, k=k, with_lift=by != "title")
        for by in TREND_DIMENSIONS
    }
    figures = Figures()
    lines = [f"# Creative brief: {seg.label}", ""]
    main = reports["genre"]
    if main["suppressed"]:
        lines += [
            f"This segment cannot be described: {main['reason']}. No figures are shown for it.",
            "",
        ]
        return _Composed(lines, figures, suppressed=True)
    lines += _intro(main, window)
    lines += _audience(store, seg, main, figures, k)
    lines += _watch(reports, figures)
    lines += _rising(reports, figures)
    lines += _over_index(reports, figures, seg)
    eng_kind = engagement(store, seg, by="kind", window=window, as_of=end, k=k)
    eng_length = engagement(store, seg, by="length", window=window, as_of=end, k=k)
    supply = demand_supply(store, seg, by="genre", window=window, as_of=end, k=k)
    lines += _demand_supply(supply, figures)
    lines += _engagement(eng_kind, eng_length, figures)
    lines += _directions(reports, supply, eng_length, figures)
    return _Composed(lines, figures, False, main, supply, eng_length, reports)


def brief_figures(
    store: AnalyticsStore,
    segment: Segment | list[str] | dict | None,
    *,
    window: str | int | None = "28d",
    as_of: str | dt.date | None = None,
    k: int = DEFAULT_K,
) -> dict:
    """The brief's cited figures without its files (no Markdown, charts or PNGs): what a caller
    that only reads the figures needs, such as the service's development pack."""
    seg = segment if isinstance(segment, Segment) else Segment.parse(segment)
    end = common.resolve_as_of(store, as_of)
    composed = _compose(store, seg, window=window, end=end, k=k)
    figures = [] if composed.suppressed else composed.figures.items
    return {"markdown": None, "figures": figures, "suppressed": composed.suppressed}


def _intro(main: dict, window: str | int | None) -> list[str]:
    w = main["window"]
    base = main["baseline"]["note"] if main["baseline"] else "no baseline (all-time window)"
    return [
        f"Window: {w['start']} to {w['end']} (end excluded), {window}. Baseline: {base}.",
        (
            "Members without analytics consent are excluded; any cell with fewer than "
            f"{main['k']} members is suppressed. Each [F#] refers to the Figures table at the end."
        ),
        "",
    ]


def _audience(
    store: AnalyticsStore, seg: Segment, main: dict, figures: Figures, k: int
) -> list[str]:
    t = main["totals"]
    ref = figures.add(
        {"report": "trends", "by": "genre", "field": "totals"},
        "segment size and activity",
        {key: t[key] for key in ("segment_members", "active_members", "events")},
    )
    lines = [
        "## Who this audience is",
        "",
        (
            f"- {t['segment_members']} members with analytics consent; {t['active_members']} of "
            f"them active in the window, with {t['events']} plays {ref}."
        ),
    ]
    profile = engine.run(store, queries.segment_profile(), seg.params())
    for dim in ("age_band", "gender", "region"):
        part = (
            profile[(profile["dimension"] == dim) & (profile["members"] >= k)]
            .sort_values(["members", "value"], ascending=[False, True])
            .head(4)
        )
        if len(part) and not (len(part) == 1 and dim in dict(seg.filters)):
            values = {_value_label(r.value): int(r.members) for r in part.itertuples(index=False)}
            ref = figures.add(
                {"report": "segment_profile", "dimension": dim}, f"members by {dim}", values
            )
            lines.append(
                f"- By {dim.replace('_', ' ')}: "
                + ", ".join(f"{v} ({n})" for v, n in values.items())
                + f" {ref}."
            )
    return lines + [""]


def _value_label(value: Any) -> str:
    """Members who gave no gender (or age band, region) are counted under a word, not ``nan``."""
    return (
        "not given"
        if value is None or (isinstance(value, float) and math.isnan(value))
        else str(value)
    )


def _row_values(row: dict, keys: tuple[str, ...]) -> dict:
    return {key: row[key] for key in keys if key in row}


def _watch(reports: dict, figures: Figures) -> list[str]:
    lines = ["## What they watch and listen to", ""]
    for by, noun in (("genre", "genres"), ("title", "titles")):
        rows = reports[by]["top"][:5]
        if not rows:
            continue
        cites = []
        for r in rows:
            ref = figures.add(
                {"report": "trends", "by": by, "list": "top", "item": r["item"]},
                r["name"],
                _row_values(r, ("rank", "count", "share", "members")),
            )
            cites.append(f"{r['name']} ({r['share'] * 100:.1f}% of plays) {ref}")
        lines.append(f"- Top {noun}: " + "; ".join(cites) + ".")
    return lines + [""]


def _rising(reports: dict, figures: Figures) -> list[str]:
    lines = ["## What is rising", ""]
    keys = ("rank", "count", "baseline", "growth", "growth_low", "growth_high", "q_value")
    for by in ("genre", "theme", "language", "title"):
        for r in reports[by]["rising"][:5]:
            ref = figures.add(
                {"report": "trends", "by": by, "list": "rising", "item": r["item"]},
                r["name"],
                _row_values(r, keys),
            )
            growth = (
                "new this window"
                if r["new"]
                else f"x{r['growth']} (95% CI {r['growth_low']} to {r['growth_high']})"
            )
            lines.append(
                f"- {by.title()} **{r['name']}**: "
                f"{r['count']} plays vs {r['baseline']} in the baseline, "
                f"{growth} {ref}."
            )
    if len(lines) == 2:
        lines.append(
            "- Nothing rises significantly in this window "
            "(rate-ratio test with minimum support and "
            "false-discovery control); the top lists above are stable."
        )
    season = reports["genre"]["season"]
    if season:
        lines.append(f"- Season: {season['note']}.")
        for r in season["attributed_to_season"]:
            ref = figures.add(
                {
                    "report": "trends",
                    "by": "genre",
                    "list": "attributed_to_season",
                    "item": r["item"],
                },
                r["name"],
                _row_values(
                    r,
                    (
                        "count",
                        "recent_baseline",
                        "recent_growth",
                        "season_baseline",
                        "season_growth",
                    ),
                ),
            )
            lines.append(
                f"  - {r['name']} is up x{r['recent_growth']} on the previous weeks but "
                f"x{r['season_growth']} on the same season last year: "
                f"the surge is the season's {ref}."
            )
    return lines + [""]


def _over_index(reports: dict, figures: Figures, seg: Segment) -> list[str]:
    lines = ["## What over-indexes (distinctive, not just big)", ""]
    if not seg.filters:
        return lines + [
            "- The whole audience has nobody to be compared with; give a --segment.",
            "",
        ]
    keys = ("segment_share", "others_share", "lift", "lift_low", "lift_high")
    for by in ("genre", "theme", "language"):
        for r in [r for r in reports[by]["lift"] if r["over_indexes"]][:4]:
            ref = figures.add(
                {"report": "trends", "by": by, "list": "lift", "item": r["item"]},
                r["name"],
                _row_values(r, keys),
            )
            lines.append(
                f"- {by.title()} **{r['name']}**: "
                f"{r['segment_share'] * 100:.1f}% of this segment's plays "
                f"vs {r['others_share'] * 100:.1f}% for everyone else, lift {r['lift']} "
                f"(95% CI {r['lift_low']} to {r['lift_high']}) {ref}."
            )
    if len(lines) == 2:
        lines.append("- No genre, theme or language over-indexes significantly for this segment.")
    return lines + [""]


def _demand_supply(supply: dict, figures: Figures) -> list[str]:
    lines = ["## Where demand outruns supply", "", f"Rule: {supply['rule']}.", ""]
    gaps = [r for r in supply["rows"] if r.get("gap")]
    for r in gaps[:5]:
        ref = figures.add(
            {"report": "demand_supply", "by": "genre", "item": r["item"]},
            r["name"],
            _row_values(
                r, ("titles", "pairs", "pairs_per_title", "demand_ratio", "completion_rate")
            ),
        )
        lines.append(
            f"- **{r['name']}**: only {r['titles']} titles, "
            f"{r['pairs_per_title']} member-title pairs per "
            f"title ({r['demand_ratio']}x the median), completion "
            f"{r['completion_rate'] * 100:.1f}% {ref}."
        )
    if not gaps:
        lines.append("- No genre meets the rule in this window.")
    return lines + [""]


def _engagement(eng_kind: dict, eng_length: dict, figures: Figures) -> list[str]:
    lines = ["## Engagement", ""]
    # Every row is cited (kinds and length buckets are short fixed lists): the directions below
    # may then name any of them, and each name they give has its figure.
    for result, noun in ((eng_kind, "kind"), (eng_length, "length")):
        for r in result["rows"]:
            ref = figures.add(
                {"report": "engagement", "by": noun, "item": r["item"]},
                r["name"],
                _row_values(r, ("pairs", "completion_rate", "repeat_rate", "retention")),
            )
            retention = f", retention {_pct(r['retention'])}" if r["retention"] is not None else ""
            lines.append(
                f"- {noun.title()} {r['name']}: completion {_pct(r['completion_rate'])}, "
                f"repeat {_pct(r['repeat_rate'])}{retention} {ref}."
            )
    return lines + [""]


def _directions(reports: dict, supply: dict, eng_length: dict, figures: Figures) -> list[str]:
    """Suggestions assembled only from figures already cited above."""
    lines = ["## Suggested directions", ""]
    by_item = {
        f["source"].get("item"): f for f in figures.items if f["source"].get("by") == "genre"
    }
    votes: dict[str, list[str]] = {}
    for r in reports["genre"]["rising"]:
        votes.setdefault(r["item"], []).append("rising")
    for r in reports["genre"]["lift"]:
        if r["over_indexes"]:
            votes.setdefault(r["item"], []).append("over-indexes")
    for r in supply["rows"]:
        if r.get("gap"):
            votes.setdefault(r["item"], []).append("under-supplied")
    ranked = sorted(votes.items(), key=lambda kv: (-len(kv[1]), kv[0]))[:3]
    for item, why in ranked:
        cites = " ".join(
            f"[{f['id']}]"
            for f in figures.items
            if f["source"].get("item") == item
            and f["source"].get("by") == "genre"
            and f["source"].get("list", f["source"]["report"])
            in ("rising", "lift", "demand_supply")
        )
        name = by_item[item]["label"] if item in by_item else item
        lines.append(f"- Genre: **{name}** ({', '.join(why)}) {cites}.")
    for by in ("theme", "language"):
        picks = [r for r in reports[by]["lift"] if r["over_indexes"]][:1] or reports[by]["rising"][
            :1
        ]
        for r in picks:
            cites = " ".join(
                f"[{f['id']}]"
                for f in figures.items
                if f["source"].get("item") == r["item"] and f["source"].get("by") == by
            )
            lines.append(f"- {by.title()}: **{r['name']}** {cites}.")
    cited_lengths = {
        f["source"]["item"]: f["id"]
        for f in figures.items
        if f["source"].get("report") == "engagement" and f["source"].get("by") == "length"
    }
    rated = [
        r
        for r in eng_length["rows"]
        if r["item"] in cited_lengths and r["completion_rate"] is not None
    ]
    if rated:
        best = max(rated, key=lambda r: (r["completion_rate"], r["pairs"]))
        lines.append(
            f"- Length: **{best['name']}** has the best completion "
            f"({_pct(best['completion_rate'])}) "
            f"[{cited_lengths[best['item']]}]."
        )
    if len(lines) == 2:
        lines.append("- The figures above show no clear direction for this segment in this window.")
    return lines + [""]


def _charts(main: dict, supply: dict, eng_length: dict, reports: dict) -> list[charts.BarChart]:
    """The brief's charts, each naming its items as the text does (names, not ids) and showing every
    item the text cites for it (tests/insights/test_brief_segments.py compares the two)."""
    out = []
    top = main["top"][:10]
    if top:
        out.append(
            charts.BarChart(
                "top_genres",
                "Top genres: share of plays (%)",
                "share of plays (%)",
                [r["name"] for r in top],
                [round(r["share"] * 100, 2) for r in top],
                notes=[f"{r['count']} plays, {r['members']} members" for r in top],
            )
        )
    # the top genres' growth, and every rising genre the text reports (rising need not be top)
    grown = _union(
        [r for r in top if r["growth"] is not None],
        [r for r in main["rising"][:5] if r["growth"] is not None],
    )
    if grown:
        out.append(
            charts.BarChart(
                "growth",
                "Growth vs baseline with 95% interval (top and rising genres)",
                "rate ratio (1 = no change)",
                [r["name"] for r in grown],
                [r["growth"] for r in grown],
                [r["growth_low"] for r in grown],
                [r["growth_high"] or r["growth"] for r in grown],
                reference=1.0,
                notes=["rising" if r.get("rising", True) else "" for r in grown],
            )
        )
    lift_rows = _union(main["lift"][:10], [r for r in main["lift"] if r["over_indexes"]][:4])
    if lift_rows:
        out.append(
            charts.BarChart(
                "lift",
                "Lift vs everyone else with 95% interval (genres)",
                "lift (1 = same as everyone else)",
                [r["name"] for r in lift_rows],
                [r["lift"] for r in lift_rows],
                [r["lift_low"] for r in lift_rows],
                [r["lift_high"] for r in lift_rows],
                reference=1.0,
            )
        )
    demand = _union(supply["rows"][:10], [r for r in supply["rows"] if r.get("gap")][:5])
    if demand:
        out.append(
            charts.BarChart(
                "demand_per_title",
                "Demand per title (member-title pairs per title)",
                "pairs per title",
                [r["name"] for r in demand],
                [r["pairs_per_title"] for r in demand],
                notes=[f"{r['titles']} titles" + (", gap" if r.get("gap") else "") for r in demand],
            )
        )
    rated = [r for r in eng_length["rows"] if r["completion_rate"] is not None]
    if rated:
        out.append(
            charts.BarChart(
                "completion_by_length",
                "Completion rate by length (%)",
                "completion (%)",
                [r["name"] for r in rated],
                [round(r["completion_rate"] * 100, 2) for r in rated],
            )
        )
    return out


def _union(first: list[dict], more: list[dict]) -> list[dict]:
    """``first`` then the rows of ``more`` not in it (by item), in order."""
    seen = {r["item"] for r in first}
    return first + [r for r in more if r["item"] not in seen]


def _pct(share: float | None) -> str:
    return "n/a" if share is None else f"{share * 100:.1f}%"


def _figure_table(figures: Figures) -> list[str]:
    lines = ["## Figures", "", "| id | source | item | values |", "|---|---|---|---|"]
    for f in figures.items:
        source = " ".join(f"{k}={v}" for k, v in f["source"].items() if k != "item")
        values = "; ".join(
            f"{k}={json.dumps(v, ensure_ascii=False)}" for k, v in f["values"].items()
        )
        label = str(f["label"]).replace("|", "\\|")
        lines.append(f"| {f['id']} | {source} | {label} | {values} |")
    return lines + [""]


def _write(out: Path, lines: list[str]) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines), encoding="utf-8")

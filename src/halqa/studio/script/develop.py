"""A development pack: what to write for an audience, from the insights brief's own figures.

``halqa insights brief`` numbers every figure it shows (``[F3]``) and keeps its exact values. The
pack picks from those figures only — target genre, themes, language, format and length,
comparable titles — and every line cites the figures it rests on and repeats their values. Where
the brief has no figure for a topic the pack says so instead of filling the gap.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from halqa.catalog import Store


def _by(figures: list[dict], **match: str) -> list[dict]:
    return [f for f in figures if all(f["source"].get(k) == v for k, v in match.items())]


def _cite(figs: list[dict]) -> str:
    return " ".join(f"[{f['id']}]" for f in figs)


def _pct(x: float) -> str:
    return f"{x * 100:.1f}%"


def _genre_lines(figures: list[dict]) -> list[dict]:
    """Genres with the most signals among rising, over-indexing and under-supplied."""
    signals: dict[str, list[dict]] = {}
    for f in _by(figures, report="trends", by="genre", list="rising") + _by(
        figures, report="trends", by="genre", list="lift"
    ):
        signals.setdefault(f["source"]["item"], []).append(f)
    for f in _by(figures, report="demand_supply", by="genre"):
        signals.setdefault(f["source"]["item"], []).append(f)
    ranked = sorted(signals.items(), key=lambda kv: (-len(kv[1]), kv[0]))[:2]
    lines = []
    for item, figs in ranked:
        parts = []
        for f in figs:
            v, kind = f["values"], f["source"].get("list", f["source"]["report"])
            if kind == "rising":
                parts.append(
                    f"rising x{v['growth']} (95% CI {v['growth_low']} to {v['growth_high']}), "
                    f"{v['count']} plays vs {v['baseline']}"
                )
            elif kind == "lift":
                parts.append(
                    f"over-indexes: lift {v['lift']} "
                    f"({_pct(v['segment_share'])} of this segment's plays "
                    f"vs {_pct(v['others_share'])})"
                )
            else:
                parts.append(
                    f"under-supplied: {v['titles']} titles, "
                    f"{v['pairs_per_title']} member-title pairs "
                    f"per title ({v['demand_ratio']}x the median)"
                )
        lines.append(
            {
                "topic": "genre",
                "item": item,
                "text": f"Genre **{figs[0]['label']}**: " + "; ".join(parts),
                "figures": [f["id"] for f in figs],
            }
        )
    return lines


def _ranked_dimension(figures: list[dict], by: str, topic: str, limit: int) -> list[dict]:
    lines = []
    seen: set[str] = set()
    for f in _by(figures, report="trends", by=by, list="lift") + _by(
        figures, report="trends", by=by, list="rising"
    ):
        item = f["source"]["item"]
        if item in seen or len(seen) >= limit:
            continue
        seen.add(item)
        figs = [
            g
            for g in figures
            if g["source"].get("by") == by
            and g["source"].get("item") == item
            and g["source"].get("list") in ("lift", "rising")
        ]
        v = figs[0]["values"]
        detail = (
            f"lift {v['lift']} (95% CI {v['lift_low']} to {v['lift_high']})"
            if "lift" in v
            else f"rising x{v['growth']} (95% CI {v['growth_low']} to {v['growth_high']})"
        )
        lines.append(
            {
                "topic": topic,
                "item": item,
                "text": f"{topic.title()} **{figs[0]['label']}**: {detail}",
                "figures": [g["id"] for g in figs],
            }
        )
    return lines


def _format_lines(figures: list[dict]) -> list[dict]:
    lines = []
    screen = [
        f
        for f in _by(figures, report="engagement", by="length")
        if f["source"]["item"].startswith("screen")
    ]
    if screen:
        best = max(screen, key=lambda f: (f["values"]["completion_rate"], f["values"]["pairs"]))
        lines.append(
            {
                "topic": "length",
                "item": best["source"]["item"],
                "text": f"Length **{best['label']}**: best completion among screen lengths "
                f"({_pct(best['values']['completion_rate'])}, "
                f"{best['values']['pairs']} member-title "
                "pairs)",
                "figures": [best["id"]],
            }
        )
    kinds = [
        f
        for f in _by(figures, report="engagement", by="kind")
        if f["source"]["item"] in ("film", "series")
    ]
    if kinds:
        best = max(kinds, key=lambda f: (f["values"]["completion_rate"], f["values"]["pairs"]))
        others = [f for f in kinds if f is not best]
        versus = "".join(f" vs {o['label']} {_pct(o['values']['completion_rate'])}" for o in others)
        lines.append(
            {
                "topic": "format",
                "item": best["source"]["item"],
                "text": f"Format **{best['label']}**: completion "
                f"{_pct(best['values']['completion_rate'])}"
                f"{versus}",
                "figures": [best["id"]] + [o["id"] for o in others],
            }
        )
    return lines


def _comparables(figures: list[dict]) -> list[dict]:
    titles = _by(figures, report="trends", by="title", list="top")[:3]
    if not titles:
        return []
    names = ", ".join(f"{f['label']} ({_pct(f['values']['share'])} of plays)" for f in titles)
    return [
        {
            "topic": "comparables",
            "item": None,
            "text": f"Comparable titles this audience watches most: {names}",
            "figures": [f["id"] for f in titles],
        }
    ]


def _audience(figures: list[dict]) -> list[dict]:
    totals = _by(figures, report="trends", by="genre", field="totals")
    if not totals:
        return []
    v = totals[0]["values"]
    return [
        {
            "topic": "audience",
            "item": None,
            "text": f"Audience: {v['segment_members']} members with analytics "
            f"consent, {v['active_members']} active, {v['events']} plays in the window",
            "figures": [totals[0]["id"]],
        }
    ]


TOPICS = ("audience", "genre", "theme", "language", "format", "length", "comparables")


def development_pack(brief: dict) -> dict:
    """The pack from ``write_brief``'s result (its ``figures``); JSON-ready."""
    figures = brief["figures"]
    lines = (
        _audience(figures)
        + _genre_lines(figures)
        + _ranked_dimension(figures, "theme", "theme", 3)
        + _ranked_dimension(figures, "language", "language", 2)
        + _format_lines(figures)
        + _comparables(figures)
    )
    covered = {line["topic"] for line in lines}
    missing = [t for t in TOPICS if t not in covered]
    used = sorted({fid for line in lines for fid in line["figures"]}, key=lambda s: int(s[1:]))
    by_id = {f["id"]: f for f in figures}
    return {
        "lines": lines,
        "missing": missing,
        "figures": [by_id[i] for i in used],
        "brief": brief.get("markdown"),
        "suppressed": brief.get("suppressed", False),
    }


def pack_markdown(pack: dict, *, title: str) -> str:
    """The pack as Markdown: its lines with their citations, then the figures they cite."""
    brief = pack["brief"] or "the creative brief of this segment"
    md = [
        f"# Development pack: {title}",
        "",
        f"Every line cites figures of the creative brief ({brief}); nothing else is assumed.",
        "",
    ]
    for line in pack["lines"]:
        md.append(f"- {line['text']} {' '.join(f'[{i}]' for i in line['figures'])}.")
    for topic in pack["missing"]:
        md.append(f"- {topic.title()}: the brief has no figure for this; decide it yourself.")
    md += ["", "## Figures", "", "| id | source | item | values |", "|---|---|---|---|"]
    for f in pack["figures"]:
        source = " ".join(f"{k}={v}" for k, v in f["source"].items() if k != "item")
        values = "; ".join(
            f"{k}={json.dumps(v, ensure_ascii=False)}" for k, v in f["values"].items()
        )
        md.append(f"| {f['id']} | {source} | {f['label']} | {values} |")
    return "\n".join(md) + "\n"


def write_pack(pack: dict, out: str | Path, *, title: str) -> dict:
    """``out`` (Markdown) and ``<stem>.json`` beside it."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(pack_markdown(pack, title=title), encoding="utf-8")
    data = out.with_suffix(".json")
    data.write_text(json.dumps(pack, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    return {"markdown": str(out), "json": str(data)}


def _pack(brief: dict, segment: list[str] | None) -> dict:
    from halqa.insights.segment import Segment

    pack = development_pack(brief)
    pack["segment"] = Segment.parse(segment).label
    return pack


def develop(
    store: Store,
    segment: list[str] | None,
    out: str | Path,
    *,
    window: str = "28d",
    as_of: str | dt.date | None = None,
    k: int = 10,
) -> dict:
    """Write the brief (beside ``out``) and the pack built from its figures."""
    from halqa.insights.brief import write_brief

    out = Path(out)
    brief_out = out.with_name(out.stem + "-brief.md")
    brief = write_brief(store, segment, brief_out, window=window, as_of=as_of, k=k)
    pack = _pack(brief, segment)
    return {**write_pack(pack, out, title=pack["segment"]), "pack": pack}


def develop_pack(
    store: Store,
    segment: list[str] | None,
    *,
    window: str = "28d",
    as_of: str | dt.date | None = None,
    k: int = 10,
) -> dict:
    """The same pack without files (the service's answer): the brief's figures are computed, its
    Markdown and charts are not drawn; ``brief`` is None, ``markdown`` the pack's."""
    from halqa.insights.brief import brief_figures

    brief = brief_figures(store, segment, window=window, as_of=as_of, k=k)
    pack = _pack(brief, segment)
    return {"pack": pack, "markdown": pack_markdown(pack, title=pack["segment"])}

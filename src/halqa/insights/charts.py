"""Charts of the creative brief: PNG (matplotlib, Agg) and one self-contained interactive HTML page.

Chart labels are Latin ids (genre, theme, language, kind slugs): matplotlib does not shape
Arabic, and reshaping by hand breaks when a font engine also shapes (see
shared/reference/morocco-domain.md 3.a). Native-script names stay in the Markdown, where
they survive byte-exact. The HTML page draws inline SVG with a few lines of JavaScript
(hover values, sort toggle): no CDN, nothing fetched when it is opened.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass, field
from pathlib import Path

from halqa.errors import BackendUnavailableError


@dataclass
class BarChart:
    """One horizontal bar chart: labels, values, optional interval per bar."""

    slug: str
    title: str
    xlabel: str
    labels: list[str]
    values: list[float]
    low: list[float] | None = None
    high: list[float] | None = None
    reference: float | None = None  # a vertical line (1.0 for ratios)
    log: bool = False
    notes: list[str] = field(default_factory=list)  # per bar, shown on hover in HTML
    subtitle: str = ""  # whom and when: a PNG is often shared without the report around it


def write_png(chart: BarChart, path: Path) -> Path:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError as exc:  # pragma: no cover - depends on extras
        raise BackendUnavailableError(
            "charts need matplotlib: pip install 'halqa[charts]'"
        ) from exc
    n = len(chart.labels)
    fig, ax = plt.subplots(figsize=(7.5, 0.45 * n + 1.4), dpi=110)
    positions = list(range(n))[::-1]
    xerr = None
    if chart.low is not None and chart.high is not None:
        xerr = [
            [max(v - lo, 0) for v, lo in zip(chart.values, chart.low)],
            [max(hi - v, 0) for v, hi in zip(chart.values, chart.high)],
        ]
    ax.barh(positions, chart.values, xerr=xerr, color="#2a7f62", ecolor="#333333", capsize=3)
    ax.set_yticks(positions, chart.labels)
    ax.set_xlabel(chart.xlabel)
    ax.set_title(f"{chart.title}\n{chart.subtitle}" if chart.subtitle else chart.title, fontsize=11)
    if chart.reference is not None:
        ax.axvline(chart.reference, color="#b03a2e", linestyle="--", linewidth=1)
    if chart.log:
        ax.set_xscale("log")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, format="png")
    plt.close(fig)
    return path


def write_html(charts: list[BarChart], path: Path, title: str) -> Path:
    """One HTML page with every chart as inline SVG; hover a bar for its value and interval."""
    sections = "\n".join(_svg_section(chart) for chart in charts)
    page = _PAGE.replace("{title}", html.escape(title)).replace("{sections}", sections)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(page, encoding="utf-8")
    return path


def _svg_section(chart: BarChart) -> str:
    data = [
        {
            "label": label,
            "value": value,
            "low": chart.low[i] if chart.low else None,
            "high": chart.high[i] if chart.high else None,
            "note": chart.notes[i] if i < len(chart.notes) else "",
        }
        for i, (label, value) in enumerate(zip(chart.labels, chart.values))
    ]
    payload = html.escape(
        json.dumps({"data": data, "reference": chart.reference, "xlabel": chart.xlabel})
    )
    subtitle = f'<p class="sub">{html.escape(chart.subtitle)}</p>' if chart.subtitle else ""
    return (
        f"<section><h2>{html.escape(chart.title)}</h2>{subtitle}"
        f'<button onclick="toggleSort(this)">sort by value</button>'
        f'<div class="chart" data-chart="{payload}"></div></section>'
    )


_PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>{title}</title>
<style>
body{font-family:system-ui,sans-serif;margin:2em;max-width:60em}
.bar{fill:#2a7f62}.bar:hover{fill:#1b5641}.ci{stroke:#333}.ref{stroke:#b03a2e;stroke-dasharray:4 3}
#tip{position:fixed;background:#fff;border:1px solid #999;padding:4px \
8px;font-size:13px;pointer-events:none;display:none}
</style></head><body><h1>{title}</h1>
{sections}
<div id="tip"></div>
<script>
function draw(div, sorted){
  const spec = JSON.parse(div.dataset.chart); let rows = spec.data.slice();
  if (sorted) rows.sort((a,b)=>b.value-a.value);
  const W=640, L=170, H=24*rows.length+40, top=10;
  const max = Math.max(...rows.map(r=>r.high!=null&&isFinite(r.high)?r.high:r.value), \
spec.reference||0)*1.05||1;
  const x = v => L + (W-L-20)*v/max;
  let s = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}">`;
  rows.forEach((r,i)=>{ const y=top+i*24;
    const tip = `${r.label}: ${r.value}` + (r.low!=null?` (95% CI ${r.low} to ${r.high})`:'') \
+ (r.note?` | ${r.note}`:'');
    s += `<text x="${L-6}" y="${y+15}" text-anchor="end" font-size="12">${esc(r.label)}</text>`;
    s += `<rect class="bar" x="${L}" y="${y+3}" width="${Math.max(x(r.value)-L,1)}" height="16" \
data-tip="${esc(tip)}"></rect>`;
    if (r.low!=null && r.high!=null && isFinite(r.high)) s += `<line class="ci" x1="${x(r.low)}" \
x2="${x(r.high)}" y1="${y+11}" y2="${y+11}"></line>`;
  });
  if (spec.reference!=null) s += `<line class="ref" x1="${x(spec.reference)}" \
x2="${x(spec.reference)}" y1="0" y2="${H-30}"></line>`;
  s += `<text x="${L}" y="${H-8}" font-size="12">${esc(spec.xlabel)}</text></svg>`;
  div.innerHTML = s;
  div.querySelectorAll('rect').forEach(b=>{
    b.addEventListener('mousemove',e=>{const \
t=document.getElementById('tip');t.textContent=b.dataset.tip;
      t.style.display='block';t.style.left=(e.clientX+12)+'px';t.style.top=(e.clientY+12)+'px';});
    b.addEventListener('mouseleave',()=>{document.getElementById('tip').style.display='none';});
  });
}
function esc(t){return \
String(t).replace(/[&<>"]/g,c=>({'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;'}[c]));}
function toggleSort(btn){const \
div=btn.nextElementSibling;div.sorted=!div.sorted;draw(div,div.sorted);
  btn.textContent=div.sorted?'original order':'sort by value';}
document.querySelectorAll('.chart').forEach(d=>draw(d,false));
</script></body></html>
"""

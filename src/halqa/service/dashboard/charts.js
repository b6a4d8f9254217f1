// Small SVG charts drawn here (no chart library, no CDN): horizontal bars and a multi-line chart.
(function () {
  const NS = "http://www.w3.org/2000/svg";
  const COLOURS = ["#0b6e4f", "#c0392b", "#2e86de", "#f39c12", "#8e44ad", "#16a085", "#7f8c8d", "#d35400"];

  function el(name, attrs, parent) {
    const node = document.createElementNS(NS, name);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
    if (parent) parent.appendChild(node);
    return node;
  }

  // Number and date formats of the interface language (app.js sets them from Intl).
  const fmt = { num: (v) => String(v), date: (d) => d };
  function setFormat(f) { Object.assign(fmt, f); }

  // rows: [{label, value, note}] -> label / bar / value in one grid shared by all rows (style.css),
  // so every bar is drawn on the same scale; mirrors itself in RTL. format(row) returns text or a Node.
  function bars(container, rows, format) {
    container.replaceChildren();
    const max = Math.max(1, ...rows.map((r) => r.value || 0));
    for (const r of rows) {
      const row = document.createElement("div");
      row.className = "row";
      const label = document.createElement("bdi");
      label.dir = "auto";
      if (r.node) label.appendChild(r.node); else label.textContent = r.label;  // r.node: e.g. a link to the item's page
      label.title = r.label;
      const track = document.createElement("div");
      track.className = "bar-track";
      const fill = document.createElement("div");
      fill.className = "bar-fill";
      fill.dataset.value = String(r.value || 0);
      fill.style.inlineSize = `${(100 * (r.value || 0)) / max}%`;
      track.appendChild(fill);
      const value = document.createElement("bdi");
      value.className = "bar-value";
      const shown = format ? format(r) : fmt.num(r.value);
      if (shown instanceof Node) value.appendChild(shown); else value.textContent = shown;
      row.append(label, track, value);
      container.appendChild(row);
    }
  }

  // x: labels (weeks), series: [{name, values (null = suppressed)}]. Time runs in reading direction.
  // partial[i]: week i is only partly inside the data (first and last weeks): drawn dashed, hollow.
  // seasons: [{name, start, end, label}] (Ramadan, the Eids...) shaded behind the lines, named in the legend.
  function lines(container, x, series, rtl, partial, partialLabel, seasons) {
    partial = partial || [];
    container.replaceChildren();
    const W = 720, H = 240, P = 36;
    // Numbers and dates read left to right even on an RTL page; positions are mirrored by hand.
    const svg = el("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", direction: "ltr" }, container);
    const all = series.flatMap((s) => s.values.filter((v) => v !== null));
    const max = Math.max(1, ...all);
    // Weeks sit at their dates (a week missing from the data leaves its gap), as the seasons do.
    const days = x.map((d) => Date.parse(`${d}T00:00:00Z`) / 864e5);
    const dated = days.length > 1 && days.every((d) => !Number.isNaN(d)) && days[days.length - 1] > days[0];
    const px = (i) => {
      const t = dated ? (days[i] - days[0]) / (days[days.length - 1] - days[0]) : x.length > 1 ? i / (x.length - 1) : 0.5;
      return rtl ? W - P - t * (W - 2 * P) : P + t * (W - 2 * P);
    };
    const py = (v) => H - P - (v / max) * (H - 2 * P);
    const shaded = shade(svg, x, seasons || [], rtl, W, H, P);
    el("line", { x1: P, y1: H - P, x2: W - P, y2: H - P, stroke: "#999" }, svg);
    [0, 0.5, 1].forEach((f) => {
      const t = el("text", { x: rtl ? W - 4 : 4, y: py(max * f) + 4, "font-size": 11, fill: "#666",
        "text-anchor": rtl ? "end" : "start" }, svg);
      t.textContent = fmt.num(Math.round(max * f));
    });
    [0, Math.floor((x.length - 1) / 2), x.length - 1].forEach((i) => {
      if (x[i] === undefined) return;
      const t = el("text", { x: px(i), y: H - 12, "font-size": 11, fill: "#666", "text-anchor": "middle" }, svg);
      // SVG text has no bidi isolation: drop the direction marks a locale's date format may carry.
      t.textContent = fmt.date(x[i]).replace(/[\u200e\u200f\u061c]/g, "");
    });
    series.forEach((s, n) => {
      const colour = COLOURS[n % COLOURS.length];
      let d = "", pen = false;
      s.values.forEach((v, i) => {
        if (v === null || partial[i]) { pen = false; return; }
        if (dated && i > 0 && days[i] - days[i - 1] > 7) pen = false;  // weeks without data: no line across
        d += `${pen ? "L" : "M"}${px(i).toFixed(1)},${py(v).toFixed(1)} `;
        pen = true;
      });
      if (d) el("path", { d, fill: "none", stroke: colour, "stroke-width": 2 }, svg);
      // a dot per week, so a week standing alone (its neighbours suppressed or without data) is seen
      s.values.forEach((v, i) => {
        if (v !== null && v !== undefined && !partial[i]) el("circle", { cx: px(i), cy: py(v), r: 2.2, fill: colour, class: "point" }, svg);
      });
      // A partial week is a point of its own, linked to its neighbour by a dashed line: not a drop.
      s.values.forEach((v, i) => {
        if (v === null || !partial[i]) return;
        const j = i === 0 ? 1 : i - 1;
        if (s.values[j] !== null && s.values[j] !== undefined && !partial[j]) {
          el("line", { x1: px(i), y1: py(v), x2: px(j), y2: py(s.values[j]), stroke: colour, "stroke-width": 1.5,
            "stroke-dasharray": "4 3", class: "partial" }, svg);
        }
        el("circle", { cx: px(i), cy: py(v), r: 3.5, fill: "#fff", stroke: colour, "stroke-width": 1.5, class: "partial" }, svg);
      });
    });
    const legend = document.createElement("div");
    legend.className = "legend";
    series.forEach((s, n) => {
      const item = document.createElement("span");
      item.style.setProperty("--c", COLOURS[n % COLOURS.length]);
      const name = document.createElement("bdi");
      name.textContent = s.name;
      item.appendChild(name);
      legend.appendChild(item);
    });
    shaded.forEach((s) => {
      const note = document.createElement("span");
      note.className = "season-note";
      note.style.setProperty("--c", SEASON_FILL);
      note.textContent = s.label;
      legend.appendChild(note);
    });
    if (partial.some(Boolean) && partialLabel) {
      const note = document.createElement("span");
      note.className = "partial-note";
      const mark = document.createElement("bdi");
      mark.setAttribute("aria-hidden", "true");
      mark.textContent = "○┄ ";
      note.append(mark, partialLabel);
      legend.appendChild(note);
    }
    container.appendChild(legend);
  }

  // Seasons behind a weekly chart: x are week starts (ISO dates); a season covers the part of the
  // axis between its first day and the day after its last, clipped to the weeks drawn.
  const SEASON_FILL = "rgba(243, 156, 18, 0.22)";
  function shade(svg, x, seasons, rtl, W, H, P) {
    if (!x.length || !seasons.length) return [];
    const day = (iso) => Date.parse(`${iso}T00:00:00Z`) / 864e5;
    const first = day(x[0]), last = day(x[x.length - 1]);
    const span = last - first || 7;
    const pos = (d) => { const t = Math.min(1, Math.max(0, (d - first) / span)); return rtl ? W - P - t * (W - 2 * P) : P + t * (W - 2 * P); };
    const drawn = [];
    for (const s of seasons) {
      const a = day(s.start), b = day(s.end);
      if (b <= first || a > last + 7) continue;
      const x1 = pos(a), x2 = pos(b);
      const rect = el("rect", { x: Math.min(x1, x2), y: P / 2, width: Math.max(2, Math.abs(x2 - x1)), height: H - 1.5 * P,
        fill: SEASON_FILL, class: "season", "data-season": s.name }, svg);
      el("title", {}, rect).textContent = s.label;
      if (!drawn.some((d) => d.label === s.label)) drawn.push(s);
    }
    return drawn;
  }

  // A point estimate with its interval on an axis through zero (lift: does the interval cover 0?).
  function interval(container, value, ci, rtl) {
    container.replaceChildren();
    const W = 720, H = 70, P = 40;
    const lo = Math.min(ci[0], 0), hi = Math.max(ci[1], 0);
    const span = hi - lo || 1;
    const px = (v) => { const t = (v - lo) / span; return rtl ? W - P - t * (W - 2 * P) : P + t * (W - 2 * P); };
    // Numbers and dates read left to right even on an RTL page; positions are mirrored by hand.
    const svg = el("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", direction: "ltr" }, container);
    el("line", { x1: px(0), y1: 10, x2: px(0), y2: H - 20, stroke: "#999", "stroke-dasharray": "4 3" }, svg);
    el("line", { x1: px(ci[0]), y1: 30, x2: px(ci[1]), y2: 30, stroke: COLOURS[0], "stroke-width": 4 }, svg);
    el("circle", { cx: px(value), cy: 30, r: 7, fill: COLOURS[1] }, svg);
    [[ci[0], ci[0]], [ci[1], ci[1]], [0, 0]].forEach(([v]) => {
      const t = el("text", { x: px(v), y: H - 5, "font-size": 11, fill: "#666", "text-anchor": "middle" }, svg);
      t.textContent = fmt.num(Number((100 * v).toFixed(2)));
    });
  }

  window.HalqaCharts = { bars, lines, interval, setFormat };
})();

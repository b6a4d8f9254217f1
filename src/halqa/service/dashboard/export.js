// halqa dashboard: every table downloads as CSV and every chart as PNG, in the browser (nothing is
// sent anywhere). CSV is built from the table's data (numbers raw, not locale-formatted; UTF-8 with
// a byte-order mark so spreadsheets read Arabic and Tifinagh); a PNG is the chart's SVG drawn onto a
// canvas, or, for the bar charts (HTML), the bars drawn from their values.
(function () {
  window.HALQA_I18N.add({
    csv: { en: "CSV", fr: "CSV", ar: "CSV" },
    png: { en: "PNG", fr: "PNG", ar: "PNG" },
    csv_help: { en: "Download this table as CSV", fr: "Télécharger ce tableau en CSV", ar: "نزّل هذا الجدول بصيغة CSV" },
    png_help: { en: "Download this chart as PNG", fr: "Télécharger ce graphique en PNG", ar: "نزّل هذا الرسم بصيغة PNG" },
  });
  const I18N = window.HALQA_I18N;
  const t = (key) => (I18N[document.documentElement.lang] || I18N.en)[key] || I18N.en[key];

  function save(blob, name) {
    const a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = name;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 60_000);
  }

  // A cell's data: the raw number a .num carries (data-value), else the text shown.
  function cellValue(cell) {
    const raw = cell.querySelector("[data-value]");
    return raw ? raw.dataset.value : cell.innerText.trim();
  }

  function quote(v) { return /[",\n\r;]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v; }

  function tableCsv(table) {
    const lines = [];
    for (const row of table.rows) {
      const cells = [...row.cells];
      if (cells.length === 1 && cells[0].colSpan > 1) continue;  // "nothing to show"
      lines.push(cells.map((c) => quote(c.tagName === "TH" ? c.innerText.trim() : cellValue(c))).join(","));
    }
    return `\ufeff${lines.join("\r\n")}\r\n`;
  }

  function fileName(node, ext) {
    const page = node.closest(".page");
    return `halqa-${node.id || (page && page.id) || "export"}.${ext}`;
  }

  const SCALE = 2;
  function svgPng(svg) {
    const box = svg.viewBox.baseVal;
    const w = (box && box.width) || svg.clientWidth, h = (box && box.height) || svg.clientHeight;
    const copy = svg.cloneNode(true);
    copy.setAttribute("xmlns", "http://www.w3.org/2000/svg");
    copy.setAttribute("width", w);
    copy.setAttribute("height", h);
    copy.setAttribute("font-family", getComputedStyle(document.body).fontFamily);
    const xml = new XMLSerializer().serializeToString(copy);
    return new Promise((resolve, reject) => {
      const img = new Image();
      img.onload = () => {
        const canvas = document.createElement("canvas");
        canvas.width = w * SCALE;
        canvas.height = h * SCALE;
        const g = canvas.getContext("2d");
        g.fillStyle = "#fff";
        g.fillRect(0, 0, canvas.width, canvas.height);
        g.drawImage(img, 0, 0, canvas.width, canvas.height);
        canvas.toBlob(resolve, "image/png");
      };
      img.onerror = () => reject(new Error("the chart could not be drawn"));
      img.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(xml)}`;
    });
  }

  // Bars are HTML: drawn again from their values, label / bar / value per row, mirrored in RTL.
  function barsPng(container) {
    const rows = [...container.querySelectorAll(".row")].map((r) => ({
      label: r.firstElementChild.textContent, value: Number(r.querySelector(".bar-fill").dataset.value),
      shown: r.querySelector(".bar-value").textContent }));
    const rtl = getComputedStyle(container).direction === "rtl";
    const W = 720, rowH = 26, pad = 12, labelW = 220, valueW = 120;
    const canvas = document.createElement("canvas");
    canvas.width = W * SCALE;
    canvas.height = (rows.length * rowH + 2 * pad) * SCALE;
    const g = canvas.getContext("2d");
    g.scale(SCALE, SCALE);
    g.fillStyle = "#fff";
    g.fillRect(0, 0, W, rows.length * rowH + 2 * pad);
    g.font = `14px ${getComputedStyle(document.body).fontFamily}`;
    g.textBaseline = "middle";
    g.direction = rtl ? "rtl" : "ltr";
    const max = Math.max(1, ...rows.map((r) => r.value));
    const track = W - 2 * pad - labelW - valueW;
    rows.forEach((r, i) => {
      const y = pad + i * rowH + rowH / 2;
      const len = (track * r.value) / max;
      g.fillStyle = "#1d2433";
      g.textAlign = rtl ? "right" : "left";
      g.fillText(r.label, rtl ? W - pad : pad, y, labelW - 8);
      g.fillStyle = "#0b6e4f";
      const x0 = rtl ? W - pad - labelW - len : pad + labelW;
      g.fillRect(x0, y - 6, len, 12);
      g.fillStyle = "#5b6477";
      g.fillText(r.shown, rtl ? x0 - 6 : x0 + len + 6, y);
    });
    return new Promise((resolve) => canvas.toBlob(resolve, "image/png"));
  }

  function button(kind, onClick) {
    const b = document.createElement("button");
    b.type = "button";
    b.className = `export export-${kind}`;
    b.dataset.i18n = kind;
    b.textContent = t(kind);
    b.title = t(`${kind}_help`);
    b.setAttribute("aria-label", t(`${kind}_help`));
    b.onclick = () => Promise.resolve(onClick()).catch((e) => {
      const status = document.getElementById("status");
      if (status) status.textContent = String(e.message || e);
    });
    return b;
  }

  function toolbar(...buttons) {
    const bar = document.createElement("div");
    bar.className = "exports";
    bar.append(...buttons);
    return bar;
  }

  // Every table and chart of the pages gets its buttons once, whenever it appears.
  function decorate(root) {
    root.querySelectorAll("table.table").forEach((table) => {
      if (table.dataset.exports) return;
      table.dataset.exports = "1";
      const anchor = table.parentElement.classList.contains("scroll") ? table.parentElement : table;
      anchor.before(toolbar(button("csv", () => save(new Blob([tableCsv(table)], { type: "text/csv;charset=utf-8" }),
        fileName(table, "csv")))));
    });
    root.querySelectorAll(".chart, .bars").forEach((chart) => {
      if (chart.dataset.exports || chart.tagName === "svg") return;
      chart.dataset.exports = "1";
      chart.before(toolbar(button("png", async () => {
        const svg = chart.querySelector("svg");
        const blob = chart.classList.contains("bars") ? await barsPng(chart) : svg ? await svgPng(svg) : null;
        if (blob) save(blob, fileName(chart, "png"));
      })));
    });
  }

  function start() {
    const main = document.querySelector("main");
    decorate(main);
    let pending = false;
    new MutationObserver(() => {
      if (pending) return;
      pending = true;
      queueMicrotask(() => { pending = false; decorate(main); });
    }).observe(main, { childList: true, subtree: true });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start); else start();
  window.HALQA_EXPORT = { tableCsv, decorate };
})();

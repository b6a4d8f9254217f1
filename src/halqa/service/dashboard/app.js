// halqa dashboard: plain JS over the REST API. The API key comes from the URL fragment (#key=…,
// never sent to the server) or the login form, and stays in this tab's sessionStorage.
(function () {
  const I18N = window.HALQA_I18N;
  const state = { key: null, role: null, lang: "ar", labels: null, paths: {}, page: null };
  // Pages, the endpoint each needs, and the roles that may open it.
  const PAGES = [
    { id: "trends", section: "page-trends", needs: "/v1/trends", roles: ["admin", "analyst", "creator"], load: loadTrends },
    { id: "recommendations", section: "page-recs", needs: "/v1/recommendations/{member_id}", roles: ["admin", "analyst"], load: loadRecsPage },
    { id: "audience", section: "page-audience", needs: "/v1/audience/target", roles: ["admin", "analyst"], load: loadAudience },
    { id: "campaigns", section: "page-campaigns", needs: "/v1/campaigns", roles: ["admin", "analyst"], load: loadCampaigns },
    { id: "data", section: "page-data", needs: "/v1/data", roles: ["admin", "analyst"], load: loadData },
    { id: "music", section: "page-music", needs: "/v1/music/styles", roles: ["admin", "analyst", "creator"], load: () => window.HALQA_MUSIC.load({ api, t, report, key: () => state.key }) },
  ];
  const $ = (id) => document.getElementById(id);

  function t(key, vars) {
    let s = (I18N[state.lang] || {})[key] || I18N.en[key] || key;
    for (const [k, v] of Object.entries(vars || {})) s = s.replace(`{${k}}`, v);
    return s;
  }

  async function api(path, params) {
    const url = new URL(path, location.origin);
    for (const [k, v] of params || []) if (v !== "" && v !== null && v !== undefined) url.searchParams.append(k, v);
    const response = await fetch(url, { headers: { "X-API-Key": state.key } });
    const body = await response.json().catch(() => ({}));
    if (!response.ok) throw Object.assign(new Error(body.detail || response.statusText), { status: response.status });
    return body;
  }

  function setLang(lang) {
    state.lang = I18N[lang] ? lang : "en";
    localStorage.setItem("halqa-lang", state.lang);
    document.documentElement.lang = state.lang;
    document.documentElement.dir = state.lang === "ar" ? "rtl" : "ltr";
    $("lang-switch").value = state.lang;
    document.querySelectorAll("[data-i18n]").forEach((n) => { n.textContent = t(n.dataset.i18n); });
    fillOptions();
    renderTabs();
    if (state.page) show(state.page);
  }

  function label(kind, id) {
    const list = state.labels && state.labels[kind];
    const hit = list && list.find((x) => x.id === id);
    return hit ? (hit[state.lang] || hit.en || id) : id;
  }

  function fillOptions() {
    if (!state.labels) return;
    document.querySelectorAll("select[data-options]").forEach((select) => {
      const current = select.value;
      const kind = select.dataset.options;
      select.replaceChildren();
      if (!select.dataset.required) select.appendChild(new Option(t("everyone"), ""));
      for (const item of state.labels[kind]) {
        const id = typeof item === "string" ? item : item.id;
        select.appendChild(new Option(typeof item === "string" ? item : label(kind, id), id));
      }
      if (current) select.value = current;
    });
  }

  function renderTabs() {
    const nav = $("tabs");
    nav.replaceChildren();
    for (const page of visiblePages()) {
      const button = document.createElement("button");
      button.type = "button";
      button.id = `tab-${page.id}`;
      button.textContent = t(page.id);
      if (state.page === page.id) button.setAttribute("aria-current", "page");
      button.onclick = () => show(page.id);
      nav.appendChild(button);
    }
  }

  function visiblePages() {
    return PAGES.filter((p) => state.paths[p.needs] && p.roles.includes(state.role));
  }

  function show(id) {
    const page = PAGES.find((p) => p.id === id) || visiblePages()[0];
    if (!page) return;
    state.page = page.id;
    location.hash = `page=${page.id}`;
    document.querySelectorAll(".page").forEach((s) => { s.hidden = s.id !== page.section; });
    renderTabs();
    page.load().catch(report);
  }

  function report(error) {
    $("status").textContent = error ? String(error.message || error) : "";
  }

  // -- Trends ------------------------------------------------------------------------------------
  function segmentParams(form) {
    const data = new FormData(form);
    const out = [];
    for (const key of ["age_band", "region", "gender"]) if (data.get(key)) out.push(["segment", `${key}=${data.get(key)}`]);
    return out;
  }

  function itemName(by, row) {
    if (by === "genre") return label("genres", row.item);
    return row.name || row.item;
  }

  async function loadTrends() {
    report();
    const form = $("trends-form");
    const data = new FormData(form);
    const seg = segmentParams(form);
    const by = data.get("by");
    const [trend, timeline, regions] = await Promise.all([
      api("/v1/trends", [...seg, ["by", by], ["window", data.get("window")], ["top", 10]]),
      api("/v1/trends/timeline", [...seg, ["by", by === "language" ? "language" : "genre"], ["weeks", 26]]),
      api("/v1/trends/regions", seg.filter(([, v]) => !v.startsWith("region=")).concat([["days", 90]])),
    ]);
    $("trends-note").textContent = trend.suppressed ? t("segment_small", { k: trend.k })
      : ((trend.baseline && trend.baseline.note) || "");
    HalqaCharts.bars($("trends-top"), (trend.top || []).map((r) => ({ label: itemName(by, r), value: r.count, row: r })),
      (r) => `${r.value.toLocaleString()}${r.row.growth ? ` · ×${r.row.growth}` : ""}`);
    const rising = $("trends-rising");
    rising.replaceChildren();
    const list = trend.rising || [];
    if (!list.length) rising.textContent = t("no_rows");
    else rising.appendChild(table(
      [t("title"), t("count"), t("baseline"), t("growth")],
      list.map((r) => [bdi(itemName(by, r)), num(r.count), num(r.baseline),
        `×${r.growth} [${r.growth_low}–${r.growth_high}]`])));
    const series = timeline.series.map((s) => ({ name: by === "language" ? s.item : label("genres", s.item), values: s.plays }));
    HalqaCharts.lines($("trends-timeline"), timeline.weeks, series, state.lang === "ar");
    fillTable($("trends-regions"), [t("region"), t("plays"), t("members"), t("top_genre")],
      regions.rows.map((r) => r.suppressed
        ? [label("regions", r.region), span(t("suppressed", { k: regions.k }), "suppressed"), "", ""]
        : [label("regions", r.region), num(r.plays), num(r.members), label("genres", r.top_genre)]));
  }

  // -- Recommendations -------------------------------------------------------------------------
  let membersLoaded = false;
  async function loadRecsPage() {
    report();
    if (!membersLoaded) {
      const [members, info] = await Promise.all([api("/v1/recommendations-members", [["limit", 200]]), api("/v1/recommender")]);
      state.members = members;
      const select = $("recs-member");
      select.replaceChildren(...members.map((m) => new Option(m.member_id, m.member_id)));
      $("local-share-control").hidden = !info.local_share;
      membersLoaded = true;
    }
    await loadRecs();
  }

  async function loadRecs() {
    const form = $("recs-form");
    const data = new FormData(form);
    const member = data.get("member");
    if (!member) return;
    const share = Number($("local-share").value);
    $("local-share-value").textContent = `${Math.round(share * 100)}%`;
    const m = (state.members || []).find((x) => x.member_id === member);
    if (m) $("recs-member-info").textContent = t("member_info", { age: m.age_band || "?", region: label("regions", m.region),
      langs: (m.languages || []).join(", "), events: m.events });
    const params = [["k", 10], ["lang", state.lang], ...data.getAll("filter").map((f) => ["filter", f])];
    if (share > 0 && !$("local-share-control").hidden) params.push(["local_share", share]);
    const recs = await api(`/v1/recommendations/${encodeURIComponent(member)}`, params);
    const list = $("recs-list");
    list.replaceChildren(...recs.items.map((item) => {
      const li = document.createElement("li");
      li.dataset.titleId = item.title_id;
      const score = span(`${t("score")} ${item.score.toFixed(3)}`, "score");
      const name = document.createElement("bdi");
      name.className = "name";
      name.dir = "auto";
      name.textContent = item.name;
      const reason = document.createElement("div");
      reason.className = "reason";
      reason.dir = "auto";
      reason.textContent = item.reason;
      li.append(score, name, reason);
      return li;
    }));
  }

  // -- Audience ---------------------------------------------------------------------------------
  let lastTitle = null;
  function titleFromForm(form) {
    const data = new FormData(form);
    const pasted = (data.get("json") || "").trim();
    if (pasted) return JSON.parse(pasted);
    if (!data.get("name")) throw new Error(`${t("t_name")}: ${t("required")}`);
    const title = { name: data.get("name"), kind: data.get("kind"), genres: [data.get("genres")], language: data.get("language") };
    if (data.get("region")) title.region = data.get("region");
    if (data.get("synopsis")) title.synopsis = data.get("synopsis");
    return title;
  }

  async function loadAudience() { report(); }

  async function findAudience(event) {
    event.preventDefault();
    report();
    const form = $("audience-form");
    lastTitle = titleFromForm(form);
    const top = new FormData(form).get("top") || 1000;
    const result = await post(`/v1/audience/target?top=${encodeURIComponent(top)}&rows=20`, lastTitle);
    $("audience-result").hidden = false;
    $("audience-size").textContent = t("audience_size", { size: result.size.toLocaleString(), candidates: result.candidates.toLocaleString() });
    const b = result.breakdown || {};
    const asBars = (counts, kind) => Object.entries(counts || {}).map(([key, value]) => ({
      label: value === null ? `${kind ? label(kind, key) : key} (${t("suppressed", { k: b.k })})` : (kind ? label(kind, key) : key),
      value: value || 0 }));
    HalqaCharts.bars($("audience-age"), asBars(b.age_band));
    HalqaCharts.bars($("audience-region"), asBars(b.region, "regions"));
    HalqaCharts.bars($("audience-language"), asBars(b.language));
    fillTable($("audience-members"), [t("member"), t("score"), t("age_band"), t("region"), t("reasons")],
      result.members.map((m) => [m.member_id, m.score.toFixed(3), m.age_band || "", label("regions", m.region), bdi(m.reasons)]));
    $("export-result").textContent = "";
  }

  async function exportAudience(event) {
    event.preventDefault();
    report();
    const data = new FormData($("export-form"));
    const top = Number(new FormData($("audience-form")).get("top") || 1000);
    const result = await post("/v1/audience/export", { campaign: data.get("campaign"), title: lastTitle, top,
      holdout: Number(data.get("holdout")) });
    $("export-result").textContent = t("exported", { campaign: result.campaign, exposed: result.exposed,
      holdout: result.holdout, dropped: result.dropped_no_consent });
  }

  // -- Campaigns --------------------------------------------------------------------------------
  async function loadCampaigns() {
    report();
    const list = await api("/v1/campaigns");
    fillTable($("campaigns-list"), [t("campaign"), t("created"), t("title"), t("exposed"), t("holdout")],
      list.map((c) => [c.campaign, c.created_at.replace("T", " ").slice(0, 16), bdi(c.title_id || ""), num(c.exposed), num(c.holdout)]));
    $("campaigns-list").querySelectorAll("tbody tr").forEach((row, i) => {
      if (list[i]) row.onclick = () => showLift(list[i].campaign).catch(report);
    });
    if (list.length) await showLift(list[0].campaign).catch(report);
  }

  async function showLift(name) {
    const box = $("campaign-lift");
    box.hidden = false;
    $("campaign-lift-title").textContent = name;
    $("campaign-groups").replaceChildren();
    $("campaign-lift-chart").replaceChildren();
    $("campaign-lift-figures").textContent = t("loading");
    let result;
    try { result = await api(`/v1/campaigns/${encodeURIComponent(name)}/lift`); }
    catch (error) { $("campaign-lift-figures").textContent = error.message; return; }
    const g = result.groups;
    fillTable($("campaign-groups"), [t("group"), t("members"), t("converted"), t("conversion")],
      ["exposed", "holdout"].map((k) => [t(k), num(g[k].members), num(g[k].converted), `${(100 * g[k].conversion).toFixed(2)}%`]));
    const l = result.lift;
    const pts = (v) => (100 * v).toFixed(2);
    let text = t("abs_lift", { lift: pts(l.absolute_lift), lo: pts(l.absolute_ci[0]), hi: pts(l.absolute_ci[1]) });
    if (l.relative_lift !== null && l.relative_ci) text += `; ${t("rel_lift", { lift: pts(l.relative_lift), lo: pts(l.relative_ci[0]), hi: pts(l.relative_ci[1]) })}`;
    $("campaign-lift-figures").textContent = text;
    HalqaCharts.interval($("campaign-lift-chart"), l.absolute_lift, l.absolute_ci, state.lang === "ar");
  }

  async function post(path, body) {
    const response = await fetch(new URL(path, location.origin), { method: "POST",
      headers: { "X-API-Key": state.key, "Content-Type": "application/json" }, body: JSON.stringify(body) });
    const data = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(data.detail || response.statusText);
    return data;
  }

  // -- Data -------------------------------------------------------------------------------------
  async function loadData() {
    report();
    const data = await api("/v1/data", [["limit", 20]]);
    fillTable($("data-counts"), [t("table"), t("rows")], Object.entries(data.counts).map(([k, v]) => [k, num(v)]));
    fillTable($("data-ingests"), [t("target"), t("file"), t("started"), t("status"), t("accepted"), t("rejected"), t("duplicates")],
      data.ingests.map((r) => [r.target, bdi(r.file), r.started_at.replace("T", " ").slice(0, 19), r.status, num(r.accepted),
        num(r.rejected), num(r.duplicates)]));
    fillTable($("data-quarantine"), [t("file"), t("line"), t("field"), t("reason")],
      data.quarantine.map((r) => [bdi(r.file), num(r.line), r.field || "", bdi(r.reason)]));
  }

  // -- small DOM helpers --------------------------------------------------------------------------
  function bdi(text) { const n = document.createElement("bdi"); n.dir = "auto"; n.textContent = text ?? ""; return n; }
  function span(text, cls) { const n = document.createElement("span"); n.className = cls; n.textContent = text; return n; }
  function num(v) { const n = span(v === null || v === undefined ? "–" : Number(v).toLocaleString(), "num"); return n; }
  function table(head, rows) { const tb = document.createElement("table"); tb.className = "table"; fillTable(tb, head, rows); return tb; }
  function fillTable(node, head, rows) {
    node.replaceChildren();
    const tr = node.createTHead().insertRow();
    head.forEach((h) => { const th = document.createElement("th"); th.textContent = h; tr.appendChild(th); });
    const body = node.createTBody();
    if (!rows.length) { const c = body.insertRow().insertCell(); c.colSpan = head.length; c.textContent = t("no_rows"); }
    for (const row of rows) {
      const r = body.insertRow();
      for (const cell of row) {
        const c = r.insertCell();
        if (cell instanceof Node) { c.appendChild(cell); if (cell.classList && cell.classList.contains("num")) c.className = "num"; }
        else c.textContent = cell ?? "";
      }
    }
  }

  // -- start ----------------------------------------------------------------------------------------
  async function start() {
    const fragment = new URLSearchParams(location.hash.slice(1));
    if (fragment.get("key")) {
      sessionStorage.setItem("halqa-key", fragment.get("key"));
      fragment.delete("key");
      history.replaceState(null, "", `${location.pathname}${location.search}#${fragment}`);
    }
    if (fragment.get("lang")) localStorage.setItem("halqa-lang", fragment.get("lang"));
    state.key = sessionStorage.getItem("halqa-key");
    state.lang = localStorage.getItem("halqa-lang") || (navigator.language || "ar").slice(0, 2);
    $("lang-switch").onchange = (e) => setLang(e.target.value);
    window.onhashchange = () => {
      const wanted = new URLSearchParams(location.hash.slice(1));
      if (wanted.get("key")) { start().catch(report); return; }
      if (wanted.get("lang") && wanted.get("lang") !== state.lang) setLang(wanted.get("lang"));
      if (wanted.get("page") && wanted.get("page") !== state.page && state.role) show(wanted.get("page"));
    };
    $("trends-form").onchange = () => loadTrends().catch(report);
    $("recs-form").onchange = () => loadRecs().catch(report);
    $("local-share").oninput = () => loadRecs().catch(report);
    $("audience-form").onsubmit = (e) => findAudience(e).catch(report);
    $("export-form").onsubmit = (e) => exportAudience(e).catch(report);
    $("login-form").onsubmit = (e) => { e.preventDefault(); sessionStorage.setItem("halqa-key", $("login-key").value.trim()); start(); };
    setLang(state.lang);
    if (!state.key) { $("login").hidden = false; return; }
    try {
      const who = await api("/v1/whoami");
      state.role = who.role;
    } catch (error) {
      sessionStorage.removeItem("halqa-key");
      $("login").hidden = false;
      $("login-error").textContent = t("bad_key");
      return;
    }
    $("login").hidden = true;
    const spec = await (await fetch("/openapi.json")).json();
    state.paths = spec.paths;
    if (state.paths["/v1/labels"] && ["admin", "analyst", "creator"].includes(state.role)) {
      state.labels = await api("/v1/labels");
      state.labels.language_tags = ["ary", "ary-Latn", "ar", "fr", "zgh", "shi", "tzm", "rif", "en", "es"];
    }
    setLang(state.lang);
    show(fragment.get("page"));
  }

  start().catch(report);
})();

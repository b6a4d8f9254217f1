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
    { id: "music", section: "page-music", needs: "/v1/music/styles", roles: ["admin", "analyst", "creator"], load: () => window.HALQA_MUSIC.load({ api, t, report }) },
    { id: "script", section: "page-script", needs: "/v1/script/parse", roles: ["admin", "analyst", "creator"], load: () => window.HALQA_SCRIPT.load({ api, t, report }) },
    { id: "vfx", section: "page-vfx", needs: "/v1/vfx/looks", roles: ["admin", "analyst", "creator"], load: () => window.HALQA_VFX.load({ api, t, report }) },
    // explore.js: a title's or creator's page (reached from names, no tab of its own) and the model's status
    { id: "profile", section: "page-profile", needs: "/v1/titles/{title_id}/profile", roles: ["admin", "analyst", "creator"], load: () => window.HALQA_EXPLORE.loadProfile(context()), tabless: true },
    { id: "model", section: "page-model", needs: "/v1/recommender", roles: ["admin", "analyst", "creator"], load: () => window.HALQA_EXPLORE.loadModel(context()) },
  ];
  const $ = (id) => document.getElementById(id);

  function t(key, vars) {
    let s = (I18N[state.lang] || {})[key] || I18N.en[key] || key;
    for (const [k, v] of Object.entries(vars || {})) s = s.replace(`{${k}}`, v);
    return s;
  }

  // Morocco's conventions for each interface language (Latin digits; French spaces, Arabic RTL).
  const LOCALES = { ar: ["ar-MA", "ar"], fr: ["fr-MA", "fr"], en: ["en-GB", "en"] };
  let numberFormat = new Intl.NumberFormat("en");
  let dateFormat = new Intl.DateTimeFormat("en", { dateStyle: "medium", timeZone: "UTC" });
  let timeFormat = dateFormat;
  function setFormats() {
    numberFormat = new Intl.NumberFormat(LOCALES[state.lang], { maximumFractionDigits: 3 });
    dateFormat = new Intl.DateTimeFormat(LOCALES[state.lang], { dateStyle: "medium", timeZone: "UTC" });
    timeFormat = new Intl.DateTimeFormat(LOCALES[state.lang], { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" });
    HalqaCharts.setFormat({ num: fmtNum, date: fmtDate });
  }
  function fmtNum(v) { return v === null || v === undefined || Number.isNaN(Number(v)) ? "–" : numberFormat.format(Number(v)); }
  function fmtDate(iso) {
    if (!iso) return "–";
    const d = new Date(String(iso).length <= 10 ? `${iso}T00:00:00Z` : `${String(iso).replace(" ", "T")}Z`);
    if (Number.isNaN(d.getTime())) return String(iso);
    return (String(iso).length > 10 ? timeFormat : dateFormat).format(d);
  }
  function fmtPct(share, digits = 1) {
    return share === null || share === undefined ? "–"
      : new Intl.NumberFormat(LOCALES[state.lang], { style: "percent", minimumFractionDigits: digits, maximumFractionDigits: digits }).format(share);
  }
  // An interval reads low to high in every language: isolated left to right inside Arabic text.
  function interval(lo, hi, pre) {
    const n = document.createElement("bdi");
    n.dir = "ltr";
    n.className = "interval";
    n.textContent = `${pre || ""}[${fmtNum(lo)} – ${fmtNum(hi)}]`;
    return n;
  }
  function kindLabel(id) { return I18N.en[`kind_${id}`] ? t(`kind_${id}`) : id; }
  function languageLabel(id) { return I18N.en[`lang_${id}`] ? t(`lang_${id}`) : id; }

  // Every request that takes longer than 300 ms shows the spinner until the last one ends.
  let inFlight = 0, spinnerTimer = null;
  async function tracked(promise) {
    inFlight += 1;
    if (!spinnerTimer) spinnerTimer = setTimeout(() => { if (inFlight) $("spinner").hidden = false; }, 300);
    try { return await promise; }
    finally {
      inFlight -= 1;
      if (!inFlight) { clearTimeout(spinnerTimer); spinnerTimer = null; $("spinner").hidden = true; }
    }
  }
  // While a form's work runs its button is disabled (no double submit) and its figures fade.
  async function busy(button, section, work) {
    if (button) button.disabled = true;
    if (section) section.setAttribute("aria-busy", "true");
    try { return await work(); }
    finally { if (button) button.disabled = false; if (section) section.removeAttribute("aria-busy"); }
  }

  // The one way every page calls the API: a GET with query params, or with `init` a write
  // ({method, json} sends JSON; {method, body, type} sends raw content such as an upload) and an
  // answer other than JSON ({as: "text"} or {as: "blob"}).
  async function api(path, params, init = {}) {
    const url = new URL(path, location.origin);
    for (const [k, v] of params || []) if (v !== "" && v !== null && v !== undefined) url.searchParams.append(k, v);
    const headers = { "X-API-Key": state.key };
    let body = init.body;
    if (init.json !== undefined) { body = JSON.stringify(init.json); headers["Content-Type"] = "application/json"; }
    else if (init.type) headers["Content-Type"] = init.type;
    return tracked((async () => {
      const response = await fetch(url, { method: init.method || "GET", headers, body });
      if (!response.ok) {
        const data = await response.json().catch(() => ({}));
        const detail = typeof data.detail === "string" ? data.detail : response.statusText;
        throw Object.assign(new Error(detail), { status: response.status });
      }
      if (init.as === "text") return response.text();
      if (init.as === "blob") return response.blob();
      return response.json().catch(() => ({}));
    })());
  }

  function setLang(lang) {
    state.lang = I18N[lang] ? lang : "en";
    localStorage.setItem("halqa-lang", state.lang);
    document.documentElement.lang = state.lang;
    document.documentElement.dir = state.lang === "ar" ? "rtl" : "ltr";
    $("lang-switch").value = state.lang;
    setFormats();
    document.querySelectorAll("[data-i18n]").forEach((n) => { n.textContent = t(n.dataset.i18n); });
    document.querySelectorAll("[data-i18n-placeholder]").forEach((n) => { n.placeholder = t(n.dataset.i18nPlaceholder); });
    document.querySelectorAll("select[data-days] option").forEach((o) => {
      if (/^\d+d$/.test(o.value)) o.textContent = t("days", { n: fmtNum(parseInt(o.value, 10)) });
    });
    fillOptions();
    renderTabs();
    if (state.page) show(state.page, location.hash.slice(1));
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
        const text = kind === "kinds" ? kindLabel(id) : kind === "language_tags" ? languageLabel(id)
          : typeof item === "string" ? item : label(kind, id);
        select.appendChild(new Option(text, id));
      }
      if (current) select.value = current;
    });
  }

  function renderTabs() {
    const nav = $("tabs");
    nav.replaceChildren();
    for (const page of visiblePages()) {
      if (page.tabless && state.page !== page.id) continue;
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

  // extra: the page's own parameters kept in the fragment (the title of a profile, a member...)
  function show(id, extra) {
    const page = visiblePages().find((p) => p.id === id) || visiblePages().find((p) => !p.tabless);
    if (!page) return;
    state.page = page.id;
    const params = new URLSearchParams(extra || "");
    params.set("page", page.id);
    params.delete("key");
    state.hash = `${params}`;
    location.hash = state.hash;
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
    if (by === "language") return languageLabel(row.item);
    return row.name || row.item;
  }

  function itemLabel(by, item) {
    if (by === "genre") return label("genres", item);
    if (by === "language") return languageLabel(item);
    return item;
  }

  // The baseline sentence, built here from its parts so it is in the interface language.
  function baselineNote(b) {
    if (!b) return "";
    const last = new Date(`${b.baseline.end}T00:00:00Z`);
    last.setUTCDate(last.getUTCDate() - 1);
    const days = Math.round((new Date(`${b.window.end}T00:00:00Z`) - new Date(`${b.window.start}T00:00:00Z`)) / 864e5);
    return t(`base_${b.kind}`, { days: fmtNum(days), start: fmtDate(b.baseline.start),
      end: fmtDate(last.toISOString().slice(0, 10)), season: b.season ? t(`season_${b.season}`) : "" });
  }

  // Growth of an item: "new" when it had no baseline (a ratio over zero is not a number).
  function growthCell(r) {
    if (r.new || r.growth === null || r.growth === undefined) return span(t("new_item"), "new");
    const n = document.createElement("span");
    n.append(interval(r.growth_low, r.growth_high, `×${fmtNum(r.growth)} `));
    return n;
  }

  // The window the pickers ask for: a length ending at the last event, or any dates (custom).
  let lastWindow = null;
  function windowChoice(form) {
    const data = new FormData(form);
    const custom = data.get("window") === "custom";
    form.querySelectorAll(".range").forEach((n) => { n.hidden = !custom; });
    if (!custom) return { window: data.get("window"), as_of: null, weeks: 26, days: 90 };
    if (!form.elements.from.value && lastWindow) {  // start from the dates shown so far
      const last = new Date(`${lastWindow.end}T00:00:00Z`);
      last.setUTCDate(last.getUTCDate() - 1);
      form.elements.from.value = lastWindow.start;
      form.elements.to.value = last.toISOString().slice(0, 10);
    }
    const from = Date.parse(`${form.elements.from.value}T00:00:00Z`), to = Date.parse(`${form.elements.to.value}T00:00:00Z`);
    if (Number.isNaN(from) || Number.isNaN(to) || to < from) return null;
    const days = Math.round((to - from) / 864e5) + 1;
    const asOf = new Date(to + 864e5).toISOString().slice(0, 10);
    return { window: `${Math.min(days, 3660)}d`, as_of: asOf, weeks: Math.min(260, Math.ceil(days / 7)), days: Math.min(days, 3650) };
  }

  let trendsRequest = 0;
  async function loadTrends() {
    report();
    const form = $("trends-form");
    const data = new FormData(form);
    const seg = segmentParams(form);
    const by = data.get("by");
    const mine = ++trendsRequest;  // answers to an older choice of pickers are dropped
    const page = $("page-trends");
    // Old figures must not stand under new pickers: clear them while the new ones load.
    for (const id of ["trends-top", "trends-rising", "trends-timeline", "trends-regions"]) $(id).replaceChildren();
    const range = windowChoice(form);
    if (!range) { $("trends-note").textContent = t("range_needed"); return; }
    $("trends-note").textContent = t("loading");
    const asOf = range.as_of ? [["as_of", range.as_of]] : [];
    const [trend, timeline, regions] = await busy(null, page, () => Promise.all([
      api("/v1/trends", [...seg, ["by", by], ["window", range.window], ["top", 10], ...asOf]),
      api("/v1/trends/timeline", [...seg, ["by", by === "language" ? "language" : "genre"], ["weeks", range.weeks], ...asOf]),
      api("/v1/trends/regions", seg.filter(([, v]) => !v.startsWith("region=")).concat([["days", range.days], ...asOf])),
    ]));
    if (mine !== trendsRequest) return;
    if (trend.window && trend.window.start) lastWindow = trend.window;
    const linked = (row) => (by === "title" || by === "creator" ? window.HALQA_EXPLORE.link(context(), by, row.item, itemName(by, row)) : null);
    $("trends-note").textContent = trend.suppressed ? t("segment_small", { k: trend.k }) : baselineNote(trend.baseline);
    HalqaCharts.bars($("trends-top"), (trend.top || []).map((r) => ({ label: itemName(by, r), value: r.count, row: r, node: linked(r) })),
      (r) => (r.row.growth !== null && r.row.growth !== undefined ? `${fmtNum(r.value)} · ×${fmtNum(r.row.growth)}` : fmtNum(r.value)));
    const rising = $("trends-rising");
    rising.replaceChildren();
    const list = trend.rising || [];
    if (!list.length) rising.textContent = t("no_rows");
    else rising.appendChild(table(
      [t(by === "genre" ? "genre" : by === "language" ? "lang_item" : by), t("count"), t("baseline"), t("growth")],
      list.map((r) => [linked(r) || bdi(itemName(by, r)), num(r.count), num(r.baseline), growthCell(r)])));
    const series = timeline.series.map((s) => ({ name: itemLabel(timeline.by, s.item), values: s.plays }));
    fillTable($("trends-regions"), [t("region"), t("plays"), t("members"), t("top_genre")],
      regions.rows.map((r) => r.suppressed
        ? [bdi(label("regions", r.region)), span(t("suppressed", { k: fmtNum(regions.k) }), "suppressed"), "", ""]
        : [bdi(label("regions", r.region)), num(r.plays), num(r.members), bdi(label("genres", r.top_genre))]));
    await timeChart($("trends-timeline"), timeline.weeks, series, timeline.partial || [], () => mine === trendsRequest);
  }

  // -- Recommendations -------------------------------------------------------------------------
  let membersLoaded = false;
  async function loadRecsPage() {
    report();
    if (!membersLoaded) {
      const [members, info] = await Promise.all([api("/v1/recommender/members", [["limit", 200]]).then((page) => page.items), api("/v1/recommender")]);
      setMembers(members);
      $("local-share-control").hidden = !info.local_share;
      membersLoaded = true;
    }
    // A member named in the fragment (from the search box): found wherever they rank by activity.
    const wanted = new URLSearchParams(location.hash.slice(1)).get("member");
    if (wanted && wanted !== $("recs-member").value) {
      const found = (await api("/v1/recommender/members", [["q", wanted], ["limit", 50]])).items;
      if (found.some((m) => m.member_id === wanted)) setMembers(found, wanted);
    }
    await loadRecs();
  }

  function setMembers(members, keep) {
    state.members = members;
    const select = $("recs-member");
    select.replaceChildren(...members.map((m) => new Option(m.member_id, m.member_id)));
    if (keep && members.some((m) => m.member_id === keep)) select.value = keep;
    $("recs-members").replaceChildren(...members.slice(0, 50).map((m) => new Option(m.member_id, m.member_id)));
  }

  // Any member id can be reached: the picker lists the most active, the search box asks the server.
  let searchTimer = null;
  function searchMembers() {
    clearTimeout(searchTimer);
    const q = $("recs-search").value.trim();
    searchTimer = setTimeout(async () => {
      if (!q) return;
      const found = (await api("/v1/recommender/members", [["q", q], ["limit", 50]])).items;
      const exact = found.find((m) => m.member_id === q);
      setMembers(found, exact ? q : found.length ? found[0].member_id : null);
      if (found.length) await loadRecs();
    }, 250);
  }

  async function loadRecs() {
    const form = $("recs-form");
    const data = new FormData(form);
    const member = data.get("member");
    if (!member) return;
    const share = Number($("local-share").value);
    $("local-share-value").textContent = fmtPct(share, 0);
    const m = (state.members || []).find((x) => x.member_id === member);
    if (m) $("recs-member-info").textContent = t("member_info", { age: m.age_band || "–", region: label("regions", m.region),
      langs: (m.languages || []).map(languageLabel).join(state.lang === "ar" ? "، " : ", "), events: fmtNum(m.events) });
    const params = [["k", 10], ["lang", state.lang], ...data.getAll("filter").map((f) => ["filter", f])];
    if (share > 0 && !$("local-share-control").hidden) params.push(["local_share", share]);
    const recs = await busy(null, $("page-recs"), () => api(`/v1/recommendations/${encodeURIComponent(member)}`, params));
    if (member !== new FormData($("recs-form")).get("member")) return;  // another member was chosen meanwhile
    const list = $("recs-list");
    list.replaceChildren(...recs.items.map((item) => {
      const li = document.createElement("li");
      li.dataset.titleId = item.title_id;
      const score = span(t("score_value", { v: fmtNum(Number(item.score.toFixed(3))) }), "score");
      const name = window.HALQA_EXPLORE.link(context(), "title", item.title_id, item.name);
      name.classList.add("name");
      const reason = document.createElement("div");
      reason.className = "reason";
      reason.dir = "auto";
      reason.dataset.from = "recommender";  // worded by the server in the asked language (lang=)
      reason.textContent = item.reason;
      li.append(score, name);
      if (item.local) li.append(span(t("moroccan"), "tag local"));
      if (item.placed) li.append(span(t("placed_tag"), "tag placed"));
      li.append(reason);
      return li;
    }));
    // Scores out of rank order are the slot policy's doing: said once above the list, marked per title.
    $("recs-policy-note").textContent = recs.items.some((i) => i.placed) ? t("placed_note") : "";
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
    $("audience-result").hidden = true;  // no figures of the previous title under the new one
    const result = await busy(form.querySelector("button[type=submit]"), $("page-audience"),
      () => post(`/v1/audience/target?top=${encodeURIComponent(top)}&rows=20`, lastTitle));
    $("audience-result").hidden = false;
    const titleId = $("export-form").elements.title_id;
    if (lastTitle.title_id) titleId.value = lastTitle.title_id;
    $("audience-size").textContent = t("audience_size", { size: fmtNum(result.size), candidates: fmtNum(result.candidates) });
    const b = result.breakdown || {};
    const name = (kind, key) => (kind === "language" ? languageLabel(key) : kind ? label(kind, key) : key);
    const asBars = (counts, kind) => Object.entries(counts || {}).map(([key, value]) => ({
      label: value === null ? `${name(kind, key)} (${t("suppressed", { k: fmtNum(b.k) })})` : name(kind, key),
      value: value || 0 }));
    HalqaCharts.bars($("audience-age"), asBars(b.age_band));
    HalqaCharts.bars($("audience-region"), asBars(b.region, "regions"));
    HalqaCharts.bars($("audience-language"), asBars(b.language, "language"));
    fillTable($("audience-members"), [t("member"), t("score"), t("age_band"), t("region"), t("reasons")],
      result.members.map((m) => [bdi(m.member_id), num(Number(m.score.toFixed(3))), bdi(m.age_band || "–"),
        bdi(label("regions", m.region)), m.reason_parts ? reasonCell(m.reason_parts) : bdi(m.reasons)]));
    $("export-result").textContent = "";
  }

  // A member's targeting reasons in the interface language, from their parts (key + raw params):
  // ids become labels, data (titles, names) is isolated with FSI/PDI so it keeps its own direction.
  const ISOLATE = (v) => `\u2068${v}\u2069`;
  function reasonText(part) {
    const p = part.params || {};
    const list = (xs, f) => (xs || []).map((x) => ISOLATE(f ? f(x) : x)).join(state.lang === "ar" ? "، " : ", ");
    return t(`tr_${part.key}`, { titles: Array.isArray(p.titles) ? list(p.titles) : fmtNum(p.titles),
      creator: ISOLATE(p.creator || ""), genres: list(p.genres, (g) => label("genres", g)),
      language: languageLabel(p.language), region: label("regions", p.region) });
  }
  function reasonCell(parts) {
    const cell = document.createElement("span");
    cell.className = "reasons";
    parts.forEach((part, i) => {
      if (i) cell.append(" · ");
      cell.append(span(reasonText(part), "reason-part"));
    });
    return cell;
  }

  async function exportAudience(event) {
    event.preventDefault();
    report();
    const data = new FormData($("export-form"));
    const top = Number(new FormData($("audience-form")).get("top") || 1000);
    const form = $("export-form");
    const result = await busy(form.querySelector("button[type=submit]"), null, () => post("/v1/audience/export", {
      campaign: data.get("campaign"), title: lastTitle, top, holdout: Number(data.get("holdout")),
      title_id: data.get("title_id") || null }));
    $("export-result").textContent = t("exported", { campaign: result.campaign, exposed: fmtNum(result.exposed),
      holdout: fmtNum(result.holdout), dropped: fmtNum(result.dropped_no_consent) });
  }

  // -- Campaigns --------------------------------------------------------------------------------
  async function loadCampaigns() {
    report();
    const list = (await api("/v1/campaigns")).items;  // a Page: the newest campaigns first
    fillTable($("campaigns-list"), [t("campaign"), t("created"), t("title"), t("exposed"), t("holdout")],
      list.map((c) => [bdi(c.campaign), bdi(fmtDate(c.created_at)),
        c.title_id ? window.HALQA_EXPLORE.link(context(), "title", c.title_id, c.title_id) : bdi("–"), num(c.exposed), num(c.holdout)]));
    $("campaigns-list").querySelectorAll("tbody tr").forEach((row, i) => {
      if (list[i]) row.onclick = () => showLift(list[i]).catch(report);
    });
    if (list.length) await showLift(list[0]).catch(report);
  }

  // The lift of a campaign, measured against the title its export recorded (or one given here).
  let liftCampaign = null;
  async function showLift(campaign, titleId) {
    liftCampaign = campaign;
    const name = campaign.campaign;
    const title = titleId || campaign.title_id || "";
    $("campaign-lift").hidden = false;
    $("campaign-lift-title").replaceChildren(bdi(name));
    $("lift-form").elements.title_id.value = title;
    for (const id of ["campaign-groups", "campaign-lift-chart", "campaign-accounting"]) $(id).replaceChildren();
    $("campaign-lift-note").textContent = "";
    if (!title) { $("campaign-lift-figures").textContent = ""; $("campaign-lift-note").textContent = t("no_title"); return; }
    $("campaign-lift-figures").textContent = t("loading");
    let result;
    try { result = await api(`/v1/campaigns/${encodeURIComponent(name)}/lift`, titleId ? [["title_id", titleId]] : []); }
    catch (error) {  // the server's own words, after a lead in the interface language
      if (liftCampaign === campaign) $("campaign-lift-figures").replaceChildren(`${t("lift_unavailable")} `, bdi(error.message));
      return;
    }
    if (liftCampaign !== campaign) return;
    const g = result.groups;
    fillTable($("campaign-groups"), [t("group"), t("members"), t("converted"), t("conversion")],
      ["exposed", "holdout"].map((k) => [t(`${k}_group`), num(g[k].members), num(g[k].converted), span(fmtPct(g[k].conversion, 2), "num")]));
    const acc = result.accounting;
    if (acc) $("campaign-accounting").replaceChildren(...["exposed", "holdout"].map((k) => {
      const li = document.createElement("li");
      li.textContent = t("accounting", { grp: t(`${k}_group`), exported: fmtNum(acc[k].exported), measured: fmtNum(acc[k].measured),
        no_consent: fmtNum(acc[k].without_analytics_consent + acc[k].no_longer_in_store) });
      return li;
    }));
    $("campaign-lift-note").textContent = !result.title_in_catalogue ? t("not_in_catalogue")
      : g.exposed.converted + g.holdout.converted === 0 ? t("no_conversions") : "";
    const l = result.lift;
    const pts = (v) => fmtNum(Number((100 * v).toFixed(2)));
    const figures = $("campaign-lift-figures");
    figures.replaceChildren(t("abs_lift", { lift: pts(l.absolute_lift) }), interval(100 * l.absolute_ci[0], 100 * l.absolute_ci[1]));
    if (l.relative_lift !== null && l.relative_ci) {
      figures.append("; ", t("rel_lift", { lift: pts(l.relative_lift) }), interval(100 * l.relative_ci[0], 100 * l.relative_ci[1]));
    }
    HalqaCharts.interval($("campaign-lift-chart"), l.absolute_lift, l.absolute_ci, state.lang === "ar");
  }

  const post = (path, body) => api(path, null, { method: "POST", json: body });

  // -- Data -------------------------------------------------------------------------------------
  async function loadData() {
    report();
    const data = await api("/v1/data", [["limit", 20]]);
    fillTable($("data-counts"), [t("table"), t("rows")], Object.entries(data.counts).map(([k, v]) => [bdi(k), num(v)]));
    fillTable($("data-ingests"), [t("target"), t("file"), t("started"), t("status"), t("accepted"), t("rejected"), t("duplicates")],
      data.ingests.map((r) => [bdi(r.target), bdi(r.file), bdi(fmtDate(r.started_at)), bdi(r.status), num(r.accepted),
        num(r.rejected), num(r.duplicates)]));
    fillTable($("data-quarantine"), [t("file"), t("line"), t("field"), t("reason")],
      data.quarantine.map((r) => [bdi(r.file), num(r.line), bdi(r.field || ""), bdi(r.reason)]));
  }

  // -- small DOM helpers --------------------------------------------------------------------------
  function bdi(text) { const n = document.createElement("bdi"); n.dir = "auto"; n.textContent = text ?? ""; return n; }
  function span(text, cls) { const n = document.createElement("span"); n.className = cls; n.textContent = text; return n; }
  function num(v) {  // the raw value rides along for the CSV export (export.js)
    const n = span(fmtNum(v), "num");
    if (v !== null && v !== undefined && !Number.isNaN(Number(v))) n.dataset.value = String(v);
    return n;
  }
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
      wanted.delete("lang");
      if (wanted.get("page") && `${wanted}` !== state.hash && state.role) show(wanted.get("page"), wanted);
    };
    $("trends-form").onchange = () => loadTrends().catch(report);
    $("recs-form").onchange = () => loadRecs().catch(report);
    $("local-share").oninput = () => loadRecs().catch(report);
    $("audience-form").onsubmit = (e) => findAudience(e).catch(report);
    $("export-form").onsubmit = (e) => exportAudience(e).catch(report);
    $("recs-search").oninput = () => searchMembers();
    $("lift-form").onsubmit = (e) => {
      e.preventDefault();
      if (liftCampaign) showLift(liftCampaign, $("lift-form").elements.title_id.value.trim()).catch(report);
    };
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
    window.HALQA_EXPLORE.mountSearch(context());
    show(fragment.get("page"), fragment);
  }

  // What the page files (explore.js) may use of this one.
  function context() {
    return { api, t, report, busy, bdi, span, num, fillTable, label, kindLabel, languageLabel, fmtNum, fmtDate,
      timeChart, lang: state.lang,
      canSee: (path) => !!state.paths[path] && (path !== "/v1/recommender/members" || ["admin", "analyst"].includes(state.role)) };
  }

  // A weekly chart with the seasons of its weeks shaded (the Hijri calendar of halqa.insights, /v1/seasons).
  async function timeChart(node, weeks, series, partial, isCurrent) {
    let seasons = [];
    if (weeks.length && state.paths["/v1/seasons"]) {
      const end = new Date(`${weeks[weeks.length - 1]}T00:00:00Z`);
      end.setUTCDate(end.getUTCDate() + 7);
      seasons = (await api("/v1/seasons", [["start", weeks[0]], ["end", end.toISOString().slice(0, 10)]])).items
        .map((x) => ({ ...x, label: t(`season_${x.name}`) }));
    }
    if (isCurrent && !isCurrent()) return;  // newer pickers drew their own chart meanwhile
    HalqaCharts.lines(node, weeks, series, state.lang === "ar", partial || [], t("partial_week"), seasons);
  }

  start().catch(report);
})();

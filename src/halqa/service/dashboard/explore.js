// halqa dashboard: a page per title and per creator (audience, weekly plays with the seasons shaded,
// fans also like), the search box in the header, and the Model page (what is served, when it was
// trained, its last evaluation). Loaded before app.js, which lists the pages and passes its helpers.
(function () {
  window.HALQA_I18N.add({
    profile: { en: "Profile", fr: "Fiche", ar: "بطاقة" },
    model: { en: "Model", fr: "Modèle", ar: "النموذج" },
    weekly_plays: { en: "Weekly plays", fr: "Écoutes par semaine", ar: "المشاهدات أسبوعيًا" },
    fans_also_like: { en: "Fans also like", fr: "Les fans aiment aussi", ar: "يحب المعجبون أيضًا" },
    shared_fans: { en: "Shared fans", fr: "Fans en commun", ar: "معجبون مشتركون" },
    lift: { en: "Lift", fr: "Indice", ar: "المؤشر" },
    audience_of: { en: "{n} members played it in these {weeks} weeks", fr: "{n} membres l'ont écouté ces {weeks} semaines", ar: "{n} عضوًا شاهدوه خلال {weeks} أسبوعًا" },
    audience_small: { en: "Fewer than {k} members played it in these weeks: its audience is suppressed.", fr: "Moins de {k} membres l'ont écouté ces semaines : son audience est masquée.", ar: "شاهده أقل من {k} أعضاء خلال هذه الأسابيع: جمهوره محجوب." },
    weeks_suppressed: { en: "Every week had fewer than {k} members: weekly plays are suppressed.", fr: "Chaque semaine compte moins de {k} membres : les écoutes hebdomadaires sont masquées.", ar: "كل أسبوع ضم أقل من {k} أعضاء: المشاهدات الأسبوعية محجوبة." },
    by_creators: { en: "by", fr: "par", ar: "من إنجاز" },
    released: { en: "released {date}", fr: "sorti le {date}", ar: "صدر في {date}" },
    creator_facts: { en: "{titles} titles in the catalogue", fr: "{titles} titres au catalogue", ar: "{titles} عنوانًا في الفهرس" },
    debut: { en: "debut {year}", fr: "débuts en {year}", ar: "البداية {year}" },
    moroccan_creator: { en: "Moroccan creator", fr: "Créateur marocain", ar: "مبدع مغربي" },
    search_all: { en: "Search titles, creators, members", fr: "Chercher titres, créateurs, membres", ar: "ابحث عن عناوين ومبدعين وأعضاء" },
    search_none: { en: "No match.", fr: "Aucun résultat.", ar: "لا نتيجة." },
    titles_found: { en: "Titles", fr: "Titres", ar: "العناوين" },
    creators_found: { en: "Creators", fr: "Créateurs", ar: "المبدعون" },
    members_found: { en: "Members", fr: "Membres", ar: "الأعضاء" },
    season_shade: { en: "shaded: {season}", fr: "en grisé : {season}", ar: "مظلل: {season}" },
    served_model: { en: "Model served", fr: "Modèle servi", ar: "النموذج المعتمد" },
    trained_at: { en: "Trained", fr: "Entraîné le", ar: "تاريخ التدريب" },
    model_members: { en: "Members known", fr: "Membres connus", ar: "الأعضاء المعروفون" },
    model_titles: { en: "Titles known", fr: "Titres connus", ar: "العناوين المعروفة" },
    folded_events: { en: "Events folded in since loading", fr: "Événements intégrés depuis le chargement", ar: "أحداث أُدمجت منذ التحميل" },
    fit_seconds: { en: "Training time (s)", fr: "Durée d'entraînement (s)", ar: "مدة التدريب (ث)" },
    validation_ndcg: { en: "Validation NDCG@10 (tuning)", fr: "NDCG@10 de validation (réglage)", ar: "NDCG@10 للتحقق (الضبط)" },
    last_evaluation: { en: "Last evaluation", fr: "Dernière évaluation", ar: "آخر تقييم" },
    // the command and "k = …" isolated (FSI … PDI) so they read left to right inside Arabic
    evaluated_at: { en: "halqa evaluate, {date}, k = {k}", fr: "halqa evaluate, {date}, k = {k}", ar: "\u2068halqa evaluate\u2069، {date}، \u2068k = {k}\u2069" },
    no_evaluation: { en: "No evaluation recorded yet: run halqa evaluate on this store.", fr: "Aucune évaluation enregistrée : lancez halqa evaluate sur ce magasin.", ar: "لا تقييم مسجل بعد: شغّل halqa evaluate على هذا المخزن." },
    model_unavailable: { en: "No model is served:", fr: "Aucun modèle n'est servi :", ar: "لا نموذج معتمد:" },
    split_model: { en: "Split / model", fr: "Découpage / modèle", ar: "التقسيم / النموذج" },
    m_recall: { en: "Recall@{k}", fr: "Rappel@{k}", ar: "الاستدعاء@{k}" },
    m_ndcg: { en: "NDCG@{k}", fr: "NDCG@{k}", ar: "NDCG@{k}" },
    m_hit: { en: "Hit rate@{k}", fr: "Taux de succès@{k}", ar: "معدل الإصابة@{k}" },
    coverage: { en: "Coverage", fr: "Couverture", ar: "التغطية" },
    local_share_col: { en: "Moroccan share", fr: "Part marocaine", ar: "الحصة المغربية" },
    field_col: { en: "Field", fr: "Champ", ar: "الحقل" },
    value_col: { en: "Value", fr: "Valeur", ar: "القيمة" },
  });

  const $ = (id) => document.getElementById(id);
  const GENDERS = new Set(["F", "M", "X"]);

  // A link to a title's or a creator's page: the name stays data (isolated, in its own script).
  function link(ctx, entity, id, name) {
    const a = document.createElement("a");
    a.href = `#page=profile&${entity}=${encodeURIComponent(id)}`;
    a.className = "entity";
    a.dataset[entity] = id;
    a.appendChild(ctx.bdi(name || id));
    return a;
  }

  // -- one title or creator --------------------------------------------------------------------
  let profileRequest = 0;
  async function loadProfile(ctx) {
    ctx.report();
    const want = new URLSearchParams(location.hash.slice(1));
    const entity = want.get("creator") ? "creator" : "title";
    const id = want.get(entity);
    const mine = ++profileRequest;
    for (const n of ["profile-age", "profile-gender", "profile-region", "profile-timeline", "profile-fans", "profile-facts"]) $(n).replaceChildren();
    $("profile-note").textContent = "";
    $("profile-name").replaceChildren();
    if (!id) { $("profile-note").textContent = ctx.t("search_all"); return; }
    const path = entity === "title" ? `/v1/titles/${encodeURIComponent(id)}/profile` : `/v1/creators/${encodeURIComponent(id)}/profile`;
    const p = await ctx.busy(null, $("page-profile"), () => ctx.api(path, [["weeks", 52]]));
    if (mine !== profileRequest) return;
    $("profile-name").replaceChildren(ctx.bdi(p.name || p.id));
    $("profile-facts").replaceChildren(...facts(ctx, p));
    const counts = p.audience || {};
    const size = Object.values(counts.gender || {}).reduce((a, v) => a + (v || 0), 0);
    const fans = p.fans_also_like || {};
    $("profile-note").textContent = fans.target_audience
      ? ctx.t("audience_of", { n: ctx.fmtNum(fans.target_audience), weeks: ctx.fmtNum(p.window.weeks) })
      : ctx.t("audience_small", { k: ctx.fmtNum(p.k) });
    const bars = (dim, name) => Object.entries(counts[dim] || {}).map(([key, value]) => ({
      label: value === null ? `${name(key)} (${ctx.t("suppressed", { k: ctx.fmtNum(p.k) })})` : name(key), value: value || 0 }));
    if (size || fans.target_audience) {
      HalqaCharts.bars($("profile-age"), bars("age_band", (v) => v));
      HalqaCharts.bars($("profile-gender"), bars("gender", (v) => (GENDERS.has(v) ? ctx.t(`gender_${v}`) : v)));
      HalqaCharts.bars($("profile-region"), bars("region", (v) => ctx.label("regions", v)));
    }
    const tl = p.timeline;
    if (tl.weeks.length && tl.plays.every((v) => v === null)) {
      $("profile-timeline").textContent = ctx.t("weeks_suppressed", { k: ctx.fmtNum(p.k) });
    } else {
      await ctx.timeChart($("profile-timeline"), tl.weeks, [{ name: ctx.t("plays"), values: tl.plays }], tl.partial);
    }
    const rows = fans.rows || [];
    ctx.fillTable($("profile-fans"), [ctx.t(entity), ctx.t("shared_fans"), ctx.t("lift")],
      rows.map((r) => [link(ctx, entity, r.item, r.name), ctx.num(r.overlap), ctx.num(r.lift)]));
  }

  function facts(ctx, p) {
    const out = [];
    const sep = () => document.createTextNode(" · ");
    if (p.entity === "title") {
      out.push(ctx.span(ctx.kindLabel(p.kind), "fact"));
      for (const g of p.genres || []) out.push(sep(), ctx.bdi(ctx.label("genres", g)));
      if (p.language) out.push(sep(), ctx.span(ctx.languageLabel(p.language), "fact"));
      if (p.release_date) out.push(sep(), ctx.span(ctx.t("released", { date: ctx.fmtDate(p.release_date) }), "fact"));
      if ((p.creators || []).length) {
        out.push(sep(), ctx.span(ctx.t("by_creators"), "fact"), document.createTextNode(" "));
        p.creators.forEach((c, i) => {
          if (i) out.push(document.createTextNode(", "));
          out.push(link(ctx, "creator", c.id, c.name));
          if (c.country === "MA") out.push(ctx.span(ctx.t("moroccan_creator"), "tag"));
        });
      }
    } else {
      out.push(ctx.span(ctx.t("creator_facts", { titles: ctx.fmtNum(p.titles) }), "fact"));
      if (p.debut_year) out.push(sep(), ctx.span(ctx.t("debut", { year: p.debut_year }), "fact"));
      if (p.region) out.push(sep(), ctx.bdi(ctx.label("regions", p.region)));
      if (p.country === "MA") out.push(ctx.span(ctx.t("moroccan_creator"), "tag"));
    }
    return out;
  }

  // -- the header's search box -------------------------------------------------------------------
  let searchTimer = null, searchRequest = 0;
  function mountSearch(ctx) {
    const box = $("search");
    const list = $("search-results");
    box.oninput = () => {
      clearTimeout(searchTimer);
      const q = box.value.trim();
      if (!q) { list.hidden = true; list.replaceChildren(); return; }
      searchTimer = setTimeout(() => search(ctx, q).catch(ctx.report), 250);
    };
    box.onkeydown = (e) => { if (e.key === "Escape") { list.hidden = true; } };
    list.onclick = (e) => { if (e.target.closest("a")) { list.hidden = true; box.value = ""; } };
  }

  async function search(ctx, q) {
    const mine = ++searchRequest;
    const [found, members] = await Promise.all([
      ctx.api("/v1/search", [["q", q], ["limit", 8]]),
      ctx.canSee("/v1/recommender/members") ? ctx.api("/v1/recommender/members", [["q", q], ["limit", 5]]).then((page) => page.items) : [],
    ]);
    if (mine !== searchRequest) return;
    const list = $("search-results");
    const items = [];
    const group = (key, rows, make) => {
      if (!rows.length) return;
      const head = document.createElement("li");
      head.className = "group";
      head.textContent = ctx.t(key);
      items.push(head);
      for (const r of rows) { const li = document.createElement("li"); li.append(...make(r)); items.push(li); }
    };
    group("titles_found", found.titles, (r) => {
      const extra = [r.creators, r.year].filter(Boolean).join(", ");
      return [link(ctx, "title", r.id, r.name), ...(extra ? [document.createTextNode(" "), ctx.bdi(`(${extra})`)] : [])];
    });
    group("creators_found", found.creators, (r) => [link(ctx, "creator", r.id, r.name)]);
    group("members_found", members, (m) => {
      const a = document.createElement("a");
      a.href = `#page=recommendations&member=${encodeURIComponent(m.member_id)}`;
      a.appendChild(ctx.bdi(m.member_id));
      return [a];
    });
    if (!items.length) { const li = document.createElement("li"); li.textContent = ctx.t("search_none"); items.push(li); }
    list.replaceChildren(...items);
    list.hidden = false;
  }

  // -- the model being served ------------------------------------------------------------------
  async function loadModel(ctx) {
    ctx.report();
    const info = await ctx.api("/v1/recommender");
    $("model-note").replaceChildren();
    if (!info.available) {
      $("model-note").append(`${ctx.t("model_unavailable")} `, ctx.bdi(info.reason || ""));
      ctx.fillTable($("model-facts"), [ctx.t("field_col"), ctx.t("value_col")], []);
      ctx.fillTable($("model-eval"), [ctx.t("split_model")], []);
      return;
    }
    const status = info.status || {};
    const training = status.training || {};
    const rows = [["served_model", ctx.bdi(info.model)], ["trained_at", ctx.bdi(ctx.fmtDate(isoUtc(status.trained_at)))],
      ["model_members", ctx.num(info.members)], ["model_titles", ctx.num(info.titles)],
      ["folded_events", ctx.num(info.folded_events)]];
    if (training.fit_seconds !== undefined) rows.push(["fit_seconds", ctx.num(training.fit_seconds)]);
    if (training.tuning) rows.push(["validation_ndcg", ctx.num(training.tuning["validation_ndcg@10"])]);
    ctx.fillTable($("model-facts"), [ctx.t("field_col"), ctx.t("value_col")], rows.map(([k, v]) => [ctx.t(k), v]));
    const evaluation = status.evaluation;
    if (!evaluation) {
      $("model-eval-note").textContent = ctx.t("no_evaluation");
      ctx.fillTable($("model-eval"), [ctx.t("split_model")], []);
      return;
    }
    const k = evaluation.k;
    const isolated = (v) => `\u2068${v}\u2069`;  // a date keeps its own order inside the sentence
    $("model-eval-note").textContent = ctx.t("evaluated_at", { date: isolated(ctx.fmtDate(isoUtc(evaluation.recorded_at))), k: ctx.fmtNum(k) });
    const cols = [`recall@${k}`, `ndcg@${k}`, `hit_rate@${k}`, "coverage", "local_share"];
    const served = (name) => name.split("/")[1] === info.model;
    const entries = Object.entries(evaluation.results || {}).sort(([a], [b]) => Number(served(b)) - Number(served(a)));
    const at = { k: ctx.fmtNum(k) };
    ctx.fillTable($("model-eval"), [ctx.t("split_model"), ctx.t("m_recall", at), ctx.t("m_ndcg", at), ctx.t("m_hit", at),
      ctx.t("coverage"), ctx.t("local_share_col")],
      entries.map(([name, row]) => [ctx.bdi(name), ...cols.map((c) => ctx.num(row[c] === undefined ? null : Number(Number(row[c]).toFixed(4))))]));
    $("model-eval").querySelectorAll("tbody tr").forEach((tr, i) => { if (entries[i] && served(entries[i][0])) tr.classList.add("served"); });
  }

  // "2026-12-01T10:00:00+00:00" -> "2026-12-01 10:00:00" (app.js formats UTC stamps without a zone)
  function isoUtc(stamp) { return stamp ? String(stamp).replace("T", " ").replace(/(\+00:00|Z)$/, "").slice(0, 19) : null; }

  window.HALQA_EXPLORE = { loadProfile, loadModel, mountSearch, link };
})();

// halqa dashboard, Script page: paste or open a Fountain/FDX script, preview it (each block in its own
// direction), breakdown tables, beat map, drafts with the server's model as proposals to accept or
// reject. Loaded before app.js, which lists the page and calls HALQA_SCRIPT.load(ctx).
(function () {
  window.HALQA_I18N.add({
    script: { en: "Script", fr: "Scénario", ar: "سيناريو" },
    s_paste: { en: "Paste a Fountain or Final Draft (FDX) script, or open a file.", fr: "Collez un scénario Fountain ou Final Draft (FDX), ou ouvrez un fichier.", ar: "الصق سيناريو بصيغة Fountain أو Final Draft (FDX)، أو افتح ملفاً." },
    s_file: { en: "File", fr: "Fichier", ar: "ملف" },
    s_paper: { en: "Paper", fr: "Papier", ar: "الورق" },
    s_letter: { en: "US Letter", fr: "US Letter", ar: "ليتر أمريكي" },
    s_a4: { en: "A4", fr: "A4", ar: "A4" },
    s_run: { en: "Analyse", fr: "Analyser", ar: "حلّل" },
    s_preview: { en: "Preview", fr: "Aperçu", ar: "معاينة" },
    s_scenes: { en: "Scenes", fr: "Scènes", ar: "المشاهد" },
    s_characters: { en: "Characters", fr: "Personnages", ar: "الشخصيات" },
    s_scene: { en: "Scene", fr: "Scène", ar: "المشهد" },
    s_heading: { en: "Heading", fr: "En-tête", ar: "العنوان" },
    s_length: { en: "Length (pages)", fr: "Durée (pages)", ar: "الطول (صفحات)" },
    s_cast: { en: "Cast", fr: "Distribution", ar: "الممثلون" },
    s_items: { en: "Props, costumes, VFX", fr: "Accessoires, costumes, VFX", ar: "الإكسسوارات والأزياء والمؤثرات" },
    s_name: { en: "Name", fr: "Nom", ar: "الاسم" },
    s_lines: { en: "Lines", fr: "Répliques", ar: "الأسطر" },
    s_words: { en: "Words", fr: "Mots", ar: "الكلمات" },
    s_languages: { en: "Languages", fr: "Langues", ar: "اللغات" },
    s_pages: { en: "{pages} pages; about {minutes} minutes at a page a minute (a weak predictor for any one film)", fr: "{pages} pages ; environ {minutes} minutes à une page par minute (un indicateur faible pour un film donné)", ar: "{pages} صفحات؛ حوالي {minutes} دقيقة بحساب صفحة في الدقيقة (مؤشر ضعيف لأي فيلم بعينه)" },
    s_beats: { en: "Beat map", fr: "Carte des temps forts", ar: "خريطة المحطات" },
    s_beat: { en: "Beat", fr: "Temps fort", ar: "المحطة" },
    s_target: { en: "Target pages", fr: "Pages visées", ar: "الصفحات المستهدفة" },
    s_page: { en: "Page", fr: "Page", ar: "الصفحة" },
    s_status: { en: "Status", fr: "État", ar: "الحالة" },
    s_on_target: { en: "on target", fr: "dans la cible", ar: "في موضعها" },
    s_early: { en: "early", fr: "en avance", ar: "مبكرة" },
    s_late: { en: "late", fr: "en retard", ar: "متأخرة" },
    s_missing: { en: "missing", fr: "absent", ar: "غائبة" },
    s_acts: { en: "Act {act}: pages {start}–{end} ({pages} pages)", fr: "Acte {act} : pages {start}–{end} ({pages} pages)", ar: "الفصل {act}: الصفحات {start}–{end} ({pages} صفحات)" },
    s_download: { en: "Download", fr: "Télécharger", ar: "تنزيل" },
    s_drafting_title: { en: "Drafting", fr: "Rédaction", ar: "الكتابة" },
    s_save_as: { en: "Save as", fr: "Enregistrer sous", ar: "احفظ باسم" },
    s_task: { en: "Task", fr: "Tâche", ar: "المهمة" },
    s_draft: { en: "Draft", fr: "Rédiger", ar: "اكتب مسودة" },
    s_task_continue: { en: "Continue the last scene", fr: "Continuer la dernière scène", ar: "أكمل المشهد الأخير" },
    s_task_tighten: { en: "Tighten the last scene", fr: "Resserrer la dernière scène", ar: "شدّ المشهد الأخير" },
    s_task_adapt_fr: { en: "Adapt the dialogue to French", fr: "Adapter les dialogues en français", ar: "كيّف الحوار إلى الفرنسية" },
    s_task_adapt_ary: { en: "Adapt the dialogue to Darija", fr: "Adapter les dialogues en darija", ar: "كيّف الحوار إلى الدارجة" },
    s_drafting: { en: "Drafting…", fr: "Rédaction…", ar: "جارٍ الكتابة…" },
    s_failed: { en: "The draft failed: {error}", fr: "La rédaction a échoué : {error}", ar: "فشلت الكتابة: {error}" },
    s_proposals: { en: "Proposals", fr: "Propositions", ar: "الاقتراحات" },
    s_none: { en: "No proposals yet.", fr: "Aucune proposition pour l'instant.", ar: "لا اقتراحات بعد." },
    s_accept: { en: "Accept", fr: "Accepter", ar: "قبول" },
    s_reject: { en: "Reject", fr: "Refuser", ar: "رفض" },
    s_pending: { en: "pending", fr: "en attente", ar: "قيد الانتظار" },
    s_accepted: { en: "accepted", fr: "acceptée", ar: "مقبول" },
    s_rejected: { en: "rejected", fr: "refusée", ar: "مرفوض" },
    s_rule: { en: "Nothing generated enters the script until a person accepts it.", fr: "Rien de généré n'entre dans le scénario avant qu'une personne l'accepte.", ar: "لا يدخل أي نص مولَّد إلى السيناريو حتى يقبله شخص." },
    "sl_ary-Arab": { en: "Darija (Arabic script)", fr: "Darija (écriture arabe)", ar: "الدارجة (بالحرف العربي)" },
    "sl_ary-Latn": { en: "Darija (Arabizi)", fr: "Darija (arabizi)", ar: "الدارجة (بالحرف اللاتيني)" },
    "sl_arb-Arab": { en: "Standard Arabic", fr: "Arabe standard", ar: "العربية الفصحى" },
    "sl_ara-Arab": { en: "Arabic", fr: "Arabe", ar: "العربية" },
    "sl_fra-Latn": { en: "French", fr: "Français", ar: "الفرنسية" },
    "sl_eng-Latn": { en: "English", fr: "Anglais", ar: "الإنجليزية" },
    "sl_zgh-Tfng": { en: "Tamazight (Tifinagh)", fr: "Tamazight (tifinagh)", ar: "الأمازيغية (تيفيناغ)" },
    "sl_und-Latn": { en: "Latin script", fr: "Écriture latine", ar: "حرف لاتيني" },
    s_develop_title: { en: "Develop from the audience", fr: "Développer à partir du public", ar: "طوّر انطلاقاً من الجمهور" },
    s_develop_note: { en: "A development pack from the insights brief: every line cites the brief's figures.", fr: "Un dossier de développement tiré de la note d'audience : chaque ligne cite les chiffres de la note.", ar: "ملف تطوير من موجز الجمهور: كل سطر يستشهد بأرقام الموجز." },
    s_segment: { en: "Segment", fr: "Segment", ar: "الشريحة" },
    s_window: { en: "Window", fr: "Fenêtre", ar: "المدة" },
    s_as_of: { en: "As of", fr: "À la date du", ar: "بتاريخ" },
    s_develop: { en: "Develop", fr: "Développer", ar: "طوّر" },
    s_pack_summary: { en: "{segment}: {lines} lines citing {figures} figures of the brief", fr: "{segment} : {lines} lignes citant {figures} chiffres de la note", ar: "{segment}: {lines} أسطر تستشهد بـ {figures} رقماً من الموجز" },
    s_pack_suppressed: { en: "{segment}: fewer members than the service shows (k); no figure, no line.", fr: "{segment} : moins de membres que le seuil du service (k) ; aucun chiffre, aucune ligne.", ar: "{segment}: أعضاء أقل من عتبة الخدمة (k)؛ لا أرقام ولا أسطر." },
    s_pack_missing: { en: "No figure in the brief for: {topics}. Decide these yourself.", fr: "Aucun chiffre de la note pour : {topics}. À vous de décider.", ar: "لا رقم في الموجز لـ: {topics}. قرّرها بنفسك." },
    s_list_sep: { en: ", ", fr: ", ", ar: "، " },
    st_audience: { en: "audience", fr: "public", ar: "الجمهور" },
    st_genre: { en: "genre", fr: "genre", ar: "النوع" },
    st_theme: { en: "themes", fr: "thèmes", ar: "المواضيع" },
    st_language: { en: "language", fr: "langue", ar: "اللغة" },
    st_format: { en: "format", fr: "format", ar: "الصيغة" },
    st_length: { en: "length", fr: "durée", ar: "الطول" },
    st_comparables: { en: "comparable titles", fr: "titres comparables", ar: "أعمال مماثلة" },
    sb_openingimage: { en: "Opening Image", fr: "Image d'ouverture", ar: "الصورة الافتتاحية" },
    sb_themestated: { en: "Theme Stated", fr: "Thème énoncé", ar: "طرح الموضوع" },
    sb_setup: { en: "Set-Up", fr: "Mise en place", ar: "التمهيد" },
    sb_catalyst: { en: "Catalyst", fr: "Élément déclencheur", ar: "الحدث المحفّز" },
    sb_debate: { en: "Debate", fr: "Hésitation", ar: "التردد" },
    sb_breakintotwo: { en: "Break into Two", fr: "Passage à l'acte deux", ar: "الانتقال إلى الفصل الثاني" },
    sb_bstory: { en: "B Story", fr: "Intrigue secondaire", ar: "الحبكة الثانوية" },
    sb_funandgames: { en: "Fun and Games", fr: "Promesse du concept", ar: "المتعة واللعب" },
    sb_midpoint: { en: "Midpoint", fr: "Point médian", ar: "نقطة المنتصف" },
    sb_badguysclosein: { en: "Bad Guys Close In", fr: "Les méchants se rapprochent", ar: "اقتراب الخصوم" },
    sb_allislost: { en: "All Is Lost", fr: "Tout est perdu", ar: "ضياع كل شيء" },
    sb_darknightofthesoul: { en: "Dark Night of the Soul", fr: "Nuit noire de l'âme", ar: "ليلة الروح المظلمة" },
    sb_breakintothree: { en: "Break into Three", fr: "Passage à l'acte trois", ar: "الانتقال إلى الفصل الثالث" },
    sb_finale: { en: "Finale", fr: "Final", ar: "الخاتمة" },
    sb_finalimage: { en: "Final Image", fr: "Image finale", ar: "الصورة الختامية" },
  });
  // The API names a beat in English; its key is the name's letters ("Set-Up" -> sb_setup).
  const beatKey = (name) => "sb_" + name.toLowerCase().replace(/[^a-z]/g, "");

  const TASKS = { continue: { task: "continue" }, tighten: { task: "tighten" },
    adapt_fr: { task: "adapt", to: "fr" }, adapt_ary: { task: "adapt", to: "ary" } };
  const DRAFT_TOKENS = 300;  // a scene's worth; the page waits for the whole block
  const $ = (id) => document.getElementById(id);
  let ctx = null;
  let ready = false;
  let format = "fountain";
  let last = null;  // the last analysis, redrawn when the language changes
  let lastPack = null;  // the last development pack, likewise

  // Requests go through app.js's one helper (ctx.api); `as` asks for a text or blob answer.
  const post = (path, body, as) => ctx.api(path, null, { method: "POST", json: body, as });
  const bdi = (text) => { const n = document.createElement("bdi"); n.textContent = text; return n; };
  const num = (v) => { const n = document.createElement("span"); n.className = "num"; n.textContent = v; return n; };
  // "Darija (Arabic script) 12, French 5": each label its own text node (translated), counts as numbers
  const langs = (mix) => {
    const cell = document.createElement("span");
    Object.entries(mix || {}).forEach(([k, v], i) => cell.append(...(i ? [", "] : []), ctx.t("sl_" + k), " ", num(v)));
    return cell;
  };

  function fillTable(id, headers, rows) {
    const t = $(id);
    const head = document.createElement("tr");
    for (const h of headers) { const th = document.createElement("th"); th.textContent = ctx.t(h); head.append(th); }
    const thead = document.createElement("thead"); thead.append(head);
    const tbody = document.createElement("tbody");
    for (const cells of rows) {
      const tr = document.createElement("tr");
      for (const c of cells) { const td = document.createElement("td"); td.append(c); tr.append(td); }
      tbody.append(tr);
    }
    t.replaceChildren(thead, tbody);
  }

  function body() {
    return { text: $("script-text").value, format, paper: $("script-paper").value };
  }

  async function load(context) {
    ctx = context;
    if (!ready) {
      ready = true;
      $("script-form").onsubmit = (e) => { e.preventDefault(); analyse().catch(ctx.report); };
      $("script-file").onchange = () => openFile().catch(ctx.report);
      $("script-text").oninput = () => { format = $("script-text").value.trimStart().startsWith("<") ? "fdx" : "fountain"; };
      $("script-draft-form").onsubmit = (e) => { e.preventDefault(); draft().catch(ctx.report); };
      $("script-develop-form").onsubmit = (e) => { e.preventDefault(); develop().catch(ctx.report); };
      document.querySelectorAll("#script-downloads [data-to]").forEach((a) => {
        a.onclick = (e) => { e.preventDefault(); download(a.dataset.to).catch(ctx.report); };
      });
    }
    if (last) render(last);
    if (lastPack) renderPack(lastPack);
    await showProposals();
  }

  async function openFile() {
    const file = $("script-file").files[0];
    if (!file) return;
    $("script-text").value = await file.text();
    format = file.name.toLowerCase().endsWith(".fdx") ? "fdx" : "fountain";
    $("script-name").value = file.name.replace(/\.fdx$/i, ".fountain").replace(/[^\w.\-]/g, "_");
    await analyse();
  }

  async function analyse() {
    ctx.report();
    const [html, breakdown, beats] = await Promise.all([
      post("/v1/script/export", { ...body(), to: "html" }, "text"),
      post("/v1/script/breakdown", body()), post("/v1/script/beats", body())]);
    last = { html, breakdown, beats };
    render(last);
  }

  function render({ html, breakdown, beats }) {
    $("script-preview").srcdoc = html;  // sandboxed: the script's HTML runs no code
    $("script-summary").textContent = ctx.t("s_pages", { pages: breakdown.pages, minutes: breakdown.runtime.minutes });
    fillTable("script-scenes", ["s_scene", "s_heading", "s_length", "s_cast", "s_items"], breakdown.scenes.map((s) => [
      num(s.scene || ""), bdi(s.heading), num(s.length), bdi(s.cast.join(", ")),
      bdi(Object.entries(s.items).map(([k, v]) => `${k}: ${v.join(", ")}`).join("; "))]));
    fillTable("script-characters", ["s_name", "s_lines", "s_words", "s_scene", "s_languages"],
      breakdown.characters.map((c) => [bdi(c.name), num(c.lines), num(c.words), num(c.scenes.join(", ")),
        langs(c.languages)]));
    fillTable("script-beat-table", ["s_beat", "s_target", "s_page", "s_status"], beats.beats.map((b) => [
      ctx.t(beatKey(b.beat)), num(`${b.target[0]}–${b.target[1]}`), num(b.page ?? "–"),
      ctx.t("s_" + b.status.replace(" ", "_"))]));
    $("script-acts").replaceChildren(...beats.acts.map((a) => {
      const li = document.createElement("li"); li.textContent = ctx.t("s_acts", a); return li;
    }));
    drawBeats(beats);
    $("script-result").hidden = false;
  }

  // Pages along the reading direction; each beat's target range as a band, the draft's beat as a dot.
  function drawBeats(beats) {
    const svg = $("script-beat-map");
    const ns = "http://www.w3.org/2000/svg";
    const width = 1000, row = 14, height = row * beats.beats.length + 20;
    const rtl = document.documentElement.dir === "rtl";
    const x = (p) => { const v = ((p - 1) / Math.max(1, beats.pages)) * (width - 20) + 10; return rtl ? width - v : v; };
    svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
    svg.replaceChildren();
    beats.beats.forEach((b, i) => {
      const y = 10 + i * row;
      const band = document.createElementNS(ns, "rect");
      const [a, c] = [x(b.target[0]), x(b.target[1] + 1)];
      band.setAttribute("x", Math.min(a, c)); band.setAttribute("width", Math.max(3, Math.abs(c - a)));
      band.setAttribute("y", y); band.setAttribute("height", row - 4); band.setAttribute("class", "beat-target");
      const title = document.createElementNS(ns, "title"); title.textContent = ctx.t(beatKey(b.beat)); band.append(title);
      svg.append(band);
      if (b.page) {
        const dot = document.createElementNS(ns, "circle");
        dot.setAttribute("cx", x(b.page + 0.5)); dot.setAttribute("cy", y + (row - 4) / 2); dot.setAttribute("r", 5);
        dot.setAttribute("class", `beat-found beat-${b.status.replace(" ", "-")}`);
        svg.append(dot);
      }
    });
  }

  async function download(to) {
    const file = await post("/v1/script/export", { ...body(), to }, "blob");
    const link = document.createElement("a");
    link.href = URL.createObjectURL(file);
    link.download = ($("script-name").value || "script.fountain").replace(/\.\w+$/, "") + "." + to;
    link.click();
    setTimeout(() => URL.revokeObjectURL(link.href), 10000);
  }

  async function draft() {
    ctx.report();
    const saved = await ctx.api(`/v1/script/scripts/${encodeURIComponent($("script-name").value)}`, null,
      { method: "PUT", body: $("script-text").value, type: "text/plain; charset=utf-8" });
    $("script-name").value = saved.name;
    let job = await post(`/v1/script/scripts/${encodeURIComponent(saved.name)}/draft`,
      { ...TASKS[$("script-task").value], max_tokens: DRAFT_TOKENS });
    $("script-stream").hidden = false;
    while (job.status === "queued" || job.status === "running") {
      $("script-progress").textContent = ctx.t("s_drafting");
      $("script-stream-text").textContent = job.text;
      await new Promise((r) => setTimeout(r, 400));
      job = await ctx.api(`/v1/script/jobs/${job.id}`);
    }
    $("script-progress").textContent = "";
    $("script-stream-text").textContent = job.text;
    if (job.status !== "done") throw new Error(ctx.t("s_failed", { error: job.error }));
    await showProposals();
  }

  // The pack from the store's brief (POST /v1/script/develop): its lines are the server's English
  // sentences with the brief's figures, shown as data (<bdi>), each with the ids it cites.
  async function develop() {
    ctx.report();
    const segment = $("script-segment").value.split(",").map((s) => s.trim()).filter(Boolean);
    const request = { segment, window: $("script-window").value };
    if ($("script-as-of").value) request.as_of = $("script-as-of").value;
    lastPack = await post("/v1/script/develop", request);
    renderPack(lastPack);
  }

  function renderPack({ pack }) {
    const key = pack.suppressed ? "s_pack_suppressed" : "s_pack_summary";
    $("script-pack-summary").textContent = ctx.t(key, { segment: pack.segment, lines: pack.lines.length, figures: pack.figures.length });
    $("script-pack").replaceChildren(...pack.lines.map((line) => {
      const item = document.createElement("li");
      item.dataset.topic = line.topic;
      item.append(bdi(line.text.replace(/\*\*/g, "")), " ", bdi(line.figures.map((f) => `[${f}]`).join(" ")));
      return item;
    }));
    const missing = $("script-pack-missing");
    missing.hidden = pack.suppressed || !pack.missing.length;
    missing.textContent = missing.hidden ? "" : ctx.t("s_pack_missing", { topics: pack.missing.map((topic) => ctx.t("st_" + topic)).join(ctx.t("s_list_sep")) });
  }

  async function showProposals() {
    const { items: proposals } = await ctx.api("/v1/studio/proposals", [["kind", "script"]]);
    const list = $("script-proposals");
    list.replaceChildren();
    $("script-no-proposals").hidden = proposals.length > 0;
    for (const p of proposals.slice().reverse()) {
      const item = document.createElement("li");
      item.className = "proposal";
      item.dataset.id = p.id;
      const head = document.createElement("p");
      const status = document.createElement("span");
      status.className = "proposal-status";
      status.textContent = ctx.t("s_" + p.status);
      head.append(bdi(p.id), " ", status);
      const text = document.createElement("pre");
      text.dir = "auto";
      text.append(bdi(p.payload.fountain || ""));
      item.append(head, text);
      if (p.status === "pending") {
        for (const verb of ["accept", "reject"]) {
          const button = document.createElement("button");
          button.type = "button";
          button.className = `proposal-${verb}`;
          button.textContent = ctx.t("s_" + verb);
          button.onclick = () => decide(p, verb).catch(ctx.report);
          item.append(button, " ");
        }
      }
      list.append(item);
    }
  }

  async function decide(proposal, verb) {
    const decided = await post(`/v1/studio/proposals/${proposal.id}/${verb}`, {});
    if (decided.inserted && $("script-name").value) {  // the block is in the stored script now: show it
      const stored = await ctx.api(`/v1/script/scripts/${encodeURIComponent($("script-name").value)}`);
      $("script-text").value = stored.fountain;
      format = "fountain";
      await analyse();
    }
    await showProposals();
  }

  window.HALQA_SCRIPT = { load };
})();

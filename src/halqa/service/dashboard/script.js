// halqa dashboard, Script page: paste or open a Fountain/FDX script, preview it (each block in its own
// direction), breakdown tables, beat map, drafts with the server's model as proposals to accept or
// reject. Loaded before app.js, which lists the page and calls HALQA_SCRIPT.load(ctx).
(function () {
  const BEATS = ["Opening Image", "Theme Stated", "Set-Up", "Catalyst", "Debate", "Break into Two", "B Story",
    "Fun and Games", "Midpoint", "Bad Guys Close In", "All Is Lost", "Dark Night of the Soul", "Break into Three",
    "Finale", "Final Image"];
  const beatKey = (name) => "sb_" + name.toLowerCase().replace(/[^a-z]/g, "");
  const table = (lang, strings, beats) => {
    Object.assign(window.HALQA_I18N[lang], strings);
    BEATS.forEach((b, i) => { window.HALQA_I18N[lang][beatKey(b)] = beats[i]; });
  };
  table("en", {
    script: "Script", s_paste: "Paste a Fountain or Final Draft (FDX) script, or open a file.", s_file: "File",
    s_paper: "Paper", s_letter: "US Letter", s_a4: "A4", s_run: "Analyse", s_preview: "Preview", s_scenes: "Scenes", s_characters: "Characters",
    s_scene: "Scene", s_heading: "Heading", s_length: "Length (pages)", s_cast: "Cast", s_items: "Props, costumes, VFX",
    s_name: "Name", s_lines: "Lines", s_words: "Words", s_languages: "Languages",
    s_pages: "{pages} pages; about {minutes} minutes at a page a minute (a weak predictor for any one film)",
    s_beats: "Beat map", s_beat: "Beat", s_target: "Target pages", s_page: "Page", s_status: "Status",
    s_on_target: "on target", s_early: "early", s_late: "late", s_missing: "missing",
    s_acts: "Act {act}: pages {start}–{end} ({pages} pages)", s_download: "Download",
    s_drafting_title: "Drafting", s_save_as: "Save as", s_task: "Task", s_draft: "Draft",
    s_task_continue: "Continue the last scene", s_task_tighten: "Tighten the last scene",
    s_task_adapt_fr: "Adapt the dialogue to French", s_task_adapt_ary: "Adapt the dialogue to Darija",
    s_drafting: "Drafting…", s_failed: "The draft failed: {error}", s_proposals: "Proposals",
    s_none: "No proposals yet.", s_accept: "Accept", s_reject: "Reject", s_pending: "pending",
    s_accepted: "accepted", s_rejected: "rejected",
    s_rule: "Nothing generated enters the script until a person accepts it.",
    "sl_ary-Arab": "Darija (Arabic script)", "sl_ary-Latn": "Darija (Arabizi)", "sl_arb-Arab": "Standard Arabic",
    "sl_ara-Arab": "Arabic", "sl_fra-Latn": "French", "sl_eng-Latn": "English", "sl_zgh-Tfng": "Tamazight (Tifinagh)",
    "sl_und-Latn": "Latin script",
  }, BEATS);
  table("fr", {
    script: "Scénario", s_paste: "Collez un scénario Fountain ou Final Draft (FDX), ou ouvrez un fichier.",
    s_file: "Fichier", s_paper: "Papier", s_letter: "US Letter", s_a4: "A4", s_run: "Analyser", s_preview: "Aperçu", s_scenes: "Scènes",
    s_characters: "Personnages", s_scene: "Scène", s_heading: "En-tête", s_length: "Durée (pages)",
    s_cast: "Distribution", s_items: "Accessoires, costumes, VFX", s_name: "Nom", s_lines: "Répliques",
    s_words: "Mots", s_languages: "Langues",
    s_pages: "{pages} pages ; environ {minutes} minutes à une page par minute (un indicateur faible pour un film donné)",
    s_beats: "Carte des temps forts", s_beat: "Temps fort", s_target: "Pages visées", s_page: "Page",
    s_status: "État", s_on_target: "dans la cible", s_early: "en avance", s_late: "en retard", s_missing: "absent",
    s_acts: "Acte {act} : pages {start}–{end} ({pages} pages)", s_download: "Télécharger",
    s_drafting_title: "Rédaction", s_save_as: "Enregistrer sous", s_task: "Tâche", s_draft: "Rédiger",
    s_task_continue: "Continuer la dernière scène", s_task_tighten: "Resserrer la dernière scène",
    s_task_adapt_fr: "Adapter les dialogues en français", s_task_adapt_ary: "Adapter les dialogues en darija",
    s_drafting: "Rédaction…", s_failed: "La rédaction a échoué : {error}", s_proposals: "Propositions",
    s_none: "Aucune proposition pour l'instant.", s_accept: "Accepter", s_reject: "Refuser",
    s_pending: "en attente", s_accepted: "acceptée", s_rejected: "refusée",
    s_rule: "Rien de généré n'entre dans le scénario avant qu'une personne l'accepte.",
    "sl_ary-Arab": "Darija (écriture arabe)", "sl_ary-Latn": "Darija (arabizi)", "sl_arb-Arab": "Arabe standard",
    "sl_ara-Arab": "Arabe", "sl_fra-Latn": "Français", "sl_eng-Latn": "Anglais", "sl_zgh-Tfng": "Tamazight (tifinagh)",
    "sl_und-Latn": "Écriture latine",
  }, ["Image d'ouverture", "Thème énoncé", "Mise en place", "Élément déclencheur", "Hésitation",
    "Passage à l'acte deux", "Intrigue secondaire", "Promesse du concept", "Point médian",
    "Les méchants se rapprochent", "Tout est perdu", "Nuit noire de l'âme", "Passage à l'acte trois", "Final",
    "Image finale"]);
  table("ar", {
    script: "سيناريو", s_paste: "الصق سيناريو بصيغة Fountain أو Final Draft (FDX)، أو افتح ملفاً.", s_file: "ملف",
    s_paper: "الورق", s_letter: "ليتر أمريكي", s_a4: "A4", s_run: "حلّل", s_preview: "معاينة", s_scenes: "المشاهد", s_characters: "الشخصيات",
    s_scene: "المشهد", s_heading: "العنوان", s_length: "الطول (صفحات)", s_cast: "الممثلون",
    s_items: "الإكسسوارات والأزياء والمؤثرات", s_name: "الاسم", s_lines: "الأسطر", s_words: "الكلمات",
    s_languages: "اللغات",
    s_pages: "{pages} صفحات؛ حوالي {minutes} دقيقة بحساب صفحة في الدقيقة (مؤشر ضعيف لأي فيلم بعينه)",
    s_beats: "خريطة المحطات", s_beat: "المحطة", s_target: "الصفحات المستهدفة", s_page: "الصفحة", s_status: "الحالة",
    s_on_target: "في موضعها", s_early: "مبكرة", s_late: "متأخرة", s_missing: "غائبة",
    s_acts: "الفصل {act}: الصفحات {start}–{end} ({pages} صفحات)", s_download: "تنزيل",
    s_drafting_title: "الكتابة", s_save_as: "احفظ باسم", s_task: "المهمة", s_draft: "اكتب مسودة",
    s_task_continue: "أكمل المشهد الأخير", s_task_tighten: "شدّ المشهد الأخير",
    s_task_adapt_fr: "كيّف الحوار إلى الفرنسية", s_task_adapt_ary: "كيّف الحوار إلى الدارجة",
    s_drafting: "جارٍ الكتابة…", s_failed: "فشلت الكتابة: {error}", s_proposals: "الاقتراحات",
    s_none: "لا اقتراحات بعد.", s_accept: "قبول", s_reject: "رفض", s_pending: "قيد الانتظار",
    s_accepted: "مقبول", s_rejected: "مرفوض",
    s_rule: "لا يدخل أي نص مولَّد إلى السيناريو حتى يقبله شخص.",
    "sl_ary-Arab": "الدارجة (بالحرف العربي)", "sl_ary-Latn": "الدارجة (بالحرف اللاتيني)",
    "sl_arb-Arab": "العربية الفصحى", "sl_ara-Arab": "العربية", "sl_fra-Latn": "الفرنسية", "sl_eng-Latn": "الإنجليزية",
    "sl_zgh-Tfng": "الأمازيغية (تيفيناغ)", "sl_und-Latn": "حرف لاتيني",
  }, ["الصورة الافتتاحية", "طرح الموضوع", "التمهيد", "الحدث المحفّز", "التردد", "الانتقال إلى الفصل الثاني",
    "الحبكة الثانوية", "المتعة واللعب", "نقطة المنتصف", "اقتراب الخصوم", "ضياع كل شيء", "ليلة الروح المظلمة",
    "الانتقال إلى الفصل الثالث", "الخاتمة", "الصورة الختامية"]);

  const TASKS = { continue: { task: "continue" }, tighten: { task: "tighten" },
    adapt_fr: { task: "adapt", to: "fr" }, adapt_ary: { task: "adapt", to: "ary" } };
  const DRAFT_TOKENS = 300;  // a scene's worth; the page waits for the whole block
  const $ = (id) => document.getElementById(id);
  let ctx = null;
  let ready = false;
  let format = "fountain";
  let last = null;  // the last analysis, redrawn when the language changes

  async function call(method, path, body, raw) {
    const response = await fetch(path, {
      method, headers: { "X-API-Key": ctx.key(), "Content-Type": raw ? "text/plain; charset=utf-8" : "application/json" },
      body: body === undefined ? undefined : raw ? body : JSON.stringify(body),
    });
    if (!response.ok) {
      const data = await response.json().catch(() => ({}));
      throw new Error(data.detail || response.statusText);
    }
    return response;
  }
  const json = async (...args) => (await call(...args)).json();
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
      document.querySelectorAll("#script-downloads [data-to]").forEach((a) => {
        a.onclick = (e) => { e.preventDefault(); download(a.dataset.to).catch(ctx.report); };
      });
    }
    if (last) render(last);
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
      call("POST", "/v1/script/export", { ...body(), to: "html" }).then((r) => r.text()),
      json("POST", "/v1/script/breakdown", body()), json("POST", "/v1/script/beats", body())]);
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
    const response = await call("POST", "/v1/script/export", { ...body(), to });
    const link = document.createElement("a");
    link.href = URL.createObjectURL(await response.blob());
    link.download = ($("script-name").value || "script.fountain").replace(/\.\w+$/, "") + "." + to;
    link.click();
    setTimeout(() => URL.revokeObjectURL(link.href), 10000);
  }

  async function draft() {
    ctx.report();
    const saved = await json("PUT", `/v1/script/scripts/${encodeURIComponent($("script-name").value)}`,
      $("script-text").value, true);
    $("script-name").value = saved.name;
    let job = await json("POST", `/v1/script/scripts/${encodeURIComponent(saved.name)}/draft`,
      { ...TASKS[$("script-task").value], max_tokens: DRAFT_TOKENS });
    $("script-stream").hidden = false;
    while (job.status === "queued" || job.status === "running") {
      $("script-progress").textContent = ctx.t("s_drafting");
      $("script-stream-text").textContent = job.text;
      await new Promise((r) => setTimeout(r, 400));
      job = await json("GET", `/v1/script/jobs/${job.id}`);
    }
    $("script-progress").textContent = "";
    $("script-stream-text").textContent = job.text;
    if (job.status !== "done") throw new Error(ctx.t("s_failed", { error: job.error }));
    await showProposals();
  }

  async function showProposals() {
    const { proposals } = await json("GET", "/v1/studio/proposals?kind=script");
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
    const decided = await json("POST", `/v1/studio/proposals/${proposal.id}/${verb}`, {});
    if (decided.inserted && $("script-name").value) {  // the block is in the stored script now: show it
      const stored = await json("GET", `/v1/script/scripts/${encodeURIComponent($("script-name").value)}`);
      $("script-text").value = stored.fountain;
      format = "fountain";
      await analyse();
    }
    await showProposals();
  }

  window.HALQA_SCRIPT = { load };
})();

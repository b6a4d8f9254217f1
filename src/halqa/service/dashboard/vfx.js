// halqa dashboard, Visual effects page: upload a still or a clip, compare the shipped looks on it side by
// side (each a grade job on a still; a clip's middle frame is grabbed first), download a look's .cube, grade
// the clip, list its shots, cut a trailer and see its timeline, then accept or reject the cut.
// Loaded before app.js, which lists the page and calls HALQA_VFX.load(ctx). Every string is registered below (HALQA_I18N.add: one entry per key, en/fr/ar side by side).
(function () {
  window.HALQA_I18N.add({
    vfx: { en: "Visual effects", fr: "Effets visuels", ar: "المؤثرات البصرية" },
    v_file: { en: "Still or clip", fr: "Image ou clip", ar: "صورة أو مقطع" },
    v_upload: { en: "Upload and compare looks", fr: "Envoyer et comparer les looks", ar: "ارفع وقارن المظاهر" },
    v_intensity: { en: "Intensity", fr: "Intensité", ar: "الشدة" },
    v_looks: { en: "Looks side by side", fr: "Looks côte à côte", ar: "المظاهر جنبا إلى جنب" },
    v_original: { en: "Original", fr: "Original", ar: "الأصل" },
    v_cube: { en: "Download the .cube", fr: "Télécharger le .cube", ar: "نزّل ملف cube" },
    v_grade_clip: { en: "Grade the clip with this look", fr: "Étalonner le clip avec ce look", ar: "لوّن المقطع بهذا المظهر" },
    v_graded: { en: "Graded clip", fr: "Clip étalonné", ar: "المقطع الملوّن" },
    v_shots: { en: "Shots", fr: "Plans", ar: "اللقطات" },
    v_find_shots: { en: "Find the shots", fr: "Trouver les plans", ar: "ابحث عن اللقطات" },
    v_shot: { en: "Shot", fr: "Plan", ar: "اللقطة" },
    v_start: { en: "Start (s)", fr: "Début (s)", ar: "البداية (ث)" },
    v_end: { en: "End (s)", fr: "Fin (s)", ar: "النهاية (ث)" },
    v_seconds: { en: "Seconds", fr: "Secondes", ar: "الثواني" },
    v_brightness: { en: "Brightness", fr: "Luminosité", ar: "السطوع" },
    v_motion: { en: "Motion", fr: "Mouvement", ar: "الحركة" },
    v_audio: { en: "Sound (dB)", fr: "Son (dB)", ar: "الصوت (dB)" },
    v_trailer: { en: "Trailer", fr: "Bande-annonce", ar: "الإعلان" },
    v_length: { en: "Length (seconds)", fr: "Durée (secondes)", ar: "المدة (بالثواني)" },
    v_title_lines: { en: "Title card (one line each)", fr: "Carton titre (une ligne chacune)", ar: "بطاقة العنوان (سطر لكل واحد)" },
    v_cut: { en: "Cut a trailer", fr: "Monter une bande-annonce", ar: "اصنع إعلانا" },
    v_timeline: { en: "Timeline", fr: "Timeline", ar: "الخط الزمني" },
    v_act: { en: "Part", fr: "Partie", ar: "الجزء" },
    v_from: { en: "From (s)", fr: "Depuis (s)", ar: "من (ث)" },
    v_download: { en: "Download", fr: "Télécharger", ar: "تنزيل" },
    v_by: { en: "Your name", fr: "Votre nom", ar: "اسمك" },
    v_accept: { en: "Accept", fr: "Accepter", ar: "قبول" },
    v_reject: { en: "Reject", fr: "Refuser", ar: "رفض" },
    v_status: { en: "Proposal {id}: {status}", fr: "Proposition {id} : {status}", ar: "الاقتراح {id}: {status}" },
    v_working: { en: "Working… {what} {pct}", fr: "En cours… {what} {pct}", ar: "جارٍ العمل… {what} {pct}" },
    v_failed: { en: "The job failed: {error}", fr: "La tâche a échoué : {error}", ar: "فشلت المهمة: {error}" },
    v_uploading: { en: "Uploading…", fr: "Envoi…", ar: "جارٍ الرفع…" },
    v_shots_found: { en: "{n} shots", fr: "{n} plans", ar: "{n} لقطات" },
    v_need_name: { en: "Give your name to accept or reject the cut.", fr: "Indiquez votre nom pour accepter ou refuser le montage.", ar: "اكتب اسمك لقبول المونتاج أو رفضه." },
    v_job_grade: { en: "grading", fr: "étalonnage", ar: "التلوين" },
    v_job_frame: { en: "taking a frame", fr: "extraction d'une image", ar: "أخذ صورة" },
    v_job_scenes: { en: "finding shots", fr: "recherche des plans", ar: "البحث عن اللقطات" },
    v_job_trailer: { en: "cutting the trailer", fr: "montage de la bande-annonce", ar: "مونتاج الإعلان" },
    status_pending: { en: "pending", fr: "en attente", ar: "قيد الانتظار" },
    status_accepted: { en: "accepted", fr: "acceptée", ar: "مقبول" },
    status_rejected: { en: "rejected", fr: "refusée", ar: "مرفوض" },
    act_setup: { en: "Setup", fr: "Exposition", ar: "التمهيد" },
    act_build: { en: "Build", fr: "Montée", ar: "التصاعد" },
    act_climax: { en: "Climax", fr: "Apogée", ar: "الذروة" },
    act_title: { en: "Title card", fr: "Carton titre", ar: "بطاقة العنوان" },
    act_end: { en: "End card", fr: "Carton final", ar: "بطاقة الختام" },
    "look_marrakech-warm": { en: "Marrakech warm", fr: "Marrakech chaud", ar: "مراكش الدافئة" },
    "look_chefchaouen-blue": { en: "Chefchaouen blue", fr: "Bleu de Chefchaouen", ar: "أزرق شفشاون" },
    "look_sahara-gold": { en: "Sahara gold", fr: "Or du Sahara", ar: "ذهب الصحراء" },
    "look_casablanca-night": { en: "Casablanca night", fr: "Nuit de Casablanca", ar: "ليل الدار البيضاء" },
  });

  const $ = (id) => document.getElementById(id);
  const IMAGE = /\.(png|jpe?g|tiff?|bmp|webp)$/i;
  const ACT_COLOURS = { setup: "#2471a3", build: "#b9770e", climax: "#c0392b", title: "#5b6477", end: "#5b6477" };
  const LOCALES = { ar: "ar-MA", fr: "fr-MA", en: "en-GB" };
  let ctx = null;
  let looks = null;
  // What the page shows, kept so a language switch redraws it in the new language.
  const shown = { source: null, still: null, clip: false, previews: {}, graded: null, shots: null, trailer: null };
  const blobs = new Map();

  const t = (key, vars) => ctx.t(key, vars);
  const lang = () => document.documentElement.lang || "en";
  const num = (v, digits = 2) => new Intl.NumberFormat(LOCALES[lang()] || "en", { maximumFractionDigits: digits }).format(v);
  const base = (path) => String(path).split("/").pop();

  function bdi(text, cls) {
    const n = document.createElement("bdi");
    n.textContent = text;
    if (cls) n.className = cls;
    return n;
  }

  // Requests go through app.js's one helper (ctx.api).
  const post = (path, body) => ctx.api(path, null, { method: "POST", json: body });

  // Media need the key header, so they are fetched and shown through object URLs (one per file).
  async function mediaUrl(path) {
    if (blobs.has(path)) return blobs.get(path);
    const url = URL.createObjectURL(await ctx.api(path, null, { as: "blob" }));
    blobs.set(path, url);
    return url;
  }

  function downloadLink(label, path, filename) {
    const a = document.createElement("a");
    a.href = "#";
    a.className = "download";
    a.append(bdi(label));
    a.onclick = async (e) => {
      e.preventDefault();
      const link = document.createElement("a");
      link.href = await mediaUrl(path);
      link.download = filename;
      link.click();
    };
    return a;
  }

  async function runJob(request) {
    let job = await post("/v1/vfx/jobs", request);
    while (job.status === "queued" || job.status === "running") {
      $("vfx-progress").textContent = t("v_working", { what: t(`v_job_${request.kind}`), pct: `${Math.round(100 * (job.progress || 0))}%` });
      await new Promise((r) => setTimeout(r, 400));
      job = await ctx.api(`/v1/vfx/jobs/${job.id}`);
    }
    $("vfx-progress").textContent = "";
    if (job.status !== "done") throw new Error(t("v_failed", { error: job.error }));
    return job.result;
  }

  async function load(context) {
    ctx = context;
    if (!looks) {
      looks = (await ctx.api("/v1/vfx/looks")).looks;
      $("vfx-upload").onsubmit = (e) => { e.preventDefault(); upload().catch(ctx.report); };
      $("vfx-intensity").oninput = () => { $("vfx-intensity-value").textContent = `${Math.round(100 * Number($("vfx-intensity").value))}%`; };
      $("vfx-find-shots").onclick = () => findShots().catch(ctx.report);
      $("vfx-trailer-form").onsubmit = (e) => { e.preventDefault(); cutTrailer().catch(ctx.report); };
      $("vfx-accept").onclick = () => decide("accept").catch(ctx.report);
      $("vfx-reject").onclick = () => decide("reject").catch(ctx.report);
    }
    await redraw();
  }

  async function redraw() {
    if (shown.still) await drawLooks();
    if (shown.shots) drawShots();
    if (shown.trailer) await drawTrailer();
  }

  function mediaName(file) {
    const dot = file.name.lastIndexOf(".");
    const ext = dot > 0 ? file.name.slice(dot).toLowerCase().replace(/[^.a-z0-9]/g, "") : "";
    const stem = (dot > 0 ? file.name.slice(0, dot) : file.name).normalize("NFKD").replace(/[^\w\-]+/g, "_").replace(/^[^A-Za-z0-9]+/, "");
    return `${(stem || "upload").slice(0, 80)}-${Date.now().toString(36)}${ext}`;
  }

  async function upload() {
    ctx.report();
    const file = $("vfx-file").files[0];
    if (!file) return;
    const name = mediaName(file);
    $("vfx-progress").textContent = t("v_uploading");
    await ctx.api(`/v1/vfx/media/${name}`, null, { method: "PUT", body: file });
    Object.assign(shown, { source: name, clip: !IMAGE.test(name), previews: {}, graded: null, shots: null, trailer: null });
    $("vfx-clip-panel").hidden = !shown.clip;
    $("vfx-trailer").hidden = true;
    $("vfx-shots").replaceChildren();
    shown.still = shown.clip ? base((await runJob({ kind: "frame", source: name })).output) : name;
    const intensity = Number($("vfx-intensity").value);
    await drawLooks();
    for (const look of looks) {
      const result = await runJob({ kind: "grade", source: shown.still, lut: look.name, intensity });
      shown.previews[look.name] = base(result.output);
      await drawLooks();
    }
  }

  function lookLabel(name) {
    return window.HALQA_I18N.en[`look_${name}`] ? t(`look_${name}`) : name;
  }

  async function figure(caption, mediaPath, extra) {
    const fig = document.createElement("figure");
    const img = document.createElement("img");
    img.alt = caption;
    if (mediaPath) img.src = await mediaUrl(mediaPath);
    const cap = document.createElement("figcaption");
    cap.append(caption);
    for (const node of extra || []) cap.append(document.createElement("br"), node);
    fig.append(img, cap);
    return fig;
  }

  async function drawLooks() {
    const grid = $("vfx-looks");
    const figures = [await figure(t("v_original"), `/v1/vfx/media/${shown.still}`)];
    for (const look of looks) {
      const extra = [downloadLink(t("v_cube"), look.cube, `${look.name}.cube`)];
      if (shown.clip) {
        const grade = document.createElement("button");
        grade.type = "button";
        grade.textContent = t("v_grade_clip");
        grade.dataset.look = look.name;
        grade.onclick = () => gradeClip(look.name).catch(ctx.report);
        extra.push(grade);
      }
      const preview = shown.previews[look.name];
      const fig = await figure(lookLabel(look.name), preview ? `/v1/vfx/media/${preview}` : null, extra);
      fig.dataset.look = look.name;
      if (!preview) fig.setAttribute("aria-busy", "true");
      figures.push(fig);
    }
    grid.replaceChildren(...figures);
    if (shown.graded) {
      grid.append(downloadLink(`${t("v_graded")} · ${lookLabel(shown.graded.look)}`, `/v1/vfx/media/${shown.graded.name}`, shown.graded.name));
    }
    $("vfx-looks-panel").hidden = false;
  }

  async function gradeClip(look) {
    ctx.report();
    const result = await runJob({ kind: "grade", source: shown.source, lut: look, intensity: Number($("vfx-intensity").value) });
    shown.graded = { look, name: base(result.output) };
    await drawLooks();
  }

  function table(node, headers, rows) {
    const head = document.createElement("thead");
    const hr = document.createElement("tr");
    for (const h of headers) { const th = document.createElement("th"); th.textContent = h; hr.append(th); }
    head.append(hr);
    const body = document.createElement("tbody");
    for (const row of rows) {
      const tr = document.createElement("tr");
      for (const cell of row) {
        const td = document.createElement("td");
        if (typeof cell === "number") { td.className = "num"; td.textContent = num(cell); } else td.append(cell);
        tr.append(td);
      }
      body.append(tr);
    }
    node.replaceChildren(head, body);
  }

  async function findShots() {
    ctx.report();
    shown.shots = await runJob({ kind: "scenes", source: shown.source });
    drawShots();
  }

  function drawShots() {
    const shots = shown.shots.shots;
    const headers = [t("v_shot"), t("v_start"), t("v_end"), t("v_seconds"), t("v_brightness"), t("v_motion"), t("v_audio")];
    table($("vfx-shots"), headers, shots.map((s) => [s.index + 1, s.start, s.end, s.end - s.start, s.brightness, s.motion, s.audio_db]));
    const caption = $("vfx-shots").createCaption();
    caption.textContent = t("v_shots_found", { n: num(shots.length) });
  }

  async function cutTrailer() {
    ctx.report();
    const form = new FormData($("vfx-trailer-form"));
    const title = String(form.get("title") || "").split("\n").map((s) => s.trim()).filter(Boolean).slice(0, 4);
    shown.trailer = await runJob({ kind: "trailer", source: shown.source, length: Number(form.get("length")), title });
    await drawTrailer();
  }

  function drawTimeline(pieces) {
    const svg = $("vfx-timeline");
    const ns = "http://www.w3.org/2000/svg";
    const total = pieces.reduce((sum, p) => sum + p.seconds, 0) || 1;
    const width = 1000, height = 48;
    svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
    svg.replaceChildren();
    let at = 0;
    pieces.forEach((p, i) => {
      const rect = document.createElementNS(ns, "rect");
      // drawn from the reading side: in Arabic the cut starts at the right
      const x = (at / total) * width, w = Math.max(1, (p.seconds / total) * width - 1);
      rect.setAttribute("x", lang() === "ar" ? width - x - w : x);
      rect.setAttribute("width", w);
      rect.setAttribute("y", p.kind === "card" ? 4 : 12);
      rect.setAttribute("height", p.kind === "card" ? 40 : 24);
      rect.setAttribute("fill", ACT_COLOURS[p.act] || "#1e8449");
      rect.setAttribute("data-piece", i);
      const title = document.createElementNS(ns, "title");
      title.textContent = `${t(`act_${p.act}`)} · ${num(p.seconds)} s`;
      rect.append(title);
      svg.append(rect);
      at += p.seconds;
    });
  }

  async function drawTrailer() {
    const result = shown.trailer;
    $("vfx-trailer-video").src = await mediaUrl(`/v1/vfx/media/${base(result.output)}`);
    drawTimeline(result.pieces);
    table($("vfx-pieces"), ["", t("v_act"), t("v_shot"), t("v_from"), t("v_seconds")], result.pieces.map((p, i) => [
      i + 1, t(`act_${p.act}`), p.shot === null ? "–" : p.shot + 1, p.kind === "shot" ? p.source_seconds : "–", p.seconds]));
    const links = $("vfx-downloads");
    links.replaceChildren();
    const files = { mp4: result.output, ...result.timeline };
    for (const [kind, path] of Object.entries(files)) {
      links.append(downloadLink(kind.toUpperCase().replace("_", " "), `/v1/vfx/media/${base(path)}`, base(path)), " ");
    }
    showDecision(result.proposal, result.status);
    $("vfx-trailer").hidden = false;
  }

  function showDecision(id, status) {
    $("vfx-decision").textContent = t("v_status", { id: id.slice(0, 8), status: t(`status_${status}`) });
    $("vfx-decision").dataset.status = status;
  }

  async function decide(verb) {
    ctx.report();
    const by = String(new FormData($("vfx-decide")).get("by") || "").trim();
    if (!by) throw new Error(t("v_need_name"));
    const decided = await post(`/v1/vfx/proposals/${shown.trailer.proposal}/${verb}`, { by });
    shown.trailer.status = decided.status;
    showDecision(decided.id, decided.status);
  }

  window.HALQA_VFX = { load };
})();

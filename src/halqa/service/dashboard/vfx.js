// halqa dashboard, Visual effects page: upload a still or a clip, compare the shipped looks on it side by
// side (each a grade job on a still; a clip's middle frame is grabbed first), download a look's .cube, grade
// the clip, list its shots, cut a trailer and see its timeline, then accept or reject the cut.
// Loaded before app.js, which lists the page and calls HALQA_VFX.load(ctx). Every string is in the tables below.
(function () {
  Object.assign(window.HALQA_I18N.en, {
    vfx: "Visual effects", v_file: "Still or clip", v_upload: "Upload and compare looks", v_intensity: "Intensity",
    v_looks: "Looks side by side", v_original: "Original", v_cube: "Download the .cube", v_grade_clip: "Grade the clip with this look",
    v_graded: "Graded clip", v_shots: "Shots", v_find_shots: "Find the shots", v_shot: "Shot", v_start: "Start (s)",
    v_end: "End (s)", v_seconds: "Seconds", v_brightness: "Brightness", v_motion: "Motion", v_audio: "Sound (dB)",
    v_trailer: "Trailer", v_length: "Length (seconds)", v_title_lines: "Title card (one line each)",
    v_cut: "Cut a trailer", v_timeline: "Timeline", v_act: "Part", v_from: "From (s)", v_download: "Download",
    v_by: "Your name", v_accept: "Accept", v_reject: "Reject", v_status: "Proposal {id}: {status}",
    v_working: "Working… {what} {pct}", v_failed: "The job failed: {error}", v_uploading: "Uploading…",
    v_shots_found: "{n} shots", v_need_name: "Give your name to accept or reject the cut.",
    v_job_grade: "grading", v_job_frame: "taking a frame", v_job_scenes: "finding shots", v_job_trailer: "cutting the trailer",
    "status_pending": "pending", "status_accepted": "accepted", "status_rejected": "rejected",
    act_setup: "Setup", act_build: "Build", act_climax: "Climax", act_title: "Title card", act_end: "End card",
    "look_marrakech-warm": "Marrakech warm", "look_chefchaouen-blue": "Chefchaouen blue", "look_sahara-gold": "Sahara gold",
    "look_casablanca-night": "Casablanca night",
  });
  Object.assign(window.HALQA_I18N.fr, {
    vfx: "Effets visuels", v_file: "Image ou clip", v_upload: "Envoyer et comparer les looks", v_intensity: "Intensité",
    v_looks: "Looks côte à côte", v_original: "Original", v_cube: "Télécharger le .cube", v_grade_clip: "Étalonner le clip avec ce look",
    v_graded: "Clip étalonné", v_shots: "Plans", v_find_shots: "Trouver les plans", v_shot: "Plan", v_start: "Début (s)",
    v_end: "Fin (s)", v_seconds: "Secondes", v_brightness: "Luminosité", v_motion: "Mouvement", v_audio: "Son (dB)",
    v_trailer: "Bande-annonce", v_length: "Durée (secondes)", v_title_lines: "Carton titre (une ligne chacune)",
    v_cut: "Monter une bande-annonce", v_timeline: "Timeline", v_act: "Partie", v_from: "Depuis (s)", v_download: "Télécharger",
    v_by: "Votre nom", v_accept: "Accepter", v_reject: "Refuser", v_status: "Proposition {id} : {status}",
    v_working: "En cours… {what} {pct}", v_failed: "La tâche a échoué : {error}", v_uploading: "Envoi…",
    v_shots_found: "{n} plans", v_need_name: "Indiquez votre nom pour accepter ou refuser le montage.",
    v_job_grade: "étalonnage", v_job_frame: "extraction d'une image", v_job_scenes: "recherche des plans", v_job_trailer: "montage de la bande-annonce",
    "status_pending": "en attente", "status_accepted": "acceptée", "status_rejected": "refusée",
    act_setup: "Exposition", act_build: "Montée", act_climax: "Apogée", act_title: "Carton titre", act_end: "Carton final",
    "look_marrakech-warm": "Marrakech chaud", "look_chefchaouen-blue": "Bleu de Chefchaouen", "look_sahara-gold": "Or du Sahara",
    "look_casablanca-night": "Nuit de Casablanca",
  });
  Object.assign(window.HALQA_I18N.ar, {
    vfx: "المؤثرات البصرية", v_file: "صورة أو مقطع", v_upload: "ارفع وقارن المظاهر", v_intensity: "الشدة",
    v_looks: "المظاهر جنبا إلى جنب", v_original: "الأصل", v_cube: "نزّل ملف cube", v_grade_clip: "لوّن المقطع بهذا المظهر",
    v_graded: "المقطع الملوّن", v_shots: "اللقطات", v_find_shots: "ابحث عن اللقطات", v_shot: "اللقطة", v_start: "البداية (ث)",
    v_end: "النهاية (ث)", v_seconds: "الثواني", v_brightness: "السطوع", v_motion: "الحركة", v_audio: "الصوت (dB)",
    v_trailer: "الإعلان", v_length: "المدة (بالثواني)", v_title_lines: "بطاقة العنوان (سطر لكل واحد)",
    v_cut: "اصنع إعلانا", v_timeline: "الخط الزمني", v_act: "الجزء", v_from: "من (ث)", v_download: "تنزيل",
    v_by: "اسمك", v_accept: "قبول", v_reject: "رفض", v_status: "الاقتراح {id}: {status}",
    v_working: "جارٍ العمل… {what} {pct}", v_failed: "فشلت المهمة: {error}", v_uploading: "جارٍ الرفع…",
    v_shots_found: "{n} لقطات", v_need_name: "اكتب اسمك لقبول المونتاج أو رفضه.",
    v_job_grade: "التلوين", v_job_frame: "أخذ صورة", v_job_scenes: "البحث عن اللقطات", v_job_trailer: "مونتاج الإعلان",
    "status_pending": "قيد الانتظار", "status_accepted": "مقبول", "status_rejected": "مرفوض",
    act_setup: "التمهيد", act_build: "التصاعد", act_climax: "الذروة", act_title: "بطاقة العنوان", act_end: "بطاقة الختام",
    "look_marrakech-warm": "مراكش الدافئة", "look_chefchaouen-blue": "أزرق شفشاون", "look_sahara-gold": "ذهب الصحراء",
    "look_casablanca-night": "ليل الدار البيضاء",
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

  async function call(method, path, body, raw) {
    const headers = { "X-API-Key": ctx.key() };
    if (!raw) headers["Content-Type"] = "application/json";
    const response = await fetch(path, { method, headers, body: raw || (body === undefined ? undefined : JSON.stringify(body)) });
    const data = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(typeof data.detail === "string" ? data.detail : response.statusText);
    return data;
  }

  // Media need the key header, so they are fetched and shown through object URLs (one per file).
  async function mediaUrl(path) {
    if (blobs.has(path)) return blobs.get(path);
    const response = await fetch(path, { headers: { "X-API-Key": ctx.key() } });
    if (!response.ok) throw new Error(response.statusText);
    const url = URL.createObjectURL(await response.blob());
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
    let job = await call("POST", "/v1/vfx/jobs", request);
    while (job.status === "queued" || job.status === "running") {
      $("vfx-progress").textContent = t("v_working", { what: t(`v_job_${request.kind}`), pct: `${Math.round(100 * (job.progress || 0))}%` });
      await new Promise((r) => setTimeout(r, 400));
      job = await call("GET", `/v1/vfx/jobs/${job.id}`);
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
    await call("PUT", `/v1/vfx/media/${name}`, undefined, file);
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
    const decided = await call("POST", `/v1/vfx/proposals/${shown.trailer.proposal}/${verb}`, { by });
    shown.trailer.status = decided.status;
    showDecision(decided.id, decided.status);
  }

  window.HALQA_VFX = { load };
})();

// halqa dashboard, Music page: compose through /v1/music (a job), listen, piano roll, downloads,
// accept or reject. Loaded before app.js, which lists the page and calls HALQA_MUSIC.load(ctx).
(function () {
  window.HALQA_I18N.add({
    music: { en: "Music", fr: "Musique", ar: "موسيقى" },
    m_style: { en: "Style", fr: "Style", ar: "الأسلوب" },
    m_mode: { en: "Mode", fr: "Mode", ar: "المقام" },
    m_tempo: { en: "Tempo", fr: "Tempo", ar: "الإيقاع" },
    m_bars: { en: "Bars", fr: "Mesures", ar: "المازورات" },
    m_seed: { en: "Seed", fr: "Graine", ar: "البذرة" },
    m_compose: { en: "Compose", fr: "Composer", ar: "ألِّف" },
    m_working: { en: "Composing… {steps}", fr: "Composition… {steps}", ar: "جارٍ التأليف… {steps}" },
    m_failed: { en: "The composition failed: {error}", fr: "La composition a échoué : {error}", ar: "فشل التأليف: {error}" },
    m_download: { en: "Download", fr: "Télécharger", ar: "تنزيل" },
    m_accept: { en: "Accept", fr: "Accepter", ar: "قبول" },
    m_reject: { en: "Reject", fr: "Refuser", ar: "رفض" },
    m_status: { en: "Proposal {id}: {status}", fr: "Proposition {id} : {status}", ar: "الاقتراح {id}: {status}" },
    m_default: { en: "(style's default)", fr: "(celui du style)", ar: "(مقام الأسلوب)" },
    m_roll: { en: "Piano roll", fr: "Rouleau de piano", ar: "لفافة البيانو" },
  });

  const $ = (id) => document.getElementById(id);
  let ctx = null;
  let styles = null;
  const blobs = [];

  // Requests go through app.js's one helper (ctx.api); media need the key header, so they are
  // fetched as blobs and shown through object URLs.
  const post = (path, body) => ctx.api(path, null, { method: "POST", json: body });

  async function blobUrl(path) {
    const url = URL.createObjectURL(await ctx.api(path, null, { as: "blob" }));
    blobs.push(url);
    return url;
  }

  async function load(context) {
    ctx = context;
    if (!styles) {
      styles = await ctx.api("/v1/music/styles");
      const style = $("music-style");
      style.replaceChildren(...[...Object.keys(styles.styles), ...styles.maqam_styles].map((s) => new Option(s, s)));
      const mode = $("music-mode");
      mode.replaceChildren(new Option(ctx.t("m_default"), ""), ...Object.keys(styles.modes).map((m) => new Option(m, m)));
      $("music-form").onsubmit = (e) => { e.preventDefault(); compose().catch(ctx.report); };
    }
  }

  async function compose() {
    ctx.report();
    const form = new FormData($("music-form"));
    const body = { style: form.get("style"), bars: Number(form.get("bars")), seed: Number(form.get("seed")) };
    if (form.get("mode")) body.mode = form.get("mode");
    if (form.get("tempo")) body.tempo = Number(form.get("tempo"));
    $("music-result").hidden = true;
    let job = await post("/v1/music/compose", body);
    while (job.status === "queued" || job.status === "running") {
      $("music-progress").textContent = ctx.t("m_working", { steps: job.progress.map((p) => p.step).join(" · ") });
      await new Promise((r) => setTimeout(r, 400));
      job = await ctx.api(`/v1/music/jobs/${job.id}`);
    }
    $("music-progress").textContent = "";
    if (job.status !== "done") throw new Error(ctx.t("m_failed", { error: job.error }));
    await showJob(job);
  }

  async function showJob(job) {
    blobs.splice(0).forEach((u) => URL.revokeObjectURL(u));
    const base = `/v1/music/jobs/${job.id}/files/`;
    const piece = job.result.piece;
    $("music-summary").textContent = `${piece.style} · ${piece.mode} · ${piece.tempo} BPM · ${piece.bars} · ${piece.seconds} s`;
    $("music-audio").src = await blobUrl(base + "wav");
    const links = $("music-downloads");
    links.replaceChildren();
    const kinds = ["midi", "musicxml", "wav", ...Object.keys(job.result.files.stems || {}).map((s) => `stems/${s}`)];
    for (const kind of kinds) {
      const a = document.createElement("a");
      a.textContent = kind;
      a.href = "#";
      a.className = "download";
      a.onclick = async (e) => {
        e.preventDefault();
        const link = document.createElement("a");
        link.href = await blobUrl(base + kind);
        link.download = kind.replace("/", "-") + ({ midi: ".mid", musicxml: ".musicxml" }[kind] || ".wav");
        link.click();
      };
      links.append(a, " ");
    }
    drawRoll(await ctx.api(`/v1/music/jobs/${job.id}/notes`));
    const proposal = job.result.proposal;
    const status = $("music-decision");
    status.textContent = ctx.t("m_status", { id: proposal.id, status: proposal.status });
    const decide = async (verb) => {
      const decided = await post(`/v1/music/proposals/${proposal.id}/${verb}`, {});
      status.textContent = ctx.t("m_status", { id: decided.id, status: decided.status });
    };
    $("music-accept").onclick = () => decide("accept").catch(ctx.report);
    $("music-reject").onclick = () => decide("reject").catch(ctx.report);
    $("music-result").hidden = false;
  }

  function drawRoll(data) {
    const svg = $("music-roll");
    const ns = "http://www.w3.org/2000/svg";
    svg.replaceChildren();
    const pitched = data.tracks.filter((t) => !t.drum);
    const pitches = pitched.flatMap((t) => t.notes.map((n) => n[2]));
    if (!pitches.length) return;
    const low = Math.floor(Math.min(...pitches)) - 1, high = Math.ceil(Math.max(...pitches)) + 1;
    const width = 1000, height = 240, x = (b) => (b / data.beats) * width, y = (p) => height - ((p - low) / (high - low)) * height;
    svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
    const colours = ["#c0392b", "#2471a3", "#1e8449", "#7d3c98", "#b9770e"];
    for (let bar = 0; bar * data.bar_beats < data.beats; bar++) {
      const line = document.createElementNS(ns, "line");
      line.setAttribute("x1", x(bar * data.bar_beats)); line.setAttribute("x2", x(bar * data.bar_beats));
      line.setAttribute("y1", 0); line.setAttribute("y2", height); line.setAttribute("class", "bar-line");
      svg.appendChild(line);
    }
    pitched.forEach((track, i) => {
      for (const [start, length, pitch] of track.notes) {
        const rect = document.createElementNS(ns, "rect");
        rect.setAttribute("x", x(start)); rect.setAttribute("width", Math.max(1, x(length)));
        rect.setAttribute("y", y(pitch) - 2); rect.setAttribute("height", 4);
        rect.setAttribute("fill", colours[i % colours.length]);
        rect.setAttribute("data-track", track.name);
        const title = document.createElementNS(ns, "title");
        title.textContent = `${track.name} ${pitch}`;
        rect.appendChild(title);
        svg.appendChild(rect);
      }
    });
  }

  window.HALQA_MUSIC = { load };
})();

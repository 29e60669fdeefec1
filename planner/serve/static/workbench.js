// The workbench's page: plain JavaScript, no build step, nothing fetched from elsewhere.
// The server keeps the state (planner.serve.session); this page draws what it answers
// (GET /api/scenario once per what-if version, then the state after every action) and
// sends the user's actions. Every request carries the token of the page's URL.
"use strict";
(() => {
  const TOKEN = new URLSearchParams(location.search).get("token") || "";
  const NS = "http://www.w3.org/2000/svg";
  const ROW = 20, HEAD = 22, AXIS = 34, PAD = 16, MIN_BAR = 4;

  let scen = null;       // the scenario document (GET /api/scenario)
  let state = null;      // the state document (every action answers one)
  let rowOf = {};        // step id -> its row's elements and y
  let order = [];        // step ids in row order
  let floor = 0;         // the time axis never shrinks below this during a session
  let domain = 1, px = 1, label = 250, width = 800, leverageWidth = 380;
  let selected = null;   // the step whose details the panel shows
  let chosen = null;     // the violation the user clicked (index)
  let pending = 0;
  const timings = [];
  window.__workbench = {
    timings, ready: false, state: () => state, pending: () => pending,
    geometry: () => ({ px, label, domain }),
  };

  const $ = (id) => document.getElementById(id);
  const el = (tag, attrs, text) => {
    const e = document.createElementNS(NS, tag);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
    if (text !== undefined) e.textContent = text;
    return e;
  };
  const h = (tag, props, ...kids) => {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(props || {})) {
      if (k === "class") e.className = v;
      else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
      else if (v !== undefined && v !== null && v !== false) e.setAttribute(k, v === true ? "" : v);
    }
    for (const kid of kids.flat()) if (kid !== null && kid !== undefined && kid !== false) e.append(kid);
    return e;
  };

  // ---- talking to the server ---------------------------------------------------------

  class ApiError extends Error {
    constructor(error) { super(error.message); this.status = error.status; this.problems = error.problems || []; }
  }

  async function call(method, path, body) {
    const headers = { Authorization: "token " + TOKEN };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const res = await fetch(path, {
      method, headers, cache: "no-store", credentials: "omit",
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const doc = await res.json();
    if (!res.ok) throw new ApiError(doc.error || { status: res.status, message: res.statusText });
    return doc;
  }

  function say(text, bad) {
    const s = $("status");
    s.textContent = text;
    s.classList.toggle("error", !!bad);
  }

  // An action: POST, then draw the state it answers. `what` names it on the status line.
  async function act(path, body, what, t0, onRefused) {
    t0 = t0 === undefined ? performance.now() : t0;
    pending++;
    busy(true, what);
    try {
      const doc = await call("POST", path, body || {});
      const t1 = performance.now();
      await show(doc);
      const tDrawn = performance.now();
      // Timed once the frame that shows it is painted (a task after the next frame).
      let tFrame = 0;
      requestAnimationFrame(() => { tFrame = performance.now(); setTimeout(() => {
        const t2 = performance.now();
        timings.push({ action: path, server_ms: doc.server_ms, fetch_ms: t1 - t0, draw_ms: tDrawn - t1,
          frame_wait_ms: tFrame - tDrawn, paint_ms: t2 - tFrame, total_ms: t2 - t0 });
        say(doc.saved ? `saved ${doc.saved.saved} — check it with: ${doc.saved.command}`
          : `${what}: checked in ${Math.round(t2 - t0)} ms (server ${doc.server_ms} ms)`);
      }, 0); });
      return doc;
    } catch (err) {
      if (err instanceof ApiError) {
        if (onRefused && onRefused(err)) return null;
        say(err.message + (err.problems.length ? ": " + err.problems.join("; ") : ""), true);
        if (state) draw(); // put a dragged bar back where the server has it
        return null;
      }
      say(String(err), true);
      return null;
    } finally {
      pending--;
      busy(false);
    }
  }

  function busy(on, what) {
    for (const id of ["repair", "plan", "save", "report"]) $(id).disabled = on;
    if (on && what) say(what + "…");
    if (!on && state) {
      $("undo").disabled = !state.history.undo;
      $("redo").disabled = !state.history.redo;
    }
  }

  async function show(doc) {
    if (!scen || scen.version !== doc.version) {
      scen = await call("GET", "/api/scenario");
      build();
    }
    state = doc;
    if (chosen !== null && chosen >= state.check.violations.length) chosen = null;
    draw();
  }

  // ---- time and words ----------------------------------------------------------------

  function dateOf(t) {
    if (!scen.start) return null;
    const [y, m, d] = scen.start.split("-").map(Number);
    let date;
    if (scen.unit === "day") date = new Date(Date.UTC(y, m - 1, d + t));
    else if (scen.unit === "week") date = new Date(Date.UTC(y, m - 1, d + 7 * t));
    else date = new Date(Date.UTC(y, m - 1 + t, Math.min(d, 28)));
    return date.toISOString().slice(0, 10);
  }
  const when = (t) => {
    const d = dateOf(t);
    return `${scen.unit} ${t}` + (d ? ` (${d})` : "");
  };
  const nameOf = (id) => (scen.steps[id] ? scen.steps[id].name : id);
  const done = (id, t) => t + scen.steps[id].duration + (scen.steps[id].verify || 0);
  const colourOf = (id) => scen.marks.actors[scen.steps[id].actor] || scen.marks.unknown_actor;

  // ---- the chart: built once per scenario version, updated after every action --------

  function build() {
    const svg = $("gantt");
    svg.textContent = "";
    rowOf = {};
    order = [];
    for (const k of Object.keys(drawnKey)) delete drawnKey[k];
    linkOf.clear();
    axisKey = "";
    labelFitted = 0;
    document.title = `${scen.name} — workbench`;
    $("title").textContent = scen.name;
    const defs = el("defs");
    const marker = el("marker", { id: "arrow", viewBox: "0 0 8 8", refX: "7", refY: "4", markerWidth: "6", markerHeight: "6", orient: "auto" });
    marker.append(el("path", { d: "M0,0 L8,4 L0,8 z", fill: scen.marks.link.colour }));
    defs.append(marker);
    svg.append(defs);
    for (const g of ["bands", "grid", "phases", "rows", "links", "gates", "axis"]) svg.append(el("g", { id: "g-" + g }));
    let y = AXIS;
    let band = false;
    for (const p of scen.packages) {
      if (!p.steps.length) continue;
      const top = y;
      $("g-rows").append(el("text", { class: "package", x: 8, y: y + 15 }, p.name));
      y += HEAD;
      for (const id of p.steps) {
        const g = el("g", { class: "row", "data-step": id });
        const s = scen.steps[id];
        const lab = el("text", { class: "label", x: 16, y: y + 14 }, s.name);
        const tip = el("title", {}, `${s.title} (${id}) — ${s.actor}`);
        const hit = el("rect", { class: "hit", x: 0, y, width: 10, height: ROW });
        const bar = el("rect", { class: "bar", y: y + 3, height: ROW - 6, rx: 2, fill: colourOf(id), "data-step": id });
        const verify = el("rect", { class: "verify", y: y + 3, height: ROW - 6, fill: colourOf(id), "fill-opacity": scen.marks.verification.opacity, stroke: colourOf(id), "stroke-width": 0.5 });
        const outline = el("rect", { class: "outline", y: y + 1, height: ROW - 2, rx: 3 });
        const note = el("text", { class: "note", y: y + 14 });
        const pin = el("text", { class: "pin", y: y + 14 }, "📌");
        bar.append(el("title", {}, `${s.title} (${id})`));
        g.append(tip, hit, lab, verify, bar, outline, note, pin);
        $("g-rows").append(g);
        rowOf[id] = { g, lab, hit, bar, verify, outline, note, pin, y };
        order.push(id);
        g.addEventListener("click", (e) => { if (!dragged) select(id); e.stopPropagation(); });
        bar.addEventListener("pointerdown", (e) => startDrag(e, id));
        y += ROW;
      }
      if (band) $("g-bands").append(el("rect", { class: "band", x: 0, y: top, width: "100%", height: y - top }));
      band = !band;
      y += 4;
    }
    svg.setAttribute("height", y + PAD);
    floor = 0;
    legend();
  }

  function legend() {
    const box = $("legend");
    box.textContent = "";
    for (const a of scen.actors) {
      const k = h("span", { class: "key", title: a.name });
      k.style.background = scen.marks.actors[a.id];
      box.append(h("span", { class: "item" }, k, `${a.id}: ${a.name}`));
    }
    const marks = scen.marks;
    box.append(h("br"));
    const key = (colour, text, opacity) => {
      const k = h("span", { class: "key" });
      k.style.background = colour;
      if (opacity) k.style.opacity = opacity;
      box.append(h("span", { class: "item" }, k, text));
    };
    key("#777777", marks.verification.label, marks.verification.opacity);
    key(marks.link.colour, marks.link.label);
    key(marks.gate.colour, marks.gate.label);
    key(marks.violation.colour, marks.violation.label);
    key(marks.pinned.colour, marks.pinned.label);
  }

  function layout() {
    const pane = $("chart-scroll");
    width = Math.max(480, pane.clientWidth - 2);
    label = Math.min(260, Math.max(150, Math.round(width * 0.3)));
    let last = state.chart.last;
    for (const [id, t] of Object.entries(state.starts)) if (scen.steps[id]) last = Math.max(last, done(id, t));
    if (!floor) floor = Math.max(8, Math.ceil((last + 2) * 1.1));
    if (last + 2 > floor) floor = Math.ceil((last + 2) * 1.1);
    domain = floor;
    px = (width - label - PAD) / domain;
    // (Setting the chart's width, even to the same value, lays out all its rows again:
    // a tenth of a second at a thousand steps.)
    if ($("gantt").getAttribute("width") !== String(width)) $("gantt").setAttribute("width", width);
    leverageWidth = Math.max(260, $("leverage").clientWidth || 380);
    if (label !== labelFitted) fitLabels();
  }

  // Names longer than the label column are cut with an ellipsis (an estimate of the
  // font's width: measuring a thousand texts would cost a layout each).
  let labelFitted = 0;
  function fitLabels() {
    labelFitted = label;
    const room = Math.max(8, Math.floor((label - 22) / 6.3));
    for (const id of order) {
      const name = scen.steps[id].name;
      rowOf[id].lab.textContent = name.length <= room ? name : name.slice(0, room - 1).trimEnd() + "…";
    }
  }

  const X = (t) => label + t * px;

  // What each row was last drawn with: a row whose start, scale and marks are unchanged
  // is not touched (a drag changes a few rows of a thousand).
  const drawnKey = {};
  const profile = {};
  window.__workbench.profile = profile;

  function draw() {
    const t0 = performance.now();
    layout();
    profile.layout = performance.now() - t0;
    let touched = 0;
    const starts = state.starts;
    const involved = new Set(state.involved);
    const pinned = new Set(state.pinned);
    const branch = state.branch ? new Set(state.branch) : null;
    const picked = new Set(chosen === null ? [] : state.check.violations[chosen].steps);
    const leftOut = new Set(state.check.summary.left_out);
    const scale = `${px}|${label}|${width}`;
    for (const id of order) {
      const t = starts[id];
      const inBranch = !branch || branch.has(id);
      const flags = [involved.has(id), pinned.has(id), picked.has(id), selected === id, inBranch, leftOut.has(id)];
      const key = `${t}|${scale}|${flags.join()}`;
      if (drawnKey[id] === key) continue;
      drawnKey[id] = key;
      touched++;
      const r = rowOf[id];
      const s = scen.steps[id];
      r.hit.setAttribute("width", width);
      r.g.classList.toggle("violated", flags[0]);
      r.g.classList.toggle("pinned", flags[1]);
      r.g.classList.toggle("selected", flags[2]);
      r.g.classList.toggle("focus", flags[3]);
      r.lab.classList.toggle("absent", !inBranch);
      r.lab.classList.toggle("left-out", t === undefined);
      r.bar.classList.toggle("pinned", flags[1]);
      if (t === undefined) {
        for (const e of [r.bar, r.verify, r.outline, r.pin]) e.setAttribute("visibility", "hidden");
        r.note.setAttribute("x", label + 4);
        r.note.textContent = s.forbidden ? "red line: never scheduled"
          : !inBranch ? `only if ${s.contingent}`
          : leftOut.has(id) ? (s.optional ? "optional: not in the roadmap" : "left out") : "not in the roadmap";
        continue;
      }
      r.note.textContent = "";
      for (const e of [r.bar, r.outline]) e.setAttribute("visibility", "visible");
      const w = Math.max(MIN_BAR, s.duration * px);
      const x = s.duration ? X(t) : X(t) - MIN_BAR / 2;
      r.bar.setAttribute("x", x);
      r.bar.setAttribute("width", w);
      r.outline.setAttribute("x", x - 2);
      r.outline.setAttribute("width", w + 4 + (s.verify || 0) * px);
      if (s.verify) {
        r.verify.setAttribute("visibility", "visible");
        r.verify.setAttribute("x", X(t + s.duration));
        r.verify.setAttribute("width", Math.max(1, s.verify * px));
      } else r.verify.setAttribute("visibility", "hidden");
      r.pin.setAttribute("visibility", flags[1] ? "visible" : "hidden");
      r.pin.setAttribute("x", X(done(id, t)) + 3);
    }
    const t1 = performance.now();
    profile.touched = touched;
    axis();
    marks();
    const t2 = performance.now();
    panel();
    const t3 = performance.now();
    Object.assign(profile, { rows: t1 - t0, marks: t2 - t1, panel: t3 - t2 });
    window.__workbench.ready = true;
  }

  function ticks(n) {
    const step = [1, 2, 4, 5, 8, 10, 13, 20, 26, 52, 100, 200, 500, 1000, 5000].find((s) => n / s <= 14) || Math.ceil(n / 12);
    const out = [];
    for (let t = 0; t <= n; t += step) out.push(t);
    return out;
  }

  let axisKey = "";
  function axis() {
    const g = $("g-axis"), grid = $("g-grid");
    const key = `${domain}|${px}|${label}|${$("gantt").getAttribute("height")}`;
    if (key === axisKey) return;
    axisKey = key;
    g.textContent = "";
    grid.textContent = "";
    const bottom = $("gantt").getAttribute("height") - PAD;
    const dated = scen.start && px * ticks(domain)[1] > 62;
    // The axis stays at the top of the pane as the rows scroll under it (`pin the axis`).
    g.append(el("rect", { class: "axis-band", x: 0, y: 0, width, height: dated ? 31 : 20 }));
    g.append(el("text", { x: 8, y: 14 }, `${scen.unit}s`));
    for (const t of ticks(domain)) {
      grid.append(el("line", { class: "grid", x1: X(t), x2: X(t), y1: AXIS - 6, y2: bottom }));
      g.append(el("text", { x: X(t), y: 14, "text-anchor": "middle" }, String(t)));
      const d = dateOf(t);
      if (d && dated) g.append(el("text", { x: X(t), y: 26, "text-anchor": "middle" }, d));
    }
    g.setAttribute("class", "axis");
    pinAxis();
  }

  function pinAxis() {
    const g = $("g-axis"), top = $("chart-scroll").scrollTop;
    if (!g) return;
    if (top) g.setAttribute("transform", `translate(0,${top})`);
    else g.removeAttribute("transform");
  }

  const linkOf = new Map();
  function marks() {
    const m = scen.marks;
    const links = $("g-links"), gates = $("g-gates"), phases = $("g-phases");
    gates.textContent = "";
    phases.textContent = "";
    const bottom = $("gantt").getAttribute("height") - PAD;
    // Links are kept by pair: only a moved end redraws one.
    const keep = new Set();
    for (const a of state.chart.links) {
      const c = rowOf[a.counter], g = rowOf[a.give];
      if (!c || !g || state.starts[a.counter] === undefined || state.starts[a.give] === undefined) continue;
      const x1 = X(done(a.counter, state.starts[a.counter])), y1 = c.y + ROW / 2;
      const x2 = X(state.starts[a.give]), y2 = g.y + ROW / 2;
      const bend = Math.max(12, Math.abs(x2 - x1) / 3);
      const d = `M${x1},${y1} C${x1 + bend},${y1} ${x2 - bend},${y2} ${x2},${y2}`;
      const name = `${a.counter}>${a.give}`;
      keep.add(name);
      let path = linkOf.get(name);
      if (!path) {
        path = el("path", { class: "link", stroke: m.link.colour, "marker-end": "url(#arrow)" });
        linkOf.set(name, path);
        links.append(path);
      }
      if (path.getAttribute("d") !== d) path.setAttribute("d", d);
    }
    for (const [name, path] of linkOf) if (!keep.has(name)) { path.remove(); linkOf.delete(name); }
    for (const gate of state.chart.gates) {
      gates.append(el("line", { class: "gate", stroke: m.gate.colour, x1: X(gate.opens), x2: X(gate.opens), y1: AXIS - 4, y2: bottom }));
      gates.append(el("text", { class: "gate-label", fill: m.gate.colour, x: X(gate.opens) + 3, y: bottom - 2 }, `${gate.rule} opens`));
    }
    state.chart.phases.forEach((p, i) => {
      if (p.start > 0) phases.append(el("line", { class: "phase", stroke: m.phase.colour, x1: X(p.start), x2: X(p.start), y1: AXIS - 4, y2: bottom }));
      const end = p.end === null ? domain : Math.min(p.end, domain);
      if (end > p.start) {
        const t = el("text", { class: "phase-label", x: (X(p.start) + X(end)) / 2, y: AXIS - 2, "text-anchor": "middle" }, String(i + 1));
        t.append(el("title", {}, `${i + 1}. ${p.title}`));
        phases.append(t);
      }
    });
  }

  // ---- dragging a bar ------------------------------------------------------------------

  let drag = null, dragged = false;

  function startDrag(e, id) {
    if (e.button !== 0 || pending) return;
    dragged = false;
    if (state.pinned.includes(id)) { select(id); return; }
    e.preventDefault();
    const r = rowOf[id];
    drag = { id, x0: e.clientX, t0: state.starts[id], t: state.starts[id] };
    r.g.classList.add("dragging");
    r.bar.setPointerCapture(e.pointerId);
    r.bar.addEventListener("pointermove", onDrag);
    r.bar.addEventListener("pointerup", endDrag, { once: true });
    r.bar.addEventListener("pointercancel", endDrag, { once: true });
  }

  function onDrag(e) {
    if (!drag) return;
    const t = Math.max(0, drag.t0 + Math.round((e.clientX - drag.x0) / px));
    if (t === drag.t) return;
    dragged = true;
    drag.t = t;
    const r = rowOf[drag.id], s = scen.steps[drag.id];
    const x = s.duration ? X(t) : X(t) - MIN_BAR / 2;
    r.bar.setAttribute("x", x);
    r.outline.setAttribute("x", x - 2);
    r.verify.setAttribute("x", X(t + s.duration));
    say(`${nameOf(drag.id)} → ${when(t)}`);
  }

  function endDrag(e) {
    const d = drag;
    drag = null;
    if (!d) return;
    const r = rowOf[d.id];
    r.g.classList.remove("dragging");
    r.bar.removeEventListener("pointermove", onDrag);
    if (d.t !== d.t0) {
      const t0 = performance.now();
      act("/api/move", { step: d.id, start: d.t }, `moved ${nameOf(d.id)} to ${when(d.t)}`, t0);
    } else {
      dragged = false;
      select(d.id);
    }
    setTimeout(() => { dragged = false; }, 0);
  }

  function select(id) {
    selected = id;
    draw();
  }

  // ---- the panel -----------------------------------------------------------------------

  function panel() {
    for (const [name, part] of [["summary", summary], ["violations", violations], ["action", action],
      ["step", stepBox], ["leverage", leverage], ["ledger", ledger], ["whatif", whatif]]) {
      const t = performance.now();
      part();
      profile[name] = performance.now() - t;
    }
    $("undo").disabled = !state.history.undo || pending > 0;
    $("redo").disabled = !state.history.redo || pending > 0;
  }

  function summary() {
    const c = state.check, s = c.summary, box = $("summary");
    box.textContent = "";
    const n = s.num_violations;
    box.append(h("p", { class: "verdict " + (n ? "bad" : "clean"), id: "verdict" },
      n ? `${n} violation${n === 1 ? "" : "s"} of ${s.num_rules_violated} hard rule${s.num_rules_violated === 1 ? "" : "s"}`
        : "No hard rule is violated."));
    const facts = h("dl", { class: "facts" });
    const fact = (k, v) => facts.append(h("dt", {}, k), h("dd", {}, v));
    if (n && c.overview) {
      fact("by kind", Object.entries(c.overview.by_kind).map(([k, v]) => `${k} ${v}`).join(", "));
      fact("steps in most", c.overview.steps.map((x) => `${nameOf(x.step)} (${x.violations})`).join(", "));
    }
    fact("steps scheduled", String(s.num_scheduled));
    fact("last step done", when(s.last_time));
    if (s.peak_exposure !== null) fact("peak leverage exposure", String(s.peak_exposure));
    if (s.total_penalty) fact("soft-rule penalty", String(s.total_penalty));
    fact("left out", s.left_out.length ? s.left_out.map(nameOf).join(", ") : "none");
    if (state.sets.length) fact("what-if", state.sets.join("; "));
    if (state.assume.length) fact("branch", state.assume.join(", "));
    fact("pinned", state.pinned.length ? state.pinned.map(nameOf).join(", ") : "none");
    if (state.unsaved) fact("unsaved changes", String(state.unsaved));
    box.append(facts);
  }

  function violations() {
    const box = $("violations");
    box.textContent = "";
    const c = state.check;
    if (!c.violations.length && !c.penalties.length) return;
    box.append(h("h2", {}, "Violations"));
    const list = h("ol", { id: "violation-list" });
    c.violations.forEach((v, i) => {
      const li = h("li", { class: chosen === i ? "chosen" : "", "data-rule": v.rule, "data-kind": v.kind, tabindex: 0 },
        h("div", { class: "rule" }, `[${v.kind}] ${v.rule}`),
        h("div", { class: "message" }, state.words[i].message),
        h("div", { class: "fix" }, "repair: " + state.words[i].repair));
      li.title = v.source;
      const pick = () => choose(i);
      li.addEventListener("click", pick);
      li.addEventListener("keydown", (e) => { if (e.key === "Enter") pick(); });
      list.append(li);
    });
    c.penalties.forEach((v, i) => {
      list.append(h("li", { class: "soft", title: v.source },
        h("div", { class: "rule" }, `[${v.kind}, soft] ${v.rule}: weight ${v.weight} × ${v.amount}`),
        h("div", {}, state.penalty_words[i])));
    });
    box.append(list);
  }

  function choose(i) {
    chosen = chosen === i ? null : i;
    draw();
    if (chosen !== null) {
      const first = state.check.violations[chosen].steps.find((s) => rowOf[s]);
      if (first) {
        const pane = $("chart-scroll"), y = rowOf[first].y;
        if (y < pane.scrollTop || y > pane.scrollTop + pane.clientHeight - ROW) pane.scrollTop = Math.max(0, y - 60);
      }
    }
  }

  function action() {
    const a = state.last_action, box = $("action");
    box.textContent = "";
    if (!a || !["repair", "plan"].includes(a.kind) || dismissed === a) { box.hidden = true; return; }
    box.hidden = false;
    const title = a.kind === "repair" ? "Repair" : "Plan";
    if (a.status === "infeasible" || a.status === "unknown" || (!a.moves.length && a.status !== "clean" && a.status !== "found" && a.status !== "repaired")) {
      box.append(h("h2", {}, `${title}: no roadmap`), h("pre", {}, [a.text, ...(a.notes || [])].filter(Boolean).join("\n")));
    } else if (!a.moves.length) {
      box.append(h("h2", {}, `${title}: nothing to change`), h("p", {}, a.kind === "repair" ? "The roadmap keeps every hard rule already." : "The best roadmap from here is the one on screen."));
    } else {
      const moved = a.moves.length;
      box.append(h("h2", { id: "action-title" }, `${title}: ${moved} step${moved === 1 ? "" : "s"} changed`));
      if (a.kind === "plan" && a.as_of !== null) box.append(h("p", { class: "muted" }, `as of ${when(a.as_of)}: pinned steps held, the rest from then on`));
      const rows = a.moves.map((m) => h("tr", {},
        h("td", {}, m.name),
        h("td", {}, m.before === null ? "left out" : `${scen.unit} ${m.before}`),
        h("td", {}, m.after === null ? "dropped" : `→ ${scen.unit} ${m.after}`),
        h("td", { class: "muted" }, (m.why || []).slice(0, 2).join("; "))));
      box.append(h("div", { class: "scroll" }, h("table", { id: "moves" }, h("tr", {}, h("th", {}, "step"), h("th", {}, "from"), h("th", {}, "to"), h("th", {}, "why")), rows)));
      box.append(h("div", { class: "buttons" },
        h("button", { type: "button", class: "primary", id: "accept", onclick: () => { dismissed = a; action(); } }, "Accept"),
        h("button", { type: "button", id: "take-back", onclick: () => act("/api/undo", {}, "undone") }, "Undo")));
    }
  }
  let dismissed = null;

  function stepBox() {
    const box = $("step");
    box.textContent = "";
    if (!selected || !scen.steps[selected]) { box.hidden = true; return; }
    box.hidden = false;
    const id = selected, s = scen.steps[id], t = state.starts[id];
    const pinned = state.pinned.includes(id);
    box.append(h("h2", {}, s.name), h("div", { class: "title" }, `${s.title} · ${s.actor} · ${s.kind} · ${id}`));
    const start = h("input", { type: "number", min: 0, step: 1, id: "start-input", value: t === undefined ? "" : t, "aria-label": `start, in ${scen.unit}s` });
    const go = (value) => act("/api/move", { step: id, start: value }, `moved ${s.name}`);
    start.addEventListener("change", () => { if (start.value !== "") go(Number(start.value)); });
    const form = h("div", { class: "row-form" }, `start (${scen.unit})`, start);
    if (scen.start) {
      const date = h("input", { type: "date", id: "date-input", value: t === undefined ? "" : dateOf(t), "aria-label": "start date" });
      date.addEventListener("change", () => { if (date.value) go(date.value); });
      form.append(date);
    }
    box.append(form);
    if (t !== undefined) box.append(h("div", { class: "muted" }, `done ${when(done(id, t))}`));
    const buttons = h("div", { class: "row-form" });
    if (t !== undefined) {
      buttons.append(h("button", { type: "button", id: "pin", onclick: () => act("/api/pin", { step: id, pinned: !pinned }, pinned ? "unpinned" : "pinned") },
        pinned ? "Unpin" : "Pin (it already happened)"));
      if (!pinned) buttons.append(h("button", { type: "button", onclick: () => act("/api/move", { step: id, start: null }, `left ${s.name} out`) }, "Leave out"));
    }
    box.append(buttons);
    // What-if: the step's duration and verification, as `--set` does.
    const whatifForm = h("div", { class: "row-form" }, "what-if:");
    const number = (path, value, text) => {
      const input = h("input", { type: "number", min: 0, step: 1, value, "aria-label": text });
      input.addEventListener("change", () => { if (input.value !== "") setExpr(`${id}.${path}`, input.value); });
      whatifForm.append(text, input);
    };
    number("duration", s.duration, "duration");
    if (s.verify !== null) number("verify.duration", s.verify, "verification");
    box.append(whatifForm);
  }

  function setExpr(lhs, value) {
    const sets = state.sets.filter((x) => !x.startsWith(lhs + "=")).concat([`${lhs}=${value}`]);
    act("/api/whatif", { sets }, `what-if ${lhs}=${value}`);
  }

  function leverage() {
    const svg = $("leverage"), leg = $("leverage-legend");
    svg.textContent = "";
    leg.textContent = "";
    const W = leverageWidth, H = 170, L = 34, B = 20, T = 8;
    svg.setAttribute("viewBox", `0 0 ${W} ${H}`);
    svg.setAttribute("height", H);
    const lev = state.chart.leverage;
    const series = Object.entries(lev.actors).map(([a, pts]) => [a, pts.map(([t, g, r]) => [t, g - r])]);
    const all = [0];
    for (const [, pts] of series) for (const [, v] of pts) all.push(v);
    for (const c of lev.balance) { all.push(c.margin); for (const [, v] of c.points) all.push(v); }
    const lo = Math.min(...all), hi = Math.max(...all, lo + 1);
    const xs = (t) => L + (t / domain) * (W - L - 6);
    const ys = (v) => T + (1 - (v - lo) / (hi - lo)) * (H - T - B);
    const ax = el("g", { class: "axis" });
    ax.append(el("line", { x1: L, x2: W - 6, y1: ys(0), y2: ys(0), stroke: "#444", "stroke-width": 0.6 }));
    for (const v of [lo, 0, hi]) ax.append(el("text", { x: L - 4, y: ys(v) + 3, "text-anchor": "end" }, String(v)));
    for (const t of ticks(domain)) ax.append(el("text", { x: xs(t), y: H - 6, "text-anchor": "middle" }, String(t)));
    svg.append(ax);
    const path = (pts) => {
      let d = `M${xs(0)},${ys(0)}`;
      for (const [t, v] of pts) d += ` H${xs(t)} V${ys(v)}`;
      return d + ` H${xs(domain)}`;
    };
    for (const c of lev.balance) {
      svg.append(el("line", { x1: L, x2: W - 6, y1: ys(c.margin), y2: ys(c.margin), stroke: scen.marks.margin.colour, "stroke-dasharray": "2 2" }));
      svg.append(el("path", { d: path(c.points), fill: "none", stroke: "#222", "stroke-dasharray": "4 2", "stroke-width": 1.2 }));
    }
    for (const [a, pts] of series) {
      svg.append(el("path", { d: path(pts), fill: "none", stroke: scen.marks.actors[a] || "#777", "stroke-width": 1.5, "data-actor": a }));
      const k = h("span", { class: "key" });
      k.style.background = scen.marks.actors[a] || "#777";
      leg.append(h("span", { class: "item" }, k, `${a} exposure`));
    }
    if (lev.balance.length) {
      leg.append(h("br"), `dashed: ${lev.balance.map((c) => `${c.rule} (margin ${c.margin})`).join(", ")}`);
    }
  }

  let ledgerKey = "";
  function ledger() {
    const box = $("ledger"), rows = state.ledger.rows;
    const key = scen.version + JSON.stringify(rows);
    if (key === ledgerKey) return;
    ledgerKey = key;
    box.textContent = "";
    box.append(h("h2", {}, "Exchange ledger"));
    if (!rows.length) { box.append(h("p", { class: "muted" }, "No reciprocity rule trades a step of this roadmap.")); return; }
    const table = h("table", { id: "ledger-table" }, h("tr", {}, h("th", {}, "when"), h("th", {}, "gives"), h("th", {}, "against"), h("th", {}, "verified by")));
    for (const r of rows) {
      table.append(h("tr", { title: r.rule },
        h("td", {}, dateOf(r.give_start) || `${scen.unit} ${r.give_start}`),
        h("td", {}, `${r.give_actor}: ${r.give_name}`),
        r.counter ? h("td", {}, `← ${r.counter_actor}: ${r.counter_name}`) : h("td", { class: "none" }, "nothing in return"),
        h("td", {}, r.verifier || "")));
    }
    box.append(h("div", { class: "scroll" }, table), h("p", { class: "muted" }, `from the ${state.ledger.source}`));
  }

  let whatifKey = "";
  function whatif() {
    const box = $("whatif");
    const key = JSON.stringify([scen.version, state.sets, state.assume]);
    if (key === whatifKey) return;
    whatifKey = key;
    const open = [...box.querySelectorAll("details")].map((d) => d.open);
    box.textContent = "";
    box.append(h("h2", {}, "What-if"));
    if (state.sets.length) {
      const list = h("ul", { id: "sets" });
      for (const x of state.sets) {
        list.append(h("li", {}, h("code", {}, x), " ",
          h("button", { type: "button", title: "Take this change back", onclick: () => act("/api/whatif", { sets: state.sets.filter((y) => y !== x) }, "what-if removed") }, "×")));
      }
      box.append(list);
    } else box.append(h("p", { class: "muted" }, "Change a step's duration in its details, or a rule's number below (as --set does)."));
    const rules = h("div", { class: "rules" });
    for (const r of scen.rules) {
      const nums = Object.entries(r.numbers);
      if (!nums.length) continue;
      const line = h("div", { title: r.source }, h("code", {}, `${r.id} (${r.kind})`));
      for (const [field, value] of nums) {
        const input = h("input", { type: "number", step: 1, value: value === null ? "" : value, placeholder: "none", "aria-label": `${r.id} ${field}` });
        input.addEventListener("change", () => setExpr(`${r.id}.${field}`, input.value === "" ? "null" : input.value));
        line.append(field, input);
      }
      rules.append(line);
    }
    box.append(h("details", { open: open[0] }, h("summary", {}, "Rules' numbers"), rules));
    if (scen.triggers.length) {
      const chosenOutcome = Object.fromEntries(state.assume.map((x) => x.split("=")));
      const branches = h("div", { class: "branches" });
      for (const tr of scen.triggers) {
        const select = h("select", { "aria-label": tr.name, "data-trigger": tr.step });
        tr.outcomes.forEach((o, i) => select.append(h("option", { value: o, selected: (chosenOutcome[tr.step] || tr.outcomes[0]) === o }, i ? o : `${o} (main)`)));
        select.addEventListener("change", () => {
          const rest = state.assume.filter((x) => x.split("=")[0] !== tr.step);
          const next = select.value === tr.outcomes[0] ? rest : rest.concat([`${tr.step}=${select.value}`]);
          act("/api/assume", { assume: next }, "branch");
        });
        branches.append(h("label", {}, `${tr.name}: `, select));
      }
      box.append(h("details", { open: open[1] === undefined ? true : open[1] }, h("summary", {}, "Contingency branches (check --assume)"), branches));
    }
    if (scen.changes.length) box.append(h("p", { class: "muted" }, `${scen.changes.length} change(s) to the scenario: ` + scen.changes.map((c) => c.what).join("; ")));
  }

  // ---- the toolbar -----------------------------------------------------------------------

  async function save(overwrite) {
    const path = $("save-path").value.trim();
    const exists = (err) => {
      if (err.status !== 409 || !err.message.includes("the file exists")) return false;
      say(`${path} exists: `);
      $("status").append(h("button", { type: "button", id: "replace", onclick: () => save(true) }, "Replace it"));
      return true;
    };
    await act("/api/save", overwrite ? { path, overwrite: true } : { path }, "saving", undefined, exists);
  }

  function wire() {
    $("undo").addEventListener("click", () => act("/api/undo", {}, "undone"));
    $("redo").addEventListener("click", () => act("/api/redo", {}, "redone"));
    $("repair").addEventListener("click", () => act("/api/repair", {}, "repaired"));
    $("plan").addEventListener("click", () => act("/api/plan", {}, "planned"));
    $("save").addEventListener("click", () => save(false));
    $("save-path").addEventListener("keydown", (e) => { if (e.key === "Enter") save(false); });
    $("report").addEventListener("click", () => window.open("/api/report?token=" + encodeURIComponent(TOKEN), "_blank", "noopener"));
    document.addEventListener("keydown", (e) => {
      if (e.target.closest && e.target.closest("input, select, textarea")) return;
      if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === "z") {
        e.preventDefault();
        act(e.shiftKey ? "/api/redo" : "/api/undo", {}, e.shiftKey ? "redone" : "undone");
      } else if (e.key === "Escape") { chosen = null; selected = null; draw(); }
    });
    $("chart-scroll").addEventListener("scroll", pinAxis, { passive: true });
    let resizing = 0;
    window.addEventListener("resize", () => {
      cancelAnimationFrame(resizing);
      resizing = requestAnimationFrame(() => { if (state) draw(); });
    });
  }

  async function start() {
    wire();
    try {
      await show(await call("GET", "/api/state"));
      say("drag a bar, or click a step to type its start");
    } catch (err) {
      say(err.message || String(err), true);
    }
  }
  start();
})();

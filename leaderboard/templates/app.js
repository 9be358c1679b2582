"use strict";
(function () {
  // Every piece of data reaches the page through textContent or a checked attribute: never HTML.
  var D = JSON.parse(document.getElementById("lb-data").textContent);
  var META = D.meta, ALPHA = META.alpha;
  var METRICS = {};
  D.metrics.forEach(function (m) { METRICS[m.key] = m; });
  var ENTRY = {};
  D.entries.forEach(function (e) { ENTRY[e.id] = e; });
  var SCOPE = {};
  D.scopes.forEach(function (s) { SCOPE[s.id] = s; });
  var state = { metric: "f1", baseline: META.baseline || "" };
  var SVGNS = "http://www.w3.org/2000/svg";

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    setAttrs(node, attrs);
    append(node, children);
    return node;
  }
  function svg(tag, attrs, children) {
    var node = document.createElementNS(SVGNS, tag);
    setAttrs(node, attrs);
    append(node, children);
    return node;
  }
  function setAttrs(node, attrs) {
    Object.keys(attrs || {}).forEach(function (k) {
      var v = attrs[k];
      if (v === null || v === undefined || v === false) return;
      if (/^on/i.test(k) || k === "href" || k === "src") throw new Error("unsafe attribute " + k);
      if (k === "text") node.textContent = String(v);
      else node.setAttribute(k, String(v));
    });
  }
  function append(node, children) {
    if (children === null || children === undefined) return;
    if (!Array.isArray(children)) children = [children];
    children.forEach(function (c) {
      if (c === null || c === undefined || c === false) return;
      node.appendChild(typeof c === "object" ? c : document.createTextNode(String(c)));
    });
  }
  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); return node; }
  function $(id) { return document.getElementById(id); }
  function label(id) { return ENTRY[id] ? ENTRY[id].label : id; }
  function isNum(x) { return typeof x === "number" && isFinite(x); }

  function fmt(v, format) {
    if (!isNum(v)) return "–";
    switch (format) {
      case "percent": return (100 * v).toFixed(1) + "%";
      case "int": return String(Math.round(v));
      case "seconds": return v < 10 ? v.toFixed(2) : v.toFixed(1);
      case "money": return "$" + (v < 10 ? v.toFixed(3) : v.toFixed(2));
      default: return v.toFixed(3);
    }
  }
  function fmtP(p) {
    if (!isNum(p)) return "–";
    return p < 0.001 ? "<0.001" : p.toFixed(3);
  }
  function signed(v) { return isNum(v) ? (v >= 0 ? "+" : "−") + Math.abs(v).toFixed(3) : "–"; }
  function ci(lo, hi) { return isNum(lo) ? "[" + lo.toFixed(3) + ", " + hi.toFixed(3) + "]" : ""; }
  function val(cell, key) {
    if (!cell) return null;
    var v = cell[key];
    return Array.isArray(v) ? v[0] : v;
  }

  function select(id, options, value, onChange, title) {
    var s = el("select", { id: id, "aria-label": title });
    options.forEach(function (o) {
      var opt = el("option", { value: o[0], text: o[1] });
      if (o[0] === value) opt.selected = true;
      s.appendChild(opt);
    });
    s.addEventListener("change", function () { onChange(s.value); });
    return el("label", { class: "ctl" }, [el("span", { text: title }), s]);
  }

  // ---------------------------------------------------------------- sortable tables
  // columns: {key, label, title, sort(row) -> number|string|null, cell(row) -> node|string,
  //           dir: "higher"|"lower"|"text", cls}
  function sortableTable(id, columns, rows, initial) {
    var table = el("table", { id: id, class: "data" });
    var thead = el("thead"), tbody = el("tbody"), tr = el("tr");
    var sort = initial || { key: null, desc: true };
    columns.forEach(function (c) {
      var th = el("th", { "data-key": c.key, title: c.title || "Sort by " + c.label,
                          class: (c.cls || "") + " sortable", scope: "col", tabindex: 0 },
                  [el("span", { class: "lbl" }, c.label), el("span", { class: "arrow" })]);
      if (c.sub) th.appendChild(el("div", { class: "sub", text: c.sub }));
      function go() {
        if (sort.key === c.key) sort.desc = !sort.desc;
        else { sort.key = c.key; sort.desc = c.dir !== "text" && c.dir !== "lower"; }
        draw();
      }
      th.addEventListener("click", go);
      th.addEventListener("keydown", function (ev) { if (ev.key === "Enter") go(); });
      tr.appendChild(th);
    });
    thead.appendChild(tr);
    table.appendChild(thead);
    table.appendChild(tbody);
    function draw() {
      var col = columns.filter(function (c) { return c.key === sort.key; })[0];
      var ordered = rows.slice();
      if (col) {
        ordered.sort(function (a, b) {
          var x = col.sort(a), y = col.sort(b);
          if (x === null || x === undefined) return (y === null || y === undefined) ? 0 : 1;
          if (y === null || y === undefined) return -1;
          var r = typeof x === "string" ? x.localeCompare(y) : x - y;
          return sort.desc ? -r : r;
        });
      }
      Array.prototype.forEach.call(thead.querySelectorAll("th"), function (th) {
        var on = th.getAttribute("data-key") === sort.key;
        th.setAttribute("aria-sort", on ? (sort.desc ? "descending" : "ascending") : "none");
        th.querySelector(".arrow").textContent = on ? (sort.desc ? " ▾" : " ▴") : "";
      });
      clear(tbody);
      ordered.forEach(function (row) {
        var r = el("tr", { "data-row": row.id });
        columns.forEach(function (c) { r.appendChild(el("td", { class: c.cls }, c.cell(row))); });
        tbody.appendChild(r);
      });
    }
    draw();
    return table;
  }

  // ---------------------------------------------------------------- significance helpers
  // a's metric minus b's, from the scope's pair records (benchmark.stats.PairComparison.summary:
  // delta = model_b − model_a)
  function pairOf(scope, a, b) {
    if (a === b) return null;
    for (var k = 0; k < scope.pairs.length; k++) {
      var p = scope.pairs[k];
      if (p.model_a === b && p.model_b === a) return { delta: p.delta, low: p.low, high: p.high, p: p.p_bootstrap, holm: p.p_bootstrap_holm };
      if (p.model_a === a && p.model_b === b) return { delta: -p.delta, low: -p.high, high: -p.low, p: p.p_bootstrap, holm: p.p_bootstrap_holm };
    }
    return null;
  }
  // a's F1 minus the baseline's, when significant: "better" | "worse" | null
  function versusBaseline(scope, a) {
    if (!state.baseline || a === state.baseline) return null;
    var p = pairOf(scope, a, state.baseline);
    if (!p || !isNum(p.holm) || p.holm > ALPHA) return null;
    return p.delta > 0 ? "better" : "worse";
  }
  function marker(scope, entry, key) {
    if (key !== "f1") return null;
    if (entry === state.baseline && scope.cells[entry]) return el("span", { class: "mk base", title: "baseline", text: "◆" });
    var s = versusBaseline(scope, entry);
    if (!s) return null;
    var p = pairOf(scope, entry, state.baseline);
    return el("span", {
      class: "mk " + s, text: s === "better" ? "▲" : "▼",
      title: (s === "better" ? "better" : "worse") + " than " + label(state.baseline) + ": ΔF1 " +
        signed(p.delta) + " " + ci(p.low, p.high) + ", Holm p " + fmtP(p.holm)
    });
  }

  // ---------------------------------------------------------------- leaderboard
  function scoreCell(scope, entry, key) {
    var cell = scope.cells[entry];
    if (!cell) return el("span", { class: "na", title: "no comparable run on every task of this scope", text: "–" });
    var m = METRICS[key] || { format: "score" };
    var v = cell[key], out = [];
    if (Array.isArray(v)) {
      out.push(el("span", { class: "v", text: fmt(v[0], m.format) }));
      out.push(marker(scope, entry, key));
      out.push(el("div", { class: "ci", text: ci(v[1], v[2]) }));
    } else {
      out.push(el("span", { class: "v", text: fmt(v, m.format) }));
    }
    return out;
  }
  function drawOverview() {
    var wrap = clear($("overview-wrap"));
    if (!D.scopes.length) {
      wrap.appendChild(el("p", { class: "empty", text: "No finished runs yet. Run `medvie-bench run --model M --task T`, then rebuild this page." }));
      return;
    }
    var key = state.metric;
    var cols = [{ key: "model", label: "Model", dir: "text", cls: "name",
                  sort: function (r) { return label(r.id); },
                  cell: function (r) { return modelCell(r.id); } }];
    D.scopes.forEach(function (s) {
      var sub = s.kind === "group" ? s.tasks.length + " task" + (s.tasks.length > 1 ? "s" : "") + " · " + s.n_docs + " docs"
        : s.n_docs + " docs · MDΔ " + (isNum(s.mdd) ? s.mdd.toFixed(3) : "–");
      cols.push({
        key: s.id, label: s.label, sub: sub, cls: "num" + (s.kind === "group" ? " group" : ""),
        dir: (METRICS[key] || {}).direction, title: scopeTitle(s),
        sort: function (r) { return val(s.cells[r.id], key); },
        cell: function (r) { return scoreCell(s, r.id, key); }
      });
    });
    var first = D.scopes[0].id;
    var lower = (METRICS[key] || {}).direction === "lower";
    wrap.appendChild(sortableTable("overview", cols, D.entries, { key: first, desc: !lower }));
  }
  function scopeTitle(s) {
    var t = s.kind === "group" ? "Pooled over " + s.tasks.join(", ") : "Task " + s.name;
    if (isNum(s.mdd)) t += ". Minimum detectable ΔF1 (α = " + ALPHA + ", power " + META.power + "): " + s.mdd.toFixed(3);
    return t + ". Click to sort.";
  }
  function modelCell(id) {
    var e = ENTRY[id] || { label: id, id: id };
    return [el("span", { class: "model", text: e.label }),
            e.label !== e.id ? el("div", { class: "ci", text: e.id }) : null];
  }
  function drawBoardControls() {
    var c = clear($("board-controls"));
    var scoreMetrics = D.metrics.filter(function (m) { return m.key !== "n_docs"; });
    c.appendChild(select("metric-select", scoreMetrics.map(function (m) { return [m.key, m.label]; }),
      state.metric, function (v) { state.metric = v; drawOverview(); }, "Metric"));
    var opts = [["", "none"]].concat(D.entries.map(function (e) { return [e.id, e.label]; }));
    c.appendChild(select("baseline-select", opts, state.baseline, function (v) {
      state.baseline = v; drawOverview(); drawDetail(); drawConditions();
    }, "Baseline"));
    $("board-note").textContent = "Scores are micro-averaged over documents with 95% bootstrap CIs. ▲/▼: F1 significantly above/below the baseline (paired bootstrap, Holm-adjusted over all pairs of the column, α = " + ALPHA + "). Groups pool their tasks' documents. MDΔ: smallest ΔF1 a paired test on the task detects with power " + META.power + ". Click a header to sort.";
  }

  var detailScope = D.scopes.length ? D.scopes[0].id : null;
  function drawDetail() {
    var c = clear($("detail-controls")), wrap = clear($("detail-wrap"));
    if (!detailScope) return;
    c.appendChild(select("detail-scope", D.scopes.map(function (s) { return [s.id, (s.kind === "group" ? "Group: " : "Task: ") + s.label]; }),
      detailScope, function (v) { detailScope = v; drawDetail(); }, "Scope"));
    var s = SCOPE[detailScope];
    var rows = s.models.map(function (id) { return { id: id }; });
    var cols = [{ key: "model", label: "Model", dir: "text", cls: "name", sort: function (r) { return label(r.id); },
                  cell: function (r) { return modelCell(r.id); } }];
    D.metrics.forEach(function (m) {
      cols.push({ key: m.key, label: m.label, dir: m.direction, cls: "num",
                  sort: function (r) { return val(s.cells[r.id], m.key); },
                  cell: function (r) { return scoreCell(s, r.id, m.key); } });
    });
    if (state.baseline) {
      cols.push({ key: "vs", label: "ΔF1 vs " + label(state.baseline), dir: "higher", cls: "num",
        sort: function (r) { var p = pairOf(s, r.id, state.baseline); return p ? p.delta : null; },
        cell: function (r) {
          var p = pairOf(s, r.id, state.baseline);
          if (!p) return "–";
          return [el("span", { class: "v", text: signed(p.delta) }),
                  el("div", { class: "ci", text: ci(p.low, p.high) + " p_Holm " + fmtP(p.holm) })];
        } });
    }
    wrap.appendChild(sortableTable("detail", cols, rows, { key: "f1", desc: true }));
  }

  // ---------------------------------------------------------------- significance matrix
  var sigScope = D.scopes.length ? D.scopes[0].id : null;
  function drawSignificance() {
    var c = clear($("sig-controls")), wrap = clear($("sig-wrap"));
    if (!sigScope) { wrap.appendChild(el("p", { class: "empty", text: "No runs yet." })); return; }
    c.appendChild(select("sig-scope", D.scopes.map(function (s) { return [s.id, s.label]; }), sigScope,
      function (v) { sigScope = v; drawSignificance(); }, "Scope"));
    var s = SCOPE[sigScope];
    var models = s.models.slice().sort(function (a, b) { return s.cells[b].f1[0] - s.cells[a].f1[0]; });
    if (models.length < 2) { wrap.appendChild(el("p", { class: "empty", text: "Only one model on this scope: nothing to compare yet." })); return; }
    var t = el("table", { class: "matrix", id: "sig-matrix" });
    var head = el("tr", null, el("th", { class: "corner", text: "row − column" }));
    models.forEach(function (m) { head.appendChild(el("th", { class: "rot", title: label(m) }, el("span", { text: label(m) }))); });
    t.appendChild(el("thead", null, head));
    var body = el("tbody");
    models.forEach(function (a) {
      var tr = el("tr", null, el("th", { class: "name", text: label(a) + " (" + s.cells[a].f1[0].toFixed(3) + ")" }));
      models.forEach(function (b) {
        if (a === b) { tr.appendChild(el("td", { class: "diag", text: "·" })); return; }
        var p = pairOf(s, a, b);
        var sig = p && isNum(p.holm) && p.holm <= ALPHA;
        var cls = sig ? (p.delta > 0 ? "pos" : "neg") : "ns";
        tr.appendChild(el("td", {
          class: cls, text: p ? signed(p.delta) : "–",
          title: p ? label(a) + " − " + label(b) + ": ΔF1 " + signed(p.delta) + " " + ci(p.low, p.high) +
            "; p " + fmtP(p.p) + ", Holm p " + fmtP(p.holm) : ""
        }));
      });
      body.appendChild(tr);
    });
    t.appendChild(body);
    wrap.appendChild(t);
  }

  // ---------------------------------------------------------------- precision-recall scatter
  var prScope = D.scopes.length ? D.scopes[0].id : null;
  var PALETTE = ["#2563eb", "#dc2626", "#059669", "#d97706", "#7c3aed", "#0891b2", "#db2777", "#4b5563", "#65a30d", "#9333ea"];
  function drawPR() {
    var c = clear($("pr-controls")), wrap = clear($("pr-wrap"));
    if (!prScope) { wrap.appendChild(el("p", { class: "empty", text: "No runs yet." })); return; }
    c.appendChild(select("pr-scope", D.scopes.map(function (s) { return [s.id, s.label]; }), prScope,
      function (v) { prScope = v; drawPR(); }, "Precision–recall"));
    var s = SCOPE[prScope];
    var lows = [];
    s.models.forEach(function (m) { lows.push(s.cells[m].precision[1], s.cells[m].recall[1]); });
    var lo = Math.max(0, Math.floor((Math.min.apply(null, lows) - 0.02) * 10) / 10);
    var W = 440, H = 360, L = 48, R = 16, T = 14, B = 42, span = 1 - lo;
    var x = function (r) { return L + (r - lo) / span * (W - L - R); };
    var y = function (p) { return H - B - (p - lo) / span * (H - T - B); };
    var g = svg("svg", { viewBox: "0 0 " + W + " " + H, class: "chart", id: "pr-chart", role: "img",
                         "aria-label": "precision against recall per model" });
    g.appendChild(svg("defs", null, svg("clipPath", { id: "pr-clip" },
      svg("rect", { x: L, y: T, width: W - L - R, height: H - T - B }))));
    var step = span > 0.5 ? 0.2 : 0.1;
    for (var t = 1; t >= lo - 1e-9; t -= step) {
      g.appendChild(svg("line", { x1: x(t), x2: x(t), y1: y(lo), y2: y(1), class: "grid" }));
      g.appendChild(svg("line", { x1: x(lo), x2: x(1), y1: y(t), y2: y(t), class: "grid" }));
      g.appendChild(svg("text", { x: x(t), y: H - B + 16, class: "tick", "text-anchor": "middle", text: t.toFixed(1) }));
      g.appendChild(svg("text", { x: L - 6, y: y(t) + 4, class: "tick", "text-anchor": "end", text: t.toFixed(1) }));
    }
    var iso = svg("g", { "clip-path": "url(#pr-clip)" });
    [0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9].forEach(function (f) {  // iso-F1: p = f r / (2r - f)
      var pts = [];
      for (var i = 0; i <= 80; i++) {
        var r = f / 2 + (1 - f / 2) * i / 80, p = f * r / (2 * r - f);
        if (p <= 1.0001 && r >= lo - 0.05 && p >= lo - 0.05) pts.push(x(r).toFixed(1) + "," + y(Math.min(p, 1)).toFixed(1));
      }
      if (pts.length < 2) return;
      iso.appendChild(svg("polyline", { points: pts.join(" "), class: "iso" }));
      var pEnd = f / (2 - f);
      if (pEnd >= lo + 0.02) iso.appendChild(svg("text", { x: x(1) - 3, y: y(pEnd) - 3, class: "isolbl", "text-anchor": "end", text: "F1 " + f }));
    });
    g.appendChild(iso);
    g.appendChild(svg("text", { x: (L + W - R) / 2, y: H - 6, class: "axis", "text-anchor": "middle", text: "Recall" }));
    g.appendChild(svg("text", { x: 12, y: (T + H - B) / 2, class: "axis", "text-anchor": "middle",
                                transform: "rotate(-90 12 " + (T + H - B) / 2 + ")", text: "Precision" }));
    var labels = [];
    s.models.forEach(function (m, i) {
      var cell = s.cells[m], P = cell.precision, Rc = cell.recall, col = PALETTE[i % PALETTE.length];
      var grp = svg("g", { class: "pt", "data-model": m });
      grp.appendChild(svg("line", { x1: x(Rc[1]), x2: x(Rc[2]), y1: y(P[0]), y2: y(P[0]), stroke: col, class: "whisk" }));
      grp.appendChild(svg("line", { x1: x(Rc[0]), x2: x(Rc[0]), y1: y(P[1]), y2: y(P[2]), stroke: col, class: "whisk" }));
      grp.appendChild(svg("circle", { cx: x(Rc[0]), cy: y(P[0]), r: 5, fill: col },
        svg("title", { text: label(m) + ": P " + P[0].toFixed(3) + " " + ci(P[1], P[2]) + ", R " + Rc[0].toFixed(3) + " " + ci(Rc[1], Rc[2]) + ", F1 " + cell.f1[0].toFixed(3) })));
      g.appendChild(grp);
      labels.push({ text: label(m), x: x(Rc[0]), y: y(P[0]), col: col });
    });
    if (s.models.length <= 12) placeLabels(g, labels, W - R);
    else g.appendChild(svg("text", { x: L + 6, y: T + 12, class: "tick", text: "hover a point for its model" }));
    wrap.appendChild(g);
    wrap.appendChild(el("p", { class: "note", text: "Whiskers: 95% CIs. Grey curves: equal F1." }));
  }

  // Labels beside their points, pushed apart vertically; right of the point unless near the edge.
  function placeLabels(g, labels, right) {
    labels.sort(function (a, b) { return a.y - b.y; });
    var last = -1e9;
    labels.forEach(function (l) {
      var ly = Math.max(l.y + 4, last + 13);
      last = ly;
      var leftSide = l.x + 8 + 7 * l.text.length > right;
      g.appendChild(svg("text", { x: leftSide ? l.x - 8 : l.x + 8, y: ly, class: "ptlbl", fill: l.col,
                                  "text-anchor": leftSide ? "end" : "start", text: l.text }));
    });
  }

  // ---------------------------------------------------------------- per-field heatmap
  var heatTask = Object.keys(D.fields)[0] || null;
  function heatColor(f) {  // red (0) → amber (0.5) → green (1)
    var h = Math.round(120 * Math.max(0, Math.min(1, f)));
    return "hsl(" + h + ", 65%, " + (88 - 10 * Math.abs(f - 0.5)) + "%)";
  }
  function drawHeat() {
    var c = clear($("heat-controls")), wrap = clear($("heat-wrap"));
    if (!heatTask) { wrap.appendChild(el("p", { class: "empty", text: "No runs yet." })); return; }
    c.appendChild(select("heat-task", Object.keys(D.fields).map(function (t) { return [t, (SCOPE["t:" + t] || { label: t }).label]; }),
      heatTask, function (v) { heatTask = v; drawHeat(); }, "Per-field F1"));
    var F = D.fields[heatTask];
    var t = el("table", { class: "heat", id: "heatmap" });
    var head = el("tr", null, el("th", { class: "corner", text: "F1 by field" }));
    F.fields.forEach(function (f) { head.appendChild(el("th", { class: "rot", title: f }, el("span", { text: f }))); });
    t.appendChild(el("thead", null, head));
    var body = el("tbody");
    Object.keys(F.rows).sort(function (a, b) { return label(a).localeCompare(label(b)); }).forEach(function (m) {
      var tr = el("tr", null, el("th", { class: "name", text: label(m) }));
      F.rows[m].forEach(function (v, i) {
        var td = el("td", { text: v[0] === null ? "–" : v[0].toFixed(2),
          title: label(m) + " · " + F.fields[i] + ": F1 " + (v[0] === null ? "–" : v[0].toFixed(3)) + " (TP " + v[1] + ", FP " + v[2] + ", FN " + v[3] + ")" });
        if (isNum(v[0])) td.style.background = heatColor(v[0]);
        tr.appendChild(td);
      });
      body.appendChild(tr);
    });
    t.appendChild(body);
    wrap.appendChild(t);
  }

  // ---------------------------------------------------------------- ablations
  function ablationTable(title, rows, cols, empty) {
    var box = el("div", { class: "ablation" }, el("h3", { text: title }));
    if (!rows.length) { box.appendChild(el("p", { class: "empty", text: "No runs yet. " + empty })); return box; }
    var t = el("table", { class: "data" });
    t.appendChild(el("thead", null, el("tr", null, cols.map(function (c) { return el("th", { class: c[2] || "", text: c[0] }); }))));
    var body = el("tbody");
    rows.forEach(function (r) { body.appendChild(el("tr", null, cols.map(function (c) { return el("td", { class: c[2] || "" }, c[1](r)); }))); });
    t.appendChild(body);
    box.appendChild(el("div", { class: "scroll" }, t));
    return box;
  }
  function deltaCell(r) {
    var sig = isNum(r.p_holm) ? r.p_holm <= ALPHA : (r.low > 0 || r.high < 0);
    return [el("span", { class: "v " + (sig ? (r.delta > 0 ? "up" : "down") : ""), text: signed(r.delta) }),
            el("div", { class: "ci", text: ci(r.low, r.high) })];
  }
  function taskLabel(t) { return (SCOPE["t:" + t] || { label: t }).label; }
  function drawAblations() {
    var A = D.ablations, wrap = clear($("ablation-wrap"));
    var dg = A.domain_groups || ["", ""];
    wrap.appendChild(ablationTable("Thinking off → on", A.thinking, [
      ["Model", function (r) { return label(r.model); }], ["Task", function (r) { return taskLabel(r.task); }],
      ["F1 off", function (r) { return fmt(r.f1_a); }, "num"], ["F1 on", function (r) { return fmt(r.f1_b); }, "num"],
      ["ΔF1 [95% CI]", deltaCell, "num"], ["p (Holm)", function (r) { return fmtP(r.p) + " (" + fmtP(r.p_holm) + ")"; }, "num"]
    ], "Run a model with --thinking on and off on the same task."));
    wrap.appendChild(ablationTable("All keys → random keys", A.keys, [
      ["Model", function (r) { return label(r.model); }], ["Task", function (r) { return taskLabel(r.task); }],
      ["Keys", function (r) { return r.keys; }],
      ["F1 all", function (r) { return fmt(r.f1_a); }, "num"], ["F1 random", function (r) { return fmt(r.f1_b); }, "num"],
      ["ΔF1 [95% CI]", deltaCell, "num"], ["p (Holm)", function (r) { return fmtP(r.p) + " (" + fmtP(r.p_holm) + ")"; }, "num"]
    ], "Run a model with --keys all and --keys random:K on the same task."));
    wrap.appendChild(ablationTable(dg[0] + " → " + dg[1] + " documents", A.domain, [
      ["Model", function (r) { return label(r.entry); }],
      ["F1 " + dg[0], function (r) { return fmt(r.f1_a); }, "num"], ["F1 " + dg[1], function (r) { return fmt(r.f1_b); }, "num"],
      ["ΔF1 [95% CI]", deltaCell, "num"]
    ], "Needs a model with runs on every " + dg[0] + " and every " + dg[1] + " task."));
    wrap.appendChild(el("p", { class: "note", text: "Thinking and keys: paired bootstrap on the same documents, Holm-adjusted within each table. Domain: different documents, so an unpaired normal-approximation CI." }));
  }

  // ---------------------------------------------------------------- by capture condition
  var C = D.conditions || { tasks: {}, labels: {} };
  var cond = { task: null, name: null };
  function condLabel(n) { return (C.labels[n] || {}).label || n; }
  function drawConditions() {
    var c = clear($("cond-controls")), wrap = clear($("cond-wrap"));
    var tasks = Object.keys(C.tasks).sort();
    if (!tasks.length) {
      $("cond-note").textContent = "No run on the board records capture conditions yet (records carry them for synthetic tasks and for real manifests with a conditions object).";
      return;
    }
    if (tasks.indexOf(cond.task) < 0) cond.task = tasks[0];
    var T = C.tasks[cond.task], names = Object.keys(T.conditions);
    if (names.indexOf(cond.name) < 0) cond.name = names[0];
    c.appendChild(select("cond-task", tasks.map(function (t) { return [t, taskLabel(t)]; }), cond.task,
      function (v) { cond.task = v; drawConditions(); }, "Task"));
    c.appendChild(select("cond-name", names.map(function (n) { return [n, condLabel(n)]; }), cond.name,
      function (v) { cond.name = v; drawConditions(); }, "Condition"));
    var levels = T.conditions[cond.name].map(function (lv, i) { lv.id = String(i); lv.order = i; return lv; });
    var cols = [
      { key: "level", label: condLabel(cond.name), dir: "text", cls: "name", sort: function (r) { return r.order; },
        cell: function (r) { return el("span", { class: "model", text: r.level }); } },
      { key: "n", label: "Docs", dir: "higher", cls: "num", sort: function (r) { return r.n_docs; },
        cell: function (r) { return fmt(r.n_docs, "int"); } }
    ];
    T.models.forEach(function (e) {
      cols.push({ key: "m:" + e, label: label(e), dir: "higher", cls: "num",
                  sort: function (r) { return val(r.cells[e], "f1"); },
                  cell: function (r) { return scoreCell(r, e, "f1"); } });
    });
    wrap.appendChild(sortableTable("cond-table", cols, levels, { key: "level", desc: false }));
    var desc = (C.labels[cond.name] || {}).description;
    $("cond-note").textContent = (desc ? condLabel(cond.name) + ": " + desc + ". " : "") + "F1 on the documents of each level (" + T.n_docs + " documents in all), 95% bootstrap CIs. ▲/▼: significantly above/below the baseline on that level's documents (paired bootstrap, Holm-adjusted over the level's pairs, α = " + ALPHA + "). Small levels have wide CIs.";
  }

  // ---------------------------------------------------------------- document explorer
  var X = D.explorer || { thumbs: [], tasks: {}, preds: {} };
  var ex = { task: null, entry: null, doc: null };
  function explorerTasks() { return Object.keys(X.preds).sort(); }
  function drawExplorer() {
    var c = clear($("explorer-controls"));
    var tasks = explorerTasks();
    if (!tasks.length) {
      $("explorer-note").textContent = "No documents to show (no runs, or the page was built with --explorer-docs 0).";
      return;
    }
    if (!ex.task) ex.task = tasks[0];
    var entries = Object.keys(X.preds[ex.task]).sort(function (a, b) { return label(a).localeCompare(label(b)); });
    if (entries.indexOf(ex.entry) < 0) ex.entry = entries.indexOf(state.baseline) >= 0 && entries.length > 1
      ? entries.filter(function (e) { return e !== state.baseline; })[0] : entries[0];
    c.appendChild(select("explorer-task", tasks.map(function (t) { return [t, taskLabel(t)]; }), ex.task,
      function (v) { ex.task = v; ex.doc = null; drawExplorer(); }, "Task"));
    c.appendChild(select("explorer-model", entries.map(function (e) { return [e, label(e)]; }), ex.entry,
      function (v) { ex.entry = v; drawExplorer(); }, "Model"));
    var T = X.tasks[ex.task] || { docs: {}, note: null };
    $("explorer-note").textContent = (T.note ? T.note + ". " : "") + "The first " + META.explorer_docs + " documents of each task (by id; --explorer-docs). Colours: green correct, red wrong value, amber missing, purple hallucinated.";
    var strip = clear($("explorer-docs"));
    var preds = X.preds[ex.task][ex.entry] || {};
    var hasThumbs = Object.keys(T.docs).some(function (id) { return T.docs[id].thumb !== null; });
    strip.className = "docstrip" + (hasThumbs ? "" : " compact");
    Object.keys(T.docs).sort().forEach(function (id) {
      var p = preds[id];
      var f1 = p ? (2 * p.tp + p.fp + p.fn ? 2 * p.tp / (2 * p.tp + p.fp + p.fn) : 1) : null;
      var b = el("button", { type: "button", class: "doc" + (id === ex.doc ? " on" : ""), "data-doc": id,
                             title: "document " + id });
      if (hasThumbs) b.appendChild(thumb(T.docs[id], "thumb"));
      b.appendChild(el("span", { class: "docid", text: id }));
      b.appendChild(el("span", { class: "docf1", text: f1 === null ? "no output" : "F1 " + f1.toFixed(2) }));
      if (f1 !== null) b.querySelector(".docf1").style.background = heatColor(f1);
      b.addEventListener("click", function () { ex.doc = id; drawExplorer(); });
      strip.appendChild(b);
    });
    drawDoc();
  }
  function thumb(doc, cls) {
    var img = document.createElement("img");
    var src = doc && doc.thumb !== null && doc.thumb !== undefined ? X.thumbs[doc.thumb] : null;
    if (typeof src === "string" && /^data:image\/jpeg;base64,[A-Za-z0-9+\/=]+$/.test(src)) {
      img.src = src;
      img.alt = "document thumbnail";
      img.className = cls;
      return img;
    }
    return el("span", { class: cls + " noimg", text: "no image" });
  }
  function values(list) {
    if (!list || !list.length) return el("span", { class: "na", text: "—" });
    return list.map(function (v) { return el("div", { class: "val", text: v }); });
  }
  var KIND_CLASS = { ok: "ok", missing_key: "miss", missing_value: "miss", hallucinated_key: "hall",
                     not_scored: "skip" };
  function drawDoc() {
    var view = clear($("doc-view"));
    if (!ex.doc) { view.appendChild(el("p", { class: "empty", text: "Choose a document above." })); return; }
    var T = X.tasks[ex.task], doc = T.docs[ex.doc] || {}, p = (X.preds[ex.task][ex.entry] || {})[ex.doc];
    var side = doc.thumb !== null && doc.thumb !== undefined ? el("div", { class: "docimg" }, thumb(doc, "big")) : null;
    var main = el("div", { class: "docmain" });
    main.appendChild(el("h3", { text: label(ex.entry) + " · " + taskLabel(ex.task) + " · document " + ex.doc }));
    if (!p) { main.appendChild(el("p", { class: "empty", text: "This model has no output for this document." })); }
    else {
      var facts = ["TP " + p.tp, "FP " + p.fp, "FN " + p.fn];
      D.metrics.forEach(function (m) {  // every metric on this one document (explorer.py: scores)
        var v = (p.scores || {})[m.key];
        if (m.key !== "n_docs" && isNum(v)) facts.push(m.label + " " + fmt(v, m.format));
      });
      main.appendChild(el("p", { class: "facts", text: facts.join(" · ") }));
      if (p.error_kind || p.parse_error) {
        main.appendChild(el("p", { class: "err", text: [p.error_kind ? "error: " + p.error_kind : "", p.parse_error ? "parse error: " + p.parse_error : "", p.error || ""].filter(Boolean).join(" · ") }));
      }
      if (p.queried_keys) main.appendChild(el("p", { class: "facts", text: "queried keys: " + p.queried_keys.join(", ") }));
      var t = el("table", { class: "data fields", id: "doc-fields" });
      t.appendChild(el("thead", null, el("tr", null, ["Field", "Ground truth", "Prediction", "TP", "FP", "FN", "Status"].map(function (h) { return el("th", { text: h }); }))));
      var body = el("tbody");
      p.fields.forEach(function (f) {
        var kind = f[5], cls = KIND_CLASS[kind] || (kind ? "bad" : "");
        var gold = doc.gt ? doc.gt[f[0]] : null;
        body.appendChild(el("tr", { class: "k-" + cls, "data-field": f[0] }, [
          el("td", { class: "path", text: f[0] }), el("td", null, values(gold)), el("td", null, values(f[1])),
          el("td", { class: "num", text: f[2] }), el("td", { class: "num", text: f[3] }), el("td", { class: "num", text: f[4] }),
          el("td", null, el("span", { class: "kind", text: kind === "ok" ? "correct" : kind === "not_scored" ? "not queried" : kind.replace(/_/g, " ") }))
        ]));
      });
      t.appendChild(body);
      main.appendChild(el("div", { class: "scroll" }, t));
      main.appendChild(el("h4", { text: "Raw output" + (p.cut ? " (first " + p.raw.length + " characters; " + p.cut + " more cut)" : "") }));
      main.appendChild(el("pre", { id: "raw-output", class: "raw", text: p.raw || "(no output)" }));
    }
    view.appendChild(el("div", { class: "docgrid" + (side ? "" : " noside") }, [side, main]));
  }

  // ---------------------------------------------------------------- runs
  function drawRuns() {
    var wrap = clear($("runs-wrap"));
    var cols = [
      { key: "run_key", label: "Run", dir: "text", sort: function (r) { return r.run_key; }, cell: function (r) { return el("code", { text: r.run_key }); } },
      { key: "task", label: "Task", dir: "text", sort: function (r) { return r.task; }, cell: function (r) { return r.task || "–"; } },
      { key: "model", label: "Model", dir: "text", sort: function (r) { return r.model; }, cell: function (r) { return r.model || "–"; } },
      { key: "settings", label: "Settings", dir: "text", sort: function (r) { return (r.keys || "") + r.thinking; },
        cell: function (r) { return "keys " + (r.keys || "–") + (r.thinking ? " · thinking" : ""); } },
      { key: "n_docs", label: "Docs", dir: "higher", cls: "num", sort: function (r) { return r.n_docs; }, cell: function (r) { return fmt(r.n_docs, "int"); } },
      { key: "finished_at", label: "Finished", dir: "text", sort: function (r) { return r.finished_at || ""; }, cell: function (r) { return r.finished_at || r.status || "–"; } },
      { key: "included", label: "Shown", dir: "text", sort: function (r) { return r.included ? "a" : "b" + r.reason; },
        cell: function (r) { return r.included ? el("span", { class: "yes", text: "✓ on the leaderboard" }) : el("span", { class: "no", text: r.reason }); } }
    ];
    var rows = D.runs.map(function (r) { r.id = r.run_key; return r; });
    if (!rows.length) { wrap.appendChild(el("p", { class: "empty", text: "No runs found." })); return; }
    wrap.appendChild(sortableTable("runs-table", cols, rows, { key: "run_key", desc: false }));
  }

  drawBoardControls();
  drawOverview();
  drawDetail();
  drawSignificance();
  drawPR();
  drawHeat();
  drawAblations();
  drawConditions();
  drawExplorer();
  drawRuns();
  document.body.setAttribute("data-ready", "1");
})();

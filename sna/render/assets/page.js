(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("sna-data").textContent);
  window.snaStarted = performance.now();
  var nodes = new vis.DataSet(data.nodes);
  var edges = new vis.DataSet(data.edges);
  var info = data.info;
  var links = data.links;
  var act = data.interactions;
  var n = data.nodes.length, m = links.src.length, rowsCount = act.link.length;
  var network = new vis.Network(document.getElementById("graph"), {nodes: nodes, edges: edges}, data.options);
  window.snaNetwork = network;
  network.once("afterDrawing", function () {
    window.snaDrawn = performance.now();
    document.body.setAttribute("data-drawn", "1");
  });
  network.fit({animation: false});

  // Helpers ---------------------------------------------------------------------------------
  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    if (cls) { e.className = cls; }
    return e;
  }
  function fmt(v) {
    if (v === null || v === undefined) { return "–"; }
    if (typeof v === "number" && !Number.isInteger(v)) { return Number(v.toPrecision(3)).toString(); }
    return String(v);
  }
  function table(rows) {
    var t = el("table");
    rows.forEach(function (r) {
      var tr = el("tr");
      tr.appendChild(el("td", r[0]));
      tr.appendChild(el("td", r[1]));
      t.appendChild(tr);
    });
    return t;
  }
  function byId(id) { return document.getElementById(id); }

  // Filters ---------------------------------------------------------------------------------
  var kindBoxes = Array.prototype.slice.call(document.querySelectorAll("input[data-kind]"));
  var stanceBoxes = Array.prototype.slice.call(document.querySelectorAll("input[data-stance]"));
  var groupSelect = byId("group"), threadSelect = byId("thread");
  var fromRange = byId("from"), toRange = byId("to");
  var find = byId("find"), only = byId("only"), status = byId("status"), strongBox = byId("strong");
  (data.groups || []).forEach(function (g) {
    var o = document.createElement("option");
    o.value = String(g.value);
    o.textContent = g.label;
    groupSelect.appendChild(o);
  });
  data.threads.forEach(function (t, i) {
    var o = document.createElement("option");
    o.value = String(i);
    o.textContent = t.name + " (" + t.posts + ")";
    threadSelect.appendChild(o);
  });
  var steps = data.time ? data.time.length - 1 : 0;
  if (steps) {
    fromRange.max = toRange.max = String(steps - 1);
    fromRange.value = "0";
    toRange.value = String(steps - 1);
  }
  function timeText(lo, hi) {
    if (!steps) { return ""; }
    return data.time[lo].slice(0, 16).replace("T", " ") + " – " + data.time[hi + 1].slice(0, 16).replace("T", " ");
  }

  function filters() {
    var kinds = [true, true, true], stances = [true, true, true, true];
    kindBoxes.forEach(function (b) { kinds[Number(b.getAttribute("data-kind"))] = b.checked; });
    stanceBoxes.forEach(function (b) { stances[Number(b.getAttribute("data-stance"))] = b.checked; });
    var lo = steps ? Number(fromRange.value) : 0, hi = steps ? Number(toRange.value) : 0;
    if (lo > hi) { var swap = lo; lo = hi; hi = swap; }
    return {
      kinds: kinds, stances: stances, group: groupSelect.value, thread: threadSelect.value,
      lo: lo, hi: hi, fullTime: !steps || (lo === 0 && hi === steps - 1),
      query: find.value.trim().toLowerCase(), only: only.checked, strong: strongBox ? strongBox.checked : false
    };
  }

  var haystacks = null;
  function haystack(i) {
    if (haystacks === null) {
      haystacks = info.map(function (node) {
        var parts = [node.name];
        node.posts.forEach(function (p) { parts.push(data.posts.label[p], data.posts.text[p]); });
        return parts.join(" \n ").toLowerCase();
      });
    }
    return haystacks[i];
  }

  function inRange(list, lo, hi) {
    for (var k = 0; k < list.length; k++) { if (list[k] >= lo && list[k] <= hi) { return true; } }
    return false;
  }

  var shownNode = new Uint8Array(n), shownEdge = new Uint8Array(m), edgeState = new Array(m);
  var counts = new Float64Array(m);
  var maxCount = 1;
  (function () {
    var total = new Float64Array(m);
    for (var r = 0; r < rowsCount; r++) { total[act.link[r]] += act.n[r]; }
    for (var l = 0; l < m; l++) { if (total[l] > maxCount) { maxCount = total[l]; } }
  })();

  function edgeLook(l, byStance, byKind) {
    var c = data.colors, s = byStance, k = byKind;
    var color, dashes = false;
    if (data.has_stance && (s[0] + s[1] + s[2]) > 0) {
      color = s[0] > s[2] ? c.agree : s[2] > s[0] ? c.disagree : c.neutral;
    } else if (k[0] + k[1] > 0) {
      color = data.has_stance ? c.none : (k[0] > 0 ? c.quote : c.reply);
    } else {
      color = c.assumed;
      dashes = true;
    }
    if (k[0] + k[1] === 0) { color = c.assumed; dashes = true; }
    var width = 1 + 3 * Math.log(Math.max(counts[l], 1)) / Math.log(Math.max(maxCount, 2));
    return {color: color, dashes: dashes, width: Math.round(width * 100) / 100};
  }

  function apply(fit) {
    var f = filters();
    var matches = [];
    var nodeChanges = [];
    var visibleNodes = 0;
    for (var i = 0; i < n; i++) {
      var node = info[i];
      var ok = f.group === "" || String(node.group) === f.group;
      if (ok && f.thread !== "") { ok = node.threads.indexOf(Number(f.thread)) >= 0; }
      if (ok && !f.fullTime) { ok = inRange(node.bins, f.lo, f.hi); }
      var hit = f.query !== "" && haystack(i).indexOf(f.query) >= 0;
      if (hit && ok) { matches.push(i); }
      if (ok && f.only && f.query !== "" && !hit) { ok = false; }
      if (ok) { visibleNodes++; }
      if ((shownNode[i] === 1) !== ok) { nodeChanges.push({id: i, hidden: !ok}); }
      shownNode[i] = ok ? 1 : 0;
    }
    counts.fill(0);
    var byStance = new Int32Array(m * 3), byKind = new Int32Array(m * 3);
    var thread = f.thread === "" ? null : Number(f.thread);
    for (var r = 0; r < rowsCount; r++) {
      var l = act.link[r];
      if (!shownNode[links.src[l]] || !shownNode[links.dst[l]]) { continue; }
      if (f.strong && !links.strong[l]) { continue; }
      var kind = act.kind[r], stance = act.stance[r];
      if (!f.kinds[kind] || !f.stances[stance < 0 ? 3 : stance]) { continue; }
      if (thread !== null && act.thread[r] !== thread) { continue; }
      if (!f.fullTime && (act.bin[r] < f.lo || act.bin[r] > f.hi)) { continue; }
      var k = act.n[r];
      counts[l] += k;
      if (stance >= 0) { byStance[l * 3 + stance] += k; }
      byKind[l * 3 + kind] += k;
    }
    var edgeChanges = [];
    var visibleEdges = 0;
    for (var e = 0; e < m; e++) {
      var show = counts[e] > 0;
      if (show) {
        visibleEdges++;
        var look = edgeLook(e, byStance.subarray(e * 3, e * 3 + 3), byKind.subarray(e * 3, e * 3 + 3));
        var old = edgeState[e];
        if (!shownEdge[e] || !old || old.color !== look.color || old.width !== look.width || old.dashes !== look.dashes) {
          edgeChanges.push({id: e, hidden: false, color: {color: look.color, highlight: look.color, hover: look.color},
                            width: look.width, dashes: look.dashes});
          edgeState[e] = look;
        }
      } else if (shownEdge[e]) {
        edgeChanges.push({id: e, hidden: true});
      }
      shownEdge[e] = show ? 1 : 0;
    }
    if (nodeChanges.length) { nodes.update(nodeChanges); }
    if (edgeChanges.length) { edges.update(edgeChanges); }
    window.snaState = {nodes: visibleNodes, edges: visibleEdges, matches: matches.length};
    document.body.setAttribute("data-edges", String(visibleEdges));
    var text = "showing " + visibleNodes.toLocaleString() + " of " + n.toLocaleString() + " " + data.noun + ", " +
      visibleEdges.toLocaleString() + " of " + m.toLocaleString() + " links";
    if (f.query !== "") { text = matches.length + (matches.length === 1 ? " match" : " matches") + "; " + text; }
    status.textContent = text;
    byId("time-label").textContent = timeText(f.lo, f.hi);
    if (f.query !== "") { network.selectNodes(matches.slice(0, 500), false); }
    if (fit) {
      var target = {animation: false};
      if (f.query !== "" && matches.length) { target.nodes = matches.slice(0, 300); }
      network.fit(target);
    }
  }

  var timer = null;
  function later(fit) {
    clearTimeout(timer);
    timer = setTimeout(function () { apply(fit); }, 150);
  }
  find.addEventListener("input", function () { later(false); });
  find.addEventListener("keydown", function (e) { if (e.key === "Enter") { clearTimeout(timer); apply(true); } });
  [only, groupSelect, threadSelect].concat(strongBox ? [strongBox] : [], kindBoxes, stanceBoxes).forEach(function (c) {
    c.addEventListener("change", function () { apply(c === groupSelect || c === threadSelect); });
  });
  [fromRange, toRange].forEach(function (c) { c.addEventListener("input", function () { later(false); }); });
  byId("reset").addEventListener("click", function () {
    find.value = ""; only.checked = false; groupSelect.value = ""; threadSelect.value = "";
    if (strongBox) { strongBox.checked = true; }
    kindBoxes.forEach(function (b) { b.checked = b.getAttribute("data-default") !== "off"; });
    stanceBoxes.forEach(function (b) { b.checked = true; });
    if (steps) { fromRange.value = "0"; toRange.value = String(steps - 1); }
    apply(true);
  });
  window.snaApply = apply;

  // Tooltips and details ------------------------------------------------------------------------
  var tip = byId("tip");
  function nodeTip(i) {
    var node = info[i], box = el("div");
    box.appendChild(el("div", node.name, "name"));
    if (node.groupName) { box.appendChild(el("div", node.groupName, "muted")); }
    if (node.posts.length) { box.appendChild(el("div", data.posts.text[node.posts[0]].slice(0, 200), "excerpt")); }
    var rows = [];
    data.fields.forEach(function (name, k) { if (node.m[k] !== null) { rows.push([name, fmt(node.m[k])]); } });
    box.appendChild(table(rows.slice(0, 5)));
    box.appendChild(el("div", "click for posts and links", "muted"));
    return box;
  }
  function linkCounts(l) {
    var parts = [], kinds = ["quote", "reply", "assumed"], stances = ["agree", "neutral", "disagree"];
    var k = [0, 0, 0], s = [0, 0, 0];
    for (var r = 0; r < rowsCount; r++) {
      if (act.link[r] !== l) { continue; }
      k[act.kind[r]] += act.n[r];
      if (act.stance[r] >= 0) { s[act.stance[r]] += act.n[r]; }
    }
    k.forEach(function (v, i) { if (v) { parts.push(v + " " + kinds[i]); } });
    s.forEach(function (v, i) { if (v) { parts.push(v + " " + stances[i]); } });
    return parts.join(", ");
  }
  function edgeTip(l) {
    var box = el("div");
    box.appendChild(el("div", info[links.src[l]].name + " → " + info[links.dst[l]].name, "name"));
    box.appendChild(el("div", linkCounts(l)));
    if (data.quoted && data.quoted[l]) { box.appendChild(el("div", "“" + data.quoted[l] + "”", "excerpt")); }
    return box;
  }
  function show(content, pointer) {
    tip.replaceChildren(content);
    var rect = byId("graph").getBoundingClientRect();
    var x = rect.left + pointer.x + 14, y = rect.top + pointer.y + 14;
    tip.style.display = "block";
    var w = tip.offsetWidth, h = tip.offsetHeight;
    if (x + w > window.innerWidth - 8) { x = Math.max(8, x - w - 28); }
    if (y + h > window.innerHeight - 8) { y = Math.max(8, y - h - 28); }
    tip.style.left = x + "px";
    tip.style.top = y + "px";
  }
  function hide() { tip.style.display = "none"; }
  network.on("hoverNode", function (p) { show(nodeTip(p.node), p.pointer.DOM); });
  network.on("hoverEdge", function (p) { show(edgeTip(p.edge), p.pointer.DOM); });
  network.on("blurNode", hide);
  network.on("blurEdge", hide);
  network.on("dragStart", hide);
  network.on("zoom", hide);

  var details = byId("details");
  function focusNode(j) {
    network.selectNodes([j]);
    network.focus(j, {scale: Math.max(network.getScale(), 0.6), animation: false});
    showDetails(j);
  }
  function linkList(title, rows) {
    if (!rows.length) { return; }
    details.appendChild(el("h2", title));
    var ul = el("ul");
    rows.sort(function (a, b) { return b[1] - a[1]; });
    rows.slice(0, 40).forEach(function (row) {
      var li = el("li");
      var b = el("button", info[row[0]].name, "link");
      b.type = "button";
      b.addEventListener("click", function () { focusNode(row[0]); });
      li.appendChild(b);
      li.appendChild(el("span", linkCounts(row[2]), "muted"));
      ul.appendChild(li);
    });
    if (rows.length > 40) { ul.appendChild(el("li", "and " + (rows.length - 40) + " more", "muted")); }
    details.appendChild(ul);
  }
  function showDetails(i) {
    var node = info[i];
    details.replaceChildren();
    details.appendChild(el("div", node.name, "name"));
    if (node.groupName) { details.appendChild(el("div", node.groupName, "muted")); }
    var rows = [];
    data.fields.forEach(function (name, k) { if (node.m[k] !== null) { rows.push([name, fmt(node.m[k])]); } });
    details.appendChild(table(rows));
    if (node.posts.length) {
      details.appendChild(el("h2", data.level === "author" ? "Most central posts" : "Post"));
      node.posts.forEach(function (p) {
        var div = el("div", null, "post");
        var meta = data.posts.label[p];
        var t = data.posts.thread[p];
        if (t >= 0) { meta += " in “" + data.threads[t].name + "”"; }
        if (data.posts.time[p]) { meta += ", " + data.posts.time[p]; }
        div.appendChild(el("div", meta, "meta"));
        div.appendChild(el("div", data.posts.text[p], "text"));
        details.appendChild(div);
      });
    }
    var out = [], inc = [];
    for (var l = 0; l < m; l++) {
      if (links.src[l] === i) { out.push([links.dst[l], counts[l], l]); }
      if (links.dst[l] === i) { inc.push([links.src[l], counts[l], l]); }
    }
    linkList(data.level === "author" ? "Quotes or replies to" : "Replies to", out);
    linkList(data.level === "author" ? "Quoted or replied to by" : "Replied to by", inc);
  }
  network.on("click", function (p) {
    if (p.nodes && p.nodes.length) { showDetails(p.nodes[0]); }
  });
  window.snaShowDetails = showDetails;
  apply(false);
})();

"""Interactive graph pages (pyvis / vis-network) that work offline and escape everything.

One self-contained HTML file per graph: ``authors.html`` (the author graph)
and ``posts.html`` (the post graph). Each page inlines vis-network's script
and stylesheet from the pyvis package (``pyvis/templates/lib/vis-9.1.2``), so
it opens from a laptop on a plane: it loads nothing from any host, and a
Content-Security-Policy forbids it to (``default-src 'none'``; scripts
allowed only by their SHA-256 hashes, so an injected ``onerror=`` handler
could not run even if markup got through).

Pyvis holds the graph: its ``Network`` gets its ``nodes`` and ``edges`` lists
filled directly (``Network.from_nx`` copies a graph node by node in O(n·m)
and writes into the caller's graph) and its options; the page itself comes
from this module's template, because pyvis's own template loads bootstrap
from a CDN even in "in_line" mode (pyvis #228, #229).

Safety: node and edge data travel as JSON inside a
``<script type="application/json">`` block with ``<``, ``>`` and ``&``
written as ``\\u003c``…, so no text can close the block; tooltips, the
legend and the search list are built with ``textContent`` or escaped by
Jinja. A post or author named ``<script>alert(1)</script>`` shows as text.

Speed: positions are always precomputed in Python (igraph, seeded — the
same layout as the static network map). Up to 1,000 nodes vis-network's
physics relaxes them for a moment and then stops; above that physics is off,
edges are straight and hidden while dragging, and only the most central nodes
carry labels, so a 10,000-node page draws in a few seconds. Graphs past
10,000 nodes are cut to the 10,000 with the highest PageRank, and the page
says so.

Examples
--------
>>> import sna
>>> from sna.render.views import post_view
>>> corpus = sna.load("data/raw")
>>> page = graph_page(post_view(corpus.posts, corpus.edges, corpus.metrics()))
>>> page.startswith("<!DOCTYPE html>"), "https://" in page.split("<script>")[0]
(True, False)
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import re
from functools import cache
from pathlib import Path

import numpy as np
import polars as pl

from sna.graph import KIND_CODES, STANCE_CODES
from sna.render import style
from sna.render.views import GraphView, force_layout

#: Pages hold at most this many nodes (the most central by PageRank).
MAX_PAGE_NODES = 10_000
#: Above this many nodes physics is off and the precomputed layout is final.
PHYSICS_MAX_NODES = 1_000
#: Nodes that carry a label on the canvas (the rest show theirs on hover).
LABELLED_NODES = 30
VIS_VERSION = "9.1.2"

KIND_NAMES = {code: name for name, code in KIND_CODES.items()}
STANCE_NAMES = {code: name for name, code in STANCE_CODES.items()}

#: Columns shown in tooltips, in order, with their display names.
AUTHOR_FIELDS = {
    "posts": "posts", "pagerank": "PageRank", "in_degree": "in-degree (distinct repliers)",
    "in_weight": "quotes and replies received", "out_weight": "quotes and replies made",
    "betweenness": "betweenness", "harmonic": "harmonic closeness", "hub": "hub score",
    "authority": "authority score", "agree_in": "agreement received", "disagree_in": "disagreement received",
    "camp": "camp", "community": "community (modularity)",
}  # fmt: skip
POST_FIELDS = {
    "position": "position in thread", "pagerank": "PageRank", "in_degree": "in-degree (posts replying)",
    "out_degree": "out-degree (posts replied to)", "betweenness": "betweenness", "harmonic": "harmonic closeness",
    "depth": "depth in reply tree", "subtree_size": "replies below it (incl. itself)", "camp": "camp",
}  # fmt: skip


@cache
def vis_assets() -> tuple[str, str]:
    """vis-network's script and stylesheet as shipped inside the pyvis package.

    The source-map comment is removed (a browser's developer tools would
    request the missing ``.map`` file); the licence header is kept.

    Raises
    ------
    SnaError
        When pyvis's copy of vis-network cannot be found.
    """
    import pyvis

    from sna.errors import SnaError

    lib = Path(pyvis.__file__).parent / "templates" / "lib" / f"vis-{VIS_VERSION}"
    try:
        script = (lib / "vis-network.min.js").read_text(encoding="utf-8")
        css = (lib / "vis-network.css").read_text(encoding="utf-8")
    except OSError as exc:
        raise SnaError(f"pyvis installation lacks vis-network {VIS_VERSION} ({exc}); reinstall pyvis>=0.3.2") from None
    script = re.sub(r"//# sourceMappingURL=\S*\s*$", "", script)
    css = re.sub(r"/\*# sourceMappingURL=\S*\s*\*/", "", css)
    if "</script" in script.lower() or "</style" in css.lower():
        raise SnaError("vis-network's files contain a closing tag and cannot be inlined")
    return script, css


def script_json(data: object) -> str:
    """JSON that is safe inside a ``<script>`` element: ``<``, ``>``, ``&`` and line separators escaped.

    Examples
    --------
    >>> script_json({"name": "</script><b>&"})
    '{"name":"\\\\u003c/script\\\\u003e\\\\u003cb\\\\u003e\\\\u0026"}'
    """
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    for char, code in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"),
                       ("\u2029", "\\u2029")):  # fmt: skip
        text = text.replace(char, code)
    return text


def _csp_hash(script: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii") + "'"


def _number(value: object) -> object:
    """Round floats to four significant digits (smaller pages, stable text); nulls and NaN to None."""
    if value is None:
        return None
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        return float(f"{value:.4g}")
    return value


def _canvas_positions(positions: np.ndarray, n: int) -> np.ndarray:
    """Unit-square positions spread over a canvas that grows with the number of nodes."""
    spread = max(600.0, 45.0 * math.sqrt(max(n, 1)))
    return np.round((positions - 0.5) * spread, 1)


def page_data(view: GraphView, *, seed: int = 0, positions: np.ndarray | None = None) -> dict[str, object]:
    """Everything the page shows, as plain data: vis nodes and edges, field names, legend entries.

    Examples
    --------
    >>> import sna
    >>> from sna.render.views import author_view
    >>> corpus = sna.load("data/raw")
    >>> data = page_data(author_view(corpus.metrics(), corpus.posts))
    >>> len(data["nodes"]), len(data["edges"]), data["nodes"][0]["name"]
    (32, 31, 'Varun')
    """
    n = view.n
    if positions is None:
        positions = force_layout(n, view.src, view.dst, seed=seed)
    xy = _canvas_positions(positions, n)
    pagerank = view.pagerank
    top = float(pagerank.max()) if n and pagerank.max() > 0 else 1.0
    big, small = (28.0, 5.0) if n <= PHYSICS_MAX_NODES else (20.0, 2.5)
    sizes = np.round(small + (big - small) * np.sqrt(pagerank / top), 1)
    fills, shown = _node_fills(view)
    labelled = set(np.lexsort((np.arange(n), -pagerank))[:LABELLED_NODES].tolist()) if n else set()
    fields = AUTHOR_FIELDS if view.level == "author" else POST_FIELDS
    present = [c for c in fields if c in view.nodes.columns]
    table = view.nodes
    names = table["label"].to_list() if view.level == "post" else table["id"].to_list()
    short = [style.short_label(s, 28) for s in table["label"].to_list()]
    excerpts = table["excerpt"].to_list() if "excerpt" in table.columns else [None] * n
    authors = table["author"].to_list() if view.level == "post" and "author" in table.columns else [None] * n
    titles = table["title"].to_list() if "title" in table.columns else [None] * n
    values = [table[c].to_list() for c in present]
    if view.has_camps and "camp" in present:  # say so rather than leave the row out
        values[present.index("camp")] = ["no camp" if c is None else c for c in values[present.index("camp")]]
    camps = view.camp.tolist()
    nodes = []
    for i in range(n):
        color: object = fills[i]
        if view.has_camps and not camps[i]:  # hollow: no camp
            color = {"background": style.UNASSIGNED_FILL, "border": style.UNASSIGNED_EDGE}
        node: dict[str, object] = {"id": i, "x": float(xy[i, 0]), "y": float(xy[i, 1]), "size": float(sizes[i]),
                                   "color": color, "name": names[i]}  # fmt: skip
        if i in labelled:
            node["label"] = short[i]
        if view.level == "post":
            node["post"] = table["id"][i]
            if authors[i] is not None:
                node["author"] = authors[i]
            if titles[i] is not None:
                node["thread"] = titles[i]
        if excerpts[i]:
            node["excerpt"] = excerpts[i]
        node["camp"] = camps[i] or None
        node["m"] = [_number(v[i]) for v in values]
        nodes.append(node)
    stance, kind = view.stance, view.kind
    has_stance = view.has_stance
    from sna.render.static import edge_colors

    colors = edge_colors(stance, kind, has_stance)
    weight = view.links["weight"].cast(pl.Float64).to_numpy() if view.m else np.zeros(0)
    max_weight = float(weight.max()) if view.m else 1.0
    counts = {c: view.links[c].to_list() for c in ("weight", "quote", "reply", "implicit", "agree", "neutral",
                                                   "disagree")}  # fmt: skip
    quoted = view.links["quoted_text"].to_list() if "quoted_text" in view.links.columns else [None] * view.m
    scores = view.links["stance_score"].to_list() if "stance_score" in view.links.columns else [None] * view.m
    widths = np.round(1.0 + 3.0 * np.log1p(np.maximum(weight, 1) - 1) / max(math.log1p(max_weight - 1), 1.0), 2)
    edges = []
    for j, (s, t) in enumerate(zip(view.src.tolist(), view.dst.tolist(), strict=True)):
        edge: dict[str, object] = {
            "from": s,
            "to": t,
            "color": colors[j],
            "width": float(widths[j]),
            "kind": KIND_NAMES[int(kind[j])],
            "stance": STANCE_NAMES.get(int(stance[j])),
            "c": [counts[c][j] for c in counts],
        }
        if quoted[j]:
            edge["quoted"] = style.short_label(quoted[j], 160, end=True)
        if scores[j] is not None:
            edge["score"] = _number(scores[j])
        edges.append(edge)
    legend_camps = []
    for c in shown:
        members = table.filter(pl.col("camp") == c)
        order = members.with_row_index("_o").sort(
            pl.col("pagerank").fill_null(0.0).fill_nan(0.0), "_o", descending=[True, False]
        )
        central = [style.short_label(s, 24) for s in order["label"].head(3).to_list()]
        legend_camps.append({"camp": c, "color": style.CAMP_COLORS[c - 1], "size": members.height, "central": central})
    return {
        "level": view.level,
        "nodes": nodes,
        "edges": edges,
        "fields": [fields[c] for c in present],
        "field_keys": present,
        "counts": list(counts),
        "camps": legend_camps,
        "other_camps": len({c for c in camps if c} - set(shown)),
        "no_camp": sum(1 for c in camps if not c),
        "no_camps_reason": view.no_camps.replace("\n", " "),
        "has_stance": has_stance,
        "has_camps": view.has_camps,
        "kinds": sorted({KIND_NAMES[int(k)] for k in kind.tolist()}),
    }


def _node_fills(view: GraphView) -> tuple[list[str], list[int]]:
    from sna.render.static import node_colors

    fills, shown = node_colors(view.camp, shown=view.colored_camps)
    return [str(f) for f in fills], shown


def vis_options(n: int, *, seed: int = 0) -> dict[str, object]:
    """vis-network options: physics briefly below ``PHYSICS_MAX_NODES``, else none; straight edges.

    Examples
    --------
    >>> vis_options(50)["physics"]["enabled"], vis_options(5000)["physics"]["enabled"]
    (True, False)
    """
    physics = n <= PHYSICS_MAX_NODES
    large = n > PHYSICS_MAX_NODES
    return {
        "autoResize": True,
        "nodes": {
            "shape": "dot",
            "borderWidth": 1,
            "borderWidthSelected": 3,
            "font": {
                "size": 13,
                "face": "system-ui, sans-serif",
                "color": style.TEXT,
                "strokeWidth": 3,
                "strokeColor": "#ffffff",
            },
            "scaling": {"label": {"drawThreshold": 6}},
        },
        "edges": {
            "smooth": False,
            "arrows": {"to": {"enabled": not large, "scaleFactor": 0.45}},
            "color": {"inherit": False, "opacity": 0.55 if large else 0.8},
            "selectionWidth": 1.5,
            "hoverWidth": 0.8,
        },
        "physics": {
            "enabled": physics,
            "solver": "barnesHut",
            "barnesHut": {
                "gravitationalConstant": -2500,
                "springLength": 70,
                "springConstant": 0.03,
                "damping": 0.6,
                "avoidOverlap": 0.1,
            },
            "stabilization": {"enabled": physics, "iterations": 60, "fit": True},
        },
        "layout": {"improvedLayout": False, "randomSeed": seed},
        "interaction": {
            "hover": True,
            "tooltipDelay": 100,
            "hideEdgesOnDrag": large,
            "hideEdgesOnZoom": n > 5 * PHYSICS_MAX_NODES,
            "multiselect": True,
            "navigationButtons": False,
            "keyboard": False,
        },
    }


def graph_page(
    view: GraphView,
    *,
    seed: int = 0,
    title: str | None = None,
    positions: np.ndarray | None = None,
) -> str:
    """One self-contained, offline HTML page for a graph.

    Parameters
    ----------
    view : GraphView
        The graph (see :mod:`sna.render.views`); cut it to at most
        ``MAX_PAGE_NODES`` nodes for a page that opens quickly.
    seed : int
        Layout seed.
    title : str, optional
        Page heading.
    positions : np.ndarray, optional
        ``(n, 2)`` positions in the unit square (default: a seeded layout).

    Returns
    -------
    str
        The page.
    """
    from jinja2 import Environment
    from markupsafe import Markup
    from pyvis.network import Network

    data = page_data(view, seed=seed, positions=positions)
    net = Network(directed=True, height="100%", width="100%", cdn_resources="in_line")
    net.nodes, net.edges = data.pop("nodes"), data.pop("edges")  # filled directly: from_nx is O(n·m) and mutates
    net.options = vis_options(view.n, seed=seed)
    nodes, edges, _, _, _, options = net.get_network_data()
    payload = script_json({"nodes": nodes, "edges": edges, "options": json.loads(options), **data})
    vis_js, vis_css = vis_assets()
    scripts = [vis_js, APP_JS]
    csp = (
        "default-src 'none'; script-src " + " ".join(_csp_hash(s) for s in scripts) + "; style-src 'unsafe-inline'; "
        "img-src data:; font-src data:; connect-src 'none'; base-uri 'none'; form-action 'none'"
    )
    graph = "author graph" if view.level == "author" else "post graph"
    heading = title or f"The {graph}: who quotes or replies to whom"
    summary = f"{view.total_nodes:,} {view.noun}, {view.total_links:,} links"
    if view.truncated:
        summary += (
            f" — showing the {view.n:,} {view.noun} with the highest PageRank and the {view.m:,} links among them"
        )
    layout_note = (
        "Positions are precomputed; physics is off."
        if view.n > PHYSICS_MAX_NODES
        else "Positions are precomputed and relaxed briefly; drag nodes to move them."
    )
    env = Environment(autoescape=True, keep_trailing_newline=True)
    return env.from_string(PAGE).render(
        csp=Markup(csp),  # our constants and base64 hashes only
        title=heading,
        summary=summary,
        layout_note=layout_note,
        level=view.level,
        noun=view.noun,
        camps=data["camps"],
        other_camps=data["other_camps"],
        no_camp=data["no_camp"],
        no_camps_reason=data["no_camps_reason"],
        has_camps=data["has_camps"],
        has_stance=data["has_stance"],
        kinds=data["kinds"],
        stance_colors=[(s, style.STANCE_COLORS[s]) for s in style.STANCE_ORDER],
        kind_colors=[(k, style.KIND_COLORS[k]) for k in data["kinds"]],
        uniform=style.UNIFORM_NODE,
        other=style.OTHER_CAMP,
        unassigned=(style.UNASSIGNED_FILL, style.UNASSIGNED_EDGE),
        vis_css=Markup(vis_css),
        page_css=Markup(PAGE_CSS),
        vis_js=Markup(vis_js),
        app_js=Markup(APP_JS),
        payload=Markup(payload),
    )


PAGE_CSS = """
* { box-sizing: border-box; }
html, body { margin: 0; height: 100%; font: 14px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif;
  color: #222; background: #fff; }
body { display: flex; flex-direction: column; }
header { padding: 10px 16px 8px; border-bottom: 1px solid #e4e4e4; }
h1 { font-size: 17px; margin: 0 0 2px; }
.summary { color: #555; font-size: 13px; margin: 0 0 8px; }
.controls { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; }
.controls input[type=search] { width: 260px; padding: 4px 8px; font: inherit; }
.controls select, .controls button { padding: 4px 8px; font: inherit; }
#status { color: #555; font-size: 13px; }
main { flex: 1; display: flex; min-height: 0; }
#graph { flex: 1; position: relative; min-width: 0; }
aside { width: 270px; overflow-y: auto; padding: 10px 14px; border-left: 1px solid #e4e4e4; font-size: 13px; }
aside h2 { font-size: 13px; margin: 12px 0 4px; }
aside h2:first-child { margin-top: 0; }
aside ul { list-style: none; margin: 0; padding: 0; }
aside li { margin: 3px 0; display: flex; gap: 6px; align-items: baseline; }
.dot { display: inline-block; width: 11px; height: 11px; border-radius: 50%; flex: none; }
.line { display: inline-block; width: 18px; height: 3px; flex: none; position: relative; top: -3px; }
.muted { color: #666; }
#tip { position: fixed; display: none; max-width: 380px; background: #fff; border: 1px solid #bbb;
  border-radius: 4px; box-shadow: 0 2px 10px rgba(0,0,0,.18); padding: 8px 10px; font-size: 12.5px;
  pointer-events: none; z-index: 10; }
#tip .name { font-weight: 600; font-size: 13.5px; }
#tip .excerpt { font-style: italic; margin: 4px 0; color: #333; white-space: normal; }
#tip table { border-collapse: collapse; margin-top: 4px; }
#tip td { padding: 0 8px 0 0; vertical-align: top; }
#tip td:first-child { color: #666; }
#tip ul { margin: 4px 0 0; padding-left: 16px; }
"""

APP_JS = r"""
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("sna-data").textContent);
  var status = document.getElementById("status");
  var tip = document.getElementById("tip");
  window.snaStarted = performance.now();
  var nodes = new vis.DataSet(data.nodes);
  var edges = new vis.DataSet(data.edges);
  var byId = {};
  data.nodes.forEach(function (n) { byId[n.id] = n; });
  var network = new vis.Network(document.getElementById("graph"), {nodes: nodes, edges: edges}, data.options);
  window.snaNetwork = network;
  network.once("afterDrawing", function () {
    window.snaDrawn = performance.now();
    document.body.setAttribute("data-drawn", "1");
  });
  if (data.options.physics.enabled) {
    network.once("stabilizationIterationsDone", function () {
      network.setOptions({physics: {enabled: false}});
      network.fit({animation: false});
    });
  } else {
    network.fit({animation: false});
  }

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
  function nodeTip(n) {
    var box = el("div");
    box.appendChild(el("div", n.name, "name"));
    if (n.author) { box.appendChild(el("div", "by " + n.author, "muted")); }
    if (n.thread) { box.appendChild(el("div", "in “" + n.thread + "”", "muted")); }
    if (n.excerpt) { box.appendChild(el("div", n.excerpt, "excerpt")); }
    var rows = [];
    data.fields.forEach(function (name, i) {
      if (n.m[i] !== null && n.m[i] !== undefined) { rows.push([name, fmt(n.m[i])]); }
    });
    box.appendChild(table(rows));
    var out = edges.get({filter: function (e) { return e.from === n.id; }});
    if (out.length) {
      box.appendChild(el("div", data.level === "post" ? "replies to:" : "quotes or replies to:", "muted"));
      var ul = el("ul");
      out.slice(0, 6).forEach(function (e) {
        ul.appendChild(el("li", byId[e.to].name + " — " + e.kind + ", " + (e.stance || "no stance label")));
      });
      if (out.length > 6) { ul.appendChild(el("li", "and " + (out.length - 6) + " more")); }
      box.appendChild(ul);
    }
    return box;
  }
  function edgeTip(e) {
    var box = el("div");
    box.appendChild(el("div", byId[e.from].name + " → " + byId[e.to].name, "name"));
    var rows = [["kind", e.kind], ["stance", e.stance || "no label"]];
    if (e.score !== undefined) { rows.push(["stance score", fmt(e.score)]); }
    var parts = [];
    data.counts.forEach(function (name, i) { if (i > 0 && e.c[i]) { parts.push(e.c[i] + " " + name); } });
    rows.push(["interactions", e.c[0] + (parts.length ? " (" + parts.join(", ") + ")" : "")]);
    box.appendChild(table(rows));
    if (e.quoted) { box.appendChild(el("div", "“" + e.quoted + "”", "excerpt")); }
    return box;
  }
  function show(content, pointer) {
    tip.replaceChildren(content);
    var rect = document.getElementById("graph").getBoundingClientRect();
    var x = rect.left + pointer.x + 14, y = rect.top + pointer.y + 14;
    tip.style.display = "block";
    var w = tip.offsetWidth, h = tip.offsetHeight;
    if (x + w > window.innerWidth - 8) { x = Math.max(8, x - w - 28); }
    if (y + h > window.innerHeight - 8) { y = Math.max(8, y - h - 28); }
    tip.style.left = x + "px";
    tip.style.top = y + "px";
  }
  function hide() { tip.style.display = "none"; }
  network.on("hoverNode", function (p) { show(nodeTip(byId[p.node]), p.pointer.DOM); });
  network.on("hoverEdge", function (p) { show(edgeTip(edges.get(p.edge)), p.pointer.DOM); });
  network.on("blurNode", hide);
  network.on("blurEdge", hide);
  network.on("dragStart", hide);
  network.on("zoom", hide);

  // Search and filter ---------------------------------------------------------
  var find = document.getElementById("find");
  var camp = document.getElementById("camp");
  var only = document.getElementById("only");
  var list = document.getElementById("names");
  var ranked = data.nodes.slice().sort(function (a, b) { return b.size - a.size || a.id - b.id; });
  var seen = {};
  ranked.slice(0, 2000).forEach(function (n) {
    [n.name, n.author].forEach(function (v) {
      if (v && !seen[v]) { seen[v] = true; var o = document.createElement("option"); o.value = v; list.appendChild(o); }
    });
  });
  function haystack(n) { return (n.name + " " + (n.author || "") + " " + (n.post || "")).toLowerCase(); }
  var hidden = {};
  function apply(fit) {
    var q = find.value.trim().toLowerCase();
    var c = camp.value;
    var matches = [];
    var changes = [];
    data.nodes.forEach(function (n) {
      var inCamp = c === "" || (c === "none" ? !n.camp : String(n.camp) === c);
      var hit = q !== "" && haystack(n).indexOf(q) >= 0;
      if (hit && inCamp) { matches.push(n.id); }
      var hide = !inCamp || (only.checked && q !== "" && !hit);
      if (!!hidden[n.id] !== hide) { hidden[n.id] = hide; changes.push({id: n.id, hidden: hide}); }
    });
    if (changes.length) { nodes.update(changes); }
    network.selectNodes(matches, false);
    if (q !== "") {
      status.textContent = matches.length + (matches.length === 1 ? " match" : " matches");
      if (fit && matches.length) { network.fit({nodes: matches.slice(0, 200), animation: false}); }
    } else {
      var shown = data.nodes.filter(function (n) { return !hidden[n.id]; }).length;
      status.textContent = c === "" ? "" : "showing " + shown + " nodes";
      if (fit && c !== "") { network.fit({animation: false}); }
    }
  }
  var timer = null;
  find.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () { apply(false); }, 200);
  });
  find.addEventListener("keydown", function (e) { if (e.key === "Enter") { clearTimeout(timer); apply(true); } });
  camp.addEventListener("change", function () { apply(true); });
  only.addEventListener("change", function () { apply(true); });
  document.getElementById("reset").addEventListener("click", function () {
    find.value = ""; camp.value = ""; only.checked = false; apply(false); network.fit({animation: false});
  });
})();
"""

PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{{ csp }}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta name="generator" content="sna">
<title>{{ title }}</title>
<style>{{ vis_css }}</style>
<style>{{ page_css }}</style>
</head>
<body>
<header>
  <h1>{{ title }}</h1>
  <p class="summary">{{ summary }}. {{ layout_note }} Hover over a node or link for details; scroll to zoom.</p>
  <div class="controls">
    <input id="find" type="search" list="names" aria-label="Find by name"
      placeholder="Find {{ 'an author' if level == 'author' else 'a post or author' }}…">
    <label><input id="only" type="checkbox"> matches only</label>
    <select id="camp" aria-label="Filter by camp">
      <option value="">{{ 'All camps' if has_camps else 'No camps (' + no_camps_reason + ')' }}</option>
      {%- for c in camps %}
      <option value="{{ c.camp }}">Camp {{ c.camp }} ({{ c.size }})</option>
      {%- endfor %}
      {%- if has_camps %}
      <option value="none">No camp ({{ no_camp }})</option>
      {%- endif %}
    </select>
    <button id="reset" type="button">Reset</button>
    <span id="status" aria-live="polite"></span>
  </div>
  <datalist id="names"></datalist>
</header>
<main>
  <div id="graph" role="img" aria-label="{{ title }}"></div>
  <aside>
    <h2>Nodes: {{ noun }}</h2>
    <ul>
      {%- if has_camps %}
      {%- for c in camps %}
      <li><span class="dot" style="background: {{ c.color }}"></span><span>Camp {{ c.camp }} ({{ c.size }})
        <span class="muted">{{ c.central | join(", ") }}</span></span></li>
      {%- endfor %}
      {%- if other_camps %}
      <li><span class="dot" style="background: {{ other }}"></span><span>{{ other_camps }} other camps</span></li>
      {%- endif %}
      {%- if no_camp %}
      <li><span class="dot"
        style="background: {{ unassigned[0] }}; border: 1px solid {{ unassigned[1] }}; box-sizing: border-box"></span>
        <span>no camp ({{ no_camp }}): no agree/disagree link, or a camp below the minimum size</span></li>
      {%- endif %}
      {%- else %}
      <li><span class="dot" style="background: {{ uniform }}"></span><span>{{ no_camps_reason }}</span></li>
      {%- endif %}
    </ul>
    <p class="muted">Size: PageRank. Labels: the most central {{ noun }}.</p>
    <h2>Links{{ ': stance' if has_stance else ': kind (no stance labels)' }}</h2>
    <ul>
      {%- if has_stance %}
      {%- for name, color in stance_colors %}
      <li><span class="line" style="background: {{ color }}"></span>
        <span>{{ 'unlabelled' if name == 'none' else name }}</span></li>
      {%- endfor %}
      {%- else %}
      {%- for name, color in kind_colors %}
      <li><span class="line" style="background: {{ color }}"></span><span>{{ name }}</span></li>
      {%- endfor %}
      {%- endif %}
    </ul>
    <p class="muted">A link points from the post that quotes or replies to the post it answers.</p>
  </aside>
</main>
<div id="tip" role="tooltip"></div>
<noscript><p>This page needs JavaScript to draw the graph.</p></noscript>
<script type="application/json" id="sna-data">{{ payload }}</script>
<script>{{ vis_js }}</script>
<script>{{ app_js }}</script>
</body>
</html>
"""

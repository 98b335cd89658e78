"""Interactive graph pages (pyvis / vis-network) that work offline, escape everything and filter.

One self-contained HTML file per graph: ``authors.html`` (the author graph)
and ``posts.html`` (the post graph). Each page inlines vis-network's script
and stylesheet from the pyvis package (``pyvis/templates/lib/vis-9.1.2``), so
it opens from a laptop on a plane: it loads nothing from any host, and a
Content-Security-Policy forbids it to (``default-src 'none'``; scripts
allowed only by their SHA-256 hashes, so an injected ``onerror=`` handler
could not run even if markup got through). The page's template, stylesheet
and script are package files (``sna/render/assets/page.*``).

What a reader can do: filter links by kind (quote, reply, assumed), by
stance, by camp (or community), by thread and by time (a slider over the
posts' ``created_at``); search names and post text; hover for a summary;
click a node for its posts and its links (each a button to jump to the
other end). Filters act on the interactions behind each link
(:mod:`sna.analysis.pages`), so a link's width and colour follow what is
left.

Pyvis holds the graph: its ``Network`` gets its ``nodes`` and ``edges``
lists filled directly (``Network.from_nx`` copies a graph node by node in
O(n·m) and writes into the caller's graph) and its options; the page itself
comes from this module's template, because pyvis's own template loads
bootstrap from a CDN even in "in_line" mode (pyvis #228, #229).

Safety: node and edge data travel as JSON inside a ``<script
type="application/json">`` block with ``<``, ``>`` and ``&`` written as
``\\u003c``…, so no text can close the block; everything shown is built
with ``textContent`` or escaped by Jinja. A post or author named
``<script>alert(1)</script>`` shows as text.

Speed: positions are the layout the figures use (groups as regions) and
physics is off, edges are straight and hidden while dragging, and only the
most central nodes carry labels, so a 10,000-node page draws in a few
seconds and pans and zooms without stalling. Graphs past 10,000 nodes are
cut to the 10,000 with the highest PageRank, and the page says so.

Examples
--------
>>> import sna
>>> from sna.analysis.pictures import picture_data
>>> corpus = sna.load("data/raw", stance=False)
>>> pictures = picture_data(corpus.posts, corpus.edges, corpus.metrics(), pages=True)
>>> [name for name, _ in pictures.pages]
['authors.html', 'posts.html']
>>> page = graph_page(pictures.pages[1][1], pictures)
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
from importlib import resources
from pathlib import Path

import numpy as np
import polars as pl

from sna.analysis.pages import page_tables
from sna.analysis.pictures import MAX_PAGE_NODES  # noqa: F401  (re-exported: the page size limit)
from sna.analysis.views import GraphView
from sna.render import style

#: Nodes that carry a label on the canvas (the rest show theirs on hover).
LABELLED_NODES = 30
#: Above this many links, arrowheads are left out (vis-network draws each one, at every frame).
ARROW_LINKS = 4_000
#: Above this many links a page opens with each node's strongest links only (a box shows them all): every
#: frame draws every visible link, and 60,000 links take seconds to draw.
PAGE_LINKS = 15_000
#: Links per node shown when a page opens with its strongest links only.
PAGE_TIES = 2
VIS_VERSION = "9.1.2"

#: Columns shown in tooltips and details, in order, with their display names.
AUTHOR_FIELDS = {
    "posts": "posts", "pagerank": "PageRank", "replies_received": "quotes and replies received",
    "implicit_received": "assumed links received", "in_degree": "in-degree (distinct repliers)",
    "out_weight": "quotes and replies made", "betweenness": "betweenness", "harmonic": "harmonic closeness",
    "hub": "hub score", "authority": "authority score", "agree_in": "agreement received",
    "disagree_in": "disagreement received", "camp": "camp", "community": "community",
}  # fmt: skip
POST_FIELDS = {
    "position": "position in thread", "pagerank": "PageRank", "replies_received": "quotes and replies received",
    "implicit_received": "assumed links received", "in_degree": "in-degree (posts replying)",
    "out_degree": "out-degree (posts replied to)", "betweenness": "betweenness", "harmonic": "harmonic closeness",
    "depth": "depth in reply tree", "subtree_size": "replies below it (incl. itself)", "camp": "camp",
    "community": "community",
}  # fmt: skip


def asset(name: str) -> str:
    """A file of the page templates (``sna/render/assets``), as text.

    Examples
    --------
    >>> "snaApply" in asset("page.js")
    True
    """
    return resources.files("sna.render").joinpath("assets", name).read_text(encoding="utf-8")


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


def csp_hash(script: str) -> str:
    """The CSP source that allows exactly this inline script (or style)."""
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


def canvas_positions(xy: np.ndarray, n: int) -> np.ndarray:
    """Unit-square positions spread over a canvas that grows with the number of nodes (y downwards)."""
    spread = max(700.0, 40.0 * math.sqrt(max(n, 1)))
    out = (xy - 0.5) * spread
    out[:, 1] = -out[:, 1]
    return np.round(out, 1)


def vis_options(n: int, m: int) -> dict[str, object]:
    """vis-network options: no physics (positions are final), straight links, edges hidden while dragging.

    Examples
    --------
    >>> options = vis_options(5000, 9000)
    >>> options["physics"]["enabled"], options["edges"]["smooth"], options["interaction"]["hideEdgesOnDrag"]
    (False, False, True)
    """
    large = n > 1000 or m > ARROW_LINKS
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
            "arrows": {"to": {"enabled": m <= ARROW_LINKS, "scaleFactor": 0.45}},
            "color": {"inherit": False, "opacity": 0.55 if large else 0.8},
            "selectionWidth": 1.5,
            "hoverWidth": 0.8,
        },
        "physics": {"enabled": False},
        "layout": {"improvedLayout": False},
        "interaction": {
            "hover": True,
            "tooltipDelay": 100,
            "hideEdgesOnDrag": large,
            "hideEdgesOnZoom": large,
            "multiselect": True,
            "navigationButtons": False,
            "keyboard": False,
        },
    }


def page_data(view: GraphView, posts: pl.DataFrame, edges: pl.DataFrame, metrics, *,
              hide_assumed: bool = False) -> dict[str, object]:  # fmt: skip
    """Everything the page shows, as plain data: vis nodes and edges, interactions, posts, legend.

    Examples
    --------
    >>> import sna
    >>> from sna.analysis.views import author_view
    >>> corpus = sna.load("data/raw", stance=False)
    >>> data = page_data(author_view(corpus.metrics(), corpus.posts), corpus.posts, corpus.edges, corpus.metrics())
    >>> len(data["nodes"]), len(data["edges"]), data["info"][0]["name"]
    (32, 31, 'Varun')
    """
    tables = page_tables(view, posts, edges, metrics)
    n, m = view.n, view.m
    xy = canvas_positions(view.xy, n) if n else np.zeros((0, 2))
    pagerank = view.pagerank
    top = float(pagerank.max()) if n and pagerank.max() > 0 else 1.0
    big, small = (28.0, 5.0) if n <= 1000 else (20.0, 2.5)
    sizes = np.round(small + (big - small) * np.sqrt(pagerank / top), 1)
    grouped = view.grouping is not None
    group = view.group
    fills = style.group_colors(group, grouped=grouped)
    rims = style.group_edge_colors(group, grouped=grouped, rim="#FFFFFF")
    labelled = set(np.lexsort((np.arange(n), -pagerank))[:LABELLED_NODES].tolist()) if n else set()
    fields = AUTHOR_FIELDS if view.level == "author" else POST_FIELDS
    present = [c for c in fields if c in view.nodes.columns]
    values = [view.nodes[c].to_list() for c in present]
    labels = view.nodes["label"].to_list()
    post_rows = tables.posts
    per_node: list[list[int]] = [[] for _ in range(n)]
    for row, node in enumerate(post_rows["node"].to_list()):
        per_node[node].append(row)
    nodes, info = [], []
    for i in range(n):
        node: dict[str, object] = {"id": i, "x": float(xy[i, 0]), "y": float(xy[i, 1]), "size": float(sizes[i]),
                                   "color": {"background": fills[i], "border": rims[i]}}  # fmt: skip
        if i in labelled:
            node["label"] = style.short_label(labels[i], 28)
        nodes.append(node)
        g = int(group[i])
        info.append({
            "name": labels[i], "group": g if grouped else None,
            "groupName": (f"{view.grouping} {g}" if g > 0 else f"no {view.grouping}") if grouped else None,
            "m": [_number(v[i]) for v in values], "threads": tables.node_threads[i], "bins": tables.node_bins[i],
            "posts": per_node[i],
        })  # fmt: skip
    strong = np.ones(m, dtype=bool)
    if m > PAGE_LINKS:
        from sna.analysis.layout import strongest

        weight = view.links["weight"].cast(pl.Float64).to_numpy() + 0.25 * view.links["implicit"].to_numpy()
        strong = np.zeros(m, dtype=bool)
        strong[strongest(view.src, view.dst, weight, n, PAGE_TIES)] = True
    vis_edges = [{"id": j, "from": s, "to": t, "hidden": True} for j, (s, t) in
                 enumerate(zip(view.src.tolist(), view.dst.tolist(), strict=True))]  # fmt: skip
    quoted = view.links["quoted_text"].to_list() if "quoted_text" in view.links.columns else None
    act = tables.interactions
    counts = {int(k): int(v) for k, v in zip(*np.unique(group, return_counts=True), strict=True)} if n else {}
    _, node_entries = style.group_entries(group, view.grouping, counts, noun=view.noun, reason=view.no_groups)
    groups = []
    if grouped:
        for g in sorted(counts):
            name = f"{view.grouping} {g}" if g > 0 else f"no {view.grouping}"
            groups.append({"value": g, "label": f"{name} ({counts[g]:,})"})
    has_stance = view.has_stance
    stances = set(act.filter(pl.col("kind") != 2)["stance"].unique().to_list()) if act.height else set()
    kinds = set(act["kind"].unique().to_list()) if act.height else set()
    link_title, link_entries = style.link_entries(has_stance=has_stance, stances=stances, kinds=kinds,
                                                  assumed=2 in kinds)  # fmt: skip
    return {
        "level": view.level,
        "noun": view.noun,
        "nodes": nodes,
        "edges": vis_edges,
        "info": info,
        "links": {"src": view.src.tolist(), "dst": view.dst.tolist(), "strong": strong.astype(int).tolist()},
        "strong_only": bool(m > PAGE_LINKS),
        "quoted": [style.short_label(q, 160, end=True) if q else None for q in quoted] if quoted else None,
        "interactions": {c: act[c].to_list() for c in ("link", "kind", "stance", "thread", "bin", "n")},
        "posts": {c: post_rows[c].to_list() for c in ("thread", "time", "label", "text")},
        "threads": tables.threads.to_dicts(),
        "time": tables.time_bins,
        "fields": [fields[c] for c in present],
        "groups": groups,
        "grouping": view.grouping,
        "has_stance": has_stance,
        "colors": {
            **{k: v for k, v in style.STANCE_COLORS.items()},
            "quote": style.KIND_COLORS["quote"],
            "reply": style.KIND_COLORS["reply"],
            "assumed": style.ASSUMED,
        },
        "hide_assumed": hide_assumed,
        "options": vis_options(n, m),
        "_legend": {"nodes": node_entries, "links": (link_title, link_entries)},
        "_text_chars": tables.text_chars,
    }


def page_views(pictures) -> list[tuple[str, GraphView]]:
    """The graphs of the pages (see :func:`sna.analysis.pictures.picture_data` with ``pages=True``)."""
    return list(pictures.pages)


def graph_page(view: GraphView, pictures, *, title: str | None = None) -> str:
    """One self-contained, offline HTML page for a graph.

    Parameters
    ----------
    view : GraphView
        The graph (cut to at most ``MAX_PAGE_NODES`` nodes for a page that opens quickly).
    pictures : Pictures
        POSTS, EDGES, metrics and options (:func:`sna.analysis.pictures.picture_data`).
    title : str, optional
        Page heading.

    Returns
    -------
    str
        The page.
    """
    from jinja2 import Environment
    from markupsafe import Markup
    from pyvis.network import Network

    data = page_data(view, pictures.posts, pictures.edges, pictures.metrics,
                     hide_assumed=pictures.options.hide_assumed)  # fmt: skip
    legend = data.pop("_legend")
    text_chars = data.pop("_text_chars")
    net = Network(directed=True, height="100%", width="100%", cdn_resources="in_line")
    net.nodes, net.edges = data.pop("nodes"), data.pop("edges")  # filled directly: from_nx is O(n·m) and mutates
    net.options = data.pop("options")
    nodes, edges, _, _, _, options = net.get_network_data()
    payload = script_json({"nodes": nodes, "edges": edges, "options": json.loads(options), **data})
    vis_js, vis_css = vis_assets()
    app_js = asset("page.js")
    csp = (
        "default-src 'none'; script-src " + " ".join(csp_hash(s) for s in (vis_js, app_js)) + "; "
        "style-src 'unsafe-inline'; img-src data:; font-src data:; connect-src 'none'; base-uri 'none'; "
        "form-action 'none'"
    )
    graph = "author graph" if view.level == "author" else "post graph"
    heading = title or f"The {graph}: who quotes or replies to whom"
    summary = f"{view.total_nodes:,} {view.noun}, {view.total_links:,} linked pairs"
    if view.cut:
        summary += f" — showing {view.cut} ({view.n:,} {view.noun}, {view.m:,} links)"
    summary += "."
    where = "each camp in its own region" if view.grouping == "camp" else (
        f"each {view.grouping} in its own region" if view.grouping else "")  # fmt: skip
    if view.level == "post":
        where = "each thread a disc, its reply tree radial from the first post"
    layout_note = f"Layout as in the figures ({where}); physics is off." if where else "Physics is off."
    text_note = (f"Search covers names and the first {text_chars:,} characters of "
                 + ("each author's most central posts." if view.level == "author" else "each post."))  # fmt: skip
    group_notes = {"camp": "Camps: agreement camps from stance; no camp: no agree/disagree link, or a camp below "
                           "the minimum size.",
                   "community": "Communities: modularity classes of the author graph (shown where there are no "
                                "camps)."}  # fmt: skip
    env = Environment(autoescape=True, keep_trailing_newline=True)
    return env.from_string(asset("page.html")).render(
        csp=Markup(csp),  # our constants and base64 hashes only
        title=heading,
        summary=summary,
        layout_note=f"{layout_note} {text_note}",
        level=view.level,
        noun=view.noun,
        grouping=view.grouping,
        group_noun=view.group_noun,
        groups_noun=style.plural(view.group_noun),
        group_note=group_notes.get(view.grouping or "", ""),
        has_stance=data["has_stance"],
        has_time=data["time"] is not None,
        has_assumed=2 in set(data["interactions"]["kind"]),
        strong_only=data["strong_only"],
        ties=PAGE_TIES,
        hide_assumed=pictures.options.hide_assumed,
        threads_cut=len(data["threads"]) < pictures.threads.height,
        threads_named=len(data["threads"]),
        node_entries=legend["nodes"],
        link_title=legend["links"][0],
        link_entries=legend["links"][1],
        vis_css=Markup(vis_css),
        page_css=Markup(asset("page.css")),
        vis_js=Markup(vis_js),
        app_js=Markup(app_js),
        payload=Markup(payload),
    )

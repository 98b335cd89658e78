"""Static figures (matplotlib): one function per figure, drawn from computed tables.

Every function takes tables (or a :class:`~sna.render.views.GraphView`) that
were already computed, draws into the ``ax`` (or ``axes``) it is given or into
a new figure, and returns the :class:`~matplotlib.figure.Figure`. None of them
computes a metric, reads a file or touches pyplot's global state: figures are
``matplotlib.figure.Figure`` objects, so they work in scripts, notebooks and
servers alike. Save them with :func:`sna.render.style.save_figure` for files
that are identical on every rerun.

Everything is drawn with collections (one ``LineCollection`` for all edges,
one scatter for all nodes), never a patch per edge, so a 10,000-node graph
draws in well under a second once laid out.

Examples
--------
>>> import sna
>>> from sna.render.views import graph_view
>>> corpus = sna.load("data/raw")
>>> view = graph_view(corpus.posts, corpus.edges, corpus.metrics())
>>> fig = network_map(view)
>>> fig.axes[0].get_title()
'Who quotes or replies to whom: the post graph'
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import polars as pl
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patheffects import withStroke
from matplotlib.ticker import MaxNLocator

from sna.graph import KIND_CODES, STANCE_CODES
from sna.render import style
from sna.render.views import (
    GraphView,
    dominant_kind,
    dominant_stance,
    force_layout,
    post_label,
    post_links_table,
    tree_layout,
)

KIND_BY_CODE = {code: name for name, code in KIND_CODES.items()}
MEASURE_NAMES = {
    "pagerank": ("PageRank", "PageRank"),
    "in_degree": ("In-degree", "posts or authors linking here"),
    "in_weight": ("Replies received", "quotes and replies received"),
    "betweenness": ("Betweenness", "betweenness centrality"),
    "harmonic": ("Harmonic closeness", "harmonic closeness"),
    "hub": ("Hub score", "HITS hub score"),
    "authority": ("Authority score", "HITS authority score"),
    "katz": ("Katz centrality", "Katz centrality"),
}


# Shared pieces --------------------------------------------------------------


def _axes(ax: Axes | None, kind: str) -> tuple[Figure, Axes]:
    if ax is not None:
        return ax.figure, ax
    fig, axes = style.new_figure(kind)
    return fig, axes[0, 0]


def _grid(axes: Sequence[Axes] | None, count: int, kind: str, ncols: int | None = None) -> tuple[Figure, list[Axes]]:
    if axes is not None:
        axes = list(np.ravel(axes))
        if len(axes) < count:
            raise ValueError(f"need {count} axes, got {len(axes)}")
        return axes[0].figure, axes[:count]
    ncols = ncols or (1 if count == 1 else 2 if count in (2, 4) else 3)
    nrows = -(-count // ncols)
    fig, grid = style.new_figure(kind, nrows=nrows, ncols=ncols)
    flat = list(grid.ravel())
    for extra in flat[count:]:
        extra.set_visible(False)
    return fig, flat[:count]


def _note(ax: Axes, text: str, *, title: str | None = None) -> None:
    """An empty panel that says why it is empty."""
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.text(0.5, 0.5, text, transform=ax.transAxes, ha="center", va="center", color=style.MUTED_TEXT, wrap=True)
    if title:
        ax.set_title(title)


def _bare(ax: Axes) -> None:
    """Hide ticks and spines (graph drawings have no meaningful axes)."""
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(False)


def node_colors(camp: np.ndarray, *, shown: Sequence[int] | None = None) -> tuple[np.ndarray, list[int]]:
    """Colours per node, and the camps that have a colour of their own.

    Camp ``c`` always gets the same colour (``style.CAMP_COLORS[c - 1]``), in
    every figure; camps not in ``shown`` (default :func:`colored_camps` of
    ``camp``) share a light grey; nodes without a camp (0) are hollow
    (:func:`node_edges` gives their grey ring). Without camps (all 0) every
    node gets the uniform colour.

    Examples
    --------
    >>> colors, shown = node_colors(np.array([1, 1, 2, 3, 3, 0]))
    >>> colors.tolist(), shown
    (['#E69F00', '#E69F00', '#D9D9D9', '#CC79A7', '#CC79A7', '#FFFFFF'], [1, 3])
    """
    if not (camp > 0).any():
        return np.full(len(camp), style.UNIFORM_NODE, dtype=object), []
    shown = [
        int(c) for c in (style.colored_camps(camp) if shown is None else shown) if 1 <= c <= len(style.CAMP_COLORS)
    ]
    colors = np.full(len(camp), style.OTHER_CAMP, dtype=object)
    colors[camp <= 0] = style.UNASSIGNED_FILL
    for c in shown:
        colors[camp == c] = style.CAMP_COLORS[c - 1]
    return colors, [c for c in shown if (camp == c).any()]


def node_edges(camp: np.ndarray, default: str = style.NODE_EDGE) -> np.ndarray:
    """Outline per node: a grey ring for nodes without a camp where there are camps, else ``default``.

    Examples
    --------
    >>> node_edges(np.array([1, 0])).tolist(), node_edges(np.array([0, 0])).tolist()
    (['#FFFFFF', '#8C8C8C'], ['#FFFFFF', '#FFFFFF'])
    """
    edges = np.full(len(camp), default, dtype=object)
    if (camp > 0).any():
        edges[camp <= 0] = style.UNASSIGNED_EDGE
    return edges


def edge_colors(stance: np.ndarray, kind: np.ndarray, has_stance: bool) -> np.ndarray:
    """Edge colours: by stance when any edge has a label, else by kind.

    Examples
    --------
    >>> edge_colors(np.array([0, -1]), np.array([0, 2]), True).tolist()
    ['#0072B2', '#BDBDBD']
    >>> edge_colors(np.array([-1, -1]), np.array([0, 2]), False).tolist()
    ['#CC79A7', '#C8C8C8']
    """
    if has_stance:
        return style.stance_colors(stance)
    table = np.array([style.KIND_COLORS[KIND_BY_CODE[c]] for c in range(3)], dtype=object)
    return table[kind]


def _edge_order(stance: np.ndarray, kind: np.ndarray, has_stance: bool) -> np.ndarray:
    """Draw faint edges first so the informative ones stay on top."""
    if has_stance:
        priority = np.where(stance < 0, 0, np.where(stance == STANCE_CODES["neutral"], 1, 2))
    else:
        priority = np.where(kind == KIND_CODES["implicit"], 0, 1)
    return np.argsort(priority, kind="stable")


def _edge_legend(has_stance: bool, kinds: set[int], stances: set[int] | None = None) -> tuple[list[Line2D], str]:
    if has_stance:
        present = {0, 2} | (stances if stances is not None else {1, -1})
        names = [s for s in style.STANCE_ORDER if STANCE_CODES.get(s, -1) in present]
        handles = [Line2D([], [], color=style.STANCE_COLORS[s], lw=1.6, label=s if s != "none" else "unlabelled")
                   for s in names]  # fmt: skip
        return handles, "edges: stance"
    handles = [
        Line2D([], [], color=style.KIND_COLORS[KIND_BY_CODE[c]], lw=1.6, label=KIND_BY_CODE[c]) for c in sorted(kinds)
    ]
    return handles, "edges: kind (no stance labels)"


def _camp_legend(
    shown: list[int], sizes: np.ndarray, has_camps: bool, *, counts: bool = True, title: str = "nodes: camp",
    reason: str = "no stance labels,\nso no camps",
) -> tuple[list[Line2D], str]:  # fmt: skip
    """Legend entries: the coloured camps, other camps, and nodes without a camp (``sizes[0]``)."""
    marker = {"marker": "o", "linestyle": "", "markersize": 6, "markeredgecolor": "white"}
    if not has_camps:
        return [Line2D([], [], color=style.UNIFORM_NODE, label=reason, **marker)], "nodes"
    handles = [
        Line2D([], [], color=style.CAMP_COLORS[c - 1], label=f"camp {c} ({sizes[c]:,})" if counts else f"camp {c}",
               **marker)
        for c in shown
    ]  # fmt: skip
    others = int((sizes[1:] > 0).sum()) - len(shown) if len(sizes) > 1 else 0
    if others > 0:
        handles.append(Line2D([], [], color=style.OTHER_CAMP, label=f"{others:,} other camps" if counts
                              else "other camps", **marker))  # fmt: skip
    if len(sizes) and sizes[0] > 0:
        label = f"no camp ({sizes[0]:,})" if counts else "no camp"
        handles.append(Line2D([], [], color=style.UNASSIGNED_FILL, label=label,
                              **(marker | {"markeredgecolor": style.UNASSIGNED_EDGE})))  # fmt: skip
    return handles, title


def _legend(ax: Axes, groups: list[tuple[list[Line2D], str]], *, loc: str = "upper left",
            anchor: tuple[float, float] = (1.01, 1.0)) -> None:  # fmt: skip
    handles: list[Line2D] = []
    labels: list[str] = []
    for group_handles, title in groups:
        if handles:
            handles.append(Line2D([], [], linestyle="", label=" "))
            labels.append(" ")
        handles.append(Line2D([], [], linestyle="", label=title))
        labels.append(title)
        handles += group_handles
        labels += [h.get_label() for h in group_handles]
    legend = ax.legend(handles, labels, loc=loc, bbox_to_anchor=anchor, handlelength=1.4, borderaxespad=0.0)
    for text, handle in zip(legend.get_texts(), handles, strict=True):
        if handle.get_marker() in ("None", None, "") and handle.get_linestyle() in ("None", "", " "):
            text.set_fontweight("bold")


def place_labels(
    ax: Axes,
    xy: np.ndarray,
    texts: Sequence[str],
    *,
    radius_pt: np.ndarray | None = None,
    fontsize: float = style.FONT["annotation"],
) -> list[str]:
    """Label points without overlaps: each label tries eight spots around its point, else is left out.

    Labels are placed in the order given (most important first). Returns the
    labels that were placed.
    """
    fig = ax.figure
    fig.draw_without_rendering()  # fixes the layout, so display coordinates are final
    placed: list = []
    shown: list[str] = []
    frame = ax.get_window_extent()
    radius_pt = np.full(len(texts), 3.0) if radius_pt is None else radius_pt
    for (x, y), text, r in zip(xy, texts, radius_pt, strict=True):
        gap = float(r) + 2.0
        spots = [(gap, 0, "left", "center"), (-gap, 0, "right", "center"), (0, gap, "center", "bottom"),
                 (0, -gap, "center", "top"), (gap, gap, "left", "bottom"), (-gap, gap, "right", "bottom"),
                 (gap, -gap, "left", "top"), (-gap, -gap, "right", "top")]  # fmt: skip
        for dx, dy, ha, va in spots:
            label = ax.annotate(
                text, (x, y), xytext=(dx, dy), textcoords="offset points", ha=ha, va=va, fontsize=fontsize,
                color=style.TEXT, zorder=5, annotation_clip=False,
                path_effects=[withStroke(linewidth=2.2, foreground="white")],
            )  # fmt: skip
            label.set_in_layout(False)
            box = label.get_window_extent().expanded(1.04, 1.1)
            inside = (
                frame.x0 - 2 <= box.x0 and box.x1 <= frame.x1 + 2 and frame.y0 - 2 <= box.y0 and box.y1 <= frame.y1 + 2
            )
            if inside and not any(box.overlaps(other) for other in placed):
                placed.append(box)
                shown.append(text)
                break
            label.remove()
    return shown


def _sizes(values: np.ndarray, n: int, *, scale: float = 1.0) -> np.ndarray:
    """Marker areas (pt²) proportional to ``values``, with a floor, smaller for larger graphs."""
    big = float(np.clip(2400 / np.sqrt(max(n, 1)), 40, 420)) * scale
    small = float(np.clip(120 / np.sqrt(max(n, 1)), 0.6, 24)) * scale
    top = float(values.max()) if len(values) and values.max() > 0 else 1.0
    return small + (big - small) * (values / top)


def _count_note(view: GraphView) -> str:
    noun = view.noun
    text = f"{view.total_nodes:,} {noun}, {view.total_links:,} links"
    if view.truncated:
        text += f"; drawn: the {view.n:,} {noun} with the highest PageRank and the {view.m:,} links among them"
    return text


# Network map ----------------------------------------------------------------


def network_map(
    view: GraphView,
    *,
    positions: np.ndarray | None = None,
    ax: Axes | None = None,
    seed: int = 0,
    top_labels: int = 12,
    title: str | None = None,
) -> Figure:
    """The author graph (or post graph): size by PageRank, colour by camp, edges by stance.

    Parameters
    ----------
    view : GraphView
        The graph to draw (see :func:`sna.render.views.graph_view`).
    positions : np.ndarray, optional
        ``(n, 2)`` node positions; default :func:`sna.render.views.force_layout` (seeded igraph
        Kamada–Kawai up to 300 nodes, Fruchterman–Reingold above).
    ax : Axes, optional
        Where to draw; default a new figure.
    seed : int
        Layout seed.
    top_labels : int
        Label this many nodes with the highest PageRank (fewer where labels
        would overlap).
    title : str, optional
        Figure title.

    Returns
    -------
    Figure

    Examples
    --------
    >>> import numpy as np, polars as pl
    >>> nodes = pl.DataFrame({"id": ["a", "b", "c"], "label": ["a", "b", "c"], "pagerank": [0.5, 0.3, 0.2],
    ...                       "camp": [None, None, None]}, schema_overrides={"camp": pl.Int64})
    >>> links = pl.DataFrame({"source": ["b", "c"], "target": ["a", "a"], "src": [1, 2], "dst": [0, 0],
    ...     **{c: [1, 1] for c in ("weight", "quote", "reply", "implicit", "agree", "neutral", "disagree")}})
    >>> fig = network_map(GraphView("author", nodes, links, 3, 2))
    >>> len(fig.axes[0].collections)
    2
    """
    fig, ax = _axes(ax, "network")
    if positions is None:
        positions = force_layout(view.n, view.src, view.dst, seed=seed)
    pagerank = view.pagerank
    stance, kind, has_stance = view.stance, view.kind, view.has_stance
    colors = edge_colors(stance, kind, has_stance)
    order = _edge_order(stance, kind, has_stance)
    if view.m:
        weight = view.links["weight"].cast(pl.Float64).to_numpy()
        thin = 0.3 if view.m > 1000 else 0.6
        widths = thin + thin * np.log1p(np.maximum(weight, 1) - 1) / max(np.log1p(weight.max() - 1), 1.0)
        segments = np.stack([positions[view.src], positions[view.dst]], axis=1)[order]
        alpha = float(np.clip(25 / np.sqrt(view.m), 0.2, 0.8))
        ax.add_collection(
            LineCollection(segments, colors=list(colors[order]), linewidths=widths[order], alpha=alpha, zorder=1,
                           capstyle="round")
        )  # fmt: skip
    fills, shown = node_colors(view.camp, shown=view.colored_camps)
    areas = _sizes(pagerank, view.n)
    node_order = np.argsort(pagerank, kind="stable")  # largest on top
    ax.scatter(positions[node_order, 0], positions[node_order, 1], s=areas[node_order], c=list(fills[node_order]),
               edgecolors=list(node_edges(view.camp)[node_order]), linewidths=0.3 if view.n > 2000 else 0.6,
               zorder=2)  # fmt: skip
    ax.set_xlim(-0.04, 1.04)
    ax.set_ylim(-0.04, 1.04)
    ax.set_aspect("equal")
    _bare(ax)
    graph = "author graph" if view.level == "author" else "post graph"
    ax.set_title(title or f"Who quotes or replies to whom: the {graph}")
    ax.set_xlabel(f"{_count_note(view)}. Node area: PageRank; labels: the most central {view.noun}.",
                  fontsize=style.FONT["annotation"], color=style.MUTED_TEXT, wrap=True)  # fmt: skip
    sizes = np.bincount(np.maximum(view.camp, 0)) if view.n else np.zeros(1, dtype=np.int64)
    edge_legend = _edge_legend(has_stance, set(kind.tolist()), set(stance.tolist()))
    _legend(ax, [_camp_legend(shown, sizes, view.has_camps, reason=view.no_camps), edge_legend])
    if top_labels and view.n:
        top = np.lexsort((np.arange(view.n), -pagerank))[:top_labels]
        labels = [style.plain(style.short_label(view.nodes["label"][int(i)], 22)) for i in top]
        place_labels(ax, positions[top], labels, radius_pt=np.sqrt(areas[top] / np.pi))
    return fig


# Thread arc diagram ------------------------------------------------------------


def _arc_points(a: np.ndarray, b: np.ndarray, height: np.ndarray, steps: int) -> np.ndarray:
    """Half-ellipses from ``a`` to ``b`` with the given signed heights: ``(len(a), steps, 2)``."""
    theta = np.linspace(0, np.pi, steps)
    center, radius = (a + b) / 2, (b - a) / 2
    x = center[:, None] - radius[:, None] * np.cos(theta)[None, :]
    y = height[:, None] * np.sin(theta)[None, :]
    return np.stack([x, y], axis=2)


def largest_thread(posts: pl.DataFrame) -> str:
    """The thread with the most posts (the first such thread on ties).

    Examples
    --------
    >>> largest_thread(pl.DataFrame({"thread_id": ["a", "b", "b"]}))
    'b'
    """
    counts = posts.group_by("thread_id", maintain_order=True).len()
    return str(counts.sort("len", descending=True, maintain_order=True)["thread_id"][0])


def thread_arcs(
    posts: pl.DataFrame,
    edges: pl.DataFrame,
    post_metrics: pl.DataFrame | None = None,
    *,
    camps: pl.DataFrame | None = None,
    colored: Sequence[int] | None = None,
    thread_id: str | None = None,
    ax: Axes | None = None,
    title: str | None = None,
) -> Figure:
    """Arc diagram of one thread: posts in order along x, an arc from each reply to its target.

    Quote and reply arcs are drawn above the axis, coloured by stance (by
    kind when there are no stance labels); implicit links (a post that quotes
    nothing, attached to the first post) are drawn below it in grey. Arc
    height grows with the distance between the two posts. Posts are dots
    sized by PageRank and coloured by camp when ``post_metrics`` is given.

    Parameters
    ----------
    posts, edges : pl.DataFrame
        POSTS and EDGES.
    post_metrics : pl.DataFrame, optional
        For dot size (``pagerank``) and colour (``camp``).
    camps : pl.DataFrame, optional
        ``post_id``, ``camp``: colours to use instead of ``post_metrics.camp``
        (e.g. each post's author's camp, :func:`sna.render.views.post_camps`).
    colored : sequence of int, optional
        Camps that get their own colour (default: those with two or more
        posts here); pass :attr:`GraphView.colored_camps` to match the network map.
    thread_id : str, optional
        The thread to draw; default the one with the most posts.
    ax : Axes, optional
        Where to draw.
    title : str, optional
        Figure title.

    Returns
    -------
    Figure

    Examples
    --------
    >>> posts = pl.DataFrame({"thread_id": ["t"] * 3, "post_id": ["a", "b", "c"], "position": [1, 2, 3]})
    >>> edges = pl.DataFrame({"source": ["b", "c"], "target": ["a", "a"], "kind": ["quote", "implicit"]})
    >>> thread_arcs(posts, edges).axes[0].get_xlabel()
    'position in thread (post number)'
    """
    fig, ax = _axes(ax, "arcs")
    thread_id = thread_id if thread_id is not None else (largest_thread(posts) if posts.height else None)
    thread = posts.filter(pl.col("thread_id") == thread_id).sort("position")
    if thread.height == 0:
        _note(ax, "no posts to draw", title=title or "Thread arc diagram")
        return fig
    thread = _with_camps(thread, post_metrics, camps)
    x_of = dict(zip(thread["post_id"].to_list(), thread["position"].to_list(), strict=True))
    ids = thread.select("post_id")
    inside = edges.join(ids.rename({"post_id": "source"}), on="source", how="semi").join(
        ids.rename({"post_id": "target"}), on="target", how="semi"
    )
    links = post_links_table(inside)
    xs = np.array([x_of[s] for s in links["source"].to_list()], dtype=float)
    xt = np.array([x_of[t] for t in links["target"].to_list()], dtype=float)
    kind, stance = dominant_kind(links), dominant_stance(links)
    has_stance = bool((stance >= 0).any())
    implicit = kind == KIND_CODES["implicit"]
    span = np.abs(xs - xt)
    above_max = float(span[~implicit].max()) if (~implicit).any() else 1.0
    below_max = float(span[implicit].max()) if implicit.any() else 1.0
    height = np.where(implicit, -0.55 * span / below_max, span / above_max)
    steps = 32 if len(links) < 2000 else 16
    arcs = _arc_points(np.minimum(xs, xt), np.maximum(xs, xt), height, steps)
    colors = edge_colors(stance, kind, has_stance)
    order = _edge_order(stance, kind, has_stance)
    n = thread.height
    width = 1.1 if n < 200 else 0.6 if n < 2000 else 0.35
    alpha = float(np.clip(30 / np.sqrt(max(len(links), 1)), 0.12, 0.9))
    ax.add_collection(LineCollection(arcs[order], colors=list(colors[order]), linewidths=width, alpha=alpha,
                                     zorder=1))  # fmt: skip
    x = thread["position"].to_numpy().astype(float)
    pagerank = (
        np.nan_to_num(thread["pagerank"].cast(pl.Float64).fill_null(0.0).to_numpy())
        if "pagerank" in thread.columns
        else np.ones(n)
    )
    camp = thread["camp"].cast(pl.Int64).fill_null(0).to_numpy() if "camp" in thread.columns else np.zeros(n, int)
    fills, shown = node_colors(camp, shown=colored)
    areas = _sizes(pagerank, n, scale=0.45)
    ax.scatter(x, np.zeros(n), s=areas, c=list(fills), edgecolors=list(node_edges(camp)), linewidths=0.5, zorder=3)
    ax.axhline(0, color="#888888", linewidth=0.6, zorder=0)
    pad = max(0.5, 0.01 * (x.max() - x.min()))
    ax.set_xlim(x.min() - pad, x.max() + pad)
    ax.set_ylim(-0.62 if implicit.any() else -0.08, 1.06 if (~implicit).any() else 0.1)
    ax.set_yticks([])
    ax.spines["left"].set_visible(False)
    ax.xaxis.set_major_locator(MaxNLocator(nbins=12, integer=True))
    threads = posts["thread_id"].n_unique()
    where = f"; the largest of {threads:,} threads" if threads > 1 and thread_id == largest_thread(posts) else ""
    ax.set_xlabel(f"position in thread (post number{where})")
    ax.set_ylabel("arc height: distance")
    note = {"fontsize": style.FONT["annotation"], "color": style.MUTED_TEXT, "transform": ax.get_yaxis_transform()}
    if (~implicit).any():
        ax.text(0.005, 1.0, "quotes and replies", ha="left", va="top", **note)
    if implicit.any():
        ax.text(0.005, -0.6, "implicit: quotes nothing, attached to the first post", ha="left", va="bottom",
                **note)  # fmt: skip
    name = thread["title"].drop_nulls().first() if "title" in thread.columns else None
    name = style.short_label(str(name or thread_id), 56, end=True)
    ax.set_title(title or f"Thread arc diagram: {style.plain(name)}")
    sizes = np.bincount(np.maximum(camp, 0)) if n else np.zeros(1, dtype=np.int64)
    node_legend = _camp_legend(shown, sizes, bool((camp > 0).any()), counts=False, title="posts: camp")
    _legend(ax, [node_legend, _edge_legend(has_stance, set(kind.tolist()), set(stance.tolist()))])
    return fig


def _with_camps(table: pl.DataFrame, post_metrics: pl.DataFrame | None, camps: pl.DataFrame | None) -> pl.DataFrame:
    """Attach ``pagerank`` and ``camp`` (from ``camps`` when given) to a table of posts."""
    table = table.drop([c for c in ("pagerank", "camp") if c in table.columns and c != "post_id"])
    if post_metrics is not None:
        table = table.join(post_metrics.select("post_id", "pagerank", "camp"), on="post_id", how="left",
                           maintain_order="left")  # fmt: skip
    if camps is not None:
        table = table.drop("camp", strict=False).join(camps.select("post_id", "camp"), on="post_id", how="left",
                                                      maintain_order="left")  # fmt: skip
    return table


# Centrality rankings ----------------------------------------------------------


def centrality_ranking(
    nodes: pl.DataFrame,
    measure: str,
    *,
    k: int = 10,
    label: str = "label",
    level: str | None = None,
    colored: Sequence[int] | None = None,
    ax: Axes | None = None,
) -> Figure:
    """Top-``k`` nodes by one measure as horizontal bars (largest at the top), coloured by camp.

    Parameters
    ----------
    nodes : pl.DataFrame
        Metric table with ``measure``, a ``label`` column and optionally ``camp``.
    measure : str
        Column to rank by.
    k : int
        Bars to draw.
    label : str
        Column with the names shown.
    level : str, optional
        ``"author"`` or ``"post"``, for the axis label.
    colored : sequence of int, optional
        Camps with colours of their own (default: those with two or more members in ``nodes``).
    ax : Axes, optional
        Where to draw.

    Returns
    -------
    Figure

    Examples
    --------
    >>> table = pl.DataFrame({"label": ["a", "b", "c"], "pagerank": [0.2, 0.5, 0.3]})
    >>> ax = centrality_ranking(table, "pagerank", k=2).axes[0]
    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['c', 'b']
    """
    fig, ax = _axes(ax, "rankings")
    name, long_name = MEASURE_NAMES.get(measure, (measure.replace("_", " "), measure.replace("_", " ")))
    if measure not in nodes.columns or nodes[measure].drop_nulls().drop_nans().len() == 0:
        _note(ax, f"{name} is undefined here", title=name)
        return fig
    if level is not None and measure == "in_degree":
        long_name = "distinct authors replying" if level == "author" else "posts replying"
    top = (
        nodes.with_row_index("_order")  # zeros are left out: a bar of nothing says nothing
        .filter(pl.col(measure).is_not_null() & pl.col(measure).is_not_nan() & (pl.col(measure) > 0))
        .sort(measure, "_order", descending=[True, False])
        .head(k)
    )
    values = top[measure].cast(pl.Float64).to_numpy()[::-1]
    camp = (
        top["camp"].cast(pl.Int64).fill_null(0).to_numpy()[::-1]
        if "camp" in top.columns
        else np.zeros(len(values), int)
    )
    if colored is None and "camp" in nodes.columns:
        colored = style.colored_camps(nodes["camp"].cast(pl.Int64).fill_null(0).to_numpy())
    y = np.arange(len(values))
    ax.barh(y, values, color=list(node_colors(camp, shown=colored)[0]), edgecolor=list(node_edges(camp, "none")),
            linewidth=0.6, height=0.7)  # fmt: skip
    ax.set_yticks(y, [style.plain(style.short_label(s, 26)) for s in top[label].to_list()[::-1]])
    ax.tick_params(axis="y", length=0)
    top_value = float(values.max()) if len(values) else 1.0
    for yi, v in zip(y, values, strict=True):
        ax.text(v + top_value * 0.015, yi, style.format_value(v), va="center", ha="left",
                fontsize=style.FONT["annotation"], color=style.MUTED_TEXT)  # fmt: skip
    ax.set_xlim(0, top_value * 1.22 if top_value > 0 else 1)
    ax.set_ylim(-0.6, max(len(values), 1) - 0.4)
    ax.set_xlabel(long_name)
    ax.set_title(name)
    return fig


def default_measures(nodes: pl.DataFrame, level: str) -> list[str]:
    """The four rankings drawn by default: PageRank, replies received, betweenness, harmonic closeness.

    Examples
    --------
    >>> default_measures(pl.DataFrame({"pagerank": [1.0], "in_degree": [1], "in_weight": [2.0]}), "author")
    ['pagerank', 'in_weight']
    """
    wanted = ["pagerank", "in_weight" if level == "author" else "in_degree", "betweenness", "harmonic"]
    return [m for m in wanted if m in nodes.columns]


def centrality_rankings(
    view: GraphView,
    *,
    measures: Sequence[str] | None = None,
    k: int = 10,
    axes: Sequence[Axes] | None = None,
) -> Figure:
    """Top-``k`` bars for each of several measures, one panel each.

    Examples
    --------
    >>> import sna
    >>> from sna.render.views import graph_view
    >>> corpus = sna.load("data/raw")
    >>> fig = centrality_rankings(graph_view(corpus.posts, corpus.edges, corpus.metrics()))
    >>> [ax.get_title() for ax in fig.axes]
    ['PageRank', 'In-degree', 'Betweenness', 'Harmonic closeness']
    """
    measures = list(measures or default_measures(view.nodes, view.level))
    fig, panels = _grid(axes, len(measures), "rankings", ncols=2 if len(measures) > 1 else 1)
    for measure, ax in zip(measures, panels, strict=True):
        centrality_ranking(view.nodes, measure, k=k, level=view.level, colored=view.colored_camps, ax=ax)
    if axes is None:
        fig.suptitle(f"The most central {view.noun}", x=0.01, ha="left")
        if view.has_camps:
            handles, _ = _camp_legend(view.colored_camps, np.bincount(view.camp), True, counts=False)
            fig.legend(handles=handles, loc="outside lower center", ncols=min(len(handles), 6))
    return fig


# Cascade trees ------------------------------------------------------------------

#: igraph's Reingold–Tilford layout recurses (a reply chain ~120k deep overflows the C stack)
#: and grows faster than linearly (26 s for a 50k-post tree); beyond these sizes cascade trees
#: get :func:`layered_tree_layout` instead.
TIDY_MAX_NODES = 5_000
TIDY_MAX_DEPTH = 1_000


def layered_tree_layout(parent: np.ndarray) -> np.ndarray:
    """A layered tree layout without recursion, linear in the tree's size: x spread, y = -depth.

    Leaves take consecutive columns in depth-first order; a parent sits midway
    between its first and last child. For trees too deep or large for
    :func:`sna.render.views.tree_layout`.

    Examples
    --------
    >>> layered_tree_layout(np.array([-1, 0, 0, 1])).tolist()
    [[0.5, 0.0], [0.0, -1.0], [1.0, -1.0], [0.0, -2.0]]
    """
    parent = np.asarray(parent, dtype=np.int64)
    n = len(parent)
    if n == 0:
        return np.zeros((0, 2))
    child = np.flatnonzero(parent >= 0)
    child = child[np.argsort(parent[child], kind="stable")]
    starts = np.searchsorted(parent[child], np.arange(n + 1)).tolist()
    kids = child.tolist()
    depth = [0] * n
    order: list[int] = []
    stack = np.flatnonzero(parent < 0)[::-1].tolist()
    while stack:
        node = stack.pop()
        order.append(node)
        below = kids[starts[node] : starts[node + 1]]
        for k in below:
            depth[k] = depth[node] + 1
        stack.extend(reversed(below))
    x = [0.0] * n
    column = 0.0
    for node in order:
        if starts[node] == starts[node + 1]:
            x[node], column = column, column + 1.0
    for node in reversed(order):
        if starts[node] != starts[node + 1]:
            x[node] = (x[kids[starts[node]]] + x[kids[starts[node + 1] - 1]]) / 2
    return np.column_stack([np.asarray(x), -np.asarray(depth, dtype=float)]) + 0.0


def _tree_positions(parent: np.ndarray, depth: int) -> np.ndarray:
    """Reingold–Tilford where it is safe and quick, else :func:`layered_tree_layout`."""
    if len(parent) <= TIDY_MAX_NODES and depth <= TIDY_MAX_DEPTH:
        return tree_layout(parent)
    return layered_tree_layout(parent)


def cascade_trees(
    cascades: pl.DataFrame,
    post_metrics: pl.DataFrame,
    edges: pl.DataFrame | None = None,
    *,
    camps: pl.DataFrame | None = None,
    colored: Sequence[int] | None = None,
    k: int = 4,
    axes: Sequence[Axes] | None = None,
) -> Figure:
    """The ``k`` largest reply cascades as tidy trees, root at the top.

    Each post hangs under its parent in the reply tree (``post_metrics.parent``:
    the first post it quotes, else its stated parent, else the thread's first
    post). Dots are coloured by camp; links by the stance of the reply (by
    kind without stance labels, when ``edges`` is given).

    Parameters
    ----------
    cascades : pl.DataFrame
        The cascades table (``kind == "reply"`` rows are drawn).
    post_metrics : pl.DataFrame
        ``post_id``, ``cascade_id``, ``parent``, ``depth``, ``camp``, and
        ``author``/``thread_id`` for the root's label.
    edges : pl.DataFrame, optional
        EDGES, for link colours.
    camps : pl.DataFrame, optional
        ``post_id``, ``camp``: dot colours instead of ``post_metrics.camp``.
    colored : sequence of int, optional
        Camps with colours of their own (default: those with two or more posts).
    k : int
        Number of cascades to draw.
    axes : sequence of Axes, optional
        One per cascade.

    Returns
    -------
    Figure

    Examples
    --------
    >>> import sna
    >>> corpus = sna.load("data/raw")
    >>> m = corpus.metrics()
    >>> fig = cascade_trees(m.cascades, m.post_metrics, corpus.edges, k=2)
    >>> fig.axes[0].get_ylabel()
    'depth (replies below the root)'
    """
    trees = (
        cascades.filter((pl.col("kind") == "reply") & (pl.col("size") >= 2))
        .with_row_index("_order")
        .sort("size", "_order", descending=[True, False])
        .head(k)
    )
    if trees.height == 0:
        fig, panels = _grid(axes, 1, "trees")
        _note(panels[0], "no reply cascades of two or more posts", title="Largest reply cascades")
        return fig
    fig, panels = _grid(axes, trees.height, "trees", ncols=1 if trees.height == 1 else 2)
    links = post_links_table(edges) if edges is not None else None
    has_stance = links is not None and bool((dominant_stance(links) >= 0).any())
    kinds_drawn: set[int] = set()
    stances_drawn: set[int] = set()
    if camps is not None:
        post_metrics = post_metrics.drop("camp", strict=False).join(camps.select("post_id", "camp"), on="post_id",
                                                                    how="left", maintain_order="left")  # fmt: skip
    all_camps = post_metrics["camp"].cast(pl.Int64).fill_null(0).to_numpy() if "camp" in post_metrics.columns else None
    if colored is None and all_camps is not None:
        colored = style.colored_camps(all_camps)
    for row, ax in zip(trees.iter_rows(named=True), panels, strict=True):
        members = post_metrics.filter(pl.col("cascade_id") == row["cascade_id"]).sort("depth", maintain_order=True)
        ids = members["post_id"].to_list()
        index = {p: i for i, p in enumerate(ids)}
        parent = np.array([index.get(p, -1) if p is not None else -1 for p in members["parent"].to_list()])
        pos = _tree_positions(parent, int(members["depth"].fill_null(0).max() or 0))
        child = np.flatnonzero(parent >= 0)
        colors = np.full(len(child), style.STANCE_COLORS["none"], dtype=object)
        if links is not None and len(child):
            pairs = pl.DataFrame({"source": [ids[c] for c in child], "target": [ids[parent[c]] for c in child]})
            found = pairs.join(links, on=["source", "target"], how="left", maintain_order="left").fill_null(0)
            found_kind, found_stance = dominant_kind(found), dominant_stance(found)
            kinds_drawn |= set(found_kind.tolist())
            stances_drawn |= set(found_stance.tolist())
            colors = edge_colors(found_stance, found_kind, has_stance)
        segments = np.stack([pos[parent[child]], pos[child]], axis=1)
        n = len(ids)
        ax.add_collection(LineCollection(segments, colors=list(colors), linewidths=1.0 if n < 300 else 0.4, zorder=1))
        camp = members["camp"].cast(pl.Int64).fill_null(0).to_numpy() if "camp" in members.columns else np.zeros(n, int)
        fills, _ = node_colors(camp, shown=colored)
        area = float(np.clip(900 / max(n, 1), 1.5, 40))
        ax.scatter(pos[:, 0], pos[:, 1], s=area, c=list(fills), edgecolors=list(node_edges(camp)), linewidths=0.4,
                   zorder=2)  # fmt: skip
        root = int(np.flatnonzero(parent < 0)[0])
        ax.scatter(pos[root, 0], pos[root, 1], s=area * 2.5 + 20, c=[fills[root]], edgecolors=style.TEXT,
                   linewidths=0.9, zorder=3)  # fmt: skip
        depth = int(-pos[:, 1].min()) if n else 0
        x_pad = max(0.5, 0.02 * float(np.ptp(pos[:, 0])))
        ax.set_xlim(pos[:, 0].min() - x_pad, pos[:, 0].max() + x_pad)
        ax.set_ylim(-depth - 0.4, 0.5)
        step = max(1, -(-(depth + 1) // 8))
        ax.set_yticks([-d for d in range(0, depth + 1, step)], [str(d) for d in range(0, depth + 1, step)])
        ax.set_xticks([])
        ax.spines["bottom"].set_visible(False)
        ax.set_ylabel("depth (replies below the root)")
        root_row = members.row(root, named=True)
        label = post_label(root_row["post_id"], root_row.get("thread_id"), root_row.get("author"))
        ax.set_title(f"From {style.plain(style.short_label(label, 30))}", fontsize=style.FONT["label"] + 0.5)
        ax.set_xlabel(f"{row['size']:,} posts, {row['authors']:,} authors, depth {row['depth']}, "
                      f"widest level {row['max_breadth']:,}", fontsize=style.FONT["annotation"])  # fmt: skip
    if axes is None:
        fig.suptitle("Largest reply cascades" if trees.height > 1 else "The largest reply cascade", x=0.01, ha="left")
        handles, _ = _edge_legend(has_stance, kinds_drawn, stances_drawn)
        if all_camps is not None and (all_camps > 0).any():
            handles += _camp_legend(list(colored or []), np.bincount(all_camps), True, counts=False)[0]
        if handles:
            fig.legend(handles=handles, loc="outside lower center", ncols=min(len(handles), 7))
    return fig


# Cascade distributions ------------------------------------------------------------


def ccdf(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct values and the share of observations at or above each: P(X ≥ x).

    Examples
    --------
    >>> x, p = ccdf(np.array([1, 1, 2, 5]))
    >>> x.tolist(), p.tolist()
    ([1, 2, 5], [1.0, 0.5, 0.25])
    """
    values = np.sort(np.asarray(values))
    unique, first = np.unique(values, return_index=True)
    return unique, 1.0 - first / len(values)


def _spans_decades(values: np.ndarray, decades: float = 2.0) -> bool:
    positive = values[values > 0]
    return bool(len(positive)) and positive.max() / positive.min() >= 10**decades


def cascade_distributions(cascades: pl.DataFrame, *, axes: Sequence[Axes] | None = None) -> Figure:
    """Complementary CDFs of cascade size and depth, reply trees and quote cascades apart.

    Axes turn logarithmic when the values span two decades or more (x), or
    when the smallest share is below 1% (y).

    Examples
    --------
    >>> table = pl.DataFrame({"kind": ["reply"] * 3, "size": [2, 3, 300], "depth": [1, 2, 9]})
    >>> fig = cascade_distributions(table)
    >>> fig.axes[0].get_xscale(), fig.axes[1].get_xscale()
    ('log', 'linear')
    """
    fig, panels = _grid(axes, 2, "distributions", ncols=2)
    kinds = [("reply", "reply trees", style.OKABE_ITO["bluish_green"], "o"),
             ("quote", "quote cascades", style.OKABE_ITO["reddish_purple"], "s")]  # fmt: skip
    for column, ax, xlabel, title in (("size", panels[0], "cascade size (posts)", "Size"),
                                      ("depth", panels[1], "cascade depth (reply levels)", "Depth")):  # fmt: skip
        drawn = False
        all_values = cascades[column].drop_nulls().to_numpy() if cascades.height else np.zeros(0)
        log_x = _spans_decades(all_values)
        for kind, name, color, marker in kinds:
            values = cascades.filter(pl.col("kind") == kind)[column].drop_nulls().to_numpy()
            if log_x:
                values = values[values > 0]
            if not len(values):
                continue
            x, p = ccdf(values)
            ax.step(x, p, where="post", color=color, linewidth=1.3, label=f"{name} ({len(values):,})",
                    marker=marker if len(x) < 60 else None, markersize=3.5)  # fmt: skip
            drawn = True
        if not drawn:
            _note(ax, "no cascades", title=title)
            continue
        if log_x:
            ax.set_xscale("log")
        if cascades.height >= 100 or _spans_decades(np.array([1.0, 1.0 / max(cascades.height, 1)])):
            ax.set_yscale("log")
        else:
            ax.set_ylim(0, 1.05)
        ax.set_xlabel(xlabel + (" — log scale" if log_x else ""))
        ax.set_ylabel("share of cascades ≥ x")
        ax.set_title(title)
        if not log_x:
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
            low, high = float(all_values.min()), float(all_values.max())
            if high - low < 2:
                ax.set_xlim(low - 1, high + 1)
        ax.grid(True, which="major", color="#EEEEEE", linewidth=0.6)
        ax.set_axisbelow(True)
    if axes is None:
        fig.suptitle("How large and deep cascades grow (complementary CDF)", x=0.01, ha="left")
        handles, labels = panels[0].get_legend_handles_labels()
        if handles:
            fig.legend(handles, labels, loc="outside lower center", ncols=len(handles))
    else:
        for ax in panels:
            if ax.get_legend_handles_labels()[0]:
                ax.legend(loc="upper right")
    return fig


# Camp agreement -------------------------------------------------------------------


def camp_matrix(
    view: GraphView, *, max_camps: int = len(style.CAMP_COLORS)
) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Agree and disagree interactions from each camp (rows: the replier's) to each camp (columns).

    The camps drawn in colour elsewhere (largest first, at most
    ``max_camps``) have a row each; the remaining camps share one row, named
    by how many they are (``"7 other camps"``), and nodes without a camp share
    ``"no camp"``. Pooled rows appear only when they hold signed interactions.

    Examples
    --------
    >>> nodes = pl.DataFrame({"id": list("abcde"), "camp": [1, 1, 2, 2, None]})
    >>> links = pl.DataFrame({"src": [0, 2, 1, 4], "dst": [1, 0, 3, 0], "agree": [3, 0, 1, 0],
    ...                       "disagree": [0, 2, 1, 1]})
    >>> names, agree, disagree = camp_matrix(GraphView("author", nodes, links, 5, 4))
    >>> names, agree.tolist(), disagree.tolist()
    (['camp 1', 'camp 2', 'no camp'], [[3, 1, 0], [0, 0, 0], [0, 0, 0]], [[0, 1, 0], [2, 0, 0], [1, 0, 0]])
    """
    camp = view.camp
    shown = [c for c in view.colored_camps if c <= max_camps]
    slot = {c: i for i, c in enumerate(shown)}
    other, none = len(shown), len(shown) + 1
    node_slot = np.array([slot.get(int(c), other) if c > 0 else none for c in camp], dtype=np.int64)
    size = none + 1
    a, b = node_slot[view.src], node_slot[view.dst]
    agree = np.bincount(a * size + b, weights=view.links["agree"].to_numpy(), minlength=size * size).reshape(size, size)
    disagree = np.bincount(a * size + b, weights=view.links["disagree"].to_numpy(), minlength=size * size)
    disagree = disagree.reshape(size, size)
    others = len(set(camp[camp > 0].tolist()) - set(shown))
    names = [f"camp {c}" for c in shown] + [f"{others:,} other camp{'s' if others != 1 else ''}", "no camp"]
    keep = [i for i in range(size) if i < other or agree[i].sum() + agree[:, i].sum() + disagree[i].sum()
            + disagree[:, i].sum() > 0]  # fmt: skip
    return (
        [names[i] for i in keep],
        agree[np.ix_(keep, keep)].astype(np.int64),
        disagree[np.ix_(keep, keep)].astype(np.int64),
    )


def camp_agreement(view: GraphView, *, ax: Axes | None = None, max_camps: int = len(style.CAMP_COLORS)) -> Figure:
    """Heatmap of the share of agreement among signed replies between camps.

    Each cell is agree / (agree + disagree) for replies from the row's camp to
    the column's camp, with the number of signed replies; empty cells have
    none. Without stance labels there are no camps and the panel says so.

    Examples
    --------
    >>> nodes = pl.DataFrame({"id": list("abcd"), "camp": [1, 1, 2, 2]})
    >>> links = pl.DataFrame({"src": [0, 2, 1], "dst": [1, 0, 3], "agree": [3, 0, 1], "neutral": [0, 0, 0],
    ...                       "disagree": [0, 2, 1]})
    >>> fig = camp_agreement(GraphView("author", nodes, links, 4, 3))
    >>> fig.axes[0].get_xlabel()
    'camp replied to'
    """
    fig, ax = _axes(ax, "heatmap")
    title = "Agreement within and between camps"
    if not view.has_camps:
        _note(ax, "no agreement camps here:\n" + view.no_camps.replace("\n", " "), title=title)
        return fig
    names, agree, disagree = camp_matrix(view, max_camps=max_camps)
    total = agree + disagree
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(total > 0, agree / np.maximum(total, 1), np.nan)
    cmap = style.diverging_cmap().with_extremes(bad="#F2F2F2")
    image = ax.imshow(np.ma.masked_invalid(share), cmap=cmap, vmin=0, vmax=1, aspect="equal")
    k = len(names)
    for i in range(k):
        for j in range(k):
            if total[i, j] == 0:
                ax.text(j, i, "–", ha="center", va="center", color=style.MUTED_TEXT, fontsize=style.FONT["annotation"])
                continue
            value = share[i, j]
            color = "white" if abs(value - 0.5) > 0.3 else style.TEXT
            ax.text(j, i, f"{value:.0%}\nn={total[i, j]:,}", ha="center", va="center", color=color,
                    fontsize=style.FONT["annotation"] if k <= 6 else style.FONT["annotation"] - 1)  # fmt: skip
    ax.set_xticks(range(k), names, rotation=30 if k > 4 else 0, ha="right" if k > 4 else "center")
    ax.set_yticks(range(k), names)
    ax.tick_params(length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.set_xlabel("camp replied to")
    ax.set_ylabel("camp of the replier")
    ax.set_title(title)
    bar = ax.figure.colorbar(image, ax=ax, shrink=0.8, pad=0.03)
    bar.set_label("share agreeing (agree / (agree + disagree))")
    bar.outline.set_visible(False)
    bar.ax.tick_params(labelsize=style.FONT["tick"])
    bar.set_ticks([0, 0.25, 0.5, 0.75, 1], labels=["0%", "25%", "50%", "75%", "100%"])
    return fig


# Activity over time --------------------------------------------------------------------


#: Time bins, finest first: polars interval, length in days, name.
TIME_BINS = (("1h", 1 / 24, "hour"), ("6h", 0.25, "6 hours"), ("1d", 1.0, "day"), ("1w", 7.0, "week"),
             ("1mo", 30.0, "month"), ("1y", 365.0, "year"))  # fmt: skip
MAX_BINS = 200


def time_bin(span_seconds: float) -> tuple[str, float, str]:
    """The finest time bin that cuts a span into at most 200 bins: interval, days, name.

    Examples
    --------
    >>> time_bin(3600 * 5)[2], time_bin(86400 * 20)[2], time_bin(86400 * 400)[2]
    ('hour', '6 hours', 'week')
    """
    days = span_seconds / 86400
    return next((b for b in TIME_BINS if days / b[1] <= MAX_BINS), TIME_BINS[-1])


def activity(posts: pl.DataFrame, edges: pl.DataFrame | None = None, *, axes: Sequence[Axes] | None = None) -> Figure:
    """Posts per hour, day, week, … (at most 200 bins); and replies by stance when labels exist.

    Without timestamps the panel says so (``sna figures`` then skips the file).

    Examples
    --------
    >>> import datetime as dt
    >>> t0 = dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc)
    >>> posts = pl.DataFrame({"created_at": [t0, t0 + dt.timedelta(days=3)]})
    >>> activity(posts).axes[0].get_ylabel()
    'posts per hour'
    """
    times = posts["created_at"].drop_nulls() if "created_at" in posts.columns else pl.Series([], dtype=pl.Datetime)
    stance_rows = pl.DataFrame()
    if edges is not None and {"created_at", "stance"} <= set(edges.columns):
        stance_rows = edges.filter(pl.col("created_at").is_not_null() & pl.col("stance").is_not_null())
    panels_needed = 2 if stance_rows.height else 1
    fig, panels = _grid(axes, panels_needed, "activity", ncols=1)
    if times.len() == 0:
        _note(panels[0], "no timestamps on the posts", title="Activity over time")
        return fig
    span = (times.max() - times.min()).total_seconds() if times.len() > 1 else 0.0
    every, bin_days, unit = time_bin(span)
    counts = pl.DataFrame({"t": times}).group_by(pl.col("t").dt.truncate(every)).len().sort("t")
    import matplotlib.dates as mdates

    width = bin_days * 0.9
    ax = panels[0]
    ax.bar(counts["t"].to_list(), counts["len"].to_numpy(), width=width, color=style.OKABE_ITO["sky_blue"],
           align="edge", edgecolor="none")  # fmt: skip
    ax.set_ylabel(f"posts per {unit}")
    ax.set_title("Activity over time")
    locator = mdates.AutoDateLocator()
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    stamped = (
        "every post has a time"
        if times.len() == posts.height
        else f"{times.len():,} of {posts.height:,} posts have a time"
    )
    ax.set_xlabel(f"time (UTC); {stamped}")
    if panels_needed == 2:
        ax2 = panels[1]
        by = (
            stance_rows.group_by(pl.col("created_at").dt.truncate(every).alias("t"), "stance")
            .len()
            .pivot("stance", index="t", values="len")
            .fill_null(0)
            .sort("t")
        )
        bottom = np.zeros(by.height)
        for label in ("agree", "neutral", "disagree"):
            if label not in by.columns:
                continue
            values = by[label].to_numpy()
            ax2.bar(by["t"].to_list(), values, bottom=bottom, width=width, align="edge",
                    color=style.STANCE_COLORS[label], label=label, edgecolor="none")  # fmt: skip
            bottom = bottom + values
        ax2.set_ylabel(f"labelled replies per {unit}")
        ax2.set_title("Replies by stance")
        ax2.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
        ax2.xaxis.set_major_locator(locator)
        ax2.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
        ax2.set_xlabel("time (UTC)")
        ax2.sharex(ax)
    return fig

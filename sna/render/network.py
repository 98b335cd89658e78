"""The network figure: who quotes or replies to whom, groups as regions, direction as arrowheads.

Examples
--------
>>> import sna
>>> from sna.analysis.views import graph_view
>>> corpus = sna.load("data/raw", stance=False)
>>> fig = network_map(graph_view(corpus.posts, corpus.edges, corpus.metrics()))
>>> fig.axes[0].get_title()
'Who quotes or replies to whom: the post graph'
"""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.patches import Circle

from sna.analysis.views import GraphView, backbone_note
from sna.graph import STANCE_CODES
from sna.render import marks, style
from sna.render.style import link_colors

#: Faded links drawn at most (the heaviest); more would only grey the picture.
MAX_FADED_LINKS = 30_000


def _link_order(stance: np.ndarray, assumed: np.ndarray, has_stance: bool) -> np.ndarray:
    """Faint links first, so the informative ones stay on top."""
    if has_stance:
        priority = np.where(stance < 0, 1, np.where(stance == STANCE_CODES["neutral"], 2, 3))
    else:
        priority = np.full(len(stance), 2)
    priority = np.where(assumed, 0, priority)
    return np.argsort(priority, kind="stable")


def _regions(ax: Axes, view: GraphView) -> list[tuple[np.ndarray, str, str]]:
    """Shade each group's disc lightly; return (centre, name, colour) for the group labels."""
    lay = view.layout
    present = set(view.nodes["region"].unique().to_list()) if view.n else set()
    named = []
    for r, (center, radius, group) in enumerate(zip(lay.centers, lay.radii, lay.region_group, strict=True)):
        if r not in present or view.grouping is None or view.level != "author":
            continue
        color = style.group_color(int(group)) if group > 0 else style.FADED
        ax.add_patch(Circle(tuple(center), float(radius), facecolor=color, alpha=0.07, edgecolor=color,
                            linewidth=0.6, zorder=0, gid="decoration"))  # fmt: skip
        if 0 < group <= len(style.CAMP_COLORS):
            named.append((np.array([center[0], center[1] + radius]), f"{view.group_noun} {group}", style.ink(color)))
        elif group < 0:
            smaller = f"smaller {style.plural(view.group_noun)}"
            named.append((np.array([center[0], center[1] + radius]), smaller, style.MUTED_TEXT))
        elif group == 0:
            label = f"no {view.grouping}"
            named.append((np.array([center[0], center[1] + radius]), label, style.MUTED_TEXT))
    return named


def network_map(
    view: GraphView,
    *,
    top: int = 10,
    ax: Axes | None = None,
    title: str | None = None,
) -> Figure:
    """The author graph (or post graph) as its layout placed it: groups as regions, size by PageRank.

    Nodes are coloured by camp (else community); links by stance (else by
    kind), drawn with an arrowhead at the post or author replied to;
    assumed links are dashed grey. In large graphs only the backbone is
    drawn in full (:func:`sna.analysis.views.mark_backbone`), the rest faded.

    Parameters
    ----------
    view : GraphView
        The graph (see :func:`sna.analysis.views.graph_view` and ``select``).
    top : int
        Label this many nodes with the highest PageRank (fewer where labels
        would collide with each other or with nodes).
    ax : Axes, optional
        Where to draw; default a new figure.
    title : str, optional
        Figure title.

    Returns
    -------
    Figure
    """
    fig, ax = marks.axes(ax, "network")
    xy = view.xy
    ax.set_xlim(-0.03, 1.03)
    ax.set_ylim(-0.03, 1.03)
    ax.set_aspect("equal")
    marks.bare(ax)
    graph = "author graph" if view.level == "author" else "post graph"
    ax.set_title(title or f"Who quotes or replies to whom: the {graph}")
    grouped = view.grouping is not None
    group_labels = _regions(ax, view)
    pagerank = view.pagerank
    core = view.backbone
    # sized for the whole graph, so a backbone of 500 among 50,000 does not look like a graph of 500
    areas = np.where(
        core, marks.marker_areas(pagerank, max(int(core.sum()), view.n // 3)), 2.0 if view.n > 5000 else 4.0
    )
    radius_pt = np.sqrt(areas / np.pi)
    stance, kind, has_stance, assumed = view.stance, view.kind, view.has_stance, view.assumed
    strong = view.links["backbone"].to_numpy() if view.m else np.zeros(0, dtype=bool)
    faded = np.flatnonzero(~strong)
    shown = np.flatnonzero(strong)
    # legend and caption
    sizes = dict(zip(*np.unique(view.group, return_counts=True), strict=True)) if view.n else {}
    node_title, node_entries = style.group_entries(
        view.group,
        view.grouping,
        {int(k): int(v) for k, v in sizes.items()},
        noun=view.noun,
        reason=view.no_groups,
    )
    link_title, link_entries = style.link_entries(
        has_stance=has_stance, stances=set(stance[shown[~assumed[shown]]].tolist()), kinds=set(kind[shown].tolist()),
        assumed=bool(assumed[shown].any()), faded=bool(len(faded)),
    )  # fmt: skip
    marks.legend(ax, [(node_title, node_entries), (link_title, link_entries)])
    marks.caption(ax, _caption(view))
    fig.draw_without_rendering()  # the legend and caption took their room: the axes' size is final
    if len(faded):
        weight = view.links["weight"].to_numpy()[faded]
        faded = faded[np.lexsort((faded, -weight))[:MAX_FADED_LINKS]]
        segments = np.stack([xy[view.src[faded]], xy[view.dst[faded]]], axis=1)
        ax.add_collection(
            LineCollection(
                segments,
                colors=style.FADED,
                linewidths=0.25,
                alpha=float(np.clip(40 / np.sqrt(len(faded)), 0.08, 0.5)),
                zorder=0.5,
            )
        )
    if len(shown):
        colors = link_colors(stance, kind, has_stance, assumed)
        order = shown[_link_order(stance[shown], assumed[shown], has_stance)]
        thin = 0.35 if len(shown) > 1500 else 0.55
        widths = marks.link_widths(view.links["weight"].to_numpy()[order] + assumed[order], thin=thin)
        region = view.nodes["region"].to_numpy()
        across = region[view.src[order]] != region[view.dst[order]]
        alpha = float(np.clip(30 / np.sqrt(len(shown)), 0.35, 0.85))
        for part, strength in ((across, 0.4), (~across, 1.0)):  # links inside a region stand out
            marks.directed_links(ax, xy, view.src[order][part], view.dst[order][part], colors=colors[order][part],
                                 widths=widths[part] * (0.5 + 0.5 * strength), radius_pt=radius_pt,
                                 dashed=assumed[order][part], alpha=alpha * strength)  # fmt: skip
    fills = style.group_colors(view.group, grouped=grouped)
    rims = style.group_edge_colors(view.group, grouped=grouped)
    back = np.flatnonzero(~core)
    if len(back):
        marks.dots(ax, xy[back, 0], xy[back, 1], fills[back], area=areas[back], alpha=0.45, zorder=1)
    front = np.flatnonzero(core)
    front = front[np.argsort(pagerank[front], kind="stable")]  # largest on top
    ax.scatter(xy[front, 0], xy[front, 1], s=areas[front], c=list(fills[front]), edgecolors=list(rims[front]),
               linewidths=0.3 if len(front) > 2000 else 0.6, zorder=2)  # fmt: skip
    # labels: the most central nodes first, then the group names
    taken: list = []
    obstacles = (xy[front], radius_pt[front])
    if group_labels:
        marks.place_labels(ax, np.array([g[0] for g in group_labels]), [g[1] for g in group_labels],
                           radius_pt=np.zeros(len(group_labels)), obstacles=obstacles,
                           fontsize=style.FONT["annotation"] + 0.5, weight="bold",
                           color=[g[2] for g in group_labels], taken=taken, reach=(0.0, 10.0, 24.0))  # fmt: skip
    if top and len(front):
        best = front[np.lexsort((front, -pagerank[front]))][:top]
        labels = [style.plain(style.short_label(view.nodes["label"][int(i)], 22)) for i in best]
        marks.place_labels(ax, xy[best], labels, radius_pt=radius_pt[best], obstacles=obstacles, taken=taken,
                           reach=(0.0, 9.0, 20.0, 34.0, 52.0, 75.0))  # fmt: skip
    return fig


def _caption(view: GraphView) -> str:
    text = f"{view.total_nodes:,} {view.noun}, {view.total_links:,} linked pairs"
    if view.cut:
        text += f"; shown: {view.cut}"
    parts = [text]
    note = backbone_note(view)
    if note:
        parts.append(note)
    if view.level == "author" and view.grouping:
        parts.append(f"each {view.group_noun} in its own region")
    elif view.level == "post":
        parts.append("each thread a disc, its reply tree radial from the first post")
    parts.append("node area: PageRank; arrows point to the author or post replied to")
    return ". ".join(p[0].upper() + p[1:] for p in parts) + "."

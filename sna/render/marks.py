"""Drawing pieces every figure shares: panels, legends, links with arrowheads, labels that never collide.

Links are drawn as one ``LineCollection`` and their arrowheads as one
``PolyCollection`` of triangles computed in data coordinates (never a
``FancyArrowPatch`` per link, which is 26× slower), so ten thousand directed
links draw in well under a second. Labels are placed by :func:`place_labels`:
each tries eight spots around its point and is left out when all of them
would touch another label, a node or the frame.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patheffects import withStroke
from matplotlib.transforms import Bbox

from sna.render import style


def axes(ax: Axes | None, kind: str) -> tuple[Figure, Axes]:
    """``ax`` and its figure, or a new figure of size ``kind`` with one axes."""
    if ax is not None:
        return ax.figure, ax
    fig, grid = style.new_figure(kind)
    return fig, grid[0, 0]


def panels(given: Sequence[Axes] | None, count: int, kind: str, ncols: int | None = None,
           **subplot_kw) -> tuple[Figure, list[Axes]]:  # fmt: skip
    """``count`` axes: the given ones, or a new grid (unused cells hidden)."""
    if given is not None:
        given = list(np.ravel(given))
        if len(given) < count:
            raise ValueError(f"need {count} axes, got {len(given)}")
        return given[0].figure, given[:count]
    ncols = ncols or (1 if count == 1 else 2 if count in (2, 4) else 3)
    nrows = -(-count // ncols)
    fig, grid = style.new_figure(kind, nrows=nrows, ncols=ncols, **subplot_kw)
    flat = list(grid.ravel())
    for extra in flat[count:]:
        extra.set_visible(False)
    return fig, flat[:count]


def bare(ax: Axes) -> None:
    """Hide ticks and spines (graph drawings have no meaningful axes)."""
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(False)


def note(ax: Axes, text: str, *, title: str | None = None) -> None:
    """An empty panel that says why it is empty."""
    bare(ax)
    ax.text(0.5, 0.5, text, transform=ax.transAxes, ha="center", va="center", color=style.MUTED_TEXT, wrap=True)
    if title:
        ax.set_title(title)


def caption(ax: Axes, text: str) -> None:
    """A small grey caption under a drawing (its x label)."""
    ax.set_xlabel(text, fontsize=style.FONT["annotation"], color=style.MUTED_TEXT, wrap=True)


# Legends ---------------------------------------------------------------------------------


def handle(entry: style.Entry) -> Line2D:
    """A legend handle for an entry: a dot for nodes, a line (dashed if so) for links, a square for cells."""
    if entry.kind == "line":
        return Line2D([], [], color=entry.color, lw=1.8, linestyle=(0, (3, 1.6)) if entry.dashed else "-",
                      label=entry.label)  # fmt: skip
    marker = "s" if entry.kind == "cell" else "o"
    return Line2D([], [], color=entry.color, marker=marker, linestyle="", markersize=6.5,
                  markeredgecolor=entry.edge or "white", markeredgewidth=0.9 if entry.edge else 0.5,
                  label=entry.label)  # fmt: skip


def legend(target: Axes | Figure, groups: list[tuple[str, list[style.Entry]]], **kwargs):
    """One legend with a bold title line per group of entries; on an axes (right of it) or a figure."""
    handles: list[Line2D] = []
    for title, entries in groups:
        if not entries:
            continue
        if handles and title:
            handles.append(Line2D([], [], linestyle="", label=" "))
        if title:
            handles.append(Line2D([], [], linestyle="", label=title))
        handles += [handle(e) for e in entries]
    if not handles:
        return None
    if isinstance(target, Axes):  # to the right of the drawing, with room made by the constrained layout
        target = target.figure
        kwargs = {"loc": "outside right upper"} | kwargs
    made = target.legend(handles=handles, labels=[h.get_label() for h in handles], handlelength=1.6, **kwargs)
    for text, h in zip(made.get_texts(), handles, strict=True):
        if h.get_marker() in ("None", None, "") and h.get_linestyle() in ("None", "", " ") and text.get_text() != " ":
            text.set_fontweight("bold")
    return made


# Sizes and links --------------------------------------------------------------------------


def marker_areas(values: np.ndarray, n: int, *, scale: float = 1.0) -> np.ndarray:
    """Marker areas (pt²) growing with ``values`` (e.g. PageRank), with a floor; smaller for larger graphs.

    Examples
    --------
    >>> marker_areas(np.array([0.0, 1.0]), 10).round(1).tolist()
    [24.0, 420.0]
    """
    big = float(np.clip(2400 / np.sqrt(max(n, 1)), 40, 420)) * scale
    small = float(np.clip(120 / np.sqrt(max(n, 1)), 0.6, 24)) * scale
    top = float(values.max()) if len(values) and values.max() > 0 else 1.0
    return small + (big - small) * np.sqrt(np.clip(values, 0, None) / top)


#: Above this many points, dots are drawn as one marker line per colour (Agg stamps markers far faster than it
#: draws a scatter of separately sized points).
MANY_DOTS = 5_000


def dots(ax: Axes, x: np.ndarray, y: np.ndarray, colors: Sequence[str], *, area: np.ndarray | float,
         edges: Sequence[str] | str | None = None, linewidth: float = 0.5, alpha: float | None = None,
         zorder: float = 2) -> None:  # fmt: skip
    """Dots at (x, y): a scatter (sizes and rims per dot), or, past ``MANY_DOTS``, one marker line per colour."""
    colors = np.asarray(colors, dtype=object)
    if len(x) <= MANY_DOTS:
        ax.scatter(x, y, s=area, c=list(colors), edgecolors=edges if edges is not None else "none",
                   linewidths=linewidth if edges is not None else 0, alpha=alpha, zorder=zorder)  # fmt: skip
        return
    size = float(np.sqrt(np.median(np.broadcast_to(area, (len(x),)))))
    for color in sorted(set(colors.tolist())):
        mask = colors == color
        face = style.UNASSIGNED_EDGE if color == style.UNASSIGNED else color  # white dots vanish at this size
        ax.plot(x[mask], y[mask], linestyle="", marker="o", markersize=size, markeredgewidth=0, color=face,
                alpha=alpha, zorder=zorder)  # fmt: skip


def points_per_unit(ax: Axes) -> float:
    """How many points one data unit spans along x (the axes must have its final size and limits)."""
    box = ax.get_window_extent()
    low, high = ax.get_xlim()
    return float(box.width) / max(high - low, 1e-12) * 72.0 / ax.figure.dpi


def link_widths(weight: np.ndarray, *, thin: float) -> np.ndarray:
    """Line widths from 1× to 2.5× ``thin``, growing with the log of the weight.

    Examples
    --------
    >>> link_widths(np.array([1, 10, 100]), thin=0.4).round(2).tolist()
    [0.4, 0.7, 1.0]
    """
    weight = np.maximum(np.asarray(weight, dtype=float), 1.0)
    top = max(float(np.log(weight.max())), 1.0) if len(weight) else 1.0
    return thin + 1.5 * thin * np.log(weight) / top


def directed_links(
    ax: Axes,
    xy: np.ndarray,
    src: np.ndarray,
    dst: np.ndarray,
    *,
    colors: Sequence[str],
    widths: np.ndarray,
    radius_pt: np.ndarray,
    dashed: np.ndarray | None = None,
    alpha: float = 0.8,
    arrows: bool = True,
    zorder: float = 1.5,
) -> int:
    """Draw links from ``src`` to ``dst`` that stop at the nodes' rims, with an arrowhead at the target.

    ``radius_pt`` is each node's marker radius in points; call after the
    axes limits and aspect are set. Returns the number of arrowheads drawn
    (links shorter than their arrowhead get none).
    """
    if not len(src):
        return 0
    scale = points_per_unit(ax)
    a, b = xy[src], xy[dst]
    delta = b - a
    length = np.hypot(delta[:, 0], delta[:, 1])
    unit = delta / np.maximum(length, 1e-12)[:, None]
    head = (2.6 + 2.2 * widths) / scale  # arrowhead length in data units
    start = a + unit * ((radius_pt[src] + 0.5) / scale)[:, None]
    tip = b - unit * ((radius_pt[dst] + 0.8) / scale)[:, None]
    room = np.einsum("ij,ij->i", tip - start, unit)
    with_head = arrows & (room > head * 1.3)
    end = np.where(with_head[:, None], tip - unit * (head * 0.85)[:, None], tip)
    visible = room > 0
    colors = np.asarray(colors, dtype=object)
    dashed = np.zeros(len(src), dtype=bool) if dashed is None else np.asarray(dashed)
    for mask, style_ in ((visible & ~dashed, "solid"), (visible & dashed, (0, (3.0, 2.0)))):
        if mask.any():
            ax.add_collection(LineCollection(np.stack([start[mask], end[mask]], axis=1), colors=list(colors[mask]),
                                             linewidths=widths[mask], alpha=alpha, linestyles=style_,
                                             capstyle="butt", zorder=zorder))  # fmt: skip
    if with_head.any():
        h = head[with_head][:, None]
        u, t = unit[with_head], tip[with_head]
        normal = np.stack([-u[:, 1], u[:, 0]], axis=1)
        back = t - u * h
        triangles = np.stack([t, back + normal * h * 0.42, back - normal * h * 0.42], axis=1)
        ax.add_collection(PolyCollection(triangles, facecolors=list(colors[with_head]), edgecolors="none",
                                         alpha=min(1.0, alpha + 0.1), zorder=zorder + 0.05))  # fmt: skip
    return int(with_head.sum())


# Labels ------------------------------------------------------------------------------------------------


def _touches_discs(box: Bbox, centers: np.ndarray, radii: np.ndarray) -> bool:
    """Whether a display-space box touches any of the discs (display coordinates)."""
    if not len(centers):
        return False
    nearest_x = np.clip(centers[:, 0], box.x0, box.x1)
    nearest_y = np.clip(centers[:, 1], box.y0, box.y1)
    return bool(((centers[:, 0] - nearest_x) ** 2 + (centers[:, 1] - nearest_y) ** 2 < radii**2).any())


def place_labels(
    ax: Axes,
    xy: np.ndarray,
    texts: Sequence[str],
    *,
    radius_pt: np.ndarray | None = None,
    obstacles: tuple[np.ndarray, np.ndarray] | None = None,
    fontsize: float | Sequence[float] = style.FONT["annotation"],
    weight: str | Sequence[str] = "normal",
    color: str | Sequence[str] = style.TEXT,
    taken: list[Bbox] | None = None,
    reach: Sequence[float] = (0.0, 9.0, 20.0, 34.0),
) -> list[str]:
    """Label points without overlaps, most important first; a label that finds no free spot is left out.

    Each label tries eight spots around its point, first next to it and then
    further out (``reach``, in points, with a thin leader line). A spot is
    free when the label's box stays inside the axes and touches no other
    label (``taken`` collects boxes; share it between calls) and none of the
    discs in ``obstacles`` (data-space centres, radii in points: the drawn
    nodes). Text sizes are measured once per label, so a search costs
    arithmetic, not drawing. Returns the labels placed.
    """
    fig = ax.figure
    fig.draw_without_rendering()  # fixes the layout, so display coordinates are final
    taken = [] if taken is None else taken
    frame = ax.get_window_extent()
    px = fig.dpi / 72.0
    count = len(texts)
    sizes = [fontsize] * count if np.isscalar(fontsize) else list(fontsize)
    weights = [weight] * count if isinstance(weight, str) else list(weight)
    colors = [color] * count if isinstance(color, str) else list(color)
    radius_pt = np.full(count, 3.0) if radius_pt is None else np.asarray(radius_pt, dtype=float)
    if obstacles is not None and len(obstacles[0]):
        centers = ax.transData.transform(np.asarray(obstacles[0], dtype=float))
        radii = np.asarray(obstacles[1], dtype=float) * px
    else:
        centers, radii = np.zeros((0, 2)), np.zeros(0)
    points = ax.transData.transform(np.asarray(xy, dtype=float).reshape(-1, 2)) if count else np.zeros((0, 2))
    directions = [(1, 0), (-1, 0), (0, 1), (0, -1), (0.75, 0.75), (-0.75, 0.75), (0.75, -0.75), (-0.75, -0.75)]
    shown: list[str] = []
    for i, text in enumerate(texts):
        probe = ax.text(0, 0, text, fontsize=sizes[i], fontweight=weights[i])
        extent = probe.get_window_extent()
        probe.remove()
        w, h = extent.width + 2.4 * px, extent.height + 1.6 * px
        here = points[i]
        found = None
        for extra in reach:
            gap = (float(radius_pt[i]) + 2.5 + extra) * px
            for dx, dy in directions:
                ox, oy = here[0] + dx * gap, here[1] + dy * gap
                x0 = ox - w / 2 + np.sign(dx) * w / 2
                y0 = oy - h / 2 + np.sign(dy) * h / 2
                box = Bbox.from_bounds(x0, y0, w, h)
                if not (frame.x0 <= box.x0 and box.x1 <= frame.x1 and frame.y0 <= box.y0 and box.y1 <= frame.y1):
                    continue
                if any(box.overlaps(other) for other in taken) or _touches_discs(box, centers, radii):
                    continue
                found = (box, dx, dy, extra)
                break
            if found:
                break
        if found is None:
            continue
        box, dx, dy, extra = found
        taken.append(box)
        shown.append(text)
        anchor = ax.transData.inverted().transform(((box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2))
        label = ax.text(anchor[0], anchor[1], text, ha="center", va="center", fontsize=sizes[i],
                        fontweight=weights[i], color=colors[i], zorder=6, clip_on=False,
                        path_effects=[withStroke(linewidth=2.4, foreground="white")])  # fmt: skip
        label.set_in_layout(False)
        if extra > 0:
            edge = np.array([np.clip(here[0], box.x0, box.x1), np.clip(here[1], box.y0, box.y1)])
            start = here + (edge - here) * (float(radius_pt[i]) * px / max(np.hypot(*(edge - here)), 1e-9))
            line = ax.transData.inverted().transform(np.stack([start, edge]))
            ax.plot(line[:, 0], line[:, 1], color=style.MUTED_TEXT, linewidth=0.5, zorder=5.5, gid="decoration")
    return shown

"""Threads and cascades: the arc diagram with the reply depth of each post, and the largest reply trees.

Both stay readable past a few hundred posts. The arc diagram draws, above the
axis, an arc for each quote or reply (fainter the longer it is, once the
thread passes ``LARGE_THREAD`` posts) and, below the axis, the assumed links
(dashed) — or, in large threads, just their number; a second panel plots
each post's reply depth against its number, with a line to the post it
answers. Cascade trees are tidy layered trees up to ``LAYERED_MAX`` posts and
icicle plots beyond (each post a cell as wide as the replies under it,
coloured by the stance of its reply), both laid out in linear time.

Examples
--------
>>> import sna
>>> from sna.analysis.pictures import picture_data
>>> corpus = sna.load("data/raw", stance=False)
>>> p = picture_data(corpus.posts, corpus.edges, corpus.metrics())
>>> thread_arcs(p.thread, grouping=p.view.grouping).axes[1].get_ylabel()
'reply depth'
>>> cascade_trees(p.trees, grouping=p.view.grouping).axes[0].get_ylabel()
'reply depth'
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import polars as pl
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from sna.analysis.pictures import ThreadView, TreeView
from sna.analysis.views import dominant_kind, dominant_stance
from sna.graph import KIND_CODES
from sna.render import marks, style
from sna.render.style import link_colors

#: Threads longer than this draw only quotes and replies as arcs, fainter the longer they are.
LARGE_THREAD = 150
#: Above this many arcs, longer arcs are drawn fainter.
FADED_ARCS = 60
#: Arcs drawn at most; in longer threads an evenly spread sample (every k-th link by its reply's number).
MAX_ARCS = 20_000
#: Reply-depth connectors drawn at most (past this the panel shows the posts as dots only).
MAX_CONNECTORS = 50_000
#: Cascades up to this many posts are drawn as layered trees; larger ones as icicle plots.
LAYERED_MAX = 400
#: In an icicle, posts narrower than this share of the cascade's width are drawn as one cell with
#: everything below them.
MIN_CELL = 1 / 1500
ROOT_COLOR = "#4D4D4D"


def _arcs(a: np.ndarray, b: np.ndarray, height: np.ndarray, steps: int) -> np.ndarray:
    """Half-ellipses from ``a`` to ``b`` with signed heights: ``(len(a), steps, 2)``."""
    theta = np.linspace(0, np.pi, steps)
    center, radius = (a + b) / 2, (b - a) / 2
    x = center[:, None] - radius[:, None] * np.cos(theta)[None, :]
    y = height[:, None] * np.sin(theta)[None, :]
    return np.stack([x, y], axis=2)


def _rgba(colors: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    out = np.array([to_rgba(c) for c in colors]) if len(colors) else np.zeros((0, 4))
    out[:, 3] = alpha
    return out


#: Runs of more missing post numbers than this are closed up in the arc diagram (marked by a dotted line).
CLOSED_GAP = 10


def _closing_gaps(numbers: np.ndarray):
    """Map post numbers to x, closing long runs of posts missing from the input (a thread saved from page 54).

    Returns the map from numbers to x, its inverse, and the x of each closed
    gap. Without such gaps x is the post number itself.

    Examples
    --------
    >>> to_x, to_number, gaps = _closing_gaps(np.array([1, 1326, 1327, 1329]))
    >>> to_x(np.array([1, 1327, 1329])).tolist(), gaps.tolist(), to_number(np.array([3.0, 5.0])).tolist()
    ([1.0, 3.0, 5.0], [1.5], [1327.0, 1329.0])
    """
    ordered = np.unique(numbers)
    step = np.diff(ordered)
    if not (step > CLOSED_GAP).any():
        same = lambda values: np.asarray(values, dtype=float)  # noqa: E731
        return same, same, np.zeros(0)
    offset = np.concatenate([[0], np.cumsum(np.where(step > CLOSED_GAP, step - 1, 0))]).astype(float)
    at = ordered - offset

    def to_x(values):
        values = np.asarray(values)
        return values - offset[np.clip(np.searchsorted(ordered, values, side="right") - 1, 0, len(ordered) - 1)]

    def to_number(xs):
        xs = np.asarray(xs, dtype=float)
        return xs + offset[np.clip(np.searchsorted(at, xs, side="right") - 1, 0, len(at) - 1)]

    return to_x, to_number, at[:-1][step > CLOSED_GAP] + 0.5


def thread_arcs(
    thread: ThreadView | None,
    *,
    grouping: str | None = None,
    reason: str = "no camps or communities",
    hide_assumed: bool = False,
    axes: Sequence[Axes] | None = None,
    title: str | None = None,
) -> Figure:
    """Arc diagram of one thread and the reply depth of its posts.

    Parameters
    ----------
    thread : ThreadView
        See :func:`sna.analysis.pictures.thread_view`.
    grouping : str, optional
        What post colours mean (``"camp"``, ``"community"``; None: one colour).
    reason : str
        Legend entry without groups (why there are none).
    hide_assumed : bool
        Leave out assumed (implicit) links.
    axes : sequence of two Axes, optional
        Where to draw (arcs, depth).
    title : str, optional
        Figure title.
    """
    fig, (ax, depth_ax) = marks.panels(axes, 2, "thread", ncols=1, sharex=True,
                                       gridspec_kw={"height_ratios": [2.2, 1.0]})  # fmt: skip
    if thread is None or thread.posts.height == 0:
        marks.note(ax, "no posts to draw", title=title or "Thread arc diagram")
        depth_ax.set_visible(False)
        return fig
    posts, links = thread.posts, thread.links
    n = posts.height
    numbers = posts["position"].to_numpy()
    to_x, to_number, gaps = _closing_gaps(numbers)
    x = to_x(numbers)
    group = posts["group"].to_numpy()
    grouped = grouping is not None
    kind, stance = dominant_kind(links), dominant_stance(links)
    assumed = links["assumed"].to_numpy()
    has_stance = bool((stance >= 0).any())
    xs = to_x(links["source_position"].to_numpy())
    xt = to_x(links["target_position"].to_numpy())
    span = np.abs(xs - xt)
    large = n > LARGE_THREAD
    read = ~assumed
    sampled = ""
    if read.sum() > MAX_ARCS:  # an evenly spread sample, in the order of the replies
        rows = np.flatnonzero(read)
        keep = rows[np.argsort(xs[rows], kind="stable")][:: -(-len(rows) // MAX_ARCS)]
        sampled = f" ({len(keep):,} of {len(rows):,} drawn: every {-(-len(rows) // MAX_ARCS)}th by post number)"
        read = np.zeros(len(read), dtype=bool)
        read[keep] = True
    below = assumed & (not large) & (not hide_assumed)
    top = float(span[read].max()) if read.any() else 1.0
    bottom = float(span[below].max()) if below.any() else 1.0
    height = np.where(assumed, -0.55 * span / bottom, span / top)
    colors = link_colors(stance, kind, has_stance, assumed)
    steps = 32 if len(links) < 2000 else 14
    width = 1.1 if n < 200 else 0.6 if n < 2000 else 0.35
    fade = large or int(read.sum()) > FADED_ARCS  # many arcs: long ones fainter, so local exchanges stand out
    if read.any():
        base = float(np.clip(30 / np.sqrt(read.sum()), 0.15, 0.9))
        alpha = base * (1 - 0.85 * span[read] / top) if fade else np.full(int(read.sum()), base)
        order = np.argsort(-span[read], kind="stable")  # long arcs first, short ones on top
        arcs = _arcs(np.minimum(xs, xt)[read], np.maximum(xs, xt)[read], height[read], steps)[order]
        ax.add_collection(LineCollection(arcs, colors=_rgba(colors[read], np.clip(alpha, 0.06, 1))[order],
                                         linewidths=width, zorder=1))  # fmt: skip
    if below.any():
        arcs = _arcs(np.minimum(xs, xt)[below], np.maximum(xs, xt)[below], height[below], steps)
        ax.add_collection(LineCollection(arcs, colors=style.ASSUMED, linewidths=width * 0.8, alpha=0.6,
                                         linestyles=(0, (3, 2)), zorder=0.8))  # fmt: skip
    pagerank = np.nan_to_num(posts["pagerank"].cast(pl.Float64).fill_null(0.0).to_numpy())
    areas = marks.marker_areas(pagerank, n, scale=0.45)
    fills = style.group_colors(group, grouped=grouped)
    rims = style.group_edge_colors(group, grouped=grouped)
    marks.dots(ax, x, np.zeros(n), fills, area=areas, edges=list(rims), zorder=3)
    ax.axhline(0, color="#888888", linewidth=0.6, zorder=0, gid="decoration")
    pad = max(0.5, 0.01 * (x.max() - x.min()))
    ax.set_xlim(x.min() - pad, x.max() + pad)
    ax.set_ylim(-0.62 if below.any() else -0.08, 1.06 if read.any() else 0.1)
    ax.set_yticks([])
    ax.spines["left"].set_visible(False)
    ax.set_ylabel("arc height: distance")
    note = {"fontsize": style.FONT["annotation"], "color": style.MUTED_TEXT, "transform": ax.get_yaxis_transform()}
    if read.any():
        ax.text(0.005, 1.0, "quotes and replies" + (" (fainter when longer)" if fade else "") + sampled,
                ha="left", va="top", **note)  # fmt: skip
    hidden = int(links.filter(pl.col("assumed"))["implicit"].sum()) if assumed.any() else 0
    if below.any():
        ax.text(0.005, -0.6, "assumed: quotes nothing, attached by rule", ha="left", va="bottom", **note)
    elif hidden:
        why = "hidden" if hide_assumed else "not drawn"
        ax.text(0.005, -0.06, f"{hidden:,} assumed links (posts that quote nothing) {why}", ha="left", va="top",
                **note)  # fmt: skip
    ax.set_title(title or f"Thread: {style.plain(style.short_label(thread.title, 56, end=True))}")
    # reply depth by post number
    depth = posts["depth"].fill_null(0).to_numpy()
    has_parent = posts["parent_position"].is_not_null().to_numpy()
    parent_kind = posts["parent_kind"].to_numpy()
    parent_assumed = (parent_kind == KIND_CODES["implicit"]) & has_parent
    if hide_assumed:
        has_parent &= ~parent_assumed
    if has_parent.sum() > MAX_CONNECTORS:
        has_parent[:] = False
        depth_ax.text(0.005, 0.02, "too many posts to draw a line to each parent", transform=depth_ax.transAxes,
                      fontsize=style.FONT["annotation"], color=style.MUTED_TEXT)  # fmt: skip
    if has_parent.any():
        p = to_x(posts["parent_position"].to_numpy()[has_parent])
        child = np.stack([x[has_parent], depth[has_parent]], 1)
        segments = np.stack([np.stack([p, depth[has_parent] - 1], 1), child], 1)
        tones = link_colors(posts["parent_stance"].to_numpy()[has_parent], parent_kind[has_parent], has_stance,
                            parent_assumed[has_parent])  # fmt: skip
        depth_ax.add_collection(LineCollection(segments, colors=list(tones), linewidths=0.6 if n < 500 else 0.3,
                                               alpha=0.7, zorder=1))  # fmt: skip
    marks.dots(depth_ax, x, depth, fills, area=np.clip(areas * 0.5, 2, 30), edges=list(rims), linewidth=0.4)
    depth_ax.set_ylim(max(int(depth.max()), 1) + 0.6, -0.6)
    depth_ax.yaxis.set_major_locator(MaxNLocator(nbins=5, integer=True))
    depth_ax.set_ylabel("reply depth")
    where = f" (the largest of {thread.threads:,} threads)" if thread.threads > 1 and thread.largest else ""
    depth_ax.xaxis.set_major_locator(MaxNLocator(nbins=12, integer=True))
    if len(gaps):  # posts missing from the input: the axis closes the gaps, marked, and names the real numbers
        depth_ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{round(float(to_number(v))):,}"))
        for gap in gaps:
            for axis in (ax, depth_ax):
                axis.axvline(gap, color=style.MUTED_TEXT, linewidth=0.6, linestyle=(0, (1, 2)), zorder=0,
                             gid="decoration")  # fmt: skip
        where += "; dotted: posts not in the input"
    depth_ax.set_xlabel(f"post number in the thread{where}")
    node_title, node_entries = style.group_entries(group, grouping, noun="posts", counts=False, reason=reason)
    link_title, link_entries = style.link_entries(
        has_stance=has_stance,
        stances=set(stance[read].tolist())
        | set(posts["parent_stance"].to_numpy()[has_parent & ~parent_assumed].tolist()),
        kinds=set(kind[read].tolist()), assumed=bool(below.any() or parent_assumed[has_parent].any()),
    )  # fmt: skip
    marks.legend(ax, [(node_title, node_entries), (link_title, link_entries)])
    return fig


def _layered(ax: Axes, tree: TreeView, grouping: str | None, has_stance: bool) -> tuple[set[int], set[int], bool]:
    nodes = tree.nodes
    x = nodes["x"].to_numpy()
    y = -nodes["depth"].to_numpy().astype(float)
    parent = nodes["parent"].to_numpy()
    child = np.flatnonzero(parent >= 0)
    stance, kind = nodes["stance"].to_numpy()[child], nodes["kind"].to_numpy()[child]
    assumed = kind == KIND_CODES["implicit"]
    colors = link_colors(stance, kind, has_stance, assumed)
    n = nodes.height
    width = 1.0 if n < 150 else 0.5
    for mask, line in ((~assumed, "solid"), (assumed, (0, (3, 2)))):
        if mask.any():
            segments = np.stack([np.stack([x[parent[child[mask]]], y[parent[child[mask]]]], 1),
                                 np.stack([x[child[mask]], y[child[mask]]], 1)], 1)  # fmt: skip
            ax.add_collection(LineCollection(segments, colors=list(colors[mask]), linewidths=width, linestyles=line,
                                             zorder=1))  # fmt: skip
    group = nodes["group"].to_numpy()
    area = float(np.clip(900 / max(n, 1), 2.0, 40))
    ax.scatter(x, y, s=area, c=list(style.group_colors(group, grouped=grouping is not None)),
               edgecolors=list(style.group_edge_colors(group, grouped=grouping is not None)), linewidths=0.4,
               zorder=2)  # fmt: skip
    root = int(np.flatnonzero(parent < 0)[0])
    root_fill = style.group_color(int(group[root]), grouped=grouping is not None)
    ax.scatter([x[root]], [y[root]], s=area * 2.5 + 20, c=[root_fill], edgecolors=style.TEXT, linewidths=0.9,
               zorder=3, gid="decoration")  # fmt: skip
    depth = int(-y.min()) if n else 0
    pad = max(0.5, 0.02 * float(np.ptp(x)))
    ax.set_xlim(x.min() - pad, x.max() + pad)
    ax.set_ylim(-depth - 0.5, 0.6)
    step = max(1, -(-(depth + 1) // 6))
    ax.set_yticks([-d for d in range(0, depth + 1, step)], [str(d) for d in range(0, depth + 1, step)])
    return set(stance[~assumed].tolist()), set(kind[~assumed].tolist()), bool(assumed.any())


def _icicle(ax: Axes, tree: TreeView, has_stance: bool) -> tuple[set[int], set[int], bool]:
    """Cells as wide as the replies below them; narrow neighbours are merged into one cell per sliver of width."""
    nodes = tree.nodes
    start, end = nodes["start"].to_numpy().astype(float), nodes["end"].to_numpy().astype(float)
    depth, deepest = nodes["depth"].to_numpy(), nodes["deepest"].to_numpy()
    parent = nodes["parent"].to_numpy()
    total = float(end.max() - start.min()) or 1.0
    wide = (end - start) >= total * MIN_CELL
    parent_wide = np.where(parent >= 0, wide[np.maximum(parent, 0)], True)
    cut = ~wide & parent_wide  # a narrow post under a wide one stands for everything below it
    kind, stance = nodes["kind"].to_numpy(), nodes["stance"].to_numpy()
    assumed = (kind == KIND_CODES["implicit"]) & (parent >= 0)
    colors = link_colors(stance, kind, has_stance, assumed)
    colors[parent < 0] = ROOT_COLOR
    rows = np.flatnonzero(wide)
    x0, x1, top, bottom = start[rows], end[rows], depth[rows], depth[rows] + 1
    fills = [to_rgba(c) for c in colors[rows]]
    narrow = np.flatnonzero(cut)
    if len(narrow):  # merge narrow cells at one depth that fall into the same sliver of width
        sliver = np.floor((start[narrow] - start.min()) / (total * MIN_CELL)).astype(np.int64)
        key = depth[narrow] * (int(sliver.max()) + 1) + sliver
        order = np.argsort(key, kind="stable")
        narrow, key = narrow[order], key[order]
        first = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
        x0 = np.r_[x0, np.minimum.reduceat(start[narrow], first)]
        x1 = np.r_[x1, np.maximum.reduceat(end[narrow], first)]
        top = np.r_[top, depth[narrow][first]]
        bottom = np.r_[bottom, np.maximum.reduceat(deepest[narrow], first) + 1]
        codes = np.where(assumed[narrow], 4, np.where(stance[narrow] < 0, 3, stance[narrow]))
        group = np.repeat(np.arange(len(first)), np.diff(np.r_[first, len(narrow)]))
        votes = np.bincount(group * 5 + codes, minlength=len(first) * 5).reshape(len(first), 5)
        winner = votes.argmax(axis=1)  # the commonest stance (or assumed) among the merged posts
        index = np.arange(len(narrow))
        pick = np.minimum.reduceat(np.where(codes == winner[group], index, len(narrow)), first)
        fills += [to_rgba(c, 0.6) for c in colors[narrow[pick]]]
    cells = np.stack([np.stack([x0, -top], 1), np.stack([x1, -top], 1), np.stack([x1, -bottom], 1),
                      np.stack([x0, -bottom], 1)], 1)  # fmt: skip
    ax.add_collection(PolyCollection(cells, facecolors=np.array(fills),
                                     edgecolors="white" if len(cells) <= 500 else "none", linewidths=0.4))  # fmt: skip
    ax.set_xlim(start.min(), end.max())
    top_depth = int(deepest.max())
    ax.set_ylim(-top_depth - 1.2, 0.2)
    step = max(1, -(-(top_depth + 1) // 6))
    ax.set_yticks([-d - 0.5 for d in range(0, top_depth + 1, step)], [str(d) for d in range(0, top_depth + 1, step)])
    shown = (parent >= 0) & (wide | cut) & ~assumed
    return set(stance[shown].tolist()), set(kind[shown].tolist()), bool((assumed & (wide | cut)).any())


def cascade_trees(
    trees: Sequence[TreeView],
    *,
    grouping: str | None = None,
    reason: str = "no camps or communities",
    axes: Sequence[Axes] | None = None,
) -> Figure:
    """The largest reply cascades: tidy trees (root on top), or icicle plots when large.

    In a tree each post hangs under the post it answers (the first post it
    quotes, else its stated parent, else the thread's first post by
    assumption); dots are coloured by camp, links by the stance of the reply
    (by kind without stance labels; assumed links dashed). In an icicle each
    post is a cell as wide as the replies below it, coloured by the stance of
    its reply.

    Parameters
    ----------
    trees : sequence of TreeView
        See :func:`sna.analysis.pictures.cascade_views`.
    grouping : str, optional
        What dot colours mean.
    reason : str
        Legend entry without groups (why there are none).
    axes : sequence of Axes, optional
        One per tree.
    """
    if not trees:
        fig, (ax,) = marks.panels(axes, 1, "trees")
        marks.note(ax, "no reply cascades of two or more posts", title="Largest reply cascades")
        return fig
    fig, grid = marks.panels(axes, len(trees), "trees", ncols=1 if len(trees) == 1 else 2)
    has_stance = any(bool((t.nodes["stance"] >= 0).any()) for t in trees)
    stances: set[int] = set()
    kinds: set[int] = set()
    assumed = False
    icicles = False
    groups: list[np.ndarray] = []
    for tree, ax in zip(trees, grid, strict=True):
        row = tree.cascade
        if tree.nodes.height > LAYERED_MAX:
            s, k, a = _icicle(ax, tree, has_stance)
            icicles = True
            ax.set_xticks([])
        else:
            s, k, a = _layered(ax, tree, grouping, has_stance)
            groups.append(tree.nodes["group"].to_numpy())
            ax.set_xticks([])
        stances |= s
        kinds |= k
        assumed |= a
        ax.spines["bottom"].set_visible(False)
        ax.set_ylabel("reply depth")
        width = 40 if len(trees) == 1 else 34
        root = style.short_label(tree.root_label, 18)
        where = style.short_label(tree.thread, max(10, width - len(root) - 5), end=True)
        ax.set_title(style.plain(f"{root} in “{where}”"), fontsize=style.FONT["label"])
        shape = "icicle" if tree.nodes.height > LAYERED_MAX else "tree"
        ax.set_xlabel(f"{row['size']:,} posts · {row['authors']:,} authors · depth {row['depth']} · widest "
                      f"{row['max_breadth']:,} ({shape})", fontsize=style.FONT["annotation"])  # fmt: skip
    if axes is None:
        fig.suptitle("Largest reply cascades" if len(trees) > 1 else "The largest reply cascade", x=0.01, ha="left")
    _link_title, link_entries = style.link_entries(has_stance=has_stance, stances=stances, kinds=kinds,
                                                  assumed=assumed)  # fmt: skip
    entries = list(link_entries)
    if icicles:
        entries.append(style.Entry("first post (icicle)", ROOT_COLOR, "cell"))
    if groups:
        _, node_entries = style.group_entries(
            np.concatenate(groups), grouping, noun="posts", counts=False, reason=reason
        )
        entries += node_entries
    marks.legend(fig, [("", entries)], loc="outside lower center", ncols=min(len(entries), 5))
    return fig

"""Positions for drawing a graph: groups as visible regions, in near-linear time, seeded.

One layout serves every picture of a run — the network figure, the camp map,
the interactive pages and the ``viz:position`` of the GEXF files — so a node
sits in the same place everywhere.

**Author graph** (:func:`group_layout`): each group (agreement camp, else
modularity community) gets a disc whose area is proportional to its
members, so every group is drawn at the same density. The discs are placed
by a force layout of the graph of groups (groups that talk a lot sit close),
then pushed apart until none overlap. Inside each disc the group's members
are laid out by igraph's Fruchterman–Reingold (Kamada–Kawai below 60 nodes)
on the links among them. Only the ``force_nodes`` most central nodes take
part in the force layouts; every other node is put at the mean position of
its placed neighbours in its group (a little jitter apart), or at a random
point of its group's disc when it has none — linear in the graph's size, so
80,000 authors lay out in a few seconds. Nodes without a group (no camp:
no signed interaction) share a disc of their own.

**Post graph** (:func:`forest_layout`): each thread is a disc, packed in
rows by size; inside it the thread's reply tree is drawn radially, the
first post in the centre and each post on the ring of its depth, in the
middle of the angle its replies span (:func:`leaf_intervals`) — linear time,
so a 500,000-post cascade lays out in a second, where a Reingold–Tilford
layout takes minutes.

Randomness comes only from ``seed``: the same input gives the same positions.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import numpy as np

#: Nodes (the most central) that take part in force layouts; the rest are placed by their neighbours.
FORCE_NODES = 3_000
#: Links per node given to a force layout at most (each node's heaviest); more only slow it down.
FORCE_LINKS_PER_NODE = 8
#: Groups that get a disc of their own; smaller ones share the "other groups" disc.
MAX_GROUPS = 40
#: Below this many nodes a group is laid out by Kamada–Kawai (even edge lengths), else Fruchterman–Reingold.
SMALL_GROUP = 25
#: From this many nodes on, Fruchterman–Reingold uses igraph's grid (near-linear; exact repulsion is quadratic).
GRID_FROM = 300
#: From this many nodes on, a group's nodes are spread evenly over its disc.
EVEN_FILL = 12


@dataclass(frozen=True)
class Layout:
    """Node positions and the discs of the groups they were placed in.

    Attributes
    ----------
    xy : np.ndarray
        ``(n, 2)`` positions in the unit square.
    region : np.ndarray
        Disc of each node (index into ``centers``).
    centers : np.ndarray
        ``(k, 2)`` disc centres, same coordinates as ``xy``.
    radii : np.ndarray
        Disc radii.
    region_group : np.ndarray
        Group number each disc stands for: > 0 a group, 0 the nodes without
        a group, -1 the pooled smaller groups.
    """

    xy: np.ndarray
    region: np.ndarray
    centers: np.ndarray
    radii: np.ndarray
    region_group: np.ndarray


# Trees ------------------------------------------------------------------------------


def _depths(parent: np.ndarray) -> np.ndarray:
    from sna.analysis.cascades import tree_arrays

    return tree_arrays(parent)[1]


def leaf_intervals(parent: np.ndarray, order: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each node's span of leaves in a forest drawn with children in ``order``: start, end, depth.

    A leaf spans one unit; an inner node spans its children's spans side by
    side, so a node's span is the width it gets in a tidy tree, an icicle
    plot or a radial tree. Linear in the number of nodes (one pass per level).

    Parameters
    ----------
    parent : np.ndarray
        Parent index per node, -1 for roots; acyclic.
    order : np.ndarray, optional
        Sort key among siblings (and roots), e.g. the position in the thread;
        default the node index.

    Examples
    --------
    >>> start, end, depth = leaf_intervals(np.array([-1, 0, 0, 1, 1]))
    >>> start.tolist(), end.tolist(), depth.tolist()
    ([0, 0, 2, 0, 1], [3, 2, 3, 1, 2], [0, 1, 1, 2, 2])
    """
    n = len(parent)
    if n == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty
    key = np.arange(n) if order is None else np.asarray(order)
    depth = _depths(parent)
    has_child = np.zeros(n, dtype=bool)
    has_child[parent[parent >= 0]] = True
    leaves = (~has_child).astype(np.int64)
    by_depth = np.argsort(depth, kind="stable")
    bounds = np.searchsorted(depth[by_depth], np.arange(depth.max() + 2))
    for d in range(depth.max(), 0, -1):  # leaf counts bottom-up
        level = by_depth[bounds[d] : bounds[d + 1]]
        np.add.at(leaves, parent[level], leaves[level])
    start = np.zeros(n, dtype=np.int64)
    for d in range(depth.max() + 1):  # offsets top-down
        level = by_depth[bounds[d] : bounds[d + 1]]
        owner = parent[level] if d else np.full(len(level), -1)
        rank = np.lexsort((level, key[level], owner))
        level, owner = level[rank], owner[rank]
        width = leaves[level]
        before = np.cumsum(width) - width
        first = np.ones(len(level), dtype=bool)
        first[1:] = owner[1:] != owner[:-1]
        group_start = np.maximum.accumulate(np.where(first, np.arange(len(level)), 0))
        offset = before - before[group_start]
        start[level] = offset + (start[owner] if d else 0)
    return start, start + leaves, depth


def deepest_below(parent: np.ndarray, depth: np.ndarray) -> np.ndarray:
    """The greatest depth in each node's subtree (itself included), one pass per level.

    Examples
    --------
    >>> deepest_below(np.array([-1, 0, 0, 1]), np.array([0, 1, 1, 2])).tolist()
    [2, 2, 1, 2]
    """
    out = np.asarray(depth, dtype=np.int64).copy()
    if not len(out):
        return out
    by_depth = np.argsort(depth, kind="stable")
    bounds = np.searchsorted(depth[by_depth], np.arange(depth.max() + 2))
    for d in range(int(depth.max()), 0, -1):
        level = by_depth[bounds[d] : bounds[d + 1]]
        np.maximum.at(out, parent[level], out[level])
    return out


# Discs --------------------------------------------------------------------------------


def separate_discs(centers: np.ndarray, radii: np.ndarray, *, pad: float = 0.0, rounds: int = 300) -> np.ndarray:
    """Move discs apart until none overlap, keeping them compact and near where they started.

    Each round pulls every disc towards the common centre (less and less as
    rounds go on) and pushes every overlapping pair apart along the line
    between them, the smaller disc moving more; a last series of rounds only
    pushes, until no two discs overlap.

    Examples
    --------
    >>> out = separate_discs(np.array([[0.0, 0.0], [0.1, 0.0], [9.0, 0.0]]), np.array([1.0, 1.0, 1.0]))
    >>> d = np.hypot(*(out[:, None] - out[None, :]).transpose(2, 0, 1))
    >>> bool(d[0, 1] >= 2 - 1e-6 and d[0, 2] >= 2 - 1e-6), bool(d.max() < 6)
    (True, True)
    """
    xy = np.array(centers, dtype=float, copy=True)
    k = len(xy)
    if k < 2:
        return xy
    radii = np.asarray(radii, dtype=float)
    area = radii**2
    share = area[None, :] / (area[:, None] + area[None, :])  # i moves by share[i, j] of an overlap
    spread = np.stack([np.cos(np.arange(k) * 2.399963), np.sin(np.arange(k) * 2.399963)], axis=1)
    reach = radii[:, None] + radii[None, :] + pad
    tolerance = 1e-6 * float(radii.max() or 1.0)

    def push(xy: np.ndarray, factor: float = 0.5) -> tuple[np.ndarray, bool]:
        delta = xy[:, None, :] - xy[None, :, :]
        dist = np.hypot(delta[..., 0], delta[..., 1])
        np.fill_diagonal(dist, np.inf)
        overlap = np.clip(reach - dist, 0, None)
        if not (overlap > tolerance).any():
            return xy, False
        overlap = np.where(overlap > 0, overlap + tolerance, 0.0)
        close = dist < 1e-9
        direction = np.where(close[..., None], spread[:, None, :], delta / np.where(close, 1.0, dist)[..., None])
        return xy + (direction * (overlap * share)[..., None]).sum(axis=1) * factor, True

    for step in range(rounds):
        centre = (xy * area[:, None]).sum(0) / area.sum()
        xy = xy + 0.1 * (1 - step / rounds) * (centre - xy)
        xy, _ = push(xy)
    for _ in range(20 * rounds):
        xy, moved = push(xy, 1.0)
        if not moved:
            break
    return xy


def shelf_pack(radii: np.ndarray, *, pad: float = 0.1) -> np.ndarray:
    """Centres for discs packed in rows, largest first (linear time; for thousands of threads).

    Examples
    --------
    >>> shelf_pack(np.array([1.0, 1.0, 1.0]), pad=0.0).tolist()
    [[1.0, -1.0], [3.0, -1.0], [1.0, -3.0]]
    """
    k = len(radii)
    out = np.zeros((k, 2))
    if k == 0:
        return out
    order = np.argsort(-radii, kind="stable")
    width = max(float(np.sqrt((4 * (radii + pad) ** 2).sum()) * 1.25), 2 * float(radii.max() + pad))
    x = y = row_height = 0.0
    for i in order:
        d = 2 * (radii[i] + pad)
        if x > 0 and x + d > width:
            y -= row_height
            x, row_height = 0.0, 0.0
        row_height = max(row_height, d)
        out[i] = (x + d / 2, y - d / 2)
        x += d
    return out


# Force layouts ----------------------------------------------------------------------------


def _seeded_igraph(seed: int):
    """Igraph with its (global) random generator seeded; call :func:`_restore_igraph` after."""
    import igraph as ig

    ig.set_random_number_generator(random.Random(seed))
    return ig


def _restore_igraph() -> None:
    import igraph as ig

    ig.set_random_number_generator(random)


def force_disc(n: int, src: np.ndarray, dst: np.ndarray, weight: np.ndarray | None = None, *,
               seed: int = 0) -> np.ndarray:  # fmt: skip
    """A seeded force layout of a graph, centred and scaled into the unit disc.

    Kamada–Kawai below ``SMALL_GROUP`` nodes (even edge lengths), else
    Fruchterman–Reingold (igraph's grid variant above 1,000 nodes), whose
    nodes are then spread evenly over the disc (see :func:`_into_disc`).

    Examples
    --------
    >>> pos = force_disc(4, np.array([0, 1, 2]), np.array([1, 2, 3]), seed=1)
    >>> pos.shape, bool(np.hypot(pos[:, 0], pos[:, 1]).max() <= 1 + 1e-9)
    ((4, 2), True)
    >>> bool((force_disc(4, np.array([0, 1, 2]), np.array([1, 2, 3]), seed=1) == pos).all())
    True
    """
    if n == 0:
        return np.zeros((0, 2))
    if n == 1:
        return np.zeros((1, 2))
    keep = src != dst
    src, dst = src[keep], dst[keep]
    w = np.ones(len(src)) if weight is None else np.asarray(weight, dtype=float)[keep]
    try:
        ig = _seeded_igraph(seed)
        graph = ig.Graph(n=n, edges=list(zip(src.tolist(), dst.tolist(), strict=True)), directed=False)
        if n < SMALL_GROUP:
            coords = graph.layout_kamada_kawai(maxiter=50 * n).coords
        else:
            coords = graph.layout_fruchterman_reingold(weights=np.log1p(w).tolist() if len(w) else None,
                                                       grid=n >= GRID_FROM).coords  # fmt: skip
        xy = np.asarray(coords, dtype=float)
    finally:
        _restore_igraph()
    return _into_disc(xy)


def _into_disc(xy: np.ndarray) -> np.ndarray:
    """Centre positions and fit them into the unit disc.

    From ``EVEN_FILL`` nodes on, distances from the centre are replaced by
    their rank (``sqrt(rank / n)``, angles kept), so the nodes fill the disc
    evenly instead of leaving a dense core and a few far outliers (small
    components, which force layouts push far out).
    """
    xy = xy - xy.mean(axis=0)
    distance = np.hypot(xy[:, 0], xy[:, 1])
    n = len(xy)
    if n >= EVEN_FILL:
        rank = np.empty(n)
        rank[np.lexsort((np.arange(n), distance))] = np.arange(n)
        target = np.sqrt((rank + 0.5) / n)
        factor = np.where(distance > 1e-12, target / np.maximum(distance, 1e-12), 0.0)
        return xy * factor[:, None]
    top = float(distance.max())
    return xy / top if top > 0 else xy


def _undirected(src: np.ndarray, dst: np.ndarray, weight: np.ndarray, n: int):
    """Each unordered pair once with the weights of both directions summed: lo, hi, weight."""
    keep = src != dst
    lo, hi = np.minimum(src, dst)[keep], np.maximum(src, dst)[keep]
    code, inverse = np.unique(lo * max(n, 1) + hi, return_inverse=True)
    return code // max(n, 1), code % max(n, 1), np.bincount(inverse, weights=weight[keep], minlength=len(code))


def _regions(group: np.ndarray, importance: np.ndarray, max_groups: int) -> tuple[np.ndarray, np.ndarray]:
    """Disc of each node and the group each disc stands for (0 = none, -1 = pooled small groups)."""
    sizes = np.bincount(np.maximum(group, 0))
    sizes[0] = 0
    present = np.flatnonzero(sizes)
    ranked = present[np.lexsort((present, -sizes[present]))]
    own = ranked[:max_groups]
    region_group = [int(g) for g in own]
    lookup = np.full(len(sizes), -1, dtype=np.int64)
    lookup[own] = np.arange(len(own))
    region = np.where(group > 0, lookup[np.maximum(group, 0)], -2)
    if (region == -1).any():  # pooled small groups
        region_group.append(-1)
        region[region == -1] = len(region_group) - 1
    if (region == -2).any():  # no group
        region_group.append(0)
        region[region == -2] = len(region_group) - 1
    return region, np.array(region_group, dtype=np.int64)


def group_layout(
    n: int,
    src: np.ndarray,
    dst: np.ndarray,
    weight: np.ndarray | None = None,
    group: np.ndarray | None = None,
    importance: np.ndarray | None = None,
    *,
    seed: int = 0,
    force_nodes: int = FORCE_NODES,
    max_groups: int = MAX_GROUPS,
) -> Layout:
    """Positions that show groups as regions: one disc per group, members laid out inside.

    Parameters
    ----------
    n : int
        Number of nodes.
    src, dst : np.ndarray
        Links (direction is ignored).
    weight : np.ndarray, optional
        Link weights (interactions); default 1.
    group : np.ndarray, optional
        Group per node, 1, 2, …; 0 for none. Default: no groups (one disc).
    importance : np.ndarray, optional
        E.g. PageRank: the ``force_nodes`` most important nodes take part in
        the force layouts, the others are placed next to their neighbours.
    seed : int
        Seed of every random choice.
    force_nodes, max_groups : int
        See :data:`FORCE_NODES` and :data:`MAX_GROUPS`.

    Returns
    -------
    Layout

    Examples
    --------
    >>> src, dst = np.array([0, 1, 3, 4, 2]), np.array([1, 2, 4, 5, 3])
    >>> lay = group_layout(6, src, dst, group=np.array([1, 1, 1, 2, 2, 2]), seed=0)
    >>> lay.region.tolist(), lay.region_group.tolist()
    ([0, 0, 0, 1, 1, 1], [1, 2])
    >>> inside = np.hypot(*(lay.xy - lay.centers[lay.region]).T) <= lay.radii[lay.region] + 1e-9
    >>> bool(inside.all()), bool(((lay.xy >= 0) & (lay.xy <= 1)).all())
    (True, True)
    """
    src = np.asarray(src, dtype=np.int64)
    dst = np.asarray(dst, dtype=np.int64)
    weight = np.ones(len(src)) if weight is None else np.asarray(weight, dtype=float)
    group = np.zeros(n, dtype=np.int64) if group is None else np.asarray(group, dtype=np.int64)
    importance = np.zeros(n) if importance is None else np.nan_to_num(np.asarray(importance, dtype=float))
    if n == 0:
        return Layout(np.zeros((0, 2)), np.zeros(0, np.int64), np.zeros((0, 2)), np.zeros(0), np.zeros(0, np.int64))
    lo, hi, w = _undirected(src, dst, weight, n)
    region, region_group = _regions(group, importance, max_groups)
    k = len(region_group)
    counts = np.bincount(region, minlength=k).astype(float)
    radii = np.sqrt(counts)
    centers = _region_centers(region, lo, hi, w, radii, seed)
    rank = np.lexsort((np.arange(n), -importance))
    forced = np.zeros(n, dtype=bool)
    forced[rank[:force_nodes]] = True
    xy = np.zeros((n, 2))
    same = region[lo] == region[hi]
    for r in range(k):
        members = np.flatnonzero((region == r) & forced)
        if not len(members):
            continue
        local = np.full(n, -1, dtype=np.int64)
        local[members] = np.arange(len(members))
        inside = np.flatnonzero(same & (region[lo] == r) & forced[lo] & forced[hi])
        inside = strongest(lo[inside], hi[inside], w[inside], n, FORCE_LINKS_PER_NODE, rows=inside)
        pos = force_disc(len(members), local[lo[inside]], local[hi[inside]], w[inside], seed=seed + r)
        share = max(np.sqrt(len(members) / counts[r]), 0.5)  # the forced share of the disc, by area (half at least)
        xy[members] = centers[r] + pos * radii[r] * share * 0.96
    _place_rest(xy, forced, region, lo[same], hi[same], w[same], centers, radii, seed)
    return _normalised(xy, region, centers, radii, region_group)


def strongest(
    a: np.ndarray, b: np.ndarray, w: np.ndarray, n: int, k: int, *, rows: np.ndarray | None = None
) -> np.ndarray:
    """Rows of the links that are among the ``k`` heaviest of either end (ties by row): a sparse backbone.

    Examples
    --------
    >>> strongest(np.array([0, 0, 1]), np.array([1, 2, 2]), np.array([5.0, 4.0, 1.0]), 3, 1).tolist()
    [0, 1]
    """
    rows = np.arange(len(a)) if rows is None else np.asarray(rows)
    if len(a) <= k * n / 2:
        return rows
    end = np.concatenate([a, b])  # every link once per end
    row = np.concatenate([np.arange(len(a))] * 2)
    order = np.lexsort((row, -np.concatenate([w, w]).astype(float), end))
    rank = np.arange(len(order)) - np.searchsorted(end[order], end[order])
    keep = np.zeros(len(a), dtype=bool)
    keep[row[order[rank < k]]] = True
    return rows[keep]


def _region_centers(region, lo, hi, w, radii, seed) -> np.ndarray:
    """Disc centres: a force layout of the graph of regions, then overlaps removed."""
    k = len(radii)
    if k == 1:
        return np.zeros((1, 2))
    a, b = region[lo], region[hi]
    between = a != b
    ra, rb, rw = _undirected(a[between], b[between], w[between], k)
    pos = force_disc(k, ra, rb, rw, seed=seed) if len(ra) else np.zeros((k, 2))
    if not len(ra) or np.ptp(pos, axis=0).max() < 1e-9:
        angle = np.arange(k) * 2.399963  # golden angle spiral, largest first
        pos = np.stack([np.cos(angle), np.sin(angle)], axis=1) * np.sqrt(np.arange(k) + 0.5)[:, None]
    spread = float(np.sqrt((radii**2).sum())) * 2.0
    return separate_discs(pos * spread, radii, pad=0.15 * float(np.median(radii)) + 0.4)


def _place_rest(xy, forced, region, lo, hi, w, centers, radii, seed) -> None:
    """Put the nodes left out of the force layouts next to their placed neighbours (or anywhere in their disc)."""
    n = len(xy)
    todo = ~forced
    if not todo.any():
        return
    import scipy.sparse as sp

    rng = np.random.default_rng(seed)
    adjacency = sp.csr_array((np.concatenate([w, w]), (np.concatenate([lo, hi]), np.concatenate([hi, lo]))),
                             shape=(n, n))  # fmt: skip
    spacing = radii / np.sqrt(np.maximum(np.bincount(region, minlength=len(radii)), 1))
    placed = forced.copy()
    for _ in range(2):
        rows = np.flatnonzero(~placed)
        if not len(rows):
            break
        sub = adjacency[rows][:, np.flatnonzero(placed)]
        total = np.asarray(sub.sum(axis=1)).ravel()
        near = total > 0
        if not near.any():
            break
        mean = (sub @ xy[placed]) / np.maximum(total, 1e-12)[:, None]
        chosen = rows[near]
        jitter = rng.normal(0.0, 0.6, size=(len(chosen), 2)) * spacing[region[chosen], None]
        xy[chosen] = mean[near] + jitter
        placed[chosen] = True
    rest = np.flatnonzero(~placed)
    if len(rest):
        angle = rng.uniform(0, 2 * np.pi, len(rest))
        radius = np.sqrt(rng.uniform(0, 1, len(rest))) * radii[region[rest]] * 0.96
        xy[rest] = centers[region[rest]] + np.stack([np.cos(angle), np.sin(angle)], axis=1) * radius[:, None]
    # keep everyone inside their own disc
    offset = xy - centers[region]
    distance = np.hypot(offset[:, 0], offset[:, 1])
    limit = radii[region] * 0.98
    out = distance > limit
    xy[out] = centers[region[out]] + offset[out] * (limit[out] / distance[out])[:, None]


def _normalised(xy, region, centers, radii, region_group) -> Layout:
    """Scale everything into the unit square (same factor on both axes, centred)."""
    placed = xy[~np.isnan(xy[:, 0])] if len(xy) else xy  # discs_layout leaves posts it did not place at NaN
    low = np.minimum((centers - radii[:, None]).min(axis=0), placed.min(axis=0))
    high = np.maximum((centers + radii[:, None]).max(axis=0), placed.max(axis=0))
    span = float((high - low).max()) or 1.0
    shift = (1 - (high - low) / span) / 2
    scale = lambda p: (p - low) / span + shift  # noqa: E731
    return Layout(np.round(scale(xy), 9) + 0.0, region, np.round(scale(centers), 9) + 0.0,
                  np.round(radii / span, 9), region_group)  # fmt: skip


def forest_layout(parent: np.ndarray, tree: np.ndarray, order: np.ndarray | None = None) -> Layout:
    """Posts grouped by thread: one disc per tree, packed in rows, each tree drawn radially inside.

    Parameters
    ----------
    parent : np.ndarray
        Parent post per post (-1 for roots); every tree lies inside one thread.
    tree : np.ndarray
        Group of each post (e.g. its thread as 0, 1, …): the discs.
    order : np.ndarray, optional
        Sibling order (e.g. position in the thread).

    Examples
    --------
    >>> lay = forest_layout(np.array([-1, 0, 0, -1, 3]), np.array([0, 0, 0, 1, 1]))
    >>> lay.region.tolist(), round(float(lay.radii[0] / lay.radii[1]), 3)
    ([0, 0, 0, 1, 1], 1.225)
    """
    n = len(parent)
    if n == 0:
        return Layout(np.zeros((0, 2)), np.zeros(0, np.int64), np.zeros((0, 2)), np.zeros(0), np.zeros(0, np.int64))
    _, region = np.unique(np.asarray(tree), return_inverse=True)
    return discs_layout(region.astype(np.int64), np.arange(n), parent, order)


def discs_layout(region: np.ndarray, rows: np.ndarray, parent: np.ndarray, order: np.ndarray | None = None) -> Layout:
    """The positions :func:`forest_layout` gives posts ``rows``, computing only theirs.

    Every disc is placed (their sizes are known from ``region``), but only
    the trees of ``rows`` are drawn in them: the largest threads of a
    million-post forum are laid out in the time of their own posts. The
    positions of the other posts are NaN.

    Parameters
    ----------
    region : np.ndarray
        Disc of every post: 0, 1, … (each number used).
    rows : np.ndarray
        The posts to place, increasing; each disc's posts all or none.
    parent : np.ndarray
        Parent of each of ``rows``, as an index into ``rows`` (-1 for roots).
    order : np.ndarray, optional
        Sibling order of ``rows``.

    Examples
    --------
    >>> parent, tree = np.array([-1, 0, 0, -1, 3]), np.array([0, 0, 0, 1, 1])
    >>> part = discs_layout(tree, np.array([3, 4]), np.array([-1, 0]))
    >>> bool((part.xy[3:] == forest_layout(parent, tree).xy[3:]).all()), bool(np.isnan(part.xy[:3]).all())
    (True, True)
    """
    k = int(region.max()) + 1
    counts = np.bincount(region, minlength=k).astype(float)
    radii = np.sqrt(counts)
    centers = shelf_pack(radii, pad=0.25)
    local_region = region[rows]
    m = len(rows)
    # one radial layout for the whole forest, each root's share of angle made a full circle
    start, end, depth = leaf_intervals(parent, order)
    from sna.analysis.cascades import tree_arrays

    root = tree_arrays(parent)[0]
    span = (end[root] - start[root]).astype(float)
    mid = (start + end) / 2.0 - start[root]
    angle = np.pi / 2 + 2 * np.pi * mid / np.maximum(span, 1)
    deepest = np.zeros(k, dtype=np.int64)
    np.maximum.at(deepest, local_region, depth)
    radius = depth / np.maximum(deepest[local_region], 1)
    local = np.stack([radius * np.cos(angle), radius * np.sin(angle)], axis=1)
    # several roots in one disc (a thread that split): spread their centres on a small circle
    roots = np.flatnonzero(parent < 0)
    per_region = np.bincount(local_region[roots], minlength=k)
    slot = np.zeros(m, dtype=np.int64)
    rank_roots = np.lexsort((roots, local_region[roots]))
    ordered = roots[rank_roots]
    first = np.searchsorted(local_region[ordered], local_region[ordered])
    slot[ordered] = np.arange(len(ordered)) - first
    many = per_region[local_region[root]] > 1
    shrink = np.where(many, 0.45, 0.95)
    theta = 2 * np.pi * slot[root] / np.maximum(per_region[local_region[root]], 1)
    offset = np.where(many[:, None], 0.5 * np.stack([np.cos(theta), np.sin(theta)], axis=1), 0.0)
    xy = np.full((len(region), 2), np.nan)
    xy[rows] = centers[local_region] + (offset + local * shrink[:, None]) * radii[local_region, None]
    return _normalised(xy, region, centers, radii, np.arange(1, k + 1, dtype=np.int64))

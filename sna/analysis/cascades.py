"""Reply cascades: the trees a discussion branches into, and their shape.

Two kinds of cascade:

* ``reply`` — each thread's reply tree. Every post hangs under one earlier
  post: the first post it quotes, else its stated parent, else (implicit
  edges) the thread's first post. Its other targets stay as cross-links in
  EDGES. With implicit edges every thread is one tree; without them a thread
  may split into several.
* ``quote`` — the sub-discussions formed by quote edges alone: each quoting
  post hangs under the first post it quotes; trees of two or more posts.

Per cascade: size, depth (longest root-to-leaf path), maximum breadth (most
posts at one depth), mean depth (over all its posts, the root at 0),
structural virality (mean distance between two posts of the tree; Goel,
Anderson, Hofman & Watts, "The structural virality of online diffusion",
Management Science 2016), distinct authors, duration, and agree/disagree
counts over the edges inside it. Everything is computed on arrays in
O(posts × log depth): structural virality uses the Wiener index of a tree,
W = Σ s(v)(n − s(v)) over non-root v with s(v) the size of v's subtree, so no
pairwise distances are ever formed.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from sna.graph import KIND_CODES, Indexed, index_corpus
from sna.ids import sorted_unique
from sna.schema import EDGE_KINDS

CASCADE_COLUMNS = [
    "cascade_id", "thread_id", "root", "kind", "size", "depth", "max_breadth", "mean_depth",
    "structural_virality", "authors", "duration_s", "agree", "disagree",
]  # fmt: skip


def _parents(ix: Indexed, kinds: tuple[str, ...]) -> np.ndarray:
    """Parent post index per post (-1 for none): first quoted, else stated, else implicit target."""
    allowed = np.isin(ix.kind, [KIND_CODES[k] for k in kinds])
    valid = allowed & (ix.thread[ix.src] == ix.thread[ix.dst]) & (ix.position[ix.dst] < ix.position[ix.src])
    rows = np.flatnonzero(valid)
    parent = np.full(ix.n_posts, -1, dtype=np.int64)
    if len(rows):
        order = rows[np.lexsort((rows, ix.kind[rows], ix.src[rows]))]
        first = np.ones(len(order), dtype=bool)
        first[1:] = ix.src[order[1:]] != ix.src[order[:-1]]
        chosen = order[first]
        parent[ix.src[chosen]] = ix.dst[chosen]
    return parent


def choose_parents(posts: pl.DataFrame, edges: pl.DataFrame, *, kinds: tuple[str, ...] = EDGE_KINDS) -> pl.Series:
    """Each post's parent in its cascade tree (post_id or null), aligned with ``posts``.

    The parent is the first post quoted, else the stated parent, else the
    implicit target; only earlier posts of the thread qualify, so the result
    is always a forest.

    Examples
    --------
    >>> posts = pl.DataFrame({"post_id": ["a", "b", "c"], "thread_id": ["t"] * 3, "position": [1, 2, 3],
    ...                       "author": [None] * 3})
    >>> edges = pl.DataFrame({"source": ["c", "c", "b"], "target": ["b", "a", "a"],
    ...                       "kind": ["quote", "reply", "implicit"]})
    >>> choose_parents(posts, edges).to_list()
    [None, 'a', 'b']
    """
    ix = index_corpus(posts, edges)
    parent = _parents(ix, kinds)
    return pl.Series("parent", ix.post_ids.gather(np.maximum(parent, 0))).set(pl.Series(parent < 0), None)


def tree_arrays(parent: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Root, depth and subtree size of every node of a forest.

    Parameters
    ----------
    parent : np.ndarray
        Parent index per node, -1 for roots; must be acyclic.

    Returns
    -------
    root, depth, size : np.ndarray

    Examples
    --------
    >>> root, depth, size = tree_arrays(np.array([-1, 0, 1, 0, -1]))
    >>> root.tolist(), depth.tolist(), size.tolist()
    ([0, 0, 0, 0, 4], [0, 1, 2, 1, 0], [4, 2, 1, 1, 1])
    """
    n = len(parent)
    index = np.arange(n)
    up = np.where(parent >= 0, parent, index)
    depth = (parent >= 0).astype(np.int64)
    # Pointer doubling: after round r, up[i] is 2^r steps above i (or the root).
    while True:
        higher = up[up]
        if np.array_equal(higher, up):
            break
        depth = depth + depth[up]
        up = higher
    size = np.ones(n, dtype=np.int64)
    if n:
        order = np.argsort(-depth, kind="stable")
        levels = np.cumsum(np.bincount(depth)[::-1])[:-1]
        for level in np.split(order, levels):
            children = level[parent[level] >= 0]
            np.add.at(size, parent[children], size[children])
    return up, depth, size


def _per_root(values: np.ndarray, roots: np.ndarray, n: int, how: str) -> np.ndarray:
    """Reduce ``values`` per root: "max" or "min" (roots index 0..n-1)."""
    out = np.full(n, np.iinfo(np.int64).min if how == "max" else np.iinfo(np.int64).max, dtype=np.int64)
    (np.maximum if how == "max" else np.minimum).at(out, roots, values)
    return out


def _cascade_table(
    ix: Indexed, parent: np.ndarray, members: np.ndarray, kind: str, thread_ids: pl.Series
) -> tuple[pl.DataFrame, np.ndarray, np.ndarray, np.ndarray]:
    """Metrics of the trees given by ``parent`` among the posts flagged in ``members``."""
    n = ix.n_posts
    root, depth, size = tree_arrays(parent)
    member = np.flatnonzero(members)
    r = root[member]
    count = np.bincount(r, minlength=n)
    roots = np.flatnonzero(count)  # in post order: a root precedes its descendants
    tree_size = size[root]
    non_root = member[parent[member] >= 0]
    wiener = np.bincount(root[non_root], weights=size[non_root] * (tree_size[non_root] - size[non_root]), minlength=n)
    depth_sum = np.bincount(r, weights=depth[member], minlength=n)
    max_depth = _per_root(depth[member], r, n, "max")
    level_key = r * (int(depth.max(initial=0)) + 1) + depth[member]
    levels, level_count = np.unique(level_key, return_counts=True)
    breadth = _per_root(level_count, levels // (int(depth.max(initial=0)) + 1), n, "max")
    pairs = sorted_unique(r * max(len(ix.node_names), 1) + ix.node[member])
    authors = np.bincount(pairs // max(len(ix.node_names), 1), minlength=n)
    sizes = count[roots]
    columns: dict[str, object] = {
        "cascade_id": (f"{kind}:" + ix.post_ids.gather(roots)) if len(roots) else [],
        "thread_id": thread_ids.gather(roots),
        "root": ix.post_ids.gather(roots),
        "kind": [kind] * len(roots),
        "size": sizes.astype(np.int64),
        "depth": max_depth[roots],
        "max_breadth": breadth[roots],
        "mean_depth": depth_sum[roots] / sizes,
        "structural_virality": np.where(sizes >= 2, wiener[roots] / np.maximum(sizes * (sizes - 1) / 2, 1), np.nan),
        "authors": authors[roots].astype(np.int64),
    }
    table = pl.DataFrame(columns, schema_overrides={"cascade_id": pl.String, "kind": pl.String})
    table = table.with_columns(pl.col("structural_virality").fill_nan(None))
    duration = pl.lit(None, pl.Int64)
    if ix.created_us is not None:
        stamped = member[ix.created_us[member] != np.iinfo(np.int64).min]
        latest = _per_root(ix.created_us[stamped], root[stamped], n, "max")
        earliest = _per_root(ix.created_us[stamped], root[stamped], n, "min")
        has = np.bincount(root[stamped], minlength=n)[roots] > 0
        seconds = (latest[roots] - earliest[roots]) // 1_000_000
        duration = pl.Series(np.where(has, seconds, 0)).set(pl.Series(~has), None)
    table = table.with_columns(duration_s=duration)
    if ix.has_stance:
        inside = members[ix.src] & members[ix.dst] & (root[ix.src] == root[ix.dst])
        agree = np.bincount(root[ix.src][inside & (ix.stance == 0)], minlength=n)
        disagree = np.bincount(root[ix.src][inside & (ix.stance == 2)], minlength=n)
        table = table.with_columns(agree=agree[roots].astype(np.int64), disagree=disagree[roots].astype(np.int64))
    else:
        table = table.with_columns(agree=pl.lit(None, pl.Int64), disagree=pl.lit(None, pl.Int64))
    return table.select(CASCADE_COLUMNS), root, depth, size


def cascades(
    posts: pl.DataFrame, edges: pl.DataFrame, *, index: Indexed | None = None
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Reply and quote cascades, and each post's place in its reply tree.

    Parameters
    ----------
    posts, edges : pl.DataFrame
        POSTS and EDGES.
    index : Indexed, optional
        The corpus as arrays, if already built.

    Returns
    -------
    cascades : pl.DataFrame
        One row per cascade: ``cascade_id``, ``thread_id``, ``root``, ``kind``
        (``reply`` or ``quote``), ``size``, ``depth``, ``max_breadth``,
        ``mean_depth``, ``structural_virality`` (null for single posts),
        ``authors``, ``duration_s`` (null without timestamps), ``agree``,
        ``disagree`` (null before stance is labelled).
    per_post : pl.DataFrame
        ``post_id``, ``cascade_id`` (reply tree), ``depth``, ``subtree_size``,
        ``parent``.

    Examples
    --------
    >>> posts = pl.DataFrame({"post_id": ["a", "b", "c"], "thread_id": ["t"] * 3, "position": [1, 2, 3],
    ...                       "author": ["x", "y", "x"], "created_at": [None] * 3},
    ...                      schema_overrides={"created_at": pl.Datetime("us", "UTC")})
    >>> edges = pl.DataFrame({"source": ["b", "c"], "target": ["a", "b"], "kind": ["quote", "quote"]})
    >>> table, per_post = cascades(posts, edges)
    >>> table.select("kind", "size", "depth", "structural_virality").rows()
    [('reply', 3, 2, 1.3333333333333333), ('quote', 3, 2, 1.3333333333333333)]
    >>> per_post["subtree_size"].to_list()
    [3, 2, 1]
    """
    ix = index or index_corpus(posts, edges)
    ids = ix.post_ids
    reply_parent = _parents(ix, EDGE_KINDS)
    everyone = np.ones(ix.n_posts, dtype=bool)
    reply, root, depth, size = _cascade_table(ix, reply_parent, everyone, "reply", posts["thread_id"])
    quote_parent = _parents(ix, ("quote",))
    involved = np.zeros(ix.n_posts, dtype=bool)
    quoting = ix.kind == KIND_CODES["quote"]
    involved[ix.src[quoting]] = True
    involved[ix.dst[quoting]] = True
    quote, _, _, _ = _cascade_table(ix, quote_parent, involved, "quote", posts["thread_id"])
    parent_ids = ids.gather(np.maximum(reply_parent, 0)).set(pl.Series(reply_parent < 0), None)
    per_post = pl.DataFrame(
        {
            "post_id": ids,
            "cascade_id": ("reply:" + ids.gather(root)) if ix.n_posts else ids,
            "depth": depth,
            "subtree_size": size,
            "parent": parent_ids,
        }
    )
    return pl.concat([reply, quote.filter(pl.col("size") >= 2)]), per_post

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

from sna.graph import author_key

_KIND_RANK = {"quote": 0, "reply": 1, "implicit": 2}
CASCADE_COLUMNS = [
    "cascade_id", "thread_id", "root", "kind", "size", "depth", "max_breadth", "mean_depth",
    "structural_virality", "authors", "duration_s", "agree", "disagree",
]  # fmt: skip


def choose_parents(
    posts: pl.DataFrame, edges: pl.DataFrame, *, kinds: tuple[str, ...] = ("quote", "reply", "implicit")
) -> pl.Series:
    """Each post's parent in its cascade tree (post_id or null), aligned with ``posts``.

    The parent is the first post quoted, else the stated parent, else the
    implicit target; only earlier posts of the thread qualify, so the result
    is always a forest.

    Examples
    --------
    >>> posts = pl.DataFrame({"post_id": ["a", "b", "c"], "thread_id": ["t"] * 3, "position": [1, 2, 3]})
    >>> edges = pl.DataFrame({"source": ["c", "c", "b"], "target": ["b", "a", "a"],
    ...                       "kind": ["quote", "reply", "implicit"]})
    >>> choose_parents(posts, edges).to_list()
    [None, 'a', 'b']
    """
    info = posts.select("post_id", "thread_id", "position")
    candidates = (
        edges.select("source", "target", "kind")
        .with_row_index("_row")
        .filter(pl.col("kind").is_in(list(kinds)))
        .join(info.rename({"post_id": "source", "position": "_sp", "thread_id": "_st"}), on="source")
        .join(info.rename({"post_id": "target", "position": "_tp", "thread_id": "_tt"}), on="target")
        .filter((pl.col("_tp") < pl.col("_sp")) & (pl.col("_st") == pl.col("_tt")))
        .with_columns(_rank=pl.col("kind").replace_strict(_KIND_RANK, return_dtype=pl.Int8))
        .sort("_rank", "_row")
        .group_by("source", maintain_order=True)
        .agg(pl.col("target").first().alias("parent"))
    )
    return posts.select("post_id").join(
        candidates.rename({"source": "post_id"}), on="post_id", how="left", maintain_order="left"
    )["parent"]


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


def _parent_index(parent: pl.Series, ids: pl.Series) -> np.ndarray:
    """Positions of the parents in ``ids`` (-1 for none)."""
    index = pl.DataFrame({"parent": ids, "_p": np.arange(len(ids))})
    joined = pl.DataFrame({"parent": parent}).join(index, on="parent", how="left", maintain_order="left")
    return joined["_p"].fill_null(-1).to_numpy().astype(np.int64)


def _stance_counts(edges: pl.DataFrame, membership: pl.DataFrame) -> pl.DataFrame | None:
    """Agree/disagree edges inside each cascade; None before stance is labelled."""
    if "stance" not in edges.columns or edges["stance"].null_count() == edges.height:
        return None
    return (
        edges.select("source", "target", "stance")
        .join(membership.rename({"post_id": "source", "root": "_rs"}), on="source")
        .join(membership.rename({"post_id": "target", "root": "_rt"}), on="target")
        .filter(pl.col("_rs") == pl.col("_rt"))
        .group_by("_rs")
        .agg(
            agree=(pl.col("stance") == "agree").sum().cast(pl.Int64),
            disagree=(pl.col("stance") == "disagree").sum().cast(pl.Int64),
        )
        .rename({"_rs": "root"})
    )


def _cascade_table(
    posts: pl.DataFrame, edges: pl.DataFrame, parent_idx: np.ndarray, members: np.ndarray, kind: str
) -> tuple[pl.DataFrame, np.ndarray, np.ndarray, np.ndarray]:
    """Metrics of the trees given by ``parent_idx`` among the posts flagged in ``members``."""
    ids = posts["post_id"]
    root, depth, size = tree_arrays(parent_idx)
    nodes = pl.DataFrame(
        {
            "post_id": ids,
            "thread_id": posts["thread_id"],
            "root": ids.gather(root),
            "depth": depth,
            "size": size,
            "tree_size": size[root],
            "is_root": parent_idx < 0,
            "created_at": posts["created_at"],
            "author_node": posts.select(author_key()).to_series(),
        }
    ).filter(pl.Series(members))
    wiener = (
        nodes.filter(~pl.col("is_root"))
        .group_by("root")
        .agg(wiener=(pl.col("size") * (pl.col("tree_size") - pl.col("size"))).sum())
    )
    breadth = nodes.group_by("root", "depth").len().group_by("root").agg(max_breadth=pl.col("len").max().cast(pl.Int64))
    table = (
        nodes.group_by("root", maintain_order=True)
        .agg(
            pl.col("thread_id").first(),
            size=pl.len().cast(pl.Int64),
            depth=pl.col("depth").max(),
            mean_depth=pl.col("depth").mean(),
            authors=pl.col("author_node").n_unique().cast(pl.Int64),
            duration_s=(pl.col("created_at").max() - pl.col("created_at").min()).dt.total_seconds(),
        )
        .join(wiener, on="root", how="left", maintain_order="left")
        .join(breadth, on="root", how="left", maintain_order="left")
        .with_columns(
            cascade_id=pl.format("{}:{}", pl.lit(kind), pl.col("root")),
            kind=pl.lit(kind),
            structural_virality=pl.when(pl.col("size") >= 2).then(
                pl.col("wiener").fill_null(0) / (pl.col("size") * (pl.col("size") - 1) / 2)
            ),
        )
    )
    counts = _stance_counts(edges, nodes.select("post_id", "root"))
    if counts is None:
        table = table.with_columns(agree=pl.lit(None, pl.Int64), disagree=pl.lit(None, pl.Int64))
    else:
        table = table.join(counts, on="root", how="left", maintain_order="left").with_columns(
            pl.col("agree", "disagree").fill_null(0)
        )
    return table.select(CASCADE_COLUMNS), root, depth, size


def cascades(posts: pl.DataFrame, edges: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Reply and quote cascades, and each post's place in its reply tree.

    Parameters
    ----------
    posts, edges : pl.DataFrame
        POSTS and EDGES.

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
    ids = posts["post_id"]
    reply_parent = choose_parents(posts, edges)
    everyone = np.ones(posts.height, dtype=bool)
    reply, root, depth, size = _cascade_table(posts, edges, _parent_index(reply_parent, ids), everyone, "reply")
    quote_parent = choose_parents(posts, edges, kinds=("quote",))
    quoted = edges.filter(pl.col("kind") == "quote")
    involved = ids.is_in(pl.concat([quoted["source"], quoted["target"]]).implode()).to_numpy()
    quote, _, _, _ = _cascade_table(posts, edges, _parent_index(quote_parent, ids), involved, "quote")
    per_post = pl.DataFrame(
        {
            "post_id": ids,
            "cascade_id": ("reply:" + ids.gather(root)) if posts.height else ids,
            "depth": depth,
            "subtree_size": size,
            "parent": reply_parent,
        }
    )
    return pl.concat([reply, quote.filter(pl.col("size") >= 2)]), per_post

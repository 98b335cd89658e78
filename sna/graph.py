"""The post graph and the author graph, built from POSTS and EDGES.

Two views of one discussion, kept in sync because both derive from the same
EDGES table:

* the **post graph**: a node per post, an edge per EDGES row (a
  ``networkx.MultiDiGraph`` keyed by edge kind), pointing from the replier to
  the replied-to;
* the **author graph**: a node per author, an edge A → B weighted by how often
  A quoted or replied to B, with counts by kind and by stance and a signed
  weight (agree − disagree). Self-replies are counted on the node, not drawn.
  Posts without an author, and placeholder names such as ``[deleted]``, are
  separate nodes named after the post (``[post ID]``): merging them into one
  node would invent a prolific poster.

The networkx graphs are what users hold; metrics run on :class:`LinkArrays`,
the same graphs as integer arrays (see :mod:`sna.analysis`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import networkx as nx
import numpy as np
import polars as pl
import scipy.sparse as sp

#: Author names that stand for "unknown" and must never be merged into one node.
PLACEHOLDER_AUTHORS = frozenset(
    {"[deleted]", "[removed]", "deleted", "removed", "[unknown]", "unknown", "anonymous", "guest", "n/a", ""}
)

EXCERPT_CHARS = 160


def author_key() -> pl.Expr:
    """Author-graph node of each post: its author, or ``[post ID]`` when unknown.

    Examples
    --------
    >>> posts = pl.DataFrame({"post_id": ["1", "2", "3"], "author": ["ann", None, "[deleted]"]})
    >>> posts.select(author_key()).to_series().to_list()
    ['ann', '[post 2]', '[post 3]']
    """
    unknown = pl.col("author").is_null() | pl.col("author").str.strip_chars().str.to_lowercase().is_in(
        list(PLACEHOLDER_AUTHORS)
    )
    return pl.when(unknown).then(pl.format("[post {}]", pl.col("post_id"))).otherwise(pl.col("author")).alias("node")


def excerpt(column: str, chars: int = EXCERPT_CHARS) -> pl.Expr:
    """First ``chars`` characters of a text column, whitespace collapsed.

    Examples
    --------
    >>> pl.DataFrame({"t": ["a\\n\\n b  c"]}).select(excerpt("t", 4)).item()
    'a b…'
    """
    flat = pl.col(column).str.replace_all(r"\s+", " ").str.strip_chars()
    return (
        pl.when(flat.str.len_chars() > chars)
        .then(flat.str.slice(0, chars - 1).str.strip_chars_end() + "…")
        .otherwise(flat)
        .alias(column)
    )


@dataclass(frozen=True)
class LinkArrays:
    """A directed, weighted simple graph on nodes ``0..n-1``, as arrays.

    Attributes
    ----------
    nodes : pl.Series
        Node ids (strings), index ``i`` is node ``i``.
    src, dst : np.ndarray
        Edge endpoints (int64), one entry per distinct (source, target) pair.
    weight : np.ndarray
        Edge weights (float64): how many interactions the edge stands for.
    """

    nodes: pl.Series
    src: np.ndarray
    dst: np.ndarray
    weight: np.ndarray

    @property
    def n(self) -> int:
        """Number of nodes."""
        return len(self.nodes)

    @property
    def m(self) -> int:
        """Number of edges."""
        return len(self.src)

    @cached_property
    def adjacency(self) -> sp.csr_array:
        """Weighted adjacency matrix, rows are sources."""
        return sp.csr_array((self.weight, (self.src, self.dst)), shape=(self.n, self.n))

    @cached_property
    def igraph(self):  # igraph is imported lazily
        """The same graph as an ``igraph.Graph`` with a ``weight`` edge attribute."""
        import igraph as ig

        edges = list(zip(self.src.tolist(), self.dst.tolist(), strict=True))
        return ig.Graph(n=self.n, edges=edges, directed=True, edge_attrs={"weight": self.weight.tolist()})

    def to_networkx(self) -> nx.DiGraph:
        """The same graph as a plain ``networkx.DiGraph`` (for checks and small graphs)."""
        graph = nx.DiGraph()
        ids = self.nodes.to_list()
        graph.add_nodes_from(ids)
        triples = zip(self.src.tolist(), self.dst.tolist(), self.weight.tolist(), strict=True)
        graph.add_weighted_edges_from((ids[s], ids[t], w) for s, t, w in triples)
        return graph


def _links(nodes: pl.Series, pairs: pl.DataFrame) -> LinkArrays:
    """Index (source, target, weight) string pairs by ``nodes``."""
    index = pl.DataFrame({"node": nodes, "_i": np.arange(len(nodes), dtype=np.int64)})
    joined = (
        pairs.join(index.rename({"node": "source"}), on="source", how="inner")
        .join(index.rename({"node": "target", "_i": "_j"}), on="target", how="inner")
        .sort("_i", "_j")
    )
    return LinkArrays(
        nodes,
        joined["_i"].to_numpy().astype(np.int64),
        joined["_j"].to_numpy().astype(np.int64),
        joined["weight"].cast(pl.Float64).to_numpy(),
    )


def post_links(posts: pl.DataFrame, edges: pl.DataFrame) -> LinkArrays:
    """The post graph as arrays: one edge per (source, target), weight = EDGES rows.

    Examples
    --------
    >>> posts = pl.DataFrame({"post_id": ["a", "b", "c"]})
    >>> edges = pl.DataFrame({"source": ["b", "c", "c"], "target": ["a", "a", "a"],
    ...                       "kind": ["reply", "quote", "reply"]})
    >>> links = post_links(posts, edges)
    >>> links.src.tolist(), links.dst.tolist(), links.weight.tolist()
    ([1, 2], [0, 0], [1.0, 2.0])
    """
    pairs = edges.group_by("source", "target").agg(weight=pl.len())
    return _links(posts["post_id"], pairs)


def author_tables(posts: pl.DataFrame, edges: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Author nodes and author edges, aggregated from posts and edges.

    Returns
    -------
    nodes : pl.DataFrame
        ``author`` (the node), ``posts``, ``self_replies``, ``anonymous`` —
        in order of each author's first post.
    links : pl.DataFrame
        ``source``, ``target`` (authors), ``weight`` (interactions), counts
        per kind (``quote``, ``reply``, ``implicit``) and per stance
        (``agree``, ``neutral``, ``disagree``), ``signed`` = agree − disagree.
        Self-replies are left out.

    Examples
    --------
    >>> posts = pl.DataFrame({"post_id": ["1", "2", "3"], "author": ["ann", "bo", "ann"]})
    >>> edges = pl.DataFrame({"source": ["2", "3"], "target": ["1", "2"], "kind": ["quote", "reply"],
    ...                       "stance": ["disagree", None]})
    >>> nodes, links = author_tables(posts, edges)
    >>> nodes.select("author", "posts").rows()
    [('ann', 2), ('bo', 1)]
    >>> links.select("source", "target", "weight", "disagree", "signed").rows()
    [('ann', 'bo', 1, 0, 0), ('bo', 'ann', 1, 1, -1)]
    """
    keyed = posts.select("post_id", author_key(), pl.col("author").is_null().alias("_missing"))
    if "stance" not in edges.columns:
        edges = edges.with_columns(stance=pl.lit(None, pl.String))
    joined = (
        edges.select("source", "target", "kind", "stance")
        .join(keyed.select(pl.col("post_id").alias("source"), pl.col("node").alias("a")), on="source")
        .join(keyed.select(pl.col("post_id").alias("target"), pl.col("node").alias("b")), on="target")
    )
    self_replies = joined.filter(pl.col("a") == pl.col("b")).group_by("a").agg(self_replies=pl.len())
    nodes = (
        keyed.group_by("node", maintain_order=True)
        .agg(posts=pl.len(), anonymous=pl.col("node").first().str.starts_with("[post "))
        .join(self_replies.rename({"a": "node"}), on="node", how="left", maintain_order="left")
        .with_columns(pl.col("self_replies").fill_null(0).cast(pl.Int64), pl.col("posts").cast(pl.Int64))
        .rename({"node": "author"})
        .select("author", "posts", "self_replies", "anonymous")
    )
    counts = [(pl.col("kind") == k).sum().cast(pl.Int64).alias(k) for k in ("quote", "reply", "implicit")]
    counts += [(pl.col("stance") == s).sum().cast(pl.Int64).alias(s) for s in ("agree", "neutral", "disagree")]
    links = (
        joined.filter(pl.col("a") != pl.col("b"))
        .group_by("a", "b")
        .agg(pl.len().cast(pl.Int64).alias("weight"), *counts)
        .with_columns(signed=pl.col("agree") - pl.col("disagree"))
        .rename({"a": "source", "b": "target"})
        .sort("source", "target")
    )
    return nodes, links


def author_links(posts: pl.DataFrame, edges: pl.DataFrame) -> LinkArrays:
    """The author graph as arrays (weights = interactions).

    Examples
    --------
    >>> posts = pl.DataFrame({"post_id": ["1", "2"], "author": ["ann", "bo"]})
    >>> edges = pl.DataFrame({"source": ["2"], "target": ["1"], "kind": ["quote"]})
    >>> author_links(posts, edges).nodes.to_list()
    ['ann', 'bo']
    """
    nodes, links = author_tables(posts, edges)
    return _links(nodes["author"], links.select("source", "target", "weight"))


def _attrs(row: dict[str, object]) -> dict[str, object]:
    """Node/edge attributes without nulls (GEXF and GraphML have no null)."""
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in row.items() if v is not None}


def post_node_table(posts: pl.DataFrame) -> pl.DataFrame:
    """Post-graph node attributes: thread, author, position, time, title, excerpt."""
    return posts.select(
        "post_id",
        "thread_id",
        "author",
        "position",
        pl.col("created_at").dt.to_string("%Y-%m-%dT%H:%M:%SZ").alias("created_at"),
        excerpt("text").alias("excerpt"),
    )


def post_edge_table(edges: pl.DataFrame) -> pl.DataFrame:
    """Post-graph edge attributes: kind, stance, stance score, quoted excerpt."""
    return edges.select(
        "source",
        "target",
        "kind",
        "stance",
        "stance_score",
        excerpt("quoted_text").alias("quoted"),
    )


def post_graph(posts: pl.DataFrame, edges: pl.DataFrame) -> nx.MultiDiGraph:
    """The post graph: a node per post, an edge per EDGES row keyed by its kind.

    Examples
    --------
    >>> posts = pl.DataFrame({"post_id": ["a", "b"], "thread_id": ["t", "t"], "author": ["ann", None],
    ...     "position": [1, 2], "created_at": [None, None], "text": ["Hi.", "Hello."]},
    ...     schema_overrides={"created_at": pl.Datetime("us", "UTC")})
    >>> edges = pl.DataFrame({"source": ["b"], "target": ["a"], "kind": ["implicit"], "stance": [None],
    ...     "stance_score": [None], "quoted_text": [None]}, schema_overrides={"stance": pl.String,
    ...     "stance_score": pl.Float64, "quoted_text": pl.String})
    >>> g = post_graph(posts, edges)
    >>> list(g.edges(keys=True)), g.nodes["b"]
    ([('b', 'a', 'implicit')], {'thread_id': 't', 'position': 2, 'excerpt': 'Hello.'})
    """
    graph = nx.MultiDiGraph()
    for row in post_node_table(posts).iter_rows(named=True):
        node = row.pop("post_id")
        graph.add_node(node, **_attrs(row))
    for row in post_edge_table(edges).iter_rows(named=True):
        source, target = row.pop("source"), row.pop("target")
        graph.add_edge(source, target, key=row["kind"], **_attrs(row))
    return graph


def author_graph(posts: pl.DataFrame, edges: pl.DataFrame) -> nx.DiGraph:
    """The author graph: weighted, with counts by kind and stance; self-replies on nodes.

    Examples
    --------
    >>> posts = pl.DataFrame({"post_id": ["1", "2", "3"], "author": ["ann", "bo", "bo"]})
    >>> edges = pl.DataFrame({"source": ["2", "3"], "target": ["1", "2"], "kind": ["quote", "reply"]})
    >>> g = author_graph(posts, edges)
    >>> g.nodes["bo"]["self_replies"], g.edges["bo", "ann"]["weight"]
    (1, 1)
    """
    nodes, links = author_tables(posts, edges)
    graph = nx.DiGraph()
    for row in nodes.iter_rows(named=True):
        graph.add_node(row.pop("author"), **_attrs(row))
    for row in links.iter_rows(named=True):
        graph.add_edge(row.pop("source"), row.pop("target"), **_attrs(row))
    return graph

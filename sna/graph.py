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

import sys
from dataclasses import dataclass, replace
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np
import polars as pl
import scipy.sparse as sp

from sna.ids import rows_of
from sna.schema import EDGE_KINDS, KIND_CODES, STANCE_CODES

if TYPE_CHECKING:
    import networkx as nx

#: Author names that stand for "unknown" and must never be merged into one node.
PLACEHOLDER_AUTHORS = frozenset(
    {"[deleted]", "[removed]", "deleted", "removed", "[unknown]", "unknown", "anonymous", "guest", "n/a", ""}
)

EXCERPT_CHARS = 160

IMPLICIT_LINKS = ("ignore", "count")
"""Whether measures and camps leave assumed (``implicit``) links out or count them like read ones."""


def counted_kinds(implicit_links: str) -> tuple[str, ...]:
    """Edge kinds the measures use: links read from the source, plus assumed ones when counted.

    Examples
    --------
    >>> counted_kinds("ignore"), counted_kinds("count")
    (('quote', 'reply'), ('quote', 'reply', 'implicit'))
    """
    if implicit_links not in IMPLICIT_LINKS:
        from sna.errors import SnaError

        raise SnaError(f"implicit_links must be one of {', '.join(IMPLICIT_LINKS)}, got {implicit_links!r}")
    return EDGE_KINDS if implicit_links == "count" else tuple(k for k in EDGE_KINDS if k != "implicit")


def author_unknown() -> pl.Expr:
    """True for posts whose author is unknown: null, or a placeholder such as ``[deleted]``.

    Examples
    --------
    >>> pl.DataFrame({"author": ["ann", None, " Deleted"]}).select(author_unknown()).to_series().to_list()
    [False, True, True]
    """
    author = pl.col("author").cast(pl.String)
    return (author.is_null() | author.str.strip_chars().str.to_lowercase().is_in(list(PLACEHOLDER_AUTHORS))).alias(
        "anonymous"
    )


def author_key() -> pl.Expr:
    """Author-graph node of each post: its author, or ``[post ID]`` when unknown.

    Whether a node stands for an unknown author is data (:func:`author_unknown`,
    the ``anonymous`` column of the author tables), not read back from the
    name: a real user called "[post 2]" keeps that name, and the unknown
    author of post 2 becomes "[post 2] (unknown author)". The placeholder of a
    thread's missing opening post (``[thread ID]``) keeps its own id.

    Examples
    --------
    >>> posts = pl.DataFrame({"post_id": ["1", "2", "3", "4"], "author": ["ann", None, "[deleted]", "[post 3]"]})
    >>> posts.select(author_key()).to_series().to_list()
    ['ann', '[post 2]', '[post 3] (unknown author)', '[post 3]']
    """
    author = pl.col("author").cast(pl.String)
    unknown = author_unknown()
    post = pl.col("post_id")
    own = pl.when(post.str.starts_with("[thread ")).then(post).otherwise(pl.format("[post {}]", post))
    taken = own.is_in(author.filter(~unknown).implode())
    named = pl.when(taken).then(pl.format("{} (unknown author)", own)).otherwise(own)
    return pl.when(unknown).then(named).otherwise(author).alias("node")


def excerpt(column: str, chars: int = EXCERPT_CHARS) -> pl.Expr:
    """First ``chars`` characters of a text column, whitespace collapsed.

    Examples
    --------
    >>> pl.DataFrame({"t": ["a\\n\\n b  c"]}).select(excerpt("t", 4)).item()
    'a b…'
    """
    flat = pl.col(column).str.slice(0, 4 * chars).str.replace_all(r"\s+", " ").str.strip_chars()
    return (
        pl.when(flat.str.len_chars() > chars)
        .then(flat.str.slice(0, chars - 1).str.strip_chars_end() + "…")
        .otherwise(flat)
        .alias(column)
    )


def load_igraph():  # -> the igraph module (imported lazily)
    """The ``igraph`` module, imported without its matplotlib drawing code where igraph is not imported yet.

    igraph's ``__init__`` imports its drawing backends, and the matplotlib one
    imports ``matplotlib.pyplot`` (about 1 CPU-s) and subclasses matplotlib's
    artists as it is defined, so that no stand-in can defer it. sna never
    draws with igraph (its figures use matplotlib directly), so matplotlib is
    hidden while igraph is imported: igraph then defines its matplotlib
    drawing against the stand-in it uses when matplotlib is not installed,
    and ``igraph.plot(..., target=<matplotlib axes>)`` is not available in
    this process; import igraph before sna computes anything to keep it.
    matplotlib itself is left as it was, for sna's figures and everyone else.

    Examples
    --------
    >>> load_igraph().Graph(n=2, edges=[(0, 1)]).ecount()
    1
    """
    if (module := sys.modules.get("igraph")) is not None:
        return module
    missing = object()
    hidden = sys.modules.get("matplotlib", missing)
    sys.modules["matplotlib"] = None  # type: ignore[assignment]  # `import matplotlib` raises ImportError
    try:
        import igraph
    finally:
        if hidden is missing:
            del sys.modules["matplotlib"]
        else:
            sys.modules["matplotlib"] = hidden  # type: ignore[assignment]
    return igraph


def points_down(src: np.ndarray, dst: np.ndarray) -> bool:
    """Whether every edge points to a lower node number (a post graph in thread order): then it is acyclic."""
    return bool((src > dst).all())


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
    def is_acyclic(self) -> bool:
        """Whether the graph has no directed cycle."""
        if not self.m or points_down(self.src, self.dst):  # no need to ask igraph
            return True
        return bool(self.igraph.is_dag())

    @cached_property
    def weak_components(self) -> np.ndarray:
        """Weakly connected component of each node, numbered from 0 (scipy: 5× igraph's speed at 1M nodes)."""
        return self._components("weak")

    @cached_property
    def strong_components(self) -> np.ndarray:
        """Strongly connected component of each node, numbered from 0 (node ``i`` is ``i`` if acyclic)."""
        if self.is_acyclic:
            return np.arange(self.n, dtype=np.int64)
        return self._components("strong")

    def _components(self, connection: str) -> np.ndarray:
        from scipy.sparse.csgraph import connected_components

        linked = sp.csr_array((np.ones(self.m, dtype=np.int8), (self.src, self.dst)), shape=(self.n, self.n))
        return connected_components(linked, directed=True, connection=connection)[1].astype(np.int64)

    @cached_property
    def igraph(self):  # igraph is imported lazily
        """The same graph as an ``igraph.Graph`` with a ``weight`` edge attribute."""
        import gc

        ig = load_igraph()

        # Cyclic GC passes over the millions of edge tuples cost seconds at 1M posts; none of them is cyclic.
        enabled = gc.isenabled()
        gc.disable()
        try:
            # Lists of pairs: igraph's fastest input (an (m, 2) ndarray or a memoryview of one is read pair by
            # pair, twice as slow at 1M edges, in python-igraph 1.0).
            edges = np.stack([self.src, self.dst], axis=1).tolist()
            return ig.Graph(n=self.n, edges=edges, directed=True, edge_attrs={"weight": self.weight.tolist()})
        finally:
            if enabled:
                gc.enable()

    def to_networkx(self) -> nx.DiGraph:
        """The same graph as a plain ``networkx.DiGraph`` (for checks and small graphs)."""
        import networkx as nx  # lazily: a metrics run never needs it

        graph = nx.DiGraph()
        ids = self.nodes.to_list()
        graph.add_nodes_from(ids)
        triples = zip(self.src.tolist(), self.dst.tolist(), self.weight.tolist(), strict=True)
        graph.add_weighted_edges_from((ids[s], ids[t], w) for s, t, w in triples)
        return graph


@dataclass(frozen=True)
class Indexed:
    """POSTS and EDGES as integer arrays, shared by every graph computation.

    Attributes
    ----------
    post_ids : pl.Series
        Post ids; post ``i`` is row ``i`` of POSTS.
    thread, position : np.ndarray
        Dense thread code and position of each post.
    node_names : pl.Series
        Author-graph nodes in order of their first post.
    node : np.ndarray
        Each post's author-graph node (index into ``node_names``).
    node_anonymous : np.ndarray
        Per node: whether it stands for an unknown or deleted author.
    src, dst : np.ndarray
        Each EDGES row's source and target post.
    kind : np.ndarray
        Edge kind codes (``KIND_CODES``).
    stance : np.ndarray
        Stance codes (``STANCE_CODES``), -1 where unlabelled.
    created_us : np.ndarray or None
        Post times in microseconds, ``None`` when no post has one; missing
        times are the minimum int64.
    """

    post_ids: pl.Series
    thread: np.ndarray
    position: np.ndarray
    node_names: pl.Series
    node: np.ndarray
    node_anonymous: np.ndarray
    src: np.ndarray
    dst: np.ndarray
    kind: np.ndarray
    stance: np.ndarray
    created_us: np.ndarray | None

    @property
    def n_posts(self) -> int:
        """Number of posts."""
        return len(self.post_ids)

    @property
    def has_stance(self) -> bool:
        """Whether any edge has a stance label."""
        return bool((self.stance >= 0).any())

    def restrict(self, kinds: tuple[str, ...]) -> Indexed:
        """The same corpus with only the edges of ``kinds``.

        Examples
        --------
        >>> posts = pl.DataFrame({"post_id": ["a", "b", "c"], "thread_id": ["t"] * 3, "position": [1, 2, 3],
        ...                       "author": ["x", "y", "z"]})
        >>> edges = pl.DataFrame({"source": ["b", "c"], "target": ["a", "a"], "kind": ["quote", "implicit"]})
        >>> index_corpus(posts, edges).restrict(("quote", "reply")).src.tolist()
        [1]
        """
        keep = np.isin(self.kind, [KIND_CODES[k] for k in kinds])
        if keep.all():
            return self
        return replace(self, src=self.src[keep], dst=self.dst[keep], kind=self.kind[keep], stance=self.stance[keep])


def index_corpus(
    posts: pl.DataFrame, edges: pl.DataFrame, *, rows: tuple[np.ndarray, np.ndarray] | None = None
) -> Indexed:
    """Map posts, authors and edges to integer arrays once.

    Edges whose endpoints are not posts are dropped (validated EDGES have none).
    ``rows``, each edge's source and target as row numbers of ``posts`` (as
    :func:`sna.edges.extract_edges` found them), saves looking the ids up; they
    are checked against the ids and looked up anyway when they do not match.

    Examples
    --------
    >>> posts = pl.DataFrame({"post_id": ["a", "b"], "thread_id": ["t", "t"], "position": [1, 2],
    ...                       "author": ["ann", None]})
    >>> edges = pl.DataFrame({"source": ["b"], "target": ["a"], "kind": ["reply"]})
    >>> ix = index_corpus(posts, edges)
    >>> ix.node_names.to_list(), ix.src.tolist(), ix.dst.tolist(), ix.stance.tolist()
    (['ann', '[post b]'], [1], [0], [-1])
    """
    n = posts.height
    ids = posts["post_id"]
    if rows is not None and _rows_match(ids, edges, rows):
        src_i, dst_i = rows
    else:  # sources and targets looked up in one join; rows keep their order
        found = rows_of(pl.concat([edges["source"], edges["target"]]), ids)
        src_i, dst_i = found[: edges.height], found[edges.height :]
    rows = np.flatnonzero((src_i >= 0) & (dst_i >= 0))
    kind = edges["kind"].replace_strict(KIND_CODES, return_dtype=pl.Int8).to_numpy()[rows]
    if "stance" in edges.columns:
        stance = edges["stance"].replace_strict(STANCE_CODES, default=-1, return_dtype=pl.Int8).to_numpy()[rows]
    else:
        stance = np.full(len(rows), -1, dtype=np.int8)
    unknown = posts.select(author_unknown()).to_series()
    if unknown.any():
        keys = posts.select(author_key(), author_unknown())
    else:  # every node is its author: no names to make up (what author_key gives then)
        keys = pl.DataFrame({"node": posts["author"].cast(pl.String), "anonymous": unknown})
    node = keys["node"]
    first = keys.with_row_index("_i").group_by("node", maintain_order=True).agg(pl.col("_i", "anonymous").first())
    codes = node.replace_strict(first["node"], np.arange(first.height, dtype=np.int64), return_dtype=pl.Int64)
    created = posts["created_at"] if "created_at" in posts.columns else None
    created_us = None
    if created is not None and created.null_count() < n:
        created_us = created.dt.epoch("us").fill_null(np.iinfo(np.int64).min).to_numpy()
    return Indexed(
        post_ids=ids,
        thread=posts["thread_id"].rank("dense").cast(pl.Int64).to_numpy() if n else np.zeros(0, np.int64),
        position=posts["position"].cast(pl.Int64).to_numpy(),
        node_names=first["node"],
        node=codes.to_numpy(),
        node_anonymous=first["anonymous"].to_numpy().astype(bool),
        src=src_i[rows].astype(np.int64),
        dst=dst_i[rows].astype(np.int64),
        kind=kind,
        stance=stance,
        created_us=created_us,
    )


def _rows_match(ids: pl.Series, edges: pl.DataFrame, rows: tuple[np.ndarray, np.ndarray]) -> bool:
    """Whether ``rows`` give each edge's source and target as row numbers of ``ids`` (gathering is cheap)."""
    for end, row in zip(("source", "target"), rows, strict=True):
        row = np.asarray(row)
        if len(row) != edges.height or (len(row) and (row.min() < 0 or row.max() >= len(ids))):
            return False
        if not ids.gather(row).eq_missing(edges[end]).all():
            return False
    return True


def _group_pairs(a: np.ndarray, b: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distinct (a, b) pairs in sorted order, and each input pair's group."""
    key = a * max(size, 1) + b
    unique, inverse = np.unique(key, return_inverse=True)
    return unique // max(size, 1), unique % max(size, 1), inverse


def post_links(posts: pl.DataFrame, edges: pl.DataFrame, *, index: Indexed | None = None) -> LinkArrays:
    """The post graph as arrays: one edge per (source, target), weight = EDGES rows.

    Examples
    --------
    >>> posts = pl.DataFrame({"post_id": ["a", "b", "c"], "thread_id": ["t"] * 3, "position": [1, 2, 3],
    ...                       "author": [None] * 3})
    >>> edges = pl.DataFrame({"source": ["b", "c", "c"], "target": ["a", "a", "a"],
    ...                       "kind": ["reply", "quote", "reply"]})
    >>> links = post_links(posts, edges)
    >>> links.src.tolist(), links.dst.tolist(), links.weight.tolist()
    ([1, 2], [0, 0], [1.0, 2.0])
    """
    ix = index or index_corpus(posts, edges)
    src, dst, group = _group_pairs(ix.src, ix.dst, ix.n_posts)
    weight = np.bincount(group, minlength=len(src)).astype(float)
    return LinkArrays(ix.post_ids, src, dst, weight)


def author_tables(
    posts: pl.DataFrame,
    edges: pl.DataFrame,
    *,
    index: Indexed | None = None,
    counted: tuple[str, ...] = EDGE_KINDS,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Author nodes and author edges, aggregated from posts and edges.

    Returns
    -------
    nodes : pl.DataFrame
        ``author`` (the node), ``posts``, ``self_replies``, ``anonymous`` —
        in order of each author's first post.
    links : pl.DataFrame
        ``source``, ``target`` (authors), ``weight`` (interactions of the
        ``counted`` kinds: what the measures use), counts per kind
        (``quote``, ``reply``, ``implicit``) and per stance (``agree``,
        ``neutral``, ``disagree``, over counted kinds), ``signed`` = agree −
        disagree. A pair linked only by kinds that are not counted has weight
        0. Self-replies are left out. Sorted by source and target.

    Parameters
    ----------
    counted : tuple of str
        Edge kinds the weights and stance counts include (e.g. ``("quote",
        "reply")`` to leave assumed links out).

    Examples
    --------
    >>> posts = pl.DataFrame({"post_id": ["1", "2", "3"], "thread_id": ["t"] * 3, "position": [1, 2, 3],
    ...                       "author": ["ann", "bo", "ann"]})
    >>> edges = pl.DataFrame({"source": ["2", "3"], "target": ["1", "2"], "kind": ["quote", "reply"],
    ...                       "stance": ["disagree", None]})
    >>> nodes, links = author_tables(posts, edges)
    >>> nodes.select("author", "posts").rows()
    [('ann', 2), ('bo', 1)]
    >>> links.select("source", "target", "weight", "disagree", "signed").rows()
    [('ann', 'bo', 1, 0, 0), ('bo', 'ann', 1, 1, -1)]
    """
    nodes, links, _ = author_tables_with_graph(index or index_corpus(posts, edges), counted)
    return nodes, links


def author_tables_with_graph(
    ix: Indexed, counted: tuple[str, ...] = EDGE_KINDS
) -> tuple[pl.DataFrame, pl.DataFrame, LinkArrays]:
    """:func:`author_tables` of an indexed corpus, and the author graph as arrays, built from node numbers.

    The graph is what :func:`links_from_tables` makes of the two tables,
    without looking the names up again.

    Examples
    --------
    >>> posts = pl.DataFrame({"post_id": ["1", "2", "3"], "thread_id": ["t"] * 3, "position": [1, 2, 3],
    ...                       "author": ["bo", "ann", "bo"]})
    >>> edges = pl.DataFrame({"source": ["2", "3"], "target": ["1", "2"], "kind": ["quote", "reply"]})
    >>> nodes, links, graph = author_tables_with_graph(index_corpus(posts, edges))
    >>> links.select("source", "target").rows(), graph.src.tolist(), graph.dst.tolist()
    ([('ann', 'bo'), ('bo', 'ann')], [0, 1], [1, 0])
    """
    n_nodes = len(ix.node_names)
    a, b = ix.node[ix.src], ix.node[ix.dst]
    self_reply = a == b
    nodes = pl.DataFrame(
        {
            "author": ix.node_names,
            "posts": np.bincount(ix.node, minlength=n_nodes).astype(np.int64),
            "self_replies": np.bincount(a[self_reply], minlength=n_nodes).astype(np.int64),
            "anonymous": ix.node_anonymous,
        }
    )
    keep = ~self_reply
    source, target, group = _group_pairs(a[keep], b[keep], n_nodes)
    kind, stance = ix.kind[keep].astype(np.int64), ix.stance[keep].astype(np.int64)
    counts = np.isin(kind, [KIND_CODES[k] for k in counted])
    # Links per pair and kind, and per pair and stance (over counted kinds), each in one pass: pair × code.
    n_kinds, n_stances = len(KIND_CODES), len(STANCE_CODES)
    by_kind = np.bincount(group * n_kinds + kind, minlength=len(source) * n_kinds).reshape(-1, n_kinds)
    labelled = counts & (stance >= 0)
    by_stance = np.bincount(group[labelled] * n_stances + stance[labelled], minlength=len(source) * n_stances)
    by_stance = by_stance.reshape(-1, n_stances)
    weight = by_kind[:, [KIND_CODES[k] for k in counted]].sum(axis=1).astype(np.int64)
    # Pairs come sorted by node numbers; the table is sorted by names: by each name's rank among the names.
    rank = np.empty(n_nodes, dtype=np.int64)
    rank[ix.node_names.arg_sort().to_numpy()] = np.arange(n_nodes)
    by_name = np.lexsort((rank[target], rank[source]))
    columns: dict[str, object] = {
        "source": ix.node_names.gather(source[by_name]),
        "target": ix.node_names.gather(target[by_name]),
        "weight": weight[by_name],
    }
    for name, code in KIND_CODES.items():
        columns[name] = by_kind[by_name, code].astype(np.int64)
    for name, code in STANCE_CODES.items():
        columns[name] = by_stance[by_name, code].astype(np.int64)
    links = pl.DataFrame(columns).with_columns(signed=pl.col("agree") - pl.col("disagree"))
    used = weight > 0
    return nodes, links, LinkArrays(ix.node_names, source[used], target[used], weight[used].astype(np.float64))


def links_from_tables(nodes: pl.DataFrame, links: pl.DataFrame) -> LinkArrays:
    """The author graph as arrays, from the tables :func:`author_tables` returns (pairs of weight 0 left out)."""
    names = nodes["author"]
    lookup = pl.DataFrame({"source": names, "_i": np.arange(len(names), dtype=np.int64)})
    joined = (
        links.select("source", "target", "weight")
        .filter(pl.col("weight") > 0)
        .join(lookup, on="source", how="inner")
        .join(lookup.rename({"source": "target", "_i": "_j"}), on="target", how="inner")
        .sort("_i", "_j")
    )
    return LinkArrays(
        names,
        joined["_i"].to_numpy().astype(np.int64),
        joined["_j"].to_numpy().astype(np.int64),
        joined["weight"].cast(pl.Float64).to_numpy(),
    )


def author_links(posts: pl.DataFrame, edges: pl.DataFrame) -> LinkArrays:
    """The author graph as arrays (weights = interactions).

    Examples
    --------
    >>> posts = pl.DataFrame({"post_id": ["1", "2"], "thread_id": ["t", "t"], "position": [1, 2],
    ...                       "author": ["ann", "bo"]})
    >>> edges = pl.DataFrame({"source": ["2"], "target": ["1"], "kind": ["quote"]})
    >>> author_links(posts, edges).nodes.to_list()
    ['ann', 'bo']
    """
    return links_from_tables(*author_tables(posts, edges))


def _attrs(row: dict[str, object]) -> dict[str, object]:
    """Node/edge attributes without nulls (GEXF and GraphML have no null)."""
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in row.items() if v is not None}


def post_node_table(posts: pl.DataFrame) -> pl.DataFrame:
    """Post-graph node attributes: thread, author, position, time, title, excerpt."""
    # lazily: an eager select evaluates the excerpt's shared subexpressions once per use (1.8x the CPU at 1M)
    return (
        posts.lazy()
        .select(
            "post_id",
            "thread_id",
            "author",
            "position",
            pl.col("created_at").dt.to_string("%Y-%m-%dT%H:%M:%SZ").alias("created_at"),
            excerpt("text").alias("excerpt"),
        )
        .collect()
    )


def post_edge_table(edges: pl.DataFrame) -> pl.DataFrame:
    """Post-graph edge attributes: kind, stance, stance score, quoted excerpt."""
    return (
        edges.lazy()
        .select(  # lazily, as post_node_table
            "source",
            "target",
            "kind",
            "stance",
            "stance_score",
            excerpt("quoted_text").alias("quoted"),
        )
        .collect()
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
    import networkx as nx

    graph = nx.MultiDiGraph()
    for row in post_node_table(posts).iter_rows(named=True):
        node = row.pop("post_id")
        graph.add_node(node, **_attrs(row))
    for row in post_edge_table(edges).iter_rows(named=True):
        source, target = row.pop("source"), row.pop("target")
        graph.add_edge(source, target, key=row["kind"], **_attrs(row))
    return graph


def author_graph(posts: pl.DataFrame, edges: pl.DataFrame, *, implicit_links: str = "ignore") -> nx.DiGraph:
    """The author graph: weighted, with counts by kind and stance; self-replies on nodes.

    ``weight`` counts links read from the source (quotes, replies), and assumed
    (implicit) links too when ``implicit_links="count"``; pairs linked only by
    links that are not counted are left out.

    Examples
    --------
    >>> posts = pl.DataFrame({"post_id": ["1", "2", "3"], "thread_id": ["t"] * 3, "position": [1, 2, 3],
    ...                       "author": ["ann", "bo", "bo"]})
    >>> edges = pl.DataFrame({"source": ["2", "3"], "target": ["1", "2"], "kind": ["quote", "reply"]})
    >>> g = author_graph(posts, edges)
    >>> g.nodes["bo"]["self_replies"], g.edges["bo", "ann"]["weight"]
    (1, 1)
    """
    nodes, links = author_tables(posts, edges, counted=counted_kinds(implicit_links))
    links = links.filter(pl.col("weight") > 0)
    import networkx as nx

    graph = nx.DiGraph()
    for row in nodes.iter_rows(named=True):
        graph.add_node(row.pop("author"), **_attrs(row))
    for row in links.iter_rows(named=True):
        graph.add_edge(row.pop("source"), row.pop("target"), **_attrs(row))
    return graph

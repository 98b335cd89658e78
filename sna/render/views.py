"""What the pictures draw: computed tables reshaped for drawing, and seeded layouts.

Nothing here computes a metric. A :class:`GraphView` is the author graph or
the post graph as arrays — nodes with their PageRank and camp from the metric
tables, edges with counts by kind and stance — cut to the most central nodes
when it is too large to draw. Layouts use igraph (Fruchterman–Reingold with a
grid above 1,000 nodes: about a second for 10,000 nodes, where networkx's
spring layout takes minutes) and are seeded, so reruns draw identical pictures.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import numpy as np
import polars as pl

from sna.analysis.report import Metrics
from sna.graph import KIND_CODES, STANCE_CODES, author_key, excerpt
from sna.render.style import colored_camps

#: Share of anonymous author nodes above which the post graph is drawn instead.
ANONYMOUS_SHARE = 0.5
LINK_COUNTS = ("weight", "quote", "reply", "implicit", "agree", "neutral", "disagree")


@dataclass(frozen=True)
class GraphView:
    """A graph ready to draw: node and edge arrays plus the tables behind them.

    Attributes
    ----------
    level : str
        ``"author"`` or ``"post"``.
    nodes : pl.DataFrame
        One row per drawn node: ``id``, ``label`` (short, for display) and the
        metric columns of ``author_metrics`` or ``post_metrics``.
    links : pl.DataFrame
        One row per drawn edge: ``source``, ``target`` and counts
        (``weight``, ``quote``, ``reply``, ``implicit``, ``agree``, ``neutral``,
        ``disagree``), ``src``/``dst`` (node rows).
    total_nodes, total_links : int
        Size of the whole graph (before cutting to ``max_nodes``).
    no_camps : str
        Why no node has a camp, for legends when none has.
    """

    level: str
    nodes: pl.DataFrame
    links: pl.DataFrame
    total_nodes: int
    total_links: int
    no_camps: str = "no stance labels,\nso no camps"

    @property
    def n(self) -> int:
        """Nodes drawn."""
        return self.nodes.height

    @property
    def m(self) -> int:
        """Edges drawn."""
        return self.links.height

    @property
    def truncated(self) -> bool:
        """Whether only the most central nodes are drawn."""
        return self.n < self.total_nodes

    @property
    def src(self) -> np.ndarray:
        """Edge sources (node rows)."""
        return self.links["src"].to_numpy()

    @property
    def dst(self) -> np.ndarray:
        """Edge targets (node rows)."""
        return self.links["dst"].to_numpy()

    @property
    def pagerank(self) -> np.ndarray:
        """PageRank per node, 0 where undefined."""
        return np.nan_to_num(self.nodes["pagerank"].cast(pl.Float64).fill_null(0.0).to_numpy(), nan=0.0)

    @property
    def camp(self) -> np.ndarray:
        """Camp per node, 0 for none (no agree/disagree link, or a camp below the minimum size)."""
        return self.nodes["camp"].cast(pl.Int64).fill_null(0).to_numpy()

    @property
    def has_camps(self) -> bool:
        """Whether camps exist (they need stance labels)."""
        return bool(self.nodes["camp"].drop_nulls().len())

    @property
    def colored_camps(self) -> list[int]:
        """Camps with two or more members (camps ``1..k``; at most eight): those drawn in colour."""
        return colored_camps(self.camp)

    @property
    def has_stance(self) -> bool:
        """Whether any drawn edge carries an agree, neutral or disagree label."""
        return bool(self.links.select(pl.sum_horizontal("agree", "neutral", "disagree").sum()).item() or 0)

    @property
    def stance(self) -> np.ndarray:
        """Each edge's stance code (``sna.graph.STANCE_CODES``; -1 unlabelled): the majority label."""
        return dominant_stance(self.links)

    @property
    def kind(self) -> np.ndarray:
        """Each edge's kind code (``sna.graph.KIND_CODES``): quote if any, else reply, else implicit."""
        return dominant_kind(self.links)

    @property
    def noun(self) -> str:
        """``"authors"`` or ``"posts"``."""
        return f"{self.level}s"


def dominant_stance(links: pl.DataFrame) -> np.ndarray:
    """Stance code per edge from its counts: the majority of agree/disagree, else neutral, else -1.

    Examples
    --------
    >>> links = pl.DataFrame({"agree": [2, 1, 0, 0], "neutral": [0, 5, 1, 0], "disagree": [1, 1, 0, 0]})
    >>> dominant_stance(links).tolist()
    [0, 1, 1, -1]
    """
    agree, neutral, disagree = (links[c].to_numpy() for c in ("agree", "neutral", "disagree"))
    out = np.full(len(agree), -1, dtype=np.int8)
    out[(agree + neutral + disagree) > 0] = STANCE_CODES["neutral"]
    out[agree > disagree] = STANCE_CODES["agree"]
    out[disagree > agree] = STANCE_CODES["disagree"]
    return out


def dominant_kind(links: pl.DataFrame) -> np.ndarray:
    """Kind code per edge: quote when any quote, else reply when any reply, else implicit.

    Examples
    --------
    >>> dominant_kind(pl.DataFrame({"quote": [0, 1, 0], "reply": [1, 1, 0], "implicit": [0, 0, 2]})).tolist()
    [1, 0, 2]
    """
    out = np.full(links.height, KIND_CODES["implicit"], dtype=np.int8)
    out[links["reply"].to_numpy() > 0] = KIND_CODES["reply"]
    out[links["quote"].to_numpy() > 0] = KIND_CODES["quote"]
    return out


def post_label(post_id: str, thread_id: str | None = None, author: str | None = None) -> str:
    """Short display label of a post: ``#N`` when its id is ``thread#N``, with the author if known.

    Examples
    --------
    >>> post_label("forum-thread#12", "forum-thread", "ann")
    '#12 ann'
    >>> post_label("t3_abc")
    't3_abc'
    """
    label = post_id
    if thread_id and post_id.startswith(f"{thread_id}#"):
        label = post_id[len(thread_id) :]
    return f"{label} {author}" if author else label


def _post_labels(table: pl.DataFrame) -> pl.Expr:
    stripped = (
        pl.when(pl.col("post_id").str.starts_with(pl.col("thread_id") + "#"))
        .then(pl.col("post_id").str.slice(pl.col("thread_id").str.len_chars()))
        .otherwise(pl.col("post_id"))
    )
    if "author" not in table.columns:
        return stripped
    return pl.when(pl.col("author").is_not_null()).then(stripped + " " + pl.col("author")).otherwise(stripped)


def post_links_table(edges: pl.DataFrame) -> pl.DataFrame:
    """EDGES grouped per (source, target) with the counts author edges carry.

    Examples
    --------
    >>> edges = pl.DataFrame({"source": ["b", "b", "c"], "target": ["a", "a", "a"],
    ...     "kind": ["quote", "reply", "implicit"], "stance": ["disagree", "disagree", None]})
    >>> post_links_table(edges).select("source", "weight", "quote", "disagree").rows()
    [('b', 2, 1, 2), ('c', 1, 0, 0)]
    """
    stance = pl.col("stance") if "stance" in edges.columns else pl.lit(None, pl.String)
    counts = [pl.len().cast(pl.Int64).alias("weight")]
    counts += [(pl.col("kind") == k).sum().cast(pl.Int64).alias(k) for k in KIND_CODES]
    counts += [(stance == s).sum().cast(pl.Int64).alias(s) for s in STANCE_CODES]
    extra = []
    if "stance_score" in edges.columns:
        extra.append(pl.col("stance_score").mean().alias("stance_score"))
    if "quoted_text" in edges.columns:
        extra.append(pl.col("quoted_text").drop_nulls().first().alias("quoted_text"))
    return edges.group_by("source", "target").agg(*counts, *extra).sort("source", "target")


def _attach(nodes: pl.DataFrame, links: pl.DataFrame) -> pl.DataFrame:
    """Add node rows ``src``/``dst`` to links, dropping links to nodes not drawn."""
    index = nodes.select(pl.col("id"), pl.int_range(pl.len(), dtype=pl.Int64).alias("_i"))
    return (
        links.join(index.rename({"id": "source", "_i": "src"}), on="source", how="inner", maintain_order="left")
        .join(index.rename({"id": "target", "_i": "dst"}), on="target", how="inner", maintain_order="left")
        .filter(pl.col("src") != pl.col("dst"))
    )


def _top(nodes: pl.DataFrame, max_nodes: int | None) -> pl.DataFrame:
    if max_nodes is None or nodes.height <= max_nodes:
        return nodes
    ranked = nodes.with_row_index("_order").sort(
        pl.col("pagerank").fill_null(0.0).fill_nan(0.0), "_order", descending=[True, False]
    )
    return ranked.head(max_nodes).sort("_order").drop("_order")


def author_view(metrics: Metrics, posts: pl.DataFrame | None = None, *, max_nodes: int | None = None) -> GraphView:
    """The author graph from ``author_metrics`` and ``author_edges``.

    Parameters
    ----------
    metrics : Metrics
        Computed metric tables.
    posts : pl.DataFrame, optional
        POSTS; when given, each author gets the ``excerpt`` of their most
        central post (by post PageRank) for tooltips.
    max_nodes : int, optional
        Keep only this many authors, those with the highest PageRank.

    Examples
    --------
    >>> import sna
    >>> view = author_view(sna.load("data/raw").metrics())
    >>> view.level, view.n, view.m, view.nodes["label"][1]
    ('author', 32, 31, '[post #2]')
    """
    table = metrics.author_metrics
    threads = metrics.post_metrics.select("post_id", "thread_id")
    nodes = table.with_columns(pl.col("author").alias("id"))
    anonymous = nodes["author"].str.extract(r"^\[post (.*)\]$")
    # "[post thread#N]" → "[post #N]"
    lookup = dict(threads.iter_rows())
    labels = [
        name if post is None else f"[post {post_label(post, lookup.get(post))}]"
        for name, post in zip(nodes["author"].to_list(), anonymous.to_list(), strict=True)
    ]
    nodes = nodes.with_columns(label=pl.Series(labels, dtype=pl.String))
    if posts is not None and "text" in posts.columns:
        best = (
            posts.select("post_id", author_key().alias("id"), "text")
            .join(metrics.post_metrics.select("post_id", "pagerank"), on="post_id", how="left")
            .with_row_index("_order")
            .sort(pl.col("pagerank").fill_null(0.0).fill_nan(0.0), "_order", descending=[True, False])
            .unique("id", keep="first", maintain_order=True)
            .select("id", pl.col("post_id").alias("top_post"), excerpt("text").alias("excerpt"))
        )
        nodes = nodes.join(best, on="id", how="left", maintain_order="left")
    nodes = nodes.select("id", "label", pl.all().exclude("id", "label"))
    total = nodes.height
    nodes = _top(nodes, max_nodes)
    links = _attach(nodes, metrics.author_edges)
    return GraphView("author", nodes, links, total, metrics.author_edges.height, no_camps_reason(metrics, "author"))


def post_view(posts: pl.DataFrame, edges: pl.DataFrame, metrics: Metrics, *, max_nodes: int | None = None) -> GraphView:
    """The post graph from ``post_metrics`` and EDGES (grouped per pair of posts).

    Examples
    --------
    >>> import sna
    >>> corpus = sna.load("data/raw")
    >>> view = post_view(corpus.posts, corpus.edges, corpus.metrics())
    >>> view.level, view.n, view.m, view.nodes["label"][0]
    ('post', 32, 31, '#1 Varun')
    """
    extra = [
        c for c in ("position", "created_at", "title") if c in posts.columns and c not in metrics.post_metrics.columns
    ]
    text = [excerpt("text").alias("excerpt")] if "text" in posts.columns else []
    nodes = (
        metrics.post_metrics.join(
            posts.select("post_id", *extra, *text), on="post_id", how="left", maintain_order="left"
        )
        .with_columns(pl.col("post_id").alias("id"))
        .with_columns(label=_post_labels(metrics.post_metrics))
        .select("id", "label", pl.all().exclude("id", "label"))
    )
    links = post_links_table(edges)
    total_nodes, total_links = nodes.height, links.height
    nodes = _top(nodes, max_nodes)
    return GraphView("post", nodes, _attach(nodes, links), total_nodes, total_links, no_camps_reason(metrics, "post"))


def no_camps_reason(metrics: Metrics, level: str) -> str:
    """Why a graph's nodes have no camp, from the summary: no stance, camps per thread, or no signed link.

    Examples
    --------
    >>> import sna
    >>> no_camps_reason(sna.load("data/raw", stance=False).metrics(), "author").splitlines()
    ['no stance labels,', 'so no camps']
    """
    camps = metrics.summary.get("camps") or {}
    if not camps.get("available"):
        return "no stance labels,\nso no camps"
    if camps.get("camps_by") == "thread" and level == "author":
        return "camps are per thread:\nsee thread pictures, thread_camps"
    return "no camp of two or more"


def mostly_anonymous(metrics: Metrics) -> bool:
    """Whether most author-graph nodes are posts without an author (then draw the post graph).

    Examples
    --------
    >>> import sna
    >>> mostly_anonymous(sna.load("data/raw").metrics())
    True
    """
    anonymous = metrics.author_metrics["anonymous"]
    return bool(len(anonymous)) and float(anonymous.mean() or 0.0) > ANONYMOUS_SHARE


def graph_view(
    posts: pl.DataFrame,
    edges: pl.DataFrame,
    metrics: Metrics,
    *,
    level: str = "auto",
    max_nodes: int | None = None,
) -> GraphView:
    """The author graph, or the post graph when ``level="post"`` or most authors are unknown."""
    if level not in ("auto", "author", "post"):
        raise ValueError(f"level must be 'auto', 'author' or 'post', not {level!r}")
    if level == "post" or (level == "auto" and mostly_anonymous(metrics)):
        return post_view(posts, edges, metrics, max_nodes=max_nodes)
    return author_view(metrics, posts, max_nodes=max_nodes)


def post_camps(posts: pl.DataFrame, metrics: Metrics, level: str) -> pl.DataFrame:
    """Camp of each post for colouring: its author's camp (``level="author"``) or its own.

    With camps per thread, an author's camp is the one they have in the post's thread.

    Examples
    --------
    >>> import sna
    >>> corpus = sna.load("data/raw")
    >>> post_camps(corpus.posts, corpus.metrics(), "author").columns
    ['post_id', 'camp']
    """
    if level == "author":
        nodes = posts.select("post_id", "thread_id", author_key().alias("_node"))
        if metrics.thread_camps.height:
            by_thread = metrics.thread_camps.select("thread_id", pl.col("author").alias("_node"), "camp")
            return nodes.join(by_thread, on=["thread_id", "_node"], how="left", maintain_order="left").select(
                "post_id", "camp"
            )
        authors = metrics.author_metrics.select(pl.col("author").alias("_node"), "camp")
        return nodes.join(authors, on="_node", how="left", maintain_order="left").select("post_id", "camp")
    return metrics.post_metrics.select("post_id", "camp")


# Layouts --------------------------------------------------------------------


def _seeded_igraph(seed: int):
    """Seed igraph's random numbers (it uses a global generator) and return the module."""
    import igraph as ig

    ig.set_random_number_generator(random.Random(seed))
    return ig


def _restore_igraph() -> None:
    import igraph as ig

    ig.set_random_number_generator(random)


SMALL_GRAPH = 300


def force_layout(n: int, src: np.ndarray, dst: np.ndarray, *, seed: int = 0) -> np.ndarray:
    """Node positions, seeded: Kamada–Kawai up to 300 nodes, else Fruchterman–Reingold (grid above 1,000).

    Both are igraph's. Kamada–Kawai gives even edge lengths on small graphs;
    Fruchterman–Reingold with a grid lays out 10,000 nodes in about a second.
    Components are laid out together; isolated nodes end up around the edge.
    Returns an ``(n, 2)`` array scaled into the unit square.

    Examples
    --------
    >>> pos = force_layout(4, np.array([0, 1, 2]), np.array([1, 2, 3]), seed=1)
    >>> pos.shape, bool((pos >= 0).all() and (pos <= 1).all())
    ((4, 2), True)
    >>> bool((force_layout(4, np.array([0, 1, 2]), np.array([1, 2, 3]), seed=1) == pos).all())
    True
    """
    if n == 0:
        return np.zeros((0, 2))
    if n == 1:
        return np.full((1, 2), 0.5)
    try:
        ig = _seeded_igraph(seed)
        pairs = np.unique(np.sort(np.stack([src, dst], axis=1), axis=1), axis=0) if len(src) else np.zeros((0, 2))
        graph = ig.Graph(n=n, edges=pairs.astype(np.int64).tolist(), directed=False)
        if n <= SMALL_GRAPH:
            layout = graph.layout_kamada_kawai(maxiter=50 * n)
        else:
            layout = graph.layout_fruchterman_reingold(grid="auto")
        coords = np.asarray(layout.coords, dtype=float)
    finally:
        _restore_igraph()
    return _unit(coords)


def _unit(coords: np.ndarray) -> np.ndarray:
    """Scale positions into [0, 1]² keeping the aspect ratio.

    In graphs of 50 nodes or more, the farthest 2% of nodes (typically small
    components and isolated nodes, which force layouts push far out) are
    pulled in onto a ring just outside the rest, so they do not shrink the
    main component to a dot.
    """
    coords = coords - np.median(coords, axis=0)
    if len(coords) >= 50:
        distance = np.hypot(coords[:, 0], coords[:, 1])
        reach = float(np.quantile(distance, 0.98)) * 1.08
        far = distance > reach
        if reach > 0 and far.any():
            coords[far] *= (reach / distance[far])[:, None]
    low = coords.min(axis=0)
    span = float(np.ptp(coords, axis=0).max()) or 1.0
    out = (coords - low) / span
    return out + (1 - out.max(axis=0)) / 2


def tree_layout(parent: np.ndarray) -> np.ndarray:
    """A tidy layered layout (Reingold–Tilford) of a tree: x spread, y = -depth.

    Parameters
    ----------
    parent : np.ndarray
        Parent row of each node, -1 for the root (exactly one root, node 0 or any).

    Examples
    --------
    >>> pos = tree_layout(np.array([-1, 0, 0, 1]))
    >>> pos[:, 1].tolist()
    [0.0, -1.0, -1.0, -2.0]
    >>> bool(pos[1, 0] < pos[0, 0] < pos[2, 0])
    True
    """
    import igraph as ig

    n = len(parent)
    if n == 0:
        return np.zeros((0, 2))
    child = np.flatnonzero(parent >= 0)
    roots = np.flatnonzero(parent < 0).tolist()
    graph = ig.Graph(n=n, edges=np.stack([parent[child], child], axis=1).tolist(), directed=True)
    coords = np.asarray(graph.layout_reingold_tilford(mode="out", root=roots).coords, dtype=float)
    coords[:, 1] = -coords[:, 1]
    coords[:, 0] -= coords[:, 0].min()
    return coords + 0.0  # no negative zeros

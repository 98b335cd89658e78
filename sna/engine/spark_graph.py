"""``--graph-on cluster``: the author graph as Spark DataFrame work; degrees, PageRank, components where it fits.

With ``sna run DIR --engine spark --graph-on cluster`` the driver never holds
the corpus's POSTS or EDGES (beyond :data:`sna.engine.spark.COLLECT_LIMIT`
posts, which are collected only to be written through the local writer):

* **on the cluster** (DataFrame aggregations): the author nodes and links
  (:func:`author_frames`, the weights and counts of
  :func:`sna.graph.author_tables`, the same ``counted`` kinds, the per-edge
  join of authors persisted once); links received per author; the ingest
  counts; the reply and quote cascades (per thread, in the per-thread step);
* **collected**: the author nodes and links (one row per author and per
  linked pair, never per post). When the author graph has at most
  :data:`DRIVER_NODES` nodes and :data:`DRIVER_LINKS` links, in/out and
  weighted degrees, weighted PageRank and weakly connected components are
  computed **on the driver** by the local engine's own code
  (:func:`driver_measures`), so they equal its values bit for bit: iterating
  them as Spark jobs over a graph the driver holds anyway would only add a
  job per step. Above those limits they run **on the cluster** as DataFrame
  iterations: weighted PageRank (:func:`pagerank_frame`: damping 0.85,
  dangling mass spread evenly over all nodes, uniform teleport, as
  :func:`sna.analysis.centrality.pagerank`) by power iteration until the L1
  change of a step is at most :data:`PAGERANK_TOL`, each step checkpointed;
  weakly connected components (:func:`weak_components`, minimum-label
  propagation, checkpointed); degrees as aggregations.
  ``summary.json["engine"]["measured_on"]`` says which (``driver`` or ``cluster``);
* **on the driver**, over the author graph: its size, density and
  reciprocity, betweenness, harmonic closeness, HITS, Katz, strongly
  connected components, modularity communities and agreement camps
  (``camps_by="corpus"``). When the author graph has more than
  ``DRIVER_NODES`` nodes or ``DRIVER_LINKS`` links, these run on the
  subgraph induced by the ``DRIVER_NODES`` authors of highest PageRank; the
  other authors get nulls there, and ``summary.json["engine"]["driver_subgraph"]``
  says which graph they were computed on.

Not written: ``post_metrics`` (post-graph centrality and camps need the whole
post graph: PageRank's dangling mass and sampled betweenness couple all
threads), the post graph's summary and files, post-graph camps and
``camps_by="thread"`` camps; ``summary.json`` gives the reason.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import polars as pl

from sna.analysis.centrality import Convergence
from sna.graph import PLACEHOLDER_AUTHORS, counted_kinds
from sna.schema import EDGE_KINDS, STANCES

if TYPE_CHECKING:
    from pyspark.sql import Column, DataFrame, SparkSession

    from sna.graph import LinkArrays

#: Power iteration stops when one step moves PageRank by at most this (L1); the error left is
#: at most ``tol * 0.85 / 0.15`` in L1, so every node is within 1e-10 of the exact solution.
PAGERANK_TOL = 1e-11
PAGERANK_MAX_ITER = 1_000
#: The driver computes the remaining measures on the whole author graph up to this size.
DRIVER_NODES = 2_000_000
DRIVER_LINKS = 20_000_000

ON_CLUSTER = ["author graph", "links received", "ingest counts", "cascades"]
#: Computed on the driver by the local engine's code when the author graph is within the driver limits, else as
#: DataFrame iterations on the cluster (``summary.json["engine"]["measured_on"]``).
ITERATED = ["in/out and weighted degrees", "pagerank", "weak components"]
ON_DRIVER = ["graph size, density, reciprocity", "betweenness", "harmonic", "hits", "katz", "strong components",
             "communities", "camps (author graph)"]  # fmt: skip


def placement(measured_on: str) -> dict[str, list[str]]:
    """What ran on the cluster and what on the driver, for ``summary.json["engine"]``.

    Examples
    --------
    >>> placement("driver")["on_driver"][:3]
    ['in/out and weighted degrees', 'pagerank', 'weak components']
    >>> "pagerank" in placement("cluster")["on_cluster"]
    True
    """
    if measured_on == "driver":
        return {"on_cluster": ON_CLUSTER, "on_driver": ITERATED + ON_DRIVER}
    return {"on_cluster": ON_CLUSTER[:1] + ITERATED + ON_CLUSTER[1:], "on_driver": ON_DRIVER}


NOT_COMPUTED = {
    "post_metrics": "post-graph centrality needs the whole post graph on one machine (PageRank's dangling mass "
    "and sampled betweenness couple all threads); run with --graph-on driver for it",
}


def checkpoint_kind(spark: SparkSession) -> str:
    """How iterations cut their lineage: ``reliable`` where a checkpoint folder is set, else ``local``.

    With a folder set on the SparkContext (``spark.checkpoint.dir`` or
    ``setCheckpointDir``, on a cluster a shared file system) every step is
    written there and survives a lost executor. Without one, each step is a
    ``localCheckpoint``: kept in the executors' block stores (memory, then
    disk), which costs no write to a shared folder but fails the job if an
    executor is lost (nothing left to recompute from). Either way the plan
    never grows with the iterations.
    """
    return "reliable" if spark.sparkContext.getCheckpointDir() else "local"


def _cut(frame: DataFrame, how: str) -> DataFrame:
    return frame.checkpoint(eager=True) if how == "reliable" else frame.localCheckpoint(eager=True)


def author_unknown_column() -> Column:
    """Spark twin of :func:`sna.graph.author_unknown`: null, or a placeholder name such as ``[deleted]``."""
    from pyspark.sql import functions as F  # noqa: N812 - Spark's own convention

    author = F.col("author")
    trimmed = F.lower(F.regexp_replace(author, r"(?U)^\s+|\s+$", ""))
    return author.isNull() | trimmed.isin(sorted(PLACEHOLDER_AUTHORS))


def post_nodes(posts: DataFrame) -> DataFrame:
    """Each post's author-graph node, as :func:`sna.graph.author_key` names it.

    Columns ``post_id``, ``thread_id``, ``position``, ``placeholder``,
    ``created_at``, ``anonymous``, ``node``.
    """
    from pyspark.sql import functions as F  # noqa: N812 - Spark's own convention

    post = F.col("post_id")
    own = F.when(post.startswith("[thread "), post).otherwise(F.concat(F.lit("[post "), post, F.lit("]")))
    keyed = posts.select("post_id", "thread_id", "position", "author", F.coalesce("placeholder", F.lit(False))
                         .alias("placeholder"), "created_at", author_unknown_column().alias("anonymous"),
                         own.alias("_own"))  # fmt: skip
    taken = keyed.filter(~F.col("anonymous")).select(F.col("author").alias("_own")).distinct()
    taken = taken.withColumn("_taken", F.lit(True))
    node = (
        F.when(~F.col("anonymous"), F.col("author"))
        .when(F.col("_taken").isNotNull(), F.concat(F.col("_own"), F.lit(" (unknown author)")))
        .otherwise(F.col("_own"))
    )
    return keyed.join(taken, "_own", "left").select(
        "post_id", "thread_id", "position", "placeholder", "created_at", "anonymous", node.alias("node")
    )


def author_frames(posts: DataFrame, edges: DataFrame, *, implicit_links: str) -> tuple[DataFrame, DataFrame, DataFrame]:
    """The author nodes and links as Spark DataFrames, and the per-edge table they come from.

    ``nodes``: ``author``, ``posts``, ``self_replies``, ``anonymous``, and the
    first post's ``_thread``, ``_position``, ``_placeholder`` (for the order of
    :func:`sna.graph.author_tables`, nodes in order of their first post) and
    ``_first`` (earliest post time). ``links``: the columns of
    :func:`sna.graph.author_tables` plus ``_first`` (earliest edge time), self
    pairs left out (unsorted). ``pairs``: per edge ``a``, ``b`` (nodes),
    ``kind``, ``stance``, ``counted``.
    """
    from pyspark.sql import functions as F  # noqa: N812 - Spark's own convention

    counted = counted_kinds(implicit_links)
    keyed = post_nodes(posts)
    ends = keyed.select("post_id", "node")
    stance = F.col("stance") if "stance" in edges.columns else F.lit(None).cast("string")
    created = F.col("created_at") if "created_at" in edges.columns else F.lit(None).cast("timestamp")
    pairs = (
        edges.select("source", "target", "kind", stance.alias("stance"), created.alias("_created"))
        .join(ends.withColumnRenamed("post_id", "source").withColumnRenamed("node", "a"), "source")
        .join(ends.withColumnRenamed("post_id", "target").withColumnRenamed("node", "b"), "target")
        .select("a", "b", "kind", "stance", "_created", F.col("kind").isin(list(counted)).alias("counted"))
    )
    first = F.min(F.struct("thread_id", "position", "anonymous", "placeholder"))
    nodes = keyed.groupBy("node").agg(F.count(F.lit(1)).alias("posts"), first.alias("_f"),
                                      F.min("created_at").alias("_first"))  # fmt: skip
    selfs = pairs.filter(F.col("a") == F.col("b")).groupBy("a").agg(F.count(F.lit(1)).alias("self_replies"))
    nodes = nodes.join(selfs.withColumnRenamed("a", "node"), "node", "left").select(
        F.col("node").alias("author"), "posts", F.coalesce("self_replies", F.lit(0)).cast("long").alias("self_replies"),
        F.col("_f.anonymous").alias("anonymous"), F.col("_f.thread_id").alias("_thread"),
        F.col("_f.position").alias("_position"), F.col("_f.placeholder").alias("_placeholder"), "_first",
    )  # fmt: skip

    def count(condition: Column) -> Column:
        return F.sum(F.when(condition, 1).otherwise(0)).cast("long")

    links = (
        pairs.filter(F.col("a") != F.col("b"))
        .groupBy("a", "b")
        .agg(
            count(F.col("counted")).alias("weight"),
            *[count(F.col("kind") == kind).alias(kind) for kind in EDGE_KINDS],
            *[count(F.col("counted") & (F.col("stance") == s)).alias(s) for s in STANCES],
            F.min("_created").alias("_first"),
        )
        .withColumn("signed", F.col("agree") - F.col("disagree"))
        .select(
            F.col("a").alias("source"), F.col("b").alias("target"), "weight", *EDGE_KINDS, *STANCES, "signed", "_first"
        )
    )
    return nodes, links, pairs


def degree_frame(nodes: DataFrame, links: DataFrame) -> DataFrame:
    """``author``, ``in_degree``, ``out_degree``, ``in_weight``, ``out_weight`` over links of weight > 0."""
    from pyspark.sql import functions as F  # noqa: N812 - Spark's own convention

    drawn = links.filter(F.col("weight") > 0)
    out = drawn.groupBy(F.col("source").alias("author")).agg(
        F.count(F.lit(1)).alias("out_degree"), F.sum(F.col("weight").cast("double")).alias("out_weight")
    )
    into = drawn.groupBy(F.col("target").alias("author")).agg(
        F.count(F.lit(1)).alias("in_degree"), F.sum(F.col("weight").cast("double")).alias("in_weight")
    )
    return (
        nodes.select("author")
        .join(into, "author", "left")
        .join(out, "author", "left")
        .select(
            "author",
            F.coalesce("in_degree", F.lit(0)).cast("long").alias("in_degree"),
            F.coalesce("out_degree", F.lit(0)).cast("long").alias("out_degree"),
            F.coalesce("in_weight", F.lit(0.0)).alias("in_weight"),
            F.coalesce("out_weight", F.lit(0.0)).alias("out_weight"),
        )
    )


def pagerank_frame(
    nodes: DataFrame,
    links: DataFrame,
    *,
    cut: str,
    alpha: float = 0.85,
    tol: float = PAGERANK_TOL,
    max_iter: int = PAGERANK_MAX_ITER,
) -> tuple[DataFrame, Convergence]:
    """Weighted PageRank by power iteration as DataFrame joins: ``author``, ``pagerank``.

    One step: ``x' = alpha * (A_w^T x + dangling / n) + (1 - alpha) / n``,
    where ``A_w`` divides each link's weight by its source's out-weight and
    ``dangling`` is the rank held by nodes without out-links; then ``x'`` is
    divided by its sum, as :func:`sna.analysis.centrality.pagerank_checked`
    does. From the uniform vector until a step moves it by at most ``tol``
    (L1, measured before the division, which moves a sum of 1 by ~1e-16).
    Each step is checkpointed (``cut``: the plan never grows; a plan that
    reads the step before twice doubles with every step left uncut), then
    one aggregation gives its sum, change and dangling rank.
    """
    from pyspark.sql import functions as F  # noqa: N812 - Spark's own convention

    n = nodes.count()
    if n == 0:
        return nodes.select("author", F.lit(0.0).alias("pagerank")), Convergence("pagerank", 0, True, 0.0)
    drawn = links.filter(F.col("weight") > 0).select("source", "target", F.col("weight").cast("double").alias("w"))
    out = drawn.groupBy("source").agg(F.sum("w").alias("_out"))
    share = drawn.join(out, "source").select("source", "target", (F.col("w") / F.col("_out")).alias("share"))
    share = _cut(share, cut)
    flags = nodes.select("author").join(
        out.select(F.col("source").alias("author"), F.lit(False).alias("_has_out")), "author", "left"
    )
    state = _cut(flags.select("author", F.col("_has_out").isNull().alias("dangling"), F.lit(1.0 / n).alias("x")), cut)
    dangling = float(state.filter("dangling").agg(F.coalesce(F.sum("x"), F.lit(0.0))).first()[0])
    used, change = 0, float("inf")
    while used < max_iter:
        spread = (
            share.join(state.select(F.col("author").alias("source"), "x"), "source")
            .groupBy(F.col("target").alias("author"))
            .agg(F.sum(F.col("share") * F.col("x")).alias("_in"))
        )
        raw = F.lit(alpha) * (F.coalesce("_in", F.lit(0.0)) + F.lit(dangling) / n) + F.lit((1 - alpha) / n)
        stepped = _cut(
            state.join(spread, "author", "left").select("author", "dangling", F.col("x").alias("_x"), raw.alias("_y")),
            cut,
        )
        row = stepped.agg(
            F.sum("_y").alias("total"),
            F.sum(F.abs(F.col("_y") - F.col("_x"))).alias("change"),
            F.coalesce(F.sum(F.when(F.col("dangling"), F.col("_y"))), F.lit(0.0)).alias("dangling"),
        ).first()
        total = float(row["total"])
        change, dangling, used = float(row["change"]), float(row["dangling"]) / total, used + 1
        state = stepped.select("author", "dangling", (F.col("_y") / total).alias("x"))
        if change <= tol:
            break
    return state.select("author", F.col("x").alias("pagerank")), Convergence("pagerank", used, change <= tol, change)


def weak_components(nodes: DataFrame, links: DataFrame, *, cut: str) -> DataFrame:
    """``author``, ``component`` (the least node name in its weakly connected component), over links of weight > 0.

    Minimum-label propagation over both directions of every link, each round
    checkpointed (``cut``), until no label moves: as many rounds as the
    longest shortest path from a node to its component's least name.
    """
    from pyspark.sql import functions as F  # noqa: N812 - Spark's own convention

    drawn = links.filter(F.col("weight") > 0)
    both = drawn.select(F.col("source").alias("u"), F.col("target").alias("v")).union(
        drawn.select(F.col("target").alias("u"), F.col("source").alias("v"))
    )
    both = _cut(both.distinct(), cut)
    labels = _cut(nodes.select("author", F.col("author").alias("component")), cut)
    while True:
        offered = (
            both.join(labels.select(F.col("author").alias("u"), F.col("component").alias("_c")), "u")
            .groupBy(F.col("v").alias("author"))
            .agg(F.min("_c").alias("_m"))
        )
        moved = _cut(
            labels.join(offered, "author", "left").select(
                "author", F.least("component", F.coalesce("_m", "component")).alias("component"),
                F.coalesce(F.col("_m") < F.col("component"), F.lit(False)).alias("_moved"),
            ),
            cut,
        )  # fmt: skip
        labels = moved.select("author", "component")
        if not moved.agg(F.max("_moved")).first()[0]:
            return labels


@dataclass(frozen=True)
class ClusterGraph:
    """What the cluster computed, collected at the author level.

    Attributes
    ----------
    nodes : pl.DataFrame
        ``author``, ``posts``, ``self_replies``, ``anonymous`` in order of each author's first post.
    links : pl.DataFrame
        The author links (:func:`sna.graph.author_tables`' columns), sorted by source and target.
    measures : pl.DataFrame
        Per node (same order): degrees, ``pagerank``, ``replies_received``,
        ``implicit_received``, ``agree_in``, ``disagree_in``, ``component``.
    firsts : pl.DataFrame
        Per node ``post_id`` (a stand-in), ``author``, ``position``,
        ``placeholder`` of its first post and ``created_at`` (earliest): the
        posts :func:`sna.analysis.views.author_view` and
        :func:`sna.export.graph_file_tables` read, one row per node.
    pair_times : pl.DataFrame
        ``source``, ``target`` (stand-in post ids), ``created_at``: the earliest edge of each linked pair.
    convergence : Convergence
        How PageRank's iteration ended.
    facts : dict
        Ingest counts, edge counts, graph size figures, stance flag.
    measured_on : str
        Where degrees, PageRank and components were computed: ``driver``
        (the local engine's code, the author graph within the driver limits)
        or ``cluster`` (DataFrame iterations).
    arrays : LinkArrays or None
        The collected author graph as arrays (reused by :func:`cluster_metrics`; ``None`` when not given).
    """

    nodes: pl.DataFrame
    links: pl.DataFrame
    measures: pl.DataFrame
    firsts: pl.DataFrame
    pair_times: pl.DataFrame
    convergence: Convergence
    facts: dict[str, Any]
    measured_on: str = "cluster"
    arrays: LinkArrays | None = None


def cluster_graph(
    spark: SparkSession,
    posts: DataFrame,
    edges: DataFrame,
    *,
    implicit_links: str,
    max_nodes: int = DRIVER_NODES,
    max_links: int = DRIVER_LINKS,
) -> ClusterGraph:
    """Run the cluster side of ``--graph-on cluster`` and collect its author-level results.

    The author nodes and links are aggregated on the cluster and collected.
    When the author graph has at most ``max_nodes`` nodes and ``max_links``
    links (of weight > 0), degrees, PageRank and weak components are computed
    on the driver by the local engine's own code (:func:`driver_measures`),
    so they equal the local engine's bit for bit; above that, as DataFrame
    iterations on the cluster (:func:`pagerank_frame`, :func:`weak_components`).
    """
    from pyspark import StorageLevel
    from pyspark.sql import functions as F  # noqa: N812 - Spark's own convention

    from sna.graph import links_from_tables

    nodes, links, pairs = author_frames(posts, edges, implicit_links=implicit_links)
    pairs = pairs.persist(StorageLevel.MEMORY_AND_DISK)  # read by nodes, links, links received and the facts
    nodes = nodes.persist(StorageLevel.MEMORY_AND_DISK)
    links = links.persist(StorageLevel.MEMORY_AND_DISK)
    try:
        node_table = pl.from_arrow(nodes.toArrow()).sort("_thread", "_position")
        link_table = pl.from_arrow(links.toArrow()).sort("source", "target")
        assert isinstance(node_table, pl.DataFrame) and isinstance(link_table, pl.DataFrame)
        arrays = links_from_tables(node_table, link_table)
        on_driver = arrays.n <= max_nodes and arrays.m <= max_links
        received = pairs.groupBy(F.col("b").alias("author")).agg(
            F.sum(F.when((F.col("a") != F.col("b")) & (F.col("kind") != "implicit"), 1).otherwise(0))
            .cast("long").alias("replies_received"),
            F.sum(F.when((F.col("a") != F.col("b")) & (F.col("kind") == "implicit"), 1).otherwise(0))
            .cast("long").alias("implicit_received"),
            F.sum(F.when(F.col("counted") & (F.col("stance") == "agree"), 1).otherwise(0))
            .cast("long").alias("_agree"),
            F.sum(F.when(F.col("counted") & (F.col("stance") == "disagree"), 1).otherwise(0))
            .cast("long").alias("_disagree"),
        )  # fmt: skip
        facts = _facts(posts, edges, pairs, link_table)
        order = node_table.select("author")
        if on_driver:
            measure_table, convergence = driver_measures(arrays)
            counts = pl.from_arrow(received.toArrow())
            assert isinstance(counts, pl.DataFrame)
            measure_table = measure_table.join(counts, on="author", how="left", maintain_order="left")
            zero = pl.lit(0, pl.Int64)
            measure_table = measure_table.select(
                "author", "in_degree", "out_degree", "in_weight", "out_weight", "pagerank",
                pl.col("replies_received", "implicit_received").fill_null(zero),
                *[(pl.col(c).fill_null(zero) if facts["has_stance"] else pl.lit(None, pl.Int64)).alias(name)
                  for c, name in (("_agree", "agree_in"), ("_disagree", "disagree_in"))],
                "component",
            )  # fmt: skip
        else:
            stance = facts["has_stance"]
            measure_table, convergence = _cluster_measures(spark, nodes, links, received, has_stance=stance)
    finally:
        nodes.unpersist()
        links.unpersist()
        pairs.unpersist()
    stand_in = node_table.with_row_index("_i").select("author", pl.format("n{}", "_i").alias("post_id"))
    firsts = node_table.join(stand_in, on="author", maintain_order="left").select(
        "post_id", "author", pl.col("_position").alias("position"), pl.col("_placeholder").alias("placeholder"),
        pl.col("_first").alias("created_at"),
    )  # fmt: skip
    pair_times = (
        link_table.select("source", "target", "_first")
        .join(stand_in.rename({"author": "source", "post_id": "_s"}), on="source")
        .join(stand_in.rename({"author": "target", "post_id": "_t"}), on="target")
        .select(pl.col("_s").alias("source"), pl.col("_t").alias("target"), pl.col("_first").alias("created_at"))
    )
    return ClusterGraph(
        nodes=node_table.select("author", "posts", "self_replies", "anonymous"),
        links=link_table.drop("_first"),
        measures=order.join(measure_table, on="author", maintain_order="left"),
        firsts=firsts,
        pair_times=pair_times,
        convergence=convergence,
        facts=facts,
        measured_on="driver" if on_driver else "cluster",
        arrays=arrays,
    )


def driver_measures(graph: LinkArrays) -> tuple[pl.DataFrame, Convergence]:
    """Degrees, PageRank and weak components of the collected author graph, by the local engine's code.

    Returns ``author``, ``in_degree``, ``out_degree``, ``in_weight``,
    ``out_weight``, ``pagerank`` (:func:`sna.analysis.centrality.degrees`,
    :func:`~sna.analysis.centrality.pagerank_checked`) and ``component``
    (the least node name of its weakly connected component, as
    :func:`weak_components` names it), in node order, and how PageRank converged.

    Examples
    --------
    >>> from sna.graph import LinkArrays
    >>> g = LinkArrays(pl.Series(["b", "a", "c"]), np.array([0]), np.array([1]), np.array([2.0]))
    >>> table, report = driver_measures(g)
    >>> table.select("author", "out_degree", "in_weight", "component").rows(), report.converged
    ([('b', 1, 0.0, 'a'), ('a', 0, 2.0, 'a'), ('c', 0, 0.0, 'c')], True)
    """
    from sna.analysis.centrality import degrees, pagerank_checked

    rank, convergence = pagerank_checked(graph)
    membership = np.asarray(graph.igraph.connected_components(mode="weak").membership, dtype=np.int64)
    labels = pl.DataFrame({"author": graph.nodes, "_c": membership})
    least = labels.group_by("_c").agg(pl.col("author").min().alias("component"))
    component = labels.join(least, on="_c", how="left", maintain_order="left")["component"]
    table = pl.DataFrame({"author": graph.nodes, **degrees(graph), "pagerank": rank, "component": component})
    return table, convergence


def _cluster_measures(
    spark: SparkSession, nodes: DataFrame, links: DataFrame, received: DataFrame, *, has_stance: bool
) -> tuple[pl.DataFrame, Convergence]:
    """Degrees, PageRank, components and links received as DataFrame iterations on the cluster, collected."""
    from pyspark.sql import functions as F  # noqa: N812 - Spark's own convention

    cut = checkpoint_kind(spark)
    ranks, convergence = pagerank_frame(nodes, links, cut=cut)
    components = weak_components(nodes, links, cut=cut)
    zero = F.lit(0).cast("long")
    stance_in = (F.col("_agree"), F.col("_disagree")) if has_stance else (None, None)
    measures = (
        degree_frame(nodes, links)
        .join(ranks, "author")
        .join(received, "author", "left")
        .join(components, "author")
        .select(
            "author", "in_degree", "out_degree", "in_weight", "out_weight", "pagerank",
            F.coalesce("replies_received", zero).alias("replies_received"),
            F.coalesce("implicit_received", zero).alias("implicit_received"),
            *[(F.coalesce(c, zero) if c is not None else F.lit(None).cast("long")).alias(name)
              for c, name in zip(stance_in, ("agree_in", "disagree_in"), strict=True)],
            "component",
        )
    )  # fmt: skip
    table = pl.from_arrow(measures.toArrow())
    assert isinstance(table, pl.DataFrame)
    return table, convergence


def _facts(posts: DataFrame, edges: DataFrame, pairs: DataFrame, links: pl.DataFrame) -> dict[str, Any]:
    """The corpus-wide counts the summaries need: aggregations on the cluster; the graph's size from ``links``.

    ``links`` is the collected author link table (:func:`sna.graph.author_tables`' columns).
    """
    from pyspark.sql import functions as F  # noqa: N812 - Spark's own convention

    placeholder = F.coalesce("placeholder", F.lit(False))
    row = posts.agg(
        F.countDistinct("thread_id").alias("threads"),
        F.sum(F.when(~placeholder, 1).otherwise(0)).alias("posts"),
        F.sum(F.when(placeholder, 1).otherwise(0)).alias("placeholders"),
        F.count_distinct(F.when(~placeholder, F.col("author"))).alias("authors"),
        F.sum(F.when(~placeholder & F.col("author").isNull(), 1).otherwise(0)).alias("posts_without_author"),
    ).first()
    kinds = {r["kind"]: int(r["count"]) for r in edges.groupBy("kind").count().collect()}
    quoting = edges.filter(F.col("kind") == "quote").select("source").distinct().count()
    has_stance = pairs.filter(F.col("stance").isin(list(STANCES))).limit(1).count() > 0
    drawn = links.filter(pl.col("weight") > 0).select("source", "target", "weight")
    mutual = drawn.join(drawn.select(source="target", target="source"), on=["source", "target"]).height
    return {
        "threads": int(row["threads"]),
        "posts": int(row["posts"] or 0),
        "authors": int(row["authors"]),
        "placeholders": int(row["placeholders"] or 0),
        "posts_without_author": int(row["posts_without_author"] or 0),
        "edges": {kind: kinds.get(kind, 0) for kind in EDGE_KINDS},
        "quoting_posts": int(quoting),
        "has_stance": has_stance,
        "links": drawn.height,
        "interactions": float(drawn["weight"].cast(pl.Float64).sum()),
        "mutual": int(mutual),
    }


def driver_subgraph(graph: LinkArrays, pagerank: np.ndarray, *, max_nodes: int, max_links: int
                    ) -> tuple[LinkArrays, np.ndarray, dict[str, object]]:  # fmt: skip
    """The author graph itself when it fits, else the subgraph induced by the ``max_nodes`` authors of highest PageRank.

    Ties in PageRank go to the author whose first post came first (node order).

    Returns the graph, the indices of its nodes in ``graph`` (ascending) and
    a description for ``summary.json``.

    Examples
    --------
    >>> from sna.graph import LinkArrays
    >>> g = LinkArrays(pl.Series(["a", "b", "c"]), np.array([1, 2]), np.array([0, 0]), np.array([1.0, 2.0]))
    >>> sub, kept, about = driver_subgraph(g, np.array([0.5, 0.2, 0.3]), max_nodes=2, max_links=10)
    >>> sub.nodes.to_list(), kept.tolist(), sub.m, about["whole"]
    (['a', 'c'], [0, 2], 1, False)
    """
    from sna.graph import LinkArrays

    rule = f"the whole author graph up to {max_nodes:,} nodes and {max_links:,} links, else the subgraph induced by " \
           f"the {max_nodes:,} authors of highest PageRank"  # fmt: skip
    if graph.n <= max_nodes and graph.m <= max_links:
        about = {"whole": True, "nodes": graph.n, "links": graph.m, "rule": rule}
        return graph, np.arange(graph.n), about
    order = np.lexsort((np.arange(graph.n), -pagerank))[:max_nodes]
    kept = np.sort(order)
    new = np.full(graph.n, -1, dtype=np.int64)
    new[kept] = np.arange(len(kept))
    inside = (new[graph.src] >= 0) & (new[graph.dst] >= 0)
    sub = LinkArrays(graph.nodes.gather(kept), new[graph.src[inside]], new[graph.dst[inside]], graph.weight[inside])
    about = {"whole": False, "nodes": sub.n, "links": sub.m, "rule": rule}
    return sub, kept, about


def camp_index(nodes: pl.DataFrame, links: pl.DataFrame, kept: np.ndarray) -> Any:
    """An :class:`sna.graph.Indexed` whose posts are the kept author nodes and whose edges are their signed links.

    :func:`sna.analysis.camps.agreement_camps` at ``level="author"``,
    ``camps_by="corpus"`` reads only the nodes, the link endpoints and the
    stance codes, which the author links hold as counts (over the counted
    kinds, self pairs left out): one edge per agree or disagree interaction.
    """
    from sna.graph import STANCE_CODES, Indexed

    names = nodes["author"].gather(kept)
    lookup = pl.DataFrame({"_name": names, "_i": np.arange(len(kept), dtype=np.int64)})
    signed = (
        links.select("source", "target", "agree", "disagree")
        .join(lookup.rename({"_name": "source"}), on="source")
        .join(lookup.rename({"_name": "target", "_i": "_j"}), on="target")
    )
    src, dst, stance = [], [], []
    for name in ("agree", "disagree"):
        counts = signed[name].to_numpy()
        src.append(np.repeat(signed["_i"].to_numpy(), counts))
        dst.append(np.repeat(signed["_j"].to_numpy(), counts))
        stance.append(np.full(int(counts.sum()), STANCE_CODES[name], dtype=np.int8))
    n = len(kept)
    return Indexed(
        post_ids=names, thread=np.zeros(n, np.int64), position=np.zeros(n, np.int64), node_names=names,
        node=np.arange(n, dtype=np.int64), node_anonymous=nodes["anonymous"].gather(kept).to_numpy().astype(bool),
        src=np.concatenate(src).astype(np.int64), dst=np.concatenate(dst).astype(np.int64),
        kind=np.zeros(sum(len(s) for s in src), np.int8), stance=np.concatenate(stance), created_us=None,
    )  # fmt: skip


def cluster_metrics(
    graph: ClusterGraph,
    cascades: pl.DataFrame | None,
    cascade_summary: Mapping[str, object],
    *,
    seed: int = 0,
    sources: int | None = None,
    n_camps: int | None = None,
    implicit_links: str = "ignore",
    rank_anonymous: bool = True,
    min_camp_size: int = 2,
    camps_by: str = "corpus",
    max_nodes: int = DRIVER_NODES,
    max_links: int = DRIVER_LINKS,
) -> tuple[Any, dict[str, object]]:
    """The driver side: the measures left for the author graph (or its filtered subgraph), the tables and summary.

    Returns :class:`sna.analysis.report.Metrics` (``post_metrics`` None,
    ``cascades`` None when written by Spark) and the ``driver_subgraph`` description.
    """
    from sna.analysis.camps import agreement_camps
    from sna.analysis.centrality import centrality, convergence_warnings
    from sna.analysis.communities import community_summary, modularity_communities
    from sna.analysis.report import CAMP_SCHEMA, THREAD_CAMP_SCHEMA, Metrics, assumed_links_summary, graph_summary
    from sna.errors import SnaError
    from sna.graph import links_from_tables

    if camps_by not in ("corpus", "thread"):
        raise SnaError(f"camps_by must be 'corpus' or 'thread', not {camps_by!r}")
    if min_camp_size < 1:
        raise SnaError(f"min_camp_size must be 1 or more, not {min_camp_size}")
    nodes, measures, facts = graph.nodes, graph.measures, graph.facts
    whole = graph.arrays if graph.arrays is not None else links_from_tables(nodes, graph.links)
    pagerank = measures["pagerank"].to_numpy()
    sub, kept, about = driver_subgraph(whole, pagerank, max_nodes=max_nodes, max_links=max_links)
    table, convergence = centrality(sub, k=sources, seed=seed, name="author")
    cluster_columns = ["in_degree", "out_degree", "in_weight", "out_weight", "pagerank"]
    table = nodes.select("author").join(table.drop(cluster_columns), on="author", how="left", maintain_order="left")
    author_table = pl.concat([measures.select("author", *cluster_columns), table.drop("author")], how="horizontal")
    author_table = author_table.select(
        "author", *cluster_columns, "betweenness", "hub", "authority", "harmonic", "katz", "betweenness_sources",
        "harmonic_sources",
    )  # fmt: skip
    convergence["pagerank"] = {"iterations": graph.convergence.iterations, "converged": graph.convergence.converged,
                               "change": graph.convergence.change, "diverged": False}  # fmt: skip
    author_metrics = nodes.join(author_table, on="author", how="left", maintain_order="left").with_columns(
        measures.select("replies_received", "implicit_received", "agree_in", "disagree_in")
    )
    camps_table = pl.DataFrame(schema=CAMP_SCHEMA)
    camps_summary: dict[str, object] = {"available": False, "reason": "no agree/disagree labels on the edges"}
    camp = pl.lit(None, pl.Int64)
    if facts["has_stance"] and camps_by == "thread":
        camps_summary = {"available": False, "camps_by": camps_by, "reason": "camps_by='thread' needs each thread's "
                         "posts on one machine; not computed with --graph-on cluster"}  # fmt: skip
    elif facts["has_stance"]:
        by_author = agreement_camps(camp_index(nodes, graph.links, kept), level="author", camps_by="corpus",
                                    n_camps=n_camps, min_camp_size=min_camp_size, seed=seed,
                                    importance=pagerank[kept])  # fmt: skip
        labels = np.zeros(nodes.height, dtype=np.int64)
        labels[kept] = by_author.nodes["camp"].fill_null(0).to_numpy()
        camp = pl.Series("camp", labels).replace(0, None)
        camps_table = by_author.table.cast(CAMP_SCHEMA)  # type: ignore[arg-type]
        camps_summary = {"available": True, "camps_by": camps_by, "min_camp_size": min_camp_size,
                         "author_graph": by_author.summary,
                         "post_graph": {"available": False, "reason": NOT_COMPUTED["post_metrics"]}}  # fmt: skip
    author_metrics = author_metrics.with_columns(camp=camp)
    found = modularity_communities(sub, seed=seed)
    community = np.zeros(nodes.height, dtype=np.int64)
    community[kept] = found.labels
    author_metrics = author_metrics.with_columns(community=pl.Series(community, dtype=pl.Int64).replace(0, None))
    communities = community_summary(found, seed=seed)

    edge_counts = facts["edges"]
    links_summary, warnings = assumed_links_summary(edge_counts, implicit_links)
    ranked = author_table if rank_anonymous else author_table.filter(~nodes["anonymous"])
    n, m = whole.n, facts["links"]
    component_sizes = measures.group_by("component").len()["len"]
    author_summary = graph_summary(sub, ranked, name="author") | {
        "nodes": n,
        "links": m,
        "interactions": facts["interactions"],
        "density": m / (n * (n - 1)) if n > 1 else None,
        "reciprocity": facts["mutual"] / m if m else None,
    }
    if n:
        author_summary |= {
            "weak_components": component_sizes.len(),
            "largest_weak_component": int(component_sizes.max()),
        }
    sources_used = table.drop_nulls("betweenness_sources")
    author_summary |= {
        "betweenness_sources": int(sources_used["betweenness_sources"][0]) if sources_used.height else 0,
        "harmonic_sources": int(sources_used["harmonic_sources"][0]) if sources_used.height else 0,
        "self_replies": int(nodes["self_replies"].sum()),
        "anonymous_nodes": int(nodes["anonymous"].sum()),
        "convergence": convergence,
    }
    posts = facts["posts"]
    summary: dict[str, object] = {
        "threads": facts["threads"],
        "posts": posts,
        "placeholders": facts["placeholders"],
        "authors": facts["authors"],
        "edges": edge_counts,
        **links_summary,
        "share_of_posts_that_quote": facts["quoting_posts"] / posts if posts else None,
        "post_graph": {"available": False, "reason": NOT_COMPUTED["post_metrics"]},
        "author_graph": author_summary,
        "cascades": dict(cascade_summary),
        "camps": camps_summary,
        "rank_anonymous": rank_anonymous,
        "warnings": warnings + convergence_warnings(convergence, graph="author graph"),
        "communities": communities,
        "seed": seed,
    }
    metrics = Metrics(None, author_metrics, cascades, graph.links, camps_table, summary,  # type: ignore[arg-type]
                      pl.DataFrame(schema=THREAD_CAMP_SCHEMA))  # fmt: skip
    return metrics, about


def cascade_summary_frame(cascades: DataFrame) -> dict[str, object]:
    """:func:`sna.analysis.report._cascade_summary` of one kind's cascades, as a Spark aggregation."""
    from pyspark.sql import functions as F  # noqa: N812 - Spark's own convention

    row = cascades.agg(
        F.count(F.lit(1)).alias("count"), F.max("size").alias("largest"), F.max("depth").alias("deepest"),
        F.mean("size").alias("mean_size"), F.mean("structural_virality").alias("virality"),
    ).first()  # fmt: skip
    if not row["count"]:
        return {"count": 0}
    return {
        "count": int(row["count"]),
        "largest": int(row["largest"]),
        "deepest": int(row["deepest"]),
        "mean_size": float(row["mean_size"]),
        "mean_structural_virality": None if row["virality"] is None else float(row["virality"]),
    }

"""All metric tables of a corpus, and the graph-level figures for ``summary.json``.

:func:`compute_metrics` is what ``sna metrics`` and ``sna run`` write and what
``Corpus.metrics()`` returns: per-post and per-author centrality, reply and
quote cascades, and a summary (sizes, density, reciprocity, components, top
nodes per measure). It is pure: tables in, tables out.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import polars as pl

from sna.analysis.camps import agreement_camps
from sna.analysis.cascades import cascades as cascade_tables
from sna.analysis.centrality import centrality, convergence_warnings
from sna.graph import STANCE_CODES, Indexed, LinkArrays, author_tables, index_corpus, links_from_tables, post_links
from sna.schema import EDGE_KINDS

CAMP_SCHEMA = {
    "graph": pl.String, "camp": pl.Int64, "size": pl.Int64, "members": pl.String, "central_members": pl.String,
    "agree_inside": pl.Int64, "disagree_inside": pl.Int64, "agree_across": pl.Int64, "disagree_across": pl.Int64,
}  # fmt: skip
MEASURES = ("in_degree", "in_weight", "pagerank", "betweenness", "hub", "authority", "harmonic", "katz")
TOP_K = 10


@dataclass(frozen=True)
class Metrics:
    """Metric tables of a corpus.

    Attributes
    ----------
    post_metrics, author_metrics, cascades : pl.DataFrame
        One row per post, author and cascade.
    author_edges : pl.DataFrame
        The author graph's edges: ``source``, ``target``, ``weight``, counts
        by kind and stance, ``signed``.
    camps : pl.DataFrame
        Agreement camps of the author and post graphs (empty without stance).
    summary : dict
        Graph-level figures (written as ``summary.json``).
    """

    post_metrics: pl.DataFrame
    author_metrics: pl.DataFrame
    cascades: pl.DataFrame
    author_edges: pl.DataFrame
    camps: pl.DataFrame
    summary: dict[str, object] = field(default_factory=dict)


def graph_summary(links: LinkArrays, table: pl.DataFrame, *, name: str, top_k: int = TOP_K) -> dict[str, object]:
    """Size, density, reciprocity, components and the top nodes per measure.

    Examples
    --------
    >>> g = LinkArrays(pl.Series(["a", "b", "c"]), np.array([1, 0]), np.array([0, 1]), np.array([1.0, 1.0]))
    >>> s = graph_summary(g, pl.DataFrame({"n": ["a", "b", "c"], "pagerank": [0.4, 0.4, 0.2]}), name="n")
    >>> s["nodes"], s["links"], s["reciprocity"], s["weak_components"], s["strong_components"]
    (3, 2, 1.0, 2, 2)
    """
    n, m = links.n, links.m
    forward = np.sort(links.src * max(n, 1) + links.dst)
    backward = links.dst * max(n, 1) + links.src
    found = np.searchsorted(forward, backward)
    mutual = int((forward[np.minimum(found, max(m - 1, 0))] == backward).sum()) if m else 0
    summary: dict[str, object] = {
        "nodes": n,
        "links": m,
        "interactions": float(links.weight.sum()),
        "density": m / (n * (n - 1)) if n > 1 else None,
        "reciprocity": mutual / m if m else None,
    }
    if n:
        graph = links.igraph
        weak = graph.connected_components(mode="weak").sizes()
        strong = graph.connected_components(mode="strong").sizes()
        summary |= {
            "weak_components": len(weak),
            "largest_weak_component": max(weak),
            "strong_components": len(strong),
            "largest_strong_component": max(strong),
        }
    top: dict[str, list[dict[str, object]]] = {}
    for measure in MEASURES:
        if measure not in table.columns:
            continue
        best = (
            table.select(name, measure).drop_nulls(measure).sort([measure, name], descending=[True, False]).head(top_k)
        )
        top[measure] = [{"node": node, "value": value} for node, value in best.iter_rows()]
    summary["top"] = top
    return summary


def _stance_received(ix: Indexed) -> tuple[np.ndarray, np.ndarray] | None:
    """Agree/disagree edges each author node received; None before stance exists."""
    if not ix.has_stance:
        return None
    target = ix.node[ix.dst]
    n = len(ix.node_names)
    return (
        np.bincount(target[ix.stance == STANCE_CODES["agree"]], minlength=n).astype(np.int64),
        np.bincount(target[ix.stance == STANCE_CODES["disagree"]], minlength=n).astype(np.int64),
    )


def compute_metrics(
    posts: pl.DataFrame,
    edges: pl.DataFrame,
    *,
    seed: int = 0,
    sources: int | None = None,
    n_camps: int | None = None,
) -> Metrics:
    """Centrality of posts and authors, cascades, agreement camps, and graph-level figures.

    Parameters
    ----------
    posts, edges : pl.DataFrame
        POSTS and EDGES.
    seed : int
        Seed for sampled betweenness and harmonic closeness.
    sources : int, optional
        Sources to sample for betweenness and harmonic closeness; by default
        exact where cheap (see :mod:`sna.analysis.centrality`).
    n_camps : int, optional
        Number of agreement camps to merge down to (default: chosen by the
        data). Camps need stance labels on EDGES; without any, ``camp``
        columns are null and the camps table is empty.

    Returns
    -------
    Metrics

    Examples
    --------
    >>> posts = pl.DataFrame({"thread_id": ["t"] * 3, "post_id": ["a", "b", "c"], "position": [1, 2, 3],
    ...     "author": ["ann", "bo", "ann"], "created_at": [None] * 3},
    ...     schema_overrides={"created_at": pl.Datetime("us", "UTC")})
    >>> edges = pl.DataFrame({"source": ["b", "c"], "target": ["a", "b"], "kind": ["quote", "reply"]})
    >>> metrics = compute_metrics(posts, edges)
    >>> metrics.post_metrics.select("post_id", "in_degree", "depth").rows()
    [('a', 1, 0), ('b', 1, 1), ('c', 0, 2)]
    >>> metrics.author_metrics.select("author", "posts", "in_degree").rows()
    [('ann', 2, 1), ('bo', 1, 1)]
    """
    ix = index_corpus(posts, edges)
    post_graph = post_links(posts, edges, index=ix)
    post_table, post_convergence = centrality(post_graph, k=sources, seed=seed, name="post_id")
    cascade_table, per_post = cascade_tables(posts, edges, index=ix)
    post_metrics = (
        posts.select("post_id", "thread_id", "author")
        .join(post_table, on="post_id", how="left", maintain_order="left")
        .join(per_post, on="post_id", how="left", maintain_order="left")
    )

    nodes, links = author_tables(posts, edges, index=ix)
    author_graph = links_from_tables(nodes, links)
    author_table, author_convergence = centrality(author_graph, k=sources, seed=seed, name="author")
    author_metrics = nodes.join(author_table, on="author", how="left", maintain_order="left")
    received = _stance_received(ix)
    if received is None:
        author_metrics = author_metrics.with_columns(
            agree_in=pl.lit(None, pl.Int64), disagree_in=pl.lit(None, pl.Int64)
        )
    else:
        author_metrics = author_metrics.with_columns(agree_in=received[0], disagree_in=received[1])

    camps_table = pl.DataFrame(schema=CAMP_SCHEMA)
    camps_summary: dict[str, object] = {"available": False, "reason": "no agree/disagree labels on the edges"}
    if ix.has_stance:
        author_camps, author_table_c, author_summary = agreement_camps(
            ix, level="author", n_camps=n_camps, seed=seed, importance=author_table["pagerank"].to_numpy()
        )
        post_camps, post_table_c, post_summary = agreement_camps(
            ix, level="post", n_camps=n_camps, seed=seed, importance=post_table["pagerank"].to_numpy()
        )
        author_metrics = author_metrics.with_columns(camp=author_camps.labels)
        post_metrics = post_metrics.with_columns(camp=post_camps.labels)
        camps_table = pl.concat([author_table_c, post_table_c])
        camps_summary = {"available": True, "author_graph": author_summary, "post_graph": post_summary}
    else:
        author_metrics = author_metrics.with_columns(camp=pl.lit(None, pl.Int64))
        post_metrics = post_metrics.with_columns(camp=pl.lit(None, pl.Int64))

    quoting = edges.filter(pl.col("kind") == "quote")["source"].n_unique()
    reply_cascades = cascade_table.filter(pl.col("kind") == "reply")
    quote_cascades = cascade_table.filter(pl.col("kind") == "quote")
    summary: dict[str, object] = {
        "threads": posts["thread_id"].n_unique(),
        "posts": posts.height,
        "authors": int(posts["author"].drop_nulls().n_unique()),
        "edges": {kind: int((edges["kind"] == kind).sum()) for kind in EDGE_KINDS},
        "share_of_posts_that_quote": quoting / posts.height if posts.height else None,
        "post_graph": graph_summary(post_graph, post_table, name="post_id")
        | {
            "betweenness_sources": post_table["betweenness_sources"][0] if post_table.height else 0,
            "harmonic_sources": post_table["harmonic_sources"][0] if post_table.height else 0,
            "convergence": post_convergence,
        },
        "author_graph": graph_summary(author_graph, author_table, name="author")
        | {
            "betweenness_sources": author_table["betweenness_sources"][0] if author_table.height else 0,
            "harmonic_sources": author_table["harmonic_sources"][0] if author_table.height else 0,
            "self_replies": int(nodes["self_replies"].sum()),
            "anonymous_nodes": int(nodes["anonymous"].sum()),
            "convergence": author_convergence,
        },
        "cascades": {
            "reply": _cascade_summary(reply_cascades),
            "quote": _cascade_summary(quote_cascades),
        },
        "camps": camps_summary,
        "seed": seed,
        "warnings": convergence_warnings(post_convergence, graph="post graph")
        + convergence_warnings(author_convergence, graph="author graph"),
    }
    return Metrics(post_metrics, author_metrics, cascade_table, links, camps_table, summary)


def _cascade_summary(table: pl.DataFrame) -> dict[str, object]:
    if table.height == 0:
        return {"count": 0}
    return {
        "count": table.height,
        "largest": int(table["size"].max()),
        "deepest": int(table["depth"].max()),
        "mean_size": float(table["size"].mean()),
        "mean_structural_virality": _mean(table["structural_virality"]),
    }


def _mean(values: pl.Series) -> float | None:
    values = values.drop_nulls()
    return float(values.mean()) if len(values) else None

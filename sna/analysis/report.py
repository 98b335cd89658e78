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

from sna.analysis.camps import CAMPS_BY, TABLE_SCHEMA, agreement_camps
from sna.analysis.cascades import cascades as cascade_tables
from sna.analysis.centrality import centrality, convergence_warnings
from sna.analysis.communities import community_summary, modularity_communities
from sna.errors import SnaError
from sna.graph import (
    KIND_CODES,
    STANCE_CODES,
    Indexed,
    LinkArrays,
    author_tables_with_graph,
    counted_kinds,
    index_corpus,
    points_down,
    post_links,
)
from sna.schema import EDGE_KINDS

#: The camps table: which graph, then :data:`sna.analysis.camps.TABLE_SCHEMA`.
CAMP_SCHEMA = {"graph": pl.String} | TABLE_SCHEMA
THREAD_CAMP_SCHEMA = {"thread_id": pl.String, "author": pl.String, "posts": pl.Int64, "camp": pl.Int64}
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
        Agreement camps of the author and post graphs (empty without stance):
        one row per camp of at least the minimum size; ``thread_id`` is set
        when camps are per thread.
    summary : dict
        Graph-level figures (written as ``summary.json``).
    thread_camps : pl.DataFrame
        With camps per thread: each author's camp in each thread they posted
        in (``thread_id``, ``author``, ``posts``, ``camp``); else empty.
    """

    post_metrics: pl.DataFrame
    author_metrics: pl.DataFrame
    cascades: pl.DataFrame
    author_edges: pl.DataFrame
    camps: pl.DataFrame
    summary: dict[str, object] = field(default_factory=dict)
    thread_camps: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=THREAD_CAMP_SCHEMA))


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
    mutual = 0 if points_down(links.src, links.dst) else _mutual_links(links)  # a post graph has none
    summary: dict[str, object] = {
        "nodes": n,
        "links": m,
        "interactions": float(links.weight.sum()),
        "density": m / (n * (n - 1)) if n > 1 else None,
        "reciprocity": mutual / m if m else None,
    }
    if n:  # the components are cached on the graph: exact_cost has usually found them already
        weak = np.bincount(links.weak_components)
        strong = np.bincount(links.strong_components)
        summary |= {
            "weak_components": len(weak),
            "largest_weak_component": int(weak.max()),
            "strong_components": len(strong),
            "largest_strong_component": int(strong.max()),
        }
    top: dict[str, list[dict[str, object]]] = {}
    for measure in MEASURES:
        if measure not in table.columns:
            continue
        best = table.select(name, measure).drop_nulls(measure)
        values = best[measure]
        nan = values.dtype.is_float() and bool(values.is_nan().any())
        if values.dtype.is_numeric() and len(values) > 4 * top_k and not nan:
            # Only rows at or above the top_k-th largest value can be among the top_k: a numeric top-k first
            # (names compared only among those), instead of sorting a million names.
            best = best.filter(pl.col(measure) >= values.top_k(top_k).min())
        best = best.top_k(top_k, by=[measure, name], reverse=[False, True]).sort(  # names are unique: a total order
            [measure, name], descending=[True, False]
        )
        top[measure] = [{"node": node, "value": value} for node, value in best.iter_rows()]
    summary["top"] = top
    return summary


def _mutual_links(links: LinkArrays) -> int:
    """Links whose reverse is a link too.

    Examples
    --------
    >>> _mutual_links(LinkArrays(pl.Series(["a", "b", "c"]), np.array([1, 0, 2]), np.array([0, 1, 0]), np.ones(3)))
    2
    """
    if not links.m:
        return 0
    n = max(links.n, 1)
    forward = np.sort(links.src * n + links.dst)
    backward = np.sort(links.dst * n + links.src)  # sorted queries: the search runs 3× as fast, same count
    found = np.searchsorted(forward, backward)
    return int((forward[np.minimum(found, links.m - 1)] == backward).sum())


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


def _received(ix: Indexed, by_node: bool) -> tuple[np.ndarray, np.ndarray]:
    """Links each post (or author node, self-links left out) received: read from the source, and assumed."""
    dst = ix.node[ix.dst] if by_node else ix.dst
    keep = ix.node[ix.src] != ix.node[ix.dst] if by_node else np.ones(len(dst), dtype=bool)
    n = len(ix.node_names) if by_node else ix.n_posts
    assumed = ix.kind == KIND_CODES["implicit"]
    read = np.bincount(dst[keep & ~assumed], minlength=n).astype(np.int64)
    return read, np.bincount(dst[keep & assumed], minlength=n).astype(np.int64)


#: Share of assumed links above which the summary and the CLI warn.
ASSUMED_WARNING = 1 / 3


def _links_summary(edges: pl.DataFrame, implicit_links: str) -> tuple[dict[str, object], list[str]]:
    """Links by kind, the share that is assumed, and a warning when it is large."""
    return assumed_links_summary({kind: int((edges["kind"] == kind).sum()) for kind in EDGE_KINDS}, implicit_links)


def assumed_links_summary(counts: dict[str, int], implicit_links: str) -> tuple[dict[str, object], list[str]]:
    """The share of links that is assumed, and a warning when it is large, from the EDGES counts by kind.

    Examples
    --------
    >>> assumed_links_summary({"quote": 1, "reply": 0, "implicit": 1}, "ignore")[0]["assumed_share"]
    0.5
    """
    total = sum(counts.values())
    share = counts["implicit"] / total if total else None
    warnings = []
    if share is not None and share > ASSUMED_WARNING:
        left = "left out of" if implicit_links == "ignore" else "counted in"
        warnings.append(
            f"{share:.0%} of links are assumed (implicit: posts that quote nothing and state no parent); "
            f"they are {left} centrality and camps (implicit_links={implicit_links!r})"
        )
    return {"assumed_share": share, "implicit_links": implicit_links}, warnings


def compute_metrics(
    posts: pl.DataFrame,
    edges: pl.DataFrame,
    *,
    seed: int = 0,
    sources: int | None = None,
    n_camps: int | None = None,
    implicit_links: str = "ignore",
    rank_anonymous: bool = True,
    min_camp_size: int = 2,
    camps_by: str = "corpus",
    edge_rows: tuple[np.ndarray, np.ndarray] | None = None,
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
        data; with ``camps_by="corpus"`` only). Camps need stance labels on
        EDGES; without any, ``camp`` columns are null and the camps table is
        empty. A node without an agree or disagree link has no camp (null).
    min_camp_size : int
        Camps with fewer members are not listed and their members have no
        camp (null); the camps summary counts them (``below_min_size_nodes``).
    camps_by : str
        ``"corpus"`` (one partition of the whole graph) or ``"thread"`` (each
        thread on its own: ``author_metrics.camp`` is then null, each author's
        camp per thread is in ``thread_camps``, ``post_metrics.camp`` and the
        camps table are numbered within each thread). See
        :mod:`sna.analysis.camps`.
    implicit_links : {"ignore", "count"}
        Whether centrality, communities and camps leave assumed (``implicit``)
        links out — the default: they rest on what the posts say — or count
        them like quotes and replies. Reply cascades always keep them, since
        a reply tree hangs every post somewhere. ``replies_received`` and
        ``implicit_received`` count both kinds either way.
    rank_anonymous : bool
        Whether author nodes that stand for unknown or deleted authors (the
        ``anonymous`` column) appear in the summary's top-10 lists.
    edge_rows : tuple of np.ndarray, optional
        Each edge's source and target as row numbers of ``posts``
        (:attr:`sna.edges.Extracted.rows`), so that post ids need not be looked
        up again (see :func:`sna.graph.index_corpus`).

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

    An assumed link is kept in the tables but not counted by the measures:

    >>> edges = pl.DataFrame({"source": ["b", "c"], "target": ["a", "a"], "kind": ["quote", "implicit"]})
    >>> compute_metrics(posts, edges).post_metrics.select("in_degree", "replies_received", "implicit_received").row(0)
    (1, 1, 1)
    >>> compute_metrics(posts, edges, implicit_links="count").post_metrics["in_degree"][0]
    2
    """
    counted = counted_kinds(implicit_links)
    full = index_corpus(posts, edges, rows=edge_rows)
    ix = full.restrict(counted)
    nodes, links, author_graph = author_tables_with_graph(full, counted)
    post_graph = post_links(posts, edges, index=ix)
    post_table, post_convergence = centrality(post_graph, k=sources, seed=seed, name="post_id")
    cascade_table, per_post = cascade_tables(posts, edges, index=full)
    found = modularity_communities(author_graph, seed=seed)
    author_table, author_convergence = centrality(author_graph, k=sources, seed=seed, name="author")
    read, assumed = _received(full, by_node=False)
    placeholder = posts["placeholder"] if "placeholder" in posts.columns else pl.repeat(False, posts.height, eager=True)
    # The centrality and per-post tables have one row per post, in the order of POSTS: joined by row, not by id.
    post_metrics = (
        posts.select("post_id", "thread_id", "author")
        .with_columns(placeholder=placeholder.fill_null(False))
        .hstack(post_table.drop("post_id"))
        .with_columns(replies_received=read, implicit_received=assumed)
        .hstack(per_post.drop("post_id"))
    )

    read, assumed = _received(full, by_node=True)
    author_metrics = nodes.hstack(author_table.drop("author")).with_columns(  # both in node order
        replies_received=read, implicit_received=assumed
    )
    received = _stance_received(ix)
    if received is None:
        author_metrics = author_metrics.with_columns(
            agree_in=pl.lit(None, pl.Int64), disagree_in=pl.lit(None, pl.Int64)
        )
    else:
        author_metrics = author_metrics.with_columns(agree_in=received[0], disagree_in=received[1])

    if camps_by not in CAMPS_BY:
        raise SnaError(f"camps_by must be 'corpus' or 'thread', not {camps_by!r}")
    if min_camp_size < 1:
        raise SnaError(f"min_camp_size must be 1 or more, not {min_camp_size}")
    camps_table = pl.DataFrame(schema=CAMP_SCHEMA)
    thread_camps = pl.DataFrame(schema=THREAD_CAMP_SCHEMA)
    camps_summary: dict[str, object] = {"available": False, "reason": "no agree/disagree labels on the edges"}
    if ix.has_stance:
        options = {"camps_by": camps_by, "thread_ids": posts["thread_id"], "n_camps": n_camps,
                   "min_camp_size": min_camp_size, "seed": seed}  # fmt: skip
        by_author = agreement_camps(ix, level="author", importance=author_table["pagerank"].to_numpy(), **options)
        by_post = agreement_camps(ix, level="post", importance=post_table["pagerank"].to_numpy(), **options)
        if camps_by == "corpus":
            author_metrics = author_metrics.with_columns(camp=by_author.nodes["camp"])
        else:
            author_metrics = author_metrics.with_columns(camp=pl.lit(None, pl.Int64))
            thread_camps = by_author.nodes
        post_metrics = post_metrics.join(by_post.nodes.select("post_id", "camp"), on="post_id", how="left",
                                         maintain_order="left")  # fmt: skip
        camps_table = pl.concat([by_author.table, by_post.table])
        camps_summary = {"available": True, "camps_by": camps_by, "min_camp_size": min_camp_size,
                         "author_graph": by_author.summary, "post_graph": by_post.summary}  # fmt: skip
    else:
        author_metrics = author_metrics.with_columns(camp=pl.lit(None, pl.Int64))
        post_metrics = post_metrics.with_columns(camp=pl.lit(None, pl.Int64))
    author_metrics = author_metrics.with_columns(community=pl.Series(found.labels, dtype=pl.Int64).replace(0, None))
    communities = community_summary(found, seed=seed)

    quoting = edges.filter(pl.col("kind") == "quote")["source"].n_unique()
    reply_cascades = cascade_table.filter(pl.col("kind") == "reply")
    quote_cascades = cascade_table.filter(pl.col("kind") == "quote")
    real = ~placeholder.fill_null(False)  # a mask: filtering POSTS would copy every text
    real_posts = int(real.sum())
    links_summary, warnings = _links_summary(edges, implicit_links)
    ranked_posts = post_table.filter(real)
    ranked_authors = author_table if rank_anonymous else author_table.filter(~nodes["anonymous"])
    summary: dict[str, object] = {
        "threads": posts["thread_id"].n_unique(),
        "posts": real_posts,
        "placeholders": posts.height - real_posts,
        "authors": int(posts["author"].filter(real).drop_nulls().n_unique()),
        "edges": {kind: int((edges["kind"] == kind).sum()) for kind in EDGE_KINDS},
        **links_summary,
        "share_of_posts_that_quote": quoting / real_posts if real_posts else None,
        "post_graph": graph_summary(post_graph, ranked_posts, name="post_id")
        | {
            "betweenness_sources": post_table["betweenness_sources"][0] if post_table.height else 0,
            "harmonic_sources": post_table["harmonic_sources"][0] if post_table.height else 0,
            "convergence": post_convergence,
        },
        "author_graph": graph_summary(author_graph, ranked_authors, name="author")
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
        "rank_anonymous": rank_anonymous,
        "warnings": warnings
        + convergence_warnings(post_convergence, graph="post graph")
        + convergence_warnings(author_convergence, graph="author graph"),
        "communities": communities,
        "seed": seed,
    }
    return Metrics(post_metrics, author_metrics, cascade_table, links, camps_table, summary, thread_camps)


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

"""What an interactive page needs beyond the graph: every interaction, and each node's posts.

A page draws one link per pair of nodes, but filters by link kind, stance,
thread and time act on the interactions behind a link. :func:`page_tables`
lists them — one row per (link, kind, stance, thread, time bin) with a count,
so a million interactions among ten thousand authors stay a few hundred
thousand rows — and, per node, the posts a reader can open and search (the
most central ``NODE_POSTS`` of an author, their text cut to share a budget).

Examples
--------
>>> import sna
>>> from sna.analysis.views import post_view
>>> corpus = sna.load("data/raw", stance=False)
>>> view = post_view(corpus.posts, corpus.edges, corpus.metrics())
>>> t = page_tables(view, corpus.posts, corpus.edges, corpus.metrics())
>>> t.interactions["n"].sum(), t.posts.height, t.threads.height, t.time_bins
(31, 32, 1, None)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from sna.analysis.views import GraphView, post_labels, thread_names
from sna.graph import KIND_CODES, STANCE_CODES, author_key

#: Threads named in a page's thread filter (the largest); the others are "other threads".
PAGE_THREADS = 300
#: Steps of the time slider.
TIME_BINS = 200
#: Posts listed per author node (the most central).
NODE_POSTS = 8
#: Characters of post text a page carries in all (each post gets a share, 80 to 1,000).
TEXT_BUDGET = 3_000_000


@dataclass(frozen=True)
class PageTables:
    """Interactions, posts and threads of a page.

    Attributes
    ----------
    interactions : pl.DataFrame
        ``link`` (row of ``view.links``), ``kind`` and ``stance`` codes
        (-1 unlabelled), ``thread`` (code, -1 for threads not named), ``bin``
        (time step, -1 without a time), ``n`` (interactions).
    posts : pl.DataFrame
        Posts listed per node: ``node`` (row), ``thread``, ``time`` (ISO
        text or null), ``label``, ``text``.
    node_threads, node_bins : list of list of int
        Per node: the threads and time steps of all its posts.
    threads : pl.DataFrame
        ``name``, ``posts`` of the named threads, code = row.
    time_bins : list of str or None
        Start of each time step (ISO, UTC), and the end; None without times.
    text_chars : int
        Characters of text kept per post.
    """

    interactions: pl.DataFrame
    posts: pl.DataFrame
    node_threads: list[list[int]]
    node_bins: list[list[int]]
    threads: pl.DataFrame
    time_bins: list[str] | None
    text_chars: int


def _node_key(level: str) -> pl.Expr:
    return author_key().alias("_node") if level == "author" else pl.col("post_id").alias("_node")


def page_tables(view: GraphView, posts: pl.DataFrame, edges: pl.DataFrame, metrics, *,
                page_threads: int = PAGE_THREADS, time_bins: int = TIME_BINS, node_posts: int = NODE_POSTS,
                text_budget: int = TEXT_BUDGET) -> PageTables:  # fmt: skip
    """Interactions, posts and threads for a page of ``view`` (see the module docstring)."""
    index = view.nodes.select(pl.col("id").alias("_node"), pl.int_range(pl.len(), dtype=pl.Int64).alias("node"))
    columns = [c for c in ("post_id", "thread_id", "created_at", "position", "author", "placeholder")
               if c in posts.columns]  # fmt: skip
    # the text is fetched for the posts listed only (sorting and joining every post's text costs seconds at 1M)
    keyed = posts.select(*columns, _node_key(view.level), pl.int_range(pl.len(), dtype=pl.Int64).alias("_post")).join(
        index, on="_node", how="inner"
    )
    # threads: the largest among the page's posts get a code
    sizes = keyed.group_by("thread_id").len().sort(["len", "thread_id"], descending=[True, False]).head(page_threads)
    names = thread_names(posts.filter(pl.col("thread_id").is_in(sizes["thread_id"].implode())))
    named = sizes.join(names, on="thread_id", how="left").select("thread_id", "name", pl.col("len").alias("posts"))
    codes = named.with_row_index("thread", offset=0).select("thread_id", pl.col("thread").cast(pl.Int64))
    keyed = keyed.join(codes, on="thread_id", how="left").with_columns(pl.col("thread").fill_null(-1))
    # time steps
    bounds = None
    if "created_at" in keyed.columns and keyed["created_at"].drop_nulls().len():
        start, end = keyed["created_at"].min(), keyed["created_at"].max()
        span_us = max((end - start).total_seconds() * 1e6, 1.0)
        step = (pl.col("created_at") - pl.lit(start)).dt.total_microseconds().cast(pl.Float64) / span_us * time_bins
        keyed = keyed.with_columns(bin=step.floor().clip(0, time_bins - 1).cast(pl.Int64).fill_null(-1))
        edges_at = [start + (end - start) * (i / time_bins) for i in range(time_bins + 1)]
        bounds = [t.strftime("%Y-%m-%dT%H:%M:%SZ") for t in edges_at]
    else:
        keyed = keyed.with_columns(bin=pl.lit(-1, pl.Int64))
    # interactions: EDGES rows between nodes of the page, on the page's links
    source = keyed.select(pl.col("post_id").alias("source"), pl.col("node").alias("src"), "thread", "bin")
    target = keyed.select(pl.col("post_id").alias("target"), pl.col("node").alias("dst"))
    links = view.links.select("src", "dst", pl.int_range(pl.len(), dtype=pl.Int64).alias("link"))
    stance = pl.col("stance") if "stance" in edges.columns else pl.lit(None, pl.String)
    rows = (
        edges.select("source", "target", "kind", stance.alias("stance"))
        .join(source, on="source", how="inner")
        .join(target, on="target", how="inner")
        .join(links, on=["src", "dst"], how="inner")
        .select(
            "link",
            pl.col("kind").replace_strict(KIND_CODES, return_dtype=pl.Int64).alias("kind"),
            pl.col("stance").replace_strict(STANCE_CODES, default=-1, return_dtype=pl.Int64).alias("stance"),
            "thread",
            "bin",
        )
        .group_by("link", "kind", "stance", "thread", "bin")
        .agg(pl.len().cast(pl.Int64).alias("n"))
        .sort("link", "kind", "stance", "thread", "bin")
    )
    # every node's threads and time steps
    spread = keyed.group_by("node").agg(pl.col("thread").unique().sort(), pl.col("bin").unique().sort())
    spread = index.select("node").join(spread, on="node", how="left", maintain_order="left")
    node_threads = [list(t or []) for t in spread["thread"].to_list()]
    node_bins = [list(b or []) for b in spread["bin"].to_list()]
    # the posts listed per node: an author's most central, a post itself
    listed = keyed.join(metrics.post_metrics.select("post_id", "pagerank"), on="post_id", how="left")
    listed = listed.with_row_index("_order").sort(
        "node", pl.col("pagerank").fill_null(0.0).fill_nan(0.0), "_order", descending=[False, True, False]
    )
    listed = listed.group_by("node", maintain_order=True).head(node_posts if view.level == "author" else 1)
    chars = int(np.clip(text_budget // max(listed.height, 1), 80, 1000))
    if "text" in posts.columns:
        listed = listed.with_columns(text=posts["text"].gather(listed["_post"]))
    text = pl.col("text").str.slice(0, chars) if "text" in listed.columns else pl.lit("")
    time = pl.col("created_at").dt.strftime("%Y-%m-%d %H:%M") if "created_at" in listed.columns else pl.lit(None)
    listed = listed.with_columns(post_labels(listed)).select(
        "node", "thread", time.alias("time"), "label", text.fill_null("").alias("text")
    )
    return PageTables(rows, listed, node_threads, node_bins, named.select("name", "posts"), bounds, chars)

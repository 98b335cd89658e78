"""The time of each author link's first interaction in the graph files, found on node numbers."""

from datetime import UTC, datetime

import numpy as np
import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sna.analysis.report import compute_metrics
from sna.export import graph_file_tables
from sna.graph import author_key
from sna.ids import rows_of


def day(d: int | None) -> datetime | None:
    return None if d is None else datetime(2024, 1, d, tzinfo=UTC)


def corpus(authors: list[str | None], parents: list[int | None], days: list[int | None]):
    n = len(authors)
    posts = pl.DataFrame({
        "thread_id": ["t"] * n, "post_id": [f"p{i}" for i in range(n)], "position": list(range(1, n + 1)),
        "author": authors, "created_at": [day(d) for d in days],
    }, schema_overrides={"created_at": pl.Datetime("us", "UTC"), "author": pl.String})  # fmt: skip
    pairs = [(i, p) for i, p in enumerate(parents) if p is not None]
    edges = pl.DataFrame({
        "source": [f"p{i}" for i, _ in pairs], "target": [f"p{p}" for _, p in pairs], "kind": ["reply"] * len(pairs),
        "created_at": [day(days[i]) for i, _ in pairs],
    }, schema_overrides={"created_at": pl.Datetime("us", "UTC"), "source": pl.String, "target": pl.String,
                        "kind": pl.String})  # fmt: skip
    return posts, edges


def joined_first(posts: pl.DataFrame, edges: pl.DataFrame, links: pl.DataFrame) -> pl.Series:
    """The same column by joins on ids and names (how graph_file_tables found it before)."""
    node_of = posts.select("post_id", author_key().alias("_node"))
    pairs = (
        edges.select("source", "target", "created_at")
        .join(node_of.select(pl.col("post_id").alias("source"), pl.col("_node").alias("_s")), on="source")
        .join(node_of.select(pl.col("post_id").alias("target"), pl.col("_node").alias("_t")), on="target")
        .group_by("_s", "_t")
        .agg(pl.col("created_at").min().alias("first"))
        .rename({"_s": "source", "_t": "target"})
    )
    return links.join(pairs, on=["source", "target"], how="left", maintain_order="left")["first"]


def author_links(posts: pl.DataFrame, edges: pl.DataFrame, *, rows: bool) -> pl.DataFrame:
    metrics = compute_metrics(posts, edges)
    edge_rows = (rows_of(edges["source"], posts["post_id"]), rows_of(edges["target"], posts["post_id"]))
    tables = graph_file_tables(posts, edges, metrics.post_metrics, metrics.author_metrics, metrics.author_edges,
                               with_posts=False, edge_rows=edge_rows if rows else None)  # fmt: skip
    return tables["authors"][1]


def test_hand_computed_first_times():
    # bo answers ann on days 5 and 2 (first: 2); ann answers bo on day 7 and on an undated day; an unknown
    # author (its own node) answers ann on day 9.
    posts, edges = corpus(["ann", "bo", "bo", "ann", "ann", None], [None, 0, 0, 1, 2, 0], [1, 5, 2, 7, None, 9])
    for rows in (True, False):
        links = author_links(posts, edges, rows=rows)
        first = {(s, t): f for s, t, f in links.select("source", "target", "first").iter_rows()}
        assert first[("bo", "ann")] == day(2)
        assert first[("ann", "bo")] == day(7)
        unknown = [f for (s, t), f in first.items() if t == "ann" and s not in ("bo", "ann")]
        assert unknown == [day(9)]


def test_a_pair_with_no_dated_edge_has_no_time():
    posts, edges = corpus(["ann", "bo"], [None, 0], [1, None])
    assert author_links(posts, edges, rows=True)["first"].to_list() == [None]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_property_node_numbers_give_what_joins_on_ids_give(data):
    n = data.draw(st.integers(2, 25))
    authors = data.draw(st.lists(st.sampled_from(["ann", "bo", "cy", None, "[deleted]"]), min_size=n, max_size=n))
    parents = [None] + [data.draw(st.one_of(st.none(), st.integers(0, i - 1))) for i in range(1, n)]
    days = data.draw(st.lists(st.one_of(st.none(), st.integers(1, 28)), min_size=n, max_size=n))
    if all(d is None for d in days):
        days[0] = 1
    posts, edges = corpus(authors, parents, days)
    order = np.random.default_rng(n).permutation(edges.height)  # edges in any order
    edges = edges[order.tolist()] if edges.height else edges
    for rows in (True, False):
        links = author_links(posts, edges, rows=rows)
        assert links["first"].equals(joined_first(posts, edges, links.drop("first")), null_equal=True)

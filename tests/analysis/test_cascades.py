"""Cascades: hand-computed shapes, tree invariants, and agreement with networkx."""

import itertools

import networkx as nx
import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sna.analysis.cascades import cascades, choose_parents, tree_arrays
from sna.edges import extract_edges
from sna.io.text_page import read_text_page


def posts_table(n: int, threads: list[str] | None = None, authors: list[str | None] | None = None) -> pl.DataFrame:
    threads = threads or ["t"] * n
    positions = [sum(1 for t in threads[:i] if t == threads[i]) + 1 for i in range(n)]
    return pl.DataFrame(
        {
            "post_id": [f"p{i}" for i in range(n)],
            "thread_id": threads,
            "position": positions,
            "author": authors or [f"u{i}" for i in range(n)],
            "created_at": [None] * n,
        },
        schema_overrides={"created_at": pl.Datetime("us", "UTC")},
    )


def edges_table(pairs, kind="reply", stance=None):
    return pl.DataFrame(
        {
            "source": [f"p{s}" for s, _ in pairs],
            "target": [f"p{t}" for _, t in pairs],
            "kind": [kind] * len(pairs),
            "stance": stance if stance is not None else [None] * len(pairs),
        },
        schema_overrides={"source": pl.String, "target": pl.String, "kind": pl.String, "stance": pl.String},
    )


def test_path_structural_virality_is_n_plus_one_over_three():
    for n in (2, 3, 7, 20):
        table, per_post = cascades(posts_table(n), edges_table([(i, i - 1) for i in range(1, n)]))
        reply = table.filter(pl.col("kind") == "reply").row(0, named=True)
        assert reply["size"] == n
        assert reply["depth"] == n - 1
        assert reply["max_breadth"] == 1
        assert reply["structural_virality"] == pytest.approx((n + 1) / 3)
        assert per_post["subtree_size"].to_list() == list(range(n, 0, -1))


def test_star():
    table, per_post = cascades(posts_table(5), edges_table([(i, 0) for i in range(1, 5)]))
    reply = table.filter(pl.col("kind") == "reply").row(0, named=True)
    assert (reply["size"], reply["depth"], reply["max_breadth"]) == (5, 1, 4)
    assert reply["mean_depth"] == pytest.approx(4 / 5)
    # Distances: 4 pairs at 1 (root-leaf), 6 pairs at 2 (leaf-leaf): mean 16/10.
    assert reply["structural_virality"] == pytest.approx(1.6)
    assert per_post["depth"].to_list() == [0, 1, 1, 1, 1]


def test_post_quoting_two_hangs_under_the_first_quoted_and_keeps_the_cross_link():
    # p3 quotes p2 first, then p1; it also states p1 as its parent.
    edges = pl.concat(
        [edges_table([(1, 0), (2, 0)], "implicit"), edges_table([(3, 2), (3, 1)], "quote"), edges_table([(3, 1)])]
    )
    parents = choose_parents(posts_table(4), edges)
    assert parents.to_list() == [None, "p0", "p0", "p2"]
    table, _ = cascades(posts_table(4), edges)
    quote = table.filter(pl.col("kind") == "quote").row(0, named=True)
    assert (quote["root"], quote["size"]) == ("p2", 2)


def test_quote_cascades_are_the_quote_only_subtrees():
    edges = pl.concat(
        [
            edges_table([(1, 0), (2, 1)], "quote"),
            edges_table([(3, 0), (4, 0)], "implicit"),
            edges_table([(5, 4)], "quote"),
        ]
    )
    table, _ = cascades(posts_table(6), edges)
    quote = table.filter(pl.col("kind") == "quote").sort("root")
    assert quote.select("root", "size", "depth").rows() == [("p0", 3, 2), ("p4", 2, 1)]


def test_authors_duration_and_stance_counts():
    start = pl.datetime(2024, 1, 1, time_zone="UTC")
    posts = posts_table(3, authors=["ann", None, "ann"]).with_columns(
        created_at=start + pl.duration(seconds=pl.Series([0, 60, 600]))
    )
    edges = edges_table([(1, 0), (2, 1)], stance=["agree", "disagree"])
    table, _ = cascades(posts, edges)
    reply = table.filter(pl.col("kind") == "reply").row(0, named=True)
    assert reply["authors"] == 2  # ann, and the anonymous post counted on its own
    assert reply["duration_s"] == 600
    assert (reply["agree"], reply["disagree"]) == (1, 1)


def test_without_stance_counts_are_null_and_without_times_duration_is_null():
    table, _ = cascades(posts_table(2), edges_table([(1, 0)]))
    row = table.row(0, named=True)
    assert row["agree"] is None and row["disagree"] is None and row["duration_s"] is None


@st.composite
def forests(draw):
    n_threads = draw(st.integers(1, 4))
    threads, parents = [], []
    for t in range(n_threads):
        size = draw(st.integers(1, 12))
        start = len(threads)
        for i in range(size):
            threads.append(f"t{t}")
            parents.append(start + draw(st.integers(0, i - 1)) if i else None)
    return threads, parents


@settings(max_examples=80, deadline=None)
@given(forests())
def test_property_every_reply_cascade_is_a_tree_covering_its_thread(forest):
    threads, parents = forest
    n = len(threads)
    posts = posts_table(n, threads)
    edges = edges_table([(i, p) for i, p in enumerate(parents) if p is not None])
    table, _ = cascades(posts, edges)
    reply = table.filter(pl.col("kind") == "reply")
    assert reply["size"].sum() == n  # sizes sum to the post count
    assert sorted(reply["thread_id"].to_list()) == sorted(set(threads))  # one tree per thread
    # Compare with networkx on each tree.
    graph = nx.Graph()
    graph.add_nodes_from(range(n))
    graph.add_edges_from((i, p) for i, p in enumerate(parents) if p is not None)
    for row in reply.iter_rows(named=True):
        root = int(row["root"][1:])
        tree = graph.subgraph(nx.node_connected_component(graph, root))
        assert nx.is_tree(tree)
        assert row["size"] == tree.number_of_nodes()
        lengths = nx.single_source_shortest_path_length(tree, root)
        assert row["depth"] == max(lengths.values())
        if tree.number_of_nodes() > 1:
            assert row["structural_virality"] == pytest.approx(nx.average_shortest_path_length(tree))


@given(st.lists(st.integers(0, 10**6), min_size=1, max_size=60))
def test_property_tree_arrays_agree_with_a_walk(seeds):
    parent = np.array([-1] + [s % i for i, s in enumerate(seeds[1:], 1)])
    root, depth, size = tree_arrays(parent)
    for i in range(len(parent)):
        node, steps = i, 0
        while parent[node] >= 0:
            node, steps = parent[node], steps + 1
        assert (root[i], depth[i]) == (node, steps)
    for i in range(len(parent)):
        assert size[i] == sum(1 for j in range(len(parent)) if _is_ancestor(parent, i, j))


def _is_ancestor(parent, a, b):
    while b >= 0:
        if b == a:
            return True
        b = parent[b]
    return False


def test_seed_thread_is_one_reply_tree_with_its_quote_sub_discussions(seed_path):
    parsed = read_text_page(seed_path)
    extracted = extract_edges(parsed.posts, parsed.quotes)
    table, _ = cascades(extracted.posts, extracted.edges)
    reply = table.filter(pl.col("kind") == "reply")
    assert reply.height == 1 and reply["size"][0] == 32
    quote = table.filter(pl.col("kind") == "quote").sort("size", descending=True)
    # Post 14 is quoted by 15, 16, 20, 21; 16 by 17; 17 by 19: one cascade of 7.
    top = quote.row(0, named=True)
    assert top["root"].endswith("#14") and top["size"] == 7 and top["depth"] == 3
    assert set(itertools.chain(quote["size"].to_list())) <= {2, 3, 7}

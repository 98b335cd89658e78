"""Modularity communities of the author graph: hand-computed modularity, planted groups, invariants."""

import numpy as np
import polars as pl
import pytest

import sna
from sna.analysis.communities import community_summary, modularity_communities, undirected
from sna.graph import LinkArrays


def links(n, src, dst, weight=None):
    src, dst = np.asarray(src), np.asarray(dst)
    weight = np.ones(len(src)) if weight is None else np.asarray(weight, dtype=float)
    return LinkArrays(pl.Series([f"n{k}" for k in range(n)]), src, dst, weight)


def test_two_triangles_and_a_bridge_by_hand():
    # Two triangles joined by 2-3: m = 7; each side has 3 links inside and degree sum 7,
    # so Q = 2 * (3/7 - (7/14)**2) = 5/14.
    graph = links(6, [0, 1, 2, 3, 4, 5, 2], [1, 2, 0, 4, 5, 3, 3])
    result = modularity_communities(graph)
    assert result.labels.tolist() == [1, 1, 1, 2, 2, 2]
    assert result.modularity == pytest.approx(5 / 14)


def test_direction_is_ignored_and_both_directions_add_up():
    forward = links(4, [0, 2, 1], [1, 3, 2], [3.0, 3.0, 1.0])
    mixed = links(4, [1, 0, 3, 1], [0, 1, 2, 2], [1.0, 2.0, 3.0, 1.0])
    assert [x.tolist() for x in undirected(forward)] == [x.tolist() for x in undirected(mixed)]
    a, b = modularity_communities(forward), modularity_communities(mixed)
    assert a.labels.tolist() == b.labels.tolist() == [1, 1, 2, 2]
    assert a.modularity == pytest.approx(b.modularity)


def test_nodes_without_links_have_no_community_and_self_loops_are_not_links():
    graph = links(5, [0, 1, 3], [1, 0, 3])
    result = modularity_communities(graph)
    assert result.labels.tolist() == [1, 1, 0, 0, 0]
    assert community_summary(result, seed=0)["nodes_without_links"] == 3
    empty = modularity_communities(links(3, [], []))
    assert empty.labels.tolist() == [0, 0, 0] and empty.modularity is None


def test_planted_communities_are_recovered_and_the_seed_fixes_the_answer():
    rng = np.random.default_rng(0)
    truth = np.repeat(np.arange(4), 15)
    i, j = np.triu_indices(len(truth), 1)
    p = np.where(truth[i] == truth[j], 0.5, 0.01)
    keep = rng.random(len(i)) < p
    graph = links(len(truth), i[keep], j[keep])
    result = modularity_communities(graph, seed=3)
    for g in range(4):
        assert len(set(result.labels[truth == g].tolist())) == 1
    assert len(set(result.labels.tolist())) == 4
    assert result.modularity > 0.5
    again = modularity_communities(graph, seed=3)
    assert np.array_equal(result.labels, again.labels) and result.modularity == again.modularity
    sizes = result.sizes
    assert sizes.sum() == len(truth) and (np.diff(sizes) <= 0).all()


def test_communities_in_the_metric_tables_and_the_summary():
    names = ["ann", "bo", "cy", "dee", "eve", "fay", "gus"]
    # ann, bo, cy talk among themselves; dee, eve, fay among themselves; cy answers dee once; gus posts alone.
    rows = [("ann", None), ("bo", 0), ("cy", 1), ("ann", 2), ("dee", None), ("eve", 4), ("fay", 5), ("dee", 6),
            ("cy", 7), ("gus", None), ("bo", 3), ("eve", 7), ("fay", 4)]  # fmt: skip
    posts = pl.DataFrame(
        {
            "thread_id": ["t"] * len(rows),
            "post_id": [f"p{k}" for k in range(len(rows))],
            "position": list(range(1, len(rows) + 1)),
            "author": [a for a, _ in rows],
            "created_at": [None] * len(rows),
        },
        schema_overrides={"created_at": pl.Datetime("us", "UTC")},
    )
    edges = pl.DataFrame(
        {
            "source": [f"p{k}" for k, (_, t) in enumerate(rows) if t is not None],
            "target": [f"p{t}" for _, t in rows if t is not None],
            "kind": ["reply"] * sum(t is not None for _, t in rows),
        }
    )
    metrics = sna.compute_metrics(posts, edges)
    community = dict(metrics.author_metrics.select("author", "community").iter_rows())
    assert set(community) == set(names)
    assert community["ann"] == community["bo"] == community["cy"] != community["dee"]
    assert community["dee"] == community["eve"] == community["fay"]
    assert community["gus"] is None
    summary = metrics.summary["communities"]
    assert summary["communities"] == 2 and summary["largest_communities"] == [3, 3]
    assert summary["nodes_without_links"] == 1 and 0 < summary["modularity"] < 1
    assert metrics.author_metrics.columns[-1] == "community"

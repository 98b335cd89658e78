"""Graph views: which graph is drawn, cutting to the most central nodes, stance and kind per drawn edge."""

import numpy as np
import polars as pl

from sna.render.views import (
    author_view,
    dominant_kind,
    dominant_stance,
    force_layout,
    graph_view,
    mostly_anonymous,
    post_links_table,
    post_view,
    tree_layout,
)


def test_the_seed_thread_draws_the_post_graph_a_named_forum_the_author_graph(seed_corpus, labelled):
    posts, edges, metrics = seed_corpus
    assert mostly_anonymous(metrics)
    assert graph_view(posts, edges, metrics).level == "post"
    posts, edges, metrics = labelled
    assert graph_view(posts, edges, metrics).level == "author"
    assert graph_view(posts, edges, metrics, level="post").level == "post"


def test_views_keep_every_node_and_edge_and_never_change_the_tables(labelled):
    posts, edges, metrics = labelled
    before = (posts.clone(), edges.clone(), metrics.author_edges.clone())
    view = author_view(metrics, posts)
    assert view.n == metrics.author_metrics.height and view.m == metrics.author_edges.height
    assert (view.nodes["id"][view.src].to_list(), view.nodes["id"][view.dst].to_list()) == (
        view.links["source"].to_list(),
        view.links["target"].to_list(),
    )
    assert "excerpt" in view.nodes.columns and view.nodes["excerpt"].null_count() == 0
    post = post_view(posts, edges, metrics)
    assert post.n == posts.height and post.m == edges.select("source", "target").unique().height
    assert posts.equals(before[0]) and edges.equals(before[1]) and metrics.author_edges.equals(before[2])


def test_cutting_keeps_the_highest_pagerank_and_the_links_among_them(labelled):
    posts, edges, metrics = labelled
    view = post_view(posts, edges, metrics, max_nodes=10)
    top = set(metrics.post_metrics.sort("pagerank", descending=True)["post_id"].head(10).to_list())
    assert set(view.nodes["id"].to_list()) == top
    assert set(view.links["source"].to_list()) | set(view.links["target"].to_list()) <= top
    assert view.truncated and view.total_nodes == posts.height


def test_dominant_stance_and_kind():
    links = pl.DataFrame({"agree": [1, 0, 2, 0], "neutral": [0, 0, 0, 3], "disagree": [0, 1, 2, 0],
                          "quote": [0, 1, 0, 0], "reply": [1, 1, 0, 0], "implicit": [0, 0, 1, 1]})  # fmt: skip
    assert dominant_stance(links).tolist() == [0, 2, 1, 1]
    assert dominant_kind(links).tolist() == [1, 0, 2, 2]
    grouped = post_links_table(pl.DataFrame({"source": ["b", "b"], "target": ["a", "a"], "kind": ["quote", "reply"],
                                             "stance": ["agree", None]}))  # fmt: skip
    assert grouped.select("weight", "quote", "reply", "agree", "neutral").row(0) == (2, 1, 1, 1, 0)


def test_layouts_are_seeded_and_fill_the_unit_square():
    rng = np.random.default_rng(1)
    for n in (40, 1_500):
        src = np.arange(1, n)
        dst = (rng.random(n - 1) * src).astype(int)
        a, b = force_layout(n, src, dst, seed=3), force_layout(n, src, dst, seed=3)
        assert np.array_equal(a, b)
        assert a.min() >= 0 and a.max() <= 1 and np.isclose(np.ptp(a, axis=0).max(), 1)
    pos = tree_layout(np.array([-1, 0, 0, 1, 1]))
    assert pos[:, 1].tolist() == [0, -1, -1, -2, -2]

"""What the pictures read: views, backbone, names, group and time tables, thread and cascade choices."""

import datetime as dt

import numpy as np
import polars as pl
import pytest

from sna.analysis.pictures import (
    PictureOptions,
    activity_bins,
    group_links,
    group_table,
    picture_data,
    top_tables,
)
from sna.analysis.views import (
    author_view,
    graph_view,
    mark_backbone,
    mostly_anonymous,
    pair_links,
    post_view,
    select,
)
from tests.render.fixtures import labelled_forum


@pytest.fixture(scope="module")
def forum():
    from sna.analysis.report import compute_metrics

    posts, edges = labelled_forum(assumed_every=5)
    return posts, edges, compute_metrics(posts, edges)


def test_the_seed_thread_draws_the_post_graph_a_named_forum_the_author_graph(forum):
    import sna
    from tests.helpers import SEED

    corpus = sna.load(SEED, stance=False)
    assert (
        mostly_anonymous(corpus.metrics()) and graph_view(corpus.posts, corpus.edges, corpus.metrics()).level == "post"
    )
    posts, edges, metrics = forum
    assert graph_view(posts, edges, metrics).level == "author"


def test_views_keep_every_node_and_link_and_never_change_the_tables(forum):
    posts, edges, metrics = forum
    before = (posts.clone(), edges.clone(), metrics.author_edges.clone())
    view = author_view(metrics, posts)
    assert view.n == metrics.author_metrics.height and view.m == metrics.author_edges.height
    assert view.nodes["id"].gather(view.src).to_list() == view.links["source"].to_list()
    posts_view = post_view(posts, edges, metrics, max_nodes=None)
    assert posts_view.n == posts.height and posts_view.m == edges.select("source", "target").unique().height
    assert posts.equals(before[0]) and edges.equals(before[1]) and metrics.author_edges.equals(before[2])


def test_pair_links_count_read_and_assumed_links_apart():
    edges = pl.DataFrame({"source": ["b", "b", "c", "d"], "target": ["a", "a", "a", "a"],
                          "kind": ["quote", "reply", "implicit", "implicit"],
                          "stance": ["agree", "disagree", None, None]})  # fmt: skip
    table = pair_links(edges)
    assert table.select("source", "weight", "quote", "reply", "implicit", "agree", "assumed").rows() == [
        ("b", 2, 1, 1, 0, 1, False), ("c", 0, 0, 0, 1, 0, True), ("d", 0, 0, 0, 1, 0, True)]  # fmt: skip
    assert pair_links(edges, implicit_links="count")["weight"].to_list() == [2, 1, 1]


def test_groups_are_camps_and_camps_of_one_have_no_camp(forum):
    posts, _edges, metrics = forum
    view = author_view(metrics, posts)
    assert view.grouping == "camp"
    sizes = metrics.author_metrics.group_by("camp").len()
    single = set(sizes.filter(pl.col("len") < 2)["camp"].to_list())
    camp = dict(zip(metrics.author_metrics["author"].to_list(), metrics.author_metrics["camp"].to_list(), strict=True))
    for row in view.nodes.iter_rows(named=True):
        expected = 0 if camp[row["id"]] is None or camp[row["id"]] in single else camp[row["id"]]
        assert row["group"] == expected


def test_communities_group_the_nodes_when_there_are_no_camps(forum):
    from dataclasses import replace

    posts, _edges, metrics = forum
    plain = metrics.author_metrics.with_columns(camp=pl.lit(None, pl.Int64), community=pl.Series(
        [1 + i % 2 for i in range(metrics.author_metrics.height)]))  # fmt: skip
    view = author_view(replace(metrics, author_metrics=plain), posts)
    assert view.grouping == "community" and set(view.group.tolist()) == {1, 2}
    no_groups = author_view(replace(metrics, author_metrics=plain.drop("community").with_columns(
        camp=pl.lit(None, pl.Int64))), posts)  # fmt: skip
    assert no_groups.grouping is None and set(no_groups.group.tolist()) == {0}


def test_group_links_by_hand(forum):
    posts, _edges, metrics = forum
    view = author_view(metrics, posts)
    table = group_links(view)
    group = dict(zip(view.nodes["id"].to_list(), view.group.tolist(), strict=True))
    expected: dict = {}
    for row in metrics.author_edges.iter_rows(named=True):
        a, b = group[row["source"]], group[row["target"]]  # 0: no camp
        cell = expected.setdefault((a, b), [0, 0])
        cell[0] += row["agree"]
        cell[1] += row["disagree"]
    got = {(r["source_group"], r["target_group"]): [r["agree"], r["disagree"]] for r in table.iter_rows(named=True)}
    assert got == expected
    groups = group_table(view)
    assert groups["size"].sum() == int((view.group > 0).sum())
    assert all(len(c) <= 3 for c in groups["central"].to_list())


def test_the_backbone_keeps_the_most_central_nodes_and_each_ones_strongest_links(forum):
    posts, _edges, metrics = forum
    view = mark_backbone(author_view(metrics, posts), full_nodes=5, backbone_nodes=5, full_links=3, strong_ties=1)
    core = view.backbone
    top5 = np.argsort(-view.pagerank, kind="stable")[:5]
    assert set(np.flatnonzero(core).tolist()) == set(top5.tolist())
    strong = view.links.filter(pl.col("backbone"))
    assert core[strong["src"].to_numpy()].all() and core[strong["dst"].to_numpy()].all()
    ends = np.concatenate([strong["src"].to_numpy(), strong["dst"].to_numpy()])
    assert set(ends.tolist()) <= set(top5.tolist()) and len(strong) <= 10


def test_select_keeps_positions_and_says_what_it_left_out(forum):
    posts, _edges, metrics = forum
    view = author_view(metrics, posts)
    small = select(view, min_degree=6, max_nodes=5)
    assert small.n == 5 and "fewer than 6 links left out" in small.cut and "highest PageRank" in small.cut
    where = dict(zip(view.nodes["id"].to_list(), view.nodes["x"].to_list(), strict=True))
    assert all(where[i] == x for i, x in zip(small.nodes["id"].to_list(), small.nodes["x"].to_list(), strict=True))
    assert not select(view, hide_assumed=True).links["assumed"].any()


def test_a_cut_post_graph_keeps_whole_threads_and_their_relative_places(forum):
    posts, edges, metrics = forum
    whole = post_view(posts, edges, metrics, max_nodes=None)
    cut = post_view(posts, edges, metrics, max_nodes=40, whole=True)
    assert cut.n < whole.n and cut.total_nodes == posts.height and "largest of 3 threads" in cut.cut
    kept = set(cut.nodes["thread_id"].to_list())
    assert cut.n == posts.filter(pl.col("thread_id").is_in(list(kept))).height
    a = whole.nodes.filter(pl.col("id").is_in(cut.nodes["id"].implode())).select("x", "y").to_numpy()
    b = cut.nodes.select("x", "y").to_numpy()
    ratio = np.ptp(b, axis=0) / np.ptp(a, axis=0)
    assert np.allclose(ratio, ratio[0]) and np.allclose((b - b.mean(0)), (a - a.mean(0)) * ratio[0])


def test_activity_bins_count_every_post_and_every_labelled_reply(forum):
    posts, edges, _ = forum
    activity = activity_bins(posts, edges)
    assert activity.unit == "6 hours"  # 19 days: hours would be 450 bins
    assert activity.bins["posts"].sum() == posts.height
    assert activity.bins.select(pl.sum_horizontal("agree", "neutral", "disagree")).sum().item() == \
        edges["stance"].drop_nulls().len()  # fmt: skip
    t0 = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    assert activity_bins(pl.DataFrame({"created_at": [None]}, schema={"created_at": pl.Datetime("us", "UTC")})) is None
    assert activity_bins(pl.DataFrame({"created_at": [t0]})).bins.height == 1


def test_thread_and_cascades_follow_the_thread_option(forum):
    posts, edges, metrics = forum
    default = picture_data(posts, edges, metrics)
    biggest = posts.group_by("thread_id").len().sort("len", descending=True)["thread_id"][0]
    assert default.thread.thread_id == biggest and default.thread.largest
    chosen = picture_data(posts, edges, metrics, PictureOptions(thread="thread2"))
    assert chosen.thread.thread_id == "thread2" and chosen.thread.title == "Thread 2: a question"
    assert chosen.trees and all(t.cascade["thread_id"] == "thread2" for t in chosen.trees)
    assert all(t.thread == "Thread 2: a question" for t in chosen.trees)
    tree = chosen.trees[0].nodes
    assert (tree["end"] > tree["start"]).all() and tree["depth"].min() == 0


def test_report_tables_rank_by_pagerank_and_size(forum):
    posts, edges, metrics = forum
    tables = top_tables(picture_data(posts, edges, metrics), k=4)
    best = metrics.author_metrics.sort("pagerank", descending=True)["author"].head(4).to_list()
    assert tables["authors"]["author"].to_list() == best
    sizes = tables["cascades"]["size"].to_list()
    assert sizes == sorted(sizes, reverse=True) and len(sizes) <= 4


def test_with_camps_per_thread_thread_pictures_colour_each_threads_own_camps():
    from sna.analysis.report import compute_metrics

    posts, edges = labelled_forum(assumed_every=5)
    metrics = compute_metrics(posts, edges, camps_by="thread")
    assert metrics.thread_camps.height
    pictures = picture_data(posts, edges, metrics, PictureOptions(thread="thread1"))
    assert pictures.thread_grouping == "camp"
    expected = {(r["thread_id"], r["author"]): r["camp"] or 0 for r in metrics.thread_camps.iter_rows(named=True)}
    author = dict(zip(posts["post_id"].to_list(), posts["author"].to_list(), strict=True))
    got = pictures.thread.posts.select("post_id", "group").rows()
    assert got and all(group == expected.get(("thread1", author[p]), 0) for p, group in got)
    assert any(group > 0 for _, group in got)
    assert pictures.view.grouping == "community"  # the author graph: modularity communities


def test_without_groups_the_legend_says_why(forum):
    from dataclasses import replace

    from sna.analysis.views import no_groups_reason

    posts, _edges, metrics = forum
    unlabelled = replace(metrics, summary={**metrics.summary, "camps": {"available": False}})
    assert no_groups_reason(unlabelled, "author") == "no stance labels, so no camps"
    plain = metrics.author_metrics.with_columns(camp=pl.lit(None, pl.Int64), community=pl.lit(None, pl.Int64))
    view = author_view(replace(unlabelled, author_metrics=plain), posts)
    assert view.grouping is None and view.no_groups == "no stance labels, so no camps"


def _same_view(fast, whole) -> None:
    assert fast.nodes.equals(whole.nodes, null_equal=True) and fast.links.equals(whole.links, null_equal=True)
    for name in ("xy", "region", "centers", "radii", "region_group"):
        assert np.array_equal(getattr(fast.layout, name), getattr(whole.layout, name)), name
    for name in ("level", "total_nodes", "total_links", "grouping", "cut", "no_groups"):
        assert getattr(fast, name) == getattr(whole, name), name


@pytest.mark.parametrize("stance", [True, False])
def test_a_cut_post_graph_is_the_whole_graph_cut_without_laying_out_the_rest(stance):
    from sna.analysis.report import compute_metrics
    from sna.analysis.views import cut_post_view, cut_to_threads

    posts, edges = labelled_forum(240, n_threads=12, stance=stance, seed=7, assumed_every=6)
    # thread ids out of order and not ASCII: discs are numbered by sorted id, as the whole layout numbers them
    posts = posts.with_columns(thread_id=pl.format("{}{}", pl.col("thread_id").str.slice(-1).replace("1", "é"),
                                                   pl.col("thread_id")))  # fmt: skip
    metrics = compute_metrics(posts, edges)
    whole = post_view(posts, edges, metrics, max_nodes=None)
    assert whole.grouping == ("camp" if stance else None)
    for k in (3, 25, 60, 150, 239, 240):
        _same_view(cut_post_view(posts, edges, metrics, k), cut_to_threads(whole, k))
    pictures = picture_data(posts, edges, metrics, level="post", pages=True)
    _same_view(pictures.view, cut_to_threads(whole, 20_000))

"""Picture tables of a five-post thread, computed by hand: arcs, reply depth, time bins, page interactions.

The thread (times one hour apart from 10:00)::

    p1 ann            (opener)
    p2 bob   -> p1    reply, agree
    p3 cat   -> p2    reply, disagree
    p4 ann   -> p2    reply, disagree; also quotes p2, disagree
    p5 dan   -> p1    implicit (assumed), unlabelled
"""

import datetime as dt

import numpy as np
import polars as pl
import pytest

from sna.analysis.pages import page_tables
from sna.analysis.pictures import activity_bins, thread_view, time_bin
from sna.analysis.views import author_view, pair_links, post_view
from sna.schema import EDGES_SCHEMA, POSTS_SCHEMA, conform

T0 = dt.datetime(2024, 5, 1, 10, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def tiny():
    from sna.analysis.report import compute_metrics

    authors = ["ann", "bob", "cat", "ann", "dan"]
    parents = [None, "p1", "p2", "p2", None]
    posts = conform(pl.DataFrame({
        "thread_id": ["t"] * 5, "post_id": [f"p{i}" for i in range(1, 6)], "position": [1, 2, 3, 4, 5],
        "author": authors, "created_at": [T0 + dt.timedelta(hours=i) for i in range(5)],
        "title": ["A small debate"] * 5, "text": [f"words {i}" for i in range(1, 6)],
        "raw_text": [f"words {i}" for i in range(1, 6)], "reply_to": parents,
    }), POSTS_SCHEMA)  # fmt: skip
    rows = [("p2", "p1", "reply", "agree"), ("p3", "p2", "reply", "disagree"), ("p4", "p2", "reply", "disagree"),
            ("p4", "p2", "quote", "disagree"), ("p5", "p1", "implicit", None)]  # fmt: skip
    author = dict(zip(posts["post_id"], posts["author"], strict=True))
    when = dict(zip(posts["post_id"], posts["created_at"], strict=True))
    edges = conform(pl.DataFrame({
        "source": [r[0] for r in rows], "target": [r[1] for r in rows],
        "source_author": [author[r[0]] for r in rows], "target_author": [author[r[1]] for r in rows],
        "kind": [r[2] for r in rows], "stance": [r[3] for r in rows],
        "stance_score": [{"agree": 0.8, "disagree": -0.8}.get(r[3]) for r in rows],
        "created_at": [when[r[0]] for r in rows],
    }), EDGES_SCHEMA)  # fmt: skip
    return posts, edges, compute_metrics(posts, edges)


def test_pairs_merge_the_reply_and_the_quote_of_one_post(tiny):
    _posts, edges, _metrics = tiny
    table = pair_links(edges).sort("source", "target")
    assert table.select("source", "target", "weight", "quote", "reply", "implicit", "agree", "disagree",
                        "assumed").rows() == [
        ("p2", "p1", 1, 0, 1, 0, 1, 0, False),
        ("p3", "p2", 1, 0, 1, 0, 0, 1, False),
        ("p4", "p2", 2, 1, 1, 0, 0, 2, False),
        ("p5", "p1", 0, 0, 0, 1, 0, 0, True),
    ]  # fmt: skip


def test_the_arc_diagram_table_by_hand(tiny):
    posts, edges, metrics = tiny
    thread = thread_view(posts, edges, metrics, post_view(posts, edges, metrics))
    assert thread.thread_id == "t" and thread.title == "A small debate" and thread.threads == 1 and thread.largest
    table = thread.posts.sort("position")
    assert table["position"].to_list() == [1, 2, 3, 4, 5]
    assert table["depth"].to_list()[:4] == [0, 1, 2, 2]
    assert table["parent_position"].to_list()[:4] == [None, 1, 2, 2]
    arcs = thread.links.sort("source_position", "target_position")
    assert arcs.select("source_position", "target_position", "weight", "disagree", "assumed").rows() == [
        (2, 1, 1, 0, False), (3, 2, 1, 1, False), (4, 2, 2, 2, False), (5, 1, 0, 0, True)]  # fmt: skip


def test_the_author_graph_view_by_hand(tiny):
    posts, _edges, metrics = tiny
    view = author_view(metrics, posts)
    assert sorted(view.nodes["label"].to_list()) == ["ann", "bob", "cat", "dan"]
    ids = view.nodes["id"].to_list()
    pairs = sorted((ids[s], ids[d]) for s, d in zip(view.src.tolist(), view.dst.tolist(), strict=True))
    assert pairs == sorted(
        [("bob", "ann"), ("cat", "bob"), ("ann", "bob"), ("dan", "ann")])  # fmt: skip


def test_time_bins_by_hand(tiny):
    posts, edges, _metrics = tiny
    activity = activity_bins(posts, edges)
    assert activity.unit == "hour" and activity.stamped == activity.total == 5
    assert activity.bins.select("posts", "agree", "neutral", "disagree").rows() == [
        (1, 0, 0, 0), (1, 1, 0, 0), (1, 0, 0, 1), (1, 0, 0, 2), (1, 0, 0, 0)]  # fmt: skip
    # at most 200 bins: 199 hours stay hourly, 201 hours go to 6-hour bins, 60 years to years
    assert [time_bin(s)[2] for s in (0, 199 * 3600, 201 * 3600, 86400 * 365 * 60)] == [
        "hour",
        "hour",
        "6 hours",
        "year",
    ]


def test_page_interactions_by_hand(tiny):
    posts, edges, metrics = tiny
    view = post_view(posts, edges, metrics)
    tables = page_tables(view, posts, edges, metrics, time_bins=4)
    ids = view.nodes["id"].to_list()
    pairs = [(ids[s], ids[d]) for s, d in zip(view.src.tolist(), view.dst.tolist(), strict=True)]
    got = sorted((pairs[r["link"]], r["kind"], r["stance"], r["bin"], r["n"]) for r in tables.interactions.iter_rows(
        named=True))  # fmt: skip
    from sna.analysis.pages import KIND_CODES, STANCE_CODES

    k, s = KIND_CODES, STANCE_CODES
    # 4 hours over 4 steps: p2 at 1 h is step 1, p3 step 2, p4 step 3, p5 (4 h, the end) the last step 3
    assert got == sorted([
        (("p2", "p1"), k["reply"], s["agree"], 1, 1), (("p3", "p2"), k["reply"], s["disagree"], 2, 1),
        (("p4", "p2"), k["reply"], s["disagree"], 3, 1), (("p4", "p2"), k["quote"], s["disagree"], 3, 1),
        (("p5", "p1"), k["implicit"], -1, 3, 1)])  # fmt: skip
    assert tables.threads.rows() == [("A small debate", 5)]
    assert tables.time_bins[0] == "2024-05-01T10:00:00Z" and tables.time_bins[-1] == "2024-05-01T14:00:00Z"
    assert np.array_equal(np.array([len(b) for b in tables.node_bins]), np.ones(5))

"""Metric tables on the seed thread, checked against a reading of the thread."""

import polars as pl
import pytest

import sna


@pytest.fixture(scope="module")
def seed_corpus():
    from tests.helpers import SEED

    return sna.load(SEED, stance=False)


def post(n: int) -> str:
    return f"seed-pakistan-ussr-thread#{n}"


def test_seed_post_metrics(seed_corpus):
    metrics = seed_corpus.post_metrics().with_columns(n=pl.col("post_id").str.extract(r"#(\d+)$").cast(pl.Int64))
    by_n = {row["n"]: row for row in metrics.iter_rows(named=True)}
    # 19 posts are assumed to answer the opening post (implicit links); post 14 is quoted by 15, 16, 20
    # and 21. By default the measures count only links read from the posts.
    assert (by_n[1]["in_degree"], by_n[1]["replies_received"], by_n[1]["implicit_received"]) == (0, 0, 19)
    assert (by_n[14]["in_degree"], by_n[14]["replies_received"], by_n[14]["implicit_received"]) == (4, 4, 0)
    assert metrics.sort("pagerank", descending=True)["n"][0] == 14
    counted = seed_corpus.post_metrics(implicit_links="count").with_columns(
        n=pl.col("post_id").str.extract(r"#(\d+)$").cast(pl.Int64)
    )
    assert counted.sort("pagerank", descending=True)["n"].head(2).to_list() == [1, 14]
    assert counted.filter(pl.col("n") == 1)["in_degree"][0] == 19
    # The longest chain: 19 quotes 17, which quotes 16, which quotes 14, which answers 1.
    assert (by_n[19]["depth"], by_n[17]["depth"], by_n[16]["depth"], by_n[14]["depth"]) == (4, 3, 2, 1)
    assert by_n[14]["subtree_size"] == 7 and by_n[1]["subtree_size"] == 32
    assert by_n[19]["parent"] == post(17)


def test_seed_author_metrics_keep_anonymous_posts_apart(seed_corpus):
    authors = seed_corpus.author_metrics()
    assert authors.height == 32  # Varun plus 31 posts without a name, one node each
    assert authors.filter(pl.col("anonymous")).height == 31
    varun = authors.filter(pl.col("author") == "Varun").row(0, named=True)
    assert (varun["in_degree"], varun["implicit_received"]) == (0, 19)  # Varun opened the thread
    assert authors["agree_in"].null_count() == 32  # no stance yet


def test_seed_cascades(seed_corpus):
    cascades = seed_corpus.cascades()
    reply = cascades.filter(pl.col("kind") == "reply")
    assert reply.select("size", "depth").rows() == [(32, 4)]
    quote = cascades.filter(pl.col("kind") == "quote").sort("root")
    sizes = dict(zip(quote["root"], quote["size"], strict=True))
    assert sizes == {post(14): 7, post(22): 2, post(26): 3, post(30): 2, post(6): 3}
    biggest = quote.filter(pl.col("root") == post(14)).row(0, named=True)
    # Tree 14 -> {15, 16, 20, 21}, 16 -> 17 -> 19: Wiener index 46 over 21 pairs.
    assert biggest["structural_virality"] == pytest.approx(46 / 21)
    assert biggest["max_breadth"] == 4


def test_seed_summary(seed_corpus):
    summary = seed_corpus.summary()
    assert summary["posts"] == 32 and summary["edges"] == {"quote": 12, "reply": 0, "implicit": 19}
    assert summary["share_of_posts_that_quote"] == pytest.approx(12 / 32)
    graph = summary["post_graph"]
    # 12 quote links among 32 posts; the 19 assumed links are left out of the graph's measures.
    assert (graph["nodes"], graph["links"], graph["weak_components"], graph["reciprocity"]) == (32, 12, 20, 0.0)
    assert graph["density"] == pytest.approx(12 / (32 * 31))
    assert graph["top"]["in_degree"][0] == {"node": post(14), "value": 4}
    assert summary["assumed_share"] == pytest.approx(19 / 31)
    assert summary["implicit_links"] == "ignore" and "61% of links are assumed" in summary["warnings"][0]


def test_metrics_are_deterministic(seed_corpus):
    a = sna.compute_metrics(seed_corpus.posts, seed_corpus.edges)
    b = sna.compute_metrics(seed_corpus.posts, seed_corpus.edges)
    for name in ("post_metrics", "author_metrics", "cascades"):
        assert getattr(a, name).equals(getattr(b, name))
    assert a.summary == b.summary


def test_corpus_graphs_are_copies(seed_corpus):
    graph = seed_corpus.author_graph()
    graph.remove_node("Varun")
    assert seed_corpus.author_graph().has_node("Varun")
    assert seed_corpus.post_graph().number_of_edges() == seed_corpus.edges.height


def test_camps_from_labelled_stance():
    # Two sides: ann and bo agree with each other and disagree with cy and dee, who agree.
    authors = ["ann", "bo", "cy", "dee", "ann", "cy", "bo", "dee"]
    posts = pl.DataFrame(
        {
            "thread_id": ["t"] * 8,
            "post_id": [f"p{i}" for i in range(8)],
            "position": list(range(1, 9)),
            "author": authors,
            "created_at": [None] * 8,
        },
        schema_overrides={"created_at": pl.Datetime("us", "UTC")},
    )
    pairs = [(1, 0, "agree"), (2, 1, "disagree"), (3, 2, "agree"), (4, 3, "disagree"), (5, 4, "disagree"),
             (6, 5, "disagree"), (7, 6, "disagree"), (7, 5, "agree"), (6, 4, "agree")]  # fmt: skip
    edges = pl.DataFrame(
        {
            "source": [f"p{s}" for s, _, _ in pairs],
            "target": [f"p{t}" for _, t, _ in pairs],
            "kind": ["reply"] * len(pairs),
            "stance": [x for _, _, x in pairs],
        }
    )
    metrics = sna.compute_metrics(posts, edges)
    camp = dict(zip(metrics.author_metrics["author"], metrics.author_metrics["camp"], strict=True))
    assert camp["ann"] == camp["bo"] != camp["cy"] == camp["dee"]
    summary = metrics.summary["camps"]["author_graph"]
    assert summary["frustration_index"] == 0.0 and summary["camps"] == 2
    assert summary["random_partitions"]["mean"] > 0.3
    table = metrics.camps.filter(pl.col("graph") == "author")
    assert table["size"].to_list() == [2, 2]
    assert table["agree_inside"].sum() == 4 and table["disagree_inside"].sum() == 0
    assert table["disagree_across"].sum() == 2 * 5  # each disagreement counted once for each camp
    assert metrics.post_metrics["camp"].null_count() == 0  # post camps cover every post
    assert metrics.author_metrics["agree_in"].sum() == 4


def test_without_stance_camps_are_null_and_the_summary_says_why(seed_corpus):
    metrics = seed_corpus.metrics()
    assert metrics.camps.height == 0
    assert metrics.author_metrics["camp"].null_count() == metrics.author_metrics.height
    assert metrics.summary["camps"]["available"] is False


def test_assumed_links_do_not_decide_the_ranking_on_a_real_thread():
    # forum.modelarstwo.info thread 60974 (a forumscraper example; first 40 posts): Krocik TV announced an
    # event, and most replies quote nothing, so they are assumed to answer the announcement.
    from tests.helpers import DATA

    corpus = sna.load(DATA / "implicit-ranking", stance=False)
    counted = corpus.author_metrics(implicit_links="count").sort("in_weight", descending=True)
    assert counted["author"][0] == "Krocik TV" and counted["in_weight"][0] > 10 * counted["in_weight"][1]
    krocik = corpus.author_metrics().filter(pl.col("author") == "Krocik TV").row(0, named=True)
    assert krocik["in_weight"] == krocik["replies_received"] == 1  # one real quote
    assert krocik["implicit_received"] >= 30
    top = corpus.summary()["author_graph"]["top"]["in_weight"]
    assert top[0]["value"] == 1.0  # no author stands out on read links alone
    summary = corpus.summary()
    assert summary["assumed_share"] > 0.8 and "are assumed" in summary["warnings"][0]

"""Metric tables on the seed thread, checked against a reading of the thread."""

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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


@settings(max_examples=60, deadline=None)
@given(
    values=st.lists(st.one_of(st.none(), st.integers(0, 4).map(float)), min_size=0, max_size=120),
    top_k=st.integers(1, 12),
)
def test_top_nodes_are_those_of_a_full_sort_with_ties_broken_by_name(values, top_k):
    import numpy as np

    from sna.analysis.report import graph_summary
    from sna.graph import LinkArrays

    names = [f"n{i:03d}" for i in range(len(values))][::-1]  # names in reverse order: ties must sort by name
    table = pl.DataFrame({"n": names, "pagerank": values, "in_degree": [None if v is None else int(v) for v in values]},
                         schema={"n": pl.String, "pagerank": pl.Float64, "in_degree": pl.Int64})  # fmt: skip
    links = LinkArrays(pl.Series(names, dtype=pl.String), np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0))
    top = graph_summary(links, table, name="n", top_k=top_k)["top"]
    for measure in ("pagerank", "in_degree"):
        rows = sorted(((v, n) for n, v in zip(names, table[measure].to_list(), strict=True) if v is not None),
                      key=lambda row: (-row[0], row[1]))[:top_k]  # fmt: skip
        assert top[measure] == [{"node": n, "value": v} for v, n in rows]


KINDS = st.sampled_from(["quote", "reply", "implicit"])
STANCES = st.sampled_from([None, "agree", "neutral", "disagree"])
AUTHORS = st.sampled_from(["ann", "bo", "cy", None, "[deleted]"])


@settings(max_examples=60, deadline=None)
@given(
    authors=st.lists(AUTHORS, min_size=1, max_size=12),
    links=st.lists(st.tuples(st.integers(0, 11), st.integers(0, 11), KINDS, STANCES), max_size=30),
    implicit=st.sampled_from(["ignore", "count"]),
)
def test_author_links_count_each_pair_by_kind_and_stance(authors, links, implicit):
    from sna.graph import author_key, author_tables, counted_kinds, index_corpus

    n = len(authors)
    posts = pl.DataFrame(
        {"post_id": [str(i) for i in range(n)], "thread_id": ["t"] * n, "position": list(range(1, n + 1)),
         "author": authors},
        schema_overrides={"author": pl.String},
    )  # fmt: skip
    rows = [(str(s % n), str(t % n), kind, stance) for s, t, kind, stance in links]
    edges = pl.DataFrame(rows, schema={"source": pl.String, "target": pl.String, "kind": pl.String,
                                       "stance": pl.String}, orient="row")  # fmt: skip
    counted = counted_kinds(implicit)
    _, table = author_tables(posts, edges, counted=counted)
    ix = index_corpus(posts, edges)
    name = ix.node_names.gather(ix.node).to_list()
    keys = posts.select(author_key()).to_series()  # with and without unknown authors: the same nodes
    assert name == keys.to_list() and ix.node_names.to_list() == keys.unique(maintain_order=True).to_list()
    columns = ["weight", "quote", "reply", "implicit", "agree", "neutral", "disagree"]
    expected: dict[tuple[str, str], dict[str, int]] = {}
    for s, t, kind, stance in rows:
        a, b = name[int(s)], name[int(t)]
        if a == b:
            continue
        row = expected.setdefault((a, b), dict.fromkeys(columns, 0))
        row[kind] += 1
        if kind in counted:
            row["weight"] += 1
            if stance is not None:
                row[stance] += 1
    got = {(r["source"], r["target"]): {k: r[k] for k in columns} for r in table.iter_rows(named=True)}
    assert got == expected
    assert table.select("source", "target").rows() == sorted(expected)
    assert (table["signed"] == table["agree"] - table["disagree"]).all()

"""Post ids worked on as row numbers: the same tables whatever the ids look like."""

import numpy as np
import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sna.analysis.report import compute_metrics
from sna.edges import extract_edges
from sna.graph import index_corpus
from sna.ids import all_unique, rows_of, sorted_thread_codes, sorted_unique, sorted_values, thread_order
from sna.quotes import find_pasted_quotes
from sna.schema import MARKED_SCHEMA, POSTS_SCHEMA, conform

CATS = "Cats are the finest companions a person could ever hope to have at home."
DOGS = "Dogs will guard the house and walk with you for miles on every single day."

#: Plain ids and the odd ids they are renamed to: unicode, ids that look like numbers, a long id.
ODD = {
    "t1": "007",
    "t2": "7",
    "t3": "ünïcødé 🙂",
    "t4": "1e3",
    "t5": "x" * 300,
    "u3": "７",  # fullwidth digit seven
    "u4": "-0",
    "u5": " 7 ",
}


def corpus() -> tuple[pl.DataFrame, pl.DataFrame]:
    """Thread t: a pasted quote, a reply, an implicit link and a marked quote; thread u starts at position 3."""
    posts = pl.DataFrame({
        "thread_id": ["t"] * 5 + ["u"] * 3,
        "post_id": ["t1", "t2", "t3", "t4", "t5", "u3", "u4", "u5"],
        "position": [1, 2, 3, 4, 5, 3, 4, 5],
        "author": ["ann", "bo", "ann", "cy", "bo", "dee", "ann", "dee"],
        "text": [CATS, f"{CATS}\n\nNot mine.", "Sure.", "Hm.", "Right.", DOGS, "Agreed.", "Fine."],
        "reply_to": [None, None, "t2", None, None, None, "u3", "gone"],
    })  # fmt: skip
    posts = conform(posts.with_columns(raw_text=pl.col("text")), POSTS_SCHEMA)
    marked = pl.DataFrame(
        {"source": ["t5"], "target": ["t3"], "target_author": ["ann"], "quoted_text": ["Sure."], "start": [0],
         "end": [5]}, schema=MARKED_SCHEMA,
    )  # fmt: skip
    return posts, marked


def renamed(df: pl.DataFrame, columns: tuple[str, ...], mapping: dict[str, str]) -> pl.DataFrame:
    return df.with_columns(pl.col(c).replace(mapping) for c in columns if c in df.columns)


def test_hand_computed_edges_of_the_tiny_corpus():
    posts, marked = corpus()
    found = extract_edges(posts, marked)
    assert found.edges.select("source", "target", "kind").rows() == [
        ("t2", "t1", "quote"),
        ("t3", "t2", "reply"),
        ("t4", "t1", "implicit"),
        ("t5", "t3", "quote"),
        ("u3", "[thread u]", "implicit"),
        ("u4", "u3", "reply"),
    ]
    assert found.counts["replies_missing"] == 1  # u5 states a parent that is not in the input
    assert found.counts["threads_without_start"] == 1
    assert found.posts["post_id"].to_list() == ["t1", "t2", "t3", "t4", "t5", "[thread u]", "u3", "u4", "u5"]
    source, target = found.rows
    assert found.posts["post_id"].gather(source).to_list() == found.edges["source"].to_list()
    assert found.posts["post_id"].gather(target).to_list() == found.edges["target"].to_list()


def test_odd_ids_in_shuffled_rows_give_the_same_tables():
    posts, marked = corpus()
    plain = extract_edges(posts, marked)
    plain_metrics = compute_metrics(plain.posts, plain.edges, edge_rows=plain.rows)
    odd_posts = renamed(posts, ("post_id", "reply_to"), ODD)[[5, 2, 7, 0, 4, 1, 6, 3]]
    odd = extract_edges(odd_posts, renamed(marked, ("source", "target"), ODD))
    odd_metrics = compute_metrics(odd.posts, odd.edges, edge_rows=odd.rows)
    back = {v: k for k, v in ODD.items()}
    assert renamed(odd.posts, ("post_id", "reply_to"), back).equals(plain.posts)
    assert renamed(odd.edges, ("source", "target"), back).equals(plain.edges)
    assert odd.counts == plain.counts
    post_metrics = renamed(odd_metrics.post_metrics, ("post_id", "parent"), back)
    cascade_ids = {f"reply:{v}": f"reply:{k}" for k, v in ODD.items()} | {
        f"quote:{v}": f"quote:{k}" for k, v in ODD.items()
    }
    post_metrics = renamed(post_metrics, ("cascade_id",), cascade_ids)
    assert post_metrics.equals(plain_metrics.post_metrics)
    cascades = renamed(renamed(odd_metrics.cascades, ("root",), back), ("cascade_id",), cascade_ids)
    assert cascades.equals(plain_metrics.cascades)
    assert odd_metrics.author_metrics.equals(plain_metrics.author_metrics)
    assert odd_metrics.author_edges.equals(plain_metrics.author_edges)


def test_metrics_with_and_without_the_edge_rows_agree():
    posts, marked = corpus()
    found = extract_edges(posts, marked)
    given_rows = compute_metrics(found.posts, found.edges, edge_rows=found.rows)
    looked_up = compute_metrics(found.posts, found.edges)
    for name in ("post_metrics", "author_metrics", "author_edges", "cascades"):
        assert getattr(given_rows, name).equals(getattr(looked_up, name)), name
    assert given_rows.summary == looked_up.summary


def test_wrong_edge_rows_are_not_trusted():
    posts, marked = corpus()
    found = extract_edges(posts, marked)
    source, target = found.rows
    right = index_corpus(found.posts, found.edges)
    for rows in [(target, source), (source[:-1], target[:-1]), (source + 100, target), (source * 0 - 1, target)]:
        ix = index_corpus(found.posts, found.edges, rows=rows)
        assert ix.src.tolist() == right.src.tolist() and ix.dst.tolist() == right.dst.tolist()


def test_pasted_quote_rows_name_the_same_posts_as_the_ids():
    posts, _ = corpus()
    shuffled = posts[[3, 1, 0, 2, 4, 5, 6, 7]]
    found = find_pasted_quotes(shuffled)
    assert found.blocks.select("source", "target").rows() == [("t2", "t1")]
    assert shuffled["post_id"].gather(found.source_row).to_list() == ["t2"]
    assert shuffled["post_id"].gather(found.target_row).to_list() == ["t1"]


def test_rows_of_finds_each_id_once_and_misses_the_rest():
    ids = pl.Series(list(ODD.values()))
    values = pl.Series(["7", "７", None, "07", "x" * 300, "7 "])
    assert rows_of(values, ids).tolist() == [1, 5, -1, -1, 4, -1]


IDS = st.text(alphabet=st.sampled_from(["a", "b", "7", "0", "ü", " "]), max_size=3)
FUZZ = settings(deadline=None, max_examples=60, suppress_health_check=[HealthCheck.too_slow])


POSITIONS = st.integers(-3, 3) | st.sampled_from([None, -(2**31), 2**31 - 1, 2**31, -(2**40)])


@FUZZ
@given(st.lists(st.tuples(IDS | st.none(), POSITIONS), max_size=30))
def test_thread_order_sorts_like_polars(rows):
    frame = pl.DataFrame({"t": [r[0] for r in rows], "p": [r[1] for r in rows]}, schema={"t": pl.String, "p": pl.Int64})
    if frame["t"].null_count() or frame["p"].null_count():
        order = thread_order(frame["t"], frame["p"])
        assert (frame if order is None else frame[order]).equals(frame.sort("t", "p", maintain_order=True))
        return
    order = thread_order(frame["t"], frame["p"])
    ordered = frame if order is None else frame[order]
    assert ordered.equals(frame.sort("t", "p", maintain_order=True))
    expected = ordered["t"].rank("dense").cast(pl.Int64).to_list()
    assert sorted_thread_codes(ordered["t"]).tolist() == expected


@FUZZ
@given(st.lists(st.integers(-(2**62), 2**62), max_size=50))
def test_sorted_unique_is_numpys_unique(values):
    array = np.array(values, dtype=np.int64)
    assert np.array_equal(sorted_unique(array), np.unique(array))


@FUZZ
@given(st.lists(IDS | st.none(), max_size=30))
def test_all_unique_is_counting_distinct_values(values):
    series = pl.Series(values, dtype=pl.String)
    assert all_unique(series) == (series.n_unique() == len(series))


@FUZZ
@given(st.lists(st.integers(0, 2**64 - 1), max_size=50))
def test_sorted_values_is_numpys_sort(values):
    array = np.array(values, dtype=np.uint64)
    assert np.array_equal(sorted_values(array), np.sort(array))


@FUZZ
@given(st.lists(IDS | st.none(), max_size=30), st.booleans())
def test_the_summary_counts_threads_as_distinct_ids_in_any_order(threads, ordered):
    from sna.steps import ingest_summary

    threads = sorted(threads, key=str) if ordered else threads
    posts = pl.DataFrame({"thread_id": threads}, schema={"thread_id": pl.String})
    posts = posts.with_columns(author=pl.lit("a"), placeholder=pl.lit(False))
    summary = ingest_summary(posts, {}, files=1, files_skipped=0, implicit_target="first")
    assert summary["threads"] == posts["thread_id"].n_unique()

"""Quote, reply and implicit edges; integrity checks on stated parents."""

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from sna.edges import QUOTE_SEPARATOR, _merge_quote_pairs, extract_edges
from sna.errors import SchemaError
from sna.io.text_page import read_text_page
from sna.schema import MARKED_SCHEMA
from tests.helpers import thread

CATS = "Cats are the finest companions a person could ever hope to have at home."


def kinds(result):
    return result.edges.select("source", "target", "kind").rows()


def test_reply_edges_from_stated_parents_and_implicit_for_the_rest():
    posts = thread("root", "reply to root", "reply to p2", "lonely").with_columns(
        reply_to=pl.Series([None, "p1", "p2", None])
    )
    result = extract_edges(posts)
    assert kinds(result) == [("p2", "p1", "reply"), ("p3", "p2", "reply"), ("p4", "p1", "implicit")]
    assert result.edges["source_author"].to_list() == ["user2", "user3", "user4"]
    assert result.edges["target_author"].to_list() == ["user1", "user2", "user1"]


def test_no_implicit_edges_when_turned_off():
    result = extract_edges(thread("a", "b"), implicit=False)
    assert result.edges.height == 0


def test_post_that_replies_and_quotes_gets_both_rows_once_each():
    posts = thread(CATS, f"{CATS}\n\nNo.").with_columns(reply_to=pl.Series([None, "p1"]))
    assert kinds(extract_edges(posts)) == [("p2", "p1", "quote"), ("p2", "p1", "reply")]


def test_missing_parent_is_counted_not_an_edge():
    posts = thread("a", "b").with_columns(reply_to=pl.Series([None, "gone"]))
    result = extract_edges(posts)
    assert result.counts["replies_missing"] == 1
    assert kinds(result) == []  # a post that states a parent is not attached implicitly


def test_reply_cycle_names_the_posts():
    posts = thread("a", "b", "c").with_columns(reply_to=pl.Series(["p3", "p1", "p2"]))
    with pytest.raises(SchemaError, match="reply_to forms a cycle of 3 posts: 'p1' -> 'p3' -> 'p2' -> 'p1'"):
        extract_edges(posts)


@settings(max_examples=80, deadline=None)
@given(st.lists(st.integers(-1, 7), min_size=1, max_size=8))
def test_stated_parents_are_an_error_exactly_when_they_form_a_cycle(parents):
    n = len(parents)
    parents = [p if p < n and p != i else -1 for i, p in enumerate(parents)]
    posts = thread(*["x"] * n).with_columns(reply_to=pl.Series([f"p{p + 1}" if p >= 0 else None for p in parents]))

    def cycles(i):
        seen = set()
        while i >= 0 and i not in seen:
            seen.add(i)
            i = parents[i]
        return i >= 0

    if any(cycles(i) for i in range(n)):
        with pytest.raises(SchemaError, match="reply_to forms a cycle"):
            extract_edges(posts)
    else:
        assert extract_edges(posts).counts["edges_reply"] == sum(p >= 0 for p in parents)


def test_a_position_repeated_within_a_thread_is_an_error_when_rows_are_out_of_thread_order():
    posts = pl.concat([thread("a", "b", thread_id="y"), thread("c", thread_id="x")])
    posts = posts.with_columns(post_id=pl.Series(["y1", "y2", "x1"]), position=pl.Series([2, 1, 1]))
    assert extract_edges(posts).posts["post_id"].to_list() == ["x1", "y2", "y1"]
    with pytest.raises(SchemaError, match="position repeats within a thread in posts 'y1', 'y2'$"):
        extract_edges(posts.with_columns(position=pl.Series([1, 1, 1])))


def test_reply_across_threads_is_an_error():
    posts = pl.concat([thread("a", thread_id="x"), thread("b", thread_id="y").with_columns(reply_to=pl.lit("x1"))])
    posts = posts.with_columns(post_id=pl.Series(["x1", "y1"]))
    with pytest.raises(SchemaError, match="post 'y1' replies to 'x1', which is in another thread"):
        extract_edges(posts)


def test_duplicate_post_ids_are_an_error():
    posts = thread("a", "b").with_columns(post_id=pl.lit("same"))
    with pytest.raises(SchemaError, match="duplicate post_id"):
        extract_edges(posts)


def marked(*rows):
    return pl.DataFrame([dict(zip(MARKED_SCHEMA, r, strict=True)) for r in rows], schema=MARKED_SCHEMA)


def test_marked_quote_by_id_and_by_author_and_text():
    posts = thread(CATS, "Dogs are better.", "Nope.", "Nope again.", authors=["ann", "bo", "cy", "dee"])
    quotes = marked(("p3", "p2", "bo", "Dogs are better.", None, None), ("p4", None, "ann", CATS, None, None))
    result = extract_edges(posts, quotes)
    assert kinds(result) == [("p2", "p1", "implicit"), ("p3", "p2", "quote"), ("p4", "p1", "quote")]
    assert result.counts["quotes_unresolved"] == 0


def test_unresolved_marked_quote_is_recorded_and_its_words_stay_out_of_the_text():
    raw = "[quote=zed;99]Words of a post on another page.[/quote]\nMy answer."
    posts = thread("first", "My answer.").with_columns(raw_text=pl.Series(["first", raw]))
    quotes = marked(("p2", "99", "zed", "Words of a post on another page.", 0, raw.index("\n")))
    result = extract_edges(posts, quotes)
    assert result.counts["quotes_unresolved"] == 1
    assert result.posts["text"][1] == "My answer."
    assert result.unresolved.rows() == [("p2", "99", "zed", "Words of a post on another page.")]
    assert kinds(result) == [("p2", "p1", "implicit")]


def test_implicit_target_previous_links_to_the_post_just_above():
    posts = thread("a", "b", "c").with_columns(reply_to=pl.Series([None, None, "p1"]))
    result = extract_edges(posts, implicit_target="previous")
    assert kinds(result) == [("p2", "p1", "implicit"), ("p3", "p1", "reply")]
    assert extract_edges(thread("a", "b", "c"), implicit_target="previous").edges["target"].to_list() == ["p1", "p2"]


def test_implicit_target_none_and_unknown_value():
    assert extract_edges(thread("a", "b"), implicit_target="none").edges.height == 0
    with pytest.raises(SchemaError, match="implicit_target must be one of first, previous, none"):
        extract_edges(thread("a", "b"), implicit_target="last")


def page_from_the_middle():
    """Posts 54-56 of a thread whose earlier pages are not in the input; 56 quotes 54."""
    posts = thread("Opening words on page two.", "Just chatting here.", f"{CATS}\n\nNo.", thread_id="t")
    posts = posts.with_columns(
        position=pl.Series([54, 55, 56]), text=pl.Series([CATS, "Just chatting here.", f"{CATS}\n\nNo."])
    )
    return posts.with_columns(raw_text=pl.col("text"))


def test_page_from_the_middle_of_a_thread_links_to_a_placeholder_not_to_the_first_post_on_the_page():
    result = extract_edges(page_from_the_middle())
    assert kinds(result) == [("p1", "[thread t]", "implicit"), ("p2", "[thread t]", "implicit"),
                             ("p3", "p1", "quote")]  # fmt: skip
    first = result.posts.row(0, named=True)
    assert (first["post_id"], first["position"], first["author"], first["text"], first["placeholder"]) == (
        "[thread t]", 1, None, "", True)  # fmt: skip
    assert result.posts["placeholder"].to_list() == [True, False, False, False]
    assert result.counts["threads_without_start"] == 1


def test_page_from_the_middle_with_previous_target_only_its_first_post_hangs_on_the_placeholder():
    result = extract_edges(page_from_the_middle(), implicit_target="previous")
    assert kinds(result) == [("p1", "[thread t]", "implicit"), ("p2", "p1", "implicit"), ("p3", "p1", "quote")]


def test_no_placeholder_when_nothing_would_link_to_it_or_links_are_off():
    posts = page_from_the_middle().with_columns(reply_to=pl.Series([None, "p1", "p2"])).slice(1)
    result = extract_edges(posts)
    assert result.posts.height == 2 and not result.posts["placeholder"].any()
    assert extract_edges(page_from_the_middle(), implicit_target="none").posts.height == 3


# The seed thread, read by a person: who quotes whom, with the words quoted.
SEED_QUOTES = {
    (8, 6): "Also I think for most of the 70 year history, Pakistan's foreign policy has blown away India's.",
    (10, 8): "True. Pakistan has always outsmarted India on foreign policy.",
    (15, 14): "Pakistan was created with the tacit understanding",
    (16, 14): "Pakistan was created with the tacit understanding",
    (17, 16): "Yes the frontier to defend the West from Soviet was Pakistan",
    (19, 17): "And the small matter of the US and the Soviets being allied in WW II",
    (20, 14): "Pakistan was created with the tacit understanding",
    (21, 14): "Pakistan was created with the tacit understanding",
    (23, 22): "Didn't you say a while back that Russia will never sell military hardware",
    (28, 26): "Pakistan should see its own interests.",
    (29, 28): "Supporting the Afghan mujahideen was fine",
    (32, 30): "Its easy to use the benefit of hindsight",
}


def test_seed_thread_quote_edges_match_a_careful_reading(seed_path):
    parsed = read_text_page(seed_path)
    result = extract_edges(parsed.posts, parsed.quotes)
    quotes = result.edges.filter(pl.col("kind") == "quote")
    number = lambda s: int(s.rsplit("#", 1)[1])  # noqa: E731
    found = {(number(s), number(t)): q for s, t, q in quotes.select("source", "target", "quoted_text").rows()}
    assert set(found) == set(SEED_QUOTES)
    for pair, words in SEED_QUOTES.items():
        assert found[pair].startswith(words)
    # Post 17 quotes post 16's own words, not post 14 that 16 quoted (nested quoting).
    assert (17, 14) not in found
    # Quoted words are gone from the replies' own text.
    text = dict(
        zip(result.posts["post_id"].map_elements(number, return_dtype=pl.Int64), result.posts["text"], strict=True)
    )
    assert text[15].startswith("This is the truth.")
    assert text[23].startswith("If you look in history Russia has always supplied")
    assert text[32].startswith("Outstanding summary of the first decade.")
    # Everything else answers the opening post.
    implicit = result.edges.filter(pl.col("kind") == "implicit")
    assert implicit.height == 32 - 1 - len(SEED_QUOTES)
    assert set(implicit["target"]) == {"seed-pakistan-ussr-thread#1"}


@settings(deadline=None, max_examples=150)
@given(
    st.lists(
        st.tuples(st.integers(-1, 3), st.integers(-1, 3), st.one_of(st.none(), st.sampled_from("abc"))), max_size=14
    )
)
def test_property_merged_quote_pairs_equal_grouping_every_pair(rows):
    pairs = pl.DataFrame(rows, schema={"_s": pl.Int64, "_t": pl.Int64, "quoted_text": pl.String}, orient="row")
    expected = pairs.group_by("_s", "_t", maintain_order=True).agg(
        pl.col("quoted_text").drop_nulls().str.join(QUOTE_SEPARATOR)
    )
    assert_frame_equal(_merge_quote_pairs(pairs), expected)

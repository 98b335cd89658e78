"""Recovering quotes pasted without markup, case by case."""

import random

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from sna.quotes import find_pasted_quotes, locate_quoted_posts, normalize
from tests.helpers import DATA, thread

CATS = "Cats are the finest companions a person could ever hope to have at home."
DOGS = "Dogs need walks twice a day, which keeps their owners fit and cheerful."
FISH = "Fish are quiet, cheap to feed and never chew the furniture when you are out."


def edges(posts):
    return sorted(find_pasted_quotes(posts).blocks.select("source", "target").unique().rows())


def test_whole_post_quoted():
    posts = thread(CATS, f"{CATS}\n\nI could not disagree more.")
    assert edges(posts) == [("p2", "p1")]
    assert find_pasted_quotes(posts).text.to_list()[1] == "I could not disagree more."


def test_one_paragraph_of_a_longer_post():
    posts = thread(f"{CATS}\n\n{DOGS}\n\n{FISH}", f"{DOGS}\n\nMine hates walks.")
    found = find_pasted_quotes(posts)
    assert edges(posts) == [("p2", "p1")]
    assert found.blocks["quoted_text"].to_list() == [DOGS]


def test_run_of_sentences_from_inside_a_paragraph():
    posts = thread(f"{CATS} {DOGS} {FISH}", f"{DOGS} {FISH}\nBoth wrong.")
    assert edges(posts) == [("p2", "p1")]


def test_several_quotes_interleaved_with_own_words():
    posts = thread(CATS, DOGS, f"{CATS}\nNot mine.\n\n{DOGS}\nTrue enough.\n\n{CATS}\nStill no.")
    found = find_pasted_quotes(posts)
    assert edges(posts) == [("p3", "p1"), ("p3", "p2")]
    assert found.text.to_list()[2] == "Not mine.\n\nTrue enough.\n\nStill no."
    # Two blocks quote p1: one edge, both passages kept.
    assert (found.blocks["target"] == "p1").sum() == 2


def test_whitespace_punctuation_and_case_differences():
    messy = "cats ARE the finest companions -- a person could EVER hope to have at home"
    posts = thread(CATS, f"{messy.replace(' ', '  ')}\n\nNope.")
    assert edges(posts) == [("p2", "p1")]


def test_line_breaks_inside_the_quote_differ():
    posts = thread(f"{CATS} {DOGS}", f"{CATS}\n{DOGS}\n\nAgreed on both.")
    assert edges(posts) == [("p2", "p1")]


def test_nested_quote_goes_to_the_post_whose_own_words_are_quoted():
    b_own = "Birds wake the whole street at five in the morning every single day."
    posts = thread(CATS, f"{CATS}\n\n{b_own}", f"{b_own}\n\nEarplugs help.", f"{CATS}\n\nAgreed.")
    # C quotes B's own words -> C->B, not C->A; D quotes A's words -> D->A, not D->B.
    assert edges(posts) == [("p2", "p1"), ("p3", "p2"), ("p4", "p1")]


def test_copying_a_whole_post_with_its_nested_quote_goes_to_that_post():
    b_own = "Birds wake the whole street at five in the morning every single day."
    c_text = f"{CATS}\n\nI have a point here.\n\n{b_own}\n\nSo what."
    posts = thread(CATS, f"{CATS}\n\n{b_own}", c_text)
    assert ("p3", "p2") in edges(posts)
    assert ("p3", "p1") not in edges(posts)


def test_stock_phrases_are_not_quotes():
    posts = thread("I agree.", "lol", "True.", "I agree.\n\nlol\n\nTrue.", "I don't think so.", "I don't think so.")
    assert edges(posts) == []


def test_short_whole_line_quote_is_found():
    posts = thread("My wife was gay.\n\nLong story.", "My wife was gay.\n\nThis is ambiguous.")
    assert edges(posts) == [("p2", "p1")]


def test_author_quoting_their_own_earlier_post():
    posts = thread(CATS, DOGS, f"{CATS}\n\nAs I said before.", authors=["ann", "bo", "ann"])
    assert edges(posts) == [("p3", "p1")]


def test_quote_of_a_post_not_in_the_input_stays_own_words():
    posts = thread(DOGS, f"{CATS}\n\nReplying to someone on another page.")
    found = find_pasted_quotes(posts)
    assert found.blocks.height == 0
    assert found.text.to_list()[1].startswith(CATS)


def test_quotes_stay_within_a_thread():
    posts = pl.concat([thread(CATS, thread_id="a"), thread(f"{CATS}\n\nHmm.", thread_id="b")])
    posts = posts.with_columns(post_id=pl.Series(["a1", "b1"]))
    assert edges(posts) == []


def test_only_requested_posts_are_searched():
    posts = thread(CATS, f"{CATS}\n\nNo.")
    found = find_pasted_quotes(posts, recover=pl.Series([True, False]))
    assert found.blocks.height == 0


def test_locate_prefers_the_named_author():
    posts = thread(CATS, f"{CATS}", "x", authors=["ann", "bo", "cy"])
    quotes = pl.DataFrame(
        {"source": ["p3", "p3", "p3"], "target_author": ["bo", None, "dee"], "quoted_text": [CATS, CATS, CATS]}
    )
    assert locate_quoted_posts(posts, quotes).to_list() == ["p2", "p1", None]


def test_real_thread_from_iac_matches_its_quote_ranges():
    posts = pl.read_csv(DATA / "iac-8052-posts.csv", infer_schema=False).with_columns(pl.col("position").cast(pl.Int64))
    truth = set(pl.read_csv(DATA / "iac-8052-quotes.csv", infer_schema=False).rows())
    found = set(find_pasted_quotes(posts).blocks.select("source", "target").rows())
    assert len(truth) == 21
    assert found == truth


# Property tests -------------------------------------------------------------

VOCAB = [f"w{i}" for i in range(3000)]


def sentence(rng: random.Random) -> str:
    return " ".join(rng.choice(VOCAB) for _ in range(rng.randint(8, 16))).capitalize() + "."


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 10**9), st.integers(2, 8), st.integers(1, 3))
def test_property_post_built_from_an_earlier_posts_sentences_links_to_it(seed, n_posts, n_quoted):
    rng = random.Random(seed)
    texts = [" ".join(sentence(rng) for _ in range(4)) for _ in range(n_posts)]
    source = rng.randrange(n_posts)
    sentences = texts[source].replace(". ", ".|").split("|")
    start = rng.randrange(len(sentences) - n_quoted + 1)
    quoted = " ".join(sentences[start : start + n_quoted])
    reply = f"{quoted}\n\n{sentence(rng)}"
    posts = thread(*texts, reply)
    assert edges(posts) == [(f"p{n_posts + 1}", f"p{source + 1}")]


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 10**9), st.integers(2, 12))
def test_property_unrelated_random_text_yields_no_quotes(seed, n_posts):
    rng = random.Random(seed)
    posts = thread(*[" ".join(sentence(rng) for _ in range(rng.randint(1, 4))) for _ in range(n_posts)])
    assert edges(posts) == []


@given(st.text(max_size=80))
def test_property_normalize_is_idempotent(text):
    assert normalize(normalize(text)) == normalize(text)
